"""OAuth 2 tokens the way Reltio's auth server hands them out (`POST /oauth/token`).

Grants:
- ``password``: `username` (a user's email or accountId) and `password` (one of their bondline API
  tokens). The Basic header names the OAuth client; Reltio clients send a fixed public one
  (`reltio_ui:makita`), so bondline accepts any client here.
- ``client_credentials``: the Basic header (or `client_id`/`client_secret`) is the user's email or
  accountId and an API token of theirs.
- ``refresh_token``: a refresh token from an earlier grant buys a new access token.

Access tokens are bondline tokens of kind ``oauth_access`` that expire (default 3600 s); refresh
tokens are of kind ``oauth_refresh``, live longer, and are refused as bearer credentials. Both are
stored as SHA-256 hashes only, like every bondline token, and both name the API token they were
minted from (`parent_id`): they are usable only while it is (not revoked, expired or deleted, nor
its user), checked on every use.
"""

from __future__ import annotations

import dataclasses

from bondline import ids
from bondline.domain.audit import ANONYMOUS, Actor, Change, record_of
from bondline.domain.errors import Invalid
from bondline.domain.model import Token, User
from bondline.store import Store
from bondline.store.unit import Tx

ACCESS_SECONDS = 3600
REFRESH_SECONDS = 30 * 86400
SCOPE = "read write trust"


class OAuthError(Invalid):
    """A token request refused: `reason` is which RFC 6749 error (§5.2) it is (``invalid_request``,
    ``invalid_client``, ``invalid_grant``, ``unsupported_grant_type``), rendered as `error`; the OAuth
    dialect (`dialects/reltio/errors.py`) picks the status for each."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description, reason=error)


@dataclasses.dataclass(frozen=True, slots=True)
class Grant:
    access_token: str
    refresh_token: str
    expires_in: int
    scope: str = SCOPE


async def _user_by_name(tx: Tx, name: str) -> User | None:
    user = await tx.users.by_email(name) if "@" in name else None
    return user or await tx.users.by_account_id(name)


async def _verify(tx: Tx, token: str, kinds: tuple[str, ...]) -> Token | None:
    """The stored token `token` is, if it is of one of `kinds` and usable now, as is the API token it
    was minted from (a refresh token dies with its parent: revoked, expired or deleted)."""
    token_id = ids.token_id_of(token)
    if token_id is None:
        return None
    stored = await tx.tokens.by_id(token_id)
    if stored is None or not ids.token_matches(token, stored.secret_hash) or stored.kind not in kinds:
        return None
    now = ids.now_ms()
    if not stored.usable_at(now):
        return None
    if stored.parent_id is not None:
        parent = await tx.tokens.by_id(stored.parent_id)
        if parent is None or not parent.usable_at(now):
            return None
    return stored


async def _issue(tx: Tx, user: User, parent_id: str, refresh: str | None) -> Grant:
    """An access token (and, without `refresh`, a refresh token) minted from the API token
    `parent_id`, recorded in the audit trail as the user's own doing."""
    now = ids.now_ms()
    await tx.tokens.purge_expired_oauth(user.id, now)
    token_id, access = ids.new_token()
    minted = [Token(token_id, user.id, ids.hash_token(access), "oauth access", now, now + ACCESS_SECONDS * 1000,
                    None, "oauth_access", parent_id)]
    if refresh is None:
        refresh_id, refresh = ids.new_token()
        minted.append(Token(refresh_id, user.id, ids.hash_token(refresh), "oauth refresh", now,
                            now + REFRESH_SECONDS * 1000, None, "oauth_refresh", parent_id))
    for record in minted:
        await tx.tokens.add(record)
        # The client was anonymous until its credentials named the user: the user is the actor.
        tx.record(Change("token.create", f"user/{user.account_id}/tokens/{record.id}", None, record_of(record),
                         actor=user.account_id))
    return Grant(access, refresh, ACCESS_SECONDS)


async def token(store: Store, grant_type: str | None, params: dict[str, str],
                client: tuple[str, str] | None, request_id: str | None = None) -> Grant:
    if not grant_type:
        raise OAuthError("invalid_request", "Missing grant type")
    async with store.write(Actor(ANONYMOUS, request_id)) as tx:
        if grant_type == "password":
            username, password = params.get("username"), params.get("password")
            if not username or not password:
                raise OAuthError("invalid_request", "username and password are required")
            user = await _user_by_name(tx, username)
            stored = await _verify(tx, password, ("api",))
            if user is None or stored is None or stored.user_id != user.id:
                raise OAuthError("invalid_grant", "Bad credentials")
            return await _issue(tx, user, stored.id, None)
        if grant_type == "client_credentials":
            if client is None and params.get("client_id") and params.get("client_secret"):
                client = (params["client_id"], params["client_secret"])
            if client is None:
                raise OAuthError("invalid_client", "Client authentication failed: send Basic client_id:secret")
            user = await _user_by_name(tx, client[0])
            stored = await _verify(tx, client[1], ("api",))
            if user is None or stored is None or stored.user_id != user.id:
                raise OAuthError("invalid_client", "Bad client credentials")
            return await _issue(tx, user, stored.id, None)
        if grant_type == "refresh_token":
            refresh = params.get("refresh_token")
            if not refresh:
                raise OAuthError("invalid_request", "refresh_token is required")
            stored = await _verify(tx, refresh, ("oauth_refresh",))
            owner = None if stored is None else await tx.users.by_id(stored.user_id)
            if stored is None or stored.parent_id is None or owner is None:
                raise OAuthError("invalid_grant", "Invalid refresh token")  # never echoed back
            return await _issue(tx, owner, stored.parent_id, refresh)
    raise OAuthError("unsupported_grant_type", f"Unsupported grant type: {grant_type[:60]}")

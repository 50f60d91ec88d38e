"""Authentication: from an `Authorization` header to a `Caller`.

Accepted: ``Bearer <token>`` and ``Basic base64(email:token)`` (how Confluence Cloud clients send an
API token). Tokens are verified against their stored SHA-256 with a constant-time compare.

A verified header is cached in this worker for `ttl` seconds (default 1) so the hot path does not
hit the database for every request; revocation therefore takes effect within `ttl` seconds in other
workers, and at once in the worker that revoked. Failed attempts are never cached.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time

from bondline import ids
from bondline.domain.errors import Unauthenticated
from bondline.domain.model import Caller, Token, User
from bondline.store import Store

_MAX_CACHE = 10_000


class Authenticator:
    def __init__(self, store: Store, ttl: float = 1.0) -> None:
        self.store = store
        self.ttl = ttl
        self._cache: dict[bytes, tuple[float, Caller]] = {}

    def forget(self) -> None:
        """Drop every cached credential (after a revocation in this process)."""
        self._cache.clear()

    async def caller_for(self, authorization: str | None) -> Caller | None:
        """The caller these credentials identify; None without credentials; Unauthenticated when
        they are present but wrong, revoked or expired."""
        if not authorization:
            return None
        key = hashlib.sha256(authorization.encode()).digest()
        hit = self._cache.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        caller, expires_at = await self._verify(authorization)
        if self.ttl > 0:
            if len(self._cache) >= _MAX_CACHE:
                self._cache.clear()
            deadline = now + self.ttl
            if expires_at is not None:
                deadline = min(deadline, now + (expires_at - ids.now_ms()) / 1000)
            self._cache[key] = (deadline, caller)
        return caller

    async def _verify(self, authorization: str) -> tuple[Caller, int | None]:
        scheme, _, credentials = authorization.strip().partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        email: str | None = None
        if scheme == "bearer":
            token = credentials
        elif scheme == "basic":
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise Unauthenticated("Basic authentication credentials are malformed") from None
            email, sep, token = decoded.partition(":")
            if not sep:
                raise Unauthenticated("Basic authentication needs email:token")
        else:
            raise Unauthenticated("Unsupported authorization scheme; use Bearer or Basic")
        user, expires_at = await self.user_for_token(token)
        if email is not None and email.strip().lower() != user.email.lower():
            raise Unauthenticated("The email and token do not match")
        return Caller.of(user), expires_at

    async def user_for_token(self, token: str) -> tuple[User, int | None]:
        """The user a presented token belongs to, and when the token expires (None: never)."""
        user, stored = await self.check_token(token)
        return user, stored.expires_at

    async def check_token(self, token: str) -> tuple[User, Token]:
        token_id = ids.token_id_of(token)
        if token_id is None:
            raise Unauthenticated("The token is not valid")
        return await self._load(token_id, token)

    async def user_for_token_id(self, token_id: str) -> tuple[User, Token]:
        """Re-check a token already verified once (a review inbox session, kept by the server,
        names it): it must still exist, be unrevoked, unexpired, and its user still there."""
        return await self._load(token_id, None)

    async def _load(self, token_id: str, token: str | None) -> tuple[User, Token]:
        async with self.store.read() as tx:
            stored = await tx.tokens.by_id(token_id)
            if stored is None or (token is not None and not ids.token_matches(token, stored.secret_hash)):
                raise Unauthenticated("The token is not valid")
            if stored.revoked_at is not None:
                raise Unauthenticated("The token has been revoked")
            if stored.kind == "oauth_refresh":
                # A refresh token only buys new access tokens at /oauth/token.
                raise Unauthenticated("A refresh token cannot be used to authenticate requests")
            now = ids.now_ms()
            if not stored.usable_at(now):
                raise Unauthenticated("The token has expired")
            if stored.parent_id is not None:
                # An OAuth token lives only as long as the API token it was minted from.
                parent = await tx.tokens.by_id(stored.parent_id)
                if parent is None or parent.revoked_at is not None:
                    raise Unauthenticated("The token has been revoked")
                if not parent.usable_at(now):
                    raise Unauthenticated("The token has expired")
            user = await tx.users.by_id(stored.user_id)
        if user is None:
            raise Unauthenticated("The token's user no longer exists")
        return user, stored

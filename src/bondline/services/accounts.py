"""Managing users and API tokens: operator work (the CLI and seed files call these), recorded in the
audit trail as the operator's unless another actor is given."""

from __future__ import annotations

import re

from bondline import ids
from bondline.domain import accounts
from bondline.domain.audit import OPERATOR_ACTOR, Actor, Change, record_of
from bondline.domain.errors import Conflict, Invalid, NotFound
from bondline.domain.model import Token, User
from bondline.domain.relations import CONFLUENCE
from bondline.store import IntegrityViolation, Store


async def add_user(store: Store, account_id: str, email: str, display_name: str,
                   site_admin: bool = False, *, by: Actor = OPERATOR_ACTOR) -> User:
    account_id, email, display_name = accounts.validate_new_user(account_id, email, display_name)
    async with store.read() as tx:
        if await tx.users.by_account_id(account_id):
            raise Conflict(f"A user with accountId {account_id} already exists")
        if await tx.users.by_email(email):
            raise Conflict(f"A user with email {email} already exists")
    try:
        async with store.write(by) as tx:
            user = await tx.users.add(account_id, email, display_name, site_admin, ids.now_ms())
            tx.record(Change("user.create", f"user/{account_id}", None, record_of(user)))
            return user
    except IntegrityViolation:
        raise Conflict(f"A user with accountId {account_id} or email {email} already exists") from None


async def delete_user(store: Store, account_id: str, *, by: Actor = OPERATOR_ACTOR) -> User:
    """Remove a user with their tokens and every relation from or to them (their favourites,
    watches, likes). Content they wrote stays, attributed to an unknown user."""
    async with store.write(by) as tx:
        user = await tx.users.by_account_id(account_id)
        if user is None:
            raise NotFound(f"No user with accountId {account_id}", reason="USER_NOT_FOUND")
        await tx.relations.purge_entity(CONFLUENCE, "user", [account_id])
        await tx.users.delete(user.id)
        tx.record(Change("user.delete", f"user/{account_id}", record_of(user)))
    return user


async def get_user(store: Store, account_id: str) -> User:
    async with store.read() as tx:
        user = await tx.users.by_account_id(account_id)
    if user is None:
        raise NotFound(f"No user with accountId {account_id}", reason="USER_NOT_FOUND")
    return user


async def get_users(store: Store, account_ids: list[str]) -> list[User]:
    """The users with these account ids, in the order asked (each once); unknown ids are left out."""
    async with store.read() as tx:
        found = await tx.users.by_account_ids(set(account_ids))
    return [found[a] for a in dict.fromkeys(account_ids) if a in found]


async def create_token(store: Store, account_id: str, expires_in_days: float | None = None,
                       name: str | None = None, fixed: str | None = None, *,
                       by: Actor = OPERATOR_ACTOR) -> tuple[Token, str]:
    """A new token for a user: returns the stored record and the token itself (shown once).
    `fixed` is a token chosen in advance (seed files): it must have bondline's token shape, and
    only its hash is stored, like any other."""
    now = ids.now_ms()
    expires_at = accounts.token_expiry(now, expires_in_days)
    if fixed is not None:
        token = accounts.validate_fixed_token(fixed)
        token_id = ids.token_id_of(token)
        assert token_id is not None
    else:
        token_id, token = ids.new_token()
    async with store.write(by) as tx:
        user = await tx.users.by_account_id(account_id)
        if user is None:
            raise NotFound(f"No user with accountId {account_id}", reason="USER_NOT_FOUND")
        if fixed is not None and await tx.tokens.by_id(token_id) is not None:
            raise Conflict(f"A token with id {token_id} already exists")
        record = Token(token_id, user.id, ids.hash_token(token), name, now, expires_at, None)
        await tx.tokens.add(record)
        tx.record(Change("token.create", f"user/{account_id}/tokens/{token_id}", None, record_of(record)))
    return record, token


async def revoke_token(store: Store, prefix_or_id: str, *, by: Actor = OPERATOR_ACTOR) -> Token:
    """Revoke the one token whose id is, or starts with, `prefix_or_id` (a full token works too)."""
    token_id = ids.token_id_of(prefix_or_id) or prefix_or_id
    if token_id.startswith(ids.TOKEN_PREFIX):
        token_id = token_id[len(ids.TOKEN_PREFIX):]
    if not re.fullmatch(r"[0-9A-Za-z]{4,10}", token_id):
        raise Invalid("Give the token id (or at least its first 4 characters)")
    async with store.write(by) as tx:
        matches = await tx.tokens.by_id_prefix(token_id)
        if not matches:
            raise NotFound(f"No token with id {token_id}", reason="TOKEN_NOT_FOUND")
        if len(matches) > 1:
            raise Invalid(f"{len(matches)} tokens start with {token_id}; give more characters")
        revoked_at = ids.now_ms()
        await tx.tokens.revoke(matches[0].id, revoked_at)
        owner = await tx.users.by_id(matches[0].user_id)
        owner_id = owner.account_id if owner is not None else str(matches[0].user_id)
        tx.record(Change("token.revoke", f"user/{owner_id}/tokens/{matches[0].id}", record_of(matches[0]),
                         {**(record_of(matches[0]) or {}), "revoked_at": revoked_at}))
        return matches[0]


async def list_tokens(store: Store, account_id: str) -> list[Token]:
    async with store.read() as tx:
        user = await tx.users.by_account_id(account_id)
        if user is None:
            raise NotFound(f"No user with accountId {account_id}", reason="USER_NOT_FOUND")
        return await tx.tokens.for_user(user.id)

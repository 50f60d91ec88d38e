"""Users and API tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bondline.domain.model import Token, User
from bondline.store.base import Conn, IntegrityViolation, Row
from bondline.store.repos import batch
from bondline.store.tables import api_tokens, users

P = sa.bindparam

USER_COLUMNS = (users.c.id, users.c.account_id, users.c.email, users.c.display_name, users.c.site_admin,
              users.c.created_at)
_by_account = sa.select(*USER_COLUMNS).where(users.c.account_id == P("account_id"))
_by_email = sa.select(*USER_COLUMNS).where(users.c.email == P("email"))
_by_id = sa.select(*USER_COLUMNS).where(users.c.id == P("id"))
_list = sa.select(*USER_COLUMNS).order_by(users.c.id).limit(P("limit")).offset(P("offset"))
_insert = users.insert().values(
    account_id=P("account_id"), email=P("email"), display_name=P("display_name"),
    site_admin=P("site_admin"), created_at=P("created_at"),
).returning(users.c.id)
_update = users.update().where(users.c.id == P("id")).values(
    email=P("email"), display_name=P("display_name"), site_admin=P("site_admin"))
_delete = users.delete().where(users.c.id == P("id"))


@batch.cached
def _by_accounts(n: int) -> sa.Select[Any]:
    return sa.select(*USER_COLUMNS).where(users.c.account_id.in_(batch.vals(n)))


@batch.cached
def _by_ids(n: int) -> sa.Select[Any]:
    return sa.select(*USER_COLUMNS).where(users.c.id.in_(batch.vals(n)))


def user_of(row: Row) -> User:
    return User(row[0], row[1], row[2], row[3], bool(row[4]), row[5])


def _users(rows: Sequence[Row]) -> tuple[User, ...]:
    return tuple(user_of(row) for row in rows)


class UserRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def by_account_id(self, account_id: str) -> User | None:
        row = await self.conn.one(_by_account, {"account_id": account_id})
        return user_of(row) if row else None

    async def by_account_ids(self, account_ids: set[str]) -> dict[str, User]:
        """Users by accountId, in a few statements (the ones that exist)."""
        if not account_ids:
            return {}
        # The read cache may answer, with the User objects parsed once (shared, read-only).
        return {user.account_id: user for user in
                await batch.many_cached(self.conn, _by_accounts, account_ids, {}, _users)}

    async def by_email(self, email: str) -> User | None:
        row = await self.conn.one(_by_email, {"email": email.lower()})
        return user_of(row) if row else None

    async def by_id(self, user_id: int) -> User | None:
        row = await self.conn.one(_by_id, {"id": user_id})
        return user_of(row) if row else None

    async def by_ids_cached(self, user_ids: set[int]) -> dict[int, User]:
        """Users by id, in one statement per 512, which the read cache may answer
        (`Conn.all_cached`): for reads only."""
        found: dict[int, User] = {}
        for chunk in batch.chunks(sorted(user_ids)):
            size, params = batch.in_params(chunk)
            for row in await self.conn.all_cached(_by_ids(size), params):
                found[row[0]] = user_of(row)
        return found

    async def page(self, offset: int, limit: int) -> list[User]:
        return [user_of(r) for r in await self.conn.all(_list, {"offset": offset, "limit": limit})]

    async def add(self, account_id: str, email: str, display_name: str, site_admin: bool, now: int) -> User:
        """Insert a user; raises IntegrityViolation when the account id or email is taken."""
        user_id = await self.conn.scalar(_insert, {
            "account_id": account_id, "email": email.lower(), "display_name": display_name,
            "site_admin": site_admin, "created_at": now,
        })
        return User(user_id, account_id, email.lower(), display_name, site_admin, now)

    async def update(self, user: User) -> None:
        await self.conn.execute(_update, {"id": user.id, "email": user.email,
                                          "display_name": user.display_name, "site_admin": user.site_admin})

    async def delete(self, user_id: int) -> None:
        await self.conn.execute(_delete, {"id": user_id})


_tok_cols = (api_tokens.c.id, api_tokens.c.user_id, api_tokens.c.secret_hash, api_tokens.c.name,
             api_tokens.c.created_at, api_tokens.c.expires_at, api_tokens.c.revoked_at, api_tokens.c.kind,
             api_tokens.c.parent_id)
_tok_by_id = sa.select(*_tok_cols).where(api_tokens.c.id == P("id"))
_tok_by_user = sa.select(*_tok_cols).where(api_tokens.c.user_id == P("user_id")).order_by(api_tokens.c.created_at)
_tok_insert = api_tokens.insert().values(
    id=P("id"), user_id=P("user_id"), secret_hash=P("secret_hash"), name=P("name"),
    created_at=P("created_at"), expires_at=P("expires_at"), kind=P("kind"), parent_id=P("parent_id"))
_tok_revoke = api_tokens.update().where(
    api_tokens.c.id == P("id"), api_tokens.c.revoked_at.is_(None)).values(revoked_at=P("now"))
_tok_purge_expired = api_tokens.delete().where(
    api_tokens.c.user_id == P("user_id"), api_tokens.c.kind != "api",
    api_tokens.c.expires_at < P("now"))
# Token ids are base62, so a prefix needs no LIKE escaping (the service checks it is alphanumeric).
_tok_by_prefix = sa.select(*_tok_cols).where(api_tokens.c.id.startswith(P("prefix")))


def _token(row: Row) -> Token:
    return Token(*row)


class TokenRepo:
    __slots__ = ("conn",)

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def by_id(self, token_id: str) -> Token | None:
        row = await self.conn.one(_tok_by_id, {"id": token_id})
        return _token(row) if row else None

    async def by_id_prefix(self, prefix: str) -> list[Token]:
        return [_token(r) for r in await self.conn.all(_tok_by_prefix, {"prefix": prefix})]

    async def for_user(self, user_id: int) -> list[Token]:
        return [_token(r) for r in await self.conn.all(_tok_by_user, {"user_id": user_id})]

    async def add(self, token: Token) -> None:
        await self.conn.execute(_tok_insert, {
            "id": token.id, "user_id": token.user_id, "secret_hash": token.secret_hash, "name": token.name,
            "created_at": token.created_at, "expires_at": token.expires_at, "kind": token.kind,
            "parent_id": token.parent_id,
        })

    async def purge_expired_oauth(self, user_id: int, now: int) -> int:
        """Forget a user's expired OAuth tokens (they can never be used again)."""
        return await self.conn.execute(_tok_purge_expired, {"user_id": user_id, "now": now})

    async def revoke(self, token_id: str, now: int) -> bool:
        return await self.conn.execute(_tok_revoke, {"id": token_id, "now": now}) > 0


__all__ = ["UserRepo", "TokenRepo", "IntegrityViolation"]


async def users_by_ids(repo: UserRepo, user_ids: set[int | None], *, cached: bool = False) -> dict[int, User]:
    """Look up a handful of users (authors, editors) for rendering (`cached`: in one statement, which
    the read cache may answer — for a listing's many authors)."""
    if cached:
        return await repo.by_ids_cached({u for u in user_ids if u is not None})
    found: dict[int, User] = {}
    for user_id in user_ids:
        if user_id is not None and user_id not in found:
            user = await repo.by_id(user_id)
            if user is not None:
                found[user_id] = user
    return found

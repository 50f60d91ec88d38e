"""The store under test (one per test, on each backend) and small builders of stored records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from bondline.config import Settings
from bondline.domain.model import Token, User
from bondline.domain.reltio.changes import AWAITING, DEFAULT_TYPE, ChangeRequest, Item
from bondline.domain.reltio.objects import ReltioEntity, ReltioRelation
from bondline.store import Store, create_store
from bondline.store.tables import BACKEND_OWN, metadata
from bondline.store.unit import Tx

NOW = 1_700_000_000_000  # epoch ms; stored as given
TENANT = "acme"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = create_store(Settings(database_url=database_url))
    await opened.open()
    try:
        yield opened
    finally:
        await opened.close()


async def table_counts(store: Store) -> dict[str, int]:
    """How many rows every table holds (the declared ones, and the backends' own: the full-text index)."""
    names = [t.name for t in metadata.sorted_tables] + list(BACKEND_OWN)
    async with store.read() as tx:
        return {name: int(await tx.conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name))))
                for name in names}


async def add_user(tx: Tx, name: str, *, admin: bool = False) -> User:
    return await tx.users.add(f"acc-{name}", f"{name.title()}@Example.com", name.title(), admin, NOW)


def token(user: User, token_id: str, *, kind: str = "api", expires_at: int | None = None,
          parent_id: str | None = None) -> Token:
    return Token(token_id, user.id, "0" * 64, f"{token_id} token", NOW, expires_at, None, kind, parent_id)


async def add_tenant(tx: Tx, tenant: str = TENANT) -> None:
    await tx.tenants.add(tenant, NOW)


def entity(entity_id: str, *, tenant: str = TENANT, type: str = "Individual", version: int = 1,
           crosswalks: list[dict[str, Any]] | None = None, attributes: dict[str, Any] | None = None) -> ReltioEntity:
    return ReltioEntity(tenant, entity_id, type, attributes or {"FirstName": [{"value": entity_id}]},
                        crosswalks or [], [], [], entity_id, "", version, NOW, "acc-ada", NOW, "acc-ada")


def reltio_relation(relation_id: str, start: str, end: str, *, tenant: str = TENANT, type: str = "HasAddress",
                    version: int = 1) -> ReltioRelation:
    return ReltioRelation(tenant, relation_id, type, start, end, {"Note": [{"value": relation_id}]}, [], {},
                          version, NOW, "acc-ada", NOW, "acc-ada")


def change_request(request_id: str, *, tenant: str = TENANT, state: str = AWAITING, created_at: int = NOW,
                   created_by: str = "acc-bob") -> ChangeRequest:
    return ChangeRequest(tenant, request_id, state, DEFAULT_TYPE, None, created_at, created_by, created_at,
                         created_by)


def change_item(request_id: str, position: int, *, object_uri: str | None = None) -> Item:
    return Item(f"{request_id}i{position}", request_id, position, object_uri or f"entities/e{position}",
                "UPDATE_ATTRIBUTE", {"value": position, "nested": {"list": [position]}}, position, NOW, "acc-bob")

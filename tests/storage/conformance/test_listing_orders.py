"""Conformance: content and spaces listed in each order v2's `sort` asks for, read in that order by
the query (titles and names by code point on both backends, whatever the database's collation; ties
by id), and a content's versions newest or oldest first."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bondline.domain import content as rules
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.domain.spaces import ORDERS as SPACE_ORDERS
from bondline.store import Store
from bondline.store.tables import content
from tests.storage.conformance.conftest import NOW, add_user

# Titles whose order differs by code point, by case-insensitive collation and by id.
TITLES = ["beta", "Alpha", "alpha", "Zeta", "éclair", "beta"]


async def _pages(store: Store) -> tuple[int, list[Any]]:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
        made = []
        for i, title in enumerate(TITLES):
            # created in id order; modified in the reverse order (the last made, the earliest modified)
            page = await tx.content.add(type="page", status="current", space_id=space.id, parent_id=None,
                                        title=title, body="", representation="storage", message="", by=ada.id,
                                        now=NOW + i)
            await tx.conn.execute(content.update().where(content.c.id == page.id).values(
                updated_at=NOW + 100 - i))
            made.append(page)
    return space.id, made


@pytest.mark.parametrize("order", rules.ORDERS)
async def test_content_in_each_order(store: Store, order: str) -> None:
    space_id, made = await _pages(store)
    async with store.read() as tx:
        found = await tx.content.page(visible_to_user=None, status="current", space_id=space_id, type="page",
                                      title=None, offset=0, limit=50, order=order)
        paged = [c for offset in range(0, len(made), 2) for c in await tx.content.page(
            visible_to_user=None, status="current", space_id=space_id, type="page", title=None, offset=offset,
            limit=2, order=order)]
    key, descending = rules.order_key(order)
    assert [c.id for c in found] == [c.id for c in sorted(found, key=key, reverse=descending)]
    assert [c.id for c in paged] == [c.id for c in found] and len(found) == len(made)
    if order == "title":  # by code point: capitals first, accents last
        assert [c.title for c in found] == ["Alpha", "Zeta", "alpha", "beta", "beta", "éclair"]
    if order == "-modified":
        assert [c.id for c in found] == [c.id for c in made]


@pytest.mark.parametrize("order", SPACE_ORDERS)
async def test_spaces_in_each_order(store: Store, order: str) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        for key, name in (("BEE", "beta"), ("ANT", "Beta"), ("CAT", "beta"), ("DOG", "Alpha")):
            await tx.spaces.add(key, name, "", "global", False, ada.id, NOW)
    async with store.read() as tx:
        found = await tx.spaces.page(visible_to_user=None, type=None, status=None, keys=[], offset=0, limit=10,
                                     order=order)
    field = order.lstrip("-")
    expected = sorted(found, key=lambda s: {"id": (s.id,), "key": (s.key,), "name": (s.name, s.id)}[field],
                      reverse=order.startswith("-"))
    assert [s.key for s in found] == [s.key for s in expected] and len(found) == 4


async def test_versions_newest_or_oldest_first(store: Store) -> None:
    space_id, made = await _pages(store)
    page = made[0]
    async with store.write(OPERATOR_ACTOR) as tx:
        current = await tx.content.by_id(page.id)
        assert current is not None
        for n in (2, 3):
            current = dataclasses.replace(current, version=n, title=f"v{n}", body="")
            await tx.content.save_version(current)
    async with store.read() as tx:
        assert [v.number for v in await tx.content.versions(page.id, 0, 10)] == [3, 2, 1]
        assert [v.number for v in await tx.content.versions(page.id, 0, 2, oldest_first=True)] == [1, 2]
        assert [v.number for v in await tx.content.versions(page.id, 2, 2, oldest_first=True)] == [3]


@pytest.mark.parametrize("order", rules.CHILD_ORDERS)
async def test_children_in_each_order(store: Store, order: str) -> None:
    space_id, made = await _pages(store)
    async with store.write(OPERATOR_ACTOR) as tx:
        parent = made[0]
        for child in made[1:]:
            await tx.conn.execute(content.update().where(content.c.id == child.id).values(parent_id=parent.id))
        # positions the other way round from ids
        for place, child in enumerate(reversed(made[1:]), start=1):
            await tx.conn.execute(content.update().where(content.c.id == child.id).values(position=place))
    async with store.read() as tx:
        found = await tx.tree.children(parent.id, "page", 0, 10, order=order)
        paged = [c for offset in range(0, 6, 2) for c in await tx.tree.children(parent.id, "page", offset, 2,
                                                                               bodies=False, order=order)]
    if order.lstrip("-") == "position":
        expected = sorted(found, key=lambda c: (c.position, c.id), reverse=order.startswith("-"))
    else:
        key, descending = rules.order_key(order)
        expected = sorted(found, key=key, reverse=descending)
    assert [c.id for c in found] == [c.id for c in expected] and len(found) == len(made) - 1
    assert [c.id for c in paged] == [c.id for c in found]
    if order == "position":
        assert [c.id for c in found] == [c.id for c in reversed(made[1:])]


@pytest.mark.parametrize("order", ["id", "-title"])
async def test_content_listed_without_bodies(store: Store, order: str) -> None:
    """`bodies=False` (the read cache may answer): the same rows in the same order, each body None;
    and read again after a write, the write is seen."""
    space_id, made = await _pages(store)
    query: dict[str, Any] = {"visible_to_user": None, "status": "current", "space_id": space_id, "type": "page",
                             "title": None, "offset": 0, "limit": 50, "order": order}
    async with store.read() as tx:
        full = await tx.content.page(**query)
        bare = await tx.content.page(**query, bodies=False)
        space = await tx.spaces.by_id(space_id)
        assert await tx.spaces.by_id_cached(space_id) == space
        assert await tx.spaces.by_id_cached(space_id + 1000) is None
        assert await tx.spaces.role_of_cached(space_id, made[0].created_by) == await tx.spaces.role_of(
            space_id, made[0].created_by)
    assert [dataclasses.replace(c, body=None) for c in full] == bare and {c.body for c in bare} == {None}
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.conn.execute(content.update().where(content.c.id == made[0].id).values(title="Renamed"))
    async with store.read() as tx:
        again = await tx.content.page(**query, bodies=False)
    assert {c.title for c in again if c.id == made[0].id} == {"Renamed"}

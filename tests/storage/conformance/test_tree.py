"""Conformance: the page tree (positions, children in order, subtrees, moves between parents and
spaces), home pages, and long tasks listed newest first."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from bondline.domain.audit import OPERATOR_ACTOR
from bondline.domain.relations import CONFLUENCE
from bondline.store import Store
from bondline.store.repos.tasks import LongTask
from bondline.store.tables import relations
from bondline.store.unit import Tx
from tests.storage.conformance.conftest import NOW, add_user


async def _page(tx: Tx, space_id: int, by: int, title: str, parent_id: int | None = None) -> Any:
    return await tx.content.add(type="page", status="current", space_id=space_id, parent_id=parent_id, title=title,
                                body="", representation="storage", message="", by=by, now=NOW)


async def test_new_content_goes_last_among_its_siblings(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        eng = await tx.spaces.add("ENG", "Engineering", "", "global", False, ada.id, NOW)
        other = await tx.spaces.add("OPS", "Ops", "", "global", False, ada.id, NOW)
        root = await _page(tx, eng.id, ada.id, "root")
        elsewhere = await _page(tx, other.id, ada.id, "elsewhere")
        kids = [await _page(tx, eng.id, ada.id, t, root.id) for t in ("k1", "k2", "k3")]
        top = await _page(tx, eng.id, ada.id, "top")
    assert (root.position, top.position, elsewhere.position) == (1, 2, 1)  # per space at the top level
    assert [k.position for k in kids] == [1, 2, 3]
    async with store.read() as tx:
        assert [c.title for c in await tx.tree.children(root.id, "page", 0, 10)] == ["k1", "k2", "k3"]
        assert [c.title for c in await tx.tree.children(root.id, None, 1, 1)] == ["k2"]
        assert [c.title for c in await tx.tree.top_level(eng.id, "page", 0, 10)] == ["root", "top"]
        assert (await tx.content.by_id(kids[1].id)).position == 2  # type: ignore[union-attr]


async def test_subtrees_places_and_trashed_children(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        eng = await tx.spaces.add("ENG", "Engineering", "", "global", False, ada.id, NOW)
        root = await _page(tx, eng.id, ada.id, "root")
        a = await _page(tx, eng.id, ada.id, "a", root.id)
        b = await _page(tx, eng.id, ada.id, "b", root.id)
        a1 = await _page(tx, eng.id, ada.id, "a1", a.id)
        await tx.content.set_status(b.id, "trashed", NOW)
    async with store.read() as tx:
        assert sorted((r[0], r[1], r[5]) for r in await tx.tree.subtree(root.id)) == [
            (a.id, root.id, 1), (b.id, root.id, 1), (a1.id, a.id, 2)]
        assert await tx.tree.siblings(eng.id, root.id) == [a.id, b.id]
        assert await tx.tree.live_children(root.id) == [a.id]
        assert [c.title for c in await tx.tree.children(root.id, "page", 0, 10)] == ["a"]  # current only
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.tree.place([a1.id, a.id], root.id, {a1.id})  # a1 moves up, before a
    async with store.read() as tx:
        assert [(c.title, c.parent_id, c.position) for c in await tx.tree.children(root.id, "page", 0, 10)] == [
            ("a1", root.id, 1), ("a", root.id, 2)]
        assert await tx.tree.subtree(a.id) == []


async def test_content_moves_to_another_space_with_its_relations(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        eng = await tx.spaces.add("ENG", "Engineering", "", "global", False, ada.id, NOW)
        ops = await tx.spaces.add("OPS", "Ops", "", "global", True, ada.id, NOW)
        page = await _page(tx, eng.id, ada.id, "page")
        await tx.relations.put(CONFLUENCE, "watch", "user", ada.account_id, "content", str(page.id),
                               source_scope=None, target_scope=eng.id, by=ada.account_id, now=NOW)
        await tx.tree.set_space(page.id, ops.id, [str(page.id), f"{page.id}@1"], CONFLUENCE)
    async with store.read() as tx:
        moved = await tx.content.by_id(page.id)
        assert moved is not None and moved.space_id == ops.id
        scopes = await tx.conn.all(sa.select(relations.c.target_scope).where(relations.c.target_key == str(page.id)))
        assert [r[0] for r in scopes] == [ops.id]


async def test_a_space_has_one_home_page_while_it_is_current(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        eng = await tx.spaces.add("ENG", "Engineering", "", "global", False, ada.id, NOW)
        home = await _page(tx, eng.id, ada.id, "Engineering Home")
        await tx.tree.set_homepage(eng.id, home.id)
    async with store.read() as tx:
        assert (await tx.spaces.by_key("ENG")).homepage_id == home.id  # type: ignore[union-attr]
        assert await tx.tree.homepage_of(home.id) == eng.id
        listed = await tx.spaces.page(visible_to_user=None, type=None, status=None, keys=[], offset=0, limit=5)
        assert [s.homepage_id for s in listed] == [home.id]
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.content.set_status(home.id, "trashed", NOW)
    async with store.read() as tx:
        assert (await tx.spaces.by_id(eng.id)).homepage_id is None  # type: ignore[union-attr]
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.content.purge(home.id)
    async with store.read() as tx:
        assert await tx.tree.homepage_of(home.id) is None


async def test_long_tasks_are_listed_newest_first(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, bob = await add_user(tx, "ada"), await add_user(tx, "bob")
        for n, who in ((1, ada), (2, bob), (3, ada)):
            await tx.tasks.add(LongTask(f"task{n}", "page.hierarchy.copy", "[]", who.id, NOW + n, NOW + n, True))
    async with store.read() as tx:
        assert [t.id for t in await tx.tasks.page(None, 0, 10)] == ["task3", "task2", "task1"]
        assert [t.id for t in await tx.tasks.page(ada.id, 0, 10)] == ["task3", "task1"]
        assert [t.id for t in await tx.tasks.page(ada.id, 1, 1)] == ["task1"]

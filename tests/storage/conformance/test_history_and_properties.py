"""Conformance: a content's versions (neighbours, authors, deleting one) and content and space
properties (created once per key, updated only over the version before, listed, deleted)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from bondline.domain.audit import OPERATOR_ACTOR
from bondline.store import Store
from bondline.store.unit import Tx
from tests.storage.conformance.conftest import NOW, add_user, table_counts


async def _world(tx: Tx) -> tuple[Any, Any, Any, Any]:
    ada, bob = await add_user(tx, "ada"), await add_user(tx, "bob")
    space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
    page = await tx.content.add(type="page", status="current", space_id=space.id, parent_id=None, title="Plan",
                                body="<p>1</p>", representation="storage", message="", by=ada.id, now=NOW)
    return ada, bob, space, page


async def test_versions_have_neighbours_and_authors_and_can_be_deleted(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, bob, _space, page = await _world(tx)
        for number, by in ((2, bob.id), (3, ada.id), (4, bob.id)):
            page.version, page.body, page.updated_by, page.updated_at = number, f"<p>{number}</p>", by, NOW + number
            await tx.content.save_version(page)
    async with store.read() as tx:
        previous, following = await tx.history.previous(page.id, 3), await tx.history.next(page.id, 3)
        assert previous is not None and (previous.number, previous.body) == (2, "<p>2</p>")
        assert following is not None and (following.number, following.by) == (4, bob.id)
        assert await tx.history.previous(page.id, 1) is None and await tx.history.next(page.id, 4) is None
        assert await tx.history.authors(page.id, 3) == [ada.id, bob.id, ada.id]
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.history.delete_version(page.id, 2) is True
        assert await tx.history.delete_version(page.id, 2) is False
        assert await tx.history.delete_version(page.id + 1, 1) is False
    async with store.read() as tx:
        assert [v.number for v in await tx.content.versions(page.id, 0, 10)] == [4, 3, 1]
        previous = await tx.history.previous(page.id, 3)
        following = await tx.history.next(page.id, 1)
        assert previous is not None and previous.number == 1 and following is not None and following.number == 3
        assert await tx.history.authors(page.id, 4) == [ada.id, ada.id, bob.id]
        assert (await tx.content.by_id(page.id)).version == 4  # type: ignore[union-attr]


@pytest.mark.parametrize("owner", ["content", "space"])
async def test_a_property_is_created_once_per_key(store: Store, owner: str) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, _bob, space, page = await _world(tx)
        owner_id = page.id if owner == "content" else space.id
        value = {"a": [1, "two"], "nested": {"ok": True}}
        made = await tx.properties.add(owner, owner_id, "k", msgspec.json.encode(value).decode(), by=ada.id, now=NOW)
        assert made is not None
        assert await tx.properties.add(owner, owner_id, "k", '"again"', by=ada.id, now=NOW) is None
        other = page.id if owner == "space" else space.id  # the same id under the other owner is unrelated
        assert await tx.properties.add("space" if owner == "content" else "content", other, "k", "true",
                                       by=None, now=NOW) is not None
    async with store.read() as tx:
        got = await tx.properties.get(owner, owner_id, "k")
        assert got is not None and (got.id, got.owner, got.owner_id, got.key) == (made, owner, owner_id, "k")
        assert (got.value, got.version, got.by, got.at, got.minor_edit, got.message) == (value, 1, ada.id, NOW,
                                                                                          False, "")
        assert await tx.properties.get(owner, owner_id, "K") is None


@pytest.mark.parametrize("owner", ["content", "space"])
async def test_a_property_is_updated_only_over_the_version_before(store: Store, owner: str) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, bob, space, page = await _world(tx)
        owner_id = page.id if owner == "content" else space.id
        await tx.properties.add(owner, owner_id, "k", '"one"', by=ada.id, now=NOW)
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.properties.update(owner, owner_id, "k", '["two"]', 2, by=bob.id, now=NOW + 1,
                                          minor_edit=True, message="m") is True
        assert await tx.properties.update(owner, owner_id, "k", '"stale"', 2, by=bob.id, now=NOW + 2) is False
        assert await tx.properties.update(owner, owner_id, "k", '"skip"', 4, by=bob.id, now=NOW + 2) is False
        assert await tx.properties.update(owner, owner_id, "nope", '"x"', 2, by=bob.id, now=NOW + 2) is False
    async with store.read() as tx:
        got = await tx.properties.get(owner, owner_id, "k")
        assert got is not None
        assert (got.value, got.version, got.by, got.at, got.minor_edit, got.message) == (["two"], 2, bob.id, NOW + 1,
                                                                                          True, "m")


@pytest.mark.parametrize("owner", ["content", "space"])
async def test_a_property_is_found_by_its_id_under_its_owner_only(store: Store, owner: str) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, _bob, space, page = await _world(tx)
        owner_id = page.id if owner == "content" else space.id
        made = await tx.properties.add(owner, owner_id, "k", '"v"', by=ada.id, now=NOW)
        other = await tx.content.add(type="page", status="current", space_id=space.id, parent_id=None, title="Other",
                                     body="", representation="storage", message="", by=ada.id, now=NOW)
    assert made is not None
    async with store.read() as tx:
        got = await tx.properties.by_id(owner, owner_id, made)
        assert got is not None and (got.key, got.value) == ("k", "v")
        assert await tx.properties.by_id(owner, other.id if owner == "content" else owner_id + 1, made) is None
        assert await tx.properties.by_id(owner, owner_id, made + 1000) is None


@pytest.mark.parametrize("owner", ["content", "space"])
async def test_properties_are_listed_by_key_and_deleted(store: Store, owner: str) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, _bob, space, page = await _world(tx)
        owner_id = page.id if owner == "content" else space.id
        for key in ("b", "c", "a", "d"):
            await tx.properties.add(owner, owner_id, key, f'"{key}"', by=ada.id, now=NOW)
    async with store.read() as tx:
        assert [p.key for p in await tx.properties.page(owner, owner_id)] == ["a", "b", "c", "d"]
        assert [p.key for p in await tx.properties.page(owner, owner_id, offset=1, limit=2)] == ["b", "c"]
        assert [p.value for p in await tx.properties.page(owner, owner_id, keys=["d", "a", "zz"])] == ["a", "d"]
        assert [p.key for p in await tx.properties.page(owner, owner_id, keys=["d", "a", "b"], offset=1,
                                                        limit=1)] == ["b"]
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.properties.delete(owner, owner_id, "b") is True
        assert await tx.properties.delete(owner, owner_id, "b") is False
    async with store.read() as tx:
        assert [p.key for p in await tx.properties.page(owner, owner_id)] == ["a", "c", "d"]


async def test_properties_go_with_their_content_and_space(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, _bob, space, page = await _world(tx)
        await tx.properties.add("content", page.id, "k", '"v"', by=ada.id, now=NOW)
        await tx.properties.add("space", space.id, "k", '"v"', by=ada.id, now=NOW)
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.content.purge(page.id)
    assert (await table_counts(store))["content_properties"] == 0
    assert (await table_counts(store))["space_properties"] == 1
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.users.delete(ada.id)
    async with store.read() as tx:
        kept = await tx.properties.get("space", space.id, "k")
        assert kept is not None and kept.by is None  # its author's account is gone, the property stays
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.spaces.delete(space.id)
    assert (await table_counts(store))["space_properties"] == 0

"""Conformance: Reltio change requests and their items."""

from __future__ import annotations

import dataclasses

import pytest

from bondline.domain.audit import OPERATOR_ACTOR
from bondline.domain.reltio.changes import APPLIED, AWAITING, REJECTED
from bondline.store import Store
from tests.storage.conformance.conftest import NOW, TENANT, add_tenant, change_item, change_request, table_counts


# PostgreSQL writes a request with up to 8 items in one statement, and more with one statement per
# kind of row: both ways (and the boundary) store the same rows.
@pytest.mark.parametrize("n_items", [0, 1, 8, 9, 20])
async def test_a_request_is_inserted_with_its_items(store: Store, n_items: int) -> None:
    request = change_request("cr1")
    items = [change_item("cr1", k) for k in range(n_items)]
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        await tx.change_requests.insert(request, items or None)
    async with store.read() as tx:
        assert await tx.change_requests.get(TENANT, "cr1") == request
        assert await tx.change_requests.items(TENANT, "cr1") == items
        assert await tx.change_requests.count_items(TENANT, "cr1") == n_items
        assert await tx.change_requests.next_position(TENANT, "cr1") == n_items


async def test_items_are_added_read_in_order_and_deleted_one_by_one(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        await tx.change_requests.insert(change_request("cr1"), [change_item("cr1", 0)])
        await tx.change_requests.insert(change_request("cr2"), [change_item("cr2", 0, object_uri="entities/x")])
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.change_requests.add_items(TENANT, [change_item("cr1", 2), change_item("cr1", 1)])
    async with store.read() as tx:
        assert [it.position for it in await tx.change_requests.items(TENANT, "cr1")] == [0, 1, 2]
        assert [it.position for it in await tx.change_requests.items_head(TENANT, "cr1", 2)] == [0, 1]
        assert await tx.change_requests.item(TENANT, "cr1", "cr1i1") == change_item("cr1", 1)
        of = await tx.change_requests.items_of(TENANT, ["cr1", "cr2"])
        assert {k: [it.id for it in v] for k, v in of.items()} == {"cr1": ["cr1i0", "cr1i1", "cr1i2"], "cr2": ["cr2i0"]}
        assert await tx.change_requests.item_counts(TENANT, ["cr1", "cr2", "cr9"]) == {"cr1": 3, "cr2": 1}
        assert await tx.change_requests.ids_touching(TENANT, ["entities/x", "entities/e1"]) == {"cr1", "cr2"}
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.change_requests.delete_item(TENANT, "cr1", "cr1i1") is True
        assert await tx.change_requests.delete_item(TENANT, "cr1", "cr1i1") is False
    async with store.read() as tx:
        assert [it.id for it in await tx.change_requests.items(TENANT, "cr1")] == ["cr1i0", "cr1i2"]


async def test_a_request_is_updated_and_deleted_with_its_items(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        await tx.change_requests.insert(change_request("cr1"), [change_item("cr1", k) for k in range(3)])
        await tx.change_requests.insert(change_request("cr2"), [change_item("cr2", 0)])
    decided = dataclasses.replace(change_request("cr1"), state=APPLIED, external_info={"ticket": ["T-1"]},
                                  updated_at=NOW + 1, updated_by="acc-carol")
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.change_requests.update(decided)
    async with store.read() as tx:
        assert await tx.change_requests.get(TENANT, "cr1") == decided
        assert await tx.change_requests.get_many(TENANT, ["cr1", "cr2", "cr3"]) == {
            "cr1": decided, "cr2": change_request("cr2")}
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.change_requests.delete(TENANT, "cr1")
    async with store.read() as tx:
        assert await tx.change_requests.get(TENANT, "cr1") is None
    counts = await table_counts(store)
    assert (counts["change_requests"], counts["change_items"]) == (1, 1)


async def test_requests_are_paged_and_counted_by_state(store: Store) -> None:
    rows = [("w1", AWAITING, NOW), ("w2", AWAITING, NOW + 2), ("w3", AWAITING, NOW + 1), ("a1", APPLIED, NOW),
            ("a2", APPLIED, NOW), ("r1", REJECTED, NOW)]
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        await add_tenant(tx, "other")
        for request_id, state, at in rows:
            await tx.change_requests.insert(change_request(request_id, state=state, created_at=at,
                                                           created_by=f"acc-{request_id[0]}"))
        await tx.change_requests.insert(change_request("o1", tenant="other"))
        # decided requests are listed most recently decided first
        await tx.change_requests.update(dataclasses.replace(change_request("a1", state=APPLIED), updated_at=NOW + 9))
    async with store.read() as tx:
        awaiting = await tx.change_requests.page_in_state(TENANT, AWAITING, 0, 2)
        assert [cr.id for cr in awaiting] == ["w2", "w3"]  # newest first
        assert [cr.id for cr in await tx.change_requests.page_in_state(TENANT, AWAITING, 2, 2)] == ["w1"]
        assert [cr.id for cr in await tx.change_requests.page_in_state(TENANT, APPLIED, 0, 5)] == ["a1", "a2"]
        assert await tx.change_requests.count_by_state(TENANT) == {AWAITING: 3, APPLIED: 2, REJECTED: 1}
        assert await tx.change_requests.counts_by_state() == [
            (TENANT, APPLIED, 2), (TENANT, AWAITING, 3), (TENANT, REJECTED, 1), ("other", AWAITING, 1)]
        assert await tx.change_requests.ids_created_by(TENANT, ["acc-a", "acc-r"]) == {"a1", "a2", "r1"}

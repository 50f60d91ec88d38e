"""Conformance: Reltio tenants (roles, types), entities and their crosswalks, Reltio relations."""

from __future__ import annotations

import dataclasses

from bondline.domain.audit import OPERATOR_ACTOR
from bondline.store import Store
from tests.storage.conformance.conftest import NOW, TENANT, add_tenant, add_user, entity, reltio_relation, table_counts

# --- tenants --------------------------------------------------------------------------------------


async def test_tenants_and_roles(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx, "zeta")
        await add_tenant(tx)
        ada, bob = await add_user(tx, "ada"), await add_user(tx, "bob")
        assert await tx.tenants.grant(TENANT, ada.id, "ROLE_USER") is True
        assert await tx.tenants.grant(TENANT, ada.id, "ROLE_USER") is False  # held already
        assert await tx.tenants.grant(TENANT, ada.id, "ROLE_REVIEWER") is True
        assert await tx.tenants.grant("zeta", ada.id, "ROLE_READONLY") is True
        assert await tx.tenants.grant(TENANT, bob.id, "ROLE_INITIATOR") is True
    async with store.read() as tx:
        assert [t for t, _ in await tx.tenants.list_all()] == [TENANT, "zeta"]
        assert await tx.tenants.exists(TENANT) and not await tx.tenants.exists("nope")
        assert await tx.tenants.roles_of(TENANT, ada.id) == ["ROLE_REVIEWER", "ROLE_USER"]
        assert await tx.tenants.roles_of_user(ada.id) == {TENANT: ["ROLE_REVIEWER", "ROLE_USER"],
                                                          "zeta": ["ROLE_READONLY"]}
        assert await tx.tenants.members(TENANT) == [("acc-ada", "ROLE_REVIEWER"), ("acc-ada", "ROLE_USER"),
                                                    ("acc-bob", "ROLE_INITIATOR")]
        membership = await tx.tenants.membership(TENANT, bob.id)
        assert membership is not None and membership[0] == ["ROLE_INITIATOR"]
        assert await tx.tenants.membership("nope", bob.id) is None
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.tenants.revoke_all(TENANT, ada.id) == 2
    async with store.read() as tx:
        assert await tx.tenants.roles_of(TENANT, ada.id) == []
        assert await tx.tenants.membership(TENANT, ada.id) is not None  # the tenant is there, without roles


async def test_a_tenants_types_are_replaced_whole_under_a_new_version(store: Store) -> None:
    first = [("entityTypes", "Individual", '{"uri": "configuration/entityTypes/Individual"}'),
             ("relationTypes", "HasAddress", '{"uri": "configuration/relationTypes/HasAddress"}')]
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        await tx.tenants.replace_types(TENANT, first)
    async with store.read() as tx:
        assert await tx.tenants.types(TENANT) == first
        versioned = await tx.tenants.versioned_types(TENANT)
        assert versioned is not None and versioned[1] == first
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.tenants.replace_types(TENANT, first[:1])
    async with store.read() as tx:
        again = await tx.tenants.versioned_types(TENANT)
        assert again is not None and again[1] == first[:1] and again[0] != versioned[0]
        assert await tx.tenants.versioned_types("nope") is None


# --- entities -------------------------------------------------------------------------------------

async def test_entities_are_stored_and_found_by_id_and_crosswalk(store: Store) -> None:
    one = entity("e1", crosswalks=[{"type": "configuration/sources/CRM", "value": "c-1"}])
    two = entity("e2", type="Location", attributes={"City": [{"value": "Oslo", "nested": {"a": [1, None]}}]})
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        await add_tenant(tx, "other")
        await tx.entities.insert_many([one, two, entity("e1", tenant="other")])
    async with store.read() as tx:
        assert await tx.entities.get(TENANT, "e1") == one and await tx.entities.get(TENANT, "e2") == two
        assert await tx.entities.get_many(TENANT, ["e1", "e2", "e3"]) == {"e1": one, "e2": two}
        assert await tx.entities.by_crosswalk(TENANT, "configuration/sources/CRM", "c-1") == "e1"
        assert await tx.entities.by_crosswalk("other", "configuration/sources/CRM", "c-1") is None


async def test_entities_are_updated_with_added_crosswalks_and_deleted_with_them(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        await tx.entities.insert_many([entity("e1"), entity("e2")])
    changed = dataclasses.replace(entity("e1", version=2, crosswalks=[{"type": "S", "value": "v"}]),
                                  label="Changed", updated_at=NOW + 1)
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.entities.update_many([changed], added_crosswalks=[(TENANT, "S", "v", "e1")])
    async with store.read() as tx:
        assert await tx.entities.get(TENANT, "e1") == changed
        assert await tx.entities.by_crosswalk(TENANT, "S", "v") == "e1"
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.entities.delete(TENANT, "e1")
    async with store.read() as tx:
        assert await tx.entities.get(TENANT, "e1") is None and await tx.entities.get(TENANT, "e2") is not None
    counts = await table_counts(store)
    assert (counts["entities"], counts["entity_crosswalks"]) == (1, 0)


# --- Reltio relations -----------------------------------------------------------------------------

def _without_row_id(rel: object) -> object:
    return dataclasses.replace(rel, row_id=None)  # type: ignore[type-var]


async def test_reltio_relations_are_stored_and_found_with_their_ends(store: Store) -> None:
    rel = reltio_relation("r1", "e1", "e2")
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        ada = await add_user(tx, "ada")
        await tx.tenants.grant(TENANT, ada.id, "ROLE_USER")
        await tx.entities.insert_many([entity("e1"), entity("e2", type="Location")])
        await tx.reltio_relations.insert_many([rel, reltio_relation("r2", "e2", "e3", type="Other")])
    async with store.read() as tx:
        stored = await tx.reltio_relations.get(TENANT, "r1")
        assert stored is not None and stored.row_id is not None and _without_row_id(stored) == rel
        assert await tx.reltio_relations.by_key(TENANT, "HasAddress", "e1", "e2") == stored
        assert set(await tx.reltio_relations.get_many(TENANT, ["r1", "r2", "r9"])) == {"r1", "r2"}
        found = await tx.reltio_relations.get_with_ends(TENANT, "r2")
        assert found is not None and found[1] == entity("e2", type="Location") and found[2] is None  # e3: gone
        member = await tx.reltio_relations.with_membership(TENANT, ada.id, "r1")
        assert member is not None and member[0] == ("ROLE_USER",) and member[2] is not None
        assert member[2][0] == stored and member[2][1] == entity("e1")
        assert sorted(r.id for r in await tx.reltio_relations.of_entity(TENANT, "e2")) == ["r1", "r2"]
        assert [r.id for r in await tx.reltio_relations.from_entities(TENANT, ["e2"])] == ["r2"]


async def test_reltio_relations_are_updated_and_deleted_by_row(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_tenant(tx)
        await tx.reltio_relations.insert_many([reltio_relation("r1", "e1", "e2"), reltio_relation("r2", "e1", "e3")])
    async with store.write(OPERATOR_ACTOR) as tx:
        loaded = await tx.reltio_relations.get(TENANT, "r1", lock=True)
        assert loaded is not None
        changed = dataclasses.replace(loaded, attributes={"Note": [{"value": "new"}]}, version=2, updated_at=NOW + 1,
                                      flags={"startRefPinned": True})
        await tx.reltio_relations.update_many([changed])
    async with store.read() as tx:
        assert await tx.reltio_relations.get(TENANT, "r1") == changed
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.reltio_relations.delete_many([changed])
    async with store.read() as tx:
        assert await tx.reltio_relations.get(TENANT, "r1") is None
        assert await tx.reltio_relations.get(TENANT, "r2") is not None

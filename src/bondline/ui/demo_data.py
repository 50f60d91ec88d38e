"""Sample data for the review inbox: a few entities and relations on a tenant, and data change
requests waiting for review (one of each kind of change, one with a conflict), plus — when a
reviewer is given — one applied and one rejected request.

`bondline serve --demo` can call `seed_change_requests(store, Caller.of(bob), "demo", Caller.of(alice))`
after creating its tenant. Everything goes through the same services as the API, so the requests
are exactly what initiators would have made over HTTP.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.services.reltio import attributes, change_requests, entities, relations
from bondline.services.reltio.staging import ChangeRequestView
from bondline.store import Store

ENTITY = "configuration/entityTypes/"
RELATION = "configuration/relationTypes/"


@dataclasses.dataclass(frozen=True, slots=True)
class Seeded:
    """What was made: entity and relation URIs by name, and the change requests' ids."""

    objects: dict[str, str]
    awaiting: list[str]
    applied: list[str]
    rejected: list[str]


def _entity(kind: str, source_id: str, **values: str) -> dict[str, Any]:
    return {"type": ENTITY + kind, "attributes": {k: [{"value": v}] for k, v in values.items()},
            "crosswalks": [{"type": "configuration/sources/Demo", "value": source_id}]}


def _relation(kind: str, start: str, end: str, **values: str) -> dict[str, Any]:
    return {"type": RELATION + kind, "startObject": {"objectURI": start}, "endObject": {"objectURI": end},
            "attributes": {k: [{"value": v}] for k, v in values.items()}}


def _id(result: Any) -> str:
    assert isinstance(result, ChangeRequestView), result
    return result.request.id


def _first_value(entity: Any, name: str) -> str:
    return f"{name}/{entity.attributes[name][0]['id']}"


async def seed_change_requests(store: Store, author: Caller, tenant: str, reviewer: Caller | None = None
                               ) -> Seeded:
    """`author` needs CREATE, UPDATE, DELETE and INITIATE_CHANGE_REQUEST on `tenant` (ROLE_USER,
    ROLE_ADMIN_TENANT, or a site admin); `reviewer`, if given, ACCEPT_CHANGE_REQUEST."""
    saved = await entities.save(store, author, tenant, [
        _entity("Individual", "ada", FirstName="Ada", LastName="Lovelace"),
        _entity("Individual", "charles", FirstName="Charles", LastName="Babbage"),
        _entity("Organization", "engines", Name="Analytical Engines Ltd"),
        _entity("Location", "row", AddressLine1="12 Analytical Row", City="London"),
    ])
    assert isinstance(saved, list)
    ada, charles, engines, row = (s.entity for s in saved)
    assert ada is not None and charles is not None and engines is not None and row is not None
    rels = await relations.save(store, author, tenant, [
        _relation("Employment", ada.uri, engines.uri, Title="Programmer"),
        _relation("HasAddress", charles.uri, row.uri, AddressType="Home"),
    ])
    assert isinstance(rels, list)
    employment, home = (r.view.relation for r in rels if r.view is not None)
    objects = {"ada": ada.uri, "charles": charles.uri, "engines": engines.uri, "row": row.uri,
               "employment": employment.uri, "home": home.uri}

    awaiting: list[str] = []
    # 1. A relation to remove.
    awaiting.append(_id(await relations.delete(store, author, tenant, employment.id, always_create_dcr=True)))
    # 2. Attribute changes on one entity, in one request: add, update, pin.
    Op = attributes.Op
    first = _id(await attributes.change(store, author, tenant, "entities", ada.id, [
        Op(ch.INSERT, "Email", {"value": "ada@analytical.example"}),
        Op(ch.UPDATE, _first_value(ada, "FirstName"), {"value": "Augusta Ada"}),
        Op(ch.PIN, _first_value(ada, "LastName"), flag=True),
    ], always_create_dcr=True))
    awaiting.append(first)
    # 3. A new entity and a relation to an existing one.
    created = _id(await entities.save(store, author, tenant, [
        _entity("Individual", "grace", FirstName="Grace", LastName="Hopper", Title="Rear Admiral")],
        always_create_dcr=True))
    awaiting.append(created)
    # 4. A request that conflicts: Charles's name is staged for a change, then changed directly.
    awaiting.append(_id(await attributes.change(store, author, tenant, "entities", charles.id, [
        Op(ch.UPDATE, _first_value(charles, "FirstName"), {"value": "Chas"}),
        Op(ch.DELETE, _first_value(charles, "LastName")),
    ], always_create_dcr=True)))
    await attributes.change(store, author, tenant, "entities", charles.id, [
        Op(ch.INSERT, "Title", {"value": "Lucasian Professor"})])

    applied: list[str] = []
    rejected: list[str] = []
    if reviewer is not None:
        done = _id(await attributes.change(store, author, tenant, "entities", engines.id, [
            Op(ch.INSERT, "Website", {"value": "https://engines.example"})], always_create_dcr=True))
        await change_requests.apply(store, reviewer, tenant, done)
        applied.append(done)
        dropped = _id(await attributes.change(store, author, tenant, "relations", home.id, [
            Op(ch.INSERT, "AddressRank", {"value": "1"})], always_create_dcr=True))
        await change_requests.reject(store, reviewer, tenant, dropped)
        rejected.append(dropped)
    return Seeded(objects, awaiting, applied, rejected)

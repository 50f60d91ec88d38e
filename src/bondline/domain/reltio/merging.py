"""Merging two entities into one, and taking a contributor back out (docs/decisions/0026).

A merge keeps the winner's URI. The winner gains the loser's crosswalks, attribute values, tags and
roles; the operational value of each attribute is chosen by recency of the crosswalk a value came
from (Reltio's default survivorship, LUD: the most recently updated crosswalk's value wins, a pinned
value always, an ignored one never). The loser's relations move to the winner; a relation between the
two disappears; a moved relation that would duplicate one the winner has (same type, same other end)
is absorbed into it (its crosswalks and values join the winner's relation). The loser is gone from
the entity table, and its URI answers with the winner.

What the loser was — its document, its relations and the winner's relations it was absorbed into,
as they were — is kept with the merge (`snapshot`), so an unmerge restores the contributor as it was:
its crosswalks and values leave the winner, its relations move back (or come back, if the merge
removed them), the winner's absorbing relations are as before.

Everything here is pure: the use case loads the objects, these functions decide, the unit of work
writes the plan.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline.domain.errors import Invalid
from bondline.domain.reltio.objects import ReltioEntity, ReltioRelation, labels
from bondline.domain.reltio.types import ObjectType

SNAPSHOT_VERSION = 1


def same_entity(uri: str) -> Invalid:
    return Invalid(f"An entity cannot be merged with itself: {uri}", reason="MERGE_SAME_ENTITY",
                   details={"uri": uri})


def different_types(a: ReltioEntity, b: ReltioEntity) -> Invalid:
    return Invalid(f"Entities of different types cannot be merged: {a.uri} is configuration/entityTypes/{a.type}, "
                   f"{b.uri} is configuration/entityTypes/{b.type}", reason="MERGE_DIFFERENT_TYPES",
                   details={"uri": b.uri})


def not_a_contributor(entity_uri: str, contributor_uri: str) -> Invalid:
    return Invalid(f"{contributor_uri} is not a contributor of {entity_uri}", reason="NOT_A_CONTRIBUTOR",
                   details={"uri": contributor_uri})


def choose_winner(a: ReltioEntity, b: ReltioEntity, explicit: str | None = None) -> tuple[ReltioEntity, ReltioEntity]:
    """(winner, loser). `explicit` (an id of one of them) decides; otherwise, as Reltio documents, the
    entity whose earlier of created and updated time is earliest; at a tie the lexicographically
    greater id."""
    if explicit == a.id:
        return a, b
    if explicit == b.id:
        return b, a
    ka, kb = min(a.created_at, a.updated_at), min(b.created_at, b.updated_at)
    if ka != kb:
        return (a, b) if ka < kb else (b, a)
    return (a, b) if a.id > b.id else (b, a)


def check_pair(a: ReltioEntity, b: ReltioEntity) -> None:
    if a.id == b.id:
        raise same_entity(a.uri)
    if a.type != b.type:
        raise different_types(a, b)


def _surviving_order(values: list[dict[str, Any]], updated: dict[str, int]) -> list[dict[str, Any]]:
    """Values in the order that makes the last non-ignored one the most recently updated crosswalk's
    (`objects.winner` takes the last): a stable sort by their crosswalk's update time."""
    return sorted(values, key=lambda v: updated.get(v.get("x", ""), 0))


def merged_attributes(winner: ReltioEntity, loser: ReltioEntity) -> dict[str, Any]:
    updated = {x["id"]: int(x.get("updated", 0)) for x in winner.crosswalks + loser.crosswalks}
    out: dict[str, Any] = {}
    for name in list(winner.attributes) + [n for n in loser.attributes if n not in winner.attributes]:
        out[name] = _surviving_order(winner.attributes.get(name, []) + loser.attributes.get(name, []), updated)
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class MergePlan:
    winner: ReltioEntity  # as it is after the merge
    winner_before: ReltioEntity
    loser: ReltioEntity  # as it was
    moved: list[ReltioRelation]  # relations re-pointed from the loser to the winner (new state)
    removed: list[ReltioRelation]  # relations gone: between the two, or absorbed
    absorbing: list[tuple[ReltioRelation, ReltioRelation]]  # winner's relations (before, after) absorbing one
    snapshot: dict[str, Any]


def _doc(r: ReltioRelation) -> dict[str, Any]:
    return {"id": r.id, "type": r.type, "start_id": r.start_id, "end_id": r.end_id, "attributes": r.attributes,
            "crosswalks": r.crosswalks, "flags": r.flags, "version": r.version, "created_at": r.created_at,
            "created_by": r.created_by, "updated_at": r.updated_at, "updated_by": r.updated_by}


def relation_of_doc(tenant: str, d: dict[str, Any], row_id: int | None = None) -> ReltioRelation:
    return ReltioRelation(tenant, d["id"], d["type"], d["start_id"], d["end_id"], d["attributes"], d["crosswalks"],
                          d["flags"], d["version"], d["created_at"], d["created_by"], d["updated_at"],
                          d["updated_by"], row_id)


def _entity_doc(e: ReltioEntity) -> dict[str, Any]:
    return {"id": e.id, "type": e.type, "attributes": e.attributes, "crosswalks": e.crosswalks, "tags": e.tags,
            "roles": e.roles, "label": e.label, "secondary_label": e.secondary_label, "version": e.version,
            "created_at": e.created_at, "created_by": e.created_by, "updated_at": e.updated_at,
            "updated_by": e.updated_by}


def entity_of_doc(tenant: str, d: dict[str, Any]) -> ReltioEntity:
    return ReltioEntity(tenant, d["id"], d["type"], d["attributes"], d["crosswalks"], d["tags"], d["roles"], d["label"],
                        d["secondary_label"], d["version"], d["created_at"], d["created_by"], d["updated_at"],
                        d["updated_by"])


def _merge_values(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = {k: list(v) for k, v in a.items()}
    for k, vs in b.items():
        out.setdefault(k, []).extend(vs)
    return out


def plan_merge(t: ObjectType | None, winner: ReltioEntity, loser: ReltioEntity, winner_relations: list[ReltioRelation],
               loser_relations: list[ReltioRelation], who: str, now: int) -> MergePlan:
    check_pair(winner, loser)
    attributes = merged_attributes(winner, loser)
    label, secondary = labels(t, attributes)
    merged = dataclasses.replace(
        winner, attributes=attributes, crosswalks=winner.crosswalks + loser.crosswalks,
        tags=list(dict.fromkeys(winner.tags + loser.tags)), roles=list(dict.fromkeys(winner.roles + loser.roles)),
        label=label, secondary_label=secondary, version=winner.version + 1, updated_at=now, updated_by=who)
    pair = {winner.id, loser.id}
    by_key: dict[tuple[str, str, str], ReltioRelation] = {(r.type, r.start_id, r.end_id): r for r in winner_relations
                                                         if not {r.start_id, r.end_id} <= pair}
    originals: dict[str, ReltioRelation] = {}
    moved: list[ReltioRelation] = []
    removed: list[ReltioRelation] = []
    seen: set[str] = set()
    for r in sorted(loser_relations, key=lambda r: r.id):
        if r.id in seen:
            continue
        seen.add(r.id)
        if {r.start_id, r.end_id} <= pair:
            removed.append(r)
            continue
        start = winner.id if r.start_id == loser.id else r.start_id
        end = winner.id if r.end_id == loser.id else r.end_id
        existing = by_key.get((r.type, start, end))
        if existing is None:
            new = dataclasses.replace(r, start_id=start, end_id=end, version=r.version + 1, updated_at=now,
                                      updated_by=who)
            moved.append(new)
            by_key[(r.type, start, end)] = new
            continue
        if any(m is existing for m in moved):  # two loser relations meeting at one key: keep the first
            removed.append(r)
            continue
        originals.setdefault(existing.id, existing)
        grown = dataclasses.replace(existing, attributes=_merge_values(existing.attributes, r.attributes),
                                    crosswalks=existing.crosswalks + r.crosswalks, version=existing.version + 1,
                                    updated_at=now, updated_by=who)
        by_key[(r.type, start, end)] = grown
        removed.append(r)
    absorbing = [(before, by_key[(before.type, before.start_id, before.end_id)]) for before in originals.values()]
    snapshot = {"v": SNAPSHOT_VERSION, "entity": _entity_doc(loser),
                "relations": [_doc(r) for r in sorted(loser_relations, key=lambda r: r.id)],
                "removed": [r.id for r in removed], "absorbing": [_doc(before) for before, _ in absorbing],
                "winner_tags": list(winner.tags), "winner_roles": list(winner.roles)}
    return MergePlan(merged, winner, loser, moved, removed, absorbing, snapshot)


@dataclasses.dataclass(frozen=True, slots=True)
class UnmergePlan:
    origin: ReltioEntity  # the entity the contributor leaves, after
    origin_before: ReltioEntity
    spawn: ReltioEntity  # the contributor, standing alone again
    moved_back: list[ReltioRelation]  # the spawn's relations the origin holds now, pointed back (new state)
    restored: list[ReltioRelation]  # relations the merge removed, made again
    unabsorbed: list[tuple[ReltioRelation, ReltioRelation]]  # origin's relations (before, after)


def plan_unmerge(t: ObjectType | None, origin: ReltioEntity, snapshot: dict[str, Any],
                 current: dict[str, ReltioRelation], who: str, now: int) -> UnmergePlan:
    """`current`: the relations of the snapshot (by id) that exist now, as they are."""
    tenant = origin.tenant
    spawn_doc = snapshot["entity"]
    spawn_xws = {x["id"] for x in spawn_doc["crosswalks"]}
    attributes = {}
    for name, values in origin.attributes.items():
        kept = [v for v in values if v.get("x") not in spawn_xws]
        if kept:
            attributes[name] = kept
    spawn_tags = [x for x in spawn_doc["tags"] if x not in snapshot["winner_tags"]]
    spawn_roles = [x for x in spawn_doc["roles"] if x not in snapshot["winner_roles"]]
    label, secondary = labels(t, attributes)
    after = dataclasses.replace(
        origin, attributes=attributes, crosswalks=[x for x in origin.crosswalks if x["id"] not in spawn_xws],
        tags=[x for x in origin.tags if x not in spawn_tags], roles=[x for x in origin.roles if x not in spawn_roles],
        label=label, secondary_label=secondary, version=origin.version + 1, updated_at=now, updated_by=who)
    spawn = entity_of_doc(tenant, spawn_doc)
    spawn = dataclasses.replace(spawn, version=spawn.version + 1, updated_at=now, updated_by=who)
    removed = set(snapshot["removed"])
    moved_back, restored = [], []
    for d in snapshot["relations"]:
        now_rel = current.get(d["id"])
        if now_rel is not None:
            back = relation_of_doc(tenant, d, now_rel.row_id)
            moved_back.append(dataclasses.replace(back, version=now_rel.version + 1, updated_at=now, updated_by=who))
        elif d["id"] in removed:
            restored.append(dataclasses.replace(relation_of_doc(tenant, d), version=d["version"] + 1, updated_at=now,
                                                updated_by=who))
    unabsorbed = []
    for d in snapshot["absorbing"]:
        now_rel = current.get(d["id"])
        if now_rel is not None:
            back = relation_of_doc(tenant, d, now_rel.row_id)
            unabsorbed.append((now_rel, dataclasses.replace(back, version=now_rel.version + 1, updated_at=now,
                                                            updated_by=who)))
    return UnmergePlan(after, origin, spawn, moved_back, restored, unabsorbed)


def relation_ids(snapshot: dict[str, Any]) -> list[str]:
    """The relations an unmerge of this snapshot looks at."""
    return [d["id"] for d in snapshot["relations"]] + [d["id"] for d in snapshot["absorbing"]]

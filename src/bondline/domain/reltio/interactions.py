"""Interactions: events (a lunch, a call) between entities, each entity a member under a member type
of the interaction's type (`configuration/interactionTypes/<T>/memberTypes/<M>`), declared in the
tenant's configuration (`types.SECTIONS`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline.domain.errors import Invalid
from bondline.domain.reltio import types as t
from bondline.domain.reltio.errors import type_not_found

PREFIX = "configuration/interactionTypes/"
MAX_BATCH = 1000
MAX_MEMBERS = 1000
MAX_TEXT = 10_000


@dataclasses.dataclass(frozen=True, slots=True)
class Interaction:
    tenant: str
    id: str
    type: str  # the short name, e.g. "Lunch"
    timestamp: int
    attributes: dict[str, list[Any]]  # attribute name → values (strings, numbers, booleans)
    members: dict[str, list[str]]  # member type name → entity ids, in the order given
    created_at: int
    created_by: str

    @property
    def uri(self) -> str:
        return f"interactions/{self.id}"


def _declared(registry: t.Registry, uri: Any) -> dict[str, Any]:
    if not isinstance(uri, str) or not uri:
        raise Invalid(f"The interaction's 'type' is required: a {PREFIX}… URI", reason="TYPE_REQUIRED")
    for item in registry.sections.get("interactionTypes", ()):
        if item["uri"] == uri:
            return item
    raise type_not_found(uri[:300], registry.tenant)


def parse(raw: Any, registry: t.Registry, *, tenant: str, new_id: str, now: int, by: str) -> Interaction:
    """One interaction of a POST /interactions body, validated against the tenant's declarations;
    members are entity ids (whether they exist is the use case's question)."""
    if not isinstance(raw, dict):
        raise Invalid("Each interaction must be a JSON object")
    unknown = set(raw) - {"type", "timestamp", "attributes", "members", "crosswalks", "uri"}
    if unknown:
        raise Invalid(f"Unknown interaction fields: {', '.join(sorted(unknown))[:200]}")
    declared = _declared(registry, raw.get("type"))
    name = declared["uri"][len(PREFIX):]
    timestamp = raw.get("timestamp", now)
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or not 0 <= timestamp < 2**53:
        raise Invalid("'timestamp' must be Unix time in milliseconds")
    return Interaction(tenant, new_id, name, timestamp, _attributes(raw.get("attributes", {}), declared),
                       _members(raw.get("members", {}), declared), now, by)


def _attributes(raw: Any, declared: dict[str, Any]) -> dict[str, list[Any]]:
    if not isinstance(raw, dict):
        raise Invalid("'attributes' must be an object of attribute name → values")
    known = {a.get("name") for a in declared.get("attributes", []) if isinstance(a, dict)}
    out: dict[str, list[Any]] = {}
    for key, values in raw.items():
        if key not in known:
            raise Invalid(f"{declared['uri']} declares no attribute {key[:80]!r}", reason="ATTRIBUTE_NOT_FOUND")
        if not isinstance(values, list) or not values:
            raise Invalid(f"Attribute {key}: a non-empty array of {{\"value\": …}}")
        parsed: list[Any] = []
        for value in values:
            v = value.get("value") if isinstance(value, dict) else None
            if not isinstance(v, str | int | float | bool) or (isinstance(v, str) and len(v) > MAX_TEXT):
                raise Invalid(f"Attribute {key}: each value must be {{\"value\": a string, number or boolean}}")
            parsed.append(v)
        out[key] = parsed
    return out


def _members(raw: Any, declared: dict[str, Any]) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise Invalid("'members' must be an object of member type name → {\"members\": [{\"objectURI\": …}]}")
    by_name = {m["uri"].rsplit("/", 1)[1]: m for m in declared.get("memberTypes", [])}
    out: dict[str, list[str]] = {}
    total = 0
    for key, group in raw.items():
        member_type = by_name.get(key)
        if member_type is None:
            raise Invalid(f"{declared['uri']} declares no member type {key[:80]!r}", reason="MEMBER_TYPE_NOT_FOUND")
        if not isinstance(group, dict) or not isinstance(group.get("members"), list):
            raise Invalid(f"Member type {key}: {{\"members\": [{{\"objectURI\": \"entities/…\"}}]}}")
        if group.get("type") not in (None, member_type["uri"]):
            raise Invalid(f"Member type {key}: 'type' must be {member_type['uri']}")
        ids: list[str] = []
        for member in group["members"]:
            uri = member.get("objectURI") if isinstance(member, dict) else None
            if not isinstance(uri, str) or not uri.startswith("entities/") or len(uri) > 40:
                raise Invalid(f"Member type {key}: each member is {{\"objectURI\": \"entities/…\"}}")
            if uri[len("entities/"):] not in ids:
                ids.append(uri[len("entities/"):])
        total += len(ids)
        if total > MAX_MEMBERS:
            raise Invalid(f"An interaction has at most {MAX_MEMBERS} members")
        out[key] = ids
    return out


def check_member_types(x: Interaction, registry: t.Registry, entity_types: dict[str, str]) -> None:
    """Each member's entity type (`entity_types`: id → type URI) must be one its member type allows
    (a member type that names no `objectTypeURI` allows any)."""
    declared = _declared(registry, PREFIX + x.type)
    for name, ids in x.members.items():
        member_type = t.member_type(registry, declared["uri"], f"{declared['uri']}/memberTypes/{name}") or {}
        allowed = member_type.get("objectTypeURI") or []
        allowed = [allowed] if isinstance(allowed, str) else allowed
        for eid in ids:
            if allowed and entity_types.get(eid) not in allowed:
                raise Invalid(f"entities/{eid} is a {entity_types.get(eid, '?')[len(t.ENTITY_PREFIX):]}: "
                              f"member type {name} takes {', '.join(allowed)[:300]}", reason="MEMBER_TYPE_MISMATCH")


def member_ids(interaction: Interaction) -> set[str]:
    return {eid for ids in interaction.members.values() for eid in ids}


def render(x: Interaction, entities: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Reltio's InteractionTO; `entities`: id → (type URI, label) of the members that exist."""
    type_uri = PREFIX + x.type
    attributes = {name: [{"type": f"{type_uri}/attributes/{name}", "ov": True, "value": v,
                          "uri": f"{x.uri}/attributes/{name}/{i}"} for i, v in enumerate(values)]
                  for name, values in x.attributes.items()}
    members: dict[str, Any] = {}
    for name, ids in x.members.items():
        listed = []
        for eid in ids:
            member: dict[str, Any] = {"objectURI": f"entities/{eid}"}
            if eid in entities:
                member["type"], member["label"] = entities[eid]
            listed.append(member)
        members[name] = {"type": f"{type_uri}/memberTypes/{name}", "uri": f"{x.uri}/members/{name}",
                         "members": listed}
    return {"uri": x.uri, "type": type_uri, "createdBy": x.created_by, "createdTime": x.created_at,
            "updatedBy": x.created_by, "updatedTime": x.created_at, "timestamp": x.timestamp,
            "attributes": attributes, "members": members,
            "crosswalks": [{"uri": f"{x.uri}/crosswalks/{x.id}", "type": "configuration/sources/Reltio",
                            "value": x.id, "attributes": [a["uri"] for v in attributes.values() for a in v]}]}

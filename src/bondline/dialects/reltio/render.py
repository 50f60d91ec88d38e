"""Reltio's JSON shapes: EntityTO and RelationTO (built by `domain.reltio.objects`), the data
change request (ChangeRequestTO, as in the seed's sample response) and its items."""

from __future__ import annotations

from typing import Any

from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import objects as o
from bondline.services.reltio.entities import EntityView
from bondline.services.reltio.relations import RelationView
from bondline.services.reltio.staging import ChangeRequestView

STATUS_OK = {"status": "success"}


def entity(v: EntityView, ov_filter: str | None = None) -> dict[str, Any]:
    return o.entity_view(v.entity, ov_filter, v.references)


def relation(v: RelationView, ov_filter: str | None = None) -> dict[str, Any]:
    return o.relation_view(v.relation, v.start, v.end, v.type, ov_filter)


def item(it: ch.Item, conflict: ch.ItemConflict | None = None) -> dict[str, Any]:
    """One change item: `id`, `type`, `createdTime`, `createdBy`, then its wire fields."""
    out: dict[str, Any] = {"id": it.id, "type": it.type, "createdTime": it.created_at, "createdBy": it.created_by}
    out.update(it.body)
    if conflict is not None:
        out["conflict"] = conflict.conflict
        out["conflictDetails"] = conflict.details
    return out


def change_request(v: ChangeRequestView, *, with_changes: bool = True) -> dict[str, Any]:
    cr = v.request
    body: dict[str, Any] = {"uri": cr.uri, "createdBy": cr.created_by, "createdTime": cr.created_at,
                            "updatedBy": cr.updated_by, "updatedTime": cr.updated_at}
    if with_changes:
        changes: dict[str, list[dict[str, Any]]] = {}
        conflicts = v.conflicts or {}
        for it in v.items:
            changes.setdefault(it.object_uri, []).append(item(it, conflicts.get(it.id)))
        body["changes"] = changes
    if v.objects_info is not None:
        body["objectsInfo"] = v.objects_info
    if cr.external_info:
        body["externalInfo"] = cr.external_info
    body["type"] = cr.type
    body["state"] = cr.state
    return body

"""Cross-checks of the Reltio tenants: ids, roles and types, then the refs that entities, relations,
the items of change requests and direct edits use to name each other."""

from __future__ import annotations

import dataclasses
import re

from bondline.domain.reltio import roles as tenant_roles
from bondline.domain.reltio import types as reltio_types
from bondline.seedfile.document import Document, Path
from bondline.seedfile.references import check_new_ref, check_object_ref, object_uri
from bondline.seedfile.schema import (
    CHANGE_KINDS,
    EDIT_KINDS,
    AttributeChange,
    ChangeItem,
    ChangeRequest,
    Tenant,
)

MAX_CHANGE_ITEMS = 1000


@dataclasses.dataclass
class _Refs:
    """The refs one tenant's entities and relations define (ref -> index)."""

    entities: dict[str, int] = dataclasses.field(default_factory=dict)
    relations: dict[str, int] = dataclasses.field(default_factory=dict)


def check_tenants(doc: Document) -> None:
    tenant_ids: dict[str, int] = {}
    for t, tenant in enumerate(doc.spec.reltio):
        where = ("reltio", t)
        if tenant.id in tenant_ids:
            raise doc.error(where + ("id",),
                            f"tenant {tenant.id!r} is already defined by reltio[{tenant_ids[tenant.id]}]")
        tenant_ids[tenant.id] = t
        _check_tenant(doc, where, tenant)


def _check_tenant(doc: Document, where: Path, tenant: Tenant) -> None:
    for account_id, roles in tenant.roles.items():
        for role in roles:
            doc.apply(where + ("roles", account_id), tenant_roles.validate_role, role)
    if tenant.types is not None:
        doc.apply(where + ("types",), reltio_types.parse_configuration, tenant.types)
    refs = _Refs()
    for i, entity in enumerate(tenant.entities):
        check_new_ref(doc, where + ("entities", i, "ref"), entity.ref, refs.entities, i)
    for i, relation in enumerate(tenant.relations):
        at = where + ("relations", i)
        check_new_ref(doc, at + ("ref",), relation.ref, refs.relations, i)
        for side in ("start", "end"):
            check_object_ref(doc, at + (side,), getattr(relation, side), refs.entities, "entities")
    request_refs: dict[str, int] = {}
    for c, request in enumerate(tenant.change_requests):
        _check_change_request(doc, where + ("changeRequests", c), request, c, request_refs, refs)
    for e, edit in enumerate(tenant.edits):
        at = where + ("edits", e)
        kinds = [name for name in CHANGE_KINDS if getattr(edit, _snake(name)) is not None]
        if len(kinds) != 1 or kinds[0] not in EDIT_KINDS:
            raise doc.error(at, f"an edit is exactly one of {', '.join(EDIT_KINDS)} (made directly, not staged)")
        _check_change_item(doc, at, edit, refs)


def _check_change_request(doc: Document, where: Path, request: ChangeRequest, index: int,
                          request_refs: dict[str, int], refs: _Refs) -> None:
    check_new_ref(doc, where + ("ref",), request.ref, request_refs, index)
    if request.reviewed_by is not None and request.state == "AWAITING_REVIEW":
        raise doc.error(where + ("reviewedBy",), "reviewedBy is who applies or rejects the request: give "
                        "state APPLIED or REJECTED too")
    if len(request.items) > MAX_CHANGE_ITEMS:
        raise doc.error(where + ("items",), f"at most {MAX_CHANGE_ITEMS} items per change request")
    for k, item in enumerate(request.items):
        _check_change_item(doc, where + ("items", k), item, refs)


def _check_change_item(doc: Document, where: Path, item: ChangeItem, refs: _Refs) -> None:
    """An item is exactly one change; what it names must exist (or be an id)."""
    kinds = [name for name in CHANGE_KINDS if getattr(item, _snake(name)) is not None]
    if len(kinds) != 1:
        raise doc.error(where, f"an item is exactly one of {', '.join(CHANGE_KINDS)}")
    kind = kinds[0]
    value = getattr(item, _snake(kind))
    at = where + (kind,)
    if kind == "createEntity" and value.ref is not None:
        raise doc.error(at + ("ref",), "a staged entity has no URI until its change request "
                        "is applied, so it cannot have a ref")
    if kind == "createRelation":
        if value.ref is not None:
            raise doc.error(at + ("ref",), "a staged relation cannot have a ref")
        for side in ("start", "end"):
            check_object_ref(doc, at + (side,), getattr(value, side), refs.entities, "entities")
    if kind == "deleteRelation":
        check_object_ref(doc, at, value, refs.relations, "relations")
    if kind.endswith("Attribute"):
        _check_attribute_change(doc, at, kind, value, refs)


def _check_attribute_change(doc: Document, at: Path, kind: str, change: AttributeChange, refs: _Refs) -> None:
    if not (change.object in refs.entities or change.object in refs.relations
            or object_uri(change.object) is not None):
        raise doc.error(at + ("object",), f"{change.object!r} is neither a ref of this "
                        "tenant's entities or relations nor entities/ID or relations/ID")
    if change.index < 0:
        raise doc.error(at + ("index",), "index counts from 0")
    if kind != "deleteAttribute" and change.value is None:
        raise doc.error(at + ("value",), f"{kind} needs a value")


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)

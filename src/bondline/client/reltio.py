"""Call builders and resources for the Reltio dialect (`/reltio/api/{tenant}`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bondline.client._call import Call, params, seg

ChangeRequest = dict[str, Any]


class _Tenant:
    """Call builders bound to one tenant's base path."""

    def __init__(self, tenant: str) -> None:
        self.base = f"/reltio/api/{seg(tenant)}"
        self.native = f"/api/v1/reltio/{seg(tenant)}"  # bondline's own extensions for the tenant

    @staticmethod
    def dcr_params(change_request_id: str | None, always_create_dcr: bool | None) -> dict[str, Any]:
        return params(changeRequestId=change_request_id, alwaysCreateDCR=always_create_dcr or None)


def _attribute_path(path: str) -> str:
    """``"FirstName/1a2b"`` or ``["Address", "v1", "Street"]`` as URL segments (each one encoded)."""
    parts = path.split("/") if isinstance(path, str) else list(path)
    return "/".join(seg(part) for part in parts)


def _attribute_ops(collection: str, t: _Tenant, wrap: Callable[[Any], Any]) -> dict[str, Any]:
    """Attribute-level writes on an entity or a relation (`…/{id}/attributes/{path}`). `path` is the
    attribute name (insert), or name/valueId (update, delete, pin, ignore), one level deeper for
    sub-attributes (``"Address/v1/Street/v2"``). Each applies at once or is staged like any write."""

    def base(object_id: str, path: str) -> str:
        return f"{t.base}/{collection}/{seg(object_id)}/attributes/{_attribute_path(path)}"

    @wrap
    def insert_attribute(object_id: str, path: str, values: list[dict[str, Any]], *,
                         change_request_id: str | None = None, always_create_dcr: bool | None = None) -> Call[Any]:
        return Call("POST", base(object_id, path), t.dcr_params(change_request_id, always_create_dcr), json=values)

    @wrap
    def update_attribute(object_id: str, path: str, value: Any, *, change_request_id: str | None = None,
                         always_create_dcr: bool | None = None) -> Call[Any]:
        body = value if isinstance(value, dict) and "value" in value else {"value": value}
        return Call("PUT", base(object_id, path), t.dcr_params(change_request_id, always_create_dcr), json=body)

    @wrap
    def delete_attribute(object_id: str, path: str, *, change_request_id: str | None = None,
                         always_create_dcr: bool | None = None) -> Call[Any]:
        return Call("DELETE", base(object_id, path), t.dcr_params(change_request_id, always_create_dcr))

    @wrap
    def pin_attribute(object_id: str, path: str, pinned: bool = True, *, change_request_id: str | None = None,
                      always_create_dcr: bool | None = None) -> Call[Any]:
        return Call("PUT", base(object_id, path) + "/pin", t.dcr_params(change_request_id, always_create_dcr),
                    json={"value": pinned})

    @wrap
    def ignore_attribute(object_id: str, path: str, ignored: bool = True, *, change_request_id: str | None = None,
                         always_create_dcr: bool | None = None) -> Call[Any]:
        return Call("PUT", base(object_id, path) + "/ignored", t.dcr_params(change_request_id, always_create_dcr),
                    json={"value": ignored})

    @wrap
    def with_change_requests(object_id: str, change_request_ids: list[str]) -> Call[dict[str, Any]]:
        """The object as it would be with those change requests applied (nothing is changed)."""
        return Call("GET", f"{t.base}/{collection}/{seg(object_id)}/_withChangeRequests",
                    params(changeRequestIds=",".join(change_request_ids)))

    return {"insert_attribute": insert_attribute, "update_attribute": update_attribute,
            "delete_attribute": delete_attribute, "pin_attribute": pin_attribute,
            "ignore_attribute": ignore_attribute, "with_change_requests": with_change_requests}


def _entities(t: _Tenant, wrap: Callable[[Any], Any]) -> type:
    class Entities:
        """Entities: create (batch), get, delete."""

        def __init__(self, client: Any) -> None:
            self._client = client

        @wrap
        def create(objects: list[dict[str, Any]], *, change_request_id: str | None = None,
                   always_create_dcr: bool | None = None) -> Call[Any]:
            """POST /entities: per-item results, or the change request the items were staged in."""
            return Call("POST", f"{t.base}/entities", t.dcr_params(change_request_id, always_create_dcr),
                        json=objects)

        @wrap
        def get(entity_id: str) -> Call[dict[str, Any]]:
            return Call("GET", f"{t.base}/entities/{seg(entity_id)}")

        @wrap
        def delete(entity_id: str) -> Call[dict[str, Any]]:
            return Call("DELETE", f"{t.base}/entities/{seg(entity_id)}")

        @wrap
        def update(entity_id: str, changes: list[dict[str, Any]], *, change_request_id: str | None = None,
                   always_create_dcr: bool | None = None) -> Call[Any]:
            """POST /entities/{id}/_update: a cumulative update (INSERT_ATTRIBUTE, UPDATE_ATTRIBUTE, …)."""
            return Call("POST", f"{t.base}/entities/{seg(entity_id)}/_update",
                        t.dcr_params(change_request_id, always_create_dcr), json=changes)

        @wrap
        def search(filter: str | None = None, *, select: list[str] | None = None, max: int | None = None,
                   offset: int | None = None, sort: str | None = None, order: str | None = None,
                   options: list[str] | None = None, activeness: str | None = None) -> Call[list[dict[str, Any]]]:
            """POST /entities/_search (parameters in a form body, as Reltio recommends): the entities
            matching Reltio's `filter` (``equals(attributes.LastName,'Smith') and exists(tags)``)."""
            form = {k: str(v) for k, v in params(
                filter=filter, select=",".join(select) if select else None, max=max, offset=offset, sort=sort,
                order=order, options=",".join(options) if options else None, activeness=activeness).items()}
            return Call("POST", f"{t.base}/entities/_search", data=form)

        @wrap
        def total(filter: str | None = None, *, options: list[str] | None = None) -> Call[int]:
            """GET /entities/_total: how many entities match `filter`."""
            return Call("GET", f"{t.base}/entities/_total", params(
                filter=filter, options=",".join(options) if options else None), parse=lambda body: body["total"])

        @wrap
        def facets(facets: list[str | dict[str, Any]], filter: str | None = None, *,
                   options: list[str] | None = None) -> Call[dict[str, dict[str, int]]]:
            """POST /entities/_facets: for each facet (a field name, or a specification ``{"fieldName":
            "attributes.City", "orderType": "term", "pageSize": 10}``) its terms and their counts among
            the entities matching `filter`."""
            specs = [{"fieldName": f} if isinstance(f, str) else f for f in facets]
            return Call("POST", f"{t.base}/entities/_facets", params(
                filter=filter, options=",".join(options) if options else None), json=specs)

        @wrap
        def scan(filter: str | None = None, *, cursor: str | None = None, max: int | None = None,
                 select: list[str] | None = None, options: list[str] | None = None) -> Call[dict[str, Any]]:
            """POST /entities/_scan: the first call names the filter, the next ones pass the answer's
            ``["cursor"]["cursor"]``; an answer without ``objects`` ends the iteration."""
            return Call("POST", f"{t.base}/entities/_scan", params(
                filter=None if cursor else filter, max=max, select=",".join(select) if select else None,
                options=",".join(options) if options else None),
                json={"cursor": {"cursor": cursor}} if cursor else {})

        @wrap
        def by_crosswalk(value: str, source: str, *, source_table: str | None = None) -> Call[dict[str, Any] | None]:
            """POST /entities/_byCrosswalk (the value in the body, so any value works): the entity
            holding the crosswalk of source type `source` (``FB`` or ``configuration/sources/FB``)."""
            return Call("POST", f"{t.base}/entities/_byCrosswalk", params(type=source, sourceTable=source_table),
                        json={"crosswalkValue": value}, parse=lambda body: body[0]["object"] if body else None,
                        absent_ok=True)

        @wrap
        def connections(entity_id: str, groups: list[dict[str, Any]], *,
                        options: list[str] | None = None) -> Call[list[dict[str, Any]]]:
            """POST /entities/{id}/_connections: per group (``{"outRelations": [{"uri": …}], "entityTypes":
            […], "filter": …, "offset": 0, "max": 10}``) its `index`, `total` and `connections`."""
            return Call("POST", f"{t.base}/entities/{seg(entity_id)}/_connections",
                        params(options=",".join(options) if options else None), json=groups)

        @wrap
        def hops(entity_id: str, *, deep: int | None = None, max: int | None = None,
                 relation_types: list[str] | None = None, select: list[str] | None = None,
                 options: list[str] | None = None) -> Call[dict[str, Any]]:
            """GET /entities/{id}/_hops: the `entities` and `relations` within `deep` hops, and
            `dataComplete` (false when a limit cut the traversal)."""
            return Call("GET", f"{t.base}/entities/{seg(entity_id)}/_hops", params(
                deep=deep, max=max, relationTypeURIs=",".join(relation_types) if relation_types else None,
                select=",".join(select) if select else None, options=",".join(options) if options else None))

    for name, op in _attribute_ops("entities", t, wrap).items():
        setattr(Entities, name, op)
    return Entities


def _relations(t: _Tenant, wrap: Callable[[Any], Any]) -> type:
    class Relations:
        """Relations: create (batch), get, search, delete — directly or staged in a change request."""

        def __init__(self, client: Any) -> None:
            self._client = client

        @wrap
        def create(objects: list[dict[str, Any]], *, change_request_id: str | None = None,
                   always_create_dcr: bool | None = None) -> Call[Any]:
            return Call("POST", f"{t.base}/relations", t.dcr_params(change_request_id, always_create_dcr),
                        json=objects)

        @wrap
        def get(relation_id: str) -> Call[dict[str, Any]]:
            return Call("GET", f"{t.base}/relations/{seg(relation_id)}")

        @wrap
        def search(filter: str | None = None, *, select: list[str] | None = None, max: int | None = None,
                   offset: int | None = None, order: str | None = None,
                   options: list[str] | None = None) -> Call[list[dict[str, Any]]]:
            """POST /relations/_search: the relations matching Reltio's `filter` on type, uri,
            startObject, endObject, createdTime and updatedTime."""
            form = {k: str(v) for k, v in params(
                filter=filter, select=",".join(select) if select else None, max=max, offset=offset, order=order,
                options=",".join(options) if options else None).items()}
            return Call("POST", f"{t.base}/relations/_search", data=form)

        @wrap
        def delete(relation_id: str, *, change_request_id: str | None = None,
                   always_create_dcr: bool | None = None) -> Call[dict[str, Any]]:
            """`{"status": "success"}`, or — staged — the change request (relation kept until applied)."""
            return Call("DELETE", f"{t.base}/relations/{seg(relation_id)}",
                        t.dcr_params(change_request_id, always_create_dcr))

    for name, op in _attribute_ops("relations", t, wrap).items():
        setattr(Relations, name, op)
    return Relations


def _change_requests(t: _Tenant, wrap: Callable[[Any], Any]) -> type:
    class ChangeRequests:
        """Data change requests: create, read, search, apply, reject, delete."""

        def __init__(self, client: Any) -> None:
            self._client = client

        @wrap
        def create() -> Call[ChangeRequest]:
            return Call("POST", f"{t.base}/changeRequests")

        @wrap
        def get(dcr_id: str, *, show_objects_info: bool = False, show_conflicts: bool = False) -> Call[ChangeRequest]:
            return Call("GET", f"{t.base}/changeRequests/{seg(dcr_id)}",
                        params(showObjectsInfo=show_objects_info or None, showConflicts=show_conflicts or None))

        @wrap
        def apply(dcr_id: str, *, ignore_conflicts: bool = False) -> Call[Any]:
            return Call("POST", f"{t.base}/changeRequests/{seg(dcr_id)}/_apply",
                        params(ignoreConflicts=ignore_conflicts or None))

        @wrap
        def reject(dcr_id: str) -> Call[Any]:
            return Call("POST", f"{t.base}/changeRequests/{seg(dcr_id)}/_reject")

        @wrap
        def delete(dcr_id: str) -> Call[Any]:
            return Call("DELETE", f"{t.base}/changeRequests/{seg(dcr_id)}")

        @wrap
        def by_uris(uris: list[str], *, show_objects_info: bool = False, show_conflicts: bool = False,
                    select: str | None = None, exclude: list[str] | None = None) -> Call[list[Any]]:
            """Several change requests at once (`""` where a URI names none)."""
            body: dict[str, Any] = {"uris": uris, "showObjectsInfo": show_objects_info,
                                    "showConflicts": show_conflicts}
            if select is not None:
                body["select"] = select
            if exclude is not None:
                body["exclude"] = exclude
            return Call("POST", f"{t.base}/changeRequests/_byUris", json=body)

        @wrap
        def external_info(dcr_id: str) -> Call[Any]:
            return Call("GET", f"{t.base}/changeRequests/{seg(dcr_id)}/_externalInfo")

        @wrap
        def set_external_info(dcr_id: str, info: dict[str, Any]) -> Call[Any]:
            return Call("POST", f"{t.base}/changeRequests/{seg(dcr_id)}/_externalInfo", json=info)

        @wrap
        def delete_external_info(dcr_id: str) -> Call[Any]:
            return Call("DELETE", f"{t.base}/changeRequests/{seg(dcr_id)}/_externalInfo")

        @wrap
        def item(dcr_id: str, item_id: str) -> Call[dict[str, Any]]:
            return Call("GET", f"{t.base}/changeRequests/{seg(dcr_id)}/changes/{seg(item_id)}")

        @wrap
        def delete_item(dcr_id: str, item_id: str) -> Call[Any]:
            return Call("DELETE", f"{t.base}/changeRequests/{seg(dcr_id)}/changes/{seg(item_id)}")

        @wrap
        def by_state(state: str = "AWAITING_REVIEW", *, created_by: str | None = None, object_uri: str | None = None,
                     max: int = 10, offset: int = 0) -> Call[list[ChangeRequest]]:
            """bondline's listing by state (`state="all"` for every state), optionally one creator's and/or
            those changing one object: ``GET /api/v1/reltio/{tenant}/changeRequests``."""
            return Call("GET", f"{t.native}/changeRequests", params(state=state, createdBy=created_by,
                                                                      objectURI=object_uri, max=max, offset=offset))

        # Last: below it, `list` in an annotation names this method (as mypy reads a class body).
        @wrap
        def list(filter: str, *, max: int = 10, offset: int = 0) -> Call[list[ChangeRequest]]:
            """Search, e.g. ``filter="equals(createdBy,'ada@example.com')"``."""
            return Call("GET", f"{t.base}/changeRequests", params(filter=filter, max=max, offset=offset))

    return ChangeRequests


def _configuration(t: _Tenant, wrap: Callable[[Any], Any]) -> type:
    class Configuration:
        """The tenant's business configuration: entity and relation types (`/configuration`)."""

        def __init__(self, client: Any) -> None:
            self._client = client

        @wrap
        def get() -> Call[dict[str, Any]]:
            return Call("GET", f"{t.base}/configuration")

        @wrap
        def put(configuration: dict[str, Any]) -> Call[dict[str, Any]]:
            """Replace the types (tenant admins)."""
            return Call("PUT", f"{t.base}/configuration", json=configuration)

    return Configuration


def oauth_token(*, username: str | None = None, password: str | None = None, refresh_token: str | None = None,
                grant_type: str | None = None) -> Call[dict[str, Any]]:
    """POST /oauth/token (Reltio's token endpoint): the password grant (username = email or
    accountId, password = an API token) or the refresh_token grant."""
    grant = grant_type or ("refresh_token" if refresh_token is not None else "password")
    form = {k: v for k, v in {"grant_type": grant, "username": username, "password": password,
                              "refresh_token": refresh_token}.items() if v is not None}
    return Call("POST", "/oauth/token", data=form)


def _OAuth(wrap: Callable[[Any], Any]) -> type:
    class OAuth:
        """Reltio's token endpoint (`/oauth/token`), for code that signs in the way Reltio clients do."""

        def __init__(self, client: Any) -> None:
            self._client = client

        token = wrap(oauth_token)

    return OAuth


class ReltioClient:
    """One tenant of the Reltio API: ``client.reltio("acme").relations.delete(id, always_create_dcr=True)``."""

    def __init__(self, client: Any, tenant: str, wrap: Callable[[Any], Any]) -> None:
        t = _Tenant(tenant)
        self.tenant = tenant
        self.entities = _entities(t, wrap)(client)
        self.relations = _relations(t, wrap)(client)
        self.change_requests = _change_requests(t, wrap)(client)
        self.configuration = _configuration(t, wrap)(client)
        self.oauth = _OAuth(wrap)(client)

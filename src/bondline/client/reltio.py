"""Call builders and resources for the Reltio dialect (`/reltio/api/{tenant}`)."""

from __future__ import annotations

from typing import Any, Callable

from bondline.client._call import Call, params, seg

ChangeRequest = dict[str, Any]


class _Tenant:
    """Call builders bound to one tenant's base path."""

    def __init__(self, tenant: str) -> None:
        self.base = f"/reltio/api/{seg(tenant)}"

    @staticmethod
    def dcr_params(change_request_id: str | None, always_create_dcr: bool | None) -> dict[str, Any]:
        return params(changeRequestId=change_request_id, alwaysCreateDCR=always_create_dcr or None)


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

    return Entities


def _relations(t: _Tenant, wrap: Callable[[Any], Any]) -> type:
    class Relations:
        """Relations: create (batch), get, delete — directly or staged in a change request."""

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
        def delete(relation_id: str, *, change_request_id: str | None = None,
                   always_create_dcr: bool | None = None) -> Call[dict[str, Any]]:
            """`{"status": "success"}`, or — staged — the change request (relation kept until applied)."""
            return Call("DELETE", f"{t.base}/relations/{seg(relation_id)}",
                        t.dcr_params(change_request_id, always_create_dcr))

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
        def list(filter: str, *, max: int = 10, offset: int = 0) -> Call[list[ChangeRequest]]:
            """Search, e.g. ``filter="equals(createdBy,'ada@example.com')"``."""
            return Call("GET", f"{t.base}/changeRequests", params(filter=filter, max=max, offset=offset))

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
        def item(dcr_id: str, item_id: str) -> Call[dict[str, Any]]:
            return Call("GET", f"{t.base}/changeRequests/{seg(dcr_id)}/changes/{seg(item_id)}")

        @wrap
        def delete_item(dcr_id: str, item_id: str) -> Call[Any]:
            return Call("DELETE", f"{t.base}/changeRequests/{seg(dcr_id)}/changes/{seg(item_id)}")

    return ChangeRequests


class ReltioClient:
    """One tenant of the Reltio API: ``client.reltio("acme").relations.delete(id, always_create_dcr=True)``."""

    def __init__(self, client: Any, tenant: str, wrap: Callable[[Any], Any]) -> None:
        t = _Tenant(tenant)
        self.tenant = tenant
        self.entities = _entities(t, wrap)(client)
        self.relations = _relations(t, wrap)(client)
        self.change_requests = _change_requests(t, wrap)(client)

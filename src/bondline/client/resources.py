"""The SDK's resources (`client.relations`, `client.watches`, …), defined once and built twice:
with sync methods for `Client` and with coroutine methods for `AsyncClient`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bondline.client import confluence as ops


class _Resource:
    __slots__ = ("_client",)

    def __init__(self, client: Any) -> None:
        self._client = client


def build(wrap: Callable[[Any], Any], prefix: str = "") -> dict[str, type]:
    """The resource classes, their methods wrapped by `wrap` (sync_op or async_op)."""

    class Relations(_Resource):
        """Typed relations (`/wiki/rest/api/relation`): favourites, likes, watches, your own names.

        Entities are ``("user", "current")``, ``("content", "123")``, ``("space", "KEY")`` or
        ``"content:123"``."""

        get = wrap(ops.relation_get)
        exists = wrap(ops.relation_exists)
        put = wrap(ops.relation_put)
        delete = wrap(ops.relation_delete)
        targets = wrap(ops.relation_targets)
        sources = wrap(ops.relation_sources)
        of_user = wrap(ops.relations_of_user)

    class Watches(_Resource):
        """Watches (`/wiki/rest/api/user/watch`); writes send `X-Atlassian-Token: no-check`."""

        content_status = wrap(ops.watch_content_status)
        add_content = wrap(ops.watch_content)
        remove_content = wrap(ops.unwatch_content)
        space_status = wrap(ops.watch_space_status)
        add_space = wrap(ops.watch_space)
        remove_space = wrap(ops.unwatch_space)
        label_status = wrap(ops.watch_label_status)
        add_label = wrap(ops.watch_label)
        remove_label = wrap(ops.unwatch_label)
        page_watchers = wrap(ops.page_watchers)
        space_watchers = wrap(ops.space_watchers)
        space_watchers_of_page = wrap(ops.space_watchers_of_page)

    class Spaces(_Resource):
        """Spaces (`/wiki/rest/api/space`)."""

        list = wrap(ops.space_list)
        get = wrap(ops.space_get)
        create = wrap(ops.space_create)
        update = wrap(ops.space_update)
        delete = wrap(ops.space_delete)

    class ContentResource(_Resource):
        """Pages and blog posts (`/wiki/rest/api/content`)."""

        list = wrap(ops.content_list)
        get = wrap(ops.content_get)
        create = wrap(ops.content_create)
        update = wrap(ops.content_update)
        delete = wrap(ops.content_delete)
        versions = wrap(ops.content_versions)
        version = wrap(ops.content_version)
        task = wrap(ops.longtask)

    class Labels(_Resource):
        """Labels on content (`/wiki/rest/api/content/{id}/label`)."""

        list = wrap(ops.label_list)
        add = wrap(ops.label_add)
        remove = wrap(ops.label_remove)

    class Users(_Resource):
        """Users (`/wiki/rest/api/user`)."""

        current = wrap(ops.user_current)
        get = wrap(ops.user_get)
        bulk = wrap(ops.users_bulk)

    class Audit(_Resource):
        """bondline's audit trail (`/api/v1/audit`, site admins)."""

        list = wrap(ops.audit_entries)

    classes: dict[str, type] = {"relations": Relations, "watches": Watches, "spaces": Spaces,
                                "content": ContentResource, "labels": Labels, "users": Users,
                                "audit": Audit}
    for cls in classes.values():
        cls.__name__ = cls.__qualname__ = prefix + cls.__name__
    return classes

"""Confluence Cloud REST API v2, wire-exact, under ``/wiki/api/v2`` (docs/decisions/0020).

A second Confluence dialect over the same services and store as v1 (`bondline.dialects.confluence`):
a page created through one is the same page through the other, and every rule (permissions,
restrictions, versions, watches, webhooks, audit) is the services' own. Routes parse the request,
call a service and render v2's JSON; errors use v2's error body (`errors.DIALECT`), on every path
under the prefix; lists page with an opaque cursor (`paging`).
"""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence_v2.errors import DIALECT

PREFIX = "/wiki/api/v2"


def install(app: Any) -> None:
    from bondline.dialects.confluence_v2 import (
        attachments,
        blogposts,
        comments,
        creation,
        hierarchy,
        labels,
        likes,
        operations,
        pages,
        permissions,
        properties,
        spaces,
        users,
        versions,
    )

    app.claim_prefix(PREFIX + "/", DIALECT)
    pages.install(app)
    spaces.install(app)
    blogposts.install(app)
    hierarchy.install(app)
    versions.install(app)
    creation.install(app)
    comments.install(app)
    attachments.install(app)
    likes.install(app)
    labels.install(app)
    properties.install(app)
    permissions.install(app)
    users.install(app)
    operations.install(app)

"""Confluence Cloud REST API v1, wire-exact, under ``/wiki/rest/api``.

One module per resource: `spaces`, `content`, `users`, `groups` (and `relations`, `watches`, `labels`,
`attachments`, `comments`, `tree`, `history`, `properties`, `search`).
Routes parse the request, call a service, and render Confluence's JSON; errors use
Confluence's error body (`errors.ConfluenceDialect`).
"""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence.errors import DIALECT


def install(app: Any) -> None:
    from bondline.dialects.confluence import (
        attachments,
        comments,
        content,
        groups,
        history,
        labels,
        properties,
        relations,
        restrictions,
        search,
        spaces,
        tree,
        users,
        watches,
    )

    app.claim_prefix("/wiki/", DIALECT)
    spaces.install(app)
    search.install(app)  # GET /content/search before /content/{id}
    content.install(app)
    users.install(app)
    relations.install(app)
    watches.install(app)
    labels.install(app)
    groups.install(app)
    tree.install(app)
    history.install(app)
    properties.install(app)
    attachments.install(app)
    comments.install(app)
    restrictions.install(app)

"""Reltio's tenant data API, wire-exact, under ``/reltio/api/{tenantId}`` (the public form) and
``/services/reltio/api/{tenantId}`` (the form in Reltio's OpenAPI definitions), plus the OAuth
token endpoint ``/oauth/token``.

One module per resource: `entities`, `relations`, `attributes` (bondline's attribute endpoints),
`change_requests`, `configuration` (the tenant's model), `activities` (the activity log),
`interactions`, `search` (entity search), `graph` (connections and hops), `oauth`, and Reltio's
Workflow API (`workflow_api`, the DCR review process and its tasks). Errors use
Reltio's
APIErrorRepresentation body, 401 its OAuth body (`errors`). Clients that send `EnvironmentURL` get
every answer in Reltio's Workflow API envelope (`workflow`).
"""

from __future__ import annotations

from typing import Any

from bondline.dialects.reltio.errors import DIALECT


def install(app: Any) -> None:
    from bondline.dialects.reltio import (
        activities,
        attributes,
        change_requests,
        configuration,
        entities,
        graph,
        interactions,
        merge,
        oauth,
        relations,
        search,
        workflow_api,
    )

    app.claim_prefix("/reltio/", DIALECT)
    app.claim_prefix("/services/reltio/", DIALECT)
    entities.install(app)
    search.install(app)
    relations.install(app)
    graph.install(app)
    merge.install(app)
    attributes.install(app)
    change_requests.install(app)
    configuration.install(app)
    activities.install(app)
    interactions.install(app)
    oauth.install(app)
    workflow_api.install(app)

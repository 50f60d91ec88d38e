"""``GET /metrics``: Prometheus' text exposition format (see `bondline.metrics` for what is measured).

By default it needs no credentials, like most scrape targets: it says how busy the service is and
how many change requests there are in each state, summed over tenants — never a tenant's id unless
``BONDLINE_METRICS_TENANT_LABELS`` asks for them. ``BONDLINE_METRICS_TOKEN`` makes it answer only
``Authorization: Bearer <that token>`` (401 otherwise); ``BONDLINE_METRICS=0`` (or `bondline serve
--no-metrics`) turns it off.
"""

from __future__ import annotations

import hmac
from typing import Any

from bondline import metrics
from bondline.dialects.native.errors import DIALECT
from bondline.domain.errors import NotFound, Unauthenticated
from bondline.http import Request, Response
from bondline.services.reltio import change_requests
from bondline.store import Unavailable


def _require_token(req: Request, token: str) -> None:
    """The scraper's own credential, not a user's: the route is `auth="none"`, so no user token is looked up."""
    scheme, _, presented = (req.header(b"authorization") or "").partition(" ")
    # compare_digest: the time taken does not tell how much of a guess was right
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented.strip().encode("latin-1"),
                                                             token.encode("utf-8")):
        raise Unauthenticated("/metrics needs Authorization: Bearer <the server's BONDLINE_METRICS_TOKEN>",
                              reason="UNAUTHENTICATED")


async def scrape(req: Request) -> Response:
    settings = req.app.settings
    if req.app.metrics is None:
        raise NotFound("Metrics are turned off on this server (BONDLINE_METRICS=0)", reason="NO_ROUTE")
    if settings.metrics_token:
        _require_token(req, settings.metrics_token)
    try:
        counts = await change_requests.counts_by_state(req.app.store)
    except Unavailable:  # the rest of the numbers matter most during an outage: still served
        counts = None
    body = metrics.render(req.app.metrics, req.app.store, counts, by_tenant=settings.metrics_tenant_labels)
    return Response(200, body, metrics.CONTENT_TYPE.encode())


def install(app: Any) -> None:
    app.route("GET", "/metrics", scrape, dialect=DIALECT, auth="none")

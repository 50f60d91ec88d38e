"""``GET /metrics``: Prometheus' text exposition format (see `bondline.metrics` for what is measured).

It needs no credentials, like most scrape targets: it says how busy the service is and how many
change requests each tenant has in each state, nothing about their contents. Turn it off with
``BONDLINE_METRICS=0`` (or `bondline serve --no-metrics`), or keep /metrics off the public listener
at the proxy.
"""

from __future__ import annotations

from typing import Any

from bondline import metrics
from bondline.dialects.native.errors import DIALECT
from bondline.domain.errors import NotFound
from bondline.http import Request, Response
from bondline.services.reltio import change_requests


async def scrape(req: Request) -> Response:
    if req.app.metrics is None:
        raise NotFound("Metrics are turned off on this server (BONDLINE_METRICS=0)", reason="NO_ROUTE")
    counts = await change_requests.counts_by_state(req.app.store)
    return Response(200, metrics.render(req.app.metrics, req.app.store, counts), metrics.CONTENT_TYPE.encode())


def install(app: Any) -> None:
    app.route("GET", "/metrics", scrape, dialect=DIALECT, auth="none")

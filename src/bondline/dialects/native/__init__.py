"""bondline's own API: health probes, the OpenAPI document, and extensions under ``/api/v1``."""

from __future__ import annotations

from typing import Any

from bondline.dialects.native.errors import DIALECT


def install(app: Any) -> None:
    from bondline.dialects.native import audit, change_requests, docs, health, metrics, relations, webhooks

    app.claim_prefix("/", DIALECT, default=True)
    health.install(app)
    docs.install(app)
    relations.install(app)
    audit.install(app)
    change_requests.install(app)
    webhooks.install(app)
    metrics.install(app)

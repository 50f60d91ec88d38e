"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
from typing import Any

from bondline import __version__
from bondline.dialects.native.errors import DIALECT
from bondline.http import Request, Response, json_response
from bondline.store import Unavailable


class NotReady(Unavailable):
    """The database did not answer the readiness probe (in time)."""

    default_reason = "NOT_READY"


async def healthz(req: Request) -> Response:
    """The process is up and serving (says nothing about the database)."""
    return json_response({"status": "ok", "version": __version__})


async def readyz(req: Request) -> Response:
    """The database answers, within `readyz_timeout` seconds: safe to route traffic here. A hung
    database makes this 503 quickly, so a load balancer moves traffic away while it lasts."""
    try:
        await asyncio.wait_for(req.app.store.ping(), req.app.settings.readyz_timeout)
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        reason = "did not answer in time" if isinstance(exc, TimeoutError) else "is not reachable"
        raise NotReady(f"The database {reason}: {type(exc).__name__}") from None
    return json_response({"status": "ready", "database": req.app.store.kind})


def install(app: Any) -> None:
    app.route("GET", "/healthz", healthz, dialect=DIALECT, auth="none")
    app.route("GET", "/readyz", readyz, dialect=DIALECT, auth="none")

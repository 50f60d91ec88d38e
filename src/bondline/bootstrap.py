"""The composition root: the one place that knows every part and builds the application from them
for `Settings` (docs/decisions/0013).

The ASGI kernel (`bondline.http.app.App`) knows no wire API, store, metrics, dispatcher or test
double; here it gets the store and the authenticator, the wire APIs and the review inbox through
`route`/`claim_prefix`, the lifecycle of the store, the metrics snapshots and the webhook dispatcher
through `on_startup`/`on_shutdown`, the request metrics as `metrics`, and — only when asked for —
the test double (`bondline.testing.instrument`) around it.

Granian calls `create_app` in each worker process (`bondline.bootstrap:create_app`, a factory).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from bondline import metrics, ui
from bondline.config import Settings
from bondline.dialects import confluence, confluence_v2, native, reltio
from bondline.http.app import App
from bondline.services.auth import Authenticator
from bondline.store import Store, blobs, create_store


def create_app(settings: Settings | None = None) -> Any:
    """The application as served for `settings` (default: from the environment). A server with
    faults configured, or in test mode, gets the test double around the application; any other is
    the bare application, whose request path is exactly the one of docs/decisions/0001."""
    settings = settings or Settings.from_env()
    app = build(settings)
    if settings.test_mode or settings.faults:
        from bondline.testing.instrument import instrument

        return instrument(app)
    return app


def build(settings: Settings, store: Store | None = None) -> App:
    """The bare application: the kernel with the store, every wire API and the review inbox, and the
    metrics and the webhook dispatcher as `settings` ask. Nothing is opened until its startup.

    A test server's control routes are left to the test double that `create_app` attaches in test
    mode; on any other server they are installed answering as unknown paths do (they are documented
    on every server; `bondline.testing.controls`)."""
    store = store or create_store(settings, serving=True)
    app = App(settings, store, Authenticator(store, settings.auth_cache_seconds))
    app.on_startup(store.open)
    app.on_shutdown(store.close)  # last: the hooks below stop first
    app.blobs = blobs.for_settings(settings.blob_dir, settings.database_url)
    _BlobSweeper(app, store)
    native.install(app)  # first: it claims "/" for the paths no other API claims
    confluence.install(app)
    confluence_v2.install(app)
    reltio.install(app)
    ui.install(app)
    if not settings.test_mode:
        from bondline.testing import controls

        controls.install(app, None)
    if settings.metrics:
        _MetricsHost(app, store)
    if settings.dispatch:
        _Dispatcher(app, store, settings)
    return app


class _MetricsHost:
    """This worker's request metrics (`GET /metrics` reads `app.metrics`). With several workers
    (`BONDLINE_METRICS_DIR` set), a snapshot of them written every second and at shutdown, for
    whichever worker answers a scrape to sum."""

    def __init__(self, app: App, store: Store) -> None:
        self.requests = app.metrics = metrics.RequestMetrics()
        self.store = store
        self.task: asyncio.Task[None] | None = None
        app.on_startup(self.start)
        app.on_shutdown(self.stop)

    async def start(self) -> None:
        if metrics.metrics_dir() is not None:
            self.task = asyncio.get_running_loop().create_task(
                metrics.snapshot_forever(self.requests, self.store))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        metrics.write_snapshot(self.requests, self.store)


class _Dispatcher:
    """The webhook dispatcher as a task of this worker. Every worker may run one: deliveries are
    leased, so no two send the same one at once (docs/decisions/0007)."""

    def __init__(self, app: App, store: Store, settings: Settings) -> None:
        self.store, self.settings = store, settings
        self.task: asyncio.Task[None] | None = None
        self.stopping: asyncio.Event | None = None
        app.on_startup(self.start)
        app.on_shutdown(self.stop)

    async def start(self) -> None:
        from bondline import dispatch

        self.stopping = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(
            dispatch.run_forever(self.store, self.settings, self.stopping))

    async def stop(self) -> None:
        # Let deliveries in flight finish (their outcome recorded), then stop; one cut short keeps
        # its lease, which runs out, and is delivered again.
        if self.task is None or self.stopping is None:
            return
        self.stopping.set()
        with contextlib.suppress(Exception, asyncio.CancelledError):  # stopping: its failure changes nothing
            await asyncio.wait_for(self.task, self.settings.webhook_timeout + 1)
        self.task = None


class _BlobSweeper:
    """Removes, now and then, the attachment blobs nothing refers to any more (a purged attachment's,
    an upload's cut short): at startup, then every `INTERVAL` seconds. Every worker may run one; a
    blob is only removed once unreferenced and older than the grace period (store/blobs.py)."""

    INTERVAL = 3600.0

    def __init__(self, app: App, store: Store) -> None:
        self.app, self.store = app, store
        self.task: asyncio.Task[None] | None = None
        app.on_startup(self.start)
        app.on_shutdown(self.stop)

    async def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.run())

    async def run(self) -> None:
        from bondline.services import attachments

        while True:
            with contextlib.suppress(Exception):  # a sweep that fails is tried again next time
                await attachments.sweep(self.store, self.app.blobs)
            await asyncio.sleep(self.INTERVAL)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
            self.task = None

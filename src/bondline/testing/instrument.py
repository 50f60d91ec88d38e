"""The test double around the application: fault injection and the request journal, as an ASGI
wrapper, and a test server's control endpoints (`bondline.testing.controls`).

`bondline.bootstrap.create_app` attaches it (`instrument`) only when a server has faults configured
or runs in test mode (`bondline serve --ephemeral`); otherwise the application is served bare and
its request path is exactly what it is without this module (docs/decisions/0001, 0013).

It plugs into the application through the kernel's hooks only: `App.route` (the control routes),
`App.controls` (what they change), `App.dialect_for_path` (an injected error in the body of the API
the path belongs to), and `Store.wipe` (a reset, through `bondline.services.seeding`). Requests to
the control endpoints are never journaled nor faulted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import socket
import struct
import sys
import time
from typing import Any

from bondline.config import Settings
from bondline.domain.errors import DomainError
from bondline.http import errors as http_errors
from bondline.testing import controls as control_routes
from bondline.testing import faults as fault_rules
from bondline.testing.journal import Journal, body_text, headers_of, now_iso, redact

CONTROL_PREFIX = "/api/v1/_"


class Controls:
    """What the control endpoints change: the active faults and the journal of this process."""

    def __init__(self, settings: Settings) -> None:
        self.test_mode = settings.test_mode
        self.configured = fault_rules.from_setting(settings.faults) if settings.faults else fault_rules.Config()
        self.plan = fault_rules.Plan(self.configured)
        self.journal = Journal(settings.journal_size, settings.journal_body_bytes) \
            if settings.test_mode and settings.journal_size > 0 else None

    def set_faults(self, config: fault_rules.Config) -> None:
        """Replace the active faults (their counters, windows and random draws start afresh)."""
        self.plan = fault_rules.Plan(config)

    def add_faults(self, rules: list[fault_rules.Rule]) -> None:
        """Add rules to those in force, leaving their state as it is."""
        self.plan.extend(rules)

    def restore_faults(self) -> None:
        """Back to the server's own configuration (none unless it was started with faults)."""
        self.plan = fault_rules.Plan(self.configured)

    def reset(self) -> None:
        self.restore_faults()
        if self.journal is not None:
            self.journal.clear()


class Instrumented:
    """The application with faults applied before it and every exchange journaled around it."""

    def __init__(self, app: Any, controls: Controls) -> None:
        self.app = app
        self.controls = controls

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        controls = self.controls
        journal = controls.journal
        plan = controls.plan
        started = time.perf_counter()
        decision = plan.decide(scope["method"], scope["path"]) if plan else None
        if journal is None:
            await self._serve(scope, receive, send, decision)
            return

        request_chunks: list[bytes] = []
        request_size = 0
        response_chunks: list[bytes] = []
        response_size = 0
        status: int | None = None
        response_headers: list[tuple[bytes, bytes]] = []
        limit = journal.body_bytes

        async def recording_receive() -> Any:
            nonlocal request_size
            message = await receive()
            if message.get("type") == "http.request":
                chunk = message.get("body", b"")
                if request_size < limit:
                    request_chunks.append(chunk[:limit - request_size])
                request_size += len(chunk)
            return message

        async def recording_send(message: Any) -> None:
            nonlocal status, response_size, response_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunk = message.get("body", b"")
                if response_size < limit:
                    response_chunks.append(chunk[:limit - response_size])
                response_size += len(chunk)
            await send(message)

        try:
            await self._serve(scope, recording_receive, recording_send, decision)
        finally:
            body, body_cut = body_text(request_chunks, request_size, limit)
            response_body, response_cut = body_text(response_chunks, response_size, limit)
            query = scope.get("query_string", b"").decode("latin-1")
            journal.add({
                "time": now_iso(),
                "method": scope["method"],
                "path": scope["path"],
                "query": redact(query),
                "headers": headers_of(scope.get("headers", [])),
                "body": body,
                "bodySize": request_size,
                "bodyTruncated": body_cut,
                "status": status,
                "responseHeaders": headers_of(response_headers),
                "responseBody": response_body,
                "responseBodySize": response_size,
                "responseBodyTruncated": response_cut,
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
                "faults": decision.labels if decision is not None else [],
            })

    async def _serve(self, scope: dict[str, Any], receive: Any, send: Any, decision: fault_rules.Decision | None
                     ) -> None:
        if decision is None:
            await self.app(scope, receive, send)
            return
        if decision.delay:
            await asyncio.sleep(decision.delay)
        if decision.action is None:
            await self.app(scope, receive, send)
            return
        # Read what was sent (so the journal shows it), then answer in the application's stead.
        await _drain(receive, self.app.settings.max_body_bytes)
        if decision.action == "drop":
            await drop(scope, send)
        else:
            await self._refuse(scope, send, decision)

    async def _refuse(self, scope: dict[str, Any], send: Any, decision: fault_rules.Decision) -> None:
        """A 429 or an error in the body of the API the path belongs to (Confluence's, Reltio's, …)."""
        dialect = self.app.dialect_for_path(scope["path"])
        name = getattr(dialect, "name", "")
        if decision.status == 429:
            message = "Too many requests, please try later" if name == "reltio" else "Rate limit exceeded."
            reason = "temporarily_unavailable" if name == "oauth" else "TOO_MANY_REQUESTS"
        else:
            message = "Service Unavailable" if decision.status == 503 else "Injected fault"
            reason = "temporarily_unavailable" if name == "oauth" else (
                "SERVICE_UNAVAILABLE" if decision.status == 503 else "INJECTED_FAULT")
        response = dialect.error(None, injected_fault(decision.status)(message, reason=reason))
        response.status = decision.status
        headers = [h for h in (response.headers or []) if h[0] != b"retry-after"]
        if decision.retry_after is not None:
            headers.append((b"retry-after", str(decision.retry_after).encode()))
        elif decision.status == 503:
            headers.append((b"retry-after", b"1"))
        if decision.status == 429:
            # Confluence Cloud's rate limit headers; X-RateLimit-Reset is when a retry may succeed.
            wait = decision.reset_in if decision.reset_in is not None else float(decision.retry_after or 0)
            reset = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=max(wait, 0))
            headers.append((b"x-ratelimit-reset", reset.strftime("%Y-%m-%dT%H:%MZ").encode()))
            if decision.limit is not None:
                headers.append((b"x-ratelimit-limit", str(decision.limit).encode()))
                headers.append((b"x-ratelimit-remaining", b"0"))
        response.headers = headers
        finish = getattr(dialect, "finish", None)
        if finish is not None:  # e.g. Reltio's Workflow API envelope, as the application would answer
            response = finish(scope, response)
        await send({"type": "http.response.start", "status": response.status, "headers": response.header_list()})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else response.body})


@functools.cache
def injected_fault(status: int) -> type[DomainError]:
    """The error a fault rule answering `status` raises. It is not the domain's: each status gets a
    class of its own in the HTTP layer's status table, so every dialect renders it in its body as it
    would a domain error with that status."""

    class InjectedFault(DomainError):
        pass

    InjectedFault.__qualname__ = InjectedFault.__name__ = f"InjectedFault{status}"
    http_errors.register(InjectedFault, status)
    return InjectedFault


async def _drain(receive: Any, limit: int) -> None:
    size = 0
    while size <= limit:
        message = await receive()
        if message.get("type") != "http.request":
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def drop(scope: dict[str, Any], send: Any) -> None:
    """Close the client's connection without an answer. ASGI has no way to say so: the socket is
    found among this process's descriptors by its two addresses and shut down (POSIX). Where that is
    not possible, a response is started and cut short instead, which clients see as a broken
    connection too."""
    if _shutdown_connection(scope):
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1048576")]})
    await send({"type": "http.response.body", "body": b"", "more_body": True})
    raise ConnectionAbortedError("fault injection: connection dropped")


def _shutdown_connection(scope: dict[str, Any]) -> bool:
    client, server = scope.get("client"), scope.get("server")
    if not client or not server or sys.platform == "win32":
        return False
    want_peer = (str(client[0]), str(client[1]))
    want_port = str(server[1])
    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    try:
        fds = [int(name) for name in os.listdir(fd_dir)]
    except OSError:
        return False
    for fd in fds:
        try:
            sock = socket.fromfd(fd, socket.AF_INET if ":" not in want_peer[0] else socket.AF_INET6,
                                 socket.SOCK_STREAM)
        except OSError:
            continue
        try:
            peer = sock.getpeername()
            if not isinstance(peer, tuple) or (str(peer[0]), str(peer[1])) != want_peer:
                continue
            if str(sock.getsockname()[1]) != want_port:
                continue
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.shutdown(socket.SHUT_RDWR)
            return True
        except OSError:
            continue
        finally:
            sock.close()
    return False


def instrument(app: Any) -> Instrumented:
    """Attach the test double to `app` (built by `bondline.bootstrap.build`) for its settings: the
    faults and the journal around it, and in test mode the live control routes, which reach
    `controls` through `app.controls`."""
    controls = Controls(app.settings)
    if controls.test_mode:
        app.controls = controls
        control_routes.install(app, controls)
    return Instrumented(app, controls)

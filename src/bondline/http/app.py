"""The ASGI kernel: routing, body limits, authentication, the lifespan, and turning errors into each
wire API's own error body.

It imports no wire API, use case, store, metrics or test double: `bondline.bootstrap` builds it and
plugs those in through its hooks: `route` and `claim_prefix` (the dialects and the UI), `on_startup`
and `on_shutdown` (the store, the metrics snapshots, the webhook dispatcher), `metrics` (anything
with `observe`), and `controls` (a test server's, `bondline.testing`)."""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from bondline import consistency, logs
from bondline.config import Settings
from bondline.domain.errors import (
    DomainError,
    Internal,
    Invalid,
    MethodNotAllowed,
    NotFound,
    RequestTimeout,
    TooLarge,
    Unauthenticated,
)
from bondline.http.request import Request
from bondline.http.responses import Response
from bondline.http.router import BadPath, Route, Router, split_path

if TYPE_CHECKING:
    from bondline.domain.model import Caller

log = logging.getLogger("bondline.http")
access_log = logging.getLogger("bondline.access")

_BODY_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))


class Dialect(Protocol):
    """A wire API: it owns a path prefix and renders errors in its own body shape. A dialect may
    also have ``finish(scope, response) -> Response``, through which every answer under it passes
    last (Reltio's Workflow API envelope, `bondline.dialects.reltio.workflow`)."""

    name: str

    def error(self, request: Request | None, err: DomainError) -> Response: ...


class Authenticator(Protocol):
    """Who sent a request, from its Authorization header (None: no credentials, or unknown ones)."""

    async def caller_for(self, authorization: str | None) -> Caller | None: ...


class Observer(Protocol):
    """Request metrics: told of every answered request, on its path, so it must be cheap."""

    def observe(self, method: str, route: str, status: int, seconds: float) -> None: ...


Hook = Callable[[], Awaitable[None]]


_ID_PREFIX = f"{os.getpid():x}-{secrets.token_hex(3)}-"
_ids = itertools.count(1)
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-Id when it is a sane one, else a new one (cheap: a process prefix and
    a counter, unique across the workers of a deployment)."""
    for key, value in headers:
        if key == b"x-request-id":
            text = value.decode("latin-1")
            if _GOOD_ID.fullmatch(text):
                return text
            break
    return f"{_ID_PREFIX}{next(_ids):x}"


def _settle_heap() -> None:
    """Move everything alive once a served worker has started (modules, compiled statements, the
    router) out of the garbage collector's sight. Without this, every full collection walks that
    whole heap: 70–95 ms with nothing to collect, measured under a write load, during which the
    worker answers nobody — the cause of SQLite's 60 ms write p99 (docs/performance.md)."""
    gc.collect()
    gc.freeze()


def unknown_path() -> NotFound:
    """What a path no route matches is answered (in the body of the API the path belongs to)."""
    return NotFound("No resource matches this path", reason="NO_ROUTE")


class ClientDisconnected(Exception):
    pass


class App:
    def __init__(self, settings: Settings, store: Any, auth: Authenticator) -> None:
        self.settings = settings
        # For the handlers (`req.app.store`); the kernel never uses it (bootstrap opens and closes it).
        self.store = store
        self.auth = auth
        self.router = Router()
        self._prefixes: list[tuple[str, Dialect]] = []
        self._default_dialect: Dialect | None = None
        self.started = False
        self._on_startup: list[Hook] = []
        self._on_shutdown: list[Hook] = []
        # Request metrics (None: not measured). One `is not None` test per request when off.
        self.metrics: Observer | None = None
        # A test server's controls (`bondline.testing.instrument.Controls`), for its control routes;
        # None on every other server. The kernel never reads it.
        self.controls: Any = None
        # The attachments' blob store (`bondline.store.blobs.BlobStore`), for their handlers; the
        # kernel never reads it.
        self.blobs: Any = None
        self._access_log = settings.access_log
        # Consistency tokens (decision 0029): on only while a read replica is configured; then each
        # request's token is parsed for the store and the new one handed back.
        self.consistency_tokens = bool(settings.pg_replica_url)

    # --- registration ------------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Any, *, dialect: Dialect, auth: str = "required",
              **options: Any) -> Route:
        return self.router.add(method, pattern, handler, dialect=dialect, auth=auth, **options)

    def claim_prefix(self, prefix: str, dialect: Dialect, default: bool = False) -> None:
        """Unmatched paths under `prefix` get `dialect`'s 404 body."""
        self._prefixes.append((prefix, dialect))
        self._prefixes.sort(key=lambda item: -len(item[0]))
        if default:
            self._default_dialect = dialect

    def dialect_for_path(self, path: str) -> Dialect:
        for prefix, dialect in self._prefixes:
            if path.startswith(prefix):
                return dialect
        assert self._default_dialect is not None
        return self._default_dialect

    def on_startup(self, hook: Hook) -> None:
        """Run `hook` at startup, after those registered before it."""
        self._on_startup.append(hook)

    def on_shutdown(self, hook: Hook) -> None:
        """Run `hook` at shutdown, before those registered before it: what started last stops first."""
        self._on_shutdown.append(hook)

    # --- ASGI ----------------------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def startup(self) -> None:
        if not self.started:
            for hook in self._on_startup:
                await hook()
            self.started = True

    async def shutdown(self) -> None:
        if self.started:
            for hook in reversed(self._on_shutdown):
                await hook()
            self.started = False

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:  # logged, and reported to the server, which exits
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                _settle_heap()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        started = time.perf_counter()
        request: Request | None = None
        dialect: Dialect | None = None
        pattern = "(unmatched)"
        request_id = _request_id(scope["headers"])
        id_token = logs.request_id.set(request_id)
        allow: str | None = None  # a 405's Allow header (RFC 9110 §15.5.6): the methods the path has
        state: consistency.Request | None = None
        try:
            raw_path = scope.get("raw_path") or scope["path"].encode()
            if b"%00" in raw_path or b"%00" in scope.get("query_string", b""):
                # PostgreSQL cannot store NUL in text; refuse it the same way on every backend.
                dialect = self.dialect_for_path(scope.get("path", "/"))
                raise Invalid("The request contains a NUL character (%00), which no identifier or value may hold",
                              reason="NUL_CHARACTER")
            segments = split_path(raw_path)
            routes, values = self.router.match(segments)
            if routes is None and len(segments) > 1 and segments[-1] == "":
                # A trailing slash no route claims (`POST /rest/api/content/`, as atlassian-python-api's
                # add_comment sends it) names the same resource without it, as Confluence's server takes it.
                routes, values = self.router.match(segments[:-1])
            if routes is None:
                dialect = self.dialect_for_path(scope["path"])
                raise unknown_path()
            route = routes.get(scope["method"])
            if route is None:
                if scope["method"] == "HEAD" and "GET" in routes:
                    route = routes["GET"]
                else:
                    dialect = next(iter(routes.values())).dialect
                    methods = set(routes) | ({"HEAD"} if "GET" in routes else set())
                    allow = ", ".join(sorted(methods))
                    raise MethodNotAllowed(f"Method {scope['method']} is not supported here")
            dialect = route.dialect
            pattern = route.pattern
            request = Request(scope, dict(zip(route.param_names, values, strict=True)), route, self, request_id)
            if scope["method"] in _BODY_METHODS:
                if route.options.get("stream_body"):
                    # The handler reads the body itself, in chunks (`Request.stream`): uploads never
                    # sit in memory whole, and have a limit of their own.
                    request.receive = receive
                else:
                    request.body = await self._read_body(scope, receive)
            if route.auth != "none":
                caller = await self.auth.caller_for(request.header(b"authorization"))
                if caller is None:
                    if route.auth == "required":
                        raise Unauthenticated("This request requires authentication")
                else:  # the verified caller is kept across requests; this request is theirs
                    request.caller = caller.in_request(request_id)
            if self.consistency_tokens:  # after authentication, which always reads the primary
                state = consistency.from_headers(scope["method"], scope["headers"])
                state_token = consistency.current.set(state)
                try:
                    response = await route.handler(request)
                finally:
                    consistency.current.reset(state_token)
            else:
                response = await route.handler(request)
        except DomainError as err:
            if dialect is None:
                dialect = self.dialect_for_path(scope.get("path", "/"))
            response = dialect.error(request, err)
        except BadPath as err:
            dialect = self.dialect_for_path(scope.get("path", "/"))
            response = dialect.error(None, Invalid(str(err)))
        except ClientDisconnected:
            return
        except Exception:  # logged; never a stack trace on the wire
            incident = uuid.uuid4().hex[:12]
            log.exception("unhandled error (incident %s) on %s %s", incident, scope.get("method"),
                          scope.get("path"))
            if dialect is None:
                dialect = self.dialect_for_path(scope.get("path", "/"))
            response = dialect.error(request, Internal(
                f"Internal error (incident {incident}); the server log has details"))
        finally:
            logs.request_id.reset(id_token)
        finish = getattr(dialect, "finish", None)
        if finish is not None:
            response = finish(scope, response)
        headers = response.header_list()
        if allow is not None and response.status == 405:
            headers.append((b"allow", allow.encode()))
        elif response.status == 408:
            headers.append((b"connection", b"close"))  # the rest of the body may still come: not on this one
        headers.append((b"x-request-id", request_id.encode()))
        if state is not None and state.changed():
            headers.extend(consistency.response_headers(state, scope.get("scheme") == "https"))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        chunks = response.chunks
        if chunks is not None and scope["method"] != "HEAD":
            async for chunk in chunks:  # a file streamed from disk, a chunk at a time
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.body",
                        "body": b"" if scope["method"] == "HEAD" else response.body})
        if self.metrics is not None:
            self.metrics.observe(scope["method"], pattern, response.status, time.perf_counter() - started)
        if self._access_log:
            self._log_access(scope, request, response.status, started, request_id)

    @staticmethod
    def _log_access(scope: dict[str, Any], request: Request | None, status: int, started: float,
                    request_id: str) -> None:
        """One line per request. The path is logged without its query string, and no header or body is
        ever logged, so no credential reaches the log."""
        caller = request.caller_if_any if request is not None else None
        access_log.info("%s %s %d", scope["method"], scope["path"], status, extra={
            "request_id": request_id, "method": scope["method"], "path": scope["path"], "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "caller": caller.account_id if caller is not None else None,
            "client": (scope.get("client") or ("", 0))[0]})

    async def _read_body(self, scope: dict[str, Any], receive: Any) -> bytes:
        limit = self.settings.max_body_bytes
        framed = False
        for key, value in scope["headers"]:
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    raise Invalid("Content-Length is not a number") from None
                if declared > limit:
                    raise TooLarge(f"The request body is larger than the {limit}-byte limit")
                if declared == 0:
                    return b""
                framed = True
            elif key == b"transfer-encoding":
                framed = True
        if not framed and scope.get("http_version") != "2":
            # HTTP/1 without a length or chunking has no body (RFC 9112 §6.3): nothing to wait for, and
            # the body-less writes (relation PUT and DELETE, the hot ones) skip the timer below.
            return b""
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.settings.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise ClientDisconnected()
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"The request body is larger than the {limit}-byte limit")
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks)
        except TimeoutError:
            timeout = self.settings.body_timeout
            raise RequestTimeout(f"The request body did not arrive within {timeout:g} s") from None

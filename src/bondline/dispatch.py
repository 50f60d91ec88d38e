"""The webhook dispatcher: delivers pending deliveries at least once.

Runs inside every `bondline serve` worker (unless `--no-dispatch`) and as `bondline dispatch`, a
process of its own; any number may run against one database. Each round it leases a batch of due
deliveries (a lease is a time-limited claim written to the row, see `store.repos.webhooks`), POSTs
them concurrently, and records each outcome: a 2xx marks the delivery delivered; anything else (an
error status, a timeout, a refused connection) schedules a retry after an exponential backoff, and
after `webhook_max_attempts` failures marks it dead. A dispatcher killed mid-delivery records nothing:
its lease runs out and another dispatcher (or the same one, restarted) delivers the event again — so a
receiver may see a delivery twice, and de-duplicates by `X-Bondline-Delivery`.

Where a delivery may connect is checked when it connects (`_CheckedBackend`): the webhook's host is
resolved once, within the attempt's timeout; if any address it resolves to is loopback, link-local or
another local kind (`events.address_refusal`) and the server does not allow local targets, the
attempt fails with that reason and nothing is sent; otherwise the connection goes to an address that
was checked, never to the name again (a second lookup could answer differently: DNS rebinding). So
deliveries connect directly: HTTP(S)_PROXY variables are not used (a proxy would connect on its own).

Each request carries:
- ``X-Bondline-Signature: sha256=<hex>``: HMAC-SHA256 of the raw body with the webhook's secret;
- ``X-Bondline-Event``: the event type; ``X-Bondline-Delivery``: the delivery's id (stable across
  retries and replays); ``X-Bondline-Attempt``: 1 for the first attempt.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import socket
import time
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx
import msgspec

from bondline import __version__, ids
from bondline.config import Settings
from bondline.domain import events as ev
from bondline.domain.audit import SYSTEM_ACTOR
from bondline.domain.errors import Unavailable
from bondline.store import Store
from bondline.store.repos.webhooks import Job

log = logging.getLogger("bondline.dispatch")
BATCH = 16
_encode = msgspec.json.Encoder().encode


def sign(secret: str, body: bytes) -> str:
    """The value of X-Bondline-Signature for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does (in constant time)."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


def body_of(job: Job) -> bytes:
    payload = msgspec.json.decode(job.payload)
    return _encode(ev.envelope(job.event_id, job.event_type, job.event_created_at, payload))


# What a receiver answers is its status; of its body at most this much is read (and dropped), so a
# short answer leaves the connection reusable and a long one costs no memory.
_DRAIN_BYTES = 64 * 1024
_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout, httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout, httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.ConnectError: httpx.ConnectError, httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError, httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError, httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.TimeoutException: httpx.TimeoutException, httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProtocolError: httpx.ProtocolError,
}


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's TCP connections, each to an address checked against `events.address_refusal`."""

    def __init__(self, allow_local: bool) -> None:
        self.allow_local = allow_local
        self._inner = httpcore.AnyIOBackend()

    # The timeouts below are httpcore's: AsyncNetworkBackend's signatures, the deadline its pool sets.
    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:  # noqa: ASYNC109
        try:
            with anyio.fail_after(timeout):
                found = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took more than {timeout:g} s") from None
        except OSError as exc:  # socket.gaierror: no such name, no resolver
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        return list(dict.fromkeys(str(info[4][0]) for info in found))

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,  # noqa: ASYNC109
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        deadline = None if timeout is None else time.monotonic() + timeout
        addresses = await self._resolve(host, port, timeout)
        if not self.allow_local:
            for address in addresses:
                kind = ev.address_refusal(ipaddress.ip_address(address))
                if kind is not None:
                    raise httpcore.ConnectError(f"{host} is {address}, a {kind} address: refused, nothing sent "
                                                "(BONDLINE_WEBHOOK_ALLOW_LOCAL=1 allows local targets)")
        failed: Exception | None = None
        # In the resolver's order, as a connection by name would try them; each gets an equal share of
        # the time left, so one that never answers (IPv6 without a route, say) leaves time for the next.
        for i, address in enumerate(addresses):
            left = None if deadline is None else max(0.0, deadline - time.monotonic()) / (len(addresses) - i)
            try:
                return await self._inner.connect_tcp(address, port, timeout=left, local_address=local_address,
                                                     socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failed = exc
        raise failed or httpcore.ConnectError(f"{host} resolves to no address")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,  # noqa: ASYNC109
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are delivered over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _DeliveryTransport(httpx.AsyncBaseTransport):
    """httpx over httpcore's connection pool with `_CheckedBackend`: httpx's own transport does not
    let its network backend be chosen. TLS is still checked against the URL's host name."""

    def __init__(self, allow_local: bool) -> None:
        # httpx's defaults for its own pool (a round sends up to BATCH deliveries at once)
        self._pool = httpcore.AsyncConnectionPool(ssl_context=httpx.create_ssl_context(), max_connections=100,
                                                  max_keepalive_connections=20, keepalive_expiry=5.0,
                                                  network_backend=_CheckedBackend(allow_local))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core = httpcore.Request(request.method, httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                                                             target=url.raw_path),
                                headers=request.headers.raw, content=request.stream, extensions=request.extensions)
        try:
            response = await self._pool.handle_async_request(core)
            try:
                drained = 0
                async for chunk in response.aiter_stream():
                    drained += len(chunk)
                    if drained > _DRAIN_BYTES:
                        break
            finally:
                await response.aclose()
        except Exception as exc:
            for core_error, error in _ERRORS.items():
                if isinstance(exc, core_error):
                    raise error(str(exc), request=request) from exc
            raise
        return httpx.Response(response.status, headers=response.headers, extensions=response.extensions)

    async def aclose(self) -> None:
        await self._pool.aclose()


class Dispatcher:
    def __init__(self, store: Store, settings: Settings, name: str | None = None) -> None:
        self.store = store
        self.settings = settings
        self.owner = name or f"{os.getpid()}-{secrets.token_hex(4)}"
        self._stop = asyncio.Event()
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Dispatcher:
        self._client = httpx.AsyncClient(transport=_DeliveryTransport(self.settings.allows_local_webhooks),
                                         timeout=self.settings.webhook_timeout, follow_redirects=False,
                                         headers={"User-Agent": f"bondline-webhooks/{__version__}"})
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Deliver until `stop()`: rounds back to back while there is work, else a pause."""
        while not self._stop.is_set():
            try:
                done = await self.round()
            except asyncio.CancelledError:
                raise
            except Unavailable:
                done = 0  # the store logs the outage once (store/outage.py); try again next round
            except Exception:  # logged: a database hiccup must not end the dispatcher
                log.exception("webhook dispatch round failed; retrying")
                done = 0
            if done == 0:
                try:
                    await asyncio.wait_for(self._stop.wait(), self.settings.dispatch_interval)
                except TimeoutError:
                    pass

    async def drain(self, rounds: int = 1000) -> int:
        """Deliver what is due now, round after round until nothing is (for `--once` and tests)."""
        total = 0
        for _ in range(rounds):
            done = await self.round()
            if done == 0:
                break
            total += done
        return total

    async def round(self) -> int:
        """Lease a batch of due deliveries and attempt each; returns how many were attempted."""
        now = ids.now_ms()
        until = now + int(self.settings.webhook_lease_seconds * 1000)
        async with self.store.read() as tx:
            if not await tx.webhooks.any_due(now):
                return 0
        async with self.store.write(SYSTEM_ACTOR) as tx:
            jobs = await tx.webhooks.lease(self.owner, now, until, BATCH)
        if jobs:
            await asyncio.gather(*(self._attempt(job) for job in jobs))
        return len(jobs)

    async def _attempt(self, job: Job) -> None:
        assert self._client is not None, "use the dispatcher as `async with Dispatcher(...)`"
        body = body_of(job)
        headers = {"Content-Type": "application/json", "X-Bondline-Event": job.event_type,
                   "X-Bondline-Delivery": str(job.id), "X-Bondline-Attempt": str(job.attempts + 1),
                   "X-Bondline-Signature": sign(job.secret, body)}
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(job.url, content=body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:512] or type(exc).__name__
        ok = error is None
        attempts = job.attempts + 1
        now = ids.now_ms()
        state, next_at = ev.after_attempt(attempts, ok, self.settings.webhook_max_attempts, now,
                                          self.settings.webhook_backoff_base)
        # The URL may carry a token in its query: log the delivery id, never the URL or the secret.
        if not ok:
            log.info("webhook delivery %s attempt %d failed (%s)%s", job.id, attempts, error,
                     "; it is dead" if state == ev.DEAD else "")
        async with self.store.write(SYSTEM_ACTOR) as tx:
            await tx.webhooks.finish(job.id, self.owner, status=state, next_at=next_at, now=now,
                                     http_status=status, error=error)


async def run_forever(store: Store, settings: Settings, stopping: asyncio.Event | None = None) -> None:
    """A dispatcher for a server worker or `bondline dispatch`, until cancelled or `stopping` is set."""
    async with Dispatcher(store, settings) as dispatcher:
        if stopping is not None:
            async def relay() -> None:
                await stopping.wait()
                dispatcher.stop()

            watcher: Any = asyncio.get_running_loop().create_task(relay())
        else:
            watcher = None
        try:
            await dispatcher.run()
        finally:
            if watcher is not None:
                watcher.cancel()

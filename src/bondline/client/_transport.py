"""Sending calls: authentication, timeouts, retries with backoff, and errors.

Retries: 429 and 503 mean the server did not do the work (rate limited, or busy), so every method
is retried on them — after `Retry-After` when the server sends one, otherwise with exponential
backoff and jitter (0.5 s, 1 s, 2 s, … capped at `max_backoff`). Connection errors are retried for
idempotent methods only (GET, PUT, DELETE). Everything else is raised at once.
"""

from __future__ import annotations

import base64
import random
from typing import Any

import httpx

from bondline import __version__
from bondline.client._call import Call
from bondline.client.errors import TransportError, error_for

RETRY_STATUSES = frozenset({429, 503})
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class Policy:
    """Shared by the sync and async clients: headers, retry decisions, response handling."""

    def __init__(self, base_url: str, token: str | None, email: str | None, timeout: float, retries: int,
                 backoff: float, max_backoff: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = httpx.Timeout(timeout)
        self.headers = {"Accept": "application/json", "User-Agent": f"bondline-python/{__version__}"}
        if token and email:
            creds = base64.b64encode(f"{email}:{token}".encode()).decode()
            self.headers["Authorization"] = f"Basic {creds}"
        elif token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request_args(self, call: Call[Any]) -> dict[str, Any]:
        return {"method": call.method, "url": call.path, "params": call.params, "json": call.json,
                "headers": dict(call.headers) if call.headers else None, "data": call.data}

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            retry_after = response.headers.get("retry-after")
            if retry_after:
                try:
                    return min(float(retry_after), self.max_backoff)
                except ValueError:
                    pass
        base = min(self.backoff * (2 ** attempt), self.max_backoff)
        return base * (0.5 + random.random() / 2)

    def retry(self, call: Call[Any]) -> Retry:
        return Retry(self, call)

    def result(self, call: Call[Any], response: httpx.Response) -> Any:
        if response.status_code == 404 and call.absent_ok:
            return call.parse(None)
        if response.status_code >= 400:
            try:
                body: Any = response.json()
            except ValueError:
                body = response.text
            raise error_for(response.status_code, body, call.method, str(response.request.url))
        return call.parse(response.json() if response.content else None)

    @staticmethod
    def transport_error(call: Call[Any], exc: Exception) -> TransportError:
        return TransportError(f"{call.method} {call.path}: {type(exc).__name__}: {exc}")


class Retry:
    """The retry decisions for one call, free of I/O so the sync and async clients share them:
    each tells the client how long to wait before trying again, or that it is done."""

    __slots__ = ("policy", "call", "attempt")

    def __init__(self, policy: Policy, call: Call[Any]) -> None:
        self.policy = policy
        self.call = call
        self.attempt = 0

    def after_response(self, response: httpx.Response) -> float | None:
        """Seconds to wait before retrying, or None when this response is the answer."""
        if response.status_code not in RETRY_STATUSES or self.attempt >= self.policy.retries:
            return None
        delay = self.policy.delay(self.attempt, response)
        self.attempt += 1
        return delay

    def after_error(self, exc: Exception) -> float:
        """Seconds to wait before retrying a request that never got an answer (or raise)."""
        if self.call.method not in IDEMPOTENT or self.attempt >= self.policy.retries:
            raise self.policy.transport_error(self.call, exc) from exc
        delay = self.policy.delay(self.attempt, None)
        self.attempt += 1
        return delay

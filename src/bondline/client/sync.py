"""The synchronous client."""

from __future__ import annotations

import time
from typing import Any, TypeVar

import httpx

from bondline.client import confluence as ops
from bondline.client._call import Call, sync_op
from bondline.client._transport import Policy
from bondline.client.resources import build

T = TypeVar("T")
_RESOURCES = build(sync_op)


class Client:
    """A bondline (or Confluence-compatible) server.

    `token` is a bondline API token (sent as a Bearer token) — or, with `email`, sent as Basic
    `email:token` the way Confluence Cloud clients do. `timeout` is per request, in seconds;
    `retries` is how often 429/503 (and connection errors on idempotent requests) are retried.
    """

    def __init__(self, base_url: str, token: str | None = None, *, email: str | None = None,
                 timeout: float = 10.0, retries: int = 3, backoff: float = 0.5, max_backoff: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._policy = Policy(base_url, token, email, timeout, retries, backoff, max_backoff)
        self._http = httpx.Client(base_url=self._policy.base_url, headers=self._policy.headers,
                                  timeout=self._policy.timeout, transport=transport)
        for name, cls in _RESOURCES.items():
            setattr(self, name, cls(self))

    relations: Any
    watches: Any
    spaces: Any
    content: Any
    labels: Any
    users: Any
    audit: Any

    def reltio(self, tenant: str) -> Any:
        """The Reltio API of one tenant (`/reltio/api/{tenant}`)."""
        from bondline.client.reltio import ReltioClient

        return ReltioClient(self, tenant, sync_op)

    def ready(self) -> dict[str, Any]:
        return self._run(ops.ready())

    def _run(self, call: Call[T]) -> T:
        retry = self._policy.retry(call)
        while True:
            try:
                response = self._http.request(**self._policy.request_args(call))
            except httpx.TransportError as exc:
                time.sleep(retry.after_error(exc))
                continue
            delay = retry.after_response(response)
            if delay is None:
                return self._policy.result(call, response)
            time.sleep(delay)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

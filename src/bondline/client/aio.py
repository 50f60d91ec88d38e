"""The asynchronous client: the same resources and methods as `Client`, awaitable."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import httpx

from bondline.client import confluence as ops
from bondline.client._call import Call, async_op
from bondline.client._transport import Policy
from bondline.client.resources import build

T = TypeVar("T")
_RESOURCES = build(async_op, prefix="Async")


class AsyncClient:
    """Like `Client`, for asyncio: ``async with AsyncClient(url, token) as client: await …``."""

    def __init__(self, base_url: str, token: str | None = None, *, email: str | None = None,
                 timeout: float = 10.0, retries: int = 3, backoff: float = 0.5, max_backoff: float = 30.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._policy = Policy(base_url, token, email, timeout, retries, backoff, max_backoff)
        self._http = httpx.AsyncClient(base_url=self._policy.base_url, headers=self._policy.headers,
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
        from bondline.client.reltio import ReltioClient

        return ReltioClient(self, tenant, async_op)

    async def ready(self) -> dict[str, Any]:
        return await self._arun(ops.ready())

    async def _arun(self, call: Call[T]) -> T:
        retry = self._policy.retry(call)
        while True:
            try:
                response = await self._http.request(**self._policy.request_args(call))
            except httpx.TransportError as exc:
                await asyncio.sleep(retry.after_error(exc))
                continue
            delay = retry.after_response(response)
            if delay is None:
                return self._policy.result(call, response)
            await asyncio.sleep(delay)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

"""Fixtures for the review inbox: browser-like clients signed in through the form (on the Reltio tenant
the root conftest's `acme` makes: alice ROLE_USER, bob ROLE_INITIATOR, carol ROLE_REVIEWER, admin a
site admin)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, html[:2000]
    return found.group(1)


class Browser:
    """An httpx client that keeps cookies, as a browser would, and remembers the last CSRF token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.csrf = ""

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        r = await self.client.get(path, **kw)
        found = CSRF.search(r.text)
        if found:
            self.csrf = found.group(1)
        return r

    async def post(self, path: str, data: dict[str, str] | None = None, csrf: bool = True, **kw: Any) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        return await self.client.post(path, data=form, **kw)

    async def sign_in(self, token: str) -> httpx.Response:
        await self.get("/ui/sign-in")
        r = await self.post("/ui/sign-in", {"token": token})
        if r.status_code == 303:
            await self.get("/ui/")
        return r


@pytest.fixture
async def browser(app: Any) -> AsyncIterator[Callable[[], Browser]]:
    """A factory of fresh browsers (each with its own cookie jar)."""
    clients: list[httpx.AsyncClient] = []

    def make(base_url: str = "http://bondline.test") -> Browser:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        clients.append(client)
        return Browser(client)

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def signed_in(browser: Callable[[], Browser]) -> Callable[[Any], Awaitable[Browser]]:
    async def sign(person: Any) -> Browser:
        b = browser()
        r = await b.sign_in(person.token)
        assert r.status_code == 303, r.text
        return b

    return sign

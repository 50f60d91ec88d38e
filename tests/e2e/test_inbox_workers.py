"""A review inbox session holds across worker processes: `bondline serve --workers 2`, one sign-in,
then pages and a form served by whichever worker takes each request."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from tests.live import LiveServer

pytestmark = pytest.mark.live


def test_a_session_holds_across_workers(module_database_url: str) -> None:
    from bondline.config import Settings
    from bondline.services import accounts
    from bondline.services.reltio import tenants
    from bondline.store import create_store

    async def setup() -> str:
        store = create_store(Settings(database_url=module_database_url))
        await store.open()
        try:
            user = await accounts.add_user(store, "workers-rev", "rev@example.com", "Rev", False)
            _, token = await accounts.create_token(store, user.account_id)
            await tenants.add(store, "multi")
            await tenants.grant(store, "multi", user.account_id, ["ROLE_REVIEWER"])
            return token
        finally:
            await store.close()

    token = asyncio.run(setup())
    with LiveServer(module_database_url, workers=2) as server, httpx.Client(base_url=server.url) as c:
        form = c.get("/ui/sign-in")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        assert c.post("/ui/sign-in", data={"csrf": csrf, "token": token}).status_code == 303
        cookie = {"cookie": f"bondline_ui={c.cookies['bondline_ui']}"}
        for _ in range(20):  # new connections, so both workers answer some of them
            fresh = httpx.get(server.url + "/ui/tenants/multi", headers=cookie)
            assert fresh.status_code == 200 and "Data change requests · multi" in fresh.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', fresh.text).group(1)  # type: ignore[union-attr]
        for _ in range(6):
            r = httpx.post(server.url + "/ui/tenants/multi/changeRequests/0000000/reject",
                           data={"csrf": csrf, "confirm": "yes"},
                           headers=cookie)
            assert r.status_code == 404  # past the session and CSRF checks, in any worker

"""Seed 000 (Delete relationship): its own request reproduces the three documented responses, and
its curl command works against a live server with only the base URL and placeholders changed."""

from __future__ import annotations

import shutil
import subprocess
from urllib.parse import urlsplit

import httpx
import pytest

from tests import seeds
from tests.helpers import API, edit_page, make_page, make_space
from tests.live import LiveServer

SEED_URL = seeds.curl_command(seeds.RELATION).split()[-1]


def seed_request(target_key: str, source_key: str = "current") -> str:
    """The seed's URL, placeholders filled: a favourite of historical version 1 of a page."""
    url = SEED_URL
    for placeholder, value in {
        seeds.CONFLUENCE_BASE: "/wiki", ":relationName": "favourite", ":sourceType": "user",
        ":sourceKey": source_key, ":targetType": "content", ":targetKey": target_key,
        "sourceStatus=<string>": "sourceStatus=current", "targetStatus=<string>": "targetStatus=historical",
        "sourceVersion=<integer>": "sourceVersion=1", "targetVersion=<integer>": "targetVersion=1",
    }.items():
        url = url.replace(placeholder, value)
    return url


def test_the_seed_documents_three_responses() -> None:
    assert [r["code"] for r in seeds.postman_item(seeds.RELATION)["response"]] == [204, 403, 404]


async def test_seed_request_reproduces_204_403_404(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "SEED")
    page = await make_page(client, site.alice, "SEED", "Seeded")
    await edit_page(client, site.alice, page, 2)
    favourite = f"{API}/relation/favourite/from/user/current/to/content/{page['id']}" \
                "?targetStatus=historical&targetVersion=1"
    assert (await client.put(favourite, headers=site.bob.bearer)).status_code == 200

    # 403: someone else deleting bob's favourite
    r = await client.delete(seed_request(page["id"], source_key=site.bob.account_id), headers=site.carol.bearer)
    assert r.status_code == 403, (seed_request(page["id"], source_key=site.bob.account_id), r.text)
    # 404: the content does not exist
    assert (await client.delete(seed_request("987654"), headers=site.bob.bearer)).status_code == 404
    # 204: bob deletes his own favourite; and again, when it no longer exists
    assert (await client.delete(seed_request(page["id"]), headers=site.bob.bearer)).status_code == 204
    assert (await client.get(favourite, headers=site.bob.bearer)).status_code == 404
    assert (await client.delete(seed_request(page["id"]), headers=site.bob.bearer)).status_code == 204


@pytest.mark.live
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_seed_curl_command_returns_204(database_url: str) -> None:
    with LiveServer(database_url) as server:
        import asyncio

        from bondline.config import Settings
        from bondline.services import accounts
        from bondline.store import create_store

        async def user() -> str:
            store = create_store(Settings(database_url=database_url))
            await store.open()
            await accounts.add_user(store, "curl-user", "curl@example.com", "Curl")
            _, token = await accounts.create_token(store, "curl-user")
            await store.close()
            return token

        token = asyncio.run(user())
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, headers=headers) as http:
            assert http.post(f"{API}/space", json={"key": "CURL", "name": "Curl"}).status_code == 200
            page = http.post(f"{API}/content", json={"type": "page", "title": "C", "space": {"key": "CURL"}}).json()
            http.put(f"{API}/content/{page['id']}", json={"type": "page", "title": "C", "version": {"number": 2}})
            assert http.put(f"{API}/relation/favourite/from/user/current/to/content/{page['id']}"
                            "?targetStatus=historical&targetVersion=1").status_code == 200

        argv = seeds.fill(seeds.curl_command(seeds.RELATION), {
            seeds.CONFLUENCE_BASE: server.url + "/wiki", "<access_token>": token,
            ":relationName": "favourite", ":sourceType": "user", ":sourceKey": "current",
            ":targetType": "content", ":targetKey": page["id"],
            "sourceStatus=<string>": "sourceStatus=current", "targetStatus=<string>": "targetStatus=historical",
            "sourceVersion=<integer>": "sourceVersion=1", "targetVersion=<integer>": "targetVersion=1",
        })
        assert argv[:3] == ["curl", "-X", "DELETE"]
        assert urlsplit(argv[-1]).netloc == f"127.0.0.1:{server.port}"
        result = subprocess.run(argv + ["-s", "-o", "/dev/null", "-w", "%{http_code}"], capture_output=True,
                                text=True, timeout=30)
        assert result.stdout == "204", result.stderr
        with httpx.Client(base_url=server.url, headers=headers) as http:
            r = http.get(f"{API}/relation/favourite/from/user/current/to/content/{page['id']}"
                         "?targetStatus=historical&targetVersion=1")
            assert r.status_code == 404

"""NUL characters are refused with 400 on every backend (PostgreSQL cannot store them in text)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", [
    "/wiki/rest/api/user?accountId=a%00b",
    "/wiki/rest/api/space/AB%00C",
    "/wiki/rest/api/relation/favourite/from/user/current/to/space/A%00",
    "/wiki/rest/api/user/watch/label/x%00y",
])
async def test_nul_in_path_or_query_is_400(client, site, path) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(path, headers=site.bob.bearer)
    assert r.status_code == 400, r.text
    assert "NUL" in r.json()["message"]


async def test_nul_in_a_json_body_is_400(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/wiki/rest/api/space", headers={**site.bob.bearer, "Content-Type": "application/json"},
                          content=b'{"key": "NUL", "name": "a\\u0000b"}')
    assert r.status_code == 400 and "NUL" in r.json()["message"]
    assert (await client.get("/wiki/rest/api/space/NUL", headers=site.bob.bearer)).status_code == 404


async def test_nul_on_reltio_paths_gets_reltios_body(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/reltio/api/t%00/entities/x", headers=site.bob.bearer)
    assert r.status_code == 400
    assert r.json()["severity"] == "Error" and "NUL" in r.json()["errorMessage"]

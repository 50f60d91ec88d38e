"""What the v2 tests share: the two APIs' prefixes, v2's error body, the DOC space (alice's open
space, as v2 shows it) and a page written through v1."""

from __future__ import annotations

from typing import Any

import pytest

V1 = "/wiki/rest/api"
V2 = "/wiki/api/v2"


def error(r, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """v2's error body, `{"errors": [{status, code, title, detail}]}`, with `status` (and `code`)."""
    assert r.status_code == status, r.text
    body = r.json()
    assert list(body) == ["errors"] and len(body["errors"]) == 1, body
    found = body["errors"][0]
    assert found["status"] == status and set(found) == {"status", "code", "title", "detail"}, found
    if code is not None:
        assert found["code"] == code, found
    return found  # type: ignore[no-any-return]


@pytest.fixture
async def space(client, site) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """DOC, alice's open space, as v2 shows it."""
    r = await client.post(f"{V1}/space", headers=site.alice.bearer, json={"key": "DOC", "name": "Docs"})
    assert r.status_code == 200, r.text
    r = await client.get(f"{V2}/spaces?keys=DOC", headers=site.alice.bearer)
    assert r.status_code == 200, r.text
    [found] = r.json()["results"]
    return found  # type: ignore[no-any-return]


async def v1_page(client, who, title: str, parent: str | None = None,  # type: ignore[no-untyped-def,type-arg]
                  body: str | None = None) -> dict:
    """A page in DOC written through v1 (its body `<p>title</p>` unless `body` is given)."""
    written: dict[str, Any] = {"type": "page", "title": title, "space": {"key": "DOC"},
                               "body": {"storage": {"value": body if body is not None else f"<p>{title}</p>",
                                                    "representation": "storage"}}}
    if parent:
        written["ancestors"] = [{"id": parent}]
    r = await client.post(f"{V1}/content", headers=who.bearer, json=written)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]

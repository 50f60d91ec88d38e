"""`GET /api/v1/reltio/{tenant}/changeRequests`: a tenant's change requests by state (what awaits
review by default), which Reltio's own search cannot list. The CLI's `dcr list` reads it
(tests/e2e/test_sdk_reltio.py)."""

from __future__ import annotations

import asyncio

LIST = "/api/v1/reltio/acme/changeRequests"


async def test_by_state_newest_first(client, acme) -> None:  # type: ignore[no-untyped-def]
    made = []
    for _ in range(3):
        r = await client.post("/reltio/api/acme/changeRequests", headers=acme.bob.bearer)
        assert r.status_code == 200, r.text
        made.append(r.json()["uri"])
        await asyncio.sleep(0.003)  # "newest first" is by createdTime, in milliseconds: one apart at least
    r = await client.post(f"/reltio/api/acme/{made[0]}/_reject", headers=acme.carol.bearer)
    assert r.status_code == 200, r.text

    r = await client.get(LIST, headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    assert [(d["uri"], d["state"]) for d in r.json()] == [(made[2], "AWAITING_REVIEW"), (made[1], "AWAITING_REVIEW")]
    r = await client.get(LIST, headers=acme.alice.bearer, params={"state": "all", "max": 2, "offset": 1})
    assert [d["uri"] for d in r.json()] == [made[1], made[0]]  # waiting ones first, then decided ones
    r = await client.get(LIST, headers=acme.alice.bearer, params={"state": "REJECTED", "createdBy": "bob@example.com"})
    assert [d["uri"] for d in r.json()] == [made[0]]
    r = await client.get(LIST, headers=acme.alice.bearer, params={"createdBy": "carol@example.com"})
    assert r.json() == []


async def test_bad_state_paging_and_tenant(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(LIST, headers=acme.alice.bearer, params={"state": "DONE"})
    assert r.status_code == 400 and "Unknown state 'DONE'" in r.json()["error"]["message"]
    r = await client.get(LIST, headers=acme.alice.bearer, params={"max": 0})
    assert r.status_code == 400
    r = await client.get("/api/v1/reltio/nope/changeRequests", headers=acme.admin.bearer)
    assert r.status_code == 404

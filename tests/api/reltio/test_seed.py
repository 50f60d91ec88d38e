"""Seed 004 (Remove Relation by DCR): both request forms answer with the change request in the
shape of the seed's sample response; the relation stays readable until the request is applied, and
stays for good when it is rejected. The seed's requests also run against a live server."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import httpx
import pytest

from tests import seeds
from tests.api.reltio.conftest import TENANT, address, api
from tests.live import LiveServer


def seed_sample() -> dict[str, Any]:
    """The seed's sample response, as printed (its closing brace is missing in the original)."""
    text = seeds.text(seeds.RELTIO)
    start = text.index("{", text.index("?showObjectsInfo=true", text.index("Sample Response JSON")))
    end = text.index("Possible Object Change Types")
    return json.loads(text[start:end].strip() + "}")


def seed_endpoints() -> list[str]:
    return re.findall(r"^DELETE (\{TenantURL\}/relations/\{id\}\?\S+)$", seeds.text(seeds.RELTIO), re.M)


def shape(value: Any) -> Any:
    """The structure of a JSON value: keys (object URIs generalized) and value types."""
    if isinstance(value, dict):
        return {re.sub(r"^(entities|relations)/[0-9A-Za-z]+$", r"\1/*", k): shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def test_the_seed_names_two_forms() -> None:
    assert seed_endpoints() == ["{TenantURL}/relations/{id}?changeRequestId={dcr_id}",
                                "{TenantURL}/relations/{id}?alwaysCreateDCR=true"]


def assert_seed_shape(body: dict[str, Any], rel: dict[str, Any], person: dict[str, Any], place: dict[str, Any]) -> None:
    sample = seed_sample()
    assert shape(body) == shape(sample)
    assert list(body) == list(sample)  # same keys, same order
    assert re.fullmatch(r"changeRequests/[0-9A-Za-z]{7}", body["uri"])
    assert body["state"] == "AWAITING_REVIEW"
    assert body["type"] == "configuration/changeRequestTypes/default"
    assert body["createdBy"] == body["updatedBy"]
    (item,) = body["changes"][rel["uri"]]
    assert item["type"] == "DELETE_RELATIONSHIP" and re.fullmatch(r"[0-9A-Za-z]{7}", item["id"])
    assert body["objectsInfo"] == {rel["uri"]: {
        "type": "configuration/relationTypes/HasAddress", "startObjectUri": person["uri"],
        "startObjectLabel": "Ada Lovelace", "endObjectUri": place["uri"], "endObjectLabel": "12 Analytical Row",
        "isExist": True}}


async def test_delete_with_change_request_id_stages_and_apply_removes(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    dcr = (await client.post(api("/changeRequests"), headers=acme.bob.bearer)).json()
    dcr_id = dcr["uri"].split("/")[1]
    r = await client.delete(api(f"/{rel['uri']}?changeRequestId={dcr_id}"), headers=acme.bob.bearer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["uri"] == dcr["uri"]
    assert_seed_shape(body, rel, person, place)
    # GET {TenantURL}/{changeRequestURI}?showObjectsInfo=true answers the same document
    again = (await client.get(api(f"/{dcr['uri']}?showObjectsInfo=true"), headers=acme.bob.bearer)).json()
    assert again == body
    # the relation stays until the change request is applied
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 200
    r = await client.post(api(f"/{dcr['uri']}/_apply"), headers=acme.carol.bearer)
    assert r.status_code == 200 and r.json() == {"status": "success"}
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 404
    applied = (await client.get(api(f"/{dcr['uri']}"), headers=acme.bob.bearer)).json()
    assert applied["state"] == "APPLIED" and "objectsInfo" not in applied


async def test_delete_with_always_create_dcr_then_reject_keeps_the_relation(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    # alice may delete relations herself; alwaysCreateDCR=true stages the deletion instead
    r = await client.delete(api(f"/{rel['uri']}?alwaysCreateDCR=true"), headers=acme.alice.bearer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert_seed_shape(body, rel, person, place)
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 200
    r = await client.post(api(f"/{body['uri']}/_reject"), headers=acme.carol.bearer)
    assert r.status_code == 200 and r.json() == {"status": "success"}
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 200
    assert (await client.get(api(f"/{body['uri']}"), headers=acme.alice.bearer)).json()["state"] == "REJECTED"
    # a rejected request cannot be applied any more
    r = await client.post(api(f"/{body['uri']}/_apply"), headers=acme.carol.bearer)
    assert r.status_code == 400 and "REJECTED" in r.json()["errorMessage"]
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 200


async def test_each_new_request_is_its_own(client, acme) -> None:  # type: ignore[no-untyped-def]
    _, _, rel = await address(client, acme.alice)
    first = (await client.delete(api(f"/{rel['uri']}?alwaysCreateDCR=true"), headers=acme.bob.bearer)).json()
    second = (await client.delete(api(f"/{rel['uri']}?alwaysCreateDCR=true"), headers=acme.bob.bearer)).json()
    assert first["uri"] != second["uri"]
    assert len(second["changes"][rel["uri"]]) == 1


@pytest.mark.live
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_seed_requests_with_curl_against_a_live_server(database_url: str) -> None:
    import asyncio

    from bondline.config import Settings
    from bondline.services import accounts
    from bondline.services.reltio import tenants
    from bondline.store import create_store

    async def prepare() -> str:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        await accounts.add_user(store, "seed-user", "seed@example.com", "Seed")
        await tenants.add(store, TENANT)
        await tenants.grant(store, TENANT, "seed-user", ["ROLE_USER", "ROLE_REVIEWER"])
        _, token = await accounts.create_token(store, "seed-user")
        await store.close()
        return token

    with LiveServer(database_url) as server:
        token = asyncio.run(prepare())
        tenant_url = f"{server.url}/reltio/api/{TENANT}"
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(headers=headers) as http:
            person = http.post(f"{tenant_url}/entities", json=[{
                "type": "configuration/entityTypes/Individual",
                "attributes": {"FirstName": [{"value": "Test"}]}}]).json()
            place = http.post(f"{tenant_url}/entities", json=[{
                "type": "configuration/entityTypes/Location",
                "attributes": {"AddressLine1": [{"value": "AddressLine"}]}}]).json()
            rels = http.post(f"{tenant_url}/relations", json=[
                {"type": "configuration/relationTypes/HasAddress",
                 "startObject": {"objectURI": person[0]["object"]["uri"]},
                 "endObject": {"objectURI": place[0]["object"]["uri"]}}]).json()
            rel_id = rels[0]["object"]["uri"].split("/")[1]
            dcr_id = http.post(f"{tenant_url}/changeRequests").json()["uri"].split("/")[1]
        responses = []
        for endpoint in seed_endpoints():
            url = endpoint.replace("{TenantURL}", tenant_url).replace("{id}", rel_id).replace("{dcr_id}", dcr_id)
            # the seed's headers: Authorization "Bearer <accessToken>" and Content-Type application/json
            argv = ["curl", "-s", "-X", "DELETE", "-H", f"Authorization: Bearer {token}", "-H",
                    "Content-Type: application/json", url]
            result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            responses.append(json.loads(result.stdout))
        for body in responses:
            assert shape(body) == shape(seed_sample()), body
        assert responses[0]["uri"] == f"changeRequests/{dcr_id}"
        assert responses[1]["uri"] != responses[0]["uri"]
        with httpx.Client(headers=headers) as http:
            assert http.get(f"{tenant_url}/relations/{rel_id}").status_code == 200
            assert http.post(f"{tenant_url}/changeRequests/{dcr_id}/_apply").json() == {"status": "success"}
            assert http.get(f"{tenant_url}/relations/{rel_id}").status_code == 404
            # the other request's item now conflicts: its relation is gone
            other = responses[1]["uri"]
            r = http.post(f"{tenant_url}/{other}/_apply")
            assert r.status_code == 400 and r.json()["conflicts"][0]["conflict"] == "OBJECT_NOT_FOUND"

"""The SDK's Reltio client and the `bondline dcr` commands, against a live server."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from bondline.cli import app
from bondline.client import BadRequest, Client, Forbidden, NotFound
from bondline.config import Settings
from bondline.services.reltio import tenants
from bondline.store import create_store

pytestmark = pytest.mark.live
runner = CliRunner()
TENANT = "sdk"
PERSON = {"type": "configuration/entityTypes/Individual",
          "attributes": {"FirstName": [{"value": "Grace"}], "LastName": [{"value": "Hopper"}]}}
PLACE = {"type": "configuration/entityTypes/Location", "attributes": {"AddressLine1": [{"value": "1 Navy Yard"}]}}


@pytest.fixture(scope="module")
def tenant(live):  # type: ignore[no-untyped-def]
    async def setup() -> None:
        store = create_store(Settings(database_url=live.database_url))
        await store.open()
        try:
            await tenants.add(store, TENANT)
            await tenants.grant(store, TENANT, live.alice.account_id, ["ROLE_USER"])
            await tenants.grant(store, TENANT, live.bob.account_id, ["ROLE_REVIEWER"])
        finally:
            await store.close()

    asyncio.run(setup())
    return TENANT


def _relation(client: Client) -> str:
    reltio = client.reltio(TENANT)
    person, place = reltio.entities.create([PERSON, PLACE])
    assert person["successful"] and place["successful"]
    made = reltio.relations.create([{"type": "configuration/relationTypes/HasAddress",
                                     "startObject": {"objectURI": person["object"]["uri"]},
                                     "endObject": {"objectURI": place["object"]["uri"]}}])
    return made[0]["object"]["uri"].split("/")[1]


def test_staged_delete_is_applied_by_a_reviewer(live, tenant) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice, Client(live.url, live.bob.token) as bob:
        relation_id = _relation(alice)
        dcr = alice.reltio(TENANT).relations.delete(relation_id, always_create_dcr=True)
        assert dcr["state"] == "AWAITING_REVIEW"
        assert [item["type"] for item in dcr["changes"][f"relations/{relation_id}"]] == ["DELETE_RELATIONSHIP"]
        assert alice.reltio(TENANT).relations.get(relation_id)["uri"] == f"relations/{relation_id}"
        dcr_id = dcr["uri"].split("/")[1]
        shown = bob.reltio(TENANT).change_requests.get(dcr_id, show_objects_info=True)
        assert shown["objectsInfo"][f"relations/{relation_id}"]["isExist"] is True
        with pytest.raises(Forbidden):
            alice.reltio(TENANT).change_requests.apply(dcr_id)
        bob.reltio(TENANT).change_requests.apply(dcr_id)
        with pytest.raises(NotFound) as err:
            alice.reltio(TENANT).relations.get(relation_id)
        assert err.value.body["errorCode"] == 101
        with pytest.raises(BadRequest):
            bob.reltio(TENANT).change_requests.apply(dcr_id)  # no longer AWAITING_REVIEW


def test_dcr_commands(live, tenant) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        relation_id = _relation(alice)
        staged = alice.reltio(TENANT).change_requests.create()
        dcr_id = staged["uri"].split("/")[1]
        alice.reltio(TENANT).relations.delete(relation_id, change_request_id=dcr_id)

    def cli(who, *args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, [*args, "--tenant", TENANT, "--url", live.url, "--token", who.token])

    r = cli(live.bob, "dcr", "list", "--object", f"relations/{relation_id}", "--json")
    assert r.exit_code == 0, r.output
    assert [d["uri"] for d in json.loads(r.stdout)] == [f"changeRequests/{dcr_id}"]
    r = cli(live.bob, "dcr", "show", dcr_id)
    assert r.exit_code == 0 and "AWAITING_REVIEW" in r.stdout
    r = cli(live.bob, "dcr", "reject", dcr_id)
    assert r.exit_code == 0, r.output
    r = cli(live.bob, "dcr", "show", dcr_id, "--json")
    assert json.loads(r.stdout)["state"] == "REJECTED"
    r = cli(live.bob, "dcr", "apply", dcr_id)
    assert r.exit_code == 1 and "400" in r.output
    with Client(live.url, live.alice.token) as alice:
        assert alice.reltio(TENANT).relations.get(relation_id)["uri"] == f"relations/{relation_id}"
    r = cli(live.bob, "dcr", "list")
    assert r.exit_code == 2 and "filter" in r.output

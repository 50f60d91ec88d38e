"""The SDK's Reltio client and the `bondline dcr` commands, against a live server."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from bondline.cli import app
from bondline.client import BadRequest, Client, Forbidden, NotFound, Unauthorized
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
    # Its items, and the objects they change by their labels (a relation: its two ends).
    shown = " ".join(r.stdout.split())
    assert f"relations/{relation_id}" in shown and "DELETE_RELATIONSHIP" in shown, r.stdout
    assert "Grace Hopper → 1 Navy Yard" in shown, r.stdout
    with Client(live.url, live.alice.token) as alice:
        person = alice.reltio(TENANT).entities.create([PERSON])[0]["object"]
        update = alice.reltio(TENANT).entities.update(person["uri"].split("/")[1], [
            {"type": "INSERT_ATTRIBUTE", "uri": f"{person['uri']}/attributes/LastName",
             "newValue": [{"value": "Murray"}]}], always_create_dcr=True)
    r = cli(live.bob, "dcr", "show", update["uri"].split("/")[1])
    assert r.exit_code == 0, r.output
    assert f"{person['uri']}  Grace Hopper" in r.stdout and "INSERT_ATTRIBUTE LastName: Murray" in r.stdout, r.stdout
    r = cli(live.bob, "dcr", "reject", dcr_id)
    assert r.exit_code == 0, r.output
    r = cli(live.bob, "dcr", "show", dcr_id, "--json")
    assert json.loads(r.stdout)["state"] == "REJECTED"
    r = cli(live.bob, "dcr", "apply", dcr_id)
    assert r.exit_code == 1 and "400" in r.output
    with Client(live.url, live.alice.token) as alice:
        assert alice.reltio(TENANT).relations.get(relation_id)["uri"] == f"relations/{relation_id}"

def test_dcr_list_shows_what_awaits_review(live, tenant) -> None:  # type: ignore[no-untyped-def]
    """Without a filter (Reltio's search needs one), `dcr list` asks bondline for what awaits review."""
    with Client(live.url, live.alice.token) as alice:
        ids = [alice.reltio(TENANT).change_requests.create()["uri"].split("/")[1] for _ in range(3)]
        alice.reltio(TENANT).relations.delete(_relation(alice), change_request_id=ids[1])

    def cli(who, *args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, [*args, "--tenant", TENANT, "--url", live.url, "--token", who.token])

    assert cli(live.bob, "dcr", "reject", ids[0]).exit_code == 0
    r = cli(live.bob, "dcr", "list", "--json", "--max", "1000")
    assert r.exit_code == 0, r.output
    listed = json.loads(r.stdout)
    assert {d["state"] for d in listed} == {"AWAITING_REVIEW"}
    uris = [d["uri"] for d in listed]
    assert f"changeRequests/{ids[0]}" not in uris
    assert uris.index(f"changeRequests/{ids[2]}") < uris.index(f"changeRequests/{ids[1]}")  # newest first
    r = cli(live.bob, "dcr", "list")
    assert r.exit_code == 0 and ids[2] in r.stdout and ids[0] not in r.stdout
    everything = [d["uri"] for d in json.loads(cli(live.bob, "dcr", "list", "--all", "--json", "--max", "1000").stdout)]
    assert f"changeRequests/{ids[0]}" in everything and everything.index(f"changeRequests/{ids[0]}") > max(
        everything.index(f"changeRequests/{i}") for i in ids[1:])  # decided ones after the waiting ones
    rejected = json.loads(cli(live.bob, "dcr", "list", "--state", "REJECTED", "--json", "--max", "1000").stdout)
    assert f"changeRequests/{ids[0]}" in [d["uri"] for d in rejected] and {d["state"] for d in rejected} == {
        "REJECTED"}
    r = cli(live.bob, "dcr", "list", "--created-by", "alice@example.com", "--state", "REJECTED", "--json")
    assert [d["uri"] for d in json.loads(r.stdout)][:1] == [f"changeRequests/{ids[0]}"]
    r = cli(live.bob, "dcr", "list", "--state", "DONE")
    said = " ".join(r.output.split())
    assert r.exit_code == 1, r.output
    assert "Unknown state 'DONE': give --state AWAITING_REVIEW, APPLIED, REJECTED, or --all" in said
    r = cli(live.bob, "dcr", "list", "--max", "0")
    assert r.exit_code == 1 and "--max must be between 1 and 1000" in r.output


def test_cli_messages_name_the_cli_flags(live, tenant) -> None:  # type: ignore[no-untyped-def]
    """The API says `ignoreConflicts=true`; the CLI's user typed flags, and hears about flags."""
    with Client(live.url, live.alice.token) as alice:
        person = alice.reltio(TENANT).entities.create([PERSON])[0]["object"]
        entity_id = person["uri"].split("/")[1]
        first = person["attributes"]["FirstName"][0]["uri"].split("/")[-1]
        dcr = alice.reltio(TENANT).entities.update(entity_id, [
            {"type": "UPDATE_ATTRIBUTE", "uri": f"{person['uri']}/attributes/FirstName/{first}",
             "newValue": {"value": "Amazing Grace"}}], always_create_dcr=True)
        alice.reltio(TENANT).entities.update_attribute(entity_id, f"FirstName/{first}", "G.")  # the conflict
    dcr_id = dcr["uri"].split("/")[1]

    def cli(who, *args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, [*args, "--url", live.url, "--token", who.token])

    r = cli(live.bob, "dcr", "show", dcr_id, "--tenant", TENANT)
    assert "[conflict: ATTRIBUTE_WAS_CHANGED]" in r.stdout and "Grace → Amazing Grace" in r.stdout, r.stdout
    r = cli(live.bob, "dcr", "apply", dcr_id, "--tenant", TENANT)
    said = " ".join(r.output.split())
    assert r.exit_code == 1 and "--ignore-conflicts" in said and "ignoreConflicts" not in said, said
    r = cli(live.bob, "dcr", "apply", dcr_id, "--tenant", TENANT, "--ignore-conflicts")
    assert r.exit_code == 0, r.output
    r = cli(live.alice, "watch", "add", "content:999999")
    said = " ".join(r.output.split())
    assert r.exit_code == 1 and "with that id (content:ID)" in said and "contentId" not in said, said
    r = cli(live.alice, "relation", "put", "favourite", "space:NOPE", "user:current")
    said = " ".join(r.output.split())
    assert r.exit_code == 1 and "The source of a 'favourite' relationship must be a user" in said, said


def test_attribute_writes_updates_previews_and_external_info(live, tenant) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice, Client(live.url, live.bob.token) as bob:
        reltio = alice.reltio(TENANT)
        person = reltio.entities.create([PERSON])[0]["object"]
        entity_id = person["uri"].split("/")[1]
        first = person["attributes"]["FirstName"][0]["uri"].split("/")[-1]
        # Attribute-level writes, applied at once (each answers with the entity).
        after = reltio.entities.insert_attribute(entity_id, "FirstName", [{"value": "Amazing Grace"}])
        assert sorted(v["value"] for v in after["attributes"]["FirstName"]) == ["Amazing Grace", "Grace"]
        after = reltio.entities.update_attribute(entity_id, f"FirstName/{first}", "G.")
        assert "G." in [v["value"] for v in after["attributes"]["FirstName"]]
        after = reltio.entities.pin_attribute(entity_id, f"FirstName/{first}")
        pinned = next(v for v in after["attributes"]["FirstName"] if v["uri"].endswith(first))
        assert pinned.get("pin") is True
        after = reltio.entities.ignore_attribute(entity_id, f"FirstName/{first}")
        ignored = next(v for v in after["attributes"]["FirstName"] if v["uri"].endswith(first))
        assert ignored.get("ignored") is True
        after = reltio.entities.delete_attribute(entity_id, f"FirstName/{first}")
        assert [v["value"] for v in after["attributes"]["FirstName"]] == ["Amazing Grace"]
        # A cumulative update staged in a change request, previewed, then looked at by URI.
        dcr = reltio.entities.update(entity_id, [{"type": "INSERT_ATTRIBUTE", "uri": f"entities/{entity_id}"
                                                  "/attributes/LastName", "newValue": [{"value": "Murray"}]}],
                                     always_create_dcr=True)
        dcr_id = dcr["uri"].split("/")[1]
        assert [v["value"] for v in reltio.entities.get(entity_id)["attributes"]["LastName"]] == ["Hopper"]
        preview = reltio.entities.with_change_requests(entity_id, [dcr_id])
        assert sorted(v["value"] for v in preview["attributes"]["LastName"]) == ["Hopper", "Murray"]
        found = bob.reltio(TENANT).change_requests.by_uris([f"changeRequests/{dcr_id}", "changeRequests/nope"])
        assert found[0]["uri"] == f"changeRequests/{dcr_id}" and found[1] == ""
        alice.reltio(TENANT).change_requests.set_external_info(dcr_id, {"ticket": "OPS-7"})
        assert alice.reltio(TENANT).change_requests.external_info(dcr_id) == {"ticket": "OPS-7"}
        alice.reltio(TENANT).change_requests.delete_external_info(dcr_id)
        # The tenant's configuration lists the types the objects above use.
        configuration = alice.reltio(TENANT).configuration.get()
        assert "configuration/entityTypes/Individual" in [t["uri"] for t in configuration["entityTypes"]]


def test_oauth_token_signs_in_like_a_reltio_client(live, tenant) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url) as anonymous:
        grant = anonymous.reltio(TENANT).oauth.token(username="alice@example.com", password=live.alice.token)
    assert grant["token_type"] == "bearer" and grant["expires_in"] > 0
    with Client(live.url, grant["access_token"]) as alice:
        assert alice.users.current()["accountId"] == live.alice.account_id
    with Client(live.url) as anonymous, pytest.raises(Unauthorized) as err:
        anonymous.reltio(TENANT).oauth.token(username="alice@example.com", password="not-a-token")
    assert err.value.body["error"] == "invalid_grant" and "not-a-token" not in str(err.value.body)


def test_search_and_total(live, tenant) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        reltio = alice.reltio(TENANT)
        made = reltio.entities.create([{**PERSON, "attributes": {"FirstName": [{"value": "Searchable"}],
                                                                 "LastName": [{"value": "Sdk"}]}}])
        uri = made[0]["object"]["uri"]
        flt = "equals(attributes.FirstName,'searchable') and startsWith(attributes.LastName,'sd')"
        assert reltio.entities.search(flt, select=["uri", "label"]) == [{"uri": uri, "label": "Searchable Sdk"}]
        assert reltio.entities.total(flt) == 1
        assert reltio.entities.search("equals(attributes.FirstName,'nobody')", max=5) == []
        with pytest.raises(BadRequest):
            reltio.entities.search("equals(attributes.FirstName")


def test_facets_scan_and_by_crosswalk(live, tenant) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        reltio = alice.reltio(TENANT)
        made = [reltio.entities.create([{**PERSON, "attributes": {"FirstName": [{"value": "Scanned"}]},
                                         "crosswalks": [{"type": "configuration/sources/LNKD", "value": f"sdk-{i}"}]}]
                                       )[0]["object"]["uri"] for i in range(3)]
        flt = "equals(attributes.FirstName,'Scanned')"
        assert reltio.entities.facets(["attributes.FirstName"], flt) == {"attributes.FirstName": {"Scanned": 3}}
        seen: list[str] = []
        page = reltio.entities.scan(flt, max=2, select=["uri"])
        while page.get("objects"):
            seen += [o["uri"] for o in page["objects"]]
            page = reltio.entities.scan(cursor=page["cursor"]["cursor"], max=2, select=["uri"])
        assert sorted(seen) == sorted(made)
        assert reltio.entities.by_crosswalk("sdk-1", "LNKD")["uri"] == made[1]
        assert reltio.entities.by_crosswalk("sdk-9", "LNKD") is None


def test_connections_hops_and_relation_search(live, tenant) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        reltio = alice.reltio(TENANT)
        person = reltio.entities.create([PERSON])[0]["object"]["uri"]
        place = reltio.entities.create([PLACE])[0]["object"]["uri"]
        rel = reltio.relations.create([{"type": "configuration/relationTypes/HasAddress",
                                        "startObject": {"objectURI": person},
                                        "endObject": {"objectURI": place}}])[0]["object"]["uri"]
        [page] = reltio.entities.connections(person.split("/")[1], [
            {"outRelations": [{"uri": "configuration/relationTypes/HasAddress"}], "max": 5}])
        assert page["total"] == 1 and page["connections"][0]["relation"]["relationUri"] == rel
        hops = reltio.entities.hops(person.split("/")[1], deep=2, relation_types=[
            "configuration/relationTypes/HasAddress"])
        assert {e["uri"] for e in hops["entities"]} >= {person, place} and hops["dataComplete"] is True
        found = reltio.relations.search(f"equals(startObject,'{person}')", select=["uri"])
        assert found == [{"uri": rel}]
        assert reltio.relations.search("equals(attributes.Title,'x')") == []
        with pytest.raises(BadRequest):
            reltio.relations.search("equals(attributes.Title,")

"""What schemathesis found once its run over /openapi.json (tests/e2e/test_schemathesis.py) had a Reltio
tenant and objects to address, one test each, on both backends: the status and the body a client
sees, and where the finding was in the document, what the document now says."""

from __future__ import annotations

import re
from typing import Any

from openapi_schema_validator import OAS30WriteValidator

from tests.api.reltio.conftest import INDIVIDUAL, address, api, make_entity, reltio_error


async def _document(client: Any) -> dict[str, Any]:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


def _valid(doc: dict[str, Any], schema: dict[str, Any], value: Any) -> bool:
    validator = OAS30WriteValidator({**schema, "components": doc["components"]})
    return validator.is_valid(value)


def _body_schema(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


# --- a change request that no longer awaits review: Reltio's 400 (9003) -------------------------------

async def test_a_change_request_no_longer_awaiting_review_is_refused_as_reltio_does(client, acme) -> None:  # type: ignore[no-untyped-def]
    """Reltio answers 400 with errorCode 9003 (its definitions declare no 409 for change requests), for
    every operation that names such a change request, and changes nothing."""
    person, _, rel = await address(client, acme.alice)
    applied = (await client.post(api("/entities?alwaysCreateDCR=true"), headers=acme.alice.bearer, json=[
        {**INDIVIDUAL, "crosswalks": [{"type": "configuration/sources/LNKD", "value": "staged"}]}])).json()
    (items,) = applied["changes"].values()
    assert (await client.post(api(f"/{applied['uri']}/_apply"), headers=acme.carol.bearer)).status_code == 200
    rejected = (await client.post(api("/changeRequests"), headers=acme.bob.bearer)).json()
    assert (await client.post(api(f"/{rejected['uri']}/_reject"), headers=acme.carol.bearer)).status_code == 200
    applied_id, rejected_id = applied["uri"].split("/")[1], rejected["uri"].split("/")[1]

    for method, path, who, state in [
        ("POST", f"/{applied['uri']}/_apply", acme.carol, "APPLIED"),
        ("POST", f"/{rejected['uri']}/_reject", acme.carol, "REJECTED"),
        ("POST", f"/{rejected['uri']}/_apply", acme.carol, "REJECTED"),
        ("DELETE", f"/{applied['uri']}/changes/{items[0]['id']}", acme.alice, "APPLIED"),
        ("DELETE", f"/{rel['uri']}?changeRequestId={applied_id}", acme.alice, "APPLIED"),
        ("GET", f"/{person['uri']}/_withChangeRequests?changeRequestIds={rejected_id}", acme.alice, "REJECTED"),
        ("GET", f"/{rel['uri']}/_withChangeRequests?changeRequestIds={applied_id}", acme.alice, "APPLIED"),
    ]:
        body = reltio_error(await client.request(method, api(path), headers=who.bearer), 400, 9003,
                            f"is in state {state}; only a change request in state AWAITING_REVIEW can be")
        assert "CHANGE_REQUEST_STATE_INVALID" in body["innerErrorData"]["exception"], body
    r = await client.post(api(f"/entities?changeRequestId={rejected_id}"), headers=acme.bob.bearer,
                          json=[INDIVIDUAL])  # bob's own request (no one else may add to it)
    reltio_error(r, 400, 9003, f"Change request {rejected['uri']} is in state REJECTED")
    r = await client.post(api(f"/{person['uri']}/attributes/FirstName?changeRequestId={applied_id}"),
                          headers=acme.alice.bearer, json={"value": "Augusta"})
    reltio_error(r, 400, 9003, "is in state APPLIED")
    # a Workflow API client gets the same status in its envelope
    r = await client.post(api(f"/{applied['uri']}/_apply"), headers={**acme.carol.bearer, "EnvironmentURL": "x"})
    assert r.status_code == 400 and r.json()["status"] == "failed" and r.json()["error"]["errorCode"] == 10400
    assert r.json()["error"]["innerError"]["errorCode"] == 9003
    # nothing was staged or changed
    assert (await client.get(api(f"/{rejected['uri']}"), headers=acme.alice.bearer)).json()["changes"] == {}
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).status_code == 200


async def test_the_document_declares_400_where_a_change_requests_state_answers(client) -> None:  # type: ignore[no-untyped-def]
    """Reltio's definitions give those operations 400 for a change request in the wrong state; the
    served document says the same (schemathesis reads a 400 there as a state, see STATEFUL)."""
    doc = await _document(client)
    for prefix in ("/reltio/api/{tenantId}", "/services/reltio/api/{tenantId}"):
        for method, path in [("get", "/entities/{id}/_withChangeRequests"),
                             ("get", "/relations/{id}/_withChangeRequests"),
                             ("post", "/changeRequests/{id}/_apply"), ("post", "/changeRequests/{id}/_reject"),
                             ("delete", "/changeRequests/{id}/changes/{changeItemId}")]:
            responses = doc["paths"][prefix + path][method]["responses"]
            assert "400" in responses, (method, prefix + path)


# --- `options` on reads: one of those Reltio documents, as on writes ---------------------------------

async def test_unknown_read_options_are_refused(client, acme) -> None:  # type: ignore[no-untyped-def]
    """GET /entities/{id} and /relations/{id} ignored any `options`; their definitions list which
    exist (the writes already refused others)."""
    person, _, rel = await address(client, acme.alice)
    body = reltio_error(await client.get(api(f"/{person['uri']}?options=ovOnly,bogus"), headers=acme.alice.bearer),
                        400, 9000, "Unknown option 'bogus'")
    assert "sendHidden" in body["errorMessage"]
    reltio_error(await client.get(api(f"/{rel['uri']}?options=ovOnly"), headers=acme.alice.bearer), 400, 9000,
                 "Unknown option 'ovOnly': use resolveMergedEntities")
    r = await client.get(api(f"/{person['uri']}?options=sendHidden,ovOnly"), headers=acme.alice.bearer)
    assert r.status_code == 200 and r.json()["uri"] == person["uri"]
    r = await client.get(api(f"/{rel['uri']}?options=resolveMergedEntities"), headers=acme.alice.bearer)
    assert r.status_code == 200 and r.json()["uri"] == rel["uri"]


# --- POST /changeRequests/_byUris: its body as ChangeRequestsByURIsInput says ---------------------

async def test_by_uris_refuses_null_and_repeated_exclusions(client, acme) -> None:  # type: ignore[no-untyped-def]
    dcr = (await client.post(api("/changeRequests"), headers=acme.bob.bearer)).json()
    for extra, fragment in [({"exclude": None}, "exclude"), ({"select": None}, "select"),
                            ({"exclude": ["state", "state"]}, "'exclude' lists a property twice")]:
        r = await client.post(api("/changeRequests/_byUris"), headers=acme.carol.bearer,
                              json={"uris": [dcr["uri"]], **extra})
        reltio_error(r, 400, 150, fragment)
    r = await client.post(api("/changeRequests/_byUris"), headers=acme.carol.bearer,
                          json={"uris": [dcr["uri"]], "select": "uri,state,type", "exclude": ["type"]})
    assert r.status_code == 200 and r.json() == [{"uri": dcr["uri"], "state": "AWAITING_REVIEW"}]


# --- the attribute endpoints ---------------------------------------------------------------------

async def test_an_attribute_path_the_type_does_not_declare_is_a_bad_request(client, acme) -> None:  # type: ignore[no-untyped-def]
    """An attribute the type does not declare (a sub-attribute of a simple one included) is Reltio's
    400 with errorCode 9005, as in a body; a segment holding an encoded slash is a 400 too (the
    document's path pattern refuses it), and neither touches the value that is there."""
    person, _, rel = await address(client, acme.alice)
    rank = rel["attributes"]["AddressRank"][0]["uri"]
    first = person["attributes"]["FirstName"][0]["uri"]
    for method, path, body in [("DELETE", f"/{rank}/Sub/x", None), ("PUT", f"/{rank}/Sub/x/pin", {"value": True}),
                               ("POST", f"/{rank}/Sub", {"value": "x"}), ("POST", f"/{rel['uri']}/attributes/Nope",
                                                                          {"value": "x"})]:
        r = await client.request(method, api(path), headers=acme.alice.bearer, json=body)
        error = reltio_error(r, 400, 9005, "is not found")
        assert "ATTRIBUTE_TYPE_NOT_FOUND" in error["innerErrorData"]["exception"]
    assert error["errorMessage"] == "Attribute type configuration/relationTypes/HasAddress/attributes/Nope is not found"
    r = await client.put(api(f"/{person['uri']}/attributes/FirstName/a%2Fb"), headers=acme.alice.bearer,
                         json={"value": "x"})
    reltio_error(r, 400, 9000, "Invalid attribute path 'FirstName/a/b'")
    r = await client.delete(api(f"/{first}"), headers=acme.alice.bearer)  # the value is there all along
    assert r.status_code == 200 and "FirstName" not in r.json()["attributes"]


async def test_an_undeclared_attribute_in_a_body_stays_a_bad_request(client, acme) -> None:  # type: ignore[no-untyped-def]
    person = await make_entity(client, acme.alice)
    r = await client.post(api(f"/{person['uri']}/_update"), headers=acme.alice.bearer,
                          json=[{"type": "INSERT_ATTRIBUTE", "attributePath": "Shoe", "newValue": [{"value": "42"}]}])
    reltio_error(r, 400, 9005, "attributes/Shoe is not found")


async def test_inserted_values_are_value_objects(client, acme) -> None:  # type: ignore[no-untyped-def]
    """An insert's body is {"value": …} or an array of them, as the document says (bare values were
    taken as values)."""
    person = await make_entity(client, acme.alice)
    path = api(f"/{person['uri']}/attributes/FirstName")
    for body in (["Augusta"], "Augusta", [{"value": "Augusta"}, "Ada"], [{"novalue": "x"}]):
        reltio_error(await client.post(path, headers=acme.alice.bearer, json=body), 400, 150,
                     "must be an attribute value")
    reltio_error(await client.post(path, headers=acme.alice.bearer, json=[{"value": None}]), 400, 9000,
                 "a simple attribute's value must be a string, got NoneType")
    after = (await client.get(api(f"/{person['uri']}"), headers=acme.alice.bearer)).json()
    assert [v["value"] for v in after["attributes"]["FirstName"]] == ["Ada"]
    r = await client.post(path, headers=acme.alice.bearer, json=[{"value": "Augusta"}, {"value": 1815}])
    assert r.status_code == 200 and [v["value"] for v in r.json()["attributes"]["FirstName"]] == ["Ada", "Augusta",
                                                                                                  "1815"]


async def test_the_attribute_bodies_in_the_document_are_what_bondline_reads(client, acme) -> None:  # type: ignore[no-untyped-def]
    """A value is a string, a number, a boolean or an object (never null); a flag is true/false,
    "true"/"false", alone or as {"value": …} — each form the document allows is accepted."""
    doc = await _document(client)
    base = "/reltio/api/{tenantId}/entities/{id}/attributes/{attribute}"
    insert, update = _body_schema(doc, "post", base), _body_schema(doc, "put", base + "/{valueId}")
    pin = _body_schema(doc, "put", base + "/{valueId}/pin")
    assert not _valid(doc, insert, [{"value": None}]) and not _valid(doc, update, {"value": None})
    assert not _valid(doc, insert, ["Augusta"]) and not _valid(doc, insert, [])
    assert _valid(doc, update, {"value": {"Number": [{"value": "1"}]}})
    assert not _valid(doc, update, {"value": "x", "crosswalk": {"type": "SDS", "value": "1"}})
    person = await make_entity(client, acme.alice)
    first = person["attributes"]["FirstName"][0]["uri"]
    for flag in (True, "false", {"value": True}, {"value": "false"}):
        assert _valid(doc, pin, flag), flag
        r = await client.put(api(f"/{first}/pin"), headers=acme.alice.bearer, json=flag)
        assert r.status_code == 200, (flag, r.text)
    for flag in ({"value": 5}, {}, "maybe", None):
        assert not _valid(doc, pin, flag), flag
        reltio_error(await client.put(api(f"/{first}/pin"), headers=acme.alice.bearer, json=flag), 400)


# --- posted objects: no null for a list ----------------------------------------------------------

async def test_null_lists_in_a_posted_entity_are_refused(client, acme) -> None:  # type: ignore[no-untyped-def]
    """`"roles": null` (or tags, crosswalks) was read as an empty list — on an existing entity it
    cleared its roles; EntityTO does not make them nullable."""
    person = await make_entity(client, acme.alice, {**INDIVIDUAL, "roles": ["R1"], "tags": ["t"]})
    for name in ("roles", "tags", "crosswalks"):
        r = await client.post(api("/entities?alwaysCreateDCR=true"), headers=acme.alice.bearer,
                              json=[{**INDIVIDUAL, name: None}])
        reltio_error(r, 400, 9000, f"[0]: '{name}' must not be null")
        r = await client.post(api("/entities"), headers=acme.alice.bearer, json=[{**INDIVIDUAL, name: None}])
        assert r.status_code == 200, r.text
        (result,) = r.json()
        assert result["successful"] is False and result["index"] == 0
        assert result["errors"]["errorMessage"] == f"[0]: '{name}' must not be null: leave it out instead"
    after = (await client.get(api(f"/{person['uri']}"), headers=acme.alice.bearer)).json()
    assert after["roles"] == ["R1"] and after["tags"] == ["t"]
    r = await client.post(api("/entities"), headers=acme.alice.bearer, json=[{**INDIVIDUAL, "roles": [1]}])
    assert r.json()[0]["errors"]["errorMessage"] == "[0]: 'roles' must be an array of strings"


async def test_a_relations_flags_are_booleans(client, acme) -> None:  # type: ignore[no-untyped-def]
    """`"startRefPinned": "false"` pinned the reference (any non-empty string was true)."""
    person, place, rel = await address(client, acme.alice)
    posted = {"type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": person["uri"]},
              "endObject": {"objectURI": place["uri"]}}
    r = await client.post(api("/relations"), headers=acme.alice.bearer, json=[{**posted, "startRefPinned": "false"}])
    assert r.status_code == 200 and r.json()[0]["successful"] is False, r.text
    assert r.json()[0]["errors"]["errorMessage"] == "[0]: 'startRefPinned' must be true or false"
    r = await client.post(api("/relations?alwaysCreateDCR=true"), headers=acme.alice.bearer,
                          json=[{**posted, "endRefIgnored": None}])
    reltio_error(r, 400, 9000, "[0]: 'endRefIgnored' must be true or false")
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.alice.bearer)).json()["startRefPinned"] is False
    r = await client.post(api("/relations"), headers=acme.alice.bearer, json=[{**posted, "startRefPinned": True}])
    assert r.json()[0]["object"]["startRefPinned"] is True


# --- the change request search filter ------------------------------------------------------------

async def test_the_filters_pattern_holds_every_filter_bondline_accepts(client, acme) -> None:  # type: ignore[no-untyped-def]
    """The document gives `filter` the tokens a filter is made of; what they cannot be is refused.
    (That they nest and alternate properly is a grammar: the exclusion in tests/e2e/test_schemathesis.py.)"""
    doc = await _document(client)
    (param,) = [p for p in doc["paths"]["/reltio/api/{tenantId}/changeRequests"]["get"]["parameters"]
                if p["name"] == "filter"]
    pattern = re.compile(param["schema"]["pattern"])
    accepted = ["equals(createdBy,'alice@example.com')", " EQUALS ( objectURI , 'entities/x' ) ",
                "(equals(createdBy,'a') or in(objectURI,'entities/a, entities/b')) AND equals(createdBy,'it\\'s')"]
    for flt in accepted:
        assert pattern.search(flt), flt
        r = await client.get(api("/changeRequests"), params={"filter": flt}, headers=acme.carol.bearer)
        assert r.status_code == 200, (flt, r.text)
    for flt in ["", " ", "0", "equals(state,'APPLIED')", "createdBy = 'x'", "equals(createdby,'x')",
                "equals(createdBy,\"x\")"]:
        assert not pattern.search(flt), flt
        reltio_error(await client.get(api("/changeRequests"), params={"filter": flt}, headers=acme.carol.bearer),
                     400, 9002)

"""Reltio's Workflow API envelope (docs/decisions/0008-reltio-workflow-envelope.md): a client that
sends `EnvironmentURL` gets `"status": "OK"` beside each success's fields, lists in `data`, and
errors as `{"status": "failed", "error": {errorCode (5 digits), errorMessage, errorData, innerError}}`
with the plain error inside; a client that does not send it gets Reltio's plain bodies, unchanged."""

from __future__ import annotations

from typing import Any

from bondline.testing import faults as fault_rules
from bondline.testing.instrument import instrument
from tests.api.reltio.conftest import INDIVIDUAL, TENANT, address, api, make_entity, make_relation, reltio_error
from tests.api.reltio.test_seed import assert_seed_shape, seed_sample

ENV = {"EnvironmentURL": "https://dev.reltio.com"}
SERVICES = f"/services/reltio/api/{TENANT}"
MINE = "equals(createdBy,'bob@example.com')"


def conforms(method: str, path: str, r: Any) -> bool:
    """`r`'s body is valid against its operation's response schema in the served document."""
    from openapi_schema_validator import OAS30ReadValidator

    from bondline import openapi

    doc = openapi.document()
    schema = doc["paths"][path][method]["responses"][str(r.status_code)]["content"]["application/json"]["schema"]
    return OAS30ReadValidator({**schema, "components": doc["components"]}).is_valid(r.json())


def wf(who: Any) -> dict[str, str]:
    """A workflow-style client's headers: its bearer token and `EnvironmentURL`."""
    return {**who.bearer, **ENV}


def assert_failed(r: Any, status: int, code: int, plain: Any) -> dict[str, Any]:
    """`r` is the envelope of `plain` (the same request's answer without the header)."""
    assert r.status_code == status == plain.status_code, r.text
    body = r.json()
    assert set(body) == {"status", "error"} and body["status"] == "failed", body
    error = body["error"]
    assert set(error) == {"errorCode", "errorMessage", "errorData", "innerError"}, error
    assert error["errorCode"] == code and 10000 <= error["errorCode"] <= 99999
    assert error["innerError"] == plain.json()  # the plain error, whole
    assert error["errorMessage"] == plain.json()["errorMessage"]
    assert error["errorData"] == {"exception": plain.json()["innerErrorData"]["exception"]}  # never a stack
    return body


async def test_seed_delete_by_dcr_answers_the_change_request_with_status_ok(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, place, rel = await address(client, acme.alice)
    r = await client.delete(api(f"/{rel['uri']}?alwaysCreateDCR=true"), headers=wf(acme.bob))
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == [*seed_sample(), "status"] and body["status"] == "OK"  # the seed's fields, then status
    assert conforms("delete", "/reltio/api/{tenantId}/relations/{id}", r)
    dcr = {k: v for k, v in body.items() if k != "status"}
    assert_seed_shape(dcr, rel, person, place)
    # GET {TenantURL}/{changeRequestURI}?showObjectsInfo=true: the same document, enveloped...
    again = await client.get(api(f"/{body['uri']}?showObjectsInfo=true"), headers=wf(acme.bob))
    assert again.status_code == 200 and again.json() == body
    # ...and plain without the header
    plain = await client.get(api(f"/{body['uri']}?showObjectsInfo=true"), headers=acme.bob.bearer)
    assert plain.json() == dcr and "status" not in plain.json()
    # the other form of the seed, under the definitions' prefix
    grace = await make_entity(client, acme.alice, {**INDIVIDUAL, "crosswalks": [
        {"type": "configuration/sources/LNKD", "value": "grace"}]})
    other = await make_relation(client, acme.alice, grace["uri"], place["uri"])
    r = await client.delete(f"{SERVICES}/{other['uri']}?changeRequestId={body['uri'].split('/')[1]}",
                            headers=wf(acme.bob))
    assert r.status_code == 200 and r.json()["uri"] == body["uri"] and r.json()["status"] == "OK"
    assert set(r.json()["changes"]) == {rel["uri"], other["uri"]}
    # applying answers {"status": "OK"} where the plain answer is {"status": "success"}
    r = await client.post(api(f"/{body['uri']}/_apply"), headers=wf(acme.carol))
    assert r.status_code == 200 and r.json() == {"status": "OK"}
    assert conforms("post", "/reltio/api/{tenantId}/changeRequests/{id}/_apply", r)


async def test_without_the_header_bodies_are_plain_byte_for_byte(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, _place, rel = await address(client, acme.alice)
    r = await client.delete(api(f"/{rel['uri']}"), headers=acme.alice.bearer)
    assert r.status_code == 200 and r.content == b'{"status":"success"}'
    listed = await client.get(api(f"/changeRequests?filter={MINE}"), headers=acme.bob.bearer)
    assert listed.status_code == 200 and listed.content == b"[]"
    r = await client.get(api("/relations/nosuch"), headers=acme.alice.bearer)
    body = reltio_error(r, 404, 101)
    assert set(body) == {"severity", "errorMessage", "errorCode", "errorDetailMessage", "innerErrorData"}
    # for a read, the enveloped answer is the plain one plus "status": "OK", nothing else changed
    plain = await client.get(api(f"/{person['uri']}"), headers=acme.alice.bearer)
    enveloped = await client.get(api(f"/{person['uri']}"), headers=wf(acme.alice))
    assert enveloped.json() == {**plain.json(), "status": "OK"}
    assert enveloped.content == plain.content[:-1] + b',"status":"OK"}'


async def test_the_header_name_is_case_insensitive_and_its_value_unused(client, acme) -> None:  # type: ignore[no-untyped-def]
    for headers in ({"environmenturl": "https://361.reltio.com"}, {"ENVIRONMENTURL": ""}):
        r = await client.post(api("/changeRequests"), headers={**acme.bob.bearer, **headers})
        assert r.status_code == 200 and r.json()["status"] == "OK"


async def test_lists_go_in_data(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(api("/entities"), headers=wf(acme.alice), json=[INDIVIDUAL, {"type": "nope"}])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"offset", "size", "data", "status"}
    assert body["status"] == "OK" and body["offset"] == 0 and body["size"] == 2
    assert [item["successful"] for item in body["data"]] == [True, False]
    assert conforms("post", "/reltio/api/{tenantId}/entities", r)
    # no warning: the failed item is reported in its own place, as in the plain answer
    assert body["data"][1]["errors"]["errorCode"] == 119
    for _ in range(3):
        await client.post(api("/changeRequests"), headers=acme.bob.bearer)
    r = await client.get(api(f"/changeRequests?filter={MINE}&offset=1&max=5"), headers=wf(acme.bob))
    body = r.json()
    assert (body["offset"], body["size"], body["status"]) == (1, 2, "OK") and len(body["data"]) == 2
    plain = await client.get(api(f"/changeRequests?filter={MINE}&offset=1&max=5"), headers=acme.bob.bearer)
    assert plain.json() == body["data"]
    r = await client.post(f"{SERVICES}/changeRequests/_byUris", headers=wf(acme.bob),
                          json={"uris": ["changeRequests/nosuch1"]})
    assert r.json() == {"offset": 0, "size": 1, "data": [""], "status": "OK"}
    assert conforms("post", "/services/reltio/api/{tenantId}/changeRequests/_byUris", r)


async def test_errors_are_enveloped_with_five_digit_codes(client, acme) -> None:  # type: ignore[no-untyped-def]
    async def both(method: str, path: str, who: Any, **kwargs: Any) -> tuple[Any, Any]:
        plain = await client.request(method, path, headers=who.bearer, **kwargs)
        return await client.request(method, path, headers=wf(who), **kwargs), plain

    # 404: no such object (plain 101)
    r, plain = await both("GET", api("/relations/nosuch"), acme.alice)
    body = assert_failed(r, 404, 10404, plain)
    assert body["error"]["innerError"]["errorCode"] == 101
    assert body["error"]["errorData"]["exception"].startswith("com.reltio.metadata.errors.CommonException:")
    # 403: carol reviews, she does not initiate (plain 804)
    r, plain = await both("POST", f"{SERVICES}/changeRequests", acme.carol)
    assert assert_failed(r, 403, 10403, plain)["error"]["innerError"]["errorCode"] == 804
    assert conforms("post", "/services/reltio/api/{tenantId}/changeRequests", r)
    # 400: malformed JSON (plain 150)
    r, plain = await both("POST", api("/entities"), acme.alice, content=b"[{")
    assert assert_failed(r, 400, 10400, plain)["error"]["innerError"]["errorCode"] == 150
    assert conforms("post", "/reltio/api/{tenantId}/entities", r)
    # 400: a bad parameter (plain 9000)
    r, plain = await both("GET", api(f"/changeRequests?filter={MINE}&max=0"), acme.bob)
    assert_failed(r, 400, 10400, plain)
    # an unknown tenant: the Workflow API's own code for it, 10061, with the plain status (404)
    r, plain = await both("GET", "/reltio/api/nosuch/entities/abc", acme.admin)
    assert assert_failed(r, 404, 10061, plain)["error"]["innerError"]["errorCode"] == 9001
    # no route, no such method: the same envelope
    r, plain = await both("GET", f"{SERVICES}/nothing", acme.alice)
    assert_failed(r, 404, 10404, plain)
    r, plain = await both("PATCH", api("/entities"), acme.alice, json=[])
    assert_failed(r, 405, 10405, plain)


async def test_a_401_keeps_the_oauth_body(client, acme) -> None:  # type: ignore[no-untyped-def]
    for headers in (ENV, {**ENV, "Authorization": "Bearer nonsense"}):
        r = await client.get(api("/entities/abc"), headers=headers)
        without = {k: v for k, v in headers.items() if k != "EnvironmentURL"}
        plain = await client.get(api("/entities/abc"), headers=without)
        assert r.status_code == 401 and r.content == plain.content
        assert r.json()["error"] == "invalid_token" and "invalid_token" in r.headers["www-authenticate"]


async def test_an_unexpected_failure_is_enveloped_without_internals(client, acme, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bondline.services.reltio import relations

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError('Traceback: File "/work/main/src/bondline/services/reltio/relations.py", line 1: secret')

    monkeypatch.setattr(relations, "get", broken)
    r = await client.get(api("/relations/abc"), headers=wf(acme.alice))
    assert r.status_code == 500
    body = r.json()
    assert body["status"] == "failed" and body["error"]["errorCode"] == 10500
    assert body["error"]["innerError"]["errorCode"] == 2001
    assert "stack" not in body["error"]["errorData"]
    assert "incident" in body["error"]["errorData"]["exception"]
    for leak in (".py", "bondline", "Traceback", "secret", "RuntimeError"):
        assert leak not in r.text, leak
    plain = await client.get(api("/relations/abc"), headers=acme.alice.bearer)
    assert plain.status_code == 500 and set(plain.json()) >= {"severity", "errorCode"}


async def test_injected_faults_are_enveloped_too(app, acme) -> None:  # type: ignore[no-untyped-def]
    import httpx

    wrapped = instrument(app)
    wrapped.controls.set_faults(fault_rules.parse({"rules": [{"kind": "error", "status": 503, "path": "/reltio/*"}]}))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://bondline.test") as c:
        r = await c.get(api("/entities/abc"), headers=wf(acme.alice))
        plain = await c.get(api("/entities/abc"), headers=acme.alice.bearer)
    assert r.headers["retry-after"] == "1"
    assert assert_failed(r, 503, 10503, plain)["error"]["innerError"]["errorCode"] == 2001


async def test_the_served_document_declares_the_header_and_the_envelope(client, acme) -> None:  # type: ignore[no-untyped-def]
    from openapi_schema_validator import OAS30ReadValidator

    doc = (await client.get("/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    assert {"bondline.ReltioWorkflowOK", "bondline.ReltioWorkflowList", "bondline.ReltioWorkflowError"} <= set(schemas)
    reltio = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            headers = [p for p in op.get("parameters", []) if p.get("in") == "header" and p["name"] == "EnvironmentURL"]
            if path.startswith(("/services/workflow/", "/nui/workflow/", "/workflow-adapter/")):
                assert len(headers) == 1, (method, path)  # the Workflow API itself (decision 0025)
                continue
            if not path.startswith(("/reltio/api/{tenantId}", "/services/reltio/api/{tenantId}")):
                assert not headers, (method, path)
                continue
            reltio += 1
            assert len(headers) == 1 and headers[0]["required"] is False, (method, path)
            assert '"status": "OK"' in headers[0]["description"]
            for status, response in op["responses"].items():
                schema = response["content"]["application/json"]["schema"]
                if status == "401":
                    assert "anyOf" not in schema
                else:
                    assert len(schema["anyOf"]) == 2, (method, path, status)
                if status.startswith(("4", "5")) and status != "401":
                    assert {"$ref": "#/components/schemas/bondline.ReltioWorkflowError"} in schema["anyOf"]
    assert reltio >= 60

    def valid(path: str, method: str, status: int, body: Any) -> bool:
        schema = doc["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
        return OAS30ReadValidator({**schema, "components": doc["components"]}).is_valid(body)

    # what a workflow client receives validates against the served document; so does the plain answer
    person = await make_entity(client, acme.alice)
    one = "/reltio/api/{tenantId}/entities/{id}"
    for headers in (wf(acme.alice), acme.alice.bearer):
        r = await client.get(api(f"/{person['uri']}"), headers=headers)
        assert valid(one, "get", 200, r.json())
        r = await client.get(api("/entities/nosuch"), headers=headers)
        assert valid(one, "get", 404, r.json())
        r = await client.get(api(f"/changeRequests?filter={MINE}"), headers=headers)
        assert valid("/reltio/api/{tenantId}/changeRequests", "get", 200, r.json())
    r = await client.get(api(f"/changeRequests?filter={MINE}"), headers=wf(acme.bob))
    assert not valid("/reltio/api/{tenantId}/changeRequests", "get", 200, {**r.json(), "status": "failed"})
    error = OAS30ReadValidator({"$ref": "#/components/schemas/bondline.ReltioWorkflowError",
                                "components": doc["components"]})
    assert error.is_valid((await client.get(api("/entities/nosuch"), headers=wf(acme.alice))).json())
    assert not error.is_valid({"status": "failed", "error": {"errorCode": 404}})
    assert not error.is_valid({"status": "OK"})

"""What schemathesis' coverage phase found (tests/e2e/test_schemathesis.py), one test each, on both
backends: the status and error body a client sees. And the rule for 501: bondline's `/openapi.json`
declares it on the two Confluence relation list operations only — the one state Confluence Cloud
itself documents as unimplemented (listing favourites and likes); every other state bondline does not
support is a 4xx in the dialect's own error body."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.reltio.conftest import reltio_error
from tests.helpers import API, confluence_error, make_page, make_space

REL = f"{API}/relation"
LISTS = {("get", "/wiki/rest/api/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}"),
         ("get", "/wiki/rest/api/relation/{relationName}/to/{targetType}/{targetKey}/from/{sourceType}")}


async def _document(client: Any) -> dict[str, Any]:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


# --- 501 -------------------------------------------------------------------------------------------

async def test_501_is_declared_only_on_the_two_relation_list_operations(client) -> None:  # type: ignore[no-untyped-def]
    doc = await _document(client)
    declared = {(method, path) for path, item in doc["paths"].items() for method, op in item.items()
                if isinstance(op, dict) and "501" in op.get("responses", {})}
    assert declared == LISTS


@pytest.mark.parametrize("name", ["favourite", "like"])
async def test_the_relation_lists_answer_501_in_confluences_body(client, site, name) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.bob, "S501")
    body = confluence_error(await client.get(f"{REL}/{name}/from/user/current/to/space", headers=site.bob.bearer),
                            501)
    assert "favourite" in body["message"] or "like" in body["message"]
    confluence_error(await client.get(f"{REL}/{name}/to/space/S501/from/user", headers=site.bob.bearer), 501)


# --- 405 carries Allow (RFC 9110) ------------------------------------------------------------------

async def test_405_names_the_allowed_methods_in_each_dialects_body(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.request("TRACE", f"{API}/space", headers=site.bob.bearer)
    confluence_error(r, 405)
    assert r.headers["allow"] == "GET, HEAD, POST"
    r = await client.request("PATCH", f"{API}/content/1", headers=site.bob.bearer)
    confluence_error(r, 405)
    assert r.headers["allow"] == "DELETE, GET, HEAD, PUT"
    # (PUT: Reltio's Operate document has a DELETE of /entities, which bondline does not serve)
    r = await client.request("PUT", "/reltio/api/acme/entities", headers=site.bob.bearer)
    reltio_error(r, 405)
    assert {"GET", "POST"} <= set(r.headers["allow"].split(", "))
    r = await client.request("PUT", "/api/v1/webhooks", headers=site.admin.bearer)
    assert r.status_code == 405 and r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert r.headers["allow"] == "GET, HEAD, POST"


# --- a new space: its body as the document describes it ---------------------------------------------

@pytest.mark.parametrize("body, fragment", [
    ({"description": {"plain": None}}, "plain"),
    ({"description": {}}, "plain"),
    ({"alias": {}}, "alias"),
    ({"alias": None}, "alias"),
    ({"permissions": 5}, "permissions"),
    ({"permissions": [5]}, "permissions"),
])
async def test_a_space_body_outside_its_schema_is_400(client, site, body, fragment) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/space", headers=site.bob.bearer, json={"key": "BAD", "name": "Bad", **body})
    confluence_error(r, 400, fragment)
    assert (await client.get(f"{API}/space/BAD", headers=site.bob.bearer)).status_code == 404


async def test_a_spaces_permissions_are_accepted_and_ignored(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{API}/space", headers=site.bob.bearer, json={
        "key": "PERM", "name": "Perm", "alias": "perm", "permissions": [{"operation": {"key": "read"}}]})
    assert r.status_code == 200, r.text
    doc = await _document(client)
    permissions = doc["components"]["schemas"]["SpaceCreate"]["properties"]["permissions"]
    assert permissions["items"] == {"type": "object"} and "ignored" in permissions["description"]


async def test_a_space_update_with_an_empty_name_is_refused_as_documented(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.bob, "UPD")
    confluence_error(await client.put(f"{API}/space/UPD", headers=site.bob.bearer, json={"name": ""}), 400, "name")
    confluence_error(await client.put(f"{API}/space/UPD", headers=site.bob.bearer,
                                      json={"name": "n", "type": 0}), 400, "type")
    schema = (await _document(client))["components"]["schemas"]["SpaceUpdate"]["properties"]
    assert "pattern" in schema["name"] and schema["status"]["enum"] == ["current", "archived", None]


# --- listing spaces: every filter is applied or refused, none ignored --------------------------------

@pytest.mark.parametrize("query", ["favourite=AAA", "favourite=null", "favourite=true&favourite=false",
                                   "spaceId=x", "spaceId=1.5"])
async def test_a_malformed_space_filter_is_400(client, site, query) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.get(f"{API}/space?{query}", headers=site.bob.bearer), 400)


async def test_space_filters_favourite_spaceid_and_label(client, site) -> None:  # type: ignore[no-untyped-def]
    one = await make_space(client, site.bob, "ONE")
    await make_space(client, site.bob, "TWO")
    r = await client.put(f"{REL}/favourite/from/user/current/to/space/TWO", headers=site.bob.bearer)
    assert r.status_code == 200, r.text

    async def keys(query: str, who: Any = site.bob) -> list[str]:
        r = await client.get(f"{API}/space?{query}", headers=who.bearer)
        assert r.status_code == 200, r.text
        return [s["key"] for s in r.json()["results"]]

    assert await keys("") == ["ONE", "TWO"]
    assert await keys("favourite=true") == ["TWO"]
    assert await keys("favourite=false") == ["ONE", "TWO"]
    assert await keys("favourite=true&spaceKey=ONE") == []
    assert await keys(f"favourite=true&favouriteUserKey={site.bob.account_id}") == ["TWO"]
    assert await keys(f"favourite=true&favouriteUserKey={site.bob.account_id}", site.admin) == ["TWO"]
    assert await keys("favourite=true", site.alice) == []
    assert await keys(f"spaceId={one['id']}") == ["ONE"]
    assert await keys(f"spaceId={one['id']}&spaceKey=TWO") == ["ONE", "TWO"]
    assert await keys("spaceId=999999") == []
    assert await keys("label=team") == []  # bondline's spaces carry no labels
    confluence_error(await client.get(f"{API}/space?favourite=true&favouriteUserKey={site.bob.account_id}",
                                      headers=site.alice.bearer), 403)


# --- content ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["trigger=AAA", "trigger=", "status=AAA"])
async def test_a_malformed_content_list_parameter_is_400(client, site, query) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await client.get(f"{API}/content?{query}", headers=site.bob.bearer), 400)


async def test_content_parameters_bondline_does_not_read_are_still_checked(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.bob, "CP")
    page = await make_page(client, site.bob, "CP", "Page")
    get = f"{API}/content/{page['id']}"
    assert (await client.get(f"{get}?trigger=viewed&embeddedContentRender=version-at-save",
                             headers=site.bob.bearer)).status_code == 200
    confluence_error(await client.get(f"{get}?trigger=clicked", headers=site.bob.bearer), 400, "trigger")
    confluence_error(await client.get(f"{get}?embeddedContentRender=later", headers=site.bob.bearer), 400,
                     "embeddedContentRender")
    edit = {"type": "page", "title": "Page", "version": {"number": 2}}
    confluence_error(await client.put(f"{get}?conflictPolicy=overwrite", headers=site.bob.bearer, json=edit), 400,
                     "conflictPolicy")
    confluence_error(await client.put(f"{get}?status=trashed", headers=site.bob.bearer, json=edit), 400, "status")
    assert (await client.get(f"{API}/content?status=current&status=draft&spaceKey=CP",
                             headers=site.bob.bearer)).json()["size"] == 2  # the page and the space's home page


@pytest.mark.parametrize("extra, fragment", [
    ({"container": 0}, "container"),
    ({"container": {"type": "space"}}, "container"),
    ({"body": None}, "body"),
    ({"body": {"storage": {"value": "<p/>"}}}, "representation"),
    ({"body": {"storage": {"value": "<p/>", "representation": "plain"}}}, "representation"),
    ({"body": {"export_view": 0}}, "export_view"),
    ({"status": None}, "status"),
    ({"ancestors": [{"id": 1}, {"id": 2}]}, "one parent"),
])
async def test_a_content_body_outside_its_schema_is_400(client, site, extra, fragment) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.bob, "CB")
    r = await client.post(f"{API}/content", headers=site.bob.bearer,
                          json={"type": "page", "title": "New", "space": {"key": "CB"}, **extra})
    confluence_error(r, 400, fragment)


async def test_a_content_create_status_comes_from_the_body_or_the_parameter(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.bob, "ST")
    page = {"type": "page", "title": "Draft", "space": {"key": "ST"}}
    r = await client.post(f"{API}/content?status=draft", headers=site.bob.bearer, json=page)
    assert r.status_code == 200 and r.json()["status"] == "draft", r.text
    confluence_error(await client.post(f"{API}/content?status=AAA", headers=site.bob.bearer, json=page), 400)
    doc = await _document(client)
    schemas = doc["components"]["schemas"]
    assert schemas["ContentCreate"]["properties"]["status"]["enum"] == ["current", "draft"]
    assert schemas["ContentUpdate"]["properties"]["status"]["enum"] == ["current", "draft"]
    ancestors = schemas["ContentUpdate"]["properties"]["ancestors"]
    assert ancestors["maxItems"] == 1 and "oneOf" in ancestors["items"]["properties"]["id"]


async def test_a_label_without_a_prefix_is_global_as_documented(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.bob, "LB")
    page = await make_page(client, site.bob, "LB", "Labelled")
    r = await client.post(f"{API}/content/{page['id']}/label", headers=site.bob.bearer, json=[{"name": "ops"}])
    assert r.status_code == 200 and r.json()["results"][0]["prefix"] == "global", r.text
    assert (await _document(client))["components"]["schemas"]["LabelCreate"]["required"] == ["name"]


async def test_array_parameters_carry_their_enumeration_on_the_items(client) -> None:  # type: ignore[no-untyped-def]
    doc = await _document(client)
    for path, item in doc["paths"].items():
        for op in item.values():
            for param in op.get("parameters", []) if isinstance(op, dict) else ():
                schema = param.get("schema", {})
                assert not (schema.get("type") == "array" and "enum" in schema), (path, param.get("name"))

"""Bad input, on every wire API: a corpus of what clients get wrong — malformed JSON, wrong JSON
types, JSON nested too deeply, a key given twice, JSON sent under another Content-Type (415), bodies
over the limit, over-long path segments and keys, unicode and control characters (NUL
included), SQL metacharacters, `..` and encoded slashes in keys, negative or huge paging, unknown
query parameters — each answered with the API's own status and error body, never a 5xx, and the
database exactly as it was afterwards (every row of every table, on both backends).

Unknown query parameters are ignored, as Confluence and Reltio ignore them: those rows expect 200.
SQL metacharacters in a search value are a value like any other: a search for them finds nothing
(200, no results). Random bodies for every Reltio write are in tests/api/reltio/test_bad_input.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import httpx
import pytest

from bondline.services.reltio import tenants
from tests.helpers import API, make_page, make_space

MIB = 1024 * 1024
R = "/reltio/api/acme"
SQL = "'; DROP TABLE spaces; --"
LONG = "K" * 5000


def nested(depth: int) -> bytes:
    """`depth` arrays, one inside the other."""
    return b"[" * depth + b"]" * depth


@dataclasses.dataclass
class Case:
    method: str
    path: str  # formatted with the world (`{page}`, `{entity}`, …)
    status: int
    note: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    chunked: bool = False  # send the body without Content-Length


def big(prefix: bytes, size: int = MIB + 1) -> bytes:
    return prefix + b" " * (size - len(prefix))


CORPUS: list[Case] = [
    # --- Confluence --------------------------------------------------------------------------------
    Case("POST", f"{API}/space", 400, "malformed JSON", content=b'{"key": "X", '),
    Case("POST", f"{API}/space", 415, "a form where JSON is expected", content=b"key=X&name=Y",
         headers={"Content-Type": "application/x-www-form-urlencoded"}),
    Case("POST", f"{API}/space", 415, "JSON sent as text/plain", content=b'{"key": "TXT", "name": "n"}',
         headers={"Content-Type": "text/plain"}),
    Case("POST", f"{API}/space", 415, "JSON sent as multipart", content=b'{"key": "MP", "name": "n"}',
         headers={"Content-Type": "multipart/form-data; boundary=x"}),
    Case("POST", f"{API}/space", 400, "a key given twice", content=b'{"key": "ONE", "name": "n", "key": "TWO"}'),
    Case("PUT", f"{API}/content/{{page}}", 400, "a key given twice in a nested object", content=(
        b'{"type": "page", "title": "t", "version": {"number": 2, "number": 3}}')),
    Case("POST", f"{API}/content/{{page}}/label", 400, "a key given twice, once escaped",
         content=b'{"name": "ops2", "\\u006eame": "ops3"}'),
    Case("POST", f"{API}/space", 400, "empty body", content=b""),
    Case("POST", f"{API}/space", 400, "wrong JSON types", json={"key": 5, "name": ["x"]}),
    Case("POST", f"{API}/space", 400, "a JSON array instead of an object", json=[{"key": "X", "name": "Y"}]),
    Case("POST", f"{API}/space", 400, "JSON null", content=b"null"),
    Case("PUT", f"{API}/content/{{page}}", 400, "version.number a string",
         json={"type": "page", "title": "t", "version": {"number": "two"}}),
    Case("PUT", f"{API}/content/{{page}}", 409, "version.number huge: not the next version, a conflict",
         json={"type": "page", "title": "t", "version": {"number": 10**30}}),
    Case("POST", f"{API}/content", 400, "type a number", json={"type": 1, "space": {"key": "ENG"}}),
    Case("POST", f"{API}/content/{{page}}/label", 400, "a label as a bare string", json="ops"),
    Case("POST", f"{API}/content/{{page}}/label", 400, "a label name with a control character",
         json={"name": "a\u0007b"}),
    Case("POST", f"{API}/space", 413, "a body over 1 MiB", content=big(b'{"key": "BIG", "name": "')),
    Case("POST", f"{API}/space", 413, "a body over 1 MiB, chunked", content=big(b'{"key": "BIG"'), chunked=True),
    Case("POST", f"{API}/space", 400, "a key of 5000 characters", json={"key": LONG, "name": "n"}),
    Case("POST", f"{API}/space", 400, "arrays nested 1,000 deep in an unknown property",
         content=b'{"key": "DEEP", "name": "n", "x": ' + nested(1000) + b"}"),
    Case("POST", f"{API}/content", 400, "arrays nested 10,000 deep in an unknown property",
         content=b'{"type": "page", "title": "t", "space": {"key": "ENG"}, "x": ' + nested(10000) + b"}"),
    Case("POST", f"{API}/space", 400, "objects nested 65 deep",
         content=b'{"key": "DEEP", "name": "n", "x": ' + b'{"a": ' * 64 + b"1" + b"}" * 64 + b"}"),
    Case("POST", f"{API}/space", 400, "a key with SQL metacharacters", json={"key": SQL, "name": "n"}),
    Case("POST", f"{API}/space", 400, "a key with a NUL", content=b'{"key": "A\\u0000B", "name": "n"}'),
    Case("GET", f"{API}/space/{LONG}", 404, "a path segment of 5000 characters"),
    Case("GET", f"{API}/space/%E2%98%83%F0%9F%92%A9", 404, "unicode in a key"),
    Case("GET", f"{API}/space/A%07%1B%7F", 404, "control characters in a key"),
    Case("GET", f"{API}/space/A%00B", 400, "NUL in a key"),
    Case("GET", f"{API}/space/%FF%FE", 400, "invalid percent-encoded UTF-8"),
    Case("GET", f"{API}/space/%27%3B%20DROP%20TABLE%20spaces%3B--", 404, "SQL metacharacters in a key"),
    Case("GET", f"{API}/content?title=%27%20OR%201%3D1--", 200, "SQL metacharacters in a search finds nothing"),
    Case("GET", f"{API}/space/..%2F..%2Fetc%2Fpasswd", 404, "`..` and encoded slashes in a key"),
    Case("GET", f"{API}/space/%2E%2E", 404, "`..` as a key"),
    Case("GET", f"{API}/content/..%2F{{page}}", 400, "`..` and a slash in a content id"),
    Case("GET", f"{API}/content/{'9' * 400}", 400, "a content id of 400 digits"),
    Case("DELETE", f"{API}/content/{{page}}/label/a%2Fb", 400, "an encoded slash in a label name"),
    Case("GET", f"{API}/user/watch/label/..%2Fops", 403, "`..` in a label name (the watch API's 403)"),
    Case("GET", f"{API}/relation/favourite/from/user/current/to/space/..%2FENG", 404,
         "`..` and a slash in a relation key"),
    Case("GET", f"{API}/relation/{'r' * 300}/from/user/current/to/space/ENG", 400, "a relation name of 300 characters"),
    Case("GET", f"{API}/relation/fav%27%3B--/from/user/current/to/space/ENG", 400, "SQL in a relation name"),
    Case("GET", f"{API}/space?start=-1", 400, "negative start"),
    Case("GET", f"{API}/space?limit=-5", 400, "negative limit"),
    Case("GET", f"{API}/space?limit=99999999999999999999", 400, "a limit beyond 64 bits"),
    Case("GET", f"{API}/space?start=abc", 400, "start not a number"),
    Case("GET", f"{API}/content/{{page}}/label?limit=1e3", 400, "limit in exponent notation"),
    Case("GET", f"{API}/space?limit=1000000", 200, "a huge limit is capped, as Confluence does"),
    Case("GET", f"{API}/space?bogus=1&expand=nonsense", 200, "unknown query parameters are ignored"),
    Case("GET", f"{API}/content/{{page}}?whatever=x&status=current", 200, "unknown query parameters are ignored"),
    Case("GET", f"{API}/user?accountId={'a' * 2000}", 404, "an accountId of 2000 characters"),
    # --- Reltio ------------------------------------------------------------------------------------
    Case("POST", f"{R}/entities", 400, "malformed JSON", content=b'[{"type": '),
    Case("POST", f"{R}/entities", 400, "an object instead of an array", json={"type": "x"}),
    Case("POST", f"{R}/relations", 400, "a string instead of an array", json="relations"),
    Case("POST", f"{R}/changeRequests/_byUris", 400, "uris a string", json={"uris": "changeRequests/x"}),
    Case("PUT", f"{R}/{{first}}", 400, "an attribute value without `value`", json={"v": 1}),
    Case("PUT", f"{R}/{{first}}/pin", 400, "a pin that is not a boolean", json={"value": "maybe"}),
    Case("POST", f"{R}/entities/{{entity}}/_update", 400, "a cumulative update that is not a list",
         json={"type": "UPDATE_ATTRIBUTE"}),
    Case("POST", f"{R}/changeRequests/{{dcr}}/_externalInfo", 400, "external info that is not an object", json=[1]),
    Case("PUT", f"{R}/configuration", 400, "types of the wrong shape", json={"entityTypes": "Individual"}),
    Case("POST", f"{R}/entities", 400, "arrays nested 1,000 deep", content=nested(1000)),
    Case("POST", f"{R}/entities", 415, "JSON sent as a form",
         headers={"Content-Type": "application/x-www-form-urlencoded"},
         content=b'[{"type": "configuration/entityTypes/Individual", "attributes": {}}]'),
    Case("PUT", f"{R}/{{first}}", 415, "JSON sent as text/plain", content=b'{"value": "Grace"}',
         headers={"Content-Type": "text/plain; charset=utf-8"}),
    Case("POST", f"{R}/entities", 400, "a key given twice", content=(
        b'[{"type": "configuration/entityTypes/Individual", "type": "configuration/entityTypes/Organization",'
        b' "attributes": {}}]')),
    Case("PUT", f"{R}/{{first}}", 400, "a key given twice in an attribute value",
         content=b'{"value": "Grace", "value": "Hopper"}'),
    Case("POST", f"{R}/relations", 400, "arrays nested 10,000 deep", content=nested(10000)),
    Case("PUT", f"{R}/configuration", 400, "objects nested 10,000 deep in a type",
         content=b'{"entityTypes": [' + b'{"a": ' * 10000 + b"1" + b"}" * 10000 + b"]}"),
    Case("POST", f"{R}/entities", 413, "a body over 1 MiB", content=big(b"[")),
    Case("POST", f"{R}/entities", 413, "a body over 1 MiB, chunked", content=big(b"["), chunked=True),
    Case("GET", f"{R}/entities/{'9' * 5000}", 404, "an id of 5000 characters"),
    Case("GET", f"/reltio/api/{'t' * 300}/entities/x", 404, "a tenant of 300 characters"),
    Case("GET", f"{R}/entities/%E2%98%83", 404, "unicode in an id"),
    Case("GET", f"{R}/entities/%FF", 400, "invalid percent-encoded UTF-8"),
    Case("GET", f"{R}/changeRequests/%00", 400, "NUL in an id"),
    Case("POST", f"{R}/entities/{{entity}}/attributes/%07", 400, "a control character as an attribute name",
         json=[{"value": "x"}]),
    Case("GET", f"{R}/entities/%27%3B%20DROP%20TABLE%20reltio_objects%3B--", 404, "SQL metacharacters in an id"),
    Case("GET", f"{R}/changeRequests?filter=equals(createdBy,'x''%3B DROP TABLE users%3B--')", 400,
         "SQL metacharacters that break the filter's quoting"),
    Case("GET", f"{R}/changeRequests?filter=equals(createdBy,'x%3B DROP TABLE users%3B--')", 200,
         "SQL metacharacters inside a filter value find nothing"),
    Case("GET", f"{R}/changeRequests?filter=" + "(" * 500, 400, "a filter nested 500 deep"),
    Case("GET", f"{R}/entities/..%2F..%2Fconfiguration", 404, "`..` and encoded slashes in an id"),
    Case("PUT", f"{R}/{{first_entity}}/attributes/FirstName/a%2Fb", 400, "an encoded slash in a value id",
         json={"value": "x"}),
    Case("PUT", f"{R}/{{first_entity}}/attributes/%2F/x", 400, "an attribute named `/`", json={"value": "x"}),
    Case("GET", f"{R}/changeRequests?filter=equals(createdBy,'x')&max=-1", 400, "negative max"),
    Case("GET", f"{R}/changeRequests?filter=equals(createdBy,'x')&max=99999999999999999999", 400, "huge max"),
    Case("GET", f"{R}/changeRequests?filter=equals(createdBy,'x')&offset=-1", 400, "negative offset"),
    Case("GET", f"{R}/changeRequests?filter=equals(createdBy,'x')&max=abc", 400, "max not a number"),
    Case("GET", f"{R}/entities/{{entity}}?bogus=1&select=,,,", 200, "unknown query parameters are ignored"),
    Case("GET", f"{R}/entities/{{entity}}/_withChangeRequests?changeRequestIds=,,,", 400,
         "an empty list of change requests"),
    Case("DELETE", f"{R}/relations/{{relation}}?changeRequestId=" + "z" * 300, 404, "a change request id of 300"),
    # --- bondline's own ----------------------------------------------------------------------------
    Case("GET", "/api/v1/users/current/relations/favourite?limit=-1", 400, "negative limit"),
    Case("GET", "/api/v1/users/current/relations/favourite?limit=" + "9" * 30, 400, "huge limit"),
    Case("GET", "/api/v1/users/current/relations/favourite?cursor=%27%3B--", 400, "a cursor that is not one"),
    Case("GET", "/api/v1/users/current/relations/favourite?cursor=a%00", 400, "NUL in a cursor"),
    Case("GET", "/api/v1/users/current/relations/favourite?targetType=bogus", 400, "an unknown target type"),
    Case("GET", f"/api/v1/users/{LONG}/relations/favourite", 404, "an account id of 5000 characters"),
    Case("GET", "/api/v1/users/current/relations/%E2%98%83", 400, "unicode in a relation name"),
    Case("GET", "/api/v1/users/current/relations/favourite?bogus=1", 200, "unknown query parameters are ignored"),
    Case("GET", "/api/v1/audit?limit=-1", 400, "negative limit"),
    Case("GET", "/api/v1/audit?limit=" + "9" * 30, 400, "huge limit"),
    Case("GET", "/api/v1/audit?since=yesterday", 400, "a date that is not one"),
    Case("GET", "/api/v1/audit?before=-3", 400, "a negative cursor"),
    Case("GET", "/api/v1/audit?object=%27%20OR%201%3D1--", 200, "SQL metacharacters in a filter find nothing"),
    Case("GET", "/api/v1/audit?bogus=1", 200, "unknown query parameters are ignored"),
    Case("POST", "/api/v1/webhooks", 415, "JSON sent as text/plain", headers={"Content-Type": "text/plain"},
         content=b'{"url": "https://hooks.example.com/x", "events": ["*"]}'),
    Case("POST", "/api/v1/webhooks", 400, "a key given twice",
         content=b'{"url": "https://hooks.example.com/x", "events": ["*"], "url": "https://hooks.example.com/y"}'),
    Case("POST", "/api/v1/webhooks", 400, "arrays nested 10,000 deep in an unknown property",
         content=b'{"url": "https://hooks.example.com/x", "events": ["*"], "x": ' + nested(10000) + b"}"),
    Case("GET", "/docs/static/..%2F..%2F..%2Fetc%2Fpasswd", 404, "path traversal to a documentation asset"),
    Case("GET", "/docs/static/%2E%2E", 404, "`..` as an asset name"),
    Case("POST", "/oauth/token", 413, "a token request over 1 MiB", content=big(b"grant_type=password&x=")),
    Case("POST", "/oauth/token", 400, "a form that is not UTF-8", content=b"grant_type=\xff\xfe",
         headers={"Content-Type": "application/x-www-form-urlencoded"}),
    Case("POST", "/oauth/token", 400, "an unknown grant type with SQL", content=f"grant_type={SQL}".encode(),
         headers={"Content-Type": "application/x-www-form-urlencoded"}),
    Case("POST", "/oauth/token?grant_type=password&username=%27%20OR%201%3D1--&password=x", 401,
         "SQL metacharacters as a username"),
]


def dialect_of(path: str) -> str:
    if path.startswith("/wiki/"):
        return "confluence"
    if path.startswith(("/reltio/", "/services/reltio/")):
        return "reltio"
    if path.startswith("/oauth/"):
        return "oauth"
    return "bondline"


def shape_problem(path: str, r: httpx.Response) -> str | None:
    """None when `r` is an error in its API's own body."""
    try:
        body = r.json()
    except ValueError:
        return "not JSON"
    dialect = dialect_of(path)
    if dialect == "confluence":
        ok = isinstance(body, dict) and body.get("statusCode") == r.status_code \
            and isinstance(body.get("message"), str) \
            and set(body.get("data", {})) == {"authorized", "valid", "errors", "successful"} \
            and body["data"]["successful"] is False
        if ok and r.status_code == 400:
            ok = body["data"]["valid"] is False and body["data"]["errors"]
    elif dialect == "reltio":
        ok = isinstance(body, dict) and body.get("severity") == "Error" and isinstance(body.get("errorCode"), int) \
            and isinstance(body.get("errorMessage"), str) and "errorDetailMessage" in body \
            and isinstance(body.get("innerErrorData", {}).get("exception"), str)
    elif dialect == "oauth":
        ok = isinstance(body, dict) and isinstance(body.get("error"), str) and "error_description" in body
    else:
        ok = isinstance(body, dict) and set(body) == {"error"} and body["error"].get("status") == r.status_code \
            and isinstance(body["error"].get("code"), str) and isinstance(body["error"].get("message"), str)
    return None if ok else f"not the {dialect} error body"


async def fingerprint(app: Any) -> dict[str, str]:
    """A digest of every row of every table."""
    import sqlalchemy as sa

    from bondline.store.tables import metadata

    out = {}
    async with app.store.read() as tx:
        for table in metadata.sorted_tables:
            rows = sorted(repr(tuple(r)) for r in await tx.conn.all(sa.select(table)))
            out[table.name] = f"{len(rows)}:{hashlib.sha256(chr(10).join(rows).encode()).hexdigest()[:16]}"
    return out


async def world(app: Any, client: httpx.AsyncClient, site: Any) -> dict[str, str]:
    await make_space(client, site.alice, "ENG")
    page = await make_page(client, site.alice, "ENG", "Runbook")
    r = await client.post(f"{API}/content/{page['id']}/label", headers=site.alice.bearer, json={"name": "ops"})
    assert r.status_code == 200
    r = await client.put(f"{API}/relation/favourite/from/user/current/to/content/{page['id']}",
                         headers=site.alice.bearer)
    assert r.status_code == 200
    await tenants.add(app.store, "acme")
    r = await client.post(f"{R}/entities", headers=site.admin.bearer, json=[{
        "type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": "Ada"}]}}, {
        "type": "configuration/entityTypes/Organization", "attributes": {"Name": [{"value": "Engines"}]}}])
    person, org = (item["object"] for item in r.json())
    r = await client.post(f"{R}/relations", headers=site.admin.bearer, json=[{
        "type": "configuration/relationTypes/affiliatedwith", "startObject": {"objectURI": person["uri"]},
        "endObject": {"objectURI": org["uri"]}}])
    relation = r.json()[0]["object"]
    r = await client.post(f"{R}/changeRequests", headers=site.admin.bearer)
    first = person["attributes"]["FirstName"][0]["uri"]
    return {"page": page["id"], "entity": person["uri"].split("/")[1], "first_entity": person["uri"],
            "first": first, "relation": relation["uri"].split("/")[1], "dcr": r.json()["uri"].split("/")[1]}


def test_the_corpus_reaches_every_dialect() -> None:
    assert {dialect_of(c.path) for c in CORPUS} == {"confluence", "reltio", "oauth", "bondline"}
    assert all(c.status < 500 for c in CORPUS)


async def test_bad_input_gets_the_apis_own_4xx_and_changes_nothing(app, client, site) -> None:  # type: ignore[no-untyped-def]
    from bondline.config import Settings

    assert Settings().max_body_bytes == MIB  # the default limit (BONDLINE_MAX_BODY_BYTES)
    w = await world(app, client, site)
    before = await fingerprint(app)
    wrong: list[str] = []
    for case in CORPUS:
        path = case.path.format(**w) if "{" in case.path else case.path
        headers = {**site.admin.bearer, **case.headers}
        if case.json is not None:
            content = httpx.Request("POST", "http://x", json=case.json).content
            headers.setdefault("Content-Type", "application/json")
        else:
            content = case.content
            if content is not None:
                headers.setdefault("Content-Type", "application/json")
        if case.chunked and content is not None:
            data = content

            async def stream(data: bytes = data) -> Any:
                for i in range(0, len(data), 65536):
                    yield data[i:i + 65536]
            r = await client.request(case.method, path, headers=headers, content=stream())
        else:
            r = await client.request(case.method, path, headers=headers, content=content)
        label = f"{case.method} {path[:120]} ({case.note})"
        if r.status_code != case.status:
            wrong.append(f"{label}: {r.status_code}, expected {case.status}: {r.text[:200]}")
        elif r.status_code >= 400 and (problem := shape_problem(path, r)):
            wrong.append(f"{label}: {problem}: {r.text[:200]}")
        elif r.status_code == 200 and "find nothing" in case.note:
            body = r.json()
            found = body if isinstance(body, list) else body.get("results")
            if found:
                wrong.append(f"{label}: found {found!r:.200}")
    assert not wrong, f"{len(wrong)} of {len(CORPUS)} wrong:\n" + "\n".join(wrong)
    after = await fingerprint(app)
    assert after == before, {t: (before[t], after[t]) for t in before if before[t] != after[t]}


@pytest.mark.parametrize("limit", [1024, 64 * 1024])
async def test_the_body_limit_is_the_configured_one(database_url, limit) -> None:  # type: ignore[no-untyped-def]
    """BONDLINE_MAX_BODY_BYTES moves the limit: one byte over is 413, at the limit it is parsed."""
    from bondline.bootstrap import build
    from bondline.config import Settings

    app = build(Settings(database_url=database_url, max_body_bytes=limit, auth_cache_seconds=0))
    await app.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            over = await client.post(f"{API}/space", content=big(b'{"key":', limit + 1))
            assert over.status_code == 413 and over.json()["statusCode"] == 413
            at = await client.post(f"{API}/space", content=big(b'{"key":', limit))
            assert at.status_code == 401  # read in full, then refused for want of credentials
    finally:
        await app.shutdown()


async def test_a_body_nested_to_the_limit_is_read_and_one_level_more_is_refused(client, site) -> None:  # type: ignore[no-untyped-def]
    """MAX_JSON_DEPTH levels of arrays and objects (brackets inside strings do not count) are parsed."""
    from bondline.http.request import MAX_JSON_DEPTH

    def body(key: str, depth: int) -> bytes:  # the space object is the first level
        return (b'{"key": "%s", "name": "[[[[{{{{", "x": ' % key.encode()) + nested(depth - 1) + b"}"

    r = await client.post(f"{API}/space", headers=site.admin.bearer, content=body("DEEP", MAX_JSON_DEPTH))
    assert r.status_code == 200, r.text
    r = await client.post(f"{API}/space", headers=site.admin.bearer, content=body("DEEPER", MAX_JSON_DEPTH + 1))
    assert r.status_code == 400 and f"more than {MAX_JSON_DEPTH} levels" in r.json()["message"], r.text
    r = await client.get(f"{API}/space/DEEPER", headers=site.admin.bearer)
    assert r.status_code == 404


@pytest.mark.parametrize("content_type", [None, "application/json", "application/json; charset=utf-8",
                                          "Application/JSON", "application/vnd.api+json"])
async def test_json_is_read_as_json_under_each_json_media_type_or_none(client, site, content_type) -> None:  # type: ignore[no-untyped-def]
    """A missing Content-Type is read as JSON too (curl users often leave it out)."""
    headers = {**site.admin.bearer, **({"Content-Type": content_type} if content_type else {})}
    r = await client.post(f"{API}/space", headers=headers, content=b'{"key": "JS", "name": "n"}')
    assert r.status_code == 200 and r.json()["key"] == "JS", r.text


async def test_a_body_that_never_arrives_gets_408_and_the_connection_closed(database_url) -> None:  # type: ignore[no-untyped-def]
    """A client that declares a body and sends only its start gets 408 in the API's own body once
    BONDLINE_BODY_TIMEOUT has passed, instead of holding the connection forever."""
    import asyncio
    import time

    from bondline.bootstrap import build
    from bondline.config import Settings

    app = build(Settings(database_url=database_url, body_timeout=0.3, auth_cache_seconds=0))
    await app.startup()
    never = asyncio.Event()

    async def stalled() -> Any:
        yield b'{"key": '
        await never.wait()  # the rest never comes
        yield b'"X"}'

    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            for path in (f"{API}/space", f"{R}/entities"):
                started = time.monotonic()
                r = await asyncio.wait_for(client.post(path, content=stalled(), headers={
                    "Content-Type": "application/json", "Content-Length": "100"}), 10)
                assert r.status_code == 408 and time.monotonic() - started < 5, r.text
                assert r.headers["connection"] == "close"
                assert shape_problem(path, r) is None, r.text
    finally:
        never.set()
        await app.shutdown()

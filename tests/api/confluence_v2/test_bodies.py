"""Bodies in Atlassian document format (`atlas_doc_format`) through v1 and v2: a body written as ADF
is stored as storage and read back in either representation, through either API, and one written as
storage is readable as ADF (decision 0021). Invalid ADF is a 400 in each dialect's error body."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.api.confluence_v2.conftest import V1, V2

# Atlassian's ADF JSON schema (tests/vendor/adf/SOURCES.md): every ADF body the API gives is valid.
ADF_SCHEMA = jsonschema.Draft4Validator(json.loads(
    (Path(__file__).parents[2] / "vendor" / "adf" / "full.json").read_text()))


def _doc(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": list(content)}


def _text(value: str, *marks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "text", "text": value, **({"marks": list(marks)} if marks else {})}


def _para(*content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "paragraph", "content": list(content)}


# (name, storage, ADF): the same body in both representations.
BODIES: list[tuple[str, str, dict[str, Any]]] = [
    ("paragraph with marks and a link",
     '<p>Plain <strong>bold</strong> <a href="https://example.com">site</a></p>',
     _doc(_para(_text("Plain "), _text("bold", {"type": "strong"}), _text(" "),
                _text("site", {"type": "link", "attrs": {"href": "https://example.com"}})))),
    ("heading and nested list",
     "<h2>Steps</h2><ol><li><p>one</p><ul><li><p>sub</p></li></ul></li></ol>",
     _doc({"type": "heading", "attrs": {"level": 2}, "content": [_text("Steps")]},
          {"type": "orderedList", "content": [{"type": "listItem", "content": [
              _para(_text("one")),
              {"type": "bulletList", "content": [{"type": "listItem", "content": [_para(_text("sub"))]}]}]}]})),
    ("table",
     "<table><tbody><tr><th><p>Key</p></th></tr><tr><td><p>value</p></td></tr></tbody></table>",
     _doc({"type": "table", "content": [
         {"type": "tableRow", "content": [{"type": "tableHeader", "content": [_para(_text("Key"))]}]},
         {"type": "tableRow", "content": [{"type": "tableCell", "content": [_para(_text("value"))]}]}]})),
    ("code block",
     '<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">sql</ac:parameter>'
     "<ac:plain-text-body><![CDATA[select * from t where a < 1]]></ac:plain-text-body></ac:structured-macro>",
     _doc({"type": "codeBlock", "attrs": {"language": "sql"}, "content": [_text("select * from t where a < 1")]})),
]


async def _space(client, who) -> str:  # type: ignore[no-untyped-def]
    r = await client.post(f"{V1}/space", headers=who.bearer, json={"key": "DOC", "name": "Docs"})
    assert r.status_code == 200, r.text
    r = await client.get(f"{V2}/spaces?keys=DOC", headers=who.bearer)
    return r.json()["results"][0]["id"]  # type: ignore[no-any-return]


async def _write(client, who, api: str, space_id: str, title: str, representation: str, value: str) -> str:  # type: ignore[no-untyped-def]
    if api == "v1":
        r = await client.post(f"{V1}/content", headers=who.bearer, json={
            "type": "page", "title": title, "space": {"key": "DOC"},
            "body": {representation: {"value": value, "representation": representation}}})
    else:
        r = await client.post(f"{V2}/pages", headers=who.bearer, json={
            "spaceId": space_id, "title": title, "body": {"representation": representation, "value": value}})
    assert r.status_code == 200, r.text
    return r.json()["id"]  # type: ignore[no-any-return]


async def _read(client, who, api: str, page_id: str, representation: str) -> str:  # type: ignore[no-untyped-def]
    if api == "v1":
        r = await client.get(f"{V1}/content/{page_id}?expand=body.{representation}", headers=who.bearer)
        assert r.status_code == 200, r.text
        body = r.json()["body"][representation]
    else:
        r = await client.get(f"{V2}/pages/{page_id}?body-format={representation}", headers=who.bearer)
        assert r.status_code == 200, r.text
        body = r.json()["body"][representation]
    assert body["representation"] == representation
    assert isinstance(body["value"], str)  # ADF as a string of JSON, as Confluence Cloud gives it
    if representation == "atlas_doc_format":
        ADF_SCHEMA.validate(json.loads(body["value"]))
    return body["value"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("writer,reader", [("v2", "v1"), ("v1", "v2"), ("v2", "v2"), ("v1", "v1")])
@pytest.mark.parametrize(("storage", "document"), [(s, d) for _, s, d in BODIES], ids=[n for n, _, _ in BODIES])
async def test_a_body_written_as_adf_is_read_as_storage_and_adf(client, site, writer: str, reader: str,  # type: ignore[no-untyped-def]
                                                               storage: str, document: dict[str, Any]) -> None:
    who = site.alice
    space_id = await _space(client, who)
    page = await _write(client, who, writer, space_id, "From ADF", "atlas_doc_format", json.dumps(document))
    assert await _read(client, who, reader, page, "storage") == storage
    assert json.loads(await _read(client, who, reader, page, "atlas_doc_format")) == document
    # And the other way: written as storage, read as ADF.
    other = await _write(client, who, writer, space_id, "From storage", "storage", storage)
    assert json.loads(await _read(client, who, reader, other, "atlas_doc_format")) == document


async def test_listings_give_bodies_as_adf(client, site) -> None:  # type: ignore[no-untyped-def]
    space_id = await _space(client, site.alice)
    _, storage, document = BODIES[0]
    page = await _write(client, site.alice, "v1", space_id, "Listed", "storage", storage)
    for url in (f"{V2}/pages?space-id={space_id}&body-format=atlas_doc_format",
                f"{V2}/spaces/{space_id}/pages?body-format=atlas_doc_format"):
        r = await client.get(url, headers=site.alice.bearer)
        assert r.status_code == 200, r.text
        [listed] = [p for p in r.json()["results"] if p["id"] == page]
        assert json.loads(listed["body"]["atlas_doc_format"]["value"]) == document


@pytest.mark.parametrize("api", ["v1", "v2"])
async def test_an_update_written_as_adf(client, site, api: str) -> None:  # type: ignore[no-untyped-def]
    who = site.alice
    space_id = await _space(client, who)
    page = await _write(client, who, "v1", space_id, "Page", "storage", "<p>before</p>")
    after = json.dumps(_doc(_para(_text("after", {"type": "em"}))))
    if api == "v1":
        r = await client.put(f"{V1}/content/{page}", headers=who.bearer, json={
            "type": "page", "title": "Page", "version": {"number": 2},
            "body": {"atlas_doc_format": {"value": after, "representation": "atlas_doc_format"}}})
    else:  # the nested form confluence.js sends
        r = await client.put(f"{V2}/pages/{page}", headers=who.bearer, json={
            "id": page, "status": "current", "title": "Page", "version": {"number": 2},
            "body": {"atlas_doc_format": {"value": after, "representation": "atlas_doc_format"}}})
    assert r.status_code == 200, r.text
    assert await _read(client, who, "v1", page, "storage") == "<p><em>after</em></p>"
    assert await _read(client, who, "v2", page, "view") == "<p><em>after</em></p>"
    # The versions keep what each stored: version 1 is still readable as ADF.
    r = await client.get(f"{V2}/pages/{page}?version=1&body-format=atlas_doc_format", headers=who.bearer)
    assert json.loads(r.json()["body"]["atlas_doc_format"]["value"]) == _doc(_para(_text("before")))


INVALID = [
    ("not json", "{oops"),
    ("not a document", json.dumps({"type": "paragraph"})),
    ("text at block level", json.dumps(_doc(_text("x")))),
    ("heading level 9", json.dumps(_doc({"type": "heading", "attrs": {"level": 9}}))),
    ("nested too deep", json.dumps(_doc(*[{"type": "blockquote", "content": []}]))[:-2]
     + '{"type":"blockquote","content":[' * 500 + "]}" * 500 + "]}"),
    ("json nested past the interpreter's limit", '{"type":"doc","content":' + "[" * 50_000 + "]" * 50_000 + "}"),
    ("control character in text", json.dumps(_doc(_para(_text("a\u0001b"))))),
    ("lone surrogate", '{"type":"doc","version":1,"content":[{"type":"paragraph","content":'
     '[{"type":"text","text":"\\udfff"}]}]}'),
]


@pytest.mark.parametrize("value", [v for _, v in INVALID], ids=[n for n, _ in INVALID])
async def test_invalid_adf_is_a_400(client, site, value: str) -> None:  # type: ignore[no-untyped-def]
    space_id = await _space(client, site.alice)
    r = await client.post(f"{V2}/pages", headers=site.alice.bearer, json={
        "spaceId": space_id, "title": "Bad", "body": {"representation": "atlas_doc_format", "value": value}})
    assert r.status_code == 400, r.text
    [error] = r.json()["errors"]
    assert error["code"] == "BAD_REQUEST" and error["detail"].startswith("Invalid atlas_doc_format")
    r = await client.post(f"{V1}/content", headers=site.alice.bearer, json={
        "type": "page", "title": "Bad", "space": {"key": "DOC"},
        "body": {"atlas_doc_format": {"value": value, "representation": "atlas_doc_format"}}})
    assert r.status_code == 400, r.text
    assert r.json()["statusCode"] == 400 and "Invalid atlas_doc_format" in r.json()["message"]
    # Nothing was created.
    r = await client.get(f"{V2}/pages?space-id={space_id}&title=Bad", headers=site.alice.bearer)
    assert r.json()["results"] == []


async def test_wiki_markup_is_still_refused(client, site) -> None:  # type: ignore[no-untyped-def]
    space_id = await _space(client, site.alice)
    r = await client.post(f"{V2}/pages", headers=site.alice.bearer, json={
        "spaceId": space_id, "title": "Wiki", "body": {"representation": "wiki", "value": "h1. Title"}})
    assert r.status_code == 400, r.text


async def test_a_comment_written_as_adf(client, site) -> None:  # type: ignore[no-untyped-def]
    who = site.alice
    space_id = await _space(client, who)
    page = await _write(client, who, "v1", space_id, "Discussed", "storage", "<p>x</p>")
    document = _doc(_para(_text("Agreed, "), {"type": "mention", "attrs": {"id": site.bob.account_id}}))
    r = await client.post(f"{V1}/content", headers=who.bearer, json={
        "type": "comment", "container": {"id": page, "type": "page", "status": "current"},
        "body": {"atlas_doc_format": {"value": json.dumps(document), "representation": "atlas_doc_format"}}})
    assert r.status_code == 200, r.text
    comment = r.json()["id"]
    storage = f'<p>Agreed, <ac:link><ri:user ri:account-id="{site.bob.account_id}" /></ac:link></p>'
    assert await _read(client, who, "v1", comment, "storage") == storage
    assert json.loads(await _read(client, who, "v1", comment, "atlas_doc_format")) == document

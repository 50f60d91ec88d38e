"""Comments (Confluence v1): content of type comment on a page, footer and inline, replies, versions,
`/child/comment` with `depth` and `location`, and the page's watchers told through the webhooks."""

from __future__ import annotations

from typing import Any

import pytest

from bondline.config import Settings
from bondline.domain import events as ev
from tests.api.native.test_webhooks import deliver_until, fast, register, settled
from tests.helpers import API, confluence_error, make_page, make_space
from tests.receiver import Receiver


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    # The webhook receiver below listens on 127.0.0.1.
    return Settings(database_url=database_url, auth_cache_seconds=0, blob_dir=str(tmp_path / "blobs"),
                    webhook_allow_local=True)


@pytest.fixture
async def page(client, site) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "DOC")
    return await make_page(client, site.alice, "DOC", "Specs")


async def add_comment(client: Any, who: Any, page_id: str, text: str, **extra: Any) -> Any:
    return await client.post(f"{API}/content", headers=who.bearer, json={
        "type": "comment", "container": {"id": page_id, "type": "page", "status": "current"},
        "body": {"storage": {"value": f"<p>{text}</p>", "representation": "storage"}}, **extra})


async def listed(client: Any, who: Any, page_id: str, **query: Any) -> list[dict[str, Any]]:
    r = await client.get(f"{API}/content/{page_id}/child/comment", headers=who.bearer, params=query)
    assert r.status_code == 200, r.text
    return r.json()["results"]


async def test_footer_comments_and_replies(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await add_comment(client, site.bob, page["id"], "Looks good")
    assert r.status_code == 200, r.text
    first = r.json()
    assert (first["type"], first["title"], first["status"]) == ("comment", "Re: Specs", "current")
    assert first["extensions"] == {"location": "footer"} and first["version"]["number"] == 1
    assert first["_expandable"]["container"] == f"/rest/api/content/{page['id']}"
    reply = await add_comment(client, site.alice, page["id"], "Thanks", ancestors=[{"id": first["id"]}])
    assert reply.status_code == 200, reply.text
    roots = await listed(client, site.bob, page["id"])
    assert [c["id"] for c in roots] == [first["id"]]
    everything = await listed(client, site.bob, page["id"], depth="all", expand="body.storage,ancestors,container")
    assert [c["id"] for c in everything] == [first["id"], reply.json()["id"]]
    assert everything[1]["ancestors"][0]["id"] == first["id"] and everything[1]["container"]["id"] == page["id"]
    assert everything[1]["body"]["storage"]["value"] == "<p>Thanks</p>"
    got = await client.get(f"{API}/content/{first['id']}", headers=site.bob.bearer, params={"expand": "container"})
    assert got.json()["container"]["id"] == page["id"] and got.json()["extensions"]["location"] == "footer"


async def test_comments_listed_again_show_new_and_edited_comments(client, site, page) -> None:  # type: ignore[no-untyped-def]
    """Listed without bodies, comments may come from the worker's read cache; never stale ones."""
    first = (await add_comment(client, site.bob, page["id"], "One")).json()
    for _ in range(2):
        assert [c["id"] for c in await listed(client, site.bob, page["id"])] == [first["id"]]
    second = (await add_comment(client, site.alice, page["id"], "Two")).json()
    assert [c["id"] for c in await listed(client, site.bob, page["id"])] == [first["id"], second["id"]]
    r = await client.put(f"{API}/content/{first['id']}", headers=site.bob.bearer, json={
        "type": "comment", "title": first["title"], "version": {"number": 2},
        "body": {"storage": {"value": "<p>One, edited</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    found = await listed(client, site.bob, page["id"], expand="version")
    assert [c["version"]["number"] for c in found] == [2, 1] and "body" not in found[0]
    found = await listed(client, site.bob, page["id"], expand="body.storage")
    assert [c["body"]["storage"]["value"] for c in found] == ["<p>One, edited</p>", "<p>Two</p>"]


async def test_a_comment_s_children_are_its_replies(client, site, page) -> None:  # type: ignore[no-untyped-def]
    first = (await add_comment(client, site.bob, page["id"], "Question")).json()
    answer = (await add_comment(client, site.alice, page["id"], "Answer", ancestors=[{"id": first["id"]}])).json()
    again = (await add_comment(client, site.bob, page["id"], "Thanks", ancestors=[{"id": answer["id"]}])).json()
    other = (await add_comment(client, site.bob, page["id"], "Unrelated")).json()
    assert [c["id"] for c in await listed(client, site.bob, first["id"])] == [answer["id"]]
    assert [c["id"] for c in await listed(client, site.bob, first["id"], depth="all")] == [answer["id"], again["id"]]
    assert await listed(client, site.bob, other["id"]) == []
    r = await client.get(f"{API}/content/{first['id']}/descendant/comment", headers=site.bob.bearer)
    assert [c["id"] for c in r.json()["results"]] == [answer["id"], again["id"]]
    r = await client.get(f"{API}/content/{first['id']}/child", headers=site.bob.bearer)
    assert r.json()["_expandable"] == {"comment": f"/rest/api/content/{first['id']}/child/comment"}
    confluence_error(await client.get(f"{API}/content/{first['id']}/descendant/attachment",
                                      headers=site.bob.bearer), 400, "a comment has comment children only")
    # who may not see the page does not see the replies
    await make_space(client, site.alice, "HUSH", private=True)
    hidden = await make_page(client, site.alice, "HUSH", "Hidden")
    secret = (await add_comment(client, site.alice, hidden["id"], "Psst")).json()
    confluence_error(await client.get(f"{API}/content/{secret['id']}/child/comment", headers=site.bob.bearer), 404)


async def test_inline_comments_and_locations(client, site, page) -> None:  # type: ignore[no-untyped-def]
    footer = (await add_comment(client, site.bob, page["id"], "General")).json()
    props = {"originalSelection": "the spec", "markerRef": "abc-123"}
    r = await add_comment(client, site.bob, page["id"], "This word", extensions={"location": "inline",
                                                                                  "inlineProperties": props})
    inline = r.json()
    assert inline["extensions"] == {"location": "inline", "inlineProperties": props, "resolution": {"status": "open"}}
    assert [c["id"] for c in await listed(client, site.bob, page["id"], location="inline")] == [inline["id"]]
    assert [c["id"] for c in await listed(client, site.bob, page["id"], location="footer")] == [footer["id"]]
    assert await listed(client, site.bob, page["id"], location="resolved") == []
    assert len(await listed(client, site.bob, page["id"])) == 2
    confluence_error(await client.get(f"{API}/content/{page['id']}/child/comment", headers=site.bob.bearer,
                                      params={"location": "margin"}), 400, "location")
    confluence_error(await client.get(f"{API}/content/{page['id']}/child/comment", headers=site.bob.bearer,
                                      params={"depth": "deep"}), 400, "depth")


async def test_a_comment_has_versions(client, site, page) -> None:  # type: ignore[no-untyped-def]
    c = (await add_comment(client, site.bob, page["id"], "Frist")).json()
    r = await client.put(f"{API}/content/{c['id']}", headers=site.bob.bearer, json={
        "type": "comment", "title": c["title"], "version": {"number": 2},
        "body": {"storage": {"value": "<p>First</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    assert r.json()["version"]["number"] == 2 and r.json()["extensions"]["location"] == "footer"
    versions = await client.get(f"{API}/content/{c['id']}/version", headers=site.bob.bearer)
    assert [v["number"] for v in versions.json()["results"]] == [2, 1]
    body = (await listed(client, site.bob, page["id"], expand="body.storage"))[0]["body"]["storage"]["value"]
    assert body == "<p>First</p>"


async def test_bad_comments_are_refused(client, site, page) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "SEC", private=True)
    secret = await make_page(client, site.alice, "SEC", "Secret")
    confluence_error(await add_comment(client, site.bob, secret["id"], "peek"), 400, "No content found")
    confluence_error(await client.get(f"{API}/content/{secret['id']}/child/comment", headers=site.bob.bearer), 404)
    no_container = await client.post(f"{API}/content", headers=site.bob.bearer, json={
        "type": "comment", "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}}})
    confluence_error(no_container, 400, "container")
    confluence_error(await add_comment(client, site.bob, page["id"], "x", ancestors=[{"id": page["id"]}]), 400,
                     "is not a comment")
    empty = await client.post(f"{API}/content", headers=site.bob.bearer, json={
        "type": "comment", "container": {"id": page["id"], "type": "page"}})
    confluence_error(empty, 400, "body")
    root = (await add_comment(client, site.bob, page["id"], "root")).json()
    # the comment answered is the last ancestor; every ancestor must still be a content id
    bad = await add_comment(client, site.bob, page["id"], "x", ancestors=[{"id": "abc"}, {"id": root["id"]}])
    confluence_error(bad, 400)
    assert [c["id"] for c in await listed(client, site.bob, page["id"], depth="all")] == [root["id"]]


async def test_purging_the_page_purges_its_comments(client, site, page) -> None:  # type: ignore[no-untyped-def]
    c = (await add_comment(client, site.bob, page["id"], "Soon gone")).json()
    assert (await client.delete(f"{API}/content/{page['id']}", headers=site.alice.bearer)).status_code == 204
    assert (await client.delete(f"{API}/content/{page['id']}", headers=site.alice.bearer,
                                params={"status": "trashed"})).status_code == 204
    confluence_error(await client.get(f"{API}/content/{c['id']}", headers=site.bob.bearer), 404)


async def test_a_new_comment_tells_the_page_watchers(app, client, site, settings, page) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        hook = await register(client, site.admin, receiver.url, [ev.CONTENT_COMMENT_CREATED])
        c = (await add_comment(client, site.bob, page["id"], "Ping")).json()
        await deliver_until(app, fast(settings), settled(client, site.admin, hook["id"]))
        got = receiver.wait(1)
    # alice created the page, so she watches it; bob, who commented, does not.
    assert [(g.json["type"], g.json["watcher"]["accountId"], g.json["data"]["content"]["id"],
             g.json["data"]["comment"]["id"]) for g in got] == [
        (ev.CONTENT_COMMENT_CREATED, site.alice.account_id, page["id"], c["id"])]


async def test_a_trailing_slash_names_the_same_resource(client, site, page) -> None:  # type: ignore[no-untyped-def]
    """atlassian-python-api's add_comment posts to `rest/api/content/`."""
    r = await client.post(f"{API}/content/", headers=site.bob.bearer, json={
        "type": "comment", "container": {"id": page["id"], "type": "page"},
        "body": {"storage": {"value": "<p>slash</p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    assert [c["id"] for c in await listed(client, site.bob, page["id"])] == [r.json()["id"]]
    confluence_error(await client.get(f"{API}/nothing/here/", headers=site.bob.bearer), 404)

"""v2's footer and inline comments (/wiki/api/v2/footer-comments, /inline-comments, a page's and a blog
post's comments, replies, resolution, versions) over the services v1's comments use: a comment
written through one API is the same comment through the other, and a comment on a page one may not
read is hidden from them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.confluence_v2.conftest import V1, V2, error, v1_page

STORAGE = {"representation": "storage", "value": "<p>Nice</p>"}




async def _footer(client, who, page_id: str, text: str = "Nice", **extra: Any) -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = await client.post(f"{V2}/footer-comments", headers=who.bearer,
                          json={"pageId": page_id, "body": {"representation": "storage", "value": f"<p>{text}</p>"},
                                **extra})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def _inline(client, who, page_id: str, selection: str = "Doc") -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = await client.post(f"{V2}/inline-comments", headers=who.bearer, json={
        "pageId": page_id, "body": {"storage": {"representation": "storage", "value": "<p>Here</p>"}},
        "inlineCommentProperties": {"textSelection": selection, "textSelectionMatchCount": 1,
                                    "textSelectionMatchIndex": 0}})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def _v1_comment(client, who, page_id: str, text: str, **extra: Any) -> dict:  # type: ignore[no-untyped-def,type-arg]
    r = await client.post(f"{V1}/content", headers=who.bearer, json={
        "type": "comment", "container": {"id": page_id, "type": "page"},
        "body": {"storage": {"value": f"<p>{text}</p>", "representation": "storage"}}, **extra})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


# --- footer comments ------------------------------------------------------------------------------

async def test_footer_comment_create_read_update_delete(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    r = await client.post(f"{V2}/footer-comments", headers=site.alice.bearer,
                          json={"pageId": page["id"], "body": STORAGE})
    assert r.status_code == 201, r.text
    made = r.json()
    assert r.headers["location"] == f"http://bondline.test/wiki/api/v2/footer-comments/{made['id']}"
    assert made["pageId"] == page["id"] and made["status"] == "current" and made["title"] == "Re: Doc"
    assert made["body"] == {"storage": STORAGE} and "parentCommentId" not in made
    assert made["version"]["number"] == 1 and made["version"]["authorId"] == site.alice.account_id
    assert made["_links"]["base"] == "http://bondline.test/wiki"
    assert made["_links"]["webui"].endswith(f"?focusedCommentId={made['id']}")

    got = (await client.get(f"{V2}/footer-comments/{made['id']}?body-format=storage", headers=site.bob.bearer)).json()
    assert got["body"] == {"storage": STORAGE} and got["pageId"] == page["id"]
    bare = (await client.get(f"{V2}/footer-comments/{made['id']}?include-version=false",
                             headers=site.bob.bearer)).json()
    assert bare["body"] == {} and "version" not in bare
    # An inline comment's path does not show a footer comment.
    error(await client.get(f"{V2}/inline-comments/{made['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")

    r = await client.put(f"{V2}/footer-comments/{made['id']}", headers=site.alice.bearer, json={
        "version": {"number": 2, "message": "typo"}, "body": {"representation": "storage", "value": "<p>Nicer</p>"}})
    assert r.status_code == 200, r.text
    assert r.json()["version"]["number"] == 2 and r.json()["body"]["storage"]["value"] == "<p>Nicer</p>"
    error(await client.put(f"{V2}/footer-comments/{made['id']}", headers=site.alice.bearer, json={
        "version": {"number": 2}, "body": STORAGE}), 409, "CONFLICT")

    old = (await client.get(f"{V2}/footer-comments/{made['id']}?version=1&body-format=storage",
                            headers=site.bob.bearer)).json()
    assert old["version"]["number"] == 1 and old["body"]["storage"]["value"] == "<p>Nice</p>"
    versions = (await client.get(f"{V2}/footer-comments/{made['id']}/versions?body-format=storage",
                                 headers=site.bob.bearer)).json()
    assert [(v["number"], v["comment"]["body"]["storage"]["value"]) for v in versions["results"]] == [
        (2, "<p>Nicer</p>"), (1, "<p>Nice</p>")]
    one = (await client.get(f"{V2}/footer-comments/{made['id']}/versions/1", headers=site.bob.bearer)).json()
    assert one["number"] == 1 and one["nextVersion"] == 2 and "prevVersion" not in one
    assert one["authorId"] == site.alice.account_id and one["collaborators"] == [site.alice.account_id]
    two = (await client.get(f"{V2}/footer-comments/{made['id']}/versions/2", headers=site.bob.bearer)).json()
    assert two["prevVersion"] == 1 and two["message"] == "typo" and "nextVersion" not in two
    error(await client.get(f"{V2}/footer-comments/{made['id']}/versions/3", headers=site.bob.bearer),
           404, "NOT_FOUND")

    # bob neither wrote it nor administers the space: he may not delete it; its author may, for good.
    error(await client.delete(f"{V2}/footer-comments/{made['id']}", headers=site.bob.bearer), 403, "FORBIDDEN")
    assert (await client.delete(f"{V2}/footer-comments/{made['id']}", headers=site.alice.bearer)).status_code == 204
    error(await client.get(f"{V2}/footer-comments/{made['id']}", headers=site.alice.bearer), 404, "NOT_FOUND")
    assert (await client.get(f"{V1}/content/{made['id']}?status=any", headers=site.alice.bearer)).status_code == 404


async def test_replies_are_children_and_go_with_their_comment(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Thread")
    root = await _footer(client, site.alice, page["id"], "Root")
    reply = await _footer(client, site.bob, "", "Reply", pageId=None, parentCommentId=root["id"])
    assert reply["parentCommentId"] == root["id"] and reply["pageId"] == page["id"]
    deeper = await _footer(client, site.alice, "", "Deeper", pageId=None, parentCommentId=reply["id"])
    children = (await client.get(f"{V2}/footer-comments/{root['id']}/children?body-format=storage",
                                 headers=site.bob.bearer)).json()
    assert [(c["id"], c["parentCommentId"], c["body"]["storage"]["value"]) for c in children["results"]] == [
        (reply["id"], root["id"], "<p>Reply</p>")]
    # The page's footer comments are its root comments.
    listed = (await client.get(f"{V2}/pages/{page['id']}/footer-comments", headers=site.bob.bearer)).json()
    assert [c["id"] for c in listed["results"]] == [root["id"]]
    # Through v1, the reply is a comment whose ancestor is the root.
    v1 = (await client.get(f"{V1}/content/{reply['id']}?expand=ancestors,container", headers=site.bob.bearer)).json()
    assert [a["id"] for a in v1["ancestors"]] == [root["id"]] and v1["container"]["id"] == page["id"]
    # Deleting the root deletes the thread below it.
    assert (await client.delete(f"{V2}/footer-comments/{root['id']}", headers=site.alice.bearer)).status_code == 204
    for gone in (reply, deeper):
        error(await client.get(f"{V2}/footer-comments/{gone['id']}", headers=site.alice.bearer), 404, "NOT_FOUND")
    assert (await client.get(f"{V2}/pages/{page['id']}/footer-comments", headers=site.bob.bearer)).json()[
        "results"] == []


async def test_paging_page_comments_with_a_cursor(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Busy")
    made = [(await _footer(client, site.bob, page["id"], f"C{i}"))["id"] for i in range(5)]
    seen: list[str] = []
    url: str | None = f"{V2}/pages/{page['id']}/footer-comments?limit=2"
    while url:
        r = await client.get(url, headers=site.bob.bearer)
        assert r.status_code == 200, r.text
        seen += [c["id"] for c in r.json()["results"]]
        url = r.json()["_links"].get("next")
        assert (url is None) == ("link" not in r.headers)
    assert seen == made
    # A cursor is good for the listing it came from only.
    other = await v1_page(client, site.bob, "Other")
    first = (await client.get(f"{V2}/pages/{page['id']}/footer-comments?limit=2", headers=site.bob.bearer)).json()
    cursor = first["_links"]["next"].split("cursor=")[1]
    error(await client.get(f"{V2}/pages/{other['id']}/footer-comments?limit=2&cursor={cursor}",
                            headers=site.bob.bearer), 400, "BAD_REQUEST")
    error(await client.get(f"{V2}/pages/{page['id']}/inline-comments?limit=2&cursor={cursor}",
                            headers=site.bob.bearer), 400, "BAD_REQUEST")
    everywhere = (await client.get(f"{V2}/footer-comments?limit=250", headers=site.bob.bearer)).json()
    assert [c["id"] for c in everywhere["results"]] == made


# --- inline comments ------------------------------------------------------------------------------

async def test_inline_comment_selection_and_resolution(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    made = await _inline(client, site.alice, page["id"], "Doc")
    assert made["resolutionStatus"] == "open" and made["properties"]["inlineOriginalSelection"] == "Doc"
    marker = made["properties"]["inlineMarkerRef"]
    # v1 shows it as an inline comment with the same selection.
    v1 = (await client.get(f"{V1}/content/{made['id']}", headers=site.bob.bearer)).json()
    assert v1["extensions"]["location"] == "inline"
    assert v1["extensions"]["inlineProperties"] == {"originalSelection": "Doc", "markerRef": marker}
    assert v1["extensions"]["resolution"]["status"] == "open"
    error(await client.get(f"{V2}/footer-comments/{made['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")

    async def resolve(number: int, resolved: bool) -> dict:  # type: ignore[type-arg]
        r = await client.put(f"{V2}/inline-comments/{made['id']}", headers=site.alice.bearer,
                             json={"version": {"number": number}, "resolved": resolved})
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    assert "resolutionLastModifierId" not in made and "resolutionLastModifiedAt" not in made  # nobody yet
    resolved = await resolve(2, True)
    assert resolved["resolutionStatus"] == "resolved"
    # who resolved it and when, kept: on the comment read back and in the listing of inline comments
    assert resolved["resolutionLastModifierId"] == site.alice.account_id and resolved["resolutionLastModifiedAt"]
    got = (await client.get(f"{V2}/inline-comments/{made['id']}", headers=site.bob.bearer)).json()
    assert (got["resolutionLastModifierId"], got["resolutionLastModifiedAt"]) == (
        site.alice.account_id, resolved["resolutionLastModifiedAt"])
    # v1 shows the same, as Cloud's v1 `extensions.resolution` does
    resolution = (await client.get(f"{V1}/content/{made['id']}", headers=site.bob.bearer)).json()["extensions"][
        "resolution"]
    assert (resolution["status"], resolution["lastModifier"]["accountId"]) == ("resolved", site.alice.account_id)
    assert resolution["lastModifiedDate"][:19] == resolved["resolutionLastModifiedAt"][:19]
    listed_all = (await client.get(f"{V2}/inline-comments", headers=site.bob.bearer)).json()["results"]
    assert [c["resolutionLastModifierId"] for c in listed_all if c["id"] == made["id"]] == [site.alice.account_id]
    listed = (await client.get(f"{V2}/pages/{page['id']}/inline-comments?resolution-status=resolved",
                               headers=site.bob.bearer)).json()
    assert [c["id"] for c in listed["results"]] == [made["id"]]
    assert (await client.get(f"{V2}/pages/{page['id']}/inline-comments?resolution-status=open",
                             headers=site.bob.bearer)).json()["results"] == []
    assert (await resolve(3, False))["resolutionStatus"] == "reopened"
    r = await client.put(f"{V2}/inline-comments/{made['id']}", headers=site.bob.bearer,
                         json={"version": {"number": 4}, "resolved": True})  # bob resolves it again
    assert r.status_code == 200, r.text
    assert r.json()["resolutionLastModifierId"] == site.bob.account_id
    assert r.json()["resolutionLastModifiedAt"] >= resolved["resolutionLastModifiedAt"]
    assert (await resolve(5, False))["resolutionStatus"] == "reopened"
    v1 = (await client.get(f"{V1}/content/{made['id']}", headers=site.bob.bearer)).json()
    assert v1["extensions"]["resolution"]["status"] == "reopened"

    reply = (await client.post(f"{V2}/inline-comments", headers=site.bob.bearer, json={
        "parentCommentId": made["id"], "body": STORAGE})).json()
    assert reply["parentCommentId"] == made["id"] and reply["pageId"] == page["id"]
    children = (await client.get(f"{V2}/inline-comments/{made['id']}/children", headers=site.bob.bearer)).json()
    assert [c["id"] for c in children["results"]] == [reply["id"]]
    # A footer reply to an inline comment is refused: it is answered as one.
    error(await client.post(f"{V2}/footer-comments", headers=site.bob.bearer,
                             json={"parentCommentId": made["id"], "body": STORAGE}), 400, "BAD_REQUEST")
    everywhere = (await client.get(f"{V2}/inline-comments", headers=site.bob.bearer)).json()
    assert {c["id"] for c in everywhere["results"]} == {made["id"], reply["id"]}


# --- one comment, two APIs ------------------------------------------------------------------------

CROSS = ["footer", "reply", "inline"]


@pytest.mark.parametrize("case", CROSS)
async def test_a_v1_comment_is_the_same_comment_through_v2(client, site, space, case: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    root = await _v1_comment(client, site.alice, page["id"], "Root")
    text = {"footer": "Root", "reply": "Reply", "inline": "Inline"}[case]
    if case == "footer":
        made, kind = root, "footer-comments"
    elif case == "reply":
        made, kind = await _v1_comment(client, site.bob, page["id"], "Reply", ancestors=[{"id": root["id"]}]), \
            "footer-comments"
    else:
        made, kind = await _v1_comment(client, site.bob, page["id"], "Inline", extensions={
            "location": "inline", "inlineProperties": {"originalSelection": "Doc", "markerRef": "m-1"}}), \
            "inline-comments"
    r = await client.get(f"{V2}/{kind}/{made['id']}?body-format=storage", headers=site.alice.bearer)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["pageId"] == page["id"] and got["body"]["storage"]["value"] == f"<p>{text}</p>"
    if case == "reply":
        assert got["parentCommentId"] == root["id"]
    if case == "inline":
        assert got["properties"] == {"inlineMarkerRef": "m-1", "inlineOriginalSelection": "Doc"}
        assert got["resolutionStatus"] == "open"
    # An edit through v2 is the next version through v1, and the other way round.
    r = await client.put(f"{V2}/{kind}/{made['id']}", headers=site.alice.bearer if case != "reply"
                         else site.bob.bearer, json={"version": {"number": 2}, "body": STORAGE})
    assert r.status_code == 200, r.text
    v1 = (await client.get(f"{V1}/content/{made['id']}?expand=body.storage,version", headers=site.bob.bearer)).json()
    assert v1["version"]["number"] == 2 and v1["body"]["storage"]["value"] == STORAGE["value"]


@pytest.mark.parametrize("kind", ["footer-comments", "inline-comments"])
async def test_a_v2_comment_is_listed_by_v1(client, site, space, kind: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    made = await (_footer(client, site.alice, page["id"]) if kind == "footer-comments"
                  else _inline(client, site.alice, page["id"]))
    r = await client.get(f"{V1}/content/{page['id']}/child/comment?expand=body.storage,extensions.inlineProperties",
                         headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    [listed] = r.json()["results"]
    assert listed["id"] == made["id"] and listed["extensions"]["location"] == kind.split("-")[0]


async def test_blog_post_comments(client, site, space) -> None:  # type: ignore[no-untyped-def]
    post = (await client.post(f"{V1}/content", headers=site.bob.bearer, json={
        "type": "blogpost", "title": "News", "space": {"key": "DOC"}})).json()
    r = await client.post(f"{V2}/footer-comments", headers=site.bob.bearer,
                          json={"blogPostId": post["id"], "body": STORAGE})
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["blogPostId"] == post["id"] and "pageId" not in made
    listed = (await client.get(f"{V2}/blogposts/{post['id']}/footer-comments", headers=site.bob.bearer)).json()
    assert [c["id"] for c in listed["results"]] == [made["id"]]
    # A blog post is not a page, nor a page a blog post.
    error(await client.get(f"{V2}/pages/{post['id']}/footer-comments", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.post(f"{V2}/footer-comments", headers=site.bob.bearer,
                             json={"pageId": post["id"], "body": STORAGE}), 404, "NOT_FOUND")
    error(await client.post(f"{V2}/footer-comments", headers=site.bob.bearer,
                             json={"pageId": "999999", "body": STORAGE}), 404, "NOT_FOUND")


def _adf(text: str) -> str:
    return ('{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"'
            + text + '"}]}]}')


@pytest.mark.parametrize("kind", ["footer-comments", "inline-comments"])
async def test_a_comment_written_in_adf_is_read_in_either_format(client, site, space, kind: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    body: dict[str, Any] = {"pageId": page["id"], "body": {"representation": "atlas_doc_format", "value": _adf("Hi")}}
    if kind == "inline-comments":
        body["inlineCommentProperties"] = {"textSelection": "Doc"}
    r = await client.post(f"{V2}/{kind}", headers=site.bob.bearer, json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["body"]["storage"]["value"] == "<p>Hi</p>"  # stored as storage (decision 0021)
    adf = (await client.get(f"{V2}/{kind}/{made['id']}?body-format=atlas_doc_format", headers=site.bob.bearer)).json()
    assert adf["body"]["atlas_doc_format"] == {"representation": "atlas_doc_format", "value": _adf("Hi")}
    listed = (await client.get(f"{V2}/pages/{page['id']}/{kind}?body-format=atlas_doc_format",
                               headers=site.bob.bearer)).json()
    assert [c["body"]["atlas_doc_format"]["value"] for c in listed["results"]] == [_adf("Hi")]
    # An update in ADF, read through v1 in storage; the versions in ADF.
    r = await client.put(f"{V2}/{kind}/{made['id']}", headers=site.bob.bearer, json={
        "version": {"number": 2}, "body": {"atlas_doc_format": {"representation": "atlas_doc_format",
                                                              "value": _adf("Again")}}})
    assert r.status_code == 200, r.text
    v1 = (await client.get(f"{V1}/content/{made['id']}?expand=body.storage", headers=site.bob.bearer)).json()
    assert v1["body"]["storage"]["value"] == "<p>Again</p>"
    versions = (await client.get(f"{V2}/{kind}/{made['id']}/versions?body-format=atlas_doc_format",
                                 headers=site.bob.bearer)).json()
    assert [v["comment"]["body"]["atlas_doc_format"]["value"] for v in versions["results"]] == [
        _adf("Again"), _adf("Hi")]


# --- who sees what --------------------------------------------------------------------------------

async def test_comments_on_a_read_restricted_page_are_hidden(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.alice, "Secret")
    made = await _footer(client, site.alice, page["id"])
    inline = await _inline(client, site.alice, page["id"], "Secret")
    r = await client.put(f"{V1}/content/{page['id']}/restriction", headers=site.alice.bearer, json=[
        {"operation": "read", "restrictions": {"user": [{"type": "known", "accountId": site.alice.account_id}]}}])
    assert r.status_code == 200, r.text
    for path in (f"footer-comments/{made['id']}", f"inline-comments/{inline['id']}",
                 f"pages/{page['id']}/footer-comments", f"pages/{page['id']}/inline-comments",
                 f"footer-comments/{made['id']}/children", f"footer-comments/{made['id']}/versions",
                 f"footer-comments/{made['id']}/versions/1", f"footer-comments/{made['id']}/likes/count"):
        error(await client.get(f"{V2}/{path}", headers=site.bob.bearer), 404, "NOT_FOUND")
        assert (await client.get(f"{V2}/{path}", headers=site.alice.bearer)).status_code == 200, path
    for kind in ("footer-comments", "inline-comments"):
        listed = (await client.get(f"{V2}/{kind}", headers=site.bob.bearer)).json()
        assert listed["results"] == []
    error(await client.post(f"{V2}/footer-comments", headers=site.bob.bearer,
                             json={"parentCommentId": made["id"], "body": STORAGE}), 404, "NOT_FOUND")
    error(await client.post(f"{V2}/footer-comments", headers=site.bob.bearer,
                             json={"pageId": page["id"], "body": STORAGE}), 404, "NOT_FOUND")
    error(await client.delete(f"{V2}/footer-comments/{made['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.put(f"{V2}/inline-comments/{inline['id']}", headers=site.bob.bearer,
                            json={"version": {"number": 2}, "resolved": True}), 404, "NOT_FOUND")


# --- bad input: v2's 4xx body ---------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "body"), [
    ("footer-comments", {"body": STORAGE}),  # on nothing
    ("footer-comments", {"pageId": "{page}"}),  # no body
    ("footer-comments", {"pageId": "{page}", "body": {"representation": "storage", "value": "  "}}),
    ("footer-comments", {"pageId": "{page}", "body": {"representation": "atlas_doc_format", "value": "[]"}}),
    ("footer-comments", {"pageId": "{page}", "body": {"representation": "wiki", "value": "h1. x"}}),
    ("footer-comments", {"pageId": "abc", "body": STORAGE}),
    ("footer-comments", {"pageId": "{page}", "blogPostId": "{page}", "body": STORAGE}),
    ("footer-comments", {"attachmentId": "abc", "body": STORAGE}),
    ("footer-comments", {"customContentId": "1", "body": STORAGE}),
    ("footer-comments", {"pageId": "{page}", "attachmentId": "att1", "body": STORAGE}),
    ("inline-comments", {"attachmentId": "att1", "body": STORAGE, "inlineCommentProperties": {
        "textSelection": "Doc"}}),
    ("footer-comments", {"pageId": "{page}", "body": "text"}),
    ("inline-comments", {"pageId": "{page}", "body": STORAGE}),  # no selection
    ("inline-comments", {"pageId": "{page}", "body": STORAGE, "inlineCommentProperties": {"textSelection": ""}}),
    ("inline-comments", {"pageId": "{page}", "body": STORAGE, "inlineCommentProperties": {
        "textSelection": "Doc", "textSelectionMatchCount": 1, "textSelectionMatchIndex": 1}}),
    ("inline-comments", {"pageId": "{page}", "body": STORAGE, "inlineCommentProperties": {
        "textSelection": "Doc", "textSelectionMatchCount": "one"}}),
    # the selection must be in the page's body (`<p>Doc</p>`), its index-th occurrence too
    ("inline-comments", {"pageId": "{page}", "body": STORAGE, "inlineCommentProperties": {
        "textSelection": "Elsewhere", "textSelectionMatchCount": 1, "textSelectionMatchIndex": 0}}),
    ("inline-comments", {"pageId": "{page}", "body": STORAGE, "inlineCommentProperties": {
        "textSelection": "Doc", "textSelectionMatchCount": 2, "textSelectionMatchIndex": 1}}),
])
async def test_bad_creates(client, site, space, kind: str, body: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    page = await v1_page(client, site.bob, "Doc")
    filled = {k: (v.format(page=page["id"]) if isinstance(v, str) else v) for k, v in body.items()}
    found = error(await client.post(f"{V2}/{kind}", headers=site.bob.bearer, json=filled), 400, "BAD_REQUEST")
    assert found["detail"]


@pytest.mark.parametrize("query", ["body-format=wiki", "body-format=view", "limit=0", "limit=251",
                                   "sort=sideways", "sort=title", "status=bogus", "cursor=garbage",
                                   "resolution-status=maybe"])
async def test_bad_list_parameters(client, site, space, query: str) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    error(await client.get(f"{V2}/pages/{page['id']}/inline-comments?{query}", headers=site.bob.bearer),
           400, "BAD_REQUEST")


async def test_bad_updates_and_ids(client, site, space) -> None:  # type: ignore[no-untyped-def]
    page = await v1_page(client, site.bob, "Doc")
    made = await _footer(client, site.bob, page["id"])
    inline = await _inline(client, site.bob, page["id"])
    url = f"{V2}/footer-comments/{made['id']}"
    error(await client.put(url, headers=site.bob.bearer, json={"body": STORAGE}), 400, "BAD_REQUEST")
    error(await client.put(url, headers=site.bob.bearer, json={"version": {"number": 2}, "resolved": True}),
           400, "BAD_REQUEST")
    error(await client.put(url, headers=site.bob.bearer, json={"version": {"number": "two"}}), 400, "BAD_REQUEST")
    error(await client.put(f"{V2}/inline-comments/{inline['id']}", headers=site.bob.bearer,
                            json={"version": {"number": 2}, "resolved": "yes"}), 400, "BAD_REQUEST")
    error(await client.get(f"{V2}/footer-comments/abc", headers=site.bob.bearer), 400, "BAD_REQUEST")
    error(await client.get(f"{V2}/footer-comments/{made['id']}/versions/zero", headers=site.bob.bearer),
           400, "BAD_REQUEST")
    error(await client.get(f"{V2}/footer-comments/{page['id']}", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.get(f"{V2}/footer-comments/999999", headers=site.bob.bearer), 404, "NOT_FOUND")
    error(await client.get(f"{V2}/pages/{made['id']}/footer-comments", headers=site.bob.bearer), 404, "NOT_FOUND")


# --- the selection an inline comment highlights -----------------------------------------------------

@pytest.mark.parametrize(("body", "selection", "count", "index", "status"), [
    ("<p>Doc</p>", "Doc", 1, 0, 201),
    ("<p>one <b>two</b> three</p>", "one two three", 1, 0, 201),  # across inline markup
    ("<p>Do<b>c</b>s</p>", "Docs", 1, 0, 201),  # inside a word
    ("<p>a &amp; b</p>", "a & b", 1, 0, 201),  # entities as their characters
    ("<p>x y</p><p>x y</p>", "x y", 2, 1, 201),  # the second occurrence
    ("<p>x y</p>", "x y", 2, 1, 400),  # there is no second one
    ("<p>Doc</p>", "doc", 1, 0, 400),  # case counts
    ("<p>Doc</p>", "<p>Doc</p>", 1, 0, 400),  # text, not markup
])
async def test_the_selection_must_be_in_the_body(client, site, space, body: str, selection: str,  # type: ignore[no-untyped-def]
                                                 count: int, index: int, status: int) -> None:
    page = await v1_page(client, site.bob, "Sel", body=body)
    r = await client.post(f"{V2}/inline-comments", headers=site.bob.bearer, json={
        "pageId": page["id"], "body": STORAGE, "inlineCommentProperties": {
            "textSelection": selection, "textSelectionMatchCount": count, "textSelectionMatchIndex": index}})
    if status == 400:
        assert "text selection" in error(r, 400, "BAD_REQUEST")["detail"].lower() or "textSelection" in r.text
        listed = (await client.get(f"{V2}/pages/{page['id']}/inline-comments", headers=site.bob.bearer)).json()
        assert listed["results"] == []  # nothing stored
    else:
        assert r.status_code == 201, r.text
        assert r.json()["properties"]["inlineOriginalSelection"] == selection


# --- sort orders ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sort", ["created-date", "-created-date", "modified-date", "-modified-date"])
async def test_comments_in_every_sort_order(client, site, space, sort: str) -> None:  # type: ignore[no-untyped-def]
    """Each CommentSortOrder, inside the query: a cursor's next page continues the order."""
    page = await v1_page(client, site.bob, "Doc")
    made = [await _footer(client, site.bob, page["id"], f"c{n}") for n in range(4)]
    await asyncio.sleep(0.003)  # (times are in milliseconds)
    # the first comment edited last: its modification is the newest
    r = await client.put(f"{V2}/footer-comments/{made[0]['id']}", headers=site.bob.bearer, json={
        "version": {"number": 2}, "body": {"representation": "storage", "value": "<p>c0!</p>"}})
    assert r.status_code == 200, r.text
    ids = [m["id"] for m in made]
    expected = {"created-date": ids, "-created-date": ids[::-1], "modified-date": ids[1:] + ids[:1],
                "-modified-date": ids[:1] + ids[1:][::-1]}[sort]
    for path in (f"pages/{page['id']}/footer-comments", "footer-comments"):
        seen: list[str] = []
        url = f"{V2}/{path}?sort={sort}&limit=3"
        while url:
            r = await client.get(url, headers=site.bob.bearer)
            assert r.status_code == 200, r.text
            seen += [c["id"] for c in r.json()["results"]]
            nxt = r.json()["_links"].get("next")
            url = nxt if nxt else ""
        assert seen == expected, (path, sort)

"""Third-party clients, unchanged, on bondline's Confluence v2 API (/wiki/api/v2) against a live
server: confluence.js 3.x (npm, pinned in tests/clients/package-lock.json) through its v2 functions
for spaces and pages — which is how it creates, reads and updates pages — and for blog posts,
versions, descendants and space creation, each checked for what was written, and what was written
through v2 read back through v1."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import httpx
import pytest

from bondline.client import Client
from tests.helpers import CLIENTS, missing_confluence_js

pytestmark = pytest.mark.live
SCRIPT = CLIENTS / "confluence-js" / "v2.mjs"



@pytest.mark.skipif(missing_confluence_js() is not None, reason=str(missing_confluence_js()))
def test_confluence_js_v2_pages_and_spaces(live: Any) -> None:
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create("CJV", "confluence.js v2")
    result = subprocess.run(["node", str(SCRIPT)], cwd=CLIENTS, capture_output=True, text=True, timeout=120,
                            check=False, env={**os.environ, "HOST": live.url, "EMAIL": live.bob.email,
                                              "TOKEN": live.bob.token, "KEY": "CJV"})
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    space = out["space"]
    assert space["key"] == "CJV" and space["id"].isdigit() and out["spaceById"] == "CJV"
    # No parentId: under the space's home page, as on Cloud.
    assert out["created"] == {"parentId": space["homepageId"], "childParent": out["ids"]["parent"], "version": 1}
    assert out["read"] == {"title": "JS child", "body": "<p>c</p>", "spaceId": space["id"]}
    assert out["updated"] == {"title": "JS child v2", "version": 2}
    assert out["children"] == ["JS child v2"]
    assert out["ancestors"] == [space["homepageId"], out["ids"]["parent"]]
    # One page per request, following _links.next: every page of the space once (its home page first).
    assert out["listed"][1:] == ["JS parent", "JS child v2"] and len(out["listed"]) == 3
    assert out["afterDelete"] == []
    # The v2 writes are v1's page: trashed, with its second version.
    trashed = httpx.get(f"{live.url}/wiki/rest/api/content/{out['ids']['child']}?status=trashed&expand=version",
                        headers={"Authorization": f"Bearer {live.bob.token}"}).json()
    assert trashed["status"] == "trashed" and trashed["version"]["number"] == 2 and trashed["title"] == "JS child v2"


@pytest.mark.skipif(missing_confluence_js() is not None, reason=str(missing_confluence_js()))
def test_confluence_js_v2_blog_posts_versions_and_tree(live: Any) -> None:
    """confluence.js 3.x's v2 functions for blog posts, versions, descendants, direct children, page
    titles, space creation and content-id conversion (its own schemas check every response)."""
    result = subprocess.run(["node", str(CLIENTS / "confluence-js" / "v2-blogposts.mjs")], cwd=CLIENTS,
                            capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "HOST": live.url, "EMAIL": live.bob.email, "TOKEN": live.bob.token,
                                 "KEY": "CJB"})
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    ids = out["ids"]
    assert out["space"]["key"] == "CJB" and out["space"]["name"] == "confluence.js blog"
    assert out["created"] == {"title": "JS post one", "version": 1, "spaceId": out["space"]["id"]}
    assert out["read"] == {"title": "JS post one", "body": "<p>1</p>"}
    assert out["updated"] == {"title": "JS post one v2", "version": 2}
    assert out["listed"] == ["JS post two", "JS post one v2"]  # sort=-id, one per request
    assert out["inSpace"] == ["JS post one v2", "JS post two"]
    assert out["blogVersions"] == [[2, "second", "<p>1b</p>"], [1, "", "<p>1</p>"]]
    assert out["blogVersion"] == {"number": 1, "nextVersion": 2}
    assert out["descendants"] == [["JS leaf", 1], ["JS deep", 2]]
    assert out["directChildren"] == ["JS leaf"]
    assert out["renamed"] == {"title": "JS leaf renamed", "version": 2}
    assert out["pageVersions"] == [[1, "JS leaf"], [2, "JS leaf renamed"]]
    assert out["pageVersion"] == {"number": 2, "prevVersion": 1}
    assert out["types"] == {ids["first"]: "blogpost", ids["parent"]: "page"}
    assert out["trashed"] == ["JS post two"] and out["afterPurge"] == ["JS post one v2"]
    # Through v1: the space, the blog post with its two versions, the renamed page.
    auth = {"Authorization": f"Bearer {live.bob.token}"}
    space = httpx.get(f"{live.url}/wiki/rest/api/space/CJB?expand=description.plain", headers=auth).json()
    assert space["description"]["plain"]["value"] == "made by confluence.js"
    post = httpx.get(f"{live.url}/wiki/rest/api/content/{ids['first']}?expand=version,body.storage",
                     headers=auth).json()
    assert (post["type"], post["title"], post["version"]["number"]) == ("blogpost", "JS post one v2", 2)
    assert httpx.get(f"{live.url}/wiki/rest/api/content/{ids['second']}?status=any",
                     headers=auth).status_code == 404


@pytest.mark.skipif(missing_confluence_js() is not None, reason=str(missing_confluence_js()))
def test_confluence_js_v2_comments_attachments_and_likes(live: Any) -> None:
    """confluence.js's v2 functions for comments, attachments and likes, on a page written through v1
    (an attachment uploaded and a like made through v1, as Cloud's clients do); each call's result
    checked, and the v2 writes read back through v1."""
    v1 = f"{live.url}/wiki/rest/api"
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create("CJC", "confluence.js v2 comments")
    bob = {"Authorization": f"Bearer {live.bob.token}"}
    alice_auth = {"Authorization": f"Bearer {live.alice.token}"}
    page = httpx.post(f"{v1}/content", headers=bob, json={
        "type": "page", "title": "JS comments", "space": {"key": "CJC"},
        "body": {"storage": {"value": "<p>JS</p>", "representation": "storage"}}}).json()
    for data in (b"one", b"two!"):
        r = httpx.put(f"{v1}/content/{page['id']}/child/attachment", headers={**bob, "X-Atlassian-Token": "no-check"},
                      files=[("file", ("js.txt", data, "text/plain"))])
        assert r.status_code == 200, r.text
    attachment = r.json()["results"][0]["id"]
    assert httpx.put(f"{v1}/relation/like/from/user/current/to/content/{page['id']}",
                     headers=alice_auth).status_code == 200
    result = subprocess.run(["node", str(CLIENTS / "confluence-js" / "v2comments.mjs")], cwd=CLIENTS,
                            capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "HOST": live.url, "EMAIL": live.bob.email, "TOKEN": live.bob.token,
                                 "PAGE": page["id"], "ATTACHMENT": attachment})
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    ids = out["ids"]
    assert out["footer"] == {"pageId": page["id"], "version": 1, "replyParent": ids["footer"], "replyPage": page["id"]}
    assert out["edited"] == {"version": 2, "body": "<p>f2</p>"}
    assert out["read"] == {"body": "<p>f2</p>", "title": "Re: JS comments"}
    assert out["children"] == [ids["reply"]] and out["pageFooter"] == ["<p>f2</p>"]
    assert out["allFooter"] == [ids["footer"], ids["reply"]]
    assert out["versions"] == [2, 1] and out["versionDetail"] == {"number": 1, "next": 2}
    assert out["footerLikes"] == 0
    assert out["inline"] == {"status": "open", "selection": "JS"} and out["resolved"] == "resolved"
    assert out["inlineChildren"] == [ids["inlineReply"]] and out["inlineRead"] == "resolved"
    assert out["pageResolved"] == [ids["inline"]]
    assert out["allInline"] == sorted([ids["inline"], ids["inlineReply"]])
    assert out["pageLikes"] == 1 and out["pageLikers"] == [live.alice.account_id]
    assert out["attachment"]["title"] == "js.txt" and out["attachment"]["pageId"] == page["id"]
    assert out["attachment"]["size"] == 4 and out["attachment"]["version"] == 2
    assert out["attachment"]["download"].startswith(f"/download/attachments/{page['id']}/js.txt")
    assert out["pageAttachments"] == [attachment] and out["attachments"] == [attachment]
    assert out["attachmentVersions"] == [2, 1] and out["attachmentVersion"] == 1
    assert out["afterAttachmentDelete"] == [] and out["afterDelete"] == []
    # Through v1: the attachment is in the trash, the footer thread is gone, the inline comment stays.
    assert httpx.get(f"{v1}/content/{attachment}?status=trashed", headers=bob).json()["status"] == "trashed"
    for gone in (ids["footer"], ids["reply"], ids["inlineReply"]):
        assert httpx.get(f"{v1}/content/{gone}", headers=bob).status_code == 404
    inline = httpx.get(f"{v1}/content/{ids['inline']}", headers=bob).json()
    assert inline["extensions"]["resolution"]["status"] == "resolved"
    assert inline["extensions"]["inlineProperties"]["originalSelection"] == "JS"


@pytest.mark.skipif(missing_confluence_js() is not None, reason=str(missing_confluence_js()))
def test_confluence_js_v2_labels_properties_permissions_users_operations(live: Any) -> None:
    """confluence.js's v2 functions for labels (written through v1), content and space properties (read
    back through v1), space permissions, users-bulk and operations."""
    v1 = f"{live.url}/wiki/rest/api"
    alice = {"Authorization": f"Bearer {live.alice.token}"}
    with Client(live.url, live.alice.token) as client:
        client.spaces.create("CJM", "confluence.js v2 meta")
        page = client.content.create("CJM", "Labelled")["id"]
    for body in ([{"prefix": "global", "name": "js-one"}, {"prefix": "team", "name": "js-two"}],):
        assert httpx.post(f"{v1}/content/{page}/label", headers=alice, json=body).status_code == 200
    assert httpx.post(f"{v1}/space/CJM/label", headers=alice, json=[{"prefix": "team", "name": "js-space"}]
                      ).status_code == 200
    result = subprocess.run(["node", str(CLIENTS / "confluence-js" / "v2-meta.mjs")], cwd=CLIENTS,
                            capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "HOST": live.url, "EMAIL": live.alice.email, "TOKEN": live.alice.token,
                                 "KEY": "CJM", "PAGE": page,
                                 "ACCOUNTS": f"{live.bob.account_id},{live.alice.account_id}"})
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["pageLabels"] == ["global:js-one", "team:js-two"]
    assert {"js-one", "js-two", "js-space"} <= set(out["labels"]) and out["byId"] == [out["labelId"]]
    assert out["spaceLabels"] == ["js-space"] and out["spaceContentLabels"] == ["js-one", "js-two"]
    prop = out["property"]
    assert prop["created"] == 1 and prop["read"] == {"a": "b"} and prop["updated"] == [["x"], 2, "two"]
    assert prop["stale"] == 409
    assert out["listed"] == ["js"] and out["afterDelete"] == ["kept"]
    assert out["spaceProperty"] == {"created": 1, "updated": ["two", 2]} and out["spaceProperties"] == ["sjs"]
    assert f"{live.alice.account_id}:administer:space" in out["permissions"]
    assert out["users"] == [[live.bob.account_id, "Bob"], [live.alice.account_id, "Alice"]]
    assert {"read:page", "update:page", "delete:page"} <= set(out["pageOperations"])
    assert "administer:space" in out["spaceOperations"]
    # what confluence.js wrote through v2 is v1's property, and the other way round
    kept = httpx.get(f"{v1}/content/{page}/property/kept", headers=alice).json()
    assert kept["value"] == "v1 reads me" and kept["version"]["number"] == 1
    assert httpx.get(f"{v1}/content/{page}/property/js", headers=alice).status_code == 404
    space_prop = httpx.get(f"{v1}/space/CJM/property/sjs", headers=alice).json()
    assert space_prop["value"] == "two" and space_prop["version"]["number"] == 2


ADF_SCRIPT = CLIENTS / "confluence-js" / "v2-adf.mjs"


@pytest.mark.skipif(missing_confluence_js() is not None, reason=str(missing_confluence_js()))
def test_confluence_js_v2_bodies_in_atlas_doc_format(live: Any) -> None:
    """confluence.js writes a page's body as ADF and reads it back as ADF and as storage (decision 0021)."""
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create("CJA", "confluence.js ADF")
    result = subprocess.run(["node", str(ADF_SCRIPT)], cwd=CLIENTS, capture_output=True, text=True, timeout=120,
                            check=False, env={**os.environ, "HOST": live.url, "EMAIL": live.bob.email,
                                              "TOKEN": live.bob.token, "KEY": "CJA"})
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["created"] == {
        "adf": {"type": "doc", "version": 1, "content": [
            {"type": "heading", "attrs": {"level": 1}, "content": [{"type": "text", "text": "Plan"}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "Ship "},
                                              {"type": "text", "text": "soon", "marks": [{"type": "strong"}]}]}]},
        "representation": "atlas_doc_format",
        "storage": "<h1>Plan</h1><p>Ship <strong>soon</strong></p>"}
    assert out["updated"] == {"storage": "<ul><li><p>done</p></li></ul>", "version": 2}
    assert out["storageAsAdf"] == {"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "hi", "marks": [{"type": "em"}]}]}]}

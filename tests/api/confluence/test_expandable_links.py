"""No link bondline hands out answers 404 (issue 30): on the demo site (`bondline serve --demo`'s
seed file) with a comment, a reply, an attachment, a child page, a group, a label, properties and a
favourite added, every relative URL found in any `_expandable` object, and every `_links` entry that
is an API path (`self`, `collection`, `next`, `prev`, `download`), of every answer — followed from
the spaces, the page, the comment, the attachment, the users and the groups with their default
expansions, and then from whatever those link to — is read, and none answers 404 or 5xx.

An empty value is Confluence's "expandable, but not at a URL of its own" and is fine, except where
Confluence gives a URL: a space with a home page names it (`homepage`), content names its space,
children, descendants and history.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bondline import demo
from tests.helpers import API, make_page

XSRF = {"X-Atlassian-Token": "no-check"}
LINK_KEYS = ("self", "collection", "next", "prev", "download")
MAX_FOLLOWED = 400


def _links_in(body: Any, base: str, found: list[tuple[str, str]]) -> None:
    """Every (where, path) pair in a JSON answer: `_expandable` URLs and API `_links`."""
    if isinstance(body, list):
        for item in body:
            _links_in(item, base, found)
        return
    if not isinstance(body, dict):
        return
    for key, value in body.items():
        if key == "_expandable" and isinstance(value, dict):
            for name, link in value.items():
                if isinstance(link, str) and link:
                    found.append((f"_expandable.{name}", link))
        elif key == "_links" and isinstance(value, dict):
            for name in LINK_KEYS:
                link = value.get(name)
                if isinstance(link, str) and link:
                    found.append((f"_links.{name}", link[len(base):] if link.startswith(base) else link))
        else:
            _links_in(value, base, found)


def _request_path(link: str) -> str:
    """A link relative to the wiki context (`/rest/api/…`, `/download/…`) as a request path."""
    parts = urlsplit(link)
    assert not parts.scheme or parts.netloc == "bondline.test", link
    path = parts.path if parts.path.startswith("/wiki/") else "/wiki" + parts.path
    return path + (f"?{parts.query}" if parts.query else "")


async def _site(client: Any, app: Any) -> dict[str, Any]:
    site = await demo.seed(app.store)
    bob = {"Authorization": f"Bearer {site.tokens['demo-bob']}"}
    alice = {"Authorization": f"Bearer {site.tokens['demo-alice']}"}
    page = str(site.page_id)

    async def ok(r: Any) -> dict[str, Any]:
        assert r.status_code in (200, 201), r.text
        return r.json() if r.content else {}

    class Who:
        bearer = bob

    child = await make_page(client, Who, site.space_key, "A child", ancestors=[{"id": page}])
    comment = await ok(await client.post(f"{API}/content", headers=bob, json={
        "type": "comment", "container": {"id": page, "type": "page"},
        "body": {"storage": {"value": "<p>Nice</p>", "representation": "storage"}}}))
    reply = await ok(await client.post(f"{API}/content", headers=bob, json={
        "type": "comment", "container": {"id": page, "type": "page"}, "ancestors": [{"id": comment["id"]}],
        "body": {"storage": {"value": "<p>Thanks</p>", "representation": "storage"}}}))
    attachments = await ok(await client.post(f"{API}/content/{page}/child/attachment", headers={**bob, **XSRF},
                                             files=[("file", ("notes.txt", b"hello", "text/plain"))]))
    attachment = attachments["results"][0]
    await ok(await client.post(f"{API}/content/{page}/label", headers=bob, json=[{"prefix": "global",
                                                                                   "name": "demo"}]))
    await ok(await client.post(f"{API}/content/{page}/property", headers=bob, json={"key": "colour",
                                                                                     "value": {"x": 1}}))
    await ok(await client.post(f"{API}/space/{site.space_key}/property", headers=bob, json={
        "key": "team", "value": "docs"}))
    group = await ok(await client.post(f"{API}/group", headers=alice, json={"name": "writers"}))
    await ok(await client.post(f"{API}/group/userByGroupId?groupId={group['id']}", headers=alice,
                               json={"accountId": "demo-bob"}))
    await ok(await client.put(f"{API}/relation/favourite/from/user/current/to/content/{page}", headers=bob))
    await ok(await client.put(f"{API}/relation/reading/from/user/current/to/content/{page}", headers=bob))
    return {"site": site, "bob": bob, "page": page, "child": child["id"], "comment": comment["id"],
            "reply": reply["id"], "attachment": attachment["id"], "group": group["id"]}


async def test_no_expandable_or_api_link_answers_404(app, client) -> None:  # type: ignore[no-untyped-def]
    s = await _site(client, app)
    key, page, bob = s["site"].space_key, s["page"], s["bob"]
    starts = [
        f"{API}/space", f"{API}/space/{key}", f"{API}/space/{key}?expand=homepage,description,icon,history",
        f"{API}/content", f"{API}/content/{page}", f"{API}/content/{page}?expand=body.storage,ancestors,children.page",
        f"{API}/content/{s['child']}?expand=ancestors", f"{API}/content/{s['comment']}",
        f"{API}/content/{s['reply']}?expand=ancestors,container", f"{API}/content/{s['attachment']}",
        f"{API}/content/{page}/child", f"{API}/content/{page}/child/comment?depth=all",
        f"{API}/content/{page}/child/attachment", f"{API}/content/{page}/history", f"{API}/content/{page}/version",
        f"{API}/content/{page}?status=historical&version=1", f"{API}/content/{page}/property",
        f"{API}/content/{page}/label", f"{API}/space/{key}/property", f"{API}/space/{key}/content",
        f"{API}/user/current", "/wiki/rest/api/user?accountId=demo-alice", f"{API}/user/memberof?accountId=demo-bob",
        f"{API}/group", f"{API}/group/by-id?id={s['group']}", f"{API}/group/{s['group']}/membersByGroupId",
        f"{API}/relation/reading/from/user/current/to/content?expand=source,target",
        f"{API}/relation/favourite/from/user/current/to/content/{page}",
        f"{API}/user/watch/content/{page}", f"{API}/longtask", f"{API}/user/anonymous",
        f"{API}/user/bulk?accountId=demo-bob", f"{API}/group/member?name=writers", f"{API}/label?name=demo",
        f"{API}/space/{key}/label", f"{API}/content/{s['comment']}/child/comment",
    ]
    base = "http://bondline.test/wiki"
    seen: set[str] = set()
    queue: list[tuple[str, str]] = [("start", path) for path in starts]
    failures: list[str] = []
    empty_homepage: list[str] = []
    while queue and len(seen) < MAX_FOLLOWED:
        where, path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        r = await client.get(path, headers=bob)
        if r.status_code == 404 or r.status_code >= 500:
            failures.append(f"{r.status_code} {path} (from {where})")
            continue
        if r.status_code not in (200, 302):
            failures.append(f"{r.status_code} {path} (from {where})")
            continue
        if not r.headers.get("content-type", "").startswith("application/json"):
            continue
        body = r.json()
        for space in _spaces_in(body):
            if space.get("_expandable", {}).get("homepage") == "" and "homepage" not in space:
                empty_homepage.append(f"{path}: space {space.get('key')}")
        found: list[tuple[str, str]] = []
        _links_in(body, base, found)
        for name, link in found:
            target = _request_path(link)
            if target not in seen:
                queue.append((f"{path} {name}", target))
    assert not failures, "\n".join(failures)
    assert not empty_homepage, empty_homepage  # the demo space has a home page
    assert len(seen) > 60  # the crawl went somewhere: spaces, content, users, groups, versions …
    assert any("/restriction" in path for path in seen)  # restrictions' links are followed too


def _spaces_in(body: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(body, list):
        for item in body:
            out += _spaces_in(item)
    elif isinstance(body, dict):
        expandable = body.get("_expandable")
        if "key" in body and isinstance(expandable, dict) and ("homepage" in expandable or "homepage" in body):
            out.append(body)
        for value in body.values():
            out += _spaces_in(value)
    return out

"""CQL search: GET /wiki/rest/api/search and GET /wiki/rest/api/content/search, table-driven (a CQL
query -> the content it finds, by title) over one fixture of spaces, pages, labels, favourites,
watches and edits, on each backend; permission filtering; pagination; bad CQL is a 400."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.helpers import API, confluence_error, make_page, make_space

NO_CHECK = {"X-Atlassian-Token": "no-check"}


async def _page(client: Any, who: Any, space: str, title: str, body: str, *, parent: str | None = None,
                type: str = "page", status: str = "current") -> str:
    extra: dict[str, Any] = {"body": {"storage": {"value": body, "representation": "storage"}}, "type": type}
    if parent is not None:
        extra["ancestors"] = [{"id": parent}]
    if status != "current":
        extra["status"] = status
    return str((await make_page(client, who, space, title, **extra))["id"])


@pytest.fixture
async def world(client, site) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Titles -> ids. ENG (open, alice's): Runbook index > Database runbook > Failover drill; Release
    notes; the blog post Weekly update; alice's draft Draft ideas. OPS (open, bob's): On-call
    handbook. SEC (private, alice's; bob is no member): Secret plans. Each space has its home page."""
    await make_space(client, site.alice, "ENG")
    await make_space(client, site.bob, "OPS")
    await make_space(client, site.alice, "SEC", private=True)
    ids: dict[str, str] = {}
    ids["Runbook index"] = await _page(client, site.alice, "ENG", "Runbook index",
                                       "<p>How to restart the <b>database</b> servers</p>")
    ids["Database runbook"] = await _page(client, site.alice, "ENG", "Database runbook",
                                          "<p>Restarting PostgreSQL nodes safely</p>", parent=ids["Runbook index"])
    ids["Failover drill"] = await _page(client, site.alice, "ENG", "Failover drill",
                                        "<p>Practise failovers every quarter</p>", parent=ids["Database runbook"])
    ids["Release notes"] = await _page(client, site.alice, "ENG", "Release notes", "<p>Shipping version 2</p>")
    ids["Weekly update"] = await _page(client, site.alice, "ENG", "Weekly update",
                                       "<p>The runbooks were updated &amp; reviewed by <ac:link>"
                                       '<ri:user ri:account-id="acc-bob"/></ac:link></p>', type="blogpost")
    ids["Draft ideas"] = await _page(client, site.alice, "ENG", "Draft ideas", "<p>runbook drafts</p>",
                                     status="draft")
    ids["On-call handbook"] = await _page(client, site.bob, "OPS", "On-call handbook",
                                          "<p>Pager rotation and runbook links</p>")
    ids["Secret plans"] = await _page(client, site.alice, "SEC", "Secret plans", "<p>The runbook for the vault</p>")
    for key in ("ENG", "OPS", "SEC"):
        r = await client.get(f"{API}/space/{key}?expand=homepage", headers=site.admin.bearer)
        ids[f"Space {key} Home"] = r.json()["homepage"]["id"]
    for title, label in (("Database runbook", "ops"), ("On-call handbook", "ops"), ("Release notes", "release"),
                         ("Secret plans", "ops"), ("Weekly update", "news")):
        who = site.bob if title == "On-call handbook" else site.alice
        r = await client.post(f"{API}/content/{ids[title]}/label", headers=who.bearer, json={"name": label})
        assert r.status_code == 200, r.text
    for who, title in ((site.bob, "Database runbook"), (site.bob, "On-call handbook"), (site.alice, "Secret plans"),
                       (site.alice, "Release notes")):
        r = await client.put(f"{API}/relation/favourite/from/user/current/to/content/{ids[title]}",
                             headers=who.bearer)
        assert r.status_code == 200, r.text
    r = await client.post(f"{API}/user/watch/content/{ids['Release notes']}", headers={**site.bob.bearer, **NO_CHECK})
    assert r.status_code == 204, r.text
    r = await client.put(f"{API}/content/{ids['Release notes']}", headers=site.bob.bearer, json={
        "type": "page", "title": "Release notes", "version": {"number": 2},
        "body": {"storage": {"value": "<p>Shipping version 3, thanks <ac:link><ri:user ri:account-id='acc-carol'/>"
                                         "</ac:link></p>", "representation": "storage"}}})
    assert r.status_code == 200, r.text
    # carol favourites version 1 of the release notes: another entity than the page
    r = await client.put(f"{API}/relation/favourite/from/user/current/to/content/{ids['Release notes']}",
                         params={"targetStatus": "historical", "targetVersion": 1}, headers=site.carol.bearer)
    assert r.status_code == 200, r.text
    return ids


ENG = {"Space ENG Home", "Runbook index", "Database runbook", "Failover drill", "Release notes", "Weekly update"}
VISIBLE_TO_BOB = ENG | {"Space OPS Home", "On-call handbook"}

# (who asks, CQL, what it finds: a set, or a list when the order matters)
CASES: list[tuple[str, str, set[str] | list[str]]] = [
    ("bob", "type = page", VISIBLE_TO_BOB - {"Weekly update"}),
    ("bob", "type = blogpost", {"Weekly update"}),
    ("bob", "TYPE IN (page, blogpost) and space = OPS", {"Space OPS Home", "On-call handbook"}),
    ("bob", "space = ENG", ENG),
    ("bob", 'space.key = "ENG" and type != page', {"Weekly update"}),
    ("bob", "space = SEC", set()),  # private: bob is no member
    ("alice", "space = SEC", {"Space SEC Home", "Secret plans"}),
    ("admin", "space in (SEC, OPS) and type = page",
     {"Space SEC Home", "Secret plans", "Space OPS Home", "On-call handbook"}),
    ("bob", 'space.title = "Space OPS"', {"Space OPS Home", "On-call handbook"}),
    ("bob", 'space.title ~ "ops"', {"Space OPS Home", "On-call handbook"}),
    ("bob", "space.type = global and space = OPS", {"Space OPS Home", "On-call handbook"}),
    ("bob", 'title = "Release notes"', {"Release notes"}),
    ("bob", 'title != "Release notes" and space = ENG', ENG - {"Release notes"}),
    ("bob", 'title in ("Release notes", "Failover drill")', {"Release notes", "Failover drill"}),
    ("bob", "label = ops", {"Database runbook", "On-call handbook"}),  # not Secret plans
    ("alice", 'label = "ops"', {"Database runbook", "On-call handbook", "Secret plans"}),
    ("bob", "label = ops and space = ENG", {"Database runbook"}),
    ("bob", "label in (release, news)", {"Release notes", "Weekly update"}),
    ("bob", "label not in (ops) and space = ENG", ENG - {"Database runbook"}),
    ("bob", "label = global:ops", {"Database runbook", "On-call handbook"}),
    ("bob", "favourite = currentUser()", {"Database runbook", "On-call handbook"}),
    ("bob", "favorite = currentUser() and space = OPS", {"On-call handbook"}),
    ("alice", "favourite = currentUser()", {"Secret plans", "Release notes"}),
    ("bob", "favourite = acc-alice", {"Release notes"}),  # alice's favourite in SEC stays hidden
    ("bob", "favourite = acc-carol", set()),  # a favourite of an old version is not one of the page
    ("bob", "watcher = currentUser()", {"Release notes", "On-call handbook"}),  # what he made or watches
    ("bob", "watcher = currentUser() and type = page and space = ENG", {"Release notes"}),
    ("bob", "mention = currentUser()", {"Weekly update"}),
    ("bob", "mention in (acc-bob, acc-carol) order by id", ["Release notes", "Weekly update"]),
    ("bob", "mention != acc-carol and space = ENG", ENG - {"Release notes"}),
    ("bob", "creator = currentUser()", {"Space OPS Home", "On-call handbook"}),
    ("bob", 'creator = "acc-alice" and space = ENG', ENG),
    ("bob", "creator != acc-alice", {"Space OPS Home", "On-call handbook"}),
    ("bob", "contributor = currentUser() and space = ENG", {"Release notes"}),
    ("bob", "ancestor = {Runbook index}", {"Database runbook", "Failover drill"}),
    ("bob", "ancestor in ({Database runbook}, {Space OPS Home})", {"Failover drill"}),
    ("bob", "space = ENG and ancestor != {Runbook index}", ENG - {"Database runbook", "Failover drill"}),
    ("bob", "ancestor = {Secret plans}", set()),
    ("bob", "parent = {Runbook index}", {"Database runbook"}),
    ("bob", "parent != {Runbook index} and space = ENG", ENG - {"Database runbook"}),
    ("bob", "id = {Failover drill}", {"Failover drill"}),
    ("bob", "content in ({Failover drill}, {Secret plans}, 999999)", {"Failover drill"}),
    ("bob", "id not in ({Failover drill}) and space = ENG", ENG - {"Failover drill"}),
    ("bob", "text ~ runbook", {"Runbook index", "Database runbook", "On-call handbook", "Weekly update"}),  # stemmed
    ("bob", 'text ~ "database"', ["Database runbook", "Runbook index"]),  # no ORDER BY: by relevance
    ("bob", 'text ~ "database" order by id', ["Runbook index", "Database runbook"]),
    ("bob", 'space = ENG and (title ~ drill or text ~ database)',
     ["Failover drill", "Runbook index", "Database runbook"]),  # ranked by the first text clause, then by id
    ("bob", 'not text ~ "database" and space = OPS', ["Space OPS Home", "On-call handbook"]),  # nothing to rank
    ("bob", 'text ~ "restart"', {"Runbook index", "Database runbook"}),  # restarting
    ("bob", 'text ~ "servers"', {"Runbook index"}),
    ("bob", 'text ~ "runbook*"', {"Runbook index", "Database runbook", "On-call handbook", "Weekly update"}),
    ("bob", 'text ~ "version 3"', {"Release notes"}),
    ("bob", 'text ~ "version 2"', set()),  # the current version only
    ("bob", 'text ~ "\\"pager rotation\\""', {"On-call handbook"}),
    ("bob", 'text !~ runbook and space = OPS', {"Space OPS Home"}),
    ("bob", 'title ~ "runbook"', {"Runbook index", "Database runbook"}),
    ("bob", 'title ~ drill OR title ~ notes', {"Failover drill", "Release notes"}),
    ("bob", 'title !~ runbook and space = ENG', ENG - {"Runbook index", "Database runbook"}),
    ("bob", "space = ENG and not (type = page and label = ops)", ENG - {"Database runbook"}),
    ("bob", "NOT space = ENG", {"Space OPS Home", "On-call handbook"}),
    ("bob", "space = OPS or label = release and type = page", {"Space OPS Home", "On-call handbook", "Release notes"}),
    ("bob", 'created > now("-1h") and space = OPS', {"Space OPS Home", "On-call handbook"}),
    ("bob", 'created >= startOfDay() and lastmodified <= endOfDay() and space = OPS',
     {"Space OPS Home", "On-call handbook"}),
    ("bob", "created < 2020-01-01", set()),
    ("bob", 'lastmodified > "2020/01/31 10:00" and space = OPS', {"Space OPS Home", "On-call handbook"}),
    ("bob", "created >= -1d and space = OPS", {"Space OPS Home", "On-call handbook"}),
    ("bob", "created = 2020-01-01", set()),
    ("bob", "space = ENG order by title", sorted(ENG)),
    ("bob", "space = ENG order by title desc", sorted(ENG, reverse=True)),
    ("bob", "space = ENG and type = page order by type asc, id desc",
     ["Release notes", "Failover drill", "Database runbook", "Runbook index", "Space ENG Home"]),
    ("bob", "space in (ENG, OPS) and label = ops order by space desc",
     ["On-call handbook", "Database runbook"]),
    ("bob", "order by id", None),  # everything bob may see, by id
    ("bob", "type = user", set()),  # users are searched through /search/user only
    ("alice", "title = \"Draft ideas\"", set()),  # drafts only through cqlcontext
]


@pytest.mark.parametrize("who, query, expected", CASES, ids=[f"{w}: {q}" for w, q, _ in CASES])
async def test_cql(client, site, world, who, query, expected) -> None:  # type: ignore[no-untyped-def]
    for title, content_id in world.items():
        query = query.replace("{" + title + "}", content_id)
    r = await client.get(f"{API}/content/search", params={"cql": query, "limit": 100},
                         headers=getattr(site, who).bearer)
    assert r.status_code == 200, r.text
    titles = {v: k for k, v in world.items()}
    found = [titles.get(c["id"], c["id"]) for c in r.json()["results"]]
    if expected is None:  # every visible piece of content, by id
        expected = sorted(VISIBLE_TO_BOB, key=lambda t: int(world[t]))
    if isinstance(expected, list):
        assert found == expected
    else:
        assert sorted(found) == sorted(expected)
        assert len(found) == len(set(found))
    r2 = await client.get(f"{API}/search", params={"cql": query, "limit": 100}, headers=getattr(site, who).bearer)
    assert r2.status_code == 200, r2.text
    assert [x["content"]["id"] for x in r2.json()["results"]] == [c["id"] for c in r.json()["results"]]
    assert r2.json()["totalSize"] == len(found)


async def test_search_result_shape(client, site, world) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/search", params={"cql": 'text ~ "servers" and space = ENG'},
                         headers=site.bob.bearer)
    body = r.json()
    assert body["cqlQuery"] == 'text ~ "servers" and space = ENG'
    assert (body["start"], body["limit"], body["size"], body["totalSize"]) == (0, 25, 1, 1)
    assert isinstance(body["searchDuration"], int)
    [hit] = body["results"]
    assert hit["content"]["id"] == world["Runbook index"] and hit["content"]["type"] == "page"
    assert hit["title"] == "Runbook index" and hit["entityType"] == "content"
    assert hit["excerpt"] == "How to restart the database @@@hl@@@servers@@@endhl@@@"
    assert hit["url"] == f"/spaces/ENG/pages/{world['Runbook index']}/Runbook+index"
    assert hit["resultGlobalContainer"] == {"title": "Space ENG", "displayUrl": "/spaces/ENG"}
    assert hit["iconCssClass"] == "aui-icon content-type-page"
    assert hit["lastModified"].endswith("Z") and hit["friendlyLastModified"]
    assert body["_links"]["base"] == "http://bondline.test/wiki" and "next" not in body["_links"]
    r = await client.get(f"{API}/search", params={"cql": "id = " + world["Weekly update"], "excerpt": "none",
                                                  "expand": "content.space,content.version"},
                         headers=site.bob.bearer)
    [hit] = r.json()["results"]
    assert hit["excerpt"] == "" and hit["content"]["space"]["key"] == "ENG" and hit["content"]["version"]["number"] == 1
    r = await client.get(f"{API}/search", params={"cql": "id = " + world["Weekly update"], "excerpt": "indexed"},
                         headers=site.bob.bearer)
    assert r.json()["results"][0]["excerpt"] == "The runbooks were updated &amp; reviewed by"
    # ancestors when asked for
    r = await client.get(f"{API}/search", params={"cql": "id = " + world["Failover drill"],
                                                  "expand": "content.ancestors"}, headers=site.bob.bearer)
    assert [a["title"] for a in r.json()["results"][0]["content"]["ancestors"]] == ["Runbook index",
                                                                                     "Database runbook"]
    r = await client.get(f"{API}/content/search", params={"cql": "id = " + world["Failover drill"],
                                                          "expand": "ancestors"}, headers=site.bob.bearer)
    assert [a["id"] for a in r.json()["results"][0]["ancestors"]] == [world["Runbook index"],
                                                                       world["Database runbook"]]
    # content/search expands space, history and version by default, as GET /content does
    r = await client.get(f"{API}/content/search", params={"cql": "id = " + world["Weekly update"]},
                         headers=site.bob.bearer)
    [content] = r.json()["results"]
    assert content["space"]["key"] == "ENG" and content["version"]["number"] == 1 and "history" in content


async def test_drafts_only_for_their_author_through_cqlcontext(client, site, world) -> None:  # type: ignore[no-untyped-def]
    context = json.dumps({"contentStatuses": ["draft"]})
    for who, expected in ((site.alice, [world["Draft ideas"]]), (site.bob, [])):
        r = await client.get(f"{API}/search", params={"cql": "space = ENG", "cqlcontext": context},
                             headers=who.bearer)
        assert [x["content"]["id"] for x in r.json()["results"]] == expected
        assert r.json()["totalSize"] == len(expected)


async def test_type_space_finds_the_spaces_the_caller_may_see(client, site, world) -> None:  # type: ignore[no-untyped-def]
    """GET /search finds spaces for `type = space` (entityType "space", the space as `space`), under
    the same visibility as content: SEC is private and bob is no member. GET /content/search finds
    content only."""
    for who, query, expected in (
        ("bob", "type = space", ["space ENG", "space OPS"]),
        ("alice", "type = space order by space.key desc", ["space SEC", "space OPS", "space ENG"]),
        ("admin", 'type = space and space.title ~ "sec"', ["space SEC"]),
        ("bob", "type = space and space.key != ENG", ["space OPS"]),
        ("bob", "type = space and label = ops", []),  # spaces have no labels here
        ("bob", "type in (space, page) and space = OPS order by title",
         ["page On-call handbook", "space OPS", "page Space OPS Home"]),
        ("bob", "type = space or label = release order by title desc",
         ["space OPS", "space ENG", "page Release notes"]),
    ):
        r = await client.get(f"{API}/search", params={"cql": query}, headers=getattr(site, who).bearer)
        assert r.status_code == 200, r.text
        body = r.json()
        found = [f"space {x['space']['key']}" if x["entityType"] == "space" else f"page {x['title']}"
                 for x in body["results"]]
        assert found == expected, query
        assert body["totalSize"] == len(expected)
    r = await client.get(f"{API}/search", params={"cql": "type = space and space = OPS", "excerpt": "none"},
                         headers=site.bob.bearer)
    [hit] = r.json()["results"]
    assert hit["entityType"] == "space" and hit["title"] == "Space OPS" and hit["url"] == "/spaces/OPS"
    assert hit["space"]["key"] == "OPS" and "content" not in hit and hit["excerpt"] == ""
    assert hit["lastModified"].endswith("Z")
    r = await client.get(f"{API}/content/search", params={"cql": "type = space"}, headers=site.bob.bearer)
    assert r.status_code == 200 and r.json()["results"] == []
    # past the end, the count still counts spaces and content alike
    for query, total in (("type = space", 2), ("type in (space, page) and space = OPS", 3)):
        r = await client.get(f"{API}/search", params={"cql": query, "start": 10}, headers=site.bob.bearer)
        assert (r.json()["results"], r.json()["totalSize"]) == ([], total)
    # a page of one: the next page's cursor goes on from the space to the content after it
    r = await client.get(f"{API}/search", params={"cql": "type in (space, page) and space = OPS order by title",
                                                  "limit": 1, "start": 1}, headers=site.bob.bearer)
    assert [x["entityType"] for x in r.json()["results"]] == ["space"] and "next" in r.json()["_links"]


async def test_cqlcontext_names_the_space_and_content_of_currentspace_and_currentcontent(client, site, world) -> None:  # type: ignore[no-untyped-def]
    """cqlcontext is the execution context of CQL's functions: its spaceKey is `currentSpace()`, its
    contentId `currentContent()`; it does not narrow a query that uses neither."""
    context = json.dumps({"spaceKey": "OPS", "contentId": world["Runbook index"]})
    for path in ("search", "content/search"):
        for query, expected in (
            ("space = currentSpace()", {"Space OPS Home", "On-call handbook"}),
            ("space != currentSpace() and label = ops", {"Database runbook"}),
            ("ancestor = currentContent()", {"Database runbook", "Failover drill"}),
            ("parent = currentContent() or id = currentContent()", {"Runbook index", "Database runbook"}),
            ("label = ops", {"Database runbook", "On-call handbook"}),
        ):
            r = await client.get(f"{API}/{path}", params={"cql": query, "cqlcontext": context},
                                 headers=site.bob.bearer)
            assert r.status_code == 200, r.text
            titles = {v: k for k, v in world.items()}
            results = r.json()["results"]
            assert {titles[x["content"]["id"] if path == "search" else x["id"]] for x in results} == expected, query
    # without the context the function names nothing it could use: Confluence's 400, at the function
    for query, given, problem in (("space = currentSpace()", None, "currentSpace() needs the spaceKey"),
                                  ("ancestor = currentContent()", json.dumps({"spaceKey": "ENG"}),
                                   "currentContent() needs the contentId"),
                                  ("label = currentSpace()", context, "Unsupported function currentSpace()")):
        params = {"cql": query, **({"cqlcontext": given} if given else {})}
        r = await client.get(f"{API}/search", params=params, headers=site.bob.bearer)
        [error] = confluence_error(r, 400)["data"]["errors"]
        assert error["message"]["translation"].startswith(problem), error
        assert error["message"]["args"][0] == query.index("current")


async def test_trashed_content_is_not_found_unless_asked_for(client, site, world) -> None:  # type: ignore[no-untyped-def]
    r = await client.delete(f"{API}/content/{world['Failover drill']}", headers=site.alice.bearer)
    assert r.status_code == 204
    r = await client.get(f"{API}/content/search", params={"cql": "title ~ drill"}, headers=site.bob.bearer)
    assert r.json()["results"] == []
    r = await client.get(f"{API}/content/search", params={
        "cql": "title ~ drill", "cqlcontext": json.dumps({"contentStatuses": ["trashed"]})}, headers=site.bob.bearer)
    assert [c["id"] for c in r.json()["results"]] == [world["Failover drill"]]


async def test_a_purged_page_is_gone_from_text_search(client, site, world) -> None:  # type: ignore[no-untyped-def]
    page = world["Failover drill"]
    await client.delete(f"{API}/content/{page}", headers=site.alice.bearer)
    r = await client.delete(f"{API}/content/{page}?status=trashed", headers=site.alice.bearer)
    assert r.status_code == 204, r.text
    r = await client.get(f"{API}/content/search", params={
        "cql": "text ~ failovers", "cqlcontext": json.dumps({"contentStatuses": ["current", "trashed"]})},
        headers=site.alice.bearer)
    assert r.json()["results"] == []


async def test_pages_follow_the_cursor_and_count_only_what_the_caller_sees(client, site, world) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    params: dict[str, Any] | None = {"cql": "type = page order by id", "limit": 3}
    path = f"{API}/search"
    pages = 0
    while True:
        r = await client.get(path, params=params, headers=site.bob.bearer)
        body = r.json()
        assert body["totalSize"] == len(VISIBLE_TO_BOB) - 1  # no Secret plans, no SEC home, no blog post
        seen += [x["content"]["id"] for x in body["results"]]
        pages += 1
        nxt = body["_links"].get("next")
        if nxt is None:
            break
        assert nxt.startswith("/rest/api/search?") and "cursor=" in nxt and "next=true" in nxt
        path, params = "/wiki" + nxt, None
    assert pages == 3
    assert seen == sorted(seen, key=int) and len(seen) == len(set(seen)) == len(VISIBLE_TO_BOB) - 1
    assert "prev" in body["_links"] and "cursor=" in body["_links"]["prev"]
    # start works too (atlassian-python-api's server client sends it), and content/search pages the same way
    r = await client.get(f"{API}/content/search", params={"cql": "type = page order by id", "limit": 3, "start": 3},
                         headers=site.bob.bearer)
    assert [c["id"] for c in r.json()["results"]] == seen[3:6]
    assert r.json()["_links"]["next"].startswith("/rest/api/content/search?")


@pytest.mark.parametrize("query, problem, position", [
    ("type = page and (label in (\"ops\" or space = ENG", "Unexpected 'or'", 33),
    ("foo = bar", "No field exists with the name 'foo'", 0),
    ("type = page and colour = red", "No field exists with the name 'colour'", 16),
    ("type ~ page", "The operator '~' is not supported by the field 'type'", 0),
    ("text = runbook", "The operator '=' is not supported by the field 'text'", 0),
    ("created > yesterday", "Invalid date 'yesterday'", 10),
    ("id = abc", "Invalid content id 'abc'", 5),
    ("type = page and", "Unexpected end of query", 15),
    ("type = page order by colour", "Cannot order by field 'colour'", 21),
    ("link = 123", "No field exists with the name 'link'", 0),  # CQL has no field for links (decision 0019)
    ("type = page and backlink = 123", "No field exists with the name 'backlink'", 16),
    ("user = acc-bob", "No field exists with the name 'user'", 0),  # /search/user's fields only
    ("creator = me()", "Unsupported function me()", 10),
    ("created > now(\"soon\")", "Invalid argument 'soon' to now()", 10),
    ("type = 'page", "Unexpected character", 7),
    ("   ", "The query is empty", 0),
])
async def test_bad_cql_is_confluence_s_400(client, site, query, problem, position) -> None:  # type: ignore[no-untyped-def]
    for path in ("search", "content/search"):
        r = await client.get(f"{API}/{path}", params={"cql": query}, headers=site.bob.bearer)
        body = confluence_error(r, 400)
        assert body["message"] == ("com.atlassian.confluence.api.service.exceptions.BadRequestException:"
                                   f" Could not parse cql : {query}")
        [error] = body["data"]["errors"]
        assert error["message"]["translation"].startswith(problem), error
        assert error["message"]["args"][0] == position


@pytest.mark.parametrize("params, fragment", [
    ({}, "'cql' query parameter is required"),
    ({"cql": "type = page", "cursor": "not-a-cursor!"}, "Invalid cursor"),
    ({"cql": "type = page", "cursor": base64.urlsafe_b64encode(b'{"offset": -1}').decode()}, "Invalid cursor"),
    ({"cql": "type = page", "cqlcontext": "{"}, "Invalid cqlcontext"),
    ({"cql": "type = page", "cqlcontext": '{"contentStatuses": ["gone"]}'}, "Invalid content status"),
    ({"cql": "type = page", "cqlcontext": '{"contentStatuses": "current"}'}, "contentStatuses must be a list"),
    ({"cql": "type = page", "cqlcontext": '{"spaceKey": 5}'}, "spaceKey must be a space key"),
    ({"cql": "type = page", "cqlcontext": '{"contentId": "12a"}'}, "contentId must be a content id"),
    ({"cql": "type = page", "cqlcontext": '["ENG"]'}, "it must be a JSON object"),
    ({"cql": "type = page", "limit": "x"}, "limit"),
])
async def test_bad_parameters_are_400(client, site, params, fragment) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/search", params=params, headers=site.bob.bearer)
    confluence_error(r, 400, fragment)


async def test_content_search_is_not_taken_for_a_content_id(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/content/search", params={"cql": "type = page"}, headers=site.bob.bearer)
    assert r.status_code == 200 and r.json()["results"] == []


FIELDS = ["id", "content", "type", "space", "space.key", "space.title", "space.type", "title", "text", "label",
          "creator", "contributor", "favourite", "favorite", "watcher", "created", "lastmodified", "ancestor",
          "parent", "colour"]
OPS = ["=", "!=", "~", "!~", ">", ">=", "<", "<=", "in", "not in"]
VALUES = ["page", "ENG", '"ops"', "currentUser()", 'now("-4w")', "startOfMonth(\"-1\")", "2026-01-31",
          '"2026/01/31 10:00"', "-2d", "1", "999999999999999999", '"run* \\"two words\\""', "'%_\\\\'", '""',
          "acc-bob", "endOfYear()", '"the"', "é*", "(1, 2)", '("a", b)', "space", "(space, page)",
          "currentSpace()", "currentContent()"]


def _random_cql(rng: Any) -> str:
    def clause() -> str:
        field, op = rng.choice(FIELDS), rng.choice(OPS)
        value = rng.choice(VALUES)
        if op in ("in", "not in") and not value.startswith("("):
            value = f"({value}, {rng.choice(VALUES)})"
        return f"{field} {op} {value}"

    def expr(depth: int) -> str:
        roll = rng.random()
        if depth > 2 or roll < 0.4:
            return clause()
        if roll < 0.55:
            return f"not ({expr(depth + 1)})"
        return f"({expr(depth + 1)} {rng.choice(['and', 'or', 'AND'])} {expr(depth + 1)})"

    text = expr(0)
    if rng.random() < 0.3:
        text += " order by " + ", ".join(f"{rng.choice(['title', 'created', 'id', 'space', 'text', 'type'])}"
                                         f" {rng.choice(['asc', 'desc', ''])}" for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.1:  # cut it somewhere
        text = text[:rng.randint(0, len(text))]
    return text


async def test_no_cql_gets_a_5xx(client, site, world) -> None:  # type: ignore[no-untyped-def]
    import random

    rng = random.Random(31)
    statuses: dict[int, int] = {}
    for _ in range(150):
        query = _random_cql(rng)
        context = rng.choice([None, json.dumps({"spaceKey": "ENG", "contentId": world["Runbook index"]})])
        for path in ("search", "content/search"):
            params = {"cql": query, "limit": 5, **({"cqlcontext": context} if context else {})}
            r = await client.get(f"{API}/{path}", params=params, headers=site.bob.bearer)
            assert r.status_code in (200, 400), (query, r.text)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
    assert statuses[200] > 20 and statuses[400] > 20  # both kinds were tried


@pytest.mark.parametrize("query, expected", [
    ("type = user", ["acc-admin", "acc-alice", "acc-bob", "acc-carol"]),
    ("user = currentUser()", ["acc-bob"]),
    ('user in ("acc-alice", "acc-carol")', ["acc-alice", "acc-carol"]),
    ('user.accountid = "acc-carol"', ["acc-carol"]),
    ("user.fullname ~ al", ["acc-alice"]),
    ('user.fullname ~ "CA" or user = acc-admin', ["acc-admin", "acc-carol"]),
    ("type = user and user.fullname !~ a", ["acc-bob", "acc-carol"]),  # no word of theirs starts with a
    ("type = user order by user.fullname desc", ["acc-carol", "acc-bob", "acc-alice", "acc-admin"]),
])
async def test_search_user(client, site, query, expected) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/search/user", params={"cql": query}, headers=site.bob.bearer)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [x["user"]["accountId"] for x in body["results"]] == expected
    assert body["totalSize"] == len(expected) and body["cqlQuery"] == query
    assert all(x["entityType"] == "user" and x["title"] == x["user"]["displayName"] for x in body["results"])
    # the email is the user's own to see, as everywhere
    assert {x["user"]["accountId"]: x["user"]["email"] for x in body["results"]}.get("acc-alice", "") == ""


async def test_search_user_pages_and_refuses_content_fields(client, site) -> None:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/search/user", params={"cql": "type = user", "limit": 3}, headers=site.bob.bearer)
    assert r.json()["size"] == 3 and r.json()["_links"]["next"].endswith("start=3")
    r = await client.get(f"{API}/search/user", params={"cql": "type = user", "start": 3}, headers=site.bob.bearer)
    assert [x["user"]["accountId"] for x in r.json()["results"]] == ["acc-carol"]
    body = confluence_error(await client.get(f"{API}/search/user", params={"cql": "space = ENG"},
                                             headers=site.bob.bearer), 400, "Could not parse cql")
    assert body["data"]["errors"][0]["message"]["translation"].startswith("No field exists with the name 'space'")
    # and content search takes no user fields (Cloud's document: /search no longer supports them)
    confluence_error(await client.get(f"{API}/search", params={"cql": "user.fullname ~ al"},
                                      headers=site.bob.bearer), 400, "Could not parse cql")

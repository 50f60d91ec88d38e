"""Third-party clients, unchanged, on CQL search against a live server: atlassian-python-api (PyPI),
its classic client's `cql` (GET /search with start/limit), and confluence.js (npm): `searchByCQL`
following a cursor, `searchContentByCQL` and `searchUser`."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from bondline.client import Client
from tests.helpers import CLIENTS, missing_confluence_js

pytestmark = pytest.mark.live
SCRIPT = CLIENTS / "confluence-js" / "search.mjs"



def _pages(live: Any, key: str, label: str) -> dict[str, str]:
    """Five labelled pages in a new space of alice's; bob favourites the second."""
    pages: dict[str, str] = {}
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create(key, f"Search {key}")
        for title in ("Alpha", "Bravo", "Charlie", "Delta", "Echo"):
            body = "<p>Kubernetes upgrade notes</p>" if title == "Charlie" else f"<p>{title} page</p>"
            pages[title] = alice.content.create(key, title, body)["id"]
            alice.labels.add(pages[title], label)
    with Client(live.url, live.bob.token) as bob:
        bob.relations.put("favourite", ("user", "current"), ("content", pages["Bravo"]))
    return pages


@pytest.mark.skipif(missing_confluence_js() is not None, reason=str(missing_confluence_js()))
def test_confluence_js_search(live) -> None:  # type: ignore[no-untyped-def]
    pages = _pages(live, "SJS", "js")
    result = subprocess.run(["node", str(SCRIPT)], cwd=CLIENTS, capture_output=True, text=True, timeout=120,
                            check=False, env={**os.environ, "HOST": live.url, "EMAIL": live.bob.email,
                                              "TOKEN": live.bob.token, "SPACE": "SJS"})
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["titles"] == ["Alpha", "Bravo"] and out["totalSize"] == 5
    assert out["entityTypes"] == ["content", "content"]
    assert out["nextTitles"] == ["Charlie", "Delta"]
    assert out["favourites"] == [pages["Bravo"]]
    assert out["text"] == [["Charlie", "SJS"]]
    assert out["users"] == [[live.alice.account_id, "user"]]
    assert out["badCql"]["status"] == 400 and "Could not parse cql" in out["badCql"]["message"]


atlassian = pytest.importorskip("atlassian",
                                reason="atlassian-python-api is not installed (pip install atlassian-python-api)")


def test_atlassian_python_api_cql(live) -> None:  # type: ignore[no-untyped-def]
    pages = _pages(live, "SPY", "py")
    # The classic v1 methods live in its Server client (its Cloud client's `cql` asks for
    # /wiki/content/search, no Confluence path); `cql` is GET /rest/api/search with start and limit.
    classic = atlassian.Confluence(url=live.url + "/wiki", username=live.bob.email, password=live.bob.token,
                                   cloud=False)
    page = classic.cql('space = SPY and label = py order by title', start=1, limit=2)
    assert [r["title"] for r in page["results"]] == ["Bravo", "Charlie"] and page["totalSize"] == 5
    assert [r["content"]["id"] for r in classic.cql('text ~ "kubernetes" and space = SPY')["results"]] == [
        pages["Charlie"]]
    favourites = classic.cql("favourite = currentUser() and space = SPY")["results"]
    assert [r["content"]["id"] for r in favourites] == [pages["Bravo"]]
    with pytest.raises(atlassian.errors.ApiValueError):
        classic.cql("space = SPY and (")
    # (its `cql_all` follows `_links.next`, "/rest/api/search?…" as Cloud writes it, from the site's root
    # instead of `_links.base`, so it leaves /wiki out; confluence.js follows the cursor above.)

"""Third-party clients, unchanged, on bondline's page tree against a live server: confluence.js
(npm, pinned in tests/clients/package-lock.json) through its v1 functions for descendants, copy,
hierarchy copy with its long task, and move; atlassian-python-api (PyPI) through its classic v1
methods for children, ancestors, a space's content and its home page."""

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
SCRIPT = CLIENTS / "confluence-js" / "tree.mjs"



def _tree(live: Any, key: str) -> dict[str, str]:
    """root -> (a -> a1, b)"""
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create(key, f"Tree {key}")
        root = alice.content.create(key, "root")["id"]
        a = alice.content.create(key, "a", parent_id=root)["id"]
        a1 = alice.content.create(key, "a1", parent_id=a)["id"]
        b = alice.content.create(key, "b", parent_id=root)["id"]
    return {"root": root, "a": a, "a1": a1, "b": b}


@pytest.mark.skipif(missing_confluence_js() is not None, reason=str(missing_confluence_js()))
def test_confluence_js_descendants_copy_move(live) -> None:  # type: ignore[no-untyped-def]
    pages = _tree(live, "CJS")
    result = subprocess.run(["node", str(SCRIPT)], cwd=CLIENTS, capture_output=True, text=True, timeout=120,
                            check=False, env={**os.environ, "HOST": live.url, "EMAIL": live.bob.email,
                                              "TOKEN": live.bob.token, "PAGES": json.dumps(pages)})
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["descendantMap"] == out["descendants"] == ["a", "a1", "b"]
    assert out["rootOnly"] == ["a", "b"]
    assert out["copy"]["title"] == "a (js copy)" and out["copy"]["space"] == "CJS"
    assert out["task"]["finished"] is True and out["task"]["successful"] is True
    assert out["task"]["id"] in out["tasks"]
    assert out["move"] == {"pageId": pages["b"]}
    assert out["afterMove"] == ["b", "a"]
    below_b = httpx.get(f"{live.url}/wiki/rest/api/content/{pages['b']}/descendant/page",
                        headers={"Authorization": f"Bearer {live.bob.token}"}).json()
    assert [c["title"] for c in below_b["results"]] == ["a (js copy)", "JS a", "JS a1"]


atlassian = pytest.importorskip("atlassian",
                                reason="atlassian-python-api is not installed (pip install atlassian-python-api)")


@pytest.fixture(scope="module")
def confluence(live):  # type: ignore[no-untyped-def]
    # The classic v1 methods live in its Server client (its Cloud client speaks v2); same paths.
    return atlassian.Confluence(url=live.url + "/wiki", username=live.bob.email, password=live.bob.token,
                                cloud=False)


def test_atlassian_python_api_tree(live, confluence) -> None:  # type: ignore[no-untyped-def]
    pages = _tree(live, "APT")
    assert [c["title"] for c in confluence.get_page_child_by_type(pages["root"], type="page")] == ["a", "b"]
    assert confluence.get_child_title_list(pages["a"]) == ["a1"]
    assert confluence.get_child_id_list(pages["root"], start=0, limit=1) == [pages["a"]]
    assert [c["title"] for c in confluence.get_child_pages(pages["root"])] == ["a", "b"]
    assert [a["title"] for a in confluence.get_page_ancestors(pages["a1"])] == ["root", "a"]
    assert confluence.get_page_child_count(pages["root"]) == 2
    home = confluence.get_home_page_of_space("APT")
    assert home["title"] == "Tree APT Home" and home["type"] == "page"
    # it asks GET /content (spaceKey, type; its `depth` is not a parameter there, as in Confluence)
    content = confluence.get_space_content("APT", depth="root", content_type="page")
    assert [c["title"] for c in content["results"]] == ["Tree APT Home", "root", "a", "a1", "b"]
    # move_page posts to Confluence's page-tree action
    confluence.move_page("APT", pages["b"], target_id=pages["a"], position="above")
    assert confluence.get_child_title_list(pages["root"]) == ["b", "a"]
    confluence.move_page("APT", pages["a1"], target_title="b", position="append")
    assert confluence.get_child_title_list(pages["b"]) == ["a1"]
    confluence.move_page("APT", pages["a"], position="topLevel")
    assert [a["title"] for a in confluence.get_page_ancestors(pages["a"])] == []


RESTRICTIONS_SCRIPT = CLIENTS / "confluence-js" / "restrictions.mjs"


@pytest.mark.skipif(missing_confluence_js() is not None, reason=str(missing_confluence_js()))
def test_confluence_js_restrictions_permission_check_labels_groups_versions(live) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create("CJR", "Restricted by confluence.js")
        page = alice.content.create("CJR", "restricted")["id"]
    r = httpx.put(f"{live.url}/wiki/rest/api/content/{page}", headers={"Authorization": f"Bearer {live.alice.token}"},
                  json={"type": "page", "title": "restricted, v2", "version": {"number": 2}})
    assert r.status_code == 200, r.text
    result = subprocess.run(["node", str(RESTRICTIONS_SCRIPT)], cwd=CLIENTS, capture_output=True, text=True,
                            timeout=120, check=False,
                            env={**os.environ, "HOST": live.url, "EMAIL": live.admin.email, "TOKEN": live.admin.token,
                                 "PAGE": page, "ALICE": live.alice.account_id, "BOB": live.bob.account_id})
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    alice_id = live.alice.account_id
    assert "js-readers" in out["groups"] and out["members"] == [alice_id] and "js-readers" in out["memberOf"]
    assert out["labelled"] == [page]
    assert out["replaced"] == {"read": {"users": [alice_id], "groups": ["js-readers"]},
                               "update": {"users": [], "groups": []}}
    assert out["added"]["update"] == {"users": [alice_id], "groups": []}
    assert (out["bobNamed"], out["bobAfterRemoval"], out["groupNamed"]) == (200, 404, 200)
    assert out["current"] == {"read": {"users": [alice_id], "groups": ["js-readers"]},
                              "update": {"users": [alice_id], "groups": []}}
    assert out["byOperation"] == ["read", "update"] and out["forRead"] == [alice_id]
    assert out["aliceRead"] is True
    assert out["bobRead"] == {"hasPermission": False, "errors": ["User does not have permission to the content"]}
    assert out["cleared"] == {"read": {"users": [], "groups": []}, "update": {"users": [], "groups": []}}
    assert out["restored"] == 3 and out["deleted"] == 200
    # what the clients changed is what bondline keeps: bob reads the page again, and version 2 is gone
    bob = {"Authorization": f"Bearer {live.bob.token}"}
    assert httpx.get(f"{live.url}/wiki/rest/api/content/{page}", headers=bob).status_code == 200
    versions = httpx.get(f"{live.url}/wiki/rest/api/content/{page}/version", headers=bob).json()
    assert [v["number"] for v in versions["results"]] == [3, 1]

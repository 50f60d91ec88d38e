"""The seeds' Python examples (they use chilkat2 from PyPI), run as written except for the URL and
the token, against a live server."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests import seeds
from tests.helpers import API
from tests.live import LiveServer, provision

chilkat2 = pytest.importorskip("chilkat2", reason="chilkat2 is not installed (pip install chilkat2)")
pytestmark = pytest.mark.live


def run_example(source: str) -> str:
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_seed_000_delete_relationship(database_url: str) -> None:
    with LiveServer(database_url) as server:
        token = provision(database_url, "chilkat-rel")
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as http:
            http.post(f"{API}/space", json={"key": "CK", "name": "Chilkat"})
            page = http.post(f"{API}/content", json={"type": "page", "title": "C", "space": {"key": "CK"}}).json()
            http.put(f"{API}/content/{page['id']}", json={"type": "page", "title": "C", "version": {"number": 2}})
            fav = (f"{API}/relation/favourite/from/user/current/to/content/{page['id']}"
                   "?targetStatus=historical&targetVersion=1")
            assert http.put(fav).status_code == 200
            source = seeds.python_example(seeds.RELATION)
            for placeholder, value in {
                seeds.CONFLUENCE_BASE: server.url + "/wiki", "<access_token>": token,
                ":relationName": "favourite", ":sourceType": "user", ":sourceKey": "current",
                ":targetType": "content", ":targetKey": page["id"],
                "sourceStatus=<string>": "sourceStatus=current", "targetStatus=<string>": "targetStatus=historical",
                "sourceVersion=<integer>": "sourceVersion=1", "targetVersion=<integer>": "targetVersion=1",
            }.items():
                source = source.replace(placeholder, value)
            out = run_example(source)
            assert "Response Status Code = 204" in out and "Success." in out, out
            assert http.get(fav).status_code == 404


def test_seed_001_remove_content_watcher(database_url: str) -> None:
    with LiveServer(database_url) as server:
        token = provision(database_url, "chilkat-watch")
        headers = {"Authorization": f"Bearer {token}", "X-Atlassian-Token": "no-check"}
        with httpx.Client(base_url=server.url, headers=headers) as http:
            http.post(f"{API}/space", json={"key": "CW", "name": "Chilkat"})
            page = http.post(f"{API}/content", json={"type": "page", "title": "C", "space": {"key": "CW"}}).json()
            source = seeds.python_example(seeds.WATCH)
            for placeholder, value in {
                seeds.CONFLUENCE_BASE: server.url + "/wiki", "<access_token>": token, ":contentId": page["id"],
                "key=<string>": "key=ignored", "username=<string>": "username=ignored",
                "accountId=<string>": "accountId=chilkat-watch",
            }.items():
                source = source.replace(placeholder, value)
            out = run_example(source)
            assert "Response Status Code = 204" in out and "Success." in out, out
            assert http.get(f"{API}/user/watch/content/{page['id']}").json() == {"watching": False}

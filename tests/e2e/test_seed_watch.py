"""Seed 001 (Remove content watcher): its curl command against a live server — 204 as written,
403 without the X-Atlassian-Token header, 403 for unknown content, 404 without a content id."""

from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest

from tests import seeds
from tests.helpers import API
from tests.live import LiveServer, provision

pytestmark = [pytest.mark.live, pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")]


def run(argv: list[str]) -> str:
    result = subprocess.run(argv + ["-s", "-o", "/dev/null", "-w", "%{http_code}"], capture_output=True, text=True,
                            timeout=30)
    return result.stdout


def test_seed_curl_command(database_url: str) -> None:
    with LiveServer(database_url) as server:
        token = provision(database_url, "watcher")
        headers = {"Authorization": f"Bearer {token}", "X-Atlassian-Token": "no-check"}
        with httpx.Client(base_url=server.url, headers=headers) as http:
            assert http.post(f"{API}/space", json={"key": "SW", "name": "Seed"}).status_code == 200
            page = http.post(f"{API}/content", json={"type": "page", "title": "W", "space": {"key": "SW"}}).json()
            assert http.get(f"{API}/user/watch/content/{page['id']}").json() == {"watching": True}

        command = seeds.curl_command(seeds.WATCH)
        values = {seeds.CONFLUENCE_BASE: server.url + "/wiki", "<access_token>": token,
                  "key=<string>": "key=ignored", "username=<string>": "username=ignored",
                  "accountId=<string>": "accountId=watcher"}

        # without the XSRF header: 403, and the watch stays
        without = command.replace(' -H "X-Atlassian-Token: no-check"', "")
        assert "X-Atlassian-Token" not in without
        assert run(seeds.fill(without, {**values, ":contentId": page["id"]})) == "403"
        # as written: 204, and the watch is gone
        assert run(seeds.fill(command, {**values, ":contentId": page["id"]})) == "204"
        with httpx.Client(base_url=server.url, headers=headers) as http:
            assert http.get(f"{API}/user/watch/content/{page['id']}").json() == {"watching": False}
        # unknown content: 403
        assert run(seeds.fill(command, {**values, ":contentId": "987654"})) == "403"
        # no content id at all: 404
        assert run(seeds.fill(command, {**values, "/:contentId": "/"})) == "404"

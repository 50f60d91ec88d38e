"""The Postman collection items embedded in the seeds, assembled into one collection and run with
newman (npm) against a live server, asserting each response code the items document.

Each documented response becomes one request: the seed's item with its placeholders filled so
that the documented status is what bondline should answer (the owner deleting their favourite:
204; someone else: 403; unknown content: 404; the watcher item without its XSRF header: 403; with
no content id: 404). The items' own auth (`oauth2`) is kept, with its access token filled in.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib
import shutil
import subprocess
from typing import Any

import pytest

from bondline.client import Client
from tests import seeds

pytestmark = pytest.mark.live
CLIENTS = pathlib.Path(__file__).resolve().parents[1] / "clients"


def newman_binary() -> str | None:
    local = CLIENTS / "node_modules" / ".bin" / "newman"
    if local.exists():
        return str(local)
    return os.environ.get("BONDLINE_NEWMAN") or shutil.which("newman")


NEWMAN = newman_binary()
skip_without_newman = pytest.mark.skipif(
    NEWMAN is None, reason="newman is not installed (npm ci --prefix tests/clients)")


def variant(item: dict[str, Any], code: int, token: str, variables: dict[str, str], query: dict[str, str],
            drop_headers: tuple[str, ...] = ()) -> dict[str, Any]:
    request = copy.deepcopy(item["request"])
    request["auth"] = {"type": "oauth2", "oauth2": [
        {"key": "accessToken", "value": token, "type": "string"},
        {"key": "addTokenTo", "value": "header", "type": "string"},
        {"key": "headerPrefix", "value": "Bearer", "type": "string"},
    ]}
    request["header"] = [h for h in request.get("header", []) if h["key"] not in drop_headers]
    url = request["url"]
    # A variable left empty drops out of the path (newman would otherwise send ":name" literally).
    url["path"] = ["" if p.startswith(":") and not variables[p[1:]] else p for p in url["path"]]
    url["variable"] = [v for v in url.get("variable", []) if variables[v["key"]]]
    for var in url["variable"]:
        var["value"] = variables[var["key"]]
    for param in url.get("query", []):
        param["value"] = query[param["key"]]
    path = "/".join(variables[p[1:]] if p.startswith(":") else p for p in url["path"])
    url["raw"] = "{{baseUrl}}/" + path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    documented = [r["name"] for r in item["response"] if r["code"] == code]
    assert documented, f"{item['name']} documents no {code}"
    return {
        "name": f"{item['name']} -> {code}",
        "request": request,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [
            f"pm.test({json.dumps(documented[0].splitlines()[0])}, function () {{",
            f"    pm.response.to.have.status({code});",
            "});",
        ]}}],
    }


@skip_without_newman
def test_seed_postman_items_with_newman(live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.admin.token) as admin:  # neither alice nor bob administers the space
        admin.spaces.create("PM", "Postman")
        page = admin.content.create("PM", "Postman page")["id"]
        admin.content.update(page, "Postman page", 2)
    with Client(live.url, live.bob.token) as bob:
        bob.relations.put("favourite", ("user", "current"), ("content", page), target_status="historical",
                          target_version=1)
        bob.watches.add_content(page)

    relation = seeds.postman_item(seeds.RELATION)
    watch = seeds.postman_item(seeds.WATCH)
    favourite = {"relationName": "favourite", "sourceType": "user", "sourceKey": "current",
                 "targetType": "content", "targetKey": page}
    rel_query = {"sourceStatus": "current", "targetStatus": "historical", "sourceVersion": "1", "targetVersion": "1"}
    watch_query = {"key": "ignored", "username": "ignored", "accountId": live.bob.account_id}
    items = [
        variant(relation, 403, live.alice.token, {**favourite, "sourceKey": live.bob.account_id}, rel_query),
        variant(relation, 404, live.bob.token, {**favourite, "targetKey": "987654"}, rel_query),
        variant(relation, 204, live.bob.token, favourite, rel_query),
        variant(watch, 403, live.bob.token, {"contentId": page}, watch_query, drop_headers=("X-Atlassian-Token",)),
        variant(watch, 404, live.bob.token, {"contentId": ""}, watch_query),
        variant(watch, 204, live.bob.token, {"contentId": page}, watch_query),
    ]
    collection = {
        "info": {"name": "bondline: seed Postman items",
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "baseUrl", "value": f"{live.url}/wiki/rest"}],
        "item": items,
    }
    path = tmp_path / "collection.json"
    path.write_text(json.dumps(collection, indent=1))
    report = tmp_path / "report.json"
    result = subprocess.run([NEWMAN, "run", str(path), "--reporters", "cli,json", "--reporter-json-export",
                             str(report), "--color", "off"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    run = json.loads(report.read_text())["run"]
    assert run["stats"]["assertions"] == {"total": 6, "pending": 0, "failed": 0}
    codes = [e["response"]["code"] for e in run["executions"]]
    assert codes == [403, 404, 204, 403, 404, 204]
    with Client(live.url, live.bob.token) as bob:
        assert bob.watches.content_status(page) is False
        assert not bob.relations.exists("favourite", ("user", "current"), ("content", page),
                                        target_status="historical", target_version=1)

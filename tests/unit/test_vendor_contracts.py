"""The vendored contracts: the files are what SOURCES.md says, every repair is forced by the
vendor's own example, the examples of every operation bondline serves agree with their schemas,
the response validator the whole suite runs under can fail, and the diff script reports what
changed."""

from __future__ import annotations

import hashlib
import json
import pathlib
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from bondline.openapi import document as served_document
from bondline.openapi import vendor
from bondline.openapi.vendor import repairs
from tests.contract import Contract, Document

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENDOR = resources.files("bondline.openapi.vendor")


def examples(response: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(schema, example) for each example of a response."""
    for media in (response.get("content") or {}).values():
        if "schema" not in media:
            continue
        if "example" in media:
            yield media["schema"], media["example"]
        for named in (media.get("examples") or {}).values():
            if "value" in named:
                yield media["schema"], named["value"]


@pytest.mark.parametrize("name", ["confluence", "confluence_v2", "reltio"])
def test_vendored_files_are_the_ones_sources_md_names(name: str) -> None:
    sources = VENDOR.joinpath("SOURCES.md").read_text()
    for folder, file in vendor.FILES[name]:
        data = VENDOR.joinpath(folder, file).read_bytes()
        assert hashlib.sha256(data).hexdigest() in sources, f"{folder}/{file} is not the file SOURCES.md describes"
        assert f"{len(data):,}" in sources


def test_the_v2_document_is_mounted_where_bondline_serves_it() -> None:
    raw, mounted = vendor.raw("confluence_v2"), vendor.confluence_v2()
    assert "/pages/{id}" in raw["paths"]  # relative to its server, https://{your-domain}/wiki/api/v2
    assert set(mounted["paths"]) == {"/wiki/api/v2" + p for p in raw["paths"]}


def test_the_newest_confluence_document_is_vendored() -> None:
    watch_user = vendor.confluence()["components"]["schemas"]["WatchUser"]
    assert "isGuest" in watch_user["required"]


@pytest.mark.parametrize("repair", repairs.REPAIRS, ids=lambda r: "/".join(r.path[-4:]))
def test_each_repair_is_forced_by_the_vendors_own_example(repair: repairs.Repair) -> None:
    raw, repaired = Document(repair.document, vendor.raw(repair.document)), \
        Document(repair.document, vendor.document(repair.document))
    if not repair.evidence:  # the replaced schema's own example
        original = vendor.raw(repair.document)
        for key in repair.path:
            original = original[key]
        example = json.loads(original["example"])
        assert raw.validate(original, example), "the example already agrees with the schema: no repair is needed"
        assert not repaired.validate(repair.value, example)
        return
    for method, path, status in repair.evidence:
        before = list(examples(vendor.raw(repair.document)["paths"][path][method]["responses"][status]))
        after = list(examples(vendor.document(repair.document)["paths"][path][method]["responses"][status]))
        assert before, f"{method} {path} {status} has no example"
        assert any(raw.validate(schema, ex) for schema, ex in before), \
            f"{method} {path} {status}: the example already agrees with the schema"
        for schema, ex in after:
            assert repaired.validate(schema, ex) == [], f"{method} {path} {status} still disagrees"


def test_every_served_operations_examples_agree_with_its_schemas() -> None:
    served = served_document()["paths"]
    checked = 0
    for name in ("confluence", "confluence_v2", "reltio"):
        doc = vendor.document(name)
        validator = Document(name, doc)
        for path, item in doc["paths"].items():
            public = "/reltio/api/" + path[len("/services/reltio/api/"):] if path.startswith("/services/") else path
            for method, op in item.items():
                if not isinstance(op, dict) or method not in served.get(path, served.get(public, {})):
                    continue
                for status, response in op.get("responses", {}).items():
                    for schema, example in examples(response):
                        assert validator.validate(schema, example) == [], f"{name}: {method} {path} {status}"
                        checked += 1
    assert checked > 50


# --- the validator every test's responses go through (tests/contract.py) -----------------------

WATCHER = {"type": "known", "accountId": "5b10ac8d82e05b22cc7d4ef5", "accountType": "atlassian",
           "email": "a@example.com", "publicName": "A", "displayName": "A",
           "profilePicture": {"path": "/wiki/aa-avatar/default.png", "width": 48, "height": 48, "isDefault": True},
           "operations": None, "personalSpace": None, "isExternalCollaborator": False, "externalCollaborator": False,
           "isGuest": False}


def watchers(user: dict[str, Any]) -> bytes:
    return json.dumps({"results": [{"type": "watch", "watcher": user, "contentId": 1}], "start": 0, "limit": 200,
                       "size": 1, "_links": {"base": "http://x/wiki", "context": "/wiki"}}).encode()


def test_the_validator_refuses_a_watcher_without_is_guest() -> None:
    contract = Contract()
    url = "http://bondline.test/wiki/rest/api/content/1/notification/created"
    contract.check("GET", url, [], 200, "application/json", watchers(WATCHER))
    assert contract.take_violations() == [] and contract.counts["body valid against confluence"] == 1
    without = {k: v for k, v in WATCHER.items() if k != "isGuest"}
    contract.check("GET", url, [], 200, "application/json", watchers(without))
    found = contract.take_violations()
    assert len(found) == 1 and "'isGuest' is a required property" in str(found[0])


def test_the_validator_refuses_an_undeclared_status_and_a_wrong_error_body() -> None:
    contract = Contract()
    url = "http://bondline.test/wiki/rest/api/relation/favourite/from/user/current/to/content/1"
    contract.check("GET", url, [], 418, "application/json", b"{}")
    contract.check("GET", url, [], 404, "application/json", b'{"message": "no"}')
    found = [str(v) for v in contract.take_violations()]
    assert "status not declared" in found[0]
    assert "'statusCode' is a required property" in found[1]


def test_the_validator_takes_bondlines_document_for_bondlines_extensions() -> None:
    contract = Contract()
    base = "http://bondline.test/reltio/api/acme/relations/abc"
    staged = json.dumps({"uri": "changeRequests/X", "changes": {}, "state": "AWAITING_REVIEW"}).encode()
    contract.check("DELETE", base + "?alwaysCreateDCR=true", [], 200, "application/json", staged)
    assert contract.take_violations() == []
    # Without the parameter it is Reltio's own operation, held to Reltio's (repaired) schema: an object.
    contract.check("DELETE", base, [], 200, "application/json", b'["success"]')
    assert "is not of type 'object'" in str(contract.take_violations()[0])


# --- scripts/contract_diff.py ----------------------------------------------------------------------

@pytest.mark.skipif(not (ROOT.parent / "shared" / "specs").exists(), reason="../shared/specs is not beside the repo")
def test_contract_diff_shows_what_changed_for_the_served_operations() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "contract_diff.py"), "confluence"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    watch_user = out[out.index("\n- WatchUser\n"):]
    assert '+ properties/isGuest: {"nullable": true, "type": "boolean"}' in watch_user
    assert re.search(r'\+ required/\d+: "isGuest"', watch_user.split("\n- ", 2)[1])
    assert "- GET /wiki/rest/api/content/{id}: REMOVED from the new document" in out
    assert "+ security:" in out[out.index("- GET /wiki/rest/api/space/{spaceKey}/watch"):]

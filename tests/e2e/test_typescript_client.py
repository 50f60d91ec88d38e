"""A strict TypeScript client, generated from Atlassian's OpenAPI document, against a live server.

tests/clients/confluence-ts/ holds no client code of its own: @hey-api/openapi-ts (npm, pinned in
tests/clients/package-lock.json) generates types, zod schemas and SDK functions for the 17
relation and watch operations from the document at test time, and every SDK function validates
its response with the schema before returning it. run.ts then drives each operation through those
functions against bondline, so a response lacking a property the document marks required, or with
one of the wrong type, fails the test with the operation and the validation error.

The document is Atlassian's newest, vendored in src/bondline/openapi/vendor/confluence/ (as
`bondline.openapi.vendor.confluence()` loads it), or $CONFLUENCE_OPENAPI to try another.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
from typing import Any

import pytest

from bondline.client import Client

pytestmark = pytest.mark.live
TESTS = pathlib.Path(__file__).resolve().parents[1]
CLIENTS = TESTS / "clients"
PROJECT = CLIENTS / "confluence-ts"
BIN = CLIENTS / "node_modules" / ".bin"
OVERRIDE = os.environ.get("CONFLUENCE_OPENAPI")
OPERATIONS = 17
WATCHER_LISTS = ("getWatchesForPage", "getWatchersForSpace", "getWatchesForSpace")
PROBES = ("bondlineNeverSendsThis", "norThis")


def missing_tools() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    for tool in ("openapi-ts", "tsc", "tsx"):
        if not (BIN / tool).exists():
            return f"{tool} is not installed (npm ci --prefix tests/clients)"
    if not (CLIENTS / "node_modules" / "zod").is_dir():
        return "zod is not installed (npm ci --prefix tests/clients)"
    return None


skip_without_node_client = pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))


def node_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0", **extra}


def run(args: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=PROJECT, env=node_env(**extra), capture_output=True, text=True, timeout=180,
                          check=False)


def generate(document: pathlib.Path, out: str) -> pathlib.Path:
    """Generate the client from `document` into tests/clients/confluence-ts/`out`."""
    assert document.is_file(), f"no OpenAPI document at {document} (set CONFLUENCE_OPENAPI)"
    shutil.rmtree(PROJECT / out, ignore_errors=True)
    result = run([str(BIN / "openapi-ts"), "--file", "openapi-ts.config.ts"], CONFLUENCE_OPENAPI=str(document),
                 CONFLUENCE_TS_OUT=out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (PROJECT / out / "sdk.gen.ts").is_file(), result.stdout + result.stderr
    return PROJECT / out


@pytest.fixture(scope="session")
def document(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    if OVERRIDE:
        return pathlib.Path(OVERRIDE)
    from bondline.openapi import vendor

    path = tmp_path_factory.mktemp("openapi") / "confluence.json"
    path.write_text(json.dumps(vendor.confluence()))
    return path


@pytest.fixture(scope="session")
def generated(document: pathlib.Path) -> pathlib.Path:
    """The client generated from the document, and run.ts type-checked against it."""
    out = generate(document, "generated")
    result = run([str(BIN / "tsc"), "-p", "tsconfig.json"])
    assert result.returncode == 0, f"run.ts does not type-check against the generated client:\n{result.stdout}"
    return out


@pytest.fixture(scope="session")
def generated_stricter(document: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The client generated from a copy of the document whose WatchUser requires two more
    properties that bondline never sends: one described under `properties`, one only named in
    `required` (which the generator would drop but for openapi-ts.config.ts)."""
    stricter: dict[str, Any] = json.loads(document.read_text())
    watch_user = stricter["components"]["schemas"]["WatchUser"]
    watch_user["properties"]["bondlineNeverSendsThis"] = {"type": "string"}
    watch_user["required"] += list(PROBES)
    path = tmp_path_factory.mktemp("openapi") / "stricter.json"
    path.write_text(json.dumps(stricter))
    return generate(path, "generated-stricter")


def seed(live: Any, key: str) -> dict[str, str]:
    """A public space with a labelled page (made by the admin); bob runs the client."""
    with Client(live.url, live.admin.token) as admin:
        admin.spaces.create(key, f"TypeScript client {key}")
        page = admin.content.create(key, f"Page in {key}")["id"]
        admin.labels.add(page, "ts-client")
    return {"BONDLINE_URL": live.url, "BONDLINE_TOKEN": live.bob.token, "BONDLINE_ACCOUNT_ID": live.bob.account_id,
            "BONDLINE_SPACE": key, "BONDLINE_PAGE": str(page), "BONDLINE_LABEL": "ts-client"}


def run_client(generated: pathlib.Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    result = run([str(BIN / "tsx"), "run.ts"], CONFLUENCE_TS_GENERATED=generated.name, **env)
    lines: dict[str, str] = {}
    for line in result.stdout.splitlines():
        status, _, rest = line.partition(" ")
        name, _, _ = rest.strip().partition(":")
        if status in ("ok", "FAILED"):
            lines[name] = line
    return result, lines


@skip_without_node_client
def test_generated_client_runs_every_relation_and_watch_operation(live, generated) -> None:  # type: ignore[no-untyped-def]
    result, lines = run_client(generated, seed(live, "TSA"))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert len(lines) == OPERATIONS, output
    assert all(line.startswith("ok") for line in lines.values()), output
    assert f"{OPERATIONS} operations: {OPERATIONS} ok, 0 FAILED" in result.stdout, output


@skip_without_node_client
def test_generated_client_rejects_a_response_missing_a_required_property(live, generated_stricter) -> None:  # type: ignore[no-untyped-def]
    """The client is strict: with a document that requires more of a watcher, exactly the three
    watcher lists fail, each naming the missing properties."""
    result, lines = run_client(generated_stricter, seed(live, "TSB"))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert len(lines) == OPERATIONS, output
    failed = {name for name, line in lines.items() if line.startswith("FAILED")}
    assert failed == set(WATCHER_LISTS), output
    for name in WATCHER_LISTS:
        assert "response validation error: " in lines[name], output
        for probe in PROBES:
            assert f"results.0.watcher.{probe}: Invalid input" in lines[name], output
    assert f"{OPERATIONS} operations: {OPERATIONS - 3} ok, 3 FAILED" in result.stdout, output

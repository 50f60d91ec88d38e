"""`bondline serve --ephemeral`: one JSON line on stdout when ready, a throw-away database (SQLite
file or PostgreSQL schema) removed on exit; and the README's shell and Node examples, run as
written."""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import PG_URL
from tests.e2e.testdouble.readme import readme_example

HERE = pathlib.Path(__file__).parent
ADA = "blt_AdaFixed01_abcdefghijklmnopqrstuvwxyz012345"

pytestmark = pytest.mark.live


def start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], dict]:  # type: ignore[type-arg]
    proc = subprocess.Popen([sys.executable, "-m", "bondline", "serve", "--ephemeral", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        raise AssertionError(proc.stderr.read() if proc.stderr else "no output")
    return proc, json.loads(line)


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    return out, err


def database_of(stderr: str) -> str:
    flat = stderr.replace("\n", "")
    match = re.search(r"database (\S+?), test mode", flat)
    assert match, stderr
    return match.group(1)


def test_one_json_line_then_nothing_else_on_stdout() -> None:
    proc, ready = start("--port", "0", "--seed", str(HERE / "site.yaml"), "--log-level", "info",
                        env={"BONDLINE_DATABASE_URL": "sqlite:///ignored.db"})
    try:
        assert set(ready) == {"url", "tokens"} and re.fullmatch(r"http://127\.0\.0\.1:\d+", ready["url"])
        assert ready["tokens"]["ada"] == ADA and set(ready["tokens"]) == {"ada", "bob", "cyd"}
        r = httpx.get(ready["url"] + "/wiki/rest/api/space/ENG", headers={"Authorization": f"Bearer {ADA}"})
        assert r.status_code == 200
        journal = httpx.get(ready["url"] + "/api/v1/_journal").json()["requests"]
        assert [(e["path"], e["status"]) for e in journal] == [("/wiki/rest/api/space/ENG", 200)]
    finally:
        out, err = stop(proc)
    assert out == "", "only the one JSON line goes to stdout"
    assert "Starting granian" in err  # the server's own logging is on stderr
    path = database_of(err)[len("sqlite:///"):]
    assert not pathlib.Path(path).parent.exists(), "the temporary database is removed on exit"
    assert not pathlib.Path("ignored.db").exists()


def test_a_given_port_and_no_seed() -> None:
    from tests.live import free_port

    port = free_port()
    proc, ready = start("--port", str(port))
    try:
        assert ready == {"url": f"http://127.0.0.1:{port}", "tokens": {}}
    finally:
        stop(proc)


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need BONDLINE_TEST_POSTGRES_URL")
def test_ephemeral_on_postgresql_uses_a_throwaway_schema() -> None:
    import asyncpg

    async def schemas() -> set[str]:
        conn = await asyncpg.connect(PG_URL)
        try:
            rows = await conn.fetch("SELECT schema_name FROM information_schema.schemata")
        finally:
            await conn.close()
        return {r[0] for r in rows}

    before = asyncio.run(schemas())
    proc, ready = start("--port", "0", "--database-url", PG_URL, "--seed", str(HERE / "site.yaml"))
    try:
        made = [s for s in asyncio.run(schemas()) - before if s.startswith("bondline_ephemeral_")]
        assert len(made) == 1
        schema = made[0]
        bob = {"Authorization": f"Bearer {ready['tokens']['bob']}"}
        assert httpx.get(ready["url"] + "/wiki/rest/api/content/3", headers=bob).json()["title"] == "Runbook (final)"
        reset = httpx.post(ready["url"] + "/api/v1/_reset")
        assert reset.status_code == 200 and reset.json()["tokens"] == {}
        assert httpx.get(ready["url"] + "/wiki/rest/api/content/3", headers=bob).status_code == 401
    finally:
        stop(proc)
    assert schema not in asyncio.run(schemas())


def test_ephemeral_refuses_what_it_cannot_do() -> None:
    for args, message in ((["--workers", "2"], "one worker"), (["--seed", "nope.yaml"], "cannot read nope.yaml"),
                          (["--fault", "explode"], "explode")):
        r = subprocess.run([sys.executable, "-m", "bondline", "serve", "--ephemeral", *args], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 1 and r.stdout == "" and message in r.stderr.replace("\n", " "), (args, r.stderr)
    r = subprocess.run([sys.executable, "-m", "bondline", "serve", "--port", "0"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1 and "needs --ephemeral" in r.stderr


def test_a_server_started_with_faults(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.live import LiveServer

    rules = tmp_path / "faults.yaml"
    rules.write_text("rules:\n  - {kind: rate_limit, path: /wiki/rest/api/space, times: 1, retryAfter: 3}\n")
    with LiveServer(database_url, "--faults", str(rules), "--fault", "error status=502 path=/readyz times=1",
                    env={"BONDLINE_FAULT_SEED": "5"}) as server:  # the first /readyz poll met the 502
        first = httpx.get(server.url + "/wiki/rest/api/space")
        assert first.status_code == 429 and first.headers["retry-after"] == "3"
        assert first.json()["statusCode"] == 429
        assert httpx.get(server.url + "/wiki/rest/api/space").status_code == 401  # once only
        # faults without test mode: no control endpoints, no journal
        assert httpx.get(server.url + "/api/v1/_faults").status_code == 404
        assert httpx.get(server.url + "/api/v1/_journal").status_code == 404


def test_it_exits_with_its_parent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a parent that starts the server and dies at once: the orphaned server stops by itself
    script = ("import subprocess, sys\n"
              "p = subprocess.Popen([sys.executable, '-m', 'bondline', 'serve', '--ephemeral', '--port', '0', "
              "'--exit-with-parent'], stdout=subprocess.PIPE, text=True)\n"
              "print(p.stdout.readline().strip(), p.pid, flush=True)\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    ready, pid = r.stdout.rsplit(" ", 1)
    url = json.loads(ready)["url"]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(url + "/healthz", timeout=0.5)
        except httpx.HTTPError:
            break
        time.sleep(0.1)
    else:
        os.kill(int(pid), signal.SIGKILL)
        raise AssertionError("the server outlived its parent")


def _example_env(tmp_path: pathlib.Path) -> dict[str, str]:
    shutil.copy(HERE / "site.yaml", tmp_path / "seed.yaml")
    return {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.mark.skipif(not (shutil.which("bash") and shutil.which("jq") and shutil.which("curl")),
                    reason="the shell example needs bash, jq and curl")
def test_the_readme_shell_example(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "ephemeral.sh"
    script.write_text("set -euo pipefail\n" + readme_example("ephemeral.sh"))
    r = subprocess.run(["bash", str(script)], cwd=tmp_path, env=_example_env(tmp_path), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode in (0, 143), r.stderr
    assert r.stdout.splitlines() == ["Engineering", "429", "GET /wiki/rest/api/space/ENG 200",
                                     "GET /wiki/rest/api/space/ENG 429"], r.stdout + r.stderr


@pytest.mark.skipif(shutil.which("node") is None, reason="the Node example needs node (18 or later)")
def test_the_readme_node_example(tmp_path) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "ephemeral.mjs"
    script.write_text(readme_example("ephemeral.mjs"))
    r = subprocess.run(["node", str(script)], cwd=tmp_path, env=_example_env(tmp_path), capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["Engineering", "GET /wiki/rest/api/space/ENG 200"], r.stdout + r.stderr

"""`bondline serve` as users start it: on a socket, migrating on first start, and the demo."""

from __future__ import annotations

import shlex
import shutil
import subprocess

import httpx
import pytest

from tests.live import LiveServer

pytestmark = pytest.mark.live


def test_first_start_creates_the_default_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with LiveServer(None, cwd=str(tmp_path)) as server:
        assert httpx.get(server.url + "/readyz").json() == {"status": "ready", "database": "sqlite"}
    assert (tmp_path / "bondline.db").exists()


def test_serve_on_each_backend(database_url: str) -> None:
    with LiveServer(database_url) as server:
        r = httpx.get(server.url + "/wiki/rest/api/space")
        assert r.status_code == 401 and r.json()["statusCode"] == 401


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_demo_prints_tokens_and_curl_commands_that_work(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = LiveServer(None, "--demo", cwd=str(tmp_path))
    try:
        commands = []
        for line in server.stdout:
            if line.strip().startswith("curl "):
                commands.append(line.strip())
            if commands and not line.strip():
                break
        server.wait_ready()
        assert len(commands) >= 5
        for command in commands:
            args = shlex.split(command) + ["-o", "/dev/null", "-w", "%{http_code}"]
            result = subprocess.run(args, capture_output=True, text=True, timeout=30)
            assert result.stdout in ("200", "204"), (command, result.stdout, result.stderr)
    finally:
        server.stop()

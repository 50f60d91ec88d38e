"""`bondline serve` as users start it: on a socket, migrating on first start, and the demo."""

from __future__ import annotations

import glob
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from functools import partial

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


def _children(pid: int) -> set[int]:
    """The processes `pid` started (granian's workers, forked by the server process)."""
    found: set[int] = set()
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            with open(task) as f:
                found.update(int(word) for word in f.read().split())
        except OSError:  # a thread that ended meanwhile
            pass
    return found


def _listening_sockets(port: int) -> int:
    """How many sockets listen on `port` (granian's workers each listen on their own, SO_REUSEPORT)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()  # sl, local address:port (hex), remote, state (0A: LISTEN), …
            count += fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port
    return count


def _dead(pid: int) -> bool:
    """Whether `pid` has exited (gone, or a zombie its parent has not reaped yet: its sockets are closed)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


def _until(check: Callable[[], bool], timeout: float = 30, step: float = 0.05) -> bool:
    """Whether `check` came true within `timeout` seconds (asked at most timeout/step + 1 times)."""
    for _ in range(int(timeout / step) + 1):
        if check():
            return True
        time.sleep(step)
    return False


def _workers(server: LiveServer, count: int) -> set[int]:
    """The server's worker pids, once `count` of them listen (granian's workers each listen on the
    port; /readyz answering means one does)."""
    _until(lambda: len(_children(server.proc.pid)) == _listening_sockets(server.port) == count)
    return _children(server.proc.pid)


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux's /proc")
def test_a_worker_killed_with_sigkill_is_replaced_and_the_server_keeps_answering(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with LiveServer(None, workers=2, cwd=str(tmp_path)) as server:
        first = _workers(server, 2)
        assert len(first) == 2, first
        for victim in sorted(first):  # one after the other: each time a replacement must come
            before = _workers(server, 2)
            assert len(before) == 2, before
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + 30
            # Connections that reached the victim's own socket before it died are lost with it (Linux
            # hands them to another worker only with net.ipv4.tcp_migrate_req); from then on, none may be.
            assert _until(partial(_dead, victim), step=0.01), f"worker {victim} survived SIGKILL"
            for _ in range(300):
                # A new connection each time: the surviving worker (or the new one) must answer.
                r = httpx.get(server.url + "/readyz", timeout=10)
                assert r.status_code == 200, r.text
                now = _children(server.proc.pid)
                if victim not in now and len(now) == 2 and now - before and _listening_sockets(server.port) == 2:
                    break  # the replacement is there and listens
                assert time.monotonic() < deadline, f"no worker replaced {victim} within 30 s: {now}"
                time.sleep(0.1)
            else:
                pytest.fail(f"no worker replaced {victim}")
            assert server.proc.poll() is None
        # Neither original worker is left: the replacements answer.
        assert not _children(server.proc.pid) & first
        assert httpx.get(server.url + "/readyz", timeout=10).status_code == 200


def test_a_second_server_on_a_port_in_use_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with LiveServer(None, cwd=str(tmp_path / "a")) as first:
        second = LiveServer(None, cwd=str(tmp_path / "b"), port=first.port)
        try:
            code = second.proc.wait(30)
            output = second.output()
        finally:
            second.stop()
        assert code != 0
        assert f"port {first.port} on 127.0.0.1 is already in use" in " ".join(output.split())
        assert not (tmp_path / "b" / "bondline.db").exists()  # refused before anything was done
        assert httpx.get(first.url + "/readyz").status_code == 200
        # Asked explicitly, it shares the port.
        with LiveServer(None, "--reuse-port", cwd=str(tmp_path / "b"), port=first.port) as shared:
            assert _until(lambda: _listening_sockets(first.port) == 2)  # both listen, one socket each
            assert shared.proc.poll() is None
        assert httpx.get(first.url + "/readyz").status_code == 200


def test_a_body_that_never_arrives_gets_408_and_the_connection_is_closed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with LiveServer(None, cwd=str(tmp_path), env={"BONDLINE_BODY_TIMEOUT": "0.5"}) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
            started = time.monotonic()
            conn.sendall(b"POST /wiki/rest/api/space HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{\"key\": ")  # 92 bytes short, and no more coming
            answer = b""
            for _ in range(100):  # until the server closes the connection (recv's timeout bounds each wait)
                chunk = conn.recv(65536)
                if not chunk:
                    break
                answer += chunk
            else:
                pytest.fail(f"the connection stayed open: {answer!r}")
        assert time.monotonic() - started < 10
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408") and b"connection: close" in head.lower(), head
        assert json.loads(body)["statusCode"] == 408

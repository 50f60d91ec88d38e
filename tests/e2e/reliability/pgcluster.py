"""A PostgreSQL server of a test's own: `initdb` into a temporary directory, started on a free port.

The fault suite stops, hangs (SIGSTOP) and restarts PostgreSQL around live traffic. Doing that to the
shared server (127.0.0.1:5432) would take every other test down with it if a test failed half-way;
a private cluster can be treated roughly, and is always resumed, stopped and removed at the end.

PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user (`runuser`).
Without its server binaries, or as a user who can run neither, the tests using it are skipped.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.live import free_port

_TIMEOUT = 60  # seconds any pg_ctl or initdb call may take


def _bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class PrivateCluster:
    def __init__(self) -> None:
        bindir = _bindir()
        if bindir is None:
            pytest.skip("the fault suite needs PostgreSQL's server binaries (initdb, pg_ctl)")
        self.bindir = bindir
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("as root, the fault suite runs PostgreSQL as `postgres` with runuser, which is missing")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]
        self.root = Path(tempfile.mkdtemp(prefix="bondline-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.root}'\n"
                       "max_connections = 30\nsuperuser_reserved_connections = 0\nfsync = off\n"
                       "full_page_writes = off\nshared_buffers = 16MB\n")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_postgres, os.path.join(self.bindir, tool), *args], check=True,
                       capture_output=True, timeout=_TIMEOUT, cwd=self.root)

    # --- what a test does to it ---------------------------------------------------------------------
    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", str(_TIMEOUT),
                  "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast`: connections get an admin shutdown; `immediate`: the server just goes (a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", str(_TIMEOUT), "stop")

    def restart(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-m", mode, "-w", "-t",
                  str(_TIMEOUT), "restart")

    def hang(self) -> None:
        """Stop the postmaster and every backend (SIGSTOP): connections stay open, nothing answers."""
        for pid in self._pids():
            os.kill(pid, signal.SIGSTOP)

    def resume(self) -> None:
        for pid in self._pids():
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass

    def _pids(self) -> list[int]:
        """The postmaster (from its pid file) and its children (from /proc)."""
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return []
        pids = [postmaster]
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                pids.append(int(stat.split("/")[2]))
        return pids

    def close(self) -> None:
        """Whatever state it was left in: resumed, stopped, removed."""
        self.resume()
        try:
            self.stop("immediate")
        except subprocess.SubprocessError:
            pass
        deadline = time.monotonic() + 10
        while self._pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.root, ignore_errors=True)

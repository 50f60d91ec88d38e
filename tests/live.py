"""Start a real `bondline serve` process on 127.0.0.1 for tests that talk HTTP over a socket
(curl, third-party clients, crash tests)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, database_url: str | None, *extra: str, workers: int = 1, cwd: str | None = None,
                 env: dict[str, str] | None = None, port: int | None = None, log_path: str | None = None,
                 own_group: bool = False) -> None:
        """`port`: listen there (a restarted server keeps its address); `log_path`: write the
        server's output to that file instead of pipes (a chatty server never blocks on a full pipe);
        `own_group`: start the server in a process group of its own, so `kill()` takes the granian
        workers down with it, as a crash would."""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "bondline", "serve", "--port", str(self.port), "--workers", str(workers),
                "--log-level", "warning", *extra]
        if database_url:
            args += ["--database-url", database_url]
        full_env = {**os.environ, "BONDLINE_AUTH_CACHE_SECONDS": "0", **(env or {})}
        self.log_path = log_path
        if log_path:
            with open(log_path, "a") as log:
                self.proc = subprocess.Popen(args, cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                             text=True, start_new_session=own_group)
        else:
            self.proc = subprocess.Popen(args, cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, start_new_session=own_group)
        self.own_group = own_group

    def wait_ready(self, timeout: float = 30) -> LiveServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bondline exited with {self.proc.returncode}: {self.output()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("bondline did not become ready")

    @property
    def stdout(self) -> IO[str]:
        assert self.proc.stdout is not None
        return self.proc.stdout

    def output(self) -> str:
        if self.log_path:
            with open(self.log_path) as log:
                return log.read()
        return self.proc.stderr.read() if self.proc.stderr else ""

    def kill(self) -> None:
        """SIGKILL the server and its workers at once (a crash: nothing gets to clean up)."""
        if self.own_group:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            self.proc.kill()
        self.proc.wait()
        self._close_streams()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.own_group:  # workers left behind by a stuck server
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._close_streams()

    def _close_streams(self) -> None:
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> LiveServer:
        return self.wait_ready()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def provision(database_url: str, account_id: str = "live-user", site_admin: bool = False) -> str:
    """Create a user directly in the database and return a fresh token for them."""
    import asyncio

    from bondline.config import Settings
    from bondline.services import accounts
    from bondline.store import create_store

    async def go() -> str:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        try:
            await accounts.add_user(store, account_id, f"{account_id}@example.com", account_id.title(), site_admin)
            _, token = await accounts.create_token(store, account_id)
            return token
        finally:
            await store.close()

    return asyncio.run(go())

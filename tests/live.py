"""Start a real `bondline serve` process on 127.0.0.1 for tests that talk HTTP over a socket
(curl, third-party clients, crash tests)."""

from __future__ import annotations

import os
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
                 env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "bondline", "serve", "--port", str(self.port), "--workers", str(workers),
                "--log-level", "warning", *extra]
        if database_url:
            args += ["--database-url", database_url]
        full_env = {**os.environ, "BONDLINE_AUTH_CACHE_SECONDS": "0", **(env or {})}
        self.proc = subprocess.Popen(args, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)

    def wait_ready(self, timeout: float = 30) -> "LiveServer":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bondline exited with {self.proc.returncode}: {self.proc.stderr.read()}")
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

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> "LiveServer":
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

"""A real webhook receiver on 127.0.0.1 (or another of this machine's addresses; http.server in a
thread) that records what it gets, and can fail or hang on the first requests."""

from __future__ import annotations

import json
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def delivery(self) -> str:
        return self.headers["x-bondline-delivery"]


class Receiver:
    def __init__(self, fail_first: int = 0, hang_first: int = 0, hang_seconds: float = 30.0,
                 host: str = "127.0.0.1", tls: tuple[str, str] | None = None) -> None:
        """`tls`: (certificate file, key file) to answer HTTPS."""
        self.fail_first = fail_first
        self.hang_first = hang_first
        self.hang_seconds = hang_seconds
        self.requests: list[Received] = []  # every request, in arrival order
        self.ok: list[Received] = []  # those answered 2xx
        self._lock = threading.Lock()
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                got = Received({k.lower(): v for k, v in self.headers.items()}, body)
                with receiver._lock:
                    receiver.requests.append(got)
                    n = len(receiver.requests)
                if n <= receiver.hang_first:
                    receiver._release.wait(receiver.hang_seconds)
                status = 500 if n <= receiver.hang_first + receiver.fail_first else 200
                if status == 200:
                    with receiver._lock:
                        receiver.ok.append(got)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the dispatcher is gone

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # the dispatcher sends a batch at once

        self.server = Server((host, 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://{host}:{self.port}/hook?token=abc"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self.server.shutdown()
        self.server.server_close()

    def wait(self, count: int, timeout: float = 15.0, ok: bool = True) -> list[Received]:
        """Wait until `count` requests (answered 2xx, unless ok=False) have arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                seen = list(self.ok if ok else self.requests)
            if len(seen) >= count:
                return seen
            time.sleep(0.02)
        raise AssertionError(f"the receiver got {len(seen)} requests, wanted {count}: "
                             f"{[r.headers.get('x-bondline-event') for r in seen]}")

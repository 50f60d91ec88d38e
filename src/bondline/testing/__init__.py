"""bondline as a test double: a local, faithful Confluence Cloud / Reltio stand-in for test suites.

`BondlineServer` runs `bondline serve --ephemeral` (a throw-away database, its control endpoints on)
in a child process and drives it: reset it between tests, load seed files, inject faults, read
the request journal, and hand out SDK clients.

    from bondline.testing import BondlineServer

    with BondlineServer(seed="tests/site.yaml") as server:
        with server.client("ada") as client:
            client.spaces.get("ENG")
        server.faults.rate_limit("/wiki/*", times=2, retry_after=0)
        assert [r.status for r in server.requests][-1] == 200

With pytest, the plugin in `bondline.testing.pytest_plugin` (registered as `bondline`) gives the
fixtures `bondline_server`, `bondline_seed` and `bondline_client`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping
from typing import Any, Union
from urllib.parse import parse_qs

import httpx

SeedSpec = Union[str, "os.PathLike[str]", Mapping[str, Any], None]
BUILTIN_TEST_SEED = "builtin:test"


class BondlineTestError(RuntimeError):
    """The test server could not start, or refused a control request."""


class SeedError(BondlineTestError):
    """A seed file the server refused; the message names the line (or path) and the reason."""


@dataclasses.dataclass
class SeedResult:
    """What a seed made: each user's token, and the ids the file could not know."""

    tokens: dict[str, str]
    emails: dict[str, str]
    spaces: list[str]
    content: dict[str, int]  # key -> content id
    content_ids: list[int]  # every content item, in file order
    reltio: dict[str, dict[str, Any]]  # tenant -> {"entities": {ref: uri}, "relations": …, "changeRequests": …}

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> SeedResult:
        return cls(dict(body.get("tokens", {})), dict(body.get("emails", {})), list(body.get("spaces", [])),
                   dict(body.get("content", {})), list(body.get("contentIds", [])), dict(body.get("reltio", {})))


@dataclasses.dataclass
class RecordedRequest:
    """One exchange from the server's journal. No credential is ever in it: Authorization headers
    keep only their scheme, and tokens are replaced wherever they appear."""

    id: int
    time: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    status: int | None  # None when the connection was dropped
    response_headers: dict[str, str]
    response_body: str
    duration_ms: float
    faults: list[str]
    body_truncated: bool = False
    response_body_truncated: bool = False

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> RecordedRequest:
        return cls(raw["id"], raw["time"], raw["method"], raw["path"], raw["query"], raw["headers"], raw["body"],
                   raw["status"], raw.get("responseHeaders", {}), raw.get("responseBody", ""), raw["durationMs"],
                   raw.get("faults", []), raw.get("bodyTruncated", False), raw.get("responseBodyTruncated", False))

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    def json(self) -> Any:
        return json.loads(self.body)

    def response_json(self) -> Any:
        return json.loads(self.response_body)

    def __repr__(self) -> str:
        query = f"?{self.query}" if self.query else ""
        faults = " " + ",".join(self.faults) if self.faults else ""
        return f"<{self.method} {self.path}{query} -> {self.status}{faults}>"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Faults:
    """The server's fault injection, per test: latency, 429 with Retry-After, errors, dropped
    connections, each for a path pattern (glob, or `re:` regex) and methods, reproducible by seed."""

    def __init__(self, server: BondlineServer) -> None:
        self._server = server
        self.changed = False

    @property
    def rules(self) -> list[dict[str, Any]]:
        return self._server._control("GET", "/api/v1/_faults").json()["rules"]

    @property
    def seed(self) -> int:
        return self._server._control("GET", "/api/v1/_faults").json()["seed"]

    def set(self, rules: Iterable[Mapping[str, Any]] = (), *, seed: int = 0) -> list[dict[str, Any]]:
        """Replace the rules (counters and random draws start afresh)."""
        body = {"seed": seed, "rules": [{_camel(k): v for k, v in rule.items()} for rule in rules]}
        self.changed = True
        return self._server._control("PUT", "/api/v1/_faults", json=body).json()["rules"]

    def add(self, kind: str, path: str = "*", **options: Any) -> None:
        """Add one rule after those in force, which keep their counters (`retry_after=1` or
        `retryAfter=1` alike)."""
        rule = {_camel(k): v for k, v in {"kind": kind, "path": path, **options}.items()}
        self.changed = True
        self._server._control("POST", "/api/v1/_faults", json=[rule])

    def rate_limit(self, path: str = "*", **options: Any) -> None:
        """429 with Retry-After (default 1 s): `times=2` for the first two matching requests,
        `probability=0.3` for a share, or `limit=10, window=1` for a real rate limit."""
        self.add("rate_limit", path, **options)

    def latency(self, path: str = "*", delay: float | list[float] = 0.1, **options: Any) -> None:
        self.add("latency", path, delay=delay, **options)

    def error(self, path: str = "*", status: int = 503, **options: Any) -> None:
        self.add("error", path, status=status, **options)

    def drop(self, path: str = "*", **options: Any) -> None:
        self.add("drop", path, **options)

    def clear(self) -> None:
        """Back to the server's own faults (none, unless it was started with some)."""
        self._server._control("DELETE", "/api/v1/_faults")
        self.changed = False


class _SharedTransport(httpx.BaseTransport):
    """One connection pool (and one TLS context, which costs httpx ~30 ms to build) for every client a
    test server hands out; closing a client leaves it open for the next."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: Any) -> Any:
        return self.inner.handle_request(request)

    def __enter__(self) -> _SharedTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None


class BondlineServer:
    """A bondline test server in a child process (`bondline serve --ephemeral --port 0`).

    `database_url` may name a PostgreSQL database to hold the throw-away schema (default: a
    temporary SQLite file); `faults` are the server's own fault rules (a list of rules or
    `{"seed": …, "rules": […]}`), restored by every reset; `args` go to `bondline serve`."""

    def __init__(self, *, seed: SeedSpec = None, database_url: str | None = None,
                 faults: Any = None, args: Iterable[str] = (), env: Mapping[str, str] | None = None,
                 startup_timeout: float = 60.0) -> None:
        self.initial_seed = seed
        self.database_url = database_url
        self.server_faults = faults
        self.args = list(args)
        self.env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.url = ""
        self.tokens: dict[str, str] = {}
        self.seeded = SeedResult({}, {}, [], {}, [], {})
        self.faults = Faults(self)
        self._proc: subprocess.Popen[str] | None = None
        self._http: Any = None
        self._log: Any = None
        self.scope_key: Any = None  # the pytest plugin's bookkeeping (which module/seed it was reset for)

    # --- the process ----------------------------------------------------------------------------
    def start(self) -> BondlineServer:
        args = [sys.executable, "-m", "bondline", "serve", "--ephemeral", "--port", "0", "--exit-with-parent",
                "--log-level", "warning", *self.args]
        if self.database_url:
            args += ["--database-url", self.database_url]
        if self.server_faults is not None:
            args += ["--faults", json.dumps(self.server_faults)]
        self._log = tempfile.TemporaryFile(mode="w+", prefix="bondline-server-", suffix=".log")
        env = {**os.environ, **self.env}
        env.pop("BONDLINE_DATABASE_URL", None)
        # its own process group, so that a server that will not stop can be killed with its worker
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
                                      text=True, env=env, start_new_session=os.name == "posix")
        lines: queue.Queue[str] = queue.Queue()
        stdout = self._proc.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=self.startup_timeout)
        except queue.Empty:
            self.stop()
            raise BondlineTestError(f"bondline did not start within {self.startup_timeout:g} s") from None
        if not line:
            self._proc.wait(10)
            log = self.log()
            self.stop()
            raise BondlineTestError(f"bondline exited with {self._proc.returncode}: {log[-4000:]}")
        ready = json.loads(line)
        self.url = ready["url"]
        self.tokens = dict(ready["tokens"])
        self._transport = _SharedTransport()
        self._http = httpx.Client(base_url=self.url, timeout=60.0, transport=self._transport)
        if self.initial_seed is not None:
            self.reset(self.initial_seed)
        return self

    def log(self) -> str:
        """What the server wrote on stderr."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        text = self._log.read()
        self._log.seek(0, os.SEEK_END)
        return text

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
            self._transport.inner.close()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                if os.name == "posix":
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
                proc.wait()
        if proc is not None and proc.stdout:
            proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> BondlineServer:
        return self.start() if self._proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- control --------------------------------------------------------------------------------
    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        if self._http is None:
            raise BondlineTestError("the bondline server is not running")
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text
            if path.endswith(("_seed", "_reset")) and response.status_code == 400:
                raise SeedError(message)
            raise BondlineTestError(f"{method} {path}: {response.status_code}: {message}")
        return response

    @staticmethod
    def _seed_request(seed: SeedSpec, base: pathlib.Path | None = None) -> dict[str, Any]:
        """The body, content type and name that carry a seed to the server."""
        if seed is None:
            return {}
        if isinstance(seed, Mapping):
            from bondline import seedfile

            try:  # a dict has no lines: check it here, so errors name paths rather than JSON lines
                seedfile.from_data(dict(seed), "<dict>")
            except seedfile.InvalidSeed as err:
                raise SeedError(err.message) from None
            return {"content": json.dumps(seed), "headers": {"content-type": "application/json"},
                    "params": {"name": "<dict>"}}
        text_or_path = os.fspath(seed)
        if isinstance(seed, str) and "\n" in seed:
            return {"content": seed, "headers": {"content-type": "application/yaml"}, "params": {"name": "<text>"}}
        if text_or_path.startswith("builtin:"):
            from bondline import seeds

            name = text_or_path[len("builtin:"):]
            return {"content": seeds.text(name), "headers": {"content-type": "application/yaml"},
                    "params": {"name": seeds.source(name)}}
        path = pathlib.Path(text_or_path)
        if base is not None and not path.is_absolute():
            path = base / path
        kind = "application/json" if path.suffix.lower() == ".json" else "application/yaml"
        return {"content": path.read_text(encoding="utf-8"), "headers": {"content-type": kind},
                "params": {"name": str(seed)}}

    def reset(self, seed: SeedSpec = None) -> SeedResult:
        """Empty the database (ids start at 1 again), restore the server's own faults, clear the
        journal, then load `seed`: a seed file's path, `builtin:NAME`, YAML text, or a dict."""
        result = SeedResult.of(self._control("POST", "/api/v1/_reset", **self._seed_request(seed)).json())
        self.tokens = dict(result.tokens)
        self.seeded = result
        self.faults.changed = False
        return result

    def seed(self, seed: SeedSpec) -> SeedResult:
        """Load a seed on top of what the server holds (users' tokens join `tokens`)."""
        if seed is None:
            raise ValueError("seed() needs a seed file path, YAML text or a dict")
        result = SeedResult.of(self._control("POST", "/api/v1/_seed", **self._seed_request(seed)).json())
        self.tokens.update(result.tokens)
        return result

    # --- users and clients ------------------------------------------------------------------------
    def token(self, account_id: str | None = None) -> str:
        """A seeded user's token (default: the first user of the seed)."""
        if not self.tokens:
            raise BondlineTestError("the seed has no users, so there is no token")
        if account_id is None:
            return next(iter(self.tokens.values()))
        try:
            return self.tokens[account_id]
        except KeyError:
            raise BondlineTestError(f"no seeded user {account_id!r} (seeded: {', '.join(self.tokens)})") from None

    def client(self, account_id: str | None = None, **options: Any) -> Any:
        """bondline's SDK (`bondline.client.Client`) as a seeded user (default: the first)."""
        from bondline.client import Client

        options.setdefault("transport", self._transport)
        return Client(self.url, self.token(account_id), **options)

    def async_client(self, account_id: str | None = None, **options: Any) -> Any:
        from bondline.client import AsyncClient

        return AsyncClient(self.url, self.token(account_id), **options)

    # --- the journal ------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request since the last reset (or `clear_requests`), oldest first."""
        body = self._control("GET", "/api/v1/_journal").json()
        return [RecordedRequest.of(raw) for raw in body["requests"]]

    def clear_requests(self) -> None:
        self._control("DELETE", "/api/v1/_journal")


__all__ = ["BondlineServer", "BondlineTestError", "Faults", "RecordedRequest", "SeedError", "SeedResult"]

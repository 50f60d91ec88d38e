"""The fault suite: the database hangs, stops, restarts or runs out of room around live traffic.

What an operator must see (README, "During a database outage"): every request that needs the
database answers 503 with Retry-After in its API's own error body within the configured bounds
(never a 500, never a wait as long as the outage); /readyz answers 503 within its own deadline while
/healthz stays 200; one log line when the outage starts and one when it ends, not a traceback per
request; the server recovers by itself, without a restart; and nothing is half-written.

PostgreSQL faults are played on a private cluster (tests/e2e/reliability/pgcluster.py), so the shared
server stays healthy whatever happens here. SQLite's disk-full path runs in-process.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from bondline.bootstrap import build
from bondline.config import Settings
from bondline.services import accounts
from bondline.store import migrate, parse
from tests.e2e.reliability.conftest import make_users
from tests.e2e.reliability.pgcluster import PrivateCluster
from tests.live import LiveServer

pytestmark = pytest.mark.live

API = "/wiki/rest/api"
# Small bounds, so a test sees them pass: seconds to open a connection, to wait for a free one, for a
# statement, and for /readyz's own check.
BOUNDS = {"BONDLINE_DB_CONNECT_TIMEOUT": "1", "BONDLINE_DB_POOL_TIMEOUT": "1",
          "BONDLINE_DB_STATEMENT_TIMEOUT": "1", "BONDLINE_READYZ_TIMEOUT": "0.5"}
# The longest a request may take during an outage: waiting for a connection, then opening one or
# running a statement, and the time a loaded machine adds.
WORST = 1 + 1 + 1 + 2.5
_databases = itertools.count(1)


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    pg = PrivateCluster()
    try:
        pg.start()
        yield pg
    finally:
        pg.close()


@pytest.fixture
def cluster_url(cluster: PrivateCluster) -> Iterator[str]:
    """A new database on the private cluster, which is running (and not hung) before and after."""
    name = f"outage_{next(_databases)}"
    _sql(cluster.url, f'CREATE DATABASE "{name}"')
    url = cluster.url.rsplit("/", 1)[0] + "/" + name
    migrate.upgrade(parse(url))
    yield url
    cluster.resume()
    if not cluster._pids():
        cluster.start()


def _sql(url: str, statement: str) -> Any:
    async def run() -> Any:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return await conn.fetch(statement, timeout=30)
        finally:
            await conn.close()

    return asyncio.run(run())


class Call:
    """One request's answer and how long it took."""

    def __init__(self, method: str, url: str, **kwargs: Any) -> None:
        started = time.monotonic()
        try:
            self.response: httpx.Response | None = httpx.request(method, url, timeout=30, **kwargs)
            self.error: str | None = None
        except httpx.HTTPError as exc:
            self.response, self.error = None, f"{type(exc).__name__}: {exc}"
        self.seconds = time.monotonic() - started

    @property
    def status(self) -> int | None:
        return None if self.response is None else self.response.status_code

    def __repr__(self) -> str:
        body = self.response.text[:200] if self.response is not None else self.error
        return f"<{self.status} in {self.seconds:.2f} s: {body}>"


def _at_once(*calls: Callable[[], Call]) -> list[Call]:
    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def _assert_unavailable(call: Call, within: float = WORST) -> None:
    """503 with Retry-After in Confluence's own error body, within the bound."""
    assert call.status == 503, call
    assert call.seconds < within, call
    assert int(call.response.headers["retry-after"]) >= 1  # type: ignore[union-attr]
    body = call.response.json()  # type: ignore[union-attr]
    assert body["statusCode"] == 503 and body["data"]["successful"] is False and "database" in body["message"]


def _until(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _serve(url: str, log_path: str, **env: str) -> tuple[LiveServer, dict[str, str]]:
    user = make_users(url, ["ops"], admin="ops")["ops"]
    server = LiveServer(url, env={**BOUNDS, **env}, log_path=log_path).wait_ready()
    return server, user.headers


def _space(server: LiveServer, headers: dict[str, str], key: str) -> Call:
    return Call("POST", f"{server.url}{API}/space", headers=headers, json={"key": key, "name": f"Space {key}"})


def _whole_or_absent(url: str, keys: list[str], acknowledged: set[str]) -> None:
    """Each space a request tried to create is there with its audit entry, or neither is; every one
    acknowledged with a 200 is there."""
    spaces = {r["key"] for r in _sql(url, "SELECT key FROM spaces")}
    audited = {r["object"] for r in _sql(url, "SELECT object FROM audit_log WHERE action = 'space.create'")}
    for key in keys:
        assert (key in spaces) == (f"space/{key}" in audited), key
    assert acknowledged <= spaces


def _log(server: LiveServer) -> str:
    return server.output()


def test_a_hung_database_gets_503_within_the_bounds_and_recovers(cluster: PrivateCluster, cluster_url: str,
                                                                 tmp_path: Any) -> None:
    server, headers = _serve(cluster_url, str(tmp_path / "server.log"))
    try:
        assert _space(server, headers, "BEFORE").status == 200
        cluster.hang()
        try:
            during = _at_once(
                lambda: Call("GET", f"{server.url}/healthz"),
                lambda: Call("GET", f"{server.url}/readyz"),
                lambda: Call("GET", f"{server.url}{API}/space/BEFORE", headers=headers),
                lambda: _space(server, headers, "HUNG1"),
                lambda: _space(server, headers, "HUNG2"),
                lambda: Call("GET", f"{server.url}{API}/space", headers=headers),
            )
            healthz, readyz, *database = during
            assert healthz.status == 200 and healthz.seconds < 2, healthz
            scrape = Call("GET", f"{server.url}/metrics")  # still answers, and says the database is down
            assert scrape.status == 200 and "bondline_database_up 0.0" in scrape.response.text, scrape  # type: ignore[union-attr]
            assert readyz.status == 503 and readyz.seconds < 0.5 + 2, readyz
            assert readyz.response.json()["error"]["code"] == "NOT_READY"  # type: ignore[union-attr]
            for call in database:
                _assert_unavailable(call)
            # Still hung: the next requests are bounded just the same (nothing waits on the first ones).
            _assert_unavailable(Call("GET", f"{server.url}{API}/space/BEFORE", headers=headers))
        finally:
            cluster.resume()
        # Recovers without a restart.
        assert _until(lambda: Call("GET", f"{server.url}/readyz").status == 200, 15)
        assert Call("GET", f"{server.url}{API}/space/BEFORE", headers=headers).status == 200
        assert "bondline_database_up 1.0" in Call("GET", f"{server.url}/metrics").response.text  # type: ignore[union-attr]
        assert _space(server, headers, "AFTER").status == 200
    finally:
        server.stop()
    _whole_or_absent(cluster_url, ["BEFORE", "HUNG1", "HUNG2", "AFTER"], {"BEFORE", "AFTER"})
    log = _log(server)
    assert "Traceback" not in log, log
    assert log.count("database unavailable") == 1, log
    assert "database available again" in log, log


def test_a_stopped_database_gets_503_at_once_and_one_log_line(cluster: PrivateCluster, cluster_url: str,
                                                             tmp_path: Any) -> None:
    server, headers = _serve(cluster_url, str(tmp_path / "server.log"))
    try:
        assert _space(server, headers, "BEFORE").status == 200
        cluster.stop("fast")
        try:
            calls = [Call("GET", f"{server.url}{API}/space/BEFORE", headers=headers) for _ in range(10)]
            calls += [_space(server, headers, f"DOWN{i}") for i in range(5)]
            for call in calls:
                _assert_unavailable(call)
            readyz = Call("GET", f"{server.url}/readyz")
            assert readyz.status == 503 and readyz.seconds < 2.5, readyz
            assert Call("GET", f"{server.url}/healthz").status == 200
        finally:
            cluster.start()
        assert _until(lambda: Call("GET", f"{server.url}{API}/space/BEFORE", headers=headers).status == 200, 15)
        assert _space(server, headers, "AFTER").status == 200
    finally:
        server.stop()
    _whole_or_absent(cluster_url, ["BEFORE", "AFTER"] + [f"DOWN{i}" for i in range(5)], {"BEFORE", "AFTER"})
    log = _log(server)
    assert "Traceback" not in log and "incident" not in log, log
    assert log.count("database unavailable") == 1, log  # fifteen refusals, one line
    assert log.count("database available again") == 1, log


def test_a_restart_under_traffic_answers_only_200_or_503_and_loses_nothing(cluster: PrivateCluster,
                                                                          cluster_url: str, tmp_path: Any) -> None:
    server, headers = _serve(cluster_url, str(tmp_path / "server.log"))
    numbers = itertools.count()
    answers: dict[str, Call] = {}
    stop = threading.Event()
    try:
        def writer() -> None:
            while not stop.is_set():
                key = f"R{next(numbers)}"
                if len(answers) > 5000:  # bounded, whatever the timing
                    return
                answers[key] = _space(server, headers, key)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            work = [pool.submit(writer) for _ in range(4)]
            time.sleep(0.5)  # traffic is flowing
            cluster.restart("fast")
            time.sleep(1.5)  # and goes on after the restart
            stop.set()
            concurrent.futures.wait(work, timeout=120)
        statuses = [call.status for call in answers.values()]
        odd = [c for c in answers.values() if c.status not in (200, 503)][:3]
        assert not odd, f"{odd}\nserver log:\n{_log(server)[-6000:]}"
        assert statuses.count(200) > 10
        assert _space(server, headers, "AFTER").status == 200  # recovered without a restart of bondline
    finally:
        stop.set()
        server.stop()
    acknowledged = {key for key, call in answers.items() if call.status == 200}
    _whole_or_absent(cluster_url, list(answers), acknowledged)
    assert "Traceback" not in _log(server)


def test_too_many_connections_is_503(cluster: PrivateCluster, cluster_url: str, tmp_path: Any) -> None:
    server, headers = _serve(cluster_url, str(tmp_path / "server.log"))
    hogs: list[asyncpg.Connection] = []
    loop = asyncio.new_event_loop()
    try:
        assert Call("GET", f"{server.url}{API}/space", headers=headers).status == 200

        async def take_every_connection() -> None:
            database = cluster_url.rsplit("/", 1)[1]
            admin = await asyncpg.connect(cluster.url, timeout=10)
            # bondline's connections go; every slot is then taken, so it cannot open another.
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = $1 AND pid <> pg_backend_pid()", database)
            hogs.append(admin)
            for _ in range(40):
                try:
                    hogs.append(await asyncpg.connect(cluster.url, timeout=10))
                except asyncpg.TooManyConnectionsError:
                    return
            raise AssertionError("the cluster never ran out of connections")

        loop.run_until_complete(take_every_connection())
        for _ in range(3):
            _assert_unavailable(Call("GET", f"{server.url}{API}/space", headers=headers))
        async def give_them_back() -> None:
            for hog in hogs:
                await hog.close(timeout=10)

        loop.run_until_complete(give_them_back())
        hogs.clear()
        assert _until(lambda: Call("GET", f"{server.url}{API}/space", headers=headers).status == 200, 15)
    finally:
        for hog in hogs:
            hog.terminate()
        loop.close()
        server.stop()
    assert "Traceback" not in _log(server)


# --- SQLite: the disk fills up ---------------------------------------------------------------------

async def test_sqlite_disk_full_is_503_and_nothing_half_written(tmp_path: Any, sqlite_template: str,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    import shutil

    path = str(tmp_path / "full.db")
    shutil.copyfile(sqlite_template, path)
    app = build(Settings(database_url=f"sqlite:///{path}", auth_cache_seconds=0))
    await app.startup()
    try:
        await accounts.add_user(app.store, "ops", "ops@example.com", "Ops", True)
        _, token = await accounts.create_token(app.store, "ops")
        headers = {"Authorization": f"Bearer {token}"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bondline.test") as client:
            # The file may not grow: SQLite's own SQLITE_FULL, as on a full disk.
            pages = app.store._writer.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[attr-defined]
            app.store._writer.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]
            statuses = []
            for i in range(300):
                description = {"plain": {"value": "y" * 4000, "representation": "plain"}}
                r = await client.post(f"{API}/space", headers=headers,
                                      json={"key": f"F{i}", "name": "x" * 150, "description": description})
                statuses.append(r.status_code)
                if r.status_code == 503:
                    assert r.headers["retry-after"] == "5" and r.json()["statusCode"] == 503
                    break
            assert statuses[-1] == 503 and set(statuses) <= {200, 503}, statuses
            refused = f"F{len(statuses) - 1}"
            assert (await client.get(f"{API}/space/{refused}", headers=headers)).status_code == 404
            app.store._writer.execute("PRAGMA max_page_count = 1073741823")  # type: ignore[attr-defined]
            r = await client.post(f"{API}/space", headers=headers, json={"key": refused, "name": "again"})
            assert r.status_code == 200, r.text
        async with app.store.read() as tx:
            entries = await tx.audit.entries(limit=1000)
        created = [e.object for e in entries if e.action == "space.create"]
        assert len(created) == len(statuses)  # the refused one was recorded once: when it was made
    finally:
        await app.shutdown()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("database unavailable" in m for m in messages) == 1, messages
    assert sum("database available again" in m for m in messages) == 1, messages
    assert not any(r.exc_info for r in caplog.records)

"""Reads from a PostgreSQL streaming replica never show a client anything older than its own last
write (decision 0029).

The module builds its own primary and a hot standby streaming from it (PostgreSQL 15's initdb,
pg_basebackup -R and pg_ctl, in a temporary directory, on free ports) and serves bondline on the pair.
With the standby's replay paused, a client that writes and then reads with the token it was given
sees its write (from the primary); a read without a token in "replica" mode sees the old state (so
the replica really serves reads); once replay resumes, token reads are served by the replica; and a
replica that is down makes reads fall back to the primary.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest

from bondline import consistency
from bondline.bootstrap import build
from bondline.config import Settings
from bondline.http.app import App
from bondline.store import migrate, parse
from bondline.store.postgres import PostgresStore
from bondline.store.tables import metadata
from tests.helpers import API, make_page, make_space

BIN = "/usr/lib/postgresql/15/bin"
HEADER = "x-bondline-consistency"


@dataclass
class Pair:
    primary: str
    replica: str
    root: str
    as_postgres: list[str]

    def ctl(self, name: str, *args: str) -> None:
        _run(self.as_postgres + [f"{BIN}/pg_ctl", "-D", os.path.join(self.root, name), "-w",
                                 "-l", os.path.join(self.root, f"{name}.log"), *args])


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stdout}{done.stderr}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    if not all(os.path.exists(f"{BIN}/{tool}") for tool in ("initdb", "pg_basebackup", "pg_ctl")):
        pytest.skip(f"the streaming replica test needs PostgreSQL 15's server binaries in {BIN}")
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = tempfile.mkdtemp(prefix="bondline-replica-")
    if as_postgres:
        shutil.chown(root, "postgres")
    primary_port, replica_port = _free_port(), _free_port()
    pair = Pair(f"postgresql://postgres@127.0.0.1:{primary_port}/postgres",
                f"postgresql://postgres@127.0.0.1:{replica_port}/postgres", root, as_postgres)
    primary_dir, replica_dir = os.path.join(root, "primary"), os.path.join(root, "replica")
    started: list[str] = []
    try:
        _run(as_postgres + [f"{BIN}/initdb", "-D", primary_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                            "--no-sync", "--no-instructions"])
        with open(os.path.join(primary_dir, "postgresql.conf"), "a") as conf:
            conf.write(f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{root}'\nwal_level = replica\nmax_wal_senders = 4\n"
                       "fsync = off\nshared_buffers = 16MB\n")
        with open(os.path.join(primary_dir, "pg_hba.conf"), "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        pair.ctl("primary", "start")
        started.append("primary")
        migrate.upgrade(parse(pair.primary))
        _run(as_postgres + [f"{BIN}/pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
                            "-D", replica_dir, "-R", "-X", "stream", "-c", "fast", "--no-sync"])
        with open(os.path.join(replica_dir, "postgresql.conf"), "a") as conf:
            conf.write(f"port = {replica_port}\nhot_standby = on\n")
        pair.ctl("replica", "start")
        started.append("replica")
        yield pair
    finally:
        for name in reversed(started):
            try:
                pair.ctl(name, "stop", "-m", "immediate")
            except RuntimeError:
                pass  # already stopped
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def mode() -> str:
    return "primary"


@pytest.fixture
async def app(pair: Pair, mode: str, tmp_path: Any) -> AsyncIterator[App]:
    """bondline on the pair (the tables emptied first: the replica follows)."""
    conn = await asyncpg.connect(pair.primary)
    try:
        await conn.execute("TRUNCATE " + ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
                           + " RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
    application = build(Settings(database_url=pair.primary, pg_replica_url=pair.replica, pg_replica_mode=mode,
                                 auth_cache_seconds=0, blob_dir=str(tmp_path / "blobs"), dispatch=False))
    await application.startup()
    yield application
    await application.shutdown()


def _client(app: App) -> httpx.AsyncClient:
    """A client that keeps cookies, as requests.Session and browsers do."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bondline.test")


async def _caught_up(pair: Pair) -> None:
    """Wait until the replica has replayed everything the primary has written."""
    primary, replica = await asyncpg.connect(pair.primary), await asyncpg.connect(pair.replica)
    try:
        target = await primary.fetchval("SELECT pg_current_wal_insert_lsn()")
        for _ in range(500):
            if await replica.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the replica did not catch up within 5 s")
    finally:
        await primary.close()
        await replica.close()


async def _replay(pair: Pair, action: str) -> None:
    conn = await asyncpg.connect(pair.replica)
    try:
        await conn.execute(f"SELECT pg_wal_replay_{action}()")
    finally:
        await conn.close()


def _fav(page: str) -> str:
    return f"{API}/relation/favourite/from/user/current/to/content/{page}"


async def _world(app: App, client: httpx.AsyncClient) -> tuple[Any, str]:
    from bondline.services import accounts

    user = await accounts.add_user(app.store, "acc-alice", "alice@example.com", "Alice", True)
    _, token = await accounts.create_token(app.store, user.account_id)
    alice = type("Alice", (), {"bearer": {"Authorization": f"Bearer {token}"}})()
    await make_space(client, alice, "ENG")
    page = await make_page(client, alice, "ENG", "Runbook")
    return alice, page["id"]


def _stats(app: App) -> dict[str, int]:
    store = app.store
    assert isinstance(store, PostgresStore)
    return {"replica": store.replica_reads, "behind": store.replica_behind, "down": store.replica_down}


async def test_a_client_reads_its_own_write_while_the_replica_lags(pair: Pair, app: App) -> None:
    async with _client(app) as client, _client(app) as tokenless, _client(app) as other:
        alice, page = await _world(app, client)
        await _caught_up(pair)
        await _replay(pair, "pause")
        try:
            r = await client.put(_fav(page), headers=alice.bearer)
            assert r.status_code == 200, r.text
            token = consistency.parse_lsn(r.headers[HEADER])
            assert token is not None
            assert client.cookies.get(consistency.COOKIE) == r.headers[HEADER]
            # another client's later write, which the primary's answer below includes
            r = await other.put(f"{API}/relation/other/from/user/current/to/content/{page}", headers=alice.bearer)
            assert r.status_code == 200, r.text
            later = consistency.parse_lsn(r.headers[HEADER])
            assert later is not None and later > token
            before = _stats(app)
            r = await client.get(_fav(page), headers=alice.bearer)  # the cookie carries the token
            assert r.status_code == 200, r.text
            after = _stats(app)
            assert after["behind"] > before["behind"]  # the replica had not replayed it: the primary answered
            assert after["replica"] == before["replica"]
            # monotonic: having read the primary, the client's token covers what it may have seen there
            assert (consistency.parse_lsn(client.cookies[consistency.COOKIE]) or 0) >= later
            # the same token in the header, from a client without the cookie
            r = await tokenless.get(_fav(page), headers={**alice.bearer, HEADER: consistency.format_lsn(token)})
            assert r.status_code == 200, r.text
            # "primary" mode: a read without a token is current
            r = await tokenless.get(_fav(page), headers=alice.bearer)
            assert r.status_code == 200, r.text
            assert HEADER not in r.headers
        finally:
            await _replay(pair, "resume")
        await _caught_up(pair)
        before = _stats(app)
        r = await client.get(_fav(page), headers=alice.bearer)
        assert r.status_code == 200, r.text
        assert _stats(app)["replica"] == before["replica"] + 1  # replayed: the replica answered
        assert (consistency.parse_lsn(client.cookies[consistency.COOKIE]) or 0) >= token


@pytest.mark.parametrize("mode", ["replica"])
async def test_a_read_without_a_token_in_replica_mode_is_served_by_the_replica(pair: Pair, app: App) -> None:
    async with _client(app) as client, _client(app) as tokenless:
        alice, page = await _world(app, client)
        await _caught_up(pair)
        await _replay(pair, "pause")
        try:
            r = await client.put(_fav(page), headers=alice.bearer)
            assert r.status_code == 200, r.text
            before = _stats(app)
            r = await tokenless.get(_fav(page), headers=alice.bearer)
            assert r.status_code == 404, r.text  # the replica's (older) state: it really serves reads
            assert _stats(app)["replica"] == before["replica"] + 1
            if HEADER in r.headers:  # a position the replica had replayed, if it knew one
                assert consistency.parse_lsn(r.headers[HEADER]) is not None
            r = await client.get(_fav(page), headers=alice.bearer)
            assert r.status_code == 200, r.text  # the writer still reads its write
        finally:
            await _replay(pair, "resume")
        await _caught_up(pair)
        r = await tokenless.get(_fav(page), headers=alice.bearer)
        assert r.status_code == 200, r.text


async def test_writes_and_their_reads_use_the_primary(pair: Pair, app: App) -> None:
    async with _client(app) as client:
        alice, page = await _world(app, client)
        await _caught_up(pair)
        await _replay(pair, "pause")
        try:
            r = await client.put(_fav(page), headers=alice.bearer)
            assert r.status_code == 200, r.text
            before = _stats(app)
            r = await client.delete(_fav(page), headers=alice.bearer)  # reads what it deletes: the primary's
            assert r.status_code == 204, r.text
            assert _stats(app) == before
            r = await client.get(_fav(page), headers=alice.bearer)
            assert r.status_code == 404, r.text
        finally:
            await _replay(pair, "resume")


@pytest.mark.parametrize("mode", ["replica"])
async def test_reads_fall_back_to_the_primary_while_the_replica_is_down(pair: Pair, app: App) -> None:
    async with _client(app) as client:
        alice, page = await _world(app, client)
        r = await client.put(_fav(page), headers=alice.bearer)
        assert r.status_code == 200, r.text
        await _caught_up(pair)
        r = await client.get(_fav(page), headers=alice.bearer)
        assert r.status_code == 200, r.text
        pair.ctl("replica", "stop", "-m", "fast")
        try:
            for _ in range(3):
                r = await client.get(_fav(page), headers=alice.bearer)
                assert r.status_code == 200, r.text
            assert _stats(app)["down"] >= 1
            r = await client.get("/metrics")
            assert 'bondline_db_replica_reads_total{served_by="primary_down"}' in r.text
        finally:
            pair.ctl("replica", "start")


@pytest.mark.parametrize(("sent", "token", "malformed"), [
    ("0/3000148", 0x3000148, False),
    ("16/B374D848", (0x16 << 32) | 0xB374D848, False),
    ("", None, False),
    ("not-a-position", None, True),
    ("1/2/3", None, True),
    ("123456789/0", None, True),
])
def test_tokens_are_parsed_from_the_header(sent: str, token: int | None, malformed: bool) -> None:
    state = consistency.from_headers("GET", [(b"x-bondline-consistency", sent.encode())])
    assert (state.token, state.malformed, state.safe) == (token, malformed, True)
    if token is not None:
        assert consistency.format_lsn(token) == sent


def test_the_header_wins_over_the_cookie_and_only_get_and_head_may_read_the_replica() -> None:
    cookie = (b"cookie", b"a=b; bondline_consistency=0/10; c=d")
    assert consistency.from_headers("GET", [cookie]).token == 0x10
    assert consistency.from_headers("GET", [cookie, (b"x-bondline-consistency", b"0/20")]).token == 0x20
    assert not consistency.from_headers("PUT", [cookie]).may_read_replica()
    assert not consistency.from_headers("GET", [(b"x-bondline-consistency", b"nope")]).may_read_replica()
    state = consistency.from_headers("HEAD", [])
    assert state.may_read_replica()
    state.wrote = True  # a GET that wrote (the store sets it on commit) reads the primary from then on
    assert not state.may_read_replica()


@pytest.mark.live
def test_atlassian_python_api_reads_its_writes_through_the_cookie(pair: Pair, tmp_path: Any) -> None:
    """An unchanged vendor client (its requests.Session keeps cookies) on a served bondline with two
    workers, in "replica" mode: with replay paused it reads back what it wrote, while a client that
    keeps no cookies reads the replica's older state."""
    atlassian = pytest.importorskip("atlassian", reason="atlassian-python-api is not installed")
    from bondline.client import Client
    from bondline.services import accounts
    from bondline.store import create_store
    from tests.live import LiveServer

    async def make_user() -> str:
        store = create_store(Settings(database_url=pair.primary))
        await store.open()
        try:
            user = await accounts.add_user(store, "acc-live", "live@example.com", "Live", True)
            return (await accounts.create_token(store, user.account_id))[1]
        finally:
            await store.close()

    token = asyncio.run(make_user())
    live = LiveServer(pair.primary, workers=2, env={
        "BONDLINE_PG_REPLICA_URL": pair.replica, "BONDLINE_PG_REPLICA_MODE": "replica",
        "BONDLINE_BLOB_DIR": str(tmp_path / "blobs"), "BONDLINE_DISPATCH": "0"}).wait_ready()
    try:
        with Client(live.url, token) as client:
            client.spaces.create("LIVE", "Live")
            page = client.content.create("LIVE", "Read your writes")["id"]
        asyncio.run(_caught_up(pair))
        confluence = atlassian.Confluence(url=live.url + "/wiki", username="live@example.com", password=token,
                                          cloud=True)
        path = f"rest/api/relation/favourite/from/user/current/to/content/{page}"
        asyncio.run(_replay(pair, "pause"))
        try:
            assert confluence.put(path)["name"] == "favourite"
            assert consistency.COOKIE in confluence.session.cookies
            for _ in range(4):  # either worker: each asks the replica how far it has replayed
                assert confluence.get(path)["name"] == "favourite"
            stale = httpx.get(f"{live.url}/wiki/{path}", auth=("live@example.com", token))
            assert stale.status_code == 404  # no cookie, "replica" mode: the replica's older state
        finally:
            asyncio.run(_replay(pair, "resume"))
    finally:
        live.stop()


@pytest.mark.parametrize(("env", "error"), [
    ({"BONDLINE_PG_REPLICA_MODE": "sometimes"}, "BONDLINE_PG_REPLICA_MODE must be primary or replica"),
    ({"BONDLINE_PG_REPLICA_URL": "mysql://replica/db"}, "BONDLINE_PG_REPLICA_URL must be a postgresql:// URL"),
    ({"BONDLINE_DATABASE_URL": "sqlite:///b.db", "BONDLINE_PG_REPLICA_URL": "postgresql://replica/db"},
     "BONDLINE_PG_REPLICA_URL needs a PostgreSQL BONDLINE_DATABASE_URL"),
])
def test_replica_settings_are_checked(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], error: str) -> None:
    monkeypatch.setenv("BONDLINE_DATABASE_URL", "postgresql://db/bondline")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=error):
        Settings.from_env()

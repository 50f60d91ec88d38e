"""Helpers for the durability, atomicity and shutdown tests: real `bondline serve` processes
(killed with SIGKILL, stopped with SIGTERM), real databases, real HTTP.

Each test gets an empty migrated database on each backend (the root conftest's `database_url`).
Users, tenants and large change requests are written in-process, straight through bondline's own
services and store, before a server starts: that is the fast way to build 20,000 items; everything
the tests then check goes over HTTP, or reads the database after the servers are gone.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bondline import ids
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.domain.reltio import changes as ch
from bondline.domain.reltio import objects as o
from bondline.services import accounts
from bondline.services.reltio import tenants
from bondline.store import parse
from bondline.store.repos.reltio import dumps
from bondline.store.tables import change_items
from tests.helpers import on_store
from tests.live import LiveServer

TENANT = "rel"
API = "/wiki/rest/api"
XSRF = {"X-Atlassian-Token": "no-check"}


@dataclass
class User:
    account_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def make_users(database_url: str, names: list[str], admin: str | None = None) -> dict[str, User]:
    async def job(store: Any) -> dict[str, User]:
        made = {}
        for name in names:
            await accounts.add_user(store, name, f"{name}@example.com", name.title(), name == admin)
            _, token = await accounts.create_token(store, name)
            made[name] = User(name, token)
        return made

    return on_store(database_url, job)


def make_tenant(database_url: str, reviewers: list[str]) -> None:
    async def job(store: Any) -> None:
        await tenants.add(store, TENANT)
        for account_id in reviewers:
            await tenants.grant(store, TENANT, account_id, ["ROLE_REVIEWER"])

    on_store(database_url, job)


def stage_requests(database_url: str, specs: list[tuple[str, str, int, int]]) -> None:
    """Change requests written directly, as a bulk load would: for each (request id, entity id
    prefix, items, entities), `entities` Individuals and one request of `items` INSERT_ATTRIBUTE
    items adding an Email to them in turn (item i to entity i % entities)."""
    async def job(store: Any) -> None:
        now = ids.now_ms()
        for request_id, prefix, items, count in specs:
            entities = [o.ReltioEntity(TENANT, f"{prefix}{i:05d}", "Individual", {}, [], [], [], "", "", 1, now, "x",
                                 now, "x") for i in range(count)]
            request = ch.ChangeRequest(TENANT, request_id, ch.AWAITING, ch.DEFAULT_TYPE, None, now, "x", now, "x")
            staged = [ch.Item(f"{request_id[:6]}{i:06d}", request_id, i, f"entities/{prefix}{i % count:05d}",
                              ch.INSERT, {"attributePath": "Email", "newValue": {"value": email(request_id, i)},
                                          "attributeType": "configuration/entityTypes/Individual/attributes/Email"},
                              1, now, "x") for i in range(items)]
            async with store.write(OPERATOR_ACTOR) as tx:
                await tx.entities.insert_many(entities)
                await tx.change_requests.insert(request)
                # the bulk path (COPY on PostgreSQL): five times faster than add_items' executemany
                await tx.conn.insert_missing(change_items, ITEM_COLUMNS, ("tenant_id", "id"), [
                    (TENANT, request_id, it.id, it.position, it.object_uri, it.type, dumps(it.body), it.base_version,
                     it.created_at, it.created_by) for it in staged])

    on_store(database_url, job)


ITEM_COLUMNS = ("tenant_id", "request_id", "id", "position", "object_uri", "type", "body", "base_version",
                "created_at", "created_by")


def email(request_id: str, i: int) -> str:
    return f"{request_id.lower()}-{i}@example.org"


def expected_emails(request_id: str, prefix: str, items: int, count: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {f"{prefix}{i:05d}": [] for i in range(count)}
    for i in range(items):
        out[f"{prefix}{i % count:05d}"].append(email(request_id, i))
    return out


def request_effects(database_url: str, request_id: str, prefix: str) -> tuple[str, dict[str, tuple[int, list[str]]]]:
    """The request's state, and for each of its entities (version, Email values) as stored."""
    async def job(store: Any) -> tuple[str, dict[str, tuple[int, list[str]]]]:
        async with store.read() as tx:
            cr = await tx.change_requests.get(TENANT, request_id)
            found = {}
            for row in await query_in(tx, "SELECT id FROM entities WHERE tenant_id = :t AND id LIKE :p",
                                      t=TENANT, p=prefix + "%"):
                entity = await tx.entities.get(TENANT, row[0])
                found[entity.id] = (entity.version, [v["value"] for v in entity.attributes.get("Email", [])])
            return cr.state, found

    return on_store(database_url, job)


async def query_in(tx: Any, sql: str, **params: Any) -> Any:
    import sqlalchemy as sa

    return await tx.conn.all(sa.text(sql).bindparams(**params), params)


def rows(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run a query on the database itself (for checks after the servers are gone)."""
    async def job(store: Any) -> list[tuple[Any, ...]]:
        async with store.read() as tx:
            return [tuple(r) for r in await query_in(tx, sql, **params)]

    return on_store(database_url, job)


def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


def write_transaction_open(database_url: str) -> bool:
    """Whether some connection holds an open write transaction on the database right now (a probe
    for "the apply is under way"). SQLite: taking the write lock without waiting fails. PostgreSQL:
    another backend holds a row-lock or write lock on one of the schema's tables (taken by
    SELECT … FOR UPDATE or a write, held until its transaction ends)."""
    if not is_postgres(database_url):
        path = parse(database_url).path
        raw = sqlite3.connect(path, isolation_level=None, timeout=0)
        try:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True
            raise
        finally:
            raw.close()
    import asyncpg

    url = parse(database_url)

    async def probe() -> bool:
        conn = await asyncpg.connect(url.dsn)
        try:
            # Row locks (FOR UPDATE) and writes hold these table locks until their transaction ends.
            return bool(await conn.fetchval(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND l.granted "
                "AND l.pid <> pg_backend_pid() AND l.mode IN ('RowShareLock', 'RowExclusiveLock')",
                url.search_path or "public"))
        finally:
            await conn.close()

    return run(probe())


class Servers:
    """Servers started by a test, each in a process group of its own; all stopped at the end."""

    def __init__(self, database_url: str, log_dir: str) -> None:
        self.database_url = database_url
        self.log_dir = log_dir
        self.started: list[LiveServer] = []

    def start(self, *extra: str, ready: bool = True, workers: int = 1) -> LiveServer:
        log_path = os.path.join(self.log_dir, f"server-{len(self.started)}.log")
        server = LiveServer(self.database_url, *extra, workers=workers, log_path=log_path, own_group=True)
        self.started.append(server)
        return server.wait_ready(60) if ready else server

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()


@pytest.fixture
def servers(database_url: str, tmp_path: Any) -> Iterator[Servers]:
    found = Servers(database_url, str(tmp_path))
    try:
        yield found
    finally:
        found.stop_all()


def client(server: LiveServer, user: User, timeout: float = 30) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers=user.headers, timeout=timeout)


def reltio_error(r: httpx.Response, status: int, fragment: str = "") -> dict[str, Any]:
    from tests.api.reltio.conftest import reltio_error as check

    return check(r, status, fragment=fragment)

"""Shared fixtures.

Every test that touches storage runs against each backend: SQLite always, PostgreSQL when
BONDLINE_TEST_POSTGRES_URL is set (CI sets it; locally, e.g.
``BONDLINE_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test pytest``).

Databases are migrated once per session: SQLite tests get a copy of a migrated file, PostgreSQL
tests share a schema of their own that is truncated between tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bondline.bootstrap import build
from bondline.config import Settings
from bondline.http.app import App
from bondline.services import accounts
from bondline.services.reltio import tenants
from bondline.store import migrate, parse
from bondline.store.tables import metadata

# pytester runs users' test files against bondline's pytest plugin (tests/e2e/testdouble).
pytest_plugins = ["pytester"]

PG_ENV = "BONDLINE_TEST_POSTGRES_URL"
PG_URL = os.environ.get(PG_ENV)
BACKENDS = ["sqlite", "postgresql"]


# --- every response checked against the contracts (tests/contract.py) ---------------------------

_CONTRACT: Any = None


def pytest_configure(config: Any) -> None:
    global _CONTRACT
    if _CONTRACT is None:  # pytester's inner sessions share this process and its hooks on httpx
        from tests.contract import Contract, install

        _CONTRACT = Contract()
        config.add_cleanup(install(_CONTRACT))


@pytest.fixture(autouse=True)
def responses_match_the_contracts() -> Iterator[None]:
    """Fails the test (at teardown) that received a response its operation's schema refuses."""
    yield
    found = _CONTRACT.take_violations() if _CONTRACT else []
    if found:
        pytest.fail(f"{len(found)} response(s) do not match the API contracts:\n  " +
                    "\n  ".join(str(v) for v in found), pytrace=False)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _CONTRACT is not None:
        terminalreporter.section("responses checked against the API contracts")
        for line in _CONTRACT.summary():
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    # Violations no test's teardown took (a session fixture's requests after the last test).
    if _CONTRACT is not None and _CONTRACT.violations:
        for v in _CONTRACT.violations:
            session.config.get_terminal_writer().line(f"contract violation outside a test: {v}", red=True)
        session.exitstatus = 1


def pytest_report_header(config: Any) -> str:
    if PG_URL:
        return f"bondline storage backends: sqlite, postgresql ({PG_URL.split('@')[-1]})"
    return (f"bondline storage backends: sqlite only; PostgreSQL tests are skipped. Set {PG_ENV}="
            "postgresql://postgres@127.0.0.1:5432/test to run them too.")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("template") / "bondline.db")
    migrate.upgrade(parse(f"sqlite:///{path}"))
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.execute("PRAGMA journal_mode=DELETE")
    raw.close()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    import asyncpg

    schema = f"bondline_test_{uuid.uuid4().hex[:10]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}search_path={schema}"
    migrate.upgrade(parse(url))
    yield url
    asyncio.run(run(f'DROP SCHEMA "{schema}" CASCADE'))


def _truncate_pg(url: str) -> None:
    import asyncpg

    parsed = parse(url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)

    async def run() -> None:
        conn = await asyncpg.connect(parsed.dsn, server_settings={"search_path": parsed.search_path or "public"})
        try:
            await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = str(tmp_path / "bondline.db")
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_schema_url")
    _truncate_pg(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return Settings(database_url=database_url, auth_cache_seconds=0, blob_dir=str(tmp_path / "blobs"))


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    application = build(settings)
    await application.startup()
    yield application
    await application.shutdown()


@pytest.fixture
async def client(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bondline.test") as c:
        yield c


@dataclass
class Person:
    account_id: str
    email: str
    token: str
    user_id: int

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def basic(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.email, self.token)


@dataclass
class Site:
    """A small site: `admin` (site admin), `alice` and `bob` (plain users), `carol` (a space admin)."""

    people: dict[str, Person] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Person:
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
async def site(app: App) -> Site:
    s = Site()
    for name, admin in (("admin", True), ("alice", False), ("bob", False), ("carol", False)):
        user = await accounts.add_user(app.store, f"acc-{name}", f"{name}@example.com", name.title(), admin)
        _, token = await accounts.create_token(app.store, user.account_id)
        s.people[name] = Person(user.account_id, user.email, token, user.id)
    return s


@pytest.fixture
async def acme(app: App, site: Site) -> Site:
    """The site with the Reltio tenant `acme` (the default types): alice ROLE_USER, bob ROLE_INITIATOR,
    carol ROLE_REVIEWER (tests/api/reltio/conftest.py has the helpers that address it)."""
    await tenants.add(app.store, "acme")
    await tenants.grant(app.store, "acme", site.alice.account_id, ["ROLE_USER"])
    await tenants.grant(app.store, "acme", site.bob.account_id, ["ROLE_INITIATOR"])
    await tenants.grant(app.store, "acme", site.carol.account_id, ["ROLE_REVIEWER"])
    return site


# --- a live server per test module (for tests that drive real clients over a socket) -----------

def _fresh_pg_schema_url(label: str) -> tuple[str, Any]:
    import asyncpg

    schema = f"bondline_{label}_{uuid.uuid4().hex[:8]}"

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(PG_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in (PG_URL or "") else "?"
    return f"{PG_URL}{sep}search_path={schema}", lambda: asyncio.run(run(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(scope="module", params=BACKENDS)
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database on each backend, shared by one test module."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = str(tmp_path_factory.mktemp("module") / "bondline.db")
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    if not PG_URL:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    url, drop = _fresh_pg_schema_url("module")
    migrate.upgrade(parse(url))
    yield url
    drop()


@dataclass
class LiveSite:
    url: str
    database_url: str
    people: dict[str, Person]

    def __getattr__(self, name: str) -> Person:
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture(scope="module")
def live(module_database_url: str) -> Iterator[LiveSite]:
    """A `bondline serve` process on 127.0.0.1 with users admin (site admin), alice and bob."""
    from tests.live import LiveServer

    async def people() -> dict[str, Person]:
        from bondline.store import create_store

        store = create_store(Settings(database_url=module_database_url))
        await store.open()
        found = {}
        try:
            for name, admin in (("admin", True), ("alice", False), ("bob", False)):
                user = await accounts.add_user(store, f"live-{name}", f"{name}@example.com", name.title(), admin)
                _, token = await accounts.create_token(store, user.account_id)
                found[name] = Person(user.account_id, user.email, token, user.id)
        finally:
            await store.close()
        return found

    site_people = asyncio.run(people())
    with LiveServer(module_database_url) as server:
        yield LiveSite(server.url, module_database_url, site_people)

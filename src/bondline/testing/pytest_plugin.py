"""pytest plugin: bondline as a local Confluence Cloud / Reltio stand-in for your tests.

Registered as `bondline` through the `pytest11` entry point, so installing bondline enables it.
Everything is opt-in by fixture name; nothing runs unless a test asks for a fixture (disable the
plugin with `-p no:bondline`).

Fixtures:

- `bondline_server`: a live server on 127.0.0.1 (`BondlineServer`), reset before each test — an
  empty database with ids starting at 1, the seed loaded, no faults, an empty journal. One server
  process serves the whole session (one per xdist worker); a reset is one HTTP request.
- `bondline_seed`: load more data: `bondline_seed("extra.yaml")` or `bondline_seed({...})`.
- `bondline_client`: bondline's SDK (`bondline.client.Client`) as the seed's first user.

Configuration (marker, else command line, else ini):

- seed file: `@pytest.mark.bondline(seed="site.yaml")` (relative to the test file), `--bondline-seed`,
  ini `bondline_seed` (relative to the ini file); default: one site admin, `test-admin`;
- scope: `@pytest.mark.bondline(scope="module")`, `--bondline-scope`, ini `bondline_scope`: `test`
  (default: a fresh database per test) or `module` (reset once per module; the journal is still
  cleared and faults restored for each test);
- faults per test: `@pytest.mark.bondline(faults=[{"kind": "rate_limit", "times": 2}], fault_seed=7)`,
  or `bondline_server.faults` in the test; per server: `--bondline-faults FILE`, ini `bondline_faults`;
- database: a temporary SQLite file; `--bondline-database-url postgresql://…` (ini
  `bondline_database_url`) makes a throw-away schema there instead.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from typing import Any

import pytest

SCOPES = ("test", "module")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("bondline", "bondline test double (fixtures bondline_server, bondline_seed, "
                                        "bondline_client)")
    group.addoption("--bondline-seed", dest="bondline_seed", default=None, metavar="FILE",
                    help="Seed file every bondline_server test starts from (default: one site admin).")
    group.addoption("--bondline-scope", dest="bondline_scope", default=None, choices=SCOPES,
                    help="Reset the bondline server before each test (default) or each module.")
    group.addoption("--bondline-database-url", dest="bondline_database_url", default=None, metavar="URL",
                    help="A PostgreSQL database for the throw-away schema (default: a temporary SQLite file).")
    group.addoption("--bondline-faults", dest="bondline_faults", default=None, metavar="FILE",
                    help="Fault rules (YAML or JSON) the bondline server always has.")
    parser.addini("bondline_seed", "Seed file for bondline_server (relative to the ini file).", default="")
    parser.addini("bondline_scope", "test (default) or module: how often bondline_server is reset.", default="")
    parser.addini("bondline_database_url", "PostgreSQL URL for bondline_server's throw-away schema.", default="")
    parser.addini("bondline_faults", "Fault rules file the bondline server always has.", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bondline(seed=None, scope=None, faults=None, fault_seed=0): configure bondline_server for "
        "this test (seed file or dict, 'test' or 'module' scope, fault rules).")


def _setting(config: pytest.Config, name: str) -> tuple[str | None, pathlib.Path | None]:
    """A setting and the directory relative paths in it are relative to."""
    value = config.getoption(name)
    if value:
        return value, pathlib.Path(config.invocation_params.dir)
    value = config.getini(name)
    if value:
        return value, pathlib.Path(config.inipath).parent if config.inipath else config.rootpath
    return None, None


@pytest.fixture(scope="session")
def _bondline_session(request: pytest.FixtureRequest) -> Iterator[Any]:
    from bondline.testing import BondlineServer

    config = request.config
    database_url, _ = _setting(config, "bondline_database_url")
    faults, base = _setting(config, "bondline_faults")
    server_faults = None
    if faults:
        from bondline.testing import faults as fault_rules

        path = pathlib.Path(faults)
        path = path if path.is_absolute() or base is None else base / path
        server_faults = fault_rules.as_data(fault_rules.from_setting(str(path)))
    server = BondlineServer(database_url=database_url, faults=server_faults)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _marked(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The options of every `bondline` marker on the test, its class and module; the closest wins."""
    options: dict[str, Any] = {}
    for marker in request.node.iter_markers("bondline"):
        for name, value in marker.kwargs.items():
            options.setdefault(name, value)
    return options


def _seed_of(request: pytest.FixtureRequest, marked: dict[str, Any]) -> tuple[Any, pathlib.Path | None]:
    if marked.get("seed") is not None:
        return marked["seed"], pathlib.Path(str(request.node.path)).parent
    seed, base = _setting(request.config, "bondline_seed")
    if seed:
        return seed, base
    from bondline.testing import BUILTIN_TEST_SEED

    return BUILTIN_TEST_SEED, None


def _seed_key(seed: Any) -> Any:
    if isinstance(seed, dict):
        import json

        return json.dumps(seed, sort_keys=True, default=str)
    return str(seed)


@pytest.fixture
def bondline_server(request: pytest.FixtureRequest, _bondline_session: Any) -> Iterator[Any]:
    """A live bondline server on 127.0.0.1, reset for this test (or module) and seeded."""
    server = _bondline_session
    if not server.running:
        pytest.fail(f"the bondline server has stopped: {server.log()[-2000:]}")
    marked = _marked(request)
    scope = marked.get("scope") or request.config.getoption("bondline_scope") or \
        request.config.getini("bondline_scope") or "test"
    if scope not in SCOPES:
        pytest.fail(f"bondline scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    seed, base = _seed_of(request, marked)
    if isinstance(seed, (str, pathlib.Path)) and base is not None and "\n" not in str(seed) \
            and not str(seed).startswith("builtin:") and not pathlib.Path(seed).is_absolute():
        seed = base / seed
    module = getattr(request.node, "module", None)
    key = (module.__name__ if module is not None else request.node.nodeid, _seed_key(seed)) \
        if scope == "module" else None
    if key is None or server.scope_key != key:
        from bondline.testing import SeedError

        try:
            server.reset(seed)
        except SeedError as err:
            pytest.fail(f"bondline seed: {err}", pytrace=False)
        server.scope_key = key
    else:
        server.clear_requests()
    if marked.get("faults"):
        server.faults.set(marked["faults"], seed=marked.get("fault_seed", 0))
    try:
        yield server
    finally:
        if scope == "module" and server.faults.changed and server.running:
            server.faults.clear()
        if scope == "test":
            server.scope_key = None


@pytest.fixture
def bondline_seed(bondline_server: Any) -> Any:
    """Load a seed on top of the test's data: `bondline_seed("more.yaml")` or `bondline_seed({...})`;
    returns what it made (`SeedResult`: tokens, content ids, Reltio URIs)."""
    return bondline_server.seed


@pytest.fixture
def bondline_client(bondline_server: Any) -> Iterator[Any]:
    """bondline's SDK bound to the server, as the seed's first user."""
    client = bondline_server.client()
    try:
        yield client
    finally:
        client.close()

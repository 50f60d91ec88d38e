"""The control endpoints of a test server (`bondline serve --ephemeral`), for test suites in any
language. Anywhere else they answer 404, like any unknown path.

    POST   /api/v1/_reset     empty the database, faults back to the server's own, journal cleared;
                              a seed file in the body (YAML or JSON) is loaded afterwards
    POST   /api/v1/_seed      load a seed file (YAML or JSON) on top of what is there
    GET    /api/v1/_faults    the active fault rules
    PUT    /api/v1/_faults    replace them ({"seed": 1, "rules": [...]} or a list of rules)
    POST   /api/v1/_faults    add rules to them (the others keep their counters)
    DELETE /api/v1/_faults    back to the server's own (none, unless it was started with --faults)
    GET    /api/v1/_journal   the requests and responses recorded (?limit=N: the last N)
    DELETE /api/v1/_journal   forget them

They need no credentials: a test server listens on 127.0.0.1 and holds throw-away data.

Every server has these routes: /openapi.json documents them everywhere (404: not a test server), so
they stay in the route table, where a method they lack gets 405 with Allow as on any documented path.
Only a test server's are live (`install` with its controls, by `bondline.testing.instrument`); on any
other each answers as a path no route matches does (`bondline.bootstrap` installs them so).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bondline import seedfile
from bondline.dialects.native.errors import DIALECT
from bondline.domain.errors import Invalid, is_decimal
from bondline.http import Request, Response, empty, json_response
from bondline.http.app import unknown_path
from bondline.services import seeding
from bondline.testing import faults as fault_rules
from bondline.testing.journal import Journal

if TYPE_CHECKING:
    from bondline.testing.instrument import Controls


def _controls(req: Request) -> Controls:
    controls: Controls = req.app.controls  # set with the live routes (`instrument`)
    return controls


def _text(req: Request) -> str:
    try:
        return req.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("The body is not UTF-8 text") from None


def _seed_document(req: Request) -> seedfile.Document | None:
    if not req.body.strip():
        return None
    kind = (req.header(b"content-type") or "").lower()
    fmt = "json" if "json" in kind else "yaml" if "yaml" in kind else None
    return seedfile.parse(_text(req), req.q("name") or "seed", fmt=fmt)


async def reset(req: Request) -> Response:
    controls = _controls(req)
    doc = _seed_document(req)
    controls.reset()
    req.app.auth.forget()
    report = await seeding.reset(req.app.store, doc)
    return json_response(report.as_json())


async def seed(req: Request) -> Response:
    _controls(req)
    doc = _seed_document(req)
    if doc is None:
        raise Invalid("The body must be a seed file (YAML or JSON)", reason="INVALID_SEED")
    report = await seeding.load(req.app.store, doc)
    return json_response(report.as_json())


def _faults_body(controls: Controls) -> dict[str, Any]:
    config = controls.plan.config
    return {"seed": config.seed, "rules": fault_rules.as_data(config)["rules"]}


async def get_faults(req: Request) -> Response:
    return json_response(_faults_body(_controls(req)))


async def put_faults(req: Request) -> Response:
    controls = _controls(req)
    try:
        config = fault_rules.parse_text(_text(req)) if req.body.strip() else fault_rules.Config()
    except fault_rules.FaultConfigError as exc:
        raise Invalid(str(exc), reason="INVALID_FAULTS") from None
    controls.set_faults(config)
    return json_response(_faults_body(controls))


async def add_faults(req: Request) -> Response:
    controls = _controls(req)
    try:
        config = fault_rules.parse_text(_text(req)) if req.body.strip() else fault_rules.Config()
    except fault_rules.FaultConfigError as exc:
        raise Invalid(str(exc), reason="INVALID_FAULTS") from None
    controls.add_faults(config.rules)
    return json_response(_faults_body(controls))


async def delete_faults(req: Request) -> Response:
    _controls(req).restore_faults()
    return empty(204)


def _journal(req: Request) -> Journal:
    journal = _controls(req).journal
    assert journal is not None  # its routes are live only with a journal
    return journal


async def get_journal(req: Request) -> Response:
    journal = _journal(req)
    raw = req.q("limit")
    if raw is not None and not is_decimal(raw):
        raise Invalid("limit must be a non-negative integer")
    return json_response(journal.listing(int(raw) if raw is not None else None))


async def delete_journal(req: Request) -> Response:
    _journal(req).clear()
    return empty(204)


async def _absent(req: Request) -> Response:
    raise unknown_path()


# method, path, handler, and whether it needs the journal (a test server may keep none: --journal-size 0)
ROUTES = (
    ("POST", "/api/v1/_reset", reset, False),
    ("POST", "/api/v1/_seed", seed, False),
    ("GET", "/api/v1/_faults", get_faults, False),
    ("PUT", "/api/v1/_faults", put_faults, False),
    ("POST", "/api/v1/_faults", add_faults, False),
    ("DELETE", "/api/v1/_faults", delete_faults, False),
    ("GET", "/api/v1/_journal", get_journal, True),
    ("DELETE", "/api/v1/_journal", delete_journal, True),
)


def install(app: Any, controls: Controls | None) -> None:
    """The control routes: live with `controls` (a test server's, also `app.controls`), each
    answering as an unknown path without them."""
    for method, path, handler, needs_journal in ROUTES:
        live = controls is not None and (controls.journal is not None or not needs_journal)
        app.route(method, path, handler if live else _absent, dialect=DIALECT, auth="none")

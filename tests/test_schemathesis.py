"""Schemathesis against a live bondline: (1) bondline's own `/openapi.json`, every operation, with
ALL of schemathesis' checks (`--checks all`), and (2) Atlassian's Confluence Cloud document (the
vendored newest one, `bondline.openapi.vendor.confluence()`) for the operations bondline implements
that it still describes. No 5xx, no undocumented status, content type or header, no response outside
its schema, schema-valid input accepted and schema-invalid input refused.

(1) runs schemathesis' own runner (`schemathesis run --checks all`), so the checks that need it —
`ignored_auth`, `unsupported_method`, `missing_required_header`, `use_after_free`,
`ensure_resource_availability` — run too. Phases `examples`, `coverage` and `fuzzing`, every one over
every operation: the coverage phase sends each boundary value, each missing required part, each
type violation the schema allows for, and each method the path does not declare
(`unexpected-methods`: all eight, the default; the answer is a 405 with `Allow`). Duplicated
single-valued query parameters are not generated (`generate-duplicate-query-parameters = false`):
bondline, like Confluence, reads the first. The coverage phase needs no per-operation bound: it is
bounded by the schemas, which say what bondline reads — where a vendor's request schema nests objects
bondline does not read (a new space's `permissions` embed whole users), `bondline.openapi.precise`
describes the part bondline reads, so the phase takes under a minute for all operations on either
backend. Bounded and repeatable otherwise: seed 1, 3 examples per operation in the fuzzing phase, no
NUL in generated strings and UTF-8 text only (bondline refuses NUL and unpaired surrogates anywhere,
which a JSON Schema cannot say of every string).
bondline's document declares every status each operation can answer and its inputs as bondline
treats them (`bondline.openapi.errors`, `bondline.openapi.precise`); what it still cannot express is
excluded per operation (its method and path, one expression) and per check, each for the reason
written beside it in `EXCLUSIONS` — wire fidelity or a constraint OpenAPI 3.0 has no words for:

- `positive_data_acceptance` on the Confluence relation paths: a key's format depends on its type
  (content ids are integers, space keys alphanumeric), and `sourceVersion`/`targetVersion` need
  `…Status=historical` — constraints between parameters;
- `positive_data_acceptance` on creating a space (open or private) or content: creating the same key,
  or a page with the same title in a space, twice is refused with 400 as Confluence does — state, not
  shape;
- `positive_data_acceptance` on PUT /wiki/rest/api/content/{id}: an update is checked against the
  stored page — its type cannot change, a parent must exist and be neither the page nor one of its
  descendants — state, not shape;
- `positive_data_acceptance` on GET /api/v1/users/{accountId}/relations/{relationName}: `cursor` is
  opaque — only a `nextCursor` bondline returned is one;
- `positive_data_acceptance` on POST …/entities/{id}/_update: each change's `uri` must name an
  attribute of the entity in the path (body against path);
- `positive_data_acceptance` on PUT …/configuration: the types document is checked as a whole (type
  URIs, attribute kinds, relation types naming declared entity types);
- `negative_data_rejection` on the review inbox's pages (GET /ui/…): a browser without a valid session
  is sent to the sign-in page (303), the web's convention, rather than refused with a 4xx.

(2) runs `not_a_server_error`, `response_schema_conformance` and `response_headers_conformance`; it
leaves out, as before:
- `status_code_conformance`: Atlassian's definitions leave out statuses their own descriptions and
  the seeds promise — 401 on the list operations, 501 for listing favourites ("this method does not
  support 'like' or 'favourite'"), 400 for bad `start`/`limit` — so correct answers would be flagged;
- `content_type_conformance`: the definitions declare error responses with no content (`content: {}`)
  while Confluence (and bondline) answer them with its JSON error body;
- the negative-data checks (`negative_data_rejection`, `positive_data_acceptance`): Confluence accepts
  values its schema does not describe (`additionalProperties`, ignored deprecated parameters), as
  bondline does for compatibility, so schema-invalid input is not always an error.
Generation is bounded (a fixed number of examples per operation, phases `examples` and `fuzzing`: the
coverage phase over Atlassian's own request schemas, which embed whole spaces and users bondline does
not read, would run for hours) and derandomized (fixed seed). Atlassian's 2026 document no longer has
some operations bondline serves (they come from the 2021 document); those are covered by (1) only.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib
from typing import Any

import httpx
import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install schemathesis)")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_headers_conformance,
    response_schema_conformance,
)

pytestmark = pytest.mark.live
CHECKS = [not_a_server_error, response_schema_conformance, response_headers_conformance]
BOUNDED = settings(max_examples=8, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


def _load(document: dict[str, Any], live: Any) -> Any:
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=live.url)
    # No coverage phase here: Atlassian's own request schemas nest whole objects (ContentCreate embeds
    # Space, which embeds Content, …) and it would run for hours; (1) runs it over bondline's.
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema


@pytest.fixture(scope="module")
def official_schema(live):  # type: ignore[no-untyped-def]
    """Atlassian's newest Confluence document, cut to the operations bondline serves that it has."""
    from bondline.openapi import vendor

    official = copy.deepcopy(vendor.confluence())
    served = httpx.get(live.url + "/openapi.json").json()["paths"]
    official["paths"] = {p: kept for p, item in official["paths"].items() if p in served
                         if (kept := {m: op for m, op in item.items() if m in served[p]})}
    assert official["paths"], "no operation bondline serves is in Atlassian's document"
    official["servers"] = [{"url": "/"}]
    return _load(official, live)


official = schemathesis.pytest.from_fixture("official_schema")


R = "^(/services)?/reltio/api/[^/]+"
# (check, path regex, method or None, why) — the reasons in full are in the module's docstring.
EXCLUSIONS = [
    ("positive_data_acceptance", "^/wiki/rest/api/relation/", None,
     "key formats depend on the key's type; versions need status=historical"),
    ("positive_data_acceptance", "^/wiki/rest/api/(space|space/_private|content)$", "POST",
     "a second create with the same key or title is refused (400), as Confluence does"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+$", "PUT",
     "an update is checked against the stored page: same type, an existing parent other than itself"),
    ("positive_data_acceptance", "^/api/v1/users/[^/]+/relations/[^/]+$", "GET", "cursors are opaque"),
    ("positive_data_acceptance", R + "/entities/[^/]+/_update$", "POST",
     "each change's uri must name an attribute of the entity in the path"),
    ("positive_data_acceptance", R + "/configuration$", "PUT", "the types document is checked as a whole"),
    ("negative_data_rejection", "^/ui/", "GET", "no session: 303 to the sign-in page, not a 4xx"),
]
EXAMPLES = 3
PHASES = ("examples", "coverage", "fuzzing")


def _name_regex(path_regex: str, method: str | None) -> str:
    """One filter on the operation's name ("METHOD /path"): an `[[operations]]` entry's filters are
    alternatives (`include-path-regex` and `include-method` together select every operation with that
    method), so path and method go in one expression."""
    return f"^{method or '[A-Z]+'} {path_regex.removeprefix('^')}"


def _config(path: pathlib.Path) -> pathlib.Path:
    """Every check schemathesis has, enabled; then the exclusions, per operation. (Checks named with
    `--checks all` on the command line would override per-operation settings, so the file names them.)"""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    names = CHECKS.get_all_names()
    assert {"positive_data_acceptance", "negative_data_rejection", "ignored_auth", "use_after_free"} <= set(names)
    lines = [f"checks.{name}.enabled = true" for name in names]
    lines += ["", "[phases.coverage]",
              "# every method a path does not declare is sent, and must be answered 405 with an Allow header",
              'unexpected-methods = ["get", "put", "post", "delete", "options", "patch", "trace", "query"]',
              "# a repeated single-valued query parameter: bondline reads the first, as Confluence does",
              "generate-duplicate-query-parameters = false"]
    for check, regex, method, why in EXCLUSIONS:
        lines += ["", f"# {why}", "[[operations]]", f"include-name-regex = {json.dumps(_name_regex(regex, method))}",
                  f"checks.{check}.enabled = false"]
    path.write_text("\n".join(lines) + "\n")
    return path


def live_operations(live) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    doc = httpx.get(live.url + "/openapi.json").json()
    return [(m, p) for p, item in doc["paths"].items() for m, op in item.items() if isinstance(op, dict)]


def test_own_openapi_document_with_all_checks(live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`schemathesis run --checks all` over every operation of /openapi.json: no failure."""
    import subprocess
    import sys

    command = [str(pathlib.Path(sys.executable).parent / "schemathesis"),
               "--config-file", str(_config(tmp_path / "schemathesis.toml")),
               "run", live.url + "/openapi.json", "--seed", "1", "--max-examples", str(EXAMPLES),
               "--phases", ",".join(PHASES), "--generation-allow-x00", "false", "--generation-codec", "utf-8",
               "--header", f"Authorization: Bearer {live.bob.token}", "--no-shrink",
               # every operation: schemathesis leaves out the one serving the document (GET /openapi.json)
               # unless a filter selects it explicitly
               "--include-path-regex", "^/",
               "--workers", "1"]  # one: CPython 3.11's ast module is not thread-safe (gh-106905), and hypothesis uses it
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    out = done.stdout + done.stderr
    report = os.environ.get("BONDLINE_SCHEMATHESIS_OUT")
    if report:  # the whole report, for a failing run
        pathlib.Path(f"{report}.{live.database_url.split(':')[0]}").write_text(out)
    assert f"{len(live_operations(live))} selected / {len(live_operations(live))} total" in out, out[:2000]
    assert done.returncode == 0, out[-12000:]
    for phase in PHASES:  # each one ran (a phase with nothing to do would say "skipped")
        assert f"✅ {phase.title()}" in out, out[-3000:]


def test_exclusions_select_only_their_operations(live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The generated config switches each excluded check off for exactly the operations its entry
    names, and for no other: every other operation keeps every check."""
    import re

    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.config import SchemathesisConfig

    load_all_checks()
    schema = schemathesis.openapi.from_dict(httpx.get(live.url + "/openapi.json").json(),
                                            config=SchemathesisConfig.from_path(_config(tmp_path / "s.toml")))
    for result in schema.get_all_operations():
        operation = result.ok()
        for phase in PHASES:
            checks = schema.config.checks_config_for(operation=operation, phase=phase)
            off = {name for name in CHECKS.get_all_names() if not checks.get_by_name(name=name).enabled}
            expected = {check for check, regex, method, _ in EXCLUSIONS
                        if re.search(regex, operation.path) and method in (None, operation.method.upper())}
            assert off == expected, (operation.label, phase)


@official.parametrize()
@BOUNDED
def test_official_confluence_definitions(case, live) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Bearer {live.bob.token}"}, checks=CHECKS)

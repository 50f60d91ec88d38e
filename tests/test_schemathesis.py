"""Schemathesis against a live bondline: (1) bondline's own `/openapi.json`, every operation, with
ALL of schemathesis' checks (`--checks all`), and (2) Atlassian's official Confluence Cloud
definitions for the operations bondline implements. No 5xx, no undocumented status, content type or
header, no response outside its schema, schema-valid input accepted and schema-invalid input refused.

(1) runs schemathesis' own runner (`schemathesis run --checks all`), so the checks that need it —
`ignored_auth`, `unsupported_method`, `missing_required_header`, `use_after_free`,
`ensure_resource_availability` — run too. Bounded and repeatable: seed 1, 3 examples per operation,
phases `examples` and `fuzzing` (the exhaustive `coverage` phase runs for hours on Confluence's deeply
nested request schemas), no NUL in generated strings and UTF-8 text only (bondline refuses NUL and
unpaired surrogates anywhere, which a JSON Schema cannot say of every string). bondline's document
declares every status each operation can answer and its inputs as bondline treats them
(`bondline.openapi.errors`, `bondline.openapi.precise`); what it still cannot express is excluded per
operation and per check, each for the reason written beside it in `EXCLUSIONS` — wire fidelity or a
constraint OpenAPI 3.0 has no words for:

- `positive_data_acceptance` on the Confluence relation paths: a key's format depends on its type
  (content ids are integers, space keys alphanumeric), and `sourceVersion`/`targetVersion` need
  `…Status=historical` — constraints between parameters;
- `positive_data_acceptance` on creating a space (open or private) or content: creating the same key,
  or a page with the same title in a space, twice is refused with 400 as Confluence does — state, not
  shape;
- `positive_data_acceptance` on GET /api/v1/users/{accountId}/relations/{relationName}: `cursor` is
  opaque — only a `nextCursor` bondline returned is one;
- `positive_data_acceptance` on POST …/entities/{id}/_update: each change's `uri` must name an
  attribute of the entity in the path (body against path);
- `positive_data_acceptance` on PUT …/configuration: the types document is checked as a whole (type
  URIs, attribute kinds, relation types naming declared entity types);
- `negative_data_rejection` on the review inbox's pages (GET /ui/…): a browser without a valid session
  is sent to the sign-in page (303), the web's convention, rather than refused with a 4xx.

(2) keeps its narrower check set, as before:
- `status_code_conformance`: Atlassian's definitions leave out statuses their own descriptions and
  the seeds promise — 401 on the list operations, 501 for listing favourites ("this method does not
  support 'like' or 'favourite'"), 400 for bad `start`/`limit` — so correct answers would be flagged;
- `content_type_conformance`: the definitions declare error responses with no content (`content: {}`)
  while Confluence (and bondline) answer them with its JSON error body;
- the negative-data checks (`negative_data_rejection`, `positive_data_acceptance`): Confluence accepts
  values its schema does not describe (`additionalProperties`, ignored deprecated parameters), as
  bondline does for compatibility, so schema-invalid input is not always an error.
Generation is bounded (a fixed number of examples per operation, fuzzing phase only) and
derandomized (fixed seed).
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any

import httpx
import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install schemathesis)")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

pytestmark = pytest.mark.live
SPECS = pathlib.Path(__file__).resolve().parents[2] / "shared" / "specs"
CHECKS = [not_a_server_error, response_schema_conformance]
BOUNDED = settings(max_examples=8, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


def _load(document: dict[str, Any], live: Any) -> Any:
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=live.url)
    # Fuzzing only: the exhaustive coverage phase explodes on Confluence's deeply nested request
    # schemas (ContentCreate embeds Space, which embeds Content, …) and would run for hours.
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema


@pytest.fixture(scope="module")
def official_schema(live):  # type: ignore[no-untyped-def]
    path = SPECS / "confluence" / "swagger.v3.json"
    if not path.exists():
        pytest.skip(f"the official definitions are not at {path}")
    official = json.loads(path.read_text())
    served = httpx.get(live.url + "/openapi.json").json()["paths"]
    official["paths"] = {p: {m: op for m, op in item.items() if m in served.get(p, {})}
                         for p, item in official["paths"].items() if p in served}
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
    ("positive_data_acceptance", "^/api/v1/users/[^/]+/relations/[^/]+$", "GET", "cursors are opaque"),
    ("positive_data_acceptance", R + "/entities/[^/]+/_update$", "POST",
     "each change's uri must name an attribute of the entity in the path"),
    ("positive_data_acceptance", R + "/configuration$", "PUT", "the types document is checked as a whole"),
    ("negative_data_rejection", "^/ui/", "GET", "no session: 303 to the sign-in page, not a 4xx"),
]
EXAMPLES = 3


def _config(path: pathlib.Path) -> pathlib.Path:
    """Every check schemathesis has, enabled; then the exclusions, per operation. (Checks named with
    `--checks all` on the command line would override per-operation settings, so the file names them.)"""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    names = CHECKS.get_all_names()
    assert {"positive_data_acceptance", "negative_data_rejection", "ignored_auth", "use_after_free"} <= set(names)
    lines = [f"checks.{name}.enabled = true" for name in names]
    for check, regex, method, why in EXCLUSIONS:
        lines += ["", f"# {why}", "[[operations]]", f"include-path-regex = {json.dumps(regex)}"]
        if method:
            lines.append(f'include-method = "{method}"')
        lines.append(f"checks.{check}.enabled = false")
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
               "--phases", "examples,fuzzing", "--generation-allow-x00", "false", "--generation-codec", "utf-8",
               "--header", f"Authorization: Bearer {live.bob.token}", "--no-shrink",
               "--workers", "1"]  # one: CPython 3.11's ast module is not thread-safe (gh-106905), and hypothesis uses it
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    out = done.stdout + done.stderr
    report = os.environ.get("BONDLINE_SCHEMATHESIS_OUT")
    if report:  # the whole report, for a failing run
        pathlib.Path(f"{report}.{live.database_url.split(':')[0]}").write_text(out)
    assert f"{len(live_operations(live))} selected / {len(live_operations(live))} total" in out, out[:2000]
    assert done.returncode == 0, out[-12000:]


@official.parametrize()
@BOUNDED
def test_official_confluence_definitions(case, live) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Bearer {live.bob.token}"}, checks=CHECKS)

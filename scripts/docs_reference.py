"""MkDocs hook (mkdocs.yml `hooks:`): the reference pages that are generated from the code, made at
build time so they cannot drift from it (docs/decisions/0016-docs-site.md says why a hook and not
committed output).

- reference/cli.md: `bondline --help` and every command's help, as typer prints them;
- reference/configuration.md: every `BONDLINE_*` variable, from `Settings.to_env` and the field's
  default (the meanings are kept here, and a setting without one fails the build);
- reference/endpoints.md: every operation of `/openapi.json` (`bondline.openapi.document()`), by dialect;
- reference/seed-file.md: the seed file's schema, from its msgspec Structs;
- reference/metrics.md: each metric's name, type, labels and help, from the collector itself;
- reference/errors.md: domain error classes and their HTTP statuses, and bondline's Reltio error codes.

Run `python scripts/docs_reference.py DIR` to write the pages to DIR and read them without MkDocs.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import sys
from collections.abc import Callable
from typing import Any

HERE = pathlib.Path(__file__).resolve().parent
DOCS = HERE.parent / "docs"

# What each setting means (the types and defaults come from bondline.config.Settings).
MEANINGS: dict[str, str] = {
    "database_url": "`sqlite:///path.db` or `postgresql://user:pass@host:5432/db` (optional "
                    "`?search_path=schema`). Every command also takes `--database-url`.",
    "public_url": "base URL used in `_links`; empty: from the request's `Host` header and scheme",
    "auth_cache_seconds": "how long a worker trusts a verified token; revocation reaches other workers within "
                          "this time",
    "max_body_bytes": "larger request bodies get 413 (attachment uploads have their own limit, below)",
    "attachment_max_bytes": "the largest file an attachment upload may carry; larger ones get Confluence's 404 "
                            "(\"exceeds its maximum permitted size\") and nothing is kept",
    "blob_dir": "where attachments' data lives (SHA-256-named files): beside the SQLite file by default "
                "(`DATABASE-blobs`), `./bondline-blobs/<database>` for PostgreSQL; every worker must see it — with "
                "workers on several machines, a shared filesystem mounted at the same path on each; `bondline "
                "backup` copies it into `PATH.blobs/`",
    "body_timeout": "seconds a request's whole body may take to arrive; then 408 (in the API's error body) and "
                    "the connection is closed",
    "sqlite_synchronous": "`NORMAL` survives a process crash; `FULL` also survives power loss (fsync per commit)",
    "pg_pool_size": "PostgreSQL connections per worker",
    "pg_replica_url": "A streaming replica of the PostgreSQL database (`postgresql://…`; empty: none). GET and "
                      "HEAD requests read from it when it has replayed the client's consistency token "
                      "(`X-Bondline-Consistency` header or cookie); writes, authentication and write "
                      "requests' reads use the primary ([Scale out](../how-to/scale-out.md), decision 0029)",
    "pg_replica_mode": "With a replica: where a read whose request carries no consistency token goes, "
                       "`primary` (always current) or `replica` (such callers tolerate staleness)",
    "db_connect_timeout": "seconds to open a PostgreSQL connection",
    "db_pool_timeout": "seconds a request waits for a free connection of its worker's pool",
    "db_statement_timeout": "seconds one statement of a request may take (bondline stops waiting and "
                            "PostgreSQL cancels it)",
    "db_long_statement_timeout": "the same for long jobs: bulk imports, applying large change requests",
    "readyz_timeout": "seconds `/readyz` waits for the database before answering 503",
    "read_cache": "each worker keeps the hot single-object reads (relation check, watch status, Reltio relation "
                  "GET) until anything is committed; `0` sends every read to the database (decisions 0011, 0012)",
    "test_mode": "the control endpoints of a test server (`/api/v1/_reset`, `_seed`, `_faults`, `_journal`) "
                 "and the journal; set by `bondline serve --ephemeral`, not by hand",
    "journal_size": "in test mode, the requests the journal keeps (`--journal-size`)",
    "journal_body_bytes": "in test mode, the bytes of each request and response body the journal keeps",
    "faults": "fault injection rules (a YAML/JSON file or the document inline); see "
              "[Inject faults](../how-to/fault-injection.md)",
    "log_format": "`text` or `json` (one object per line on stdout); see [Logs](logs.md)",
    "access_log": "`1` logs one line per request: method, path (never the query string), status, duration, "
                  "request id, caller, client address — never headers or credentials",
    "metrics": "`0` turns `GET /metrics` off (it then answers 404)",
    "metrics_tenant_labels": "`1` counts change requests per tenant in `/metrics` (a `tenant` label: every "
                             "tenant's id, to whoever may scrape)",
    "metrics_token": "when set, `GET /metrics` answers only `Authorization: Bearer <this token>` (401 "
                     "otherwise); read from the environment only, so it never shows in a process list",
    "dispatch": "run a webhook dispatcher in each `bondline serve` worker (`--dispatch/--no-dispatch`)",
    "webhook_timeout": "seconds per delivery attempt",
    "webhook_backoff_base": "seconds before a delivery's first retry (then twice as long each time, up to an hour)",
    "webhook_max_attempts": "failed attempts after which a delivery is dead",
    "webhook_lease_seconds": "how long a dispatcher's claim on a delivery lasts (must exceed the timeout)",
    "dispatch_interval": "seconds an idle dispatcher waits before looking again",
    "reltio_review_autostart": "`1` starts a `dataChangeRequestReview` workflow process (and its review task) "
                               "for every change request a Reltio data-API write creates, right after the write; "
                               "off by default, as in Reltio (for test setups)",
    "webhook_allow_local": "`1` lets webhooks target loopback, link-local and other local addresses "
                           "(`--webhook-allow-local`); see [Webhooks](../how-to/webhooks.md)",
}


def _help(args: list[str]) -> str:
    from typer.testing import CliRunner

    from bondline.cli import app

    # A fixed width and no colours: the page is the same whoever builds it.
    env = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    result = CliRunner().invoke(app, [*args, "--help"], prog_name="bondline", env=env)
    if result.exit_code != 0:
        raise RuntimeError(f"bondline {' '.join(args)} --help exited {result.exit_code}: {result.output}")
    return "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())


def cli_page() -> str:
    import click
    import typer

    from bondline.cli import app

    root = typer.main.get_command(app)
    out = ["# Command line", "",
           "Generated from the `bondline` command itself when this site is built: `bondline --help` and "
           "each command's help. Commands that open the database take `--database-url` (or "
           "`BONDLINE_DATABASE_URL`); the client commands (`relation`, `watch`, `dcr`) talk to a running "
           "server at `--url` (`BONDLINE_URL`) with `--token` (`BONDLINE_TOKEN`).", ""]

    def walk(cmd: click.Command, path: list[str]) -> None:
        title = " ".join(["bondline", *path])
        out.extend([f"{'#' * min(len(path) + 2, 4)} `{title}`" if path else "## `bondline`", "",
                    "```text", _help(path), "```", ""])
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                if not sub.hidden:
                    walk(sub, [*path, name])

    walk(root, [])
    return "\n".join(out)


def configuration_page() -> str:
    from bondline.config import Settings

    settings = Settings()
    env = settings.to_env()
    fields = [f.name for f in dataclasses.fields(Settings)]
    by_field = {name: var for name, var in zip(fields, env, strict=True)}  # to_env lists them in field order
    missing = [name for name in fields if name not in MEANINGS]
    stale = [name for name in MEANINGS if name not in fields]
    if missing or stale:
        raise RuntimeError(f"scripts/docs_reference.py MEANINGS: add {missing}, remove {stale}")
    rows = []
    for f in dataclasses.fields(Settings):
        default = getattr(settings, f.name)
        shown = ("on" if default else "off") if isinstance(default, bool) else (f"`{default}`" if default != ""
                                                                                 else "empty")
        rows.append(f"| `{by_field[f.name]}` | {shown} | {MEANINGS[f.name]} |")
    return "\n".join([
        "# Configuration", "",
        "Generated from `bondline.config.Settings` when this site is built. The server reads these "
        "variables from the environment; `bondline serve` options of the same names (`--log-format`, "
        "`--access-log`, `--metrics/--no-metrics`, `--metrics-tenant-labels`, `--dispatch/--no-dispatch`, "
        "`--webhook-allow-local`, `--faults`, `--fault-seed`, `--journal-size`) set them too. Booleans "
        "are on with `1`, `true` or `yes`.", "",
        "| variable | default | meaning |", "|---|---|---|", *rows, "",
        "`BONDLINE_FAULT_SEED` (default `0`) seeds the faults' random decisions "
        "([Inject faults](../how-to/fault-injection.md)).", "",
        "--8<-- \"reference/configuration-notes.md\"", ""])


DIALECTS: list[tuple[str, Callable[[str], bool]]] = [
    ("Confluence Cloud REST API v1", lambda p: p.startswith("/wiki/")),
    ("Reltio", lambda p: p.startswith(("/reltio/", "/services/reltio/", "/oauth/"))),
    ("Reltio Workflow API", lambda p: p.startswith(("/services/workflow/", "/nui/workflow/", "/workflow-adapter/"))),
    ("Review inbox", lambda p: p.startswith("/ui")),
    ("bondline", lambda p: True),
]


def endpoints_page() -> str:
    from bondline.openapi import document

    doc = document()
    groups: dict[str, list[str]] = {name: [] for name, _ in DIALECTS}
    for path, ops in doc["paths"].items():
        group = next(name for name, test in DIALECTS if test(path))
        for method, op in ops.items():
            if method not in ("get", "put", "post", "delete", "patch", "head", "options"):
                continue
            summary = " ".join((op.get("summary") or op.get("operationId") or "").split()).replace("|", "\\|")
            groups[group].append(f"| `{method.upper()}` | `{path}` | {summary} |")
    out = ["# Endpoints", "",
           f"Generated from bondline's OpenAPI document (version {doc['info']['version']}) when this site is "
           "built: the same document a server serves at `/openapi.json`, with Swagger UI at `/docs`. "
           "Request and response shapes are the vendors' own; the [Confluence API](confluence.md) and "
           "[the Reltio API](../how-to/reltio.md) pages say what bondline does with them.", ""]
    for name, rows in groups.items():
        out += [f"## {name}", "", f"{len(rows)} operations.", "", "| method | path | summary |", "|---|---|---|",
                *rows, ""]
    return "\n".join(out)


def seed_schema_page() -> str:
    import msgspec

    from bondline.seedfile import schema

    def type_name(t: Any) -> str:
        ti = msgspec.inspect
        if isinstance(t, ti.StructType):
            return f"[{t.cls.__name__}](#{t.cls.__name__.lower()})"
        if isinstance(t, ti.ListType):
            return f"list of {type_name(t.item_type)}"
        if isinstance(t, ti.DictType):
            return f"mapping of {type_name(t.key_type)} to {type_name(t.value_type)}"
        if isinstance(t, ti.UnionType):
            return " or ".join(type_name(x) for x in t.types)
        if isinstance(t, ti.LiteralType):
            return " or ".join(f"`{v}`" for v in t.values)
        names = {ti.StrType: "string", ti.IntType: "integer", ti.BoolType: "boolean", ti.FloatType: "number",
                 ti.NoneType: "null", ti.AnyType: "anything"}
        return names.get(type(t), type(t).__name__.removesuffix("Type").lower())

    out = ["# Seed-file schema", "",
           "Generated from the seed file's msgspec Structs (`bondline.seedfile.schema`) when this site is "
           "built. A seed file is YAML, or JSON with the same keys; unknown keys are refused. "
           "[Describe a site in a seed file](../how-to/seed-files.md) has an annotated example of every key, "
           "and the checks msgspec cannot express (unique keys, references).", ""]
    seen: set[type] = set()
    todo: list[type] = [schema.SeedFile]
    while todo:
        cls = todo.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        out += [f"## {cls.__name__}", ""]
        doc = " ".join((cls.__doc__ or "").split())
        if doc:
            out += [doc, ""]
        out += ["| key | type | required | default |", "|---|---|---|---|"]
        for field in info.fields:
            default = "" if field.required else ("" if field.default is msgspec.NODEFAULT else f"`{field.default!r}`")
            out.append(f"| `{field.encode_name}` | {type_name(field.type)} | {'yes' if field.required else ''} | "
                       f"{default} |")

            def structs(t: Any) -> list[type]:
                ti = msgspec.inspect
                if isinstance(t, ti.StructType):
                    return [t.cls]
                inner = [getattr(t, a) for a in ("item_type", "value_type") if hasattr(t, a)]
                inner += list(getattr(t, "types", ()))
                return [c for x in inner for c in structs(x)]

            todo += structs(field.type)
        out.append("")
    return "\n".join(out)


def metrics_page() -> str:
    from bondline import metrics

    # with the replica's counters, so the page lists the metric a replica adds (decision 0029)
    pool = {"size": 0, "idle": 0, "max": 0, "waiting": 0, "replica_reads": 0, "replica_behind": 0, "replica_down": 0}
    rows = []
    for by_tenant in (False, True):
        for family in metrics._Collected({}, pool, [], by_tenant).collect():
            name = family.name + ("_total" if family.type == "counter" else "")
            labels = ", ".join(f"`{label}`" for label in getattr(family, "_labelnames", ()))
            row = f"| `{name}` | {family.type} | {labels} | {family.documentation} |"
            if row not in rows:
                rows.append(row)
    return "\n".join([
        "# Metrics", "",
        "Generated from bondline's Prometheus collector (`bondline.metrics`) when this site is built. "
        "`bondline_change_requests` has a `tenant` label only with `--metrics-tenant-labels`; "
        "`bondline_db_replica_reads` is there only with `BONDLINE_PG_REPLICA_URL`.", "",
        "| metric | type | labels | what |", "|---|---|---|---|", *rows, "",
        "--8<-- \"reference/metrics-notes.md\"", ""])


def errors_page() -> str:
    from bondline.dialects.reltio import errors as reltio_errors
    from bondline.domain import errors as domain
    from bondline.http import errors as http_errors

    rows = []
    for cls in http_errors.STATUS:
        doc = " ".join((cls.__doc__ or "").split()).replace("|", "\\|")
        rows.append(f"| `{cls.__name__}` | {http_errors.status_for(cls)} | {doc} |")
    codes = [f"| {code} | `{name}` |" for name, code in sorted(reltio_errors.CODES.items(), key=lambda kv: kv[1])]
    assert domain.DomainError in http_errors.STATUS
    return "\n".join([
        "# Errors", "",
        "Generated from `bondline.domain.errors`, `bondline.http.errors` and "
        "`bondline.dialects.reltio.errors` when this site is built.", "",
        "## Domain errors and their statuses", "",
        "A use case fails with a domain error that says what went wrong; each API renders it in its own error "
        "body (Confluence's `{\"statusCode\", \"data\", \"message\"}`, Reltio's `APIErrorRepresentation`, "
        "OAuth's `{\"error\", \"error_description\"}`, bondline's `{\"code\", \"message\"}`) with the status "
        "below, or its vendor's own where that differs (OAuth's `invalid_grant` and `invalid_client` are 401).",
        "", "| class | status | meaning |", "|---|---|---|", *rows, "",
        "## Reltio error codes", "",
        "Errors Reltio's definitions name without a number use bondline's codes, in `errorCode` of Reltio's "
        "error body (Reltio's own numbers, such as 804 for a forbidden endpoint, are kept where it has them).",
        "", "| code | name |", "|---|---|", *codes, ""])


PAGES: dict[str, Callable[[], str]] = {
    "reference/cli.md": cli_page,
    "reference/configuration.md": configuration_page,
    "reference/endpoints.md": endpoints_page,
    "reference/seed-file.md": seed_schema_page,
    "reference/metrics.md": metrics_page,
    "reference/errors.md": errors_page,
}


def on_files(files: Any, config: Any) -> Any:
    """Add the generated pages to the site (they exist only in the build, never in docs/)."""
    from mkdocs.structure.files import File

    for path, make in PAGES.items():
        files.append(File.generated(config, path, content=make()))
    return files


if __name__ == "__main__":
    target = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "site-reference")
    for path, make in PAGES.items():
        out = target / path
        os.makedirs(out.parent, exist_ok=True)
        out.write_text(make())
        print(out)

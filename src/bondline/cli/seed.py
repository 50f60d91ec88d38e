"""`bondline seed FILE`: load a seed file (YAML or JSON) into a database, through the same use cases
the APIs run, in one transaction; print each user's token."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from bondline import seedfile, seeds
from bondline.cli.common import DatabaseURLOption, fail, out, run, settings_for
from bondline.services import seeding


def read(path: str) -> seedfile.Document:
    """A seed file checked (line and reason on stderr, exit status 1, when it is not valid).
    `-` reads stdin; `builtin:demo` names a seed file shipped with bondline."""
    try:
        if path.startswith("builtin:"):
            name = path[len("builtin:"):]
            try:
                return seedfile.parse(seeds.text(name), seeds.source(name))
            except KeyError:
                fail(f"no built-in seed file {name!r}: use one of {', '.join(seeds.BUILT_IN)}")
        if path == "-":
            return seedfile.parse(sys.stdin.read(), "<stdin>")
        suffix = Path(path).suffix.lower()
        fmt = "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else None
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"cannot read {path}: {exc}")
        return seedfile.parse(text, path, fmt=fmt)
    except seedfile.InvalidSeed as err:
        fail(err.message)
    raise AssertionError("unreachable")


def summary(doc: seedfile.Document) -> str:
    spec = doc.spec
    parts = [(len(spec.users), "user"), (len(spec.spaces), "space"), (len(spec.content), "content item"),
             (len(spec.relations), "relation"), (len(spec.watches), "watch"), (len(spec.reltio), "Reltio tenant")]
    return ", ".join(f"{n} {word}{'' if n == 1 else ('es' if word.endswith('h') else 's')}" for n, word in parts if n)


def print_tokens(report: seeding.SeedReport) -> None:
    for account_id, token in report.tokens.items():
        out.print(f"  {account_id} <{report.emails[account_id]}>  token: {token}", markup=False, highlight=False)


def seed(
    path: str = typer.Argument(..., metavar="FILE", help="A seed file (.yaml, .yml or .json; '-' for stdin; "
                               "builtin:demo for the demo site)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was made (tokens, ids) as JSON."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Load a seed file: users (and their tokens), spaces, content, relations, watches, Reltio tenants.

    Everything goes in one transaction, through the same rules as the APIs: an invalid file, or an
    item the rules refuse, stops with the line and the reason, and nothing is written."""
    doc = read(path)
    settings = settings_for(database_url)
    report = run(settings, lambda store: seeding.load(store, doc))
    if as_json:
        sys.stdout.write(json.dumps(report.as_json()) + "\n")
        return
    out.print(f"seeded {doc.source}: {summary(doc) or 'nothing'}", markup=False, highlight=False)
    print_tokens(report)

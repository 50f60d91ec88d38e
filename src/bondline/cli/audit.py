"""`bondline audit`: read the audit trail from the database."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from bondline.cli.common import DatabaseURLOption, fail, out, run, settings_for, utc
from bondline.dialects.native.audit import parse_since
from bondline.domain.errors import Invalid
from bondline.services import audit


def audit_command(
    since: str | None = typer.Option(None, "--since", help="ISO date-time (UTC) or epoch ms."),
    actor: str | None = typer.Option(None, "--actor", help="accountId (bondline-operator for CLI work)."),
    obj: str | None = typer.Option(None, "--object", help="An object (content/123) or a prefix ending in '/'."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Show the audit trail, newest first: who changed what, when, before and after."""
    settings = settings_for(database_url)
    try:
        since_ms = parse_since(since)
    except Invalid as err:
        fail(err.message)
    prefix = obj if obj and obj.endswith("/") else None
    exact = obj if obj and not obj.endswith("/") else None
    found = run(settings, lambda store: audit.entries(store, None, actor=actor, object=exact, prefix=prefix,
                                                      since_ms=since_ms, limit=limit))
    if as_json:
        for e in found:
            print(json.dumps({"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "object": e.object,
                              "before": e.before, "after": e.after, "requestId": e.request_id}))
        return
    table = Table("id", "when (UTC)", "actor", "action", "object")
    for e in found:
        table.add_row(str(e.id), utc(e.at), e.actor, e.action, e.object)
    out.print(table)

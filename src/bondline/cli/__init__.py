"""The `bondline` command: server, migrations and operator commands."""

from __future__ import annotations

import typer

from bondline import __version__
from bondline.cli import admin, audit, backup, client, imports, seed, server
from bondline.cli.tenants import tenants_app
from bondline.cli.webhooks import dispatch_command, webhooks_app

app = typer.Typer(
    help="bondline: typed relations, watches and governed change, speaking the Confluence and Reltio APIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(server.serve)
app.command("migrate")(server.migrate)
app.command("audit")(audit.audit_command)
app.command("seed")(seed.seed)
app.command("backup")(backup.backup_command)
app.command("restore")(backup.restore_command)
app.command("dispatch")(dispatch_command)
app.add_typer(admin.users_app, name="users")
app.add_typer(admin.tokens_app, name="tokens")
app.add_typer(admin.spaces_app, name="spaces")
app.add_typer(imports.import_app, name="import")
app.add_typer(client.relation_app, name="relation")
app.add_typer(client.watch_app, name="watch")
app.add_typer(client.dcr_app, name="dcr")
app.add_typer(tenants_app, name="tenants")
app.add_typer(webhooks_app, name="webhooks")


def _version(value: bool) -> None:
    if value:
        print(f"bondline {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """bondline command line."""


def main() -> None:
    app()

"""The `bondline` command: server, migrations and operator commands."""

from __future__ import annotations

import typer

from bondline import __version__
from bondline.cli import admin, audit, backup, client, imports, seed, server
from bondline.cli.help import quiet_types, unwrap_docstrings
from bondline.cli.tenants import tenants_app
from bondline.cli.webhooks import dispatch_command, webhooks_app

quiet_types()

SERVER = "Server"
ADMIN = "Admin commands: on the database directly (--database-url)"
CLIENT = "Client commands: over HTTP to a running server (--url, --token)"

app = typer.Typer(
    help="bondline: typed relations, watches and governed change, speaking the Confluence and Reltio APIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve", rich_help_panel=SERVER)(server.serve)
app.command("migrate", rich_help_panel=SERVER)(server.migrate)
app.command("dispatch", rich_help_panel=SERVER)(dispatch_command)
app.add_typer(admin.users_app, name="users", rich_help_panel=ADMIN)
app.add_typer(admin.tokens_app, name="tokens", rich_help_panel=ADMIN)
app.add_typer(admin.spaces_app, name="spaces", rich_help_panel=ADMIN)
app.add_typer(tenants_app, name="tenants", rich_help_panel=ADMIN)
app.add_typer(webhooks_app, name="webhooks", rich_help_panel=ADMIN)
app.command("seed", rich_help_panel=ADMIN)(seed.seed)
app.add_typer(imports.import_app, name="import", rich_help_panel=ADMIN)
app.command("audit", rich_help_panel=ADMIN)(audit.audit_command)
app.command("backup", rich_help_panel=ADMIN)(backup.backup_command)
app.command("restore", rich_help_panel=ADMIN)(backup.restore_command)
app.add_typer(client.relation_app, name="relation", rich_help_panel=CLIENT)
app.add_typer(client.watch_app, name="watch", rich_help_panel=CLIENT)
app.add_typer(client.dcr_app, name="dcr", rich_help_panel=CLIENT)

unwrap_docstrings(app)


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

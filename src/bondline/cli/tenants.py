"""`bondline tenants`: Reltio tenants, the roles users hold on them, and their types. Like the other
operator commands they write to the database directly."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Column, Table

from bondline.cli.common import DatabaseURLOption, JsonListOption, fail, out, print_json, run, settings_for, whole
from bondline.domain.reltio.roles import ROLES
from bondline.services.reltio import tenants

tenants_app = typer.Typer(help="Manage Reltio tenants, tenant roles and types.", no_args_is_help=True)
RolesArgument = typer.Argument(..., help=f"Roles: {', '.join(ROLES)}.")


@tenants_app.command("add")
def tenants_add(
    tenant_id: str = typer.Argument(..., help="The tenant id, as in /reltio/api/{tenantId}."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Create a tenant with the types of Reltio's documentation examples (Individual, Organization,
    Location; HasAddress, Employment, affiliatedwith)."""
    settings = settings_for(database_url)
    run(settings, lambda store: tenants.add(store, tenant_id))
    out.print(f"added tenant {tenant_id}")


@tenants_app.command("grant")
def tenants_grant(
    tenant_id: str = typer.Argument(..., help="The tenant."),
    account_id: str = typer.Argument(..., help="The user."),
    roles: list[str] = RolesArgument,
    replace: bool = typer.Option(False, "--replace", help="Drop the roles the user had on the tenant first."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Give a user roles on a tenant."""
    settings = settings_for(database_url)
    run(settings, lambda store: tenants.grant(store, tenant_id, account_id, list(roles), replace))
    out.print(f"{account_id} holds {', '.join(roles)} on tenant {tenant_id}")


@tenants_app.command("types")
def tenants_types(
    tenant_id: str = typer.Argument(..., help="The tenant."),
    file: Path | None = typer.Option(None, "--file", help="A types.json ({\"entityTypes\": […], "
                                     "\"relationTypes\": […]}) that replaces the tenant's types."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Print the tenant's types, or replace them with those in --file."""
    settings = settings_for(database_url)
    if file is None:
        print(json.dumps(run(settings, lambda store: tenants.configuration(store, None, tenant_id)), indent=2))
        return
    try:
        document = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        fail(f"cannot read {file}: {exc}")
    result = run(settings, lambda store: tenants.set_types(store, None, tenant_id, document))
    out.print(f"tenant {tenant_id} now has {len(result['entityTypes'])} entity types and "
              f"{len(result['relationTypes'])} relation types")


@tenants_app.command("list")
def tenants_list(as_json: bool = JsonListOption, database_url: str | None = DatabaseURLOption) -> None:
    """List tenants and who holds which roles."""
    settings = settings_for(database_url)
    found = run(settings, tenants.tenants)
    if as_json:
        print_json([{"tenant": tenant_id, "createdAt": created,
                     "members": [{"accountId": acc, "role": role} for acc, role in members]}
                    for tenant_id, created, members in found])
        return
    table = Table(Column("tenant", **whole([t for t, _, _ in found])), Column("members", overflow="fold"))
    for tenant_id, _created, members in found:
        table.add_row(tenant_id, ", ".join(f"{acc} ({role})" for acc, role in members))
    out.print(table)

"""Operator commands: users, tokens, spaces. They write to the database directly (the operator is
trusted), so they work before any server runs."""

from __future__ import annotations

import datetime as dt

import typer
from rich.table import Column, Table

from bondline.cli.common import DatabaseURLOption, JsonListOption, out, print_json, run, settings_for, whole
from bondline.domain.model import User
from bondline.services import accounts, spaces
from bondline.store import Store, parse

users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
tokens_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)
spaces_app = typer.Typer(help="Manage space administrators and members.", no_args_is_help=True)


def _when(ms: int | None) -> str:
    if ms is None:
        return "-"
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@users_app.command("add")
def users_add(
    account_id: str = typer.Argument(..., help="Atlassian-style accountId, e.g. 5b10ac8d82e05b22cc7d4ef5."),
    email: str = typer.Option(..., "--email", help="Email address (the Basic-auth user name)."),
    name: str = typer.Option(..., "--name", help="Display name."),
    site_admin: bool = typer.Option(False, "--site-admin", help="Confluence Administrator: may act for others."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Add a user."""
    settings = settings_for(database_url)
    user = run(settings, lambda store: accounts.add_user(store, account_id, email, name, site_admin))
    out.print(f"added user {user.account_id} <{user.email}>{' (site admin)' if user.site_admin else ''}")


@users_app.command("delete")
def users_delete(
    account_id: str = typer.Argument(..., help="The user to remove."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Delete a user, their tokens, and every relation from or to them (favourites, watches)."""
    settings = settings_for(database_url)
    if not yes and not typer.confirm(f"Delete {account_id} and all their relations from "
                                     f"{parse(settings.database_url).described()}?"):
        raise typer.Exit(1)
    user = run(settings, lambda store: accounts.delete_user(store, account_id))
    out.print(f"deleted user {user.account_id}")


@users_app.command("list")
def users_list(as_json: bool = JsonListOption, database_url: str | None = DatabaseURLOption) -> None:
    """List users."""
    settings = settings_for(database_url)

    async def job(store: Store) -> list[User]:
        async with store.read() as tx:
            return await tx.users.page(0, 10_000)

    users = run(settings, job)
    if as_json:
        print_json([{"accountId": u.account_id, "email": u.email, "displayName": u.display_name,
                     "siteAdmin": u.site_admin, "createdAt": u.created_at} for u in users])
        return
    table = Table(Column("accountId", **whole([u.account_id for u in users])), Column("email", overflow="fold"),
                  Column("name", overflow="fold"), "site admin", "created")
    for user in users:
        table.add_row(user.account_id, user.email, user.display_name, "yes" if user.site_admin else "",
                      _when(user.created_at))
    out.print(table)


@tokens_app.command("create")
def tokens_create(
    account_id: str = typer.Argument(..., help="The user the token acts as."),
    expires_in: float | None = typer.Option(None, "--expires-in", metavar="DAYS", help="Expire after DAYS days."),
    name: str | None = typer.Option(None, "--name", help="A label to recognise the token by."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Create a token and print it (only the token, on stdout). It is shown this once: only its
    hash is stored."""
    settings = settings_for(database_url)
    _, token = run(settings, lambda store: accounts.create_token(store, account_id, expires_in, name))
    print(token)


@tokens_app.command("revoke")
def tokens_revoke(
    token: str = typer.Argument(..., metavar="TOKEN_PREFIX_OR_ID",
                                help="The token's id, a prefix of it, or the token."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Revoke a token. Other running workers stop accepting it within the auth cache time (1 s)."""
    settings = settings_for(database_url)
    revoked = run(settings, lambda store: accounts.revoke_token(store, token))
    out.print(f"revoked token {revoked.id}")


@tokens_app.command("list")
def tokens_list(
    account_id: str = typer.Argument(..., help="Whose tokens."),
    as_json: bool = JsonListOption,
    database_url: str | None = DatabaseURLOption,
) -> None:
    """List a user's tokens (ids and dates; the secrets are never stored)."""
    settings = settings_for(database_url)
    tokens = run(settings, lambda store: accounts.list_tokens(store, account_id))
    if as_json:
        print_json([{"id": t.id, "name": t.name, "createdAt": t.created_at, "expiresAt": t.expires_at,
                     "revokedAt": t.revoked_at} for t in tokens])
        return
    table = Table(Column("id", **whole([t.id for t in tokens])), Column("name", overflow="fold"), "created",
                  "expires", "revoked")
    for t in tokens:
        table.add_row(t.id, t.name or "", _when(t.created_at), _when(t.expires_at), _when(t.revoked_at))
    out.print(table)


@spaces_app.command("grant-admin")
def spaces_grant_admin(
    space_key: str = typer.Argument(..., help="The space."),
    account_id: str = typer.Argument(..., help="The user who becomes a space administrator."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Make a user an administrator of a space (what a site admin grants in Confluence)."""
    settings = settings_for(database_url)
    run(settings, lambda store: spaces.set_admin(store, None, space_key, account_id))
    out.print(f"{account_id} administers space {space_key}")


@spaces_app.command("grant-member")
def spaces_grant_member(
    space_key: str = typer.Argument(..., help="The (private) space."),
    account_id: str = typer.Argument(..., help="The user who may now see it."),
    database_url: str | None = DatabaseURLOption,
) -> None:
    """Let a user see and use a private space."""
    settings = settings_for(database_url)
    run(settings, lambda store: spaces.set_member(store, None, space_key, account_id))
    out.print(f"{account_id} is a member of space {space_key}")

"""Client commands: talk to a running bondline over HTTP with the SDK.

    bondline relation put favourite user:current content:123
    bondline watch add content:123
    bondline dcr apply 0001dE9 --tenant acme

`--url`/`BONDLINE_URL` (default http://127.0.0.1:8080) and `--token`/`BONDLINE_TOKEN` say where and
who; output is a table, or JSON with `--json` for scripts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from bondline.cli.common import console, out, utc
from bondline.cli.wording import in_cli_words
from bondline.client import ApiError, Client, TransportError

UrlOption = typer.Option("http://127.0.0.1:8080", "--url", envvar="BONDLINE_URL", show_envvar=True,
                         help="The bondline server.")
TokenOption = typer.Option(None, "--token", envvar="BONDLINE_TOKEN", show_envvar=True,
                           help="A bondline API token.")
JsonOption = typer.Option(False, "--json", help="Print the API's JSON instead of a table.")
NameArgument = typer.Argument(..., help="The relation's name: favourite, or a name of your own.")
SourceArgument = typer.Argument(..., help="The source, as TYPE:KEY (user:current, content:123, space:DOC).")
TargetArgument = typer.Argument(..., help="The target, as TYPE:KEY (user:current, content:123, space:DOC).")
WatchArgument = typer.Argument(..., help="What is watched: content:ID, space:KEY or label:NAME.")
DcrArgument = typer.Argument(..., metavar="DCR_ID", help="The change request's id (its URI without changeRequests/).")
StartOption = typer.Option(0, "--start", help="Skip this many results.")
LimitOption = typer.Option(25, "--limit", help="Return at most this many results.")

relation_app = typer.Typer(help="Check, create, delete and list relations (Confluence relation API).",
                           no_args_is_help=True)
watch_app = typer.Typer(help="Watch status, add and remove (Confluence watch API).", no_args_is_help=True)
dcr_app = typer.Typer(help="Reltio data change requests: list, show, apply, reject.", no_args_is_help=True)


def _call(url: str, token: str | None, fn: Callable[[Client], Any]) -> Any:
    if not token:
        console.print("[bold red]error:[/] a token is needed: --token or BONDLINE_TOKEN")
        raise typer.Exit(2)
    try:
        with Client(url, token) as client:
            return fn(client)
    except ApiError as err:
        console.print(f"[bold red]error:[/] {err.status_code}: {escape(in_cli_words(err.message))}")
        raise typer.Exit(1) from None
    except TransportError as err:
        console.print(f"[bold red]error:[/] cannot reach {url}: {err}")
        raise typer.Exit(1) from None


def _emit(data: Any, as_json: bool, table: Callable[[Any], Table | str]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        out.print(table(data))


def _ref(text: str) -> tuple[str, str]:
    kind, sep, key = text.partition(":")
    if not sep or not key:
        console.print(f"[bold red]error:[/] {text!r}: write entities as TYPE:KEY "
                      "(user:current, content:123, space:DOC)")
        raise typer.Exit(2)
    return kind, key


def _relation_rows(page: dict[str, Any]) -> Table:
    table = Table("name", "source", "target", "created")
    for r in page.get("results", [page]):
        table.add_row(r.get("name", ""), _describe(r, "source"), _describe(r, "target"),
                      r.get("relationData", {}).get("createdDate", ""))
    return table


def _describe(relation: dict[str, Any], side: str) -> str:
    entity = relation.get(side)
    if entity is None:
        return relation.get("_expandable", {}).get(side, "")
    if "accountId" in entity:
        return f"user:{entity['accountId']}"
    if "key" in entity and "title" not in entity:
        return f"space:{entity['key']}"
    return f"content:{entity.get('id')} {entity.get('title', '')}"


EXPAND = ["relationData", "source", "target"]


@relation_app.command("get")
def relation_get(name: str = NameArgument, source: str = SourceArgument, target: str = TargetArgument,
                 url: str = UrlOption, token: str | None = TokenOption,
                 as_json: bool = JsonOption) -> None:
    """Show a relation (exit status 1 if it does not exist)."""
    data = _call(url, token, lambda c: c.relations.get(name, _ref(source), _ref(target), expand=EXPAND))
    _emit(data, as_json, _relation_rows)


@relation_app.command("put")
def relation_put(name: str = NameArgument, source: str = SourceArgument, target: str = TargetArgument,
                 url: str = UrlOption, token: str | None = TokenOption,
                 as_json: bool = JsonOption) -> None:
    """Create a relation (idempotent)."""
    data = _call(url, token, lambda c: c.relations.put(name, _ref(source), _ref(target), expand=EXPAND))
    _emit(data, as_json, _relation_rows)


@relation_app.command("delete")
def relation_delete(name: str = NameArgument, source: str = SourceArgument, target: str = TargetArgument,
                    url: str = UrlOption,
                    token: str | None = TokenOption, as_json: bool = JsonOption) -> None:
    """Delete a relation (succeeds if it did not exist)."""
    _call(url, token, lambda c: c.relations.delete(name, _ref(source), _ref(target)))
    _emit({"deleted": True}, as_json, lambda _: "deleted")


@relation_app.command("targets")
def relation_targets(name: str = NameArgument, source: str = SourceArgument,
                     target_type: str = typer.Argument(..., help="The targets' type: content, space or user."),
                     start: int = StartOption, limit: int = LimitOption, url: str = UrlOption,
                     token: str | None = TokenOption, as_json: bool = JsonOption) -> None:
    """Targets related to SOURCE, newest first."""
    data = _call(url, token, lambda c: c.relations.targets(name, _ref(source), target_type, start=start, limit=limit,
                                                           expand=EXPAND))
    _emit(data, as_json, _relation_rows)


@relation_app.command("sources")
def relation_sources(name: str = NameArgument, target: str = TargetArgument,
                     source_type: str = typer.Argument(..., help="The sources' type: user, content or space."),
                     start: int = StartOption, limit: int = LimitOption, url: str = UrlOption,
                     token: str | None = TokenOption, as_json: bool = JsonOption) -> None:
    """Sources related to TARGET, newest first."""
    data = _call(url, token, lambda c: c.relations.sources(name, _ref(target), source_type, start=start, limit=limit,
                                                           expand=EXPAND))
    _emit(data, as_json, _relation_rows)


def _watch_target(target: str) -> tuple[str, str]:
    kind, key = _ref(target)
    if kind not in ("content", "space", "label"):
        console.print("[bold red]error:[/] watch content:ID, space:KEY or label:NAME")
        raise typer.Exit(2)
    return kind, key


AccountOption = typer.Option(None, "--account-id", help="Act for this user (site admins only).")


@watch_app.command("status")
def watch_status(target: str = WatchArgument, account_id: str | None = AccountOption, url: str = UrlOption,
                 token: str | None = TokenOption, as_json: bool = JsonOption) -> None:
    """Whether you (or --account-id) watch content:ID, space:KEY or label:NAME."""
    kind, key = _watch_target(target)
    watching = _call(url, token, lambda c: getattr(c.watches, f"{kind}_status")(key, account_id=account_id))
    _emit({"watching": watching}, as_json, lambda d: "watching" if d["watching"] else "not watching")


@watch_app.command("add")
def watch_add(target: str = WatchArgument, account_id: str | None = AccountOption, url: str = UrlOption,
              token: str | None = TokenOption, as_json: bool = JsonOption) -> None:
    """Watch content:ID, space:KEY or label:NAME."""
    kind, key = _watch_target(target)
    _call(url, token, lambda c: getattr(c.watches, f"add_{kind}")(key, account_id=account_id))
    _emit({"watching": True}, as_json, lambda _: "watching")


@watch_app.command("remove")
def watch_remove(target: str = WatchArgument, account_id: str | None = AccountOption, url: str = UrlOption,
                 token: str | None = TokenOption, as_json: bool = JsonOption) -> None:
    """Stop watching content:ID, space:KEY or label:NAME."""
    kind, key = _watch_target(target)
    _call(url, token, lambda c: getattr(c.watches, f"remove_{kind}")(key, account_id=account_id))
    _emit({"watching": False}, as_json, lambda _: "not watching")


TenantOption = typer.Option(..., "--tenant", envvar="BONDLINE_TENANT", help="The Reltio tenant.")


def _dcr_rows(data: Any) -> Table:
    table = Table("uri", "state", "createdBy", "changes")
    for dcr in data if isinstance(data, list) else [data]:
        if not dcr:
            continue
        changes = sum(len(items) for items in dcr.get("changes", {}).values())
        table.add_row(dcr.get("uri", ""), dcr.get("state", ""), dcr.get("createdBy", ""), str(changes))
    return table


@dcr_app.command("list")
def dcr_list(tenant: str = TenantOption,
             state: str = typer.Option("AWAITING_REVIEW", "--state",
                                       help="AWAITING_REVIEW, APPLIED or REJECTED."),
             all_states: bool = typer.Option(False, "--all", help="Every state (waiting ones first)."),
             created_by: str | None = typer.Option(None, "--created-by", metavar="USER",
                                                   help="Only those this user (email or accountId) created."),
             object_uri: str | None = typer.Option(None, "--object", metavar="URI",
                                                   help="Only those that change this object (entities/1a2B3c4)."),
             max: int = typer.Option(10, "--max", help="Return at most this many."),
             offset: int = typer.Option(0, "--offset", help="Skip this many."), url: str = UrlOption,
             token: str | None = TokenOption,
             as_json: bool = JsonOption) -> None:
    """What awaits review, newest first; --all or --state for decided ones.

    --created-by and --object narrow the list. Reltio's own search needs a creator or an object and
    knows no state, so this asks bondline's GET /api/v1/reltio/TENANT/changeRequests."""
    data = _call(url, token, lambda c: c.reltio(tenant).change_requests.by_state(
        "all" if all_states else state, created_by=created_by, object_uri=object_uri, max=max, offset=offset))
    _emit(data, as_json, _dcr_rows)


@dcr_app.command("show")
def dcr_show(dcr_id: str = DcrArgument, tenant: str = TenantOption, url: str = UrlOption,
             token: str | None = TokenOption,
             as_json: bool = JsonOption) -> None:
    """A change request with its items and the labels of the objects they change."""
    data = _call(url, token, lambda c: c.reltio(tenant).change_requests.get(dcr_id, show_objects_info=True,
                                                                            show_conflicts=True))
    if as_json:
        _emit(data, True, _dcr_rows)
        return
    out.print(f"{data.get('uri', '')}  {data.get('state', '')}  created by {data.get('createdBy', '')} "
              f"at {utc(data.get('createdTime'))} UTC", markup=False, highlight=False)
    out.print(_dcr_items(data), markup=False, highlight=False)


def _label(info: dict[str, Any]) -> str:
    """What a person recognises an object by: an entity's label, a relation's two ends."""
    if "startObjectUri" in info or "endObjectUri" in info:
        return f"{info.get('startObjectLabel') or info.get('startObjectUri', '')} → " \
               f"{info.get('endObjectLabel') or info.get('endObjectUri', '')}"
    return str(info.get("label") or "")


def _values(value: Any) -> str:
    """A change item's oldValue/newValue in words: ``[{"value": "Ada"}]`` is Ada."""
    if isinstance(value, list):
        return ", ".join(_values(v) for v in value)
    if isinstance(value, dict):
        if "value" in value:
            inner = value["value"]
            if isinstance(inner, dict):  # a nested attribute: its sub-attributes' values
                return "{" + "; ".join(f"{k}: {_values(v)}" for k, v in inner.items()) + "}"
            return str(inner)
        if "uri" in value:  # a whole object being created
            return str(value.get("label") or value["uri"])
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


def _dcr_items(data: dict[str, Any]) -> str:
    """Object by object (its URI and label), one line per item: what changes, from what to what.
    Lines rather than a table: values and labels are long, and a table would cut them short."""
    lines: list[str] = []
    info = data.get("objectsInfo") or {}
    for uri, items in (data.get("changes") or {}).items():
        about = info.get(uri, {})
        lines.append(f"{uri}  {_label(about)}{'' if about.get('isExist', True) else ' (new)'}".rstrip())
        for it in items:
            change = f"  {it.get('id', '')}  {it.get('type', '')}"
            if it.get("attributePath"):
                change += f" {it['attributePath']}:"
            new = it.get("newPinOrIgnoreValue", it.get("newValue"))
            old, new_text = _values(it.get("oldValue")), _values(new)
            if old and new_text:
                change += f" {old} → {new_text}"
            elif old or new_text:
                change += f" {old or new_text}"
            if it.get("conflict"):
                change += f"  [conflict: {it['conflict']}]"
            lines.append(change)
    return "\n".join(lines) if lines else "(no items)"


@dcr_app.command("apply")
def dcr_apply(dcr_id: str = DcrArgument, tenant: str = TenantOption,
              ignore_conflicts: bool = typer.Option(False, "--ignore-conflicts", help="Apply even items whose "
                                                    "object changed since they were staged (as staged)."),
              url: str = UrlOption,
              token: str | None = TokenOption, as_json: bool = JsonOption) -> None:
    """Apply every item of a change request, in one transaction."""
    data = _call(url, token,
                 lambda c: c.reltio(tenant).change_requests.apply(dcr_id, ignore_conflicts=ignore_conflicts))
    _emit(data, as_json, lambda d: f"applied {dcr_id}")


@dcr_app.command("reject")
def dcr_reject(dcr_id: str = DcrArgument, tenant: str = TenantOption, url: str = UrlOption,
               token: str | None = TokenOption,
               as_json: bool = JsonOption) -> None:
    """Reject a change request: nothing in it is applied."""
    data = _call(url, token, lambda c: c.reltio(tenant).change_requests.reject(dcr_id))
    _emit(data, as_json, lambda d: f"rejected {dcr_id}")

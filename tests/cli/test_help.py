"""Every command's --help, as a newcomer reads it: no Python types (`<str>`, `<bool>`), arguments
in capitals, and `bondline --help` grouping the commands by how they reach bondline."""

from __future__ import annotations

import re

import typer.main
from typer.testing import CliRunner

from bondline.cli import app

runner = CliRunner()


def _commands(group: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, command in getattr(group, "commands", {}).items():
        found += _commands(command, (*path, name))
    return found


def test_no_python_types_in_any_help() -> None:
    paths = _commands(typer.main.get_command(app))
    assert ("dcr", "apply") in paths and ("serve",) in paths and len(paths) > 30
    for path in paths:
        r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert r.exit_code == 0, (path, r.output)
        noise = re.findall(r"<(?:str|bool|int|float|path|list\[str\])>|\{[a-z_]+\}", r.output)
        assert not noise, f"bondline {' '.join(path)} --help shows {noise}:\n{r.output}"


def test_admin_and_client_commands_are_grouped_apart() -> None:
    r = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    panels = {m.group(1).strip(): m.group(2) for m in re.finditer(r"╭─ (.+?) ─+╮\n(.*?)╰", r.output, re.S)}
    commands = {title: set(re.findall(r"^│ (\w+) ", body, re.M)) for title, body in panels.items()}
    admin = next(v for k, v in commands.items() if k.startswith("Admin commands"))
    client = next(v for k, v in commands.items() if k.startswith("Client commands"))
    assert {"users", "tokens", "tenants", "webhooks", "backup", "restore", "seed", "audit"} <= admin
    assert client == {"relation", "watch", "dcr"}
    assert commands["Server"] == {"serve", "migrate", "dispatch"}


def test_help_paragraphs_are_not_broken_where_the_source_wraps() -> None:
    r = runner.invoke(app, ["restore", "--help"], env={"COLUMNS": "200"})
    assert "Stop every server using the database first (they cache tokens and sessions of the state the restore " \
        "replaces), and start them again afterwards" in r.output, r.output

"""Help that reads like a command line's, not like Python: no `<str>`/`<bool>`/`<int>` after every
parameter (typer 0.29 prints each one's Python type), arguments in capitals as usage lines write them
(`dcr apply DCR_ID`), and an option that takes a value shows its metavar or its own name (`--tenant TENANT`).

Typer builds each command's parameters itself, with no hook to pick their classes, so the three display
methods are replaced once, when `bondline.cli` is imported; a typer without them (older ones print
click's TEXT/INTEGER) is left alone. tests/cli/test_help.py reads every command's --help."""

from __future__ import annotations

import inspect
from typing import Any


def quiet_types() -> None:
    try:
        from typer.core import TyperArgument, TyperOption
    except ImportError:  # pragma: no cover - typer without its own parameter classes
        return

    def argument_name(self: Any) -> str:
        return str(self.metavar if self.metavar is not None else (self.name or "").upper())

    def argument_type(self: Any, ctx: Any) -> None:
        return None  # the name says what it is; its help says the rest

    def argument_usage(self: Any) -> str:
        name = argument_name(self)
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def option_type(self: Any, ctx: Any) -> str | None:
        if self.metavar is not None:
            return str(self.metavar)
        if self.is_flag or self.count:
            return None
        long = next((o for o in self.opts if o.startswith("--")), None)
        name = long[2:] if long else self.name or ""
        return name.upper().replace("-", "_") + ("..." if self.nargs != 1 else "")

    for cls, name, replacement in ((TyperArgument, "display_name_raw", property(argument_name)),
                                   (TyperArgument, "display_type_rich", argument_type),
                                   (TyperArgument, "_usage_display_name", argument_usage),
                                   (TyperOption, "display_type_rich", option_type)):
        if hasattr(cls, name):
            setattr(cls, name, replacement)


def unwrap_docstrings(app: Any) -> None:
    """Join each help paragraph's lines: typer keeps a docstring's line breaks, so help text wrapped
    at 100 columns in the source came out broken mid-sentence at any other width."""
    def unwrap(doc: str) -> str:
        return "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(doc).split("\n\n"))

    for command in app.registered_commands:
        if command.callback is not None and command.callback.__doc__:
            command.callback.__doc__ = unwrap(command.callback.__doc__)
    for group in app.registered_groups:
        unwrap_docstrings(group.typer_instance)

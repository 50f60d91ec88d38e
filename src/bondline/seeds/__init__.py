"""Seed files shipped with bondline: `demo` (what `bondline serve --demo` starts with) and `test`
(the pytest plugin's default: one site admin)."""

from __future__ import annotations

from importlib import resources

BUILT_IN = ("demo", "test")


def text(name: str) -> str:
    """The text of a built-in seed file."""
    if name not in BUILT_IN:
        raise KeyError(name)
    return resources.files("bondline.seeds").joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def source(name: str) -> str:
    """How errors name a built-in seed file."""
    return f"<bondline:{name}.yaml>"

"""The README's examples, for the tests that run them as written."""

from __future__ import annotations

import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"


def readme_example(name: str) -> str:
    """The code block that follows `<!-- example: NAME -->` in the README."""
    match = re.search(rf"<!-- example: {re.escape(name)} -->\n```\w*\n(.*?)```", README.read_text(), re.S)
    assert match, f"README has no example {name}"
    return match.group(1)

"""The examples of the README and the docs site (docs/), for the tests that run them as written."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[3]
README = ROOT / "README.md"


def readme_example(name: str) -> str:
    """The code block that follows `<!-- example: NAME -->` (or `<!-- example: NAME (what runs it) -->`)
    in the README or a page of docs/."""
    pattern = re.compile(rf"<!-- example: {re.escape(name)}(?: \([^)]*\))? -->\n```\w*\n(.*?)```", re.S)
    for page in [README, *sorted((ROOT / "docs").rglob("*.md"))]:
        match = pattern.search(page.read_text())
        if match:
            return match.group(1)
    raise AssertionError(f"neither README.md nor docs/ has an example {name}")

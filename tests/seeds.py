"""The seed documents (tests/seeds/, copied verbatim from the project's shared seeds): their curl
commands, Python examples and Postman items, with the base URL and placeholders filled in."""

from __future__ import annotations

import json
import pathlib
import re
import shlex

SEEDS = pathlib.Path(__file__).parent / "seeds"
RELATION = "000_996b8723086785a4.txt"
WATCH = "001_cc98a5e2a20d8443.txt"
RELTIO = "004_db8b5d90d6d5cc6d.txt"
CONFLUENCE_BASE = "https://your-domain.atlassian.net/wiki"


def text(name: str) -> str:
    return (SEEDS / name).read_text()


def curl_command(name: str) -> str:
    """The seed's curl command as one line, exactly as printed (placeholders still in)."""
    lines = text(name).splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Curl Command")
    command: list[str] = []
    for line in lines[start + 1:]:
        if not line.strip():
            if command:
                break
            continue
        if line.strip().startswith(("Postman Collection", "{")):
            break
        command.append(line.strip())
    return " ".join(command)


def fill(command: str, values: dict[str, str]) -> list[str]:
    """Replace placeholders (``:name`` path variables, ``<string>``-style values after ``key=``, and
    literal strings) and split into argv (no shell: the URL's ``&`` stays in the URL)."""
    for placeholder, value in values.items():
        command = command.replace(placeholder, value)
    return shlex.split(command)


def python_example(name: str) -> str:
    """The seed's Python (chilkat2) example, as written."""
    body = text(name)
    start = body.index("import sys")
    end = body.index('print("Success.")') + len('print("Success.")')
    return _reindent(body[start:end])


def _reindent(source: str) -> str:
    """Seed 000 lost its indentation in transcription; restore the blocks it obviously had.
    Sources that kept their indentation (seed 001) are returned as they are."""
    lines = source.splitlines()
    if any(line.startswith((" ", "\t")) for line in lines):
        return source + "\n"
    out: list[str] = []
    depth = 0
    for line in lines:
        stripped = line.strip()
        if line.startswith((" ", "\t")) or not stripped:
            out.append(line)
            continue
        if depth and not stripped.startswith(("print(", "sys.exit()")):
            depth = 0
        out.append("    " * depth + stripped)
        if stripped.endswith(":"):
            depth = 1
        elif stripped == "sys.exit()" and depth:
            depth = 0
    return "\n".join(out) + "\n"


def postman_item(name: str) -> dict:  # type: ignore[type-arg]
    body = text(name)
    start = body.index("{", body.index("Postman Collection Item JSON"))
    depth = 0
    for i in range(start, len(body)):
        if body[i] == "{":
            depth += 1
        elif body[i] == "}":
            depth -= 1
            if depth == 0:
                return json.loads(body[start:i + 1])
    raise ValueError("no Postman item")


def query_placeholders(url: str) -> list[str]:
    return re.findall(r"(\w+)=<(\w+)>", url)

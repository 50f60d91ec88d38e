"""The README and the docs site run as written: every shell (```sh) and Python (```python) block of
README.md and docs/**/*.md, in order per page, in one shell against a fresh demo server started the
way the tutorial says (`bondline serve --demo`, here on a free port; the tutorial's commands read
BONDLINE_URL, which the server's environment file sets).

A block that must not run says so just before it, with its reason: `<!-- not-run: reason -->`, or
`<!-- example: NAME -->` for the examples another test runs (tests/e2e/testdouble/). They are counted,
and the count is printed: nothing is skipped silently. Output shown in the docs, a ```text block
right after a block and marked `<!-- output -->`, is checked: each of its lines must be a line the
block printed, in order (`…` stands for anything).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from tests.live import LiveServer

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

RUN_LANGS = {"sh": "sh", "python": "python"}
# Spellings that would escape the test: shell and Python blocks are fenced `sh` and `python`.
REFUSED_LANGS = {"bash", "shell", "console", "zsh", "py", "python3", "pycon"}

FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.M | re.S)
MARKER = re.compile(r"<!--\s*(?P<kind>not-run|example|output)\s*:?\s*(?P<reason>.*?)\s*-->\s*$")


@dataclasses.dataclass
class Block:
    page: pathlib.Path
    line: int
    lang: str
    body: str
    marker: str | None  # not-run, example or output
    reason: str
    expected: str | None = None  # the output block that follows, if any

    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: pathlib.Path) -> list[Block]:
    text = page.read_text()
    found: list[Block] = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        marker = MARKER.search(before)
        indent = match.group("indent")
        body = textwrap.dedent("\n".join(line[len(indent):] if line.startswith(indent) else line
                                         for line in match.group("body").splitlines()))
        block = Block(page, text.count("\n", 0, match.start()) + 1, match.group("lang"), body,
                      marker.group("kind") if marker else None, marker.group("reason") if marker else "")
        if block.marker == "output":
            assert found and found[-1].lang in RUN_LANGS, f"{block.where()}: an output block follows no sh/python block"
            found[-1].expected = body
            continue
        found.append(block)
    return found


def runnable(page: pathlib.Path) -> list[Block]:
    return [b for b in blocks(page) if b.lang in RUN_LANGS and b.marker is None]


def test_every_block_is_run_or_says_why_not() -> None:
    problems, counts = [], {"run": 0, "not-run": 0, "example": 0}
    for page in PAGES:
        for block in blocks(page):
            if block.lang in REFUSED_LANGS:
                problems.append(f"{block.where()}: fence it as ```sh or ```python (```{block.lang} is not run)")
            if block.lang not in RUN_LANGS:
                continue
            if block.marker in ("not-run", "example") and not block.reason:
                problems.append(f"{block.where()}: <!-- {block.marker}: … --> needs its reason")
            counts[block.marker or "run"] += 1
    print(f"docs blocks: {counts}")  # shown with -s; the numbers are the point of the marking
    assert not problems, "\n".join(problems)
    assert counts["run"] >= 20, counts  # the tutorial alone has more; a parser that finds none fails here


def _matches(expected: str, actual: str) -> str | None:
    """None when every expected line is an output line, in order; else the first line not found."""
    lines = iter(actual.splitlines())
    for want in (w.strip() for w in expected.splitlines()):
        if not want:
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in want.split("…")))
        if not any(pattern.fullmatch(got.strip()) for got in lines):
            return want
    return None


PAGES_TO_RUN = [p for p in PAGES if runnable(p)]


@pytest.mark.live
@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("jq") is None, reason="needs curl and jq")
@pytest.mark.parametrize("page", PAGES_TO_RUN, ids=[str(p.relative_to(ROOT)) for p in PAGES_TO_RUN])
def test_the_page_runs_as_written(page: pathlib.Path, tmp_path: pathlib.Path) -> None:
    todo = runnable(page)
    script = ["set -euo pipefail"]
    for i, block in enumerate(todo):
        script.append(f"printf '\\n@@block {i}@@\\n'")
        if block.lang == "python":
            script.append(f"python - <<'BONDLINE_DOCS_PY'\n{block.body}\nBONDLINE_DOCS_PY")
        else:
            script.append(block.body)
    # The tutorial's way: `bondline serve --demo` in a directory, the commands in another shell there.
    server = LiveServer(None, "--demo", cwd=str(tmp_path), log_path=str(tmp_path / "server.log"))
    try:
        if "/readyz" not in todo[0].body:
            # A page that does not wait itself continues from the tutorial: its server is up by then.
            server.wait_ready()
        env = {**os.environ, "BONDLINE_URL": server.url,
               "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
        env.pop("BONDLINE_TOKEN", None)
        # A session of its own, so whatever a block leaves running is stopped with it.
        shell = subprocess.Popen(["bash", "-c", "\n".join(script)], cwd=tmp_path, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            stdout, stderr = shell.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            os.killpg(shell.pid, signal.SIGKILL)
            stdout, stderr = shell.communicate()
            stderr += "\n(timed out after 180 s)"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGKILL)
        result = subprocess.CompletedProcess(shell.args, shell.returncode, stdout, stderr)
    finally:
        server.stop()
    outputs = re.split(r"^@@block (\d+)@@$", result.stdout, flags=re.M)
    ran = len(outputs) // 2  # the blocks that started
    if result.returncode != 0:
        failed = todo[ran - 1] if ran else todo[0]
        pytest.fail(f"{failed.where()} failed (exit {result.returncode}):\n{failed.body}\n--- stdout:\n"
                    f"{outputs[-1] if ran else result.stdout}\n--- stderr:\n{result.stderr[-3000:]}")
    assert ran == len(todo), (ran, len(todo))
    for i, block in enumerate(todo):
        if block.expected is not None:
            missing = _matches(block.expected, outputs[2 * i + 2])
            assert missing is None, (f"{block.where()}: the docs show {missing!r}; the block printed:\n"
                                     f"{outputs[2 * i + 2]}")


@pytest.mark.live
def test_the_demo_writes_its_tokens_and_ids_for_its_owner_only(tmp_path: pathlib.Path) -> None:
    import shlex

    import httpx

    stale = tmp_path / "bondline-demo.env"
    stale.write_text("export BOB_TOKEN=blt_from_an_earlier_run\n")
    stale.chmod(0o644)  # a file an earlier run (or someone) left readable: it is made private again
    log = tmp_path / "server.log"
    with LiveServer(None, "--demo", cwd=str(tmp_path), log_path=str(log)) as server:
        assert stale.stat().st_mode & 0o777 == 0o600
        values = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1)
                      for line in stale.read_text().splitlines() if line.startswith("export "))
        assert values["BONDLINE_URL"] == server.url and values["TENANT"] == "demo"
        assert f". {stale}" in log.read_text()  # the path is printed for the reader to source
        me = httpx.get(f"{server.url}/wiki/rest/api/user/current",
                       headers={"Authorization": f"Bearer {values['BOB_TOKEN']}"})
        assert me.status_code == 200 and me.json()["accountId"] == "demo-bob"
        page = httpx.get(f"{server.url}/wiki/rest/api/content/{values['PAGE_ID']}",
                         headers={"Authorization": f"Bearer {values['ALICE_TOKEN']}"})
        assert page.status_code == 200 and page.json()["space"]["key"] == values["SPACE_KEY"]
        ada = httpx.get(f"{server.url}/reltio/api/demo/entities/{values['ADA_ID']}",
                        headers={"Authorization": f"Bearer {values['ALICE_TOKEN']}"})
        assert ada.status_code == 200 and ada.json()["label"] == "Ada Lovelace"


def test_the_readmes_links_lead_somewhere() -> None:
    """The README is outside the site (mkdocs build --strict checks the links of docs/ only)."""
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t]
    assert len(local) >= 10, local
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, missing
    assert len(text.splitlines()) < 200

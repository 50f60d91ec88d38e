"""scripts/screenshot_inbox.py, which regenerates docs/review-inbox.png: it starts the demo site,
signs in to the review inbox in Chromium and writes a picture of the demo tenant's inbox (the
script itself refuses to write one that shows no conflict)."""

from __future__ import annotations

import os
import pathlib
import struct
import subprocess
import sys

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[ui-test]')")
CHROMIUM = os.environ.get("BONDLINE_CHROMIUM", "/usr/bin/chromium")
if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"Chromium is not installed at {CHROMIUM}", allow_module_level=True)

ROOT = pathlib.Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.live


def size_of(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_the_script_photographs_the_demo_inbox(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "docs" / "inbox.png"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshot_inbox.py"), "--out", str(out)],
                            capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"wrote {out}" in result.stdout
    width, height = size_of(out.read_bytes())
    assert width == 1100 and height > 900  # the whole inbox page: four requests, one conflicted


def test_the_committed_picture_is_one_the_script_makes() -> None:
    width, height = size_of((ROOT / "docs" / "review-inbox.png").read_bytes())
    assert width == 1100 and height > 900

"""Regenerate docs/review-inbox.png from the demo site, so the picture shows what `bondline serve
--demo` really serves: starts the demo on a free port (in a temporary folder), signs in to the
review inbox as demo-alice in headless Chromium (Playwright driving /usr/bin/chromium, not
Playwright's own browser download) and photographs the inbox of the demo tenant.

    python scripts/screenshot_inbox.py                  # writes docs/review-inbox.png
    python scripts/screenshot_inbox.py --out /tmp/x.png

Needs `playwright` (pip install '.[ui-test]') and Chromium (apt-get install -y chromium, or set
BONDLINE_CHROMIUM). tests/e2e/test_screenshot_script.py runs it.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "review-inbox.png"
CHROMIUM = os.environ.get("BONDLINE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--font-render-hinting=none"]
TOKEN_LINE = re.compile(r"^\s*demo-alice <[^>]*>\s+token: (\S+)")
WIDTH, HEIGHT = 1100, 900  # the page is photographed whole: HEIGHT is only where it starts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_server() -> Iterator[tuple[str, str]]:
    """A fresh `bondline serve --demo` (its database in a temporary folder): (url, demo-alice's token)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bondline-shot-") as folder:
        proc = subprocess.Popen([sys.executable, "-m", "bondline", "serve", "--demo", "--port", str(port),
                                 "--log-level", "warning", "--no-dispatch"], cwd=folder, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            assert proc.stdout is not None
            token = None
            for line in proc.stdout:  # the demo prints each user's token before it serves
                found = TOKEN_LINE.match(line)
                if found:
                    token = found.group(1)
                    break
            if token is None:
                raise SystemExit(f"bondline serve --demo printed no token for demo-alice (exit {proc.wait()})")
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the demo server did not become ready")
                time.sleep(0.1)
            yield url, token
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def photograph(url: str, token: str, out: pathlib.Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=1).new_page()
            page.set_default_timeout(20_000)
            page.goto(url + "/ui/sign-in")
            page.fill("#token", token)
            page.click("button:has-text('Sign in')")
            page.wait_for_url(url + "/ui/tenants/demo")  # one tenant: sign-in lands on its inbox
            if page.locator("table.now-vs-staged").count() == 0:
                raise SystemExit("the demo inbox shows no conflict: is this the demo seed file?")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path, default=OUT, help=f"where to write the PNG (default {OUT})")
    args = parser.parse_args(argv)
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        raise SystemExit(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium, or set "
                         "BONDLINE_CHROMIUM)")
    with demo_server() as (url, token):
        photograph(url, token, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

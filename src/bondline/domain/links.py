"""Links between pieces of content, read out of a storage-format body.

Confluence maintains the `link` relation from a page or blog post to each page it links to. A body
names a target in one of these ways:

- `<ac:link><ri:page ri:content-title="T" ri:space-key="K"/></ac:link>`: the page titled T in space K
  (the linking content's own space without `ri:space-key`); `ri:content-id` names it by id;
- `<a href=".../wiki/spaces/K/pages/123/...">`: page 123;
- `<a href=".../pages/viewpage.action?pageId=123">`: page 123;
- `<a href=".../x/CODE">`: the tiny link; bondline's own tiny links are `/x/<id>`, Confluence's
  encode the id in base64 (little-endian, trailing `A`s dropped, `/`→`-`, `+`→`_`); both are read.

Parsing uses the standard library's HTML parser (tolerant of the `ac:`/`ri:` prefixes and of broken
markup) and stops after `MAX_TARGETS` distinct targets, so a large body costs one linear pass.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

LINK = "link"
MAX_TARGETS = 1000  # distinct targets read from one body; the rest are not tracked
_SPACE_PAGE = re.compile(r"^(?:/wiki)?/spaces/[^/]+/pages/(\d{1,18})(?:/|$)")
_VIEWPAGE = re.compile(r"^(?:/wiki)?/pages/viewpage\.action$")
_TINY = re.compile(r"^(?:/wiki)?/x/([A-Za-z0-9_\-]{1,24})/?$")


@dataclasses.dataclass(frozen=True, slots=True)
class ById:
    content_id: int


@dataclasses.dataclass(frozen=True, slots=True)
class ByTitle:
    title: str
    space_key: str | None  # None: the linking content's own space


Target = ById | ByTitle


def _positive(value: str) -> int | None:
    if not value.isdecimal() or len(value) > 18:
        return None
    n = int(value)
    return n if n > 0 else None


def decode_tiny(code: str) -> int | None:
    """The content id a tiny link's code names: bondline's decimal form, else Confluence's base64."""
    if code.isdecimal():
        return _positive(code)
    raw = code.replace("-", "/").replace("_", "+")
    raw += "A" * (-len(raw) % 4)
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    n = int.from_bytes(data, "little")
    return n if 0 < n < 10**18 else None


def target_of_href(href: str) -> ById | None:
    """The content an `<a href>` links to, if it is a link to a page of this site's shape."""
    try:
        url = urlsplit(href.strip())
    except ValueError:
        return None
    if url.scheme not in ("", "http", "https"):
        return None
    path = url.path
    m = _SPACE_PAGE.match(path)
    if m:
        n = _positive(m.group(1))
        return ById(n) if n else None
    if _VIEWPAGE.match(path):
        ids = parse_qs(url.query).get("pageId") or []
        n = _positive(ids[0]) if ids else None
        return ById(n) if n else None
    m = _TINY.match(path)
    if m:
        n = decode_tiny(m.group(1))
        return ById(n) if n else None
    return None


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: dict[Target, None] = {}  # ordered, distinct
        self.depth = 0  # how many <ac:link> elements are open

    def _add(self, target: Target) -> None:
        if len(self.targets) < MAX_TARGETS:
            self.targets[target] = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, dict(attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, dict(attrs))
        if tag == "ac:link":
            self.depth = max(0, self.depth - 1)

    def _start(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "ac:link":
            self.depth += 1
        elif tag == "ri:page" and self.depth:
            cid = attrs.get("ri:content-id")
            title = attrs.get("ri:content-title")
            if cid:
                n = _positive(cid.strip())
                if n:
                    self._add(ById(n))
            elif title:
                self._add(ByTitle(title, attrs.get("ri:space-key") or None))
        elif tag == "a":
            href = attrs.get("href")
            if href:
                found = target_of_href(href)
                if found:
                    self._add(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "ac:link":
            self.depth = max(0, self.depth - 1)


def targets(body: str | None) -> list[Target]:
    """The distinct link targets in a storage-format body, in order of appearance."""
    if not body:
        return []
    parser = _Parser()
    parser.feed(body)
    parser.close()
    return list(parser.targets)


def tracked(content_type: str, status: str) -> bool:
    """Whose links are kept: current pages and blog posts (a draft's or trashed page's are not)."""
    return content_type in ("page", "blogpost") and status == "current"

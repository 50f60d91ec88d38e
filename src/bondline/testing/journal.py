"""The request journal of a test server: every request and its response, newest last, in a ring
buffer of bounded size, with bounded bodies. Tests read it to assert what their code sent.

Entries never hold a credential: `Authorization`, `Proxy-Authorization` and `Cookie` headers keep
only their scheme, and anything shaped like a bondline token (API and OAuth tokens alike) is
replaced wherever it appears — query, headers, request and response bodies.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
from typing import Any

TOKEN = re.compile(r"blt_[0-9A-Za-z]{10}_[0-9A-Za-z]{32}")
REDACTED_TOKEN = "blt_[redacted]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def redact(text: str) -> str:
    return TOKEN.sub(REDACTED_TOKEN, text) if "blt_" in text else text


def headers_of(raw: list[tuple[bytes, bytes]] | list[list[bytes]]) -> dict[str, str]:
    """Headers as a dict of lower-case names (repeated headers joined with ", "), credentials out."""
    out: dict[str, str] = {}
    for key, value in raw:
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme = text.split(" ", 1)[0] if name.endswith("authorization") and " " in text else ""
            text = f"{scheme} [redacted]".strip()
        else:
            text = redact(text)
        out[name] = f"{out[name]}, {text}" if name in out else text
    return out


def body_text(chunks: list[bytes], size: int, limit: int) -> tuple[str, bool]:
    data = b"".join(chunks)[:limit]
    return redact(data.decode("utf-8", errors="replace")), size > limit


class Journal:
    def __init__(self, size: int, body_bytes: int) -> None:
        self.size = size
        self.body_bytes = body_bytes
        self.entries: collections.deque[dict[str, Any]] = collections.deque(maxlen=size)
        self.recorded = 0

    def add(self, entry: dict[str, Any]) -> None:
        self.recorded += 1
        self.entries.append({"id": self.recorded, **entry})

    def clear(self) -> None:
        self.entries.clear()

    def listing(self, limit: int | None = None) -> dict[str, Any]:
        entries = list(self.entries)
        if limit is not None:
            entries = entries[-limit:] if limit else []
        return {"requests": entries, "size": self.size, "recorded": self.recorded}


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

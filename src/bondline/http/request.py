"""The request as handlers see it. Everything is parsed lazily: the hot path reads two headers
and the path parameters, and pays for nothing else."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import msgspec

from bondline.domain.errors import Invalid, RequestTimeout, UnsupportedMediaType

if TYPE_CHECKING:
    from bondline.domain.model import Caller
    from bondline.http.router import Route

_decode = msgspec.json.decode

# The deepest nesting of arrays and objects a request body may have. Real bodies stay far below it (a
# Reltio entity with nested attributes is about a dozen levels, Confluence's bodies fewer); the JSON
# decoders recurse once per level, and a body ~1,000 levels deep hit Python's recursion limit (a 500).
MAX_JSON_DEPTH = 64
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes included
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest more than `limit` levels deep in the JSON `body`."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # nearly every body: too few brackets to nest that deep
    depth = 0
    for byte in _STRING.sub(b"", body).translate(None, _NOT_BRACKETS):  # brackets outside strings
        if byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def is_json(content_type: str) -> bool:
    """application/json, or a JSON-based type (application/…+json), with any parameters."""
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class _DuplicateKey(Exception):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> None:
    if len(pairs) > 1 and len({key for key, _ in pairs}) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)


# A second parse, by the standard library, that only looks for a key given twice in one object:
# msgspec keeps the last, other parsers the first, and a body two parsers read differently is how
# a check in one is bypassed in the other. It builds nothing (numbers stay text, objects None):
# 3.5 µs for a 200-byte body, 8 ms for a 750 KB one, measured (msgspec's own decode: 0.6 µs, 14 ms).
_find_duplicates = json.JSONDecoder(object_pairs_hook=_refuse_duplicates, parse_int=str, parse_float=str).decode


class Request:
    __slots__ = ("scope", "method", "params", "body", "_caller", "route", "app", "request_id", "_query", "_headers",
                 "receive")

    def __init__(self, scope: dict[str, Any], params: dict[str, str], route: Route, app: Any,
                 request_id: str | None = None) -> None:
        self.scope = scope
        self.request_id = request_id
        self.method: str = scope["method"]
        self.params = params
        self.route = route
        self.app = app
        self.body = b""
        self._caller: Caller | None = None
        self._query: dict[str, list[str]] | None = None
        self._headers: dict[bytes, bytes] | None = None
        # The ASGI receive of a route declared with `stream_body=True` (its body is not read for it).
        self.receive: Any = None

    # --- who is calling ------------------------------------------------------------------------
    @property
    def caller(self) -> Caller:
        """The authenticated caller. A route requires one unless declared with `auth="none"` (the kernel
        answers 401 before its handler runs), so the handlers that read it always have one."""
        caller = self._caller
        if caller is None:
            raise RuntimeError(f"{self.route.pattern} is declared without authentication: there is no caller")
        return caller

    @caller.setter
    def caller(self, caller: Caller) -> None:
        self._caller = caller

    @property
    def caller_if_any(self) -> Caller | None:
        """The caller, or None where there is none (a route without authentication, a request refused)."""
        return self._caller

    # --- headers -------------------------------------------------------------------------------
    def header(self, name: bytes) -> str | None:
        """A header's value by lower-case name (the first one when repeated)."""
        if self._headers is None:
            headers: dict[bytes, bytes] = {}
            for key, value in self.scope["headers"]:
                headers.setdefault(key.lower(), value)
            self._headers = headers
        value = self._headers.get(name)
        return None if value is None else value.decode("latin-1")

    # --- query ---------------------------------------------------------------------------------
    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            parsed: dict[str, list[str]] = {}
            raw = self.scope.get("query_string", b"")
            if raw:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise Invalid("The query string is not valid UTF-8") from None
                for key, value in parse_qsl(text, keep_blank_values=True):
                    parsed.setdefault(key, []).append(value)
            self._query = parsed
        return self._query

    def q(self, name: str) -> str | None:
        """The first value of a query parameter, or None when absent."""
        values = self.query.get(name) if self.scope.get("query_string") else None
        return values[0] if values else None

    def q_all(self, name: str) -> list[str]:
        return self.query.get(name, []) if self.scope.get("query_string") else []

    def q_csv(self, name: str) -> list[str]:
        """A multi-value parameter given as `a,b` or repeated (`x=a&x=b`)."""
        out: list[str] = []
        for value in self.q_all(name):
            out.extend(v.strip() for v in value.split(",") if v.strip())
        return out

    # --- body ----------------------------------------------------------------------------------
    def json(self, type: Any = Any) -> Any:
        """The body decoded as JSON (and validated as `type`); malformed input raises Invalid, a body
        declared as anything but JSON UnsupportedMediaType (one without a Content-Type is read as JSON:
        curl users often leave it out)."""
        content_type = self.header(b"content-type")
        if content_type and not is_json(content_type):
            raise UnsupportedMediaType(f"Content-Type {content_type[:100]!r} is not supported here; the request "
                                       "body must be JSON (application/json)")
        if not self.body:
            raise Invalid("The request body is empty; a JSON document is required", reason="MALFORMED_JSON")
        if b"\\u0000" in self.body:
            raise Invalid("The request body contains a NUL character (\\u0000), which no value may hold",
                          reason="NUL_CHARACTER")
        if too_deep(self.body):
            raise Invalid(f"The request body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep",
                          reason="MALFORMED_JSON")
        try:
            value = _decode(self.body, type=type)
        except msgspec.ValidationError as exc:
            raise Invalid(f"Invalid request body: {exc}", reason="INVALID_BODY") from None
        except msgspec.DecodeError as exc:
            raise Invalid(f"Malformed JSON in the request body: {exc}", reason="MALFORMED_JSON") from None
        if self.body.count(b":") > 1:  # else no object has two keys
            try:
                _find_duplicates(self.body.decode("utf-8"))  # valid UTF-8: msgspec read it
            except _DuplicateKey as dup:
                raise Invalid(f"Invalid request body: the key {str(dup)[:100]!r} appears twice in one object",
                              reason="INVALID_BODY") from None
        return value

    async def stream(self, within: float) -> AsyncIterator[bytes]:
        """The body of a `stream_body` route, chunk by chunk as it arrives (never held whole). The
        whole body must arrive within `within` seconds (else RequestTimeout); a client that goes
        away ends the request (`ClientDisconnected`)."""
        from bondline.http.app import ClientDisconnected

        if self.receive is None:
            if self.body:
                yield self.body
            return
        receive, self.receive = self.receive, None  # a body is read once
        try:
            async with asyncio.timeout(within):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise ClientDisconnected()
                    chunk = message.get("body", b"")
                    if chunk:
                        yield chunk
                    if not message.get("more_body", False):
                        return
        except TimeoutError:
            raise RequestTimeout(f"The request body did not arrive within {within:g} s") from None

    # --- where we are --------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The scheme and host clients reach us at (or the configured public URL)."""
        configured = self.app.settings.public_url
        if configured:
            return configured.rstrip("/")
        host = self.header(b"host")
        if not host:
            server = self.scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{self.scope.get('scheme', 'http')}://{host}"

    @property
    def path(self) -> str:
        return self.scope["path"]

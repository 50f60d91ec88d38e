"""v2's cursor pagination: an opaque `cursor`, `limit` within the operation's bounds, and the next
page's relative URL in `_links.next` and in the `Link: <...>; rel="next"` header (with the site's
base URL in `_links.base`).

A cursor is `base64url(JSON {"o": offset, "q": digest of the query}).signature`, signed with a key
every process of one deployment shares (`services.secrets`): a cursor that was tampered with, or
that comes from another query (other filters, another sort or another page's children), is a 400,
never a silently different page. Offsets underneath, as the services page with `start`/`limit`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import weakref
from typing import Any
from urllib.parse import urlencode

from bondline.domain.errors import Invalid
from bondline.http import Request, Response, json_response
from bondline.services import secrets

KEY_NAME = "confluence_v2.cursor"
_keys: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()


async def _key(req: Request) -> bytes:
    store = req.app.store
    key = _keys.get(store)
    if key is None:
        key = _keys[store] = await secrets.shared_key(store, KEY_NAME)
    return key


def _digest(path: str, query: dict[str, list[str]]) -> str:
    canonical = json.dumps([path, sorted((k, v) for k, v in query.items() if k not in ("cursor", "limit"))])
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _sign(key: bytes, payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, payload, hashlib.sha256).digest()[:16]).decode().rstrip("=")


def _cursor(key: bytes, offset: int, path: str, query: dict[str, list[str]]) -> str:
    payload = json.dumps({"o": offset, "q": _digest(path, query)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _sign(key, payload)


async def cursor_at(req: Request, path: str, query: dict[str, list[str]], offset: int) -> str:
    """A cursor for the listing `path` with `query`, at `offset` (what an `include-*` field's
    `meta.cursor` hands on to the listing that continues it)."""
    return _cursor(await _key(req), offset, path, query)


def limit(req: Request, default: int = 25, minimum: int = 1, maximum: int = 250) -> int:
    """`limit`, within the bounds the document gives the operation (out of them: 400)."""
    raw = req.q("limit")
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 10:
        raise Invalid(f"Provided value {{{raw[:40]}}} for 'limit' is not the correct type. Expected type is int")
    value = int(raw)
    if value < minimum or value > maximum:
        raise Invalid(f"'limit' must be between {minimum} and {maximum}, got {value}")
    return value


class Page:
    """One request's place in a listing: the offset its cursor names, and how to name the next."""

    def __init__(self, req: Request, path: str, query: dict[str, list[str]], key: bytes, offset: int,
                 limit: int) -> None:
        self.req, self.path, self.query, self.key = req, path, query, key
        self.offset, self.limit = offset, limit

    @classmethod
    async def of(cls, req: Request, path: str, query: dict[str, list[str]], limit: int) -> Page:
        """`path` and `query`: the operation's path and the parameters that select the results
        (a cursor is good for these only)."""
        key = await _key(req)
        raw = req.q("cursor")
        offset = 0
        if raw:
            offset = cls._read(key, raw, _digest(path, query))
        return cls(req, path, query, key, offset, limit)

    @staticmethod
    def _read(key: bytes, raw: str, digest: str) -> int:
        bad = Invalid("The cursor is invalid: it was not issued for this query, or it was altered")
        payload_text, _, signature = raw.partition(".")
        try:
            payload = base64.urlsafe_b64decode(payload_text + "=" * (-len(payload_text) % 4))
        except (binascii.Error, ValueError):
            raise bad from None
        # (bytes: compare_digest refuses str with characters beyond ASCII, which a cursor may carry)
        if not signature or not hmac.compare_digest(_sign(key, payload).encode(), signature.encode()):
            raise bad
        try:
            data = json.loads(payload)
        except ValueError:
            raise bad from None
        if not isinstance(data, dict) or data.get("q") != digest or not isinstance(data.get("o"), int):
            raise bad
        return max(0, data["o"])

    def next_url(self) -> str:
        cursor = _cursor(self.key, self.offset + self.limit, self.path, self.query)
        params = [(k, v) for k, values in self.query.items() for v in values]
        if self.req.q("limit"):
            params.append(("limit", str(self.limit)))
        params.append(("cursor", cursor))
        return f"{self.path}?{urlencode(params)}"

    def respond(self, results: list[Any], more: bool, base: str) -> Response:
        links: dict[str, str] = {}
        headers = None
        if more:
            url = self.next_url()
            links["next"] = url
            headers = [(b"link", f'<{url}>; rel="next", <{base}>; rel="base"'.encode())]
        links["base"] = base
        return json_response({"results": results, "_links": links}, headers=headers)

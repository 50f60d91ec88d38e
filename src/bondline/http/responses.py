"""Responses: a status, a body already encoded to bytes, and headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec

_encode = msgspec.json.Encoder().encode
JSON = b"application/json"


class Response:
    __slots__ = ("status", "body", "content_type", "headers", "chunks", "length")

    def __init__(self, status: int, body: bytes = b"", content_type: bytes | None = JSON,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = headers
        # A body streamed in chunks (`stream_response`) instead of `body`, and its length.
        self.chunks: AsyncIterator[bytes] | None = None
        self.length = -1

    def header_list(self) -> list[tuple[bytes, bytes]]:
        length = self.length if self.chunks is not None else len(self.body)
        out = [(b"content-length", str(length).encode())]
        if self.content_type is not None and (self.body or self.status != 204):
            out.append((b"content-type", self.content_type))
        if self.headers:
            out.extend(self.headers)
        return out


def json_response(data: Any, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
    return Response(status, _encode(data), JSON, headers)


def empty(status: int = 204, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
    return Response(status, b"", None, headers)


def text_response(text: str, status: int = 200, content_type: bytes = b"text/plain; charset=utf-8") -> Response:
    return Response(status, text.encode(), content_type)


def encode_json(data: Any) -> bytes:
    return _encode(data)


def retry_after(err: Any) -> tuple[bytes, bytes]:
    """The Retry-After header for a 503 (or 429): the error's `retry_after` seconds, 1 by default."""
    return (b"retry-after", str(getattr(err, "retry_after", 1)).encode())


def stream_response(chunks: AsyncIterator[bytes], length: int, content_type: bytes,
                    headers: list[tuple[bytes, bytes]] | None = None, status: int = 200) -> Response:
    """A response whose body of `length` bytes is sent as `chunks` come (a file, never read whole)."""
    response = Response(status, b"", content_type, headers)
    response.chunks = chunks
    response.length = length
    return response

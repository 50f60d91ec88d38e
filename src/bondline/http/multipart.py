"""multipart/form-data bodies (RFC 7578), read as they stream in.

python-multipart's push parser does the parsing; this module feeds it the body chunk by chunk
(`Request.stream`) and hands each file part's bytes to a sink as they come, so an upload is never
held in memory: only the small text fields are. A file part over `max_file_bytes` stops the reading
at once (`FileTooLarge`)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import unquote

from python_multipart.multipart import MultipartParser, parse_options_header

from bondline.domain.errors import Invalid, UnsupportedMediaType
from bondline.http.request import Request

MAX_FIELD_BYTES = 64 * 1024  # a text field (a comment, minorEdit)
MAX_FIELDS = 256
_FILENAME_STAR = re.compile(rb"""filename\*\s*=\s*([^;]+)""", re.IGNORECASE)


class Sink(Protocol):
    """Where a file part's bytes go (a blob being written)."""

    def write(self, data: bytes | memoryview) -> None: ...


class FileTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"a file part is larger than {limit} bytes")
        self.limit = limit


@dataclasses.dataclass(slots=True)
class FilePart:
    field: str
    filename: str
    content_type: str | None
    sink: Any
    size: int = 0


@dataclasses.dataclass(slots=True)
class Form:
    """What has been read so far: the text fields (in order, by name) and the file parts (their sinks
    hold the data). Filled as the body streams in, so a caller that fails midway still knows every
    sink it opened."""

    fields: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    files: list[FilePart] = dataclasses.field(default_factory=list)

    def field(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


def boundary_of(content_type: str | None) -> bytes:
    """The boundary of a multipart/form-data body (415 for any other kind of body)."""
    if not content_type:
        raise UnsupportedMediaType("The request body must be multipart/form-data")
    kind, options = parse_options_header(content_type)
    if kind.lower() != b"multipart/form-data":
        raise UnsupportedMediaType(f"Content-Type {content_type[:100]!r} is not supported here; the request "
                                   "body must be multipart/form-data")
    boundary = options.get(b"boundary")
    if not boundary or len(boundary) > 200:
        raise Invalid("The multipart/form-data body has no boundary")
    return boundary


def _filename(raw_disposition: bytes, options: dict[bytes, bytes]) -> str | None:
    star = _FILENAME_STAR.search(raw_disposition)
    if star:  # RFC 5987: charset'language'percent-encoded
        value = star.group(1).strip().strip(b'"')
        charset, _, rest = value.partition(b"'")
        _, _, encoded = rest.partition(b"'")
        try:
            return unquote(encoded.decode("ascii"), encoding=(charset.decode("ascii") or "utf-8"), errors="strict")
        except (UnicodeDecodeError, LookupError):
            raise Invalid("A file name in the multipart body is not valid") from None
    raw = options.get(b"filename")
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


async def read_form(req: Request, *, within: float, max_file_bytes: int, open_sink: Callable[[], Sink],
                    form: Form) -> Form:
    """Read the request's multipart/form-data body into `form`: text fields as strings, each file
    part into a sink from `open_sink`."""
    boundary = boundary_of(req.header(b"content-type"))
    headers: dict[bytes, bytes] = {}
    field_name = b""
    value_parts: list[bytes] = []
    state: dict[str, Any] = {"header": b"", "value": b"", "file": None, "text": None, "size": 0}

    def on_part_begin() -> None:
        headers.clear()
        state["file"] = state["text"] = None
        state["size"] = 0

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        headers[state["header"].lower()] = state["value"]
        state["header"] = state["value"] = b""

    def on_headers_finished() -> None:
        nonlocal field_name
        disposition = headers.get(b"content-disposition", b"")
        kind, options = parse_options_header(disposition)
        if kind.lower() != b"form-data" or b"name" not in options:
            raise Invalid("A part of the multipart body has no Content-Disposition: form-data with a name")
        field_name = options[b"name"]
        filename = _filename(disposition, options)
        if filename is not None:
            raw_type = headers.get(b"content-type")
            part = FilePart(field_name.decode("utf-8", "replace"), filename,
                            raw_type.decode("latin-1").strip() if raw_type else None, open_sink())
            form.files.append(part)
            state["file"] = part
        else:
            if sum(len(v) for v in form.fields.values()) >= MAX_FIELDS:
                raise Invalid(f"The multipart body has more than {MAX_FIELDS} fields")
            value_parts.clear()
            state["text"] = value_parts

    def on_part_data(data: bytes, start: int, end: int) -> None:
        part: FilePart | None = state["file"]
        if part is not None:
            part.size += end - start
            if part.size > max_file_bytes:
                raise FileTooLarge(max_file_bytes)
            part.sink.write(memoryview(data)[start:end])
            return
        state["size"] += end - start
        if state["size"] > MAX_FIELD_BYTES:
            raise Invalid(f"A field of the multipart body is longer than {MAX_FIELD_BYTES} bytes")
        value_parts.append(data[start:end])

    def on_end() -> None:
        state["ended"] = True

    def on_part_end() -> None:
        if state["text"] is not None:
            try:
                value = b"".join(value_parts).decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid("A field of the multipart body is not valid UTF-8") from None
            form.fields.setdefault(field_name.decode("utf-8", "replace"), []).append(value)

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value, "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished, "on_end": on_end,
    }, max_header_count=16)
    try:
        async for chunk in req.stream(within):
            parser.write(chunk)
        parser.finalize()
        if not state.get("ended"):
            # Cut short (a client gone, a proxy's limit): what came is not the whole of any file.
            raise Invalid("The multipart/form-data body is incomplete: it has no closing boundary")
    except (Invalid, FileTooLarge):
        raise
    except Exception as exc:  # the parser's own errors: a malformed body
        if type(exc).__module__.startswith("python_multipart"):
            raise Invalid(f"The multipart/form-data body is malformed: {str(exc)[:200]}") from None
        raise
    return form

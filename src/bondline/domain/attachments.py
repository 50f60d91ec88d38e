"""Attachments: files held by a page or blog post (their container), as content of type
"attachment" with versions. Each version has its data (a blob named by its SHA-256), a media type,
a size and a comment; the attachment's title is its file name, unique among its container's
current attachments.

Confluence's ids for attachments are the content id with "att" in front (`att123`)."""

from __future__ import annotations

import dataclasses
import mimetypes

from bondline.domain.errors import Invalid, is_decimal

TYPE = "attachment"
CONTAINER_TYPES = ("page", "blogpost")
MAX_FILENAME = 255
MAX_COMMENT = 4000
MAX_MEDIA_TYPE = 255
DEFAULT_MEDIA_TYPE = "application/octet-stream"
# The standard library's table only (no /etc/mime.types): the same answer on every machine.
_TYPES = mimetypes.MimeTypes(filenames=())


@dataclasses.dataclass(slots=True)
class AttachmentVersion:
    content_id: int
    number: int
    media_type: str
    file_size: int
    sha256: str
    comment: str


@dataclasses.dataclass(slots=True)
class Upload:
    """One file of an upload, its data already in the blob store."""

    filename: str
    media_type: str
    sha256: str
    size: int
    comment: str
    minor_edit: bool


def wire_id(content_id: int) -> str:
    return f"att{content_id}"


def parse_attachment_id(raw: str) -> int:
    """`att123` (Confluence's form) or `123`."""
    digits = raw[3:] if raw.startswith("att") else raw
    if not is_decimal(digits) or len(digits) > 18 or int(digits) == 0:
        raise Invalid(f"Attachment id {raw[:40]!r} is invalid")
    return int(digits)


def validate_filename(name: str) -> str:
    # Clients send a path now and then (a browser on Windows): the name is its last segment.
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise Invalid("The attachment's file name cannot be empty")
    if len(name) > MAX_FILENAME:
        raise Invalid(f"The attachment's file name is too long: at most {MAX_FILENAME} characters")
    if any(ord(ch) < 32 for ch in name):
        raise Invalid("The attachment's file name cannot contain control characters")
    return name


def media_type(declared: str | None, filename: str) -> str:
    """The part's own Content-Type (without parameters) when it names one, else a guess from the name."""
    if declared:
        media = declared.partition(";")[0].strip().lower()
        if "/" in media and len(media) <= MAX_MEDIA_TYPE and all(32 < ord(ch) < 127 for ch in media):
            return media
    guessed, _ = _TYPES.guess_type(filename, strict=False)
    return guessed or DEFAULT_MEDIA_TYPE


def validate_media_type(media: str) -> str:
    media = media.strip()
    if "/" not in media or len(media) > MAX_MEDIA_TYPE or any(ord(ch) <= 32 or ord(ch) >= 127 for ch in media):
        raise Invalid(f"Invalid media type {media[:80]!r}")
    return media


def validate_comment(comment: str) -> str:
    if len(comment) > MAX_COMMENT:
        raise Invalid(f"The attachment's comment is too long: at most {MAX_COMMENT} characters")
    return comment


def flag(value: str | None, name: str) -> bool:
    """A form field's boolean ("true"/"false", as clients send minorEdit; absent: false)."""
    if value is None:
        return False
    text = value.strip().strip('"').lower()
    if text in ("true", "false", ""):
        return text == "true"
    raise Invalid(f"{name} must be true or false, not {value[:20]!r}")


def comments_for(files: int, comments: list[str]) -> list[str]:
    """Confluence: "If you specify a comment, then every file must have a comment and the comments
    must be in the same order as the files"."""
    if not comments:
        return [""] * files
    if len(comments) != files:
        raise Invalid("If a comment is given, every file must have one, in the same order as the files "
                      f"({files} file(s), {len(comments)} comment(s))")
    return [validate_comment(c) for c in comments]

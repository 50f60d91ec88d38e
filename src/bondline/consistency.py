"""Read-your-writes across a PostgreSQL primary and its streaming replica: the request's consistency
token (docs/decisions/0029).

Pure: no I/O. The HTTP kernel parses the client's token (a header, else a cookie) into a `Request`
state and sets it in `current` for the handler's duration; the PostgreSQL store reads it to choose
where a read runs, and raises `position` to what the request wrote or saw; the kernel hands that
back to the client. Nothing here is used unless a replica is configured (`BONDLINE_PG_REPLICA_URL`).

A token is a PostgreSQL WAL position (LSN), written as PostgreSQL prints one (``16/B374D848``): the
client has seen everything committed up to it. A read may run on the replica only when the replica
has replayed at least that far — Zanzibar's "zookie" and SpiceDB's ZedToken (``at_least_as_fresh``)
for the same purpose.
"""

from __future__ import annotations

import contextvars
import re

HEADER = "x-bondline-consistency"
HEADER_BYTES = HEADER.encode()
COOKIE = "bondline_consistency"

# Where a request that carries no token reads: the primary (always current) or the replica
# (the caller tolerates staleness).
MODES = ("primary", "replica")

_LSN = re.compile(r"([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})")
_SAFE = frozenset(("GET", "HEAD"))


def parse_lsn(text: str) -> int | None:
    """PostgreSQL's ``X/Y`` (two hexadecimal halves of a 64-bit position) as an integer; None if it is not one."""
    found = _LSN.fullmatch(text.strip())
    if found is None:
        return None
    return (int(found.group(1), 16) << 32) | int(found.group(2), 16)


def format_lsn(position: int) -> str:
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


class Request:
    """One request's consistency: what the client has seen (`token`), whether its reads may use the
    replica at all (`safe`: GET and HEAD only — a write request's reads may decide what it writes,
    so they see the primary), and the position to hand back (`position`, raised by the store)."""

    __slots__ = ("token", "malformed", "safe", "wrote", "position")

    def __init__(self, token: int | None, safe: bool, malformed: bool = False) -> None:
        self.token = token
        self.malformed = malformed  # a token was sent and is not one: read from the primary
        self.safe = safe
        self.wrote = False  # the request committed a write: its later reads must see it (the primary)
        self.position = token

    def may_read_replica(self) -> bool:
        return self.safe and not self.wrote and not self.malformed

    def saw(self, position: int | None) -> None:
        """The request wrote or read everything up to `position`."""
        if position is not None and position >= 0 and (self.position is None or position > self.position):
            self.position = position

    def changed(self) -> bool:
        """Whether the client should be given a new token."""
        return self.position is not None and self.position != self.token


current: contextvars.ContextVar[Request | None] = contextvars.ContextVar("bondline_consistency", default=None)


def from_headers(method: str, headers: list[tuple[bytes, bytes]]) -> Request:
    """The request's state from its ``X-Bondline-Consistency`` header, else its cookie of that name."""
    sent: str | None = None
    cookie: str | None = None
    for key, value in headers:
        if key == HEADER_BYTES:
            sent = value.decode("latin-1")
            break
        if key == b"cookie" and cookie is None:
            cookie = _cookie(value.decode("latin-1"))
    if sent is None:
        sent = cookie
    safe = method in _SAFE
    if sent is None or not sent.strip():
        return Request(None, safe)
    token = parse_lsn(sent)
    return Request(token, safe, malformed=token is None)


def _cookie(header: str) -> str | None:
    for part in header.split(";"):
        name, eq, value = part.strip().partition("=")
        if eq and name == COOKIE:
            return value.strip().strip('"')
    return None


def response_headers(state: Request, https: bool) -> list[tuple[bytes, bytes]]:
    """The new token as a header and as a cookie (clients that keep a session send it back unchanged)."""
    if state.position is None:
        return []
    token = format_lsn(state.position).encode()
    cookie = COOKIE.encode() + b"=" + token + b"; Path=/; HttpOnly; SameSite=Lax"
    if https:
        cookie += b"; Secure"
    return [(HEADER_BYTES, token), (b"set-cookie", cookie)]

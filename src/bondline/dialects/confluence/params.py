"""Query parameters the way Confluence reads them."""

from __future__ import annotations

import re

from bondline.domain.errors import Invalid
from bondline.http import Request

MAX_LIMIT = 200
_INTEGER = re.compile(r"-?[0-9]{1,19}")


def integer(request: Request, name: str, default: int | None = None, *, minimum: int = 0,
            maximum: int = 2**31 - 1) -> int | None:
    raw = request.q(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"Parameter '{name}' must be an integer, got {raw[:40]!r}") from None
    if value < minimum or value > maximum:
        raise Invalid(f"Parameter '{name}' must be between {minimum} and {maximum}, got {value}")
    return value


def required(request: Request, name: str) -> str:
    """A required query parameter: present and not blank (nor only commas), else Confluence's 400."""
    value = request.q(name)
    if value is None or not value.replace(",", " ").strip():
        raise Invalid(f"The '{name}' query parameter is required")
    return value


def choice(request: Request, name: str, allowed: tuple[str, ...]) -> str | None:
    """An enumerated parameter: absent, or one of `allowed` (anything else is Confluence's 400)."""
    raw = request.q(name)
    if raw is None:
        return None
    if raw not in allowed or len(request.q_all(name)) > 1:
        raise Invalid(f"Parameter '{name}' must be one of {', '.join(allowed)}, got {raw[:40]!r}")
    return raw


def boolean(request: Request, name: str) -> bool | None:
    """A boolean parameter: absent, `true` or `false`."""
    raw = choice(request, name, ("true", "false"))
    return None if raw is None else raw == "true"


def integers(request: Request, name: str) -> list[int]:
    """A repeated 64-bit integer parameter (`spaceId=1&spaceId=2`)."""
    out = []
    for raw in request.q_all(name):
        if not _INTEGER.fullmatch(raw) or not -2**63 <= int(raw) < 2**63:
            raise Invalid(f"Parameter '{name}' must be a 64-bit integer, got {raw[:40]!r}")
        out.append(int(raw))
    return out


def paging(request: Request, default_limit: int = 25, max_limit: int = MAX_LIMIT) -> tuple[int, int]:
    """`start` (default 0) and `limit` (default 25), the limit capped at the system maximum as
    Confluence does ("this may be restricted by fixed system limits")."""
    start = integer(request, "start", 0)
    limit = integer(request, "limit", default_limit)
    assert start is not None and limit is not None
    return start, min(limit, max_limit)


class Expand:
    """The `expand` parameter: comma-separated dotted paths (``space,body.storage``)."""

    __slots__ = ("paths",)

    def __init__(self, paths: set[str]) -> None:
        self.paths = paths

    @classmethod
    def of(cls, request: Request, default: tuple[str, ...] = ()) -> Expand:
        paths = set(default)
        for item in request.q_csv("expand"):
            paths.add(item)
        return cls(paths)

    def __contains__(self, name: str) -> bool:
        if not self.paths:  # the common case: nothing expanded
            return False
        if name in self.paths:
            return True
        prefix = name + "."
        return any(p.startswith(prefix) for p in self.paths)

    def sub(self, name: str) -> Expand:
        prefix = name + "."
        return Expand({p[len(prefix):] for p in self.paths if p.startswith(prefix)})

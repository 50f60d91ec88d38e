"""Query parameters the way Reltio reads them: booleans as ``true``/``false``, comma-separated
lists, and the change request parameters of writes."""

from __future__ import annotations

from typing import Any

from bondline.domain.errors import Invalid
from bondline.http import Request


def boolean(req: Request, name: str, default: bool = False) -> bool:
    raw = req.q(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise Invalid(f"Parameter '{name}' must be true or false, got {raw[:40]!r}")
    return lowered == "true"


def integer(req: Request, name: str, default: int, minimum: int, maximum: int) -> int:
    raw = req.q(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Invalid(f"Parameter '{name}' must be an integer, got {raw[:40]!r}") from None
    if not minimum <= value <= maximum:
        raise Invalid(f"Parameter '{name}' must be between {minimum} and {maximum}, got {value}")
    return value


def change_request(req: Request) -> tuple[str | None, bool]:
    """`changeRequestId` (append to that request) and `alwaysCreateDCR` (stage in a new one)."""
    request_id = req.q("changeRequestId")
    if request_id is not None:
        request_id = request_id.strip()
        if request_id.startswith("changeRequests/"):
            request_id = request_id[len("changeRequests/"):]
        if not request_id:
            raise Invalid("Parameter 'changeRequestId' must not be empty")
    return request_id, boolean(req, "alwaysCreateDCR")


ENTITY_READ_OPTIONS = frozenset({"sendHidden", "ovOnly", "nonOvOnly", "showEndDatedReferenceAttributes"})
RELATION_READ_OPTIONS = frozenset({"resolveMergedEntities"})


def options(req: Request, allowed: frozenset[str]) -> list[str]:
    """`options`, each one of those Reltio documents for the operation (bondline acts on some and
    accepts the others); an unknown option is refused (400), as the writes refuse theirs."""
    given = req.q_csv("options")
    for option in given:
        if option not in allowed:
            raise Invalid(f"Unknown option {option[:60]!r}: use {', '.join(sorted(allowed))}")
    return given


def ov_filter(req: Request) -> str | None:
    options = req.q_csv("options")
    if "ovOnly" in options:
        return "ovOnly"
    return "nonOvOnly" if "nonOvOnly" in options else None


def select(body: dict[str, Any], req: Request) -> dict[str, Any]:
    """Reltio's `select`: keep only the listed properties (``uri,label,attributes.FirstName``)."""
    return select_fields(body, req.q_csv("select"))


def select_fields(body: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """`select` as a list of properties (`select`'s; search reads it from a body too)."""
    if not fields:
        return body
    wanted: dict[str, set[str]] = {}
    for field in fields:
        head, _, rest = field.partition(".")
        wanted.setdefault(head, set())
        if rest:
            wanted[head].add(rest.partition(".")[0])
    out = {}
    for key, value in body.items():
        if key not in wanted:
            continue
        subs = wanted[key]
        if subs and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k in subs}
        out[key] = value
    return out

"""Parameters the way Reltio reads them: booleans as ``true``/``false``, comma-separated lists, the
change request parameters of writes, and the search operations' parameters, which POST takes from
the query string and the body alike (the one home of Reltio parameter parsing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from bondline.domain.errors import Invalid
from bondline.http import Request
from bondline.http.request import is_json


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


# --- the search operations' parameters (query string and body) ---------------------------------------

SEARCH_PARAMETERS = ("filter", "select", "max", "offset", "sort", "order", "options", "activeness", "scoreEnabled",
                     "defaultMaxValues")


def search_parameters(req: Request, names: Iterable[str] = SEARCH_PARAMETERS) -> dict[str, str]:
    """`names` from the query string and, for POST, from the body too — a form (``filter=…&max=10``,
    what Reltio recommends) or a JSON object (``{"filter": "…", "max": 10}``, lists joined with
    commas); the query string's win ("The query parameters have priority and override the body
    parameters", Reltio's documentation of the POST search operations)."""
    wanted = tuple(names)
    out = {name: req.q(name) or "" for name in wanted if req.q(name) is not None}
    for name in ("select", "options", "facet"):
        if name in wanted and len(req.q_all(name)) > 1:
            out[name] = ",".join(req.q_all(name))
    if req.method != "POST" or not req.body:
        return out
    content_type = req.header(b"content-type") or ""
    if is_json(content_type):
        body = req.json()
        if not isinstance(body, dict):
            raise Invalid("The request body must be a JSON object of search parameters", reason="INVALID_BODY")
        for name, value in body.items():
            if name in wanted and name not in out and value is not None:
                out[name] = ",".join(map(str, value)) if isinstance(value, list) else (
                    str(value).lower() if isinstance(value, bool) else str(value))
        return out
    try:
        form = parse_qsl(req.body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise Invalid("The request body is not valid UTF-8") from None
    for name, value in form:
        if name in wanted and name not in out:
            out[name] = value
    return out


def value_integer(values: dict[str, str], name: str, default: int) -> int:
    raw = values.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise Invalid(f"Parameter '{name}' must be an integer, got {raw[:40]!r}") from None


def value_csv(values: dict[str, str], name: str) -> list[str]:
    return [v.strip() for v in values.get(name, "").split(",") if v.strip()]


def value_boolean(values: dict[str, str], name: str, default: bool = False) -> bool:
    raw = values.get(name, "")
    if not raw:
        return default
    if raw.lower() not in ("true", "false"):
        raise Invalid(f"Parameter '{name}' must be true or false, got {raw[:40]!r}")
    return raw.lower() == "true"


def value_options(values: dict[str, str], allowed: frozenset[str]) -> list[str]:
    given = value_csv(values, "options")
    for option in given:
        if option not in allowed:
            raise Invalid(f"Unknown option {option[:60]!r}: use {', '.join(sorted(allowed))}")
    return given

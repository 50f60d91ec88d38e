"""Every response the test suite receives, checked against the API contracts.

bondline promises that code written against Confluence Cloud or Reltio runs against it unchanged.
A test asserting a few fields proves little about that; this module checks the WHOLE body of every
2xx and 4xx response any test receives (through httpx — bondline's SDK included — or requests, which
atlassian-python-api uses) against the response schema of the operation it answered:

1. the vendor's own document, vendored under `src/bondline/openapi/vendor/` (Atlassian's newest
   Confluence Cloud v1 definitions for `/wiki/rest/api/...` and v2 definitions for `/wiki/api/v2/...`,
   Reltio's Operate and Ingest definitions
   for `/reltio/api/...` and `/services/reltio/api/...`), when it gives a schema for that status;
2. otherwise bondline's served `/openapi.json` (`bondline.openapi.document()`), which declares the
   dialect's error body for every 4xx the vendors leave without one, and bondline's own endpoints.

Validation is done by `openapi-schema-validator` (jsonschema with OpenAPI 3.0's `nullable`,
`readOnly`/`writeOnly` and formats), with each document's components, never by hand-written checks.
A response for an operation whose status neither document declares is a violation too.

Violations are collected rather than raised where the request was made (an httpx client inside the
server — the webhook dispatcher — must not see an exception that is about a test), and the test that
received them fails at teardown with every violation listed (`tests/conftest.py`). The terminal
summary says how many responses were validated, and against which document.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker

from bondline import openapi
from bondline.openapi import vendor

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclasses.dataclass(frozen=True)
class Operation:
    document: str  # "confluence", "confluence_v2", "reltio" or "bondline"
    path: str  # the template, as the document writes it
    method: str
    responses: dict[str, Any]
    query: frozenset[str]  # the query parameters the document gives the operation


class Document:
    """One OpenAPI document: its operations found by request path, and response validators."""

    def __init__(self, name: str, doc: dict[str, Any], rewrite: Callable[[str], str] = lambda p: p) -> None:
        self.name = name
        self.components = doc.get("components", {})
        self.rewrite = rewrite
        self._validators: dict[str, Any] = {}
        routes: list[tuple[int, re.Pattern[str], str, dict[str, Any]]] = []
        for template, item in doc.get("paths", {}).items():
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            # Literal segments win over templated ones (/space/_private before /space/{spaceKey}).
            routes.append((template.count("{"), re.compile(regex), template, item))
        routes.sort(key=lambda r: (r[0], -len(r[2])))
        self.routes = routes

    def operation(self, method: str, path: str) -> Operation | None:
        path = self.rewrite(path)
        for _, regex, template, item in self.routes:
            if regex.match(path):
                op = item.get(method.lower())
                if isinstance(op, dict):
                    params = [*item.get("parameters", []), *op.get("parameters", [])]
                    query = frozenset(p["name"] for p in params if isinstance(p, dict) and p.get("in") == "query")
                    return Operation(self.name, template, method.lower(), op.get("responses", {}), query)
        return None

    @staticmethod
    def response(op: Operation, status: int) -> dict[str, Any] | None:
        r = op.responses
        return r.get(str(status)) or r.get(f"{status // 100}XX") or r.get("default")

    def schema_of(self, response: dict[str, Any]) -> dict[str, Any] | None:
        content = response.get("content") or {}
        for media in ("application/json", "*/*", "application/json;charset=UTF-8"):
            if media in content and "schema" in content[media]:
                return content[media]["schema"]
        for media, entry in content.items():
            if "json" in media and "schema" in entry:
                return entry["schema"]
        return None

    def _validator(self, schema_json: str) -> Any:
        found = self._validators.get(schema_json)
        if found is None:
            # The components ride along at the root so "#/components/..." resolves within the document.
            root = {"allOf": [json.loads(schema_json)], "components": self.components}
            found = self._validators[schema_json] = OAS30ReadValidator(root, format_checker=oas30_format_checker)
        return found

    def validate(self, schema: dict[str, Any], body: Any) -> list[str]:
        validator = self._validator(json.dumps(schema, sort_keys=True))
        problems = []
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
            where = "".join(f"[{p!r}]" for p in error.absolute_path) or "(body)"
            problems.append(f"{where}: {_said(error)}")
        return problems[:10]


def _said(error: Any) -> str:
    """A validation error in one short line: jsonschema's own message when short, otherwise the
    keyword that failed and what it wanted (its message would repeat a whole object)."""
    if len(error.message) <= 160:
        return error.message
    wanted = json.dumps(error.validator_value, default=str)
    return f"{error.validator} {wanted[:120]} failed for a {type(error.instance).__name__}"


# Vendor operations whose answers Reltio's documentation widens beyond its OpenAPI definitions.
# bondline's document describes each answer as "the vendor's schema, or …", so it is the contract.
WIDENED = {
    ("post", "/services/reltio/api/{tenantId}/entities"):
        "docs.reltio.com, 'Create or Update Data Change Request Through Override': a caller with READ and "
        "INITIATE_CHANGE_REQUEST but no CREATE or UPDATE privilege gets 'JSON Object representing the DCR'",
    ("post", "/services/reltio/api/{tenantId}/relations"): "the same page, for relations",
}


def _bondline_governs(vendor_op: Operation, served_op: Operation, query: set[str], headers: set[str]) -> str:
    """Why bondline's document, not the vendor's, is this answer's contract ("" when it is not)."""
    if served_op.path.count("{") < vendor_op.path.count("{"):
        # A path the vendor's document matches only through a parameter (Reltio's GET
        # /entities/_search, which its definitions lack, taken for /entities/{id}) and bondline's names.
        return "a literal path the vendor's document lacks"
    unknown = query - vendor_op.query
    if unknown and unknown <= served_op.query:
        # Parameters only bondline's document gives (Reltio's `changeRequestId` and `alwaysCreateDCR`,
        # from the seed and Reltio's documentation): a documented extension.
        return "parameters the vendor's document lacks"
    if vendor_op.document == "reltio" and "environmenturl" in headers:
        # A Workflow API client: its answers come in the envelope (docs/decisions/0008).
        return "Reltio Workflow API envelope (EnvironmentURL)"
    if (vendor_op.method, vendor_op.path) in WIDENED:
        return "answers widened by the vendor's documentation"
    return ""


@dataclasses.dataclass
class Violation:
    method: str
    url: str
    status: int
    document: str
    operation: str
    problems: list[str]

    def __str__(self) -> str:
        lines = "\n      ".join(self.problems)
        return f"{self.method} {self.url} -> {self.status} ({self.document}: {self.operation})\n      {lines}"


def _reltio_path(path: str) -> str:
    # bondline serves Reltio's API at /reltio/api/... (as Reltio's hosts do) and at the documents'
    # /services/reltio/api/...; both are the document's operation.
    return "/services" + path if path.startswith("/reltio/api/") else path


class Contract:
    """The documents, the checks made so far, and the violations not yet reported to a test."""

    def __init__(self) -> None:
        self.vendors = [
            Document("confluence", vendor.confluence()),
            Document("confluence_v2", vendor.confluence_v2()),
            Document("reltio", vendor.reltio(), rewrite=_reltio_path),
        ]
        self.served = Document("bondline", openapi.document(), rewrite=lambda p: p)
        self.counts: Counter[str] = Counter()
        self.where: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.violations: list[Violation] = []
        self._lock = threading.Lock()

    def check(self, method: str, url: str, headers: Iterable[str], status: int, content_type: str,
              body: bytes) -> None:
        parts = urlsplit(url)
        path, query = parts.path, {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
        vendor_op = next((op for doc in self.vendors if (op := doc.operation(method, path))), None)
        served_op = self.served.operation(method, path)
        if vendor_op and served_op:
            why = _bondline_governs(vendor_op, served_op, query, {h.lower() for h in headers})
            if why:
                self.counts[f"vendor operation, bondline's document: {why}"] += 1
                vendor_op = None
        if vendor_op is None and served_op is None:
            self.note("no operation (unknown path or method)", f"{method} {path}")
            return
        # The vendor's schema for this status if it has one; bondline's document otherwise.
        candidates = [(doc, op) for doc, op in ((self._doc(vendor_op), vendor_op), (self.served, served_op)) if op]
        declared = [(doc, op, r) for doc, op in candidates if (r := Document.response(op, status)) is not None]
        op_name = f"{(vendor_op or served_op).method.upper()} {(vendor_op or served_op).path}"  # type: ignore[union-attr]
        if not declared and status >= 500:
            # A 5xx an operation does not declare (a fault injected on a test server, a health check
            # reporting a stopped database) has no contract to meet; declared ones are checked.
            self.note("5xx not declared (not checked)", f"{status} {op_name}")
            return
        if not declared:
            self._violate(method, url, status, candidates[0][0].name, op_name, ["status not declared by any document"])
            return
        for doc, _op, response in declared:
            schema = doc.schema_of(response)
            if schema is None:
                continue
            if not body:
                self._violate(method, url, status, doc.name, op_name, ["empty body where a JSON body is declared"])
                return
            if "json" not in content_type:
                self._violate(method, url, status, doc.name, op_name, [f"content type {content_type!r}, not JSON"])
                return
            try:
                parsed = json.loads(body)
            except ValueError as exc:
                self._violate(method, url, status, doc.name, op_name, [f"not JSON: {exc}"])
                return
            problems = doc.validate(schema, parsed)
            if problems:
                self._violate(method, url, status, doc.name, op_name, problems)
                return
            self.counts[f"body valid against {doc.name}"] += 1
            return
        if body:
            self.note("body without a declared schema", op_name)
        else:
            self.counts["no body declared (e.g. 204)"] += 1

    def _doc(self, op: Operation | None) -> Document:
        return next((d for d in self.vendors if op and d.name == op.document), self.served)

    def _violate(self, method: str, url: str, status: int, document: str, operation: str, problems: list[str]) -> None:
        with self._lock:
            self.counts["VIOLATIONS"] += 1
            self.violations.append(Violation(method, url, status, document, operation, problems))

    def take_violations(self) -> list[Violation]:
        with self._lock:
            found, self.violations = self.violations, []
        return found

    def note(self, category: str, where: str) -> None:
        """Count a response that was not validated, remembering where (for the summary)."""
        self.counts[category] += 1
        self.where[category][where] += 1

    @property
    def validated(self) -> int:
        return sum(n for k, n in self.counts.items() if k.startswith("body valid") or k.startswith("no body"))

    def summary(self) -> list[str]:
        total = sum(self.counts.values())
        lines = [f"{self.validated} of {total} responses received by the suite validated against the contracts"]
        for what, n in sorted(self.counts.items(), key=lambda kv: -kv[1]):
            lines.append(f"  {n:>7}  {what}")
            lines += [f"           {m:>6}  {where}" for where, m in self.where[what].most_common(5)]
        return lines


# --- hooks into the HTTP clients the suite uses ----------------------------------------------------

def install(contract: Contract) -> Callable[[], None]:
    """Wrap httpx's and requests' `send`; returns a function that undoes it."""
    import httpx

    undo: list[Callable[[], None]] = []

    def record_httpx(request: httpx.Request, response: httpx.Response) -> None:
        if not hasattr(response, "_content"):
            contract.note("streamed (not checked)", f"{request.method} {request.url.path}")
            return
        contract.check(request.method, str(request.url), request.headers.keys(), response.status_code,
                       response.headers.get("content-type", ""), response.content)

    sync_send, async_send = httpx.Client.send, httpx.AsyncClient.send

    def send(self: httpx.Client, request: httpx.Request, *args: Any, **kwargs: Any) -> httpx.Response:
        response = sync_send(self, request, *args, **kwargs)
        if isinstance(self._transport, httpx.MockTransport):  # a test's canned answer, not bondline's
            contract.counts["canned by a test (not bondline)"] += 1
        else:
            record_httpx(request, response)
        return response

    async def asend(self: httpx.AsyncClient, request: httpx.Request, *args: Any, **kwargs: Any) -> httpx.Response:
        response = await async_send(self, request, *args, **kwargs)
        if isinstance(self._transport, httpx.MockTransport):
            contract.counts["canned by a test (not bondline)"] += 1
        else:
            record_httpx(request, response)
        return response

    httpx.Client.send, httpx.AsyncClient.send = send, asend  # type: ignore[method-assign]
    undo.append(lambda: (setattr(httpx.Client, "send", sync_send), setattr(httpx.AsyncClient, "send", async_send)))

    try:
        import requests
    except ImportError:  # atlassian-python-api is not installed: nothing uses requests
        pass
    else:
        requests_send = requests.Session.send

        def rsend(self: requests.Session, request: Any, **kwargs: Any) -> Any:
            response = requests_send(self, request, **kwargs)
            # A followed redirect: `request` got the first of `history` (each later hop went through
            # this `send` again, and was checked there).
            answer = response.history[0] if response.history else response
            if kwargs.get("stream"):
                contract.note("streamed (not checked)", f"{request.method} {request.path_url}")
            else:
                contract.check(request.method, request.url, request.headers.keys(), answer.status_code,
                               answer.headers.get("content-type", ""), answer.content)
            return response

        requests.Session.send = rsend  # type: ignore[method-assign]
        undo.append(lambda: setattr(requests.Session, "send", requests_send))

    def uninstall() -> None:
        for step in undo:
            step()

    return uninstall

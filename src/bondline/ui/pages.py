"""Rendering the review inbox: Jinja2 templates (autoescaped, every one), HTML responses with the
security headers every UI response carries, and the UI's error pages (the `ui` dialect)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2

from bondline.domain.errors import DomainError
from bondline.http import Request, Response, retry_after
from bondline.http.errors import status_of
from bondline.ui import wording

HTML = b"text/html; charset=utf-8"
CSP = (b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       b"frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
NO_STORE = (b"cache-control", b"no-store")


def _when(ms: Any) -> str:
    if not isinstance(ms, int):
        return ""
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _state_name(state: str) -> str:
    return {"AWAITING_REVIEW": "Awaiting review", "APPLIED": "Applied", "REJECTED": "Rejected"}.get(state, state)


ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("bondline.ui", "templates"),
    autoescape=True,  # every template, whatever its name
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["when"] = _when
ENV.filters["state_name"] = _state_name
ENV.globals["describe"] = wording.describe
ENV.globals["describe_object"] = wording.describe_object
ENV.globals["short_type"] = wording.short_type
ENV.globals["headline"] = wording.headline
ENV.globals["now_and_staged"] = wording.now_and_staged


def render(template: str, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None,
           **context: Any) -> Response:
    context.setdefault("me", None)
    context.setdefault("csrf", "")
    context.setdefault("title", "Review inbox")
    body = ENV.get_template(template).render(**context).encode()
    return Response(status, body, HTML, [*SECURITY_HEADERS, NO_STORE, *(headers or [])])


def redirect(location: str, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
    """303 See Other: after a form, the browser GETs `location` (a path on this site)."""
    return Response(303, b"", None, [(b"location", location.encode()), *SECURITY_HEADERS, NO_STORE,
                                     *(headers or [])])


class UIDialect:
    """Errors under /ui are pages: a missing or ended session goes to the sign-in form, anything
    else is a short page with the status and the reason (never a stack trace)."""

    name = "ui"

    def error(self, request: Request | None, err: DomainError) -> Response:
        status = status_of(err)
        if status == 401:
            return redirect("/ui/sign-in")
        titles = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Method not allowed",
                  409: "Conflict", 413: "Too large", 500: "Something went wrong", 503: "Busy"}
        title = "Something went wrong" if err.reason == "INTERNAL" else titles.get(status, "Error")
        headers = [retry_after(err)] if status == 503 else None
        return render("error.html", status, headers, title=title, message=err.message)


DIALECT = UIDialect()

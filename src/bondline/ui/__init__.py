"""The review inbox: server-rendered pages under ``/ui`` where reviewers read a Reltio tenant's data
change requests (headed by what they change and to whom, every item in words, conflicts flagged with
the current value beside the staged one; filtered by creator or object) and apply or reject them
after a confirmation step, each outcome a page fetched after a redirect.

Built on bondline's own HTTP layer (no framework; nothing here is on the hot path): Jinja2
templates, plain HTML forms (no JavaScript at all), a session cookie carrying a random secret that
the server keeps as a hash (`services.ui_sessions`) and per-session CSRF tokens (`sessions`), pages
and security headers (`pages`), routes (`routes`)."""

from __future__ import annotations

from typing import Any


def install(app: Any) -> None:
    from bondline.ui import routes

    routes.install(app)

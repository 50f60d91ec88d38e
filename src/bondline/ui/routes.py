"""The review inbox's routes: thin handlers that read the session, check the form's CSRF token,
call the services, and render a page. Who may do what is decided by the services (through
`domain.access`); the pages only use the same rules to decide which buttons to show."""

from __future__ import annotations

import dataclasses
import mimetypes
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from bondline import ids
from bondline.domain.errors import Forbidden, Invalid, NotFound, Unauthenticated
from bondline.domain.model import Caller
from bondline.domain.reltio import workflow as wf
from bondline.http import Request, Response
from bondline.services import ui_sessions
from bondline.services.reltio import inbox, workflow
from bondline.ui import sessions, wording
from bondline.ui.pages import DIALECT, SECURITY_HEADERS, redirect, render

STATIC = {"ui.css"}
DONE = ("applied", "rejected", "already")  # what a decision's redirect says happened
MAX_TOKEN_CHARS = 200


class CsrfFailed(Forbidden):
    default_reason = "CSRF_TOKEN_INVALID"


@dataclasses.dataclass(frozen=True, slots=True)
class Visitor:
    """Who is looking at a page: their session, and (signed in) the caller it stands for."""

    session: sessions.Session
    caller: Caller
    csrf: str


def _form(req: Request) -> dict[str, str]:
    try:
        text = req.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("The form is not valid UTF-8") from None
    form: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        form.setdefault(key, value)
    return form


def _tenant_path(tenant: str, *rest: str) -> str:
    return "/ui/tenants/" + "/".join(quote(part, safe="") for part in (tenant, *rest))


class ReviewInbox:
    def __init__(self, app: Any) -> None:
        self.app = app

    # --- sessions ------------------------------------------------------------------------------------
    def secure(self, req: Request) -> bool:
        """Cookies get `Secure` when the page is served over https, or behind a proxy that a
        configured https public URL says terminates TLS."""
        return req.scope.get("scheme") == "https" or self.app.settings.public_url.lower().startswith("https://")

    async def session_of(self, req: Request) -> sessions.Session | None:
        """The cookie's session: a pre-sign-in one as it is, a signed-in one only while the server
        still has it (not signed out, not ended); None otherwise."""
        found = sessions.read_cookie(sessions.parse_cookies(req.header(b"cookie")).get(sessions.COOKIE))
        if found is None:
            return None
        kind, secret = found
        if kind == sessions.ANONYMOUS:
            return sessions.Session(secret, None)
        stored = await ui_sessions.find(self.app.store, secret, ids.now_ms())
        return sessions.Session(secret, stored.token_id) if stored is not None else None

    async def visitor(self, req: Request, session: sessions.Session | None = None) -> Visitor:
        """The signed-in visitor (of `session` when the caller already has it); Unauthenticated (→ the
        sign-in page) otherwise. The session's token is checked again on every request: revoked or
        expired, the session is over."""
        if session is None:
            session = await self.session_of(req)
        if session is None or session.token_id is None:
            raise Unauthenticated("Please sign in")
        user, _token = await self.app.auth.user_for_token_id(session.token_id)
        return Visitor(session, Caller.of(user, req.request_id), sessions.csrf_token(session))

    async def posted(self, req: Request) -> tuple[Visitor, dict[str, str]]:
        """A signed-in visitor's form, after its CSRF token checked out (403 otherwise)."""
        session = await self.session_of(req)
        form = _form(req)
        if not sessions.csrf_ok(session, form.get("csrf")):
            raise CsrfFailed("The form's security token is missing or does not match your session. Reload the page "
                             "and try again.")
        return await self.visitor(req, session), form

    def cookie(self, req: Request, session: sessions.Session, expires_at: int) -> tuple[bytes, bytes]:
        seconds = (expires_at - ids.now_ms()) // 1000
        return (b"set-cookie", sessions.set_cookie(session.cookie, seconds, self.secure(req)))

    # --- pages ---------------------------------------------------------------------------------------
    async def root(self, req: Request) -> Response:
        return redirect("/ui/")

    async def home(self, req: Request) -> Response:
        v = await self.visitor(req)
        tenants = await inbox.tenants_for(self.app.store, v.caller)
        return render("tenants.html", me=v.caller, csrf=v.csrf, tenants=tenants, tenant_path=_tenant_path)

    async def sign_in_form(self, req: Request) -> Response:
        session = await self.session_of(req)
        if session is not None and session.signed_in:
            try:
                await self.app.auth.user_for_token_id(session.token_id)
                return redirect("/ui/")
            except Unauthenticated:
                session = None
        headers = []
        if session is None:
            session = sessions.anonymous()
            headers.append(self.cookie(req, session, ids.now_ms() + sessions.ANONYMOUS_LIFETIME_MS))
        return render("sign_in.html", headers=headers, csrf=sessions.csrf_token(session), error=None,
                      title="Sign in")

    async def sign_in(self, req: Request) -> Response:
        session = await self.session_of(req)
        form = _form(req)
        if not sessions.csrf_ok(session, form.get("csrf")):
            raise CsrfFailed("The sign-in form has expired or did not come from this site. Reload it and try again.")
        assert session is not None
        token = form.get("token", "").strip()
        try:
            if not token or len(token) > MAX_TOKEN_CHARS:
                raise Unauthenticated("Enter a bondline API token")
            user, stored = await self.app.auth.check_token(token)
        except Unauthenticated as err:
            return render("sign_in.html", 401, csrf=sessions.csrf_token(session), error=err.message,
                          title="Sign in")
        # A new secret (never the one presented: no session fixation); the session signed in from,
        # if any, ends here.
        now = ids.now_ms()
        expires_at = sessions.expiry(now, stored.expires_at)
        secret = await ui_sessions.start(self.app.store, stored, expires_at, now,
                                         replaces=session.secret if session.signed_in else None)
        # With one tenant to review there is nothing to pick: land on its inbox.
        tenants = await inbox.tenants_for(self.app.store, Caller.of(user, req.request_id))
        landing = _tenant_path(tenants[0].tenant) if len(tenants) == 1 else "/ui/"
        return redirect(landing, [self.cookie(req, sessions.Session(secret, stored.id), expires_at)])

    async def sign_out(self, req: Request) -> Response:
        # Only the CSRF token matters: signing out works even when the token has just been revoked.
        session = await self.session_of(req)
        if not sessions.csrf_ok(session, _form(req).get("csrf")):
            raise CsrfFailed("The form's security token is missing or does not match your session. Reload the page "
                             "and try again.")
        assert session is not None
        if session.signed_in:
            await ui_sessions.end(self.app.store, session.secret)  # the cookie is dead in every worker at once
        return redirect("/ui/sign-in", [(b"set-cookie", sessions.clear_cookie(self.secure(req)))])

    async def tenant(self, req: Request) -> Response:
        v = await self.visitor(req)
        tenant = req.params["tenant"]
        number = req.q("page") or "1"
        filters = inbox.check_filters(req.q("createdBy"), req.q("object"))
        page = await inbox.page(self.app.store, v.caller, tenant, inbox.check_state(req.q("state")),
                                int(number) if number.isdigit() and len(number) < 7 else 1, filters=filters)

        def listing(state: str, number: int = 1) -> str:
            """This listing's address in `state` (page `number`), keeping its filters."""
            query = {"state": state, "createdBy": filters.created_by, "object": filters.object_uri,
                     "page": str(number) if number > 1 else None}
            return _tenant_path(tenant) + "?" + urlencode({k: v for k, v in query.items() if v})

        # The filtered object by its label, as the requests shown know it (its URI otherwise).
        infos = [s.view.objects_info or {} for s in page.requests]
        known = next((i[filters.object_uri] for i in infos if filters.object_uri in i), None)
        object_label = (wording.describe_object(filters.object_uri, known).text if known and filters.object_uri
                        else filters.object_uri)
        return render("inbox.html", me=v.caller, csrf=v.csrf, page=page, tenant_path=_tenant_path,
                      listing=listing, object_label=object_label, states=inbox.STATES,
                      title=f"{page.tenant} · Review inbox")

    async def detail(self, req: Request, template: str = "detail.html", **context: Any) -> Response:
        v = await self.visitor(req)
        tenant, request_id = req.params["tenant"], req.params["id"]
        shown, can_accept = await inbox.detail(self.app.store, v.caller, tenant, request_id)
        # The confirmation step says why there is nothing to confirm for a reader, as a 403.
        status = 403 if template == "confirm.html" and not can_accept else 200
        return render(template, status, me=v.caller, csrf=v.csrf, tenant=tenant, shown=shown, can_accept=can_accept,
                      tenant_path=_tenant_path, limit=inbox.DETAIL_ITEMS, title=f"{shown.view.request.uri} · {tenant}",
                      **context)

    async def detail_page(self, req: Request) -> Response:
        """A change request; after a decision (the redirect's `done`), what became of it."""
        done = req.q("done")
        return await self.detail(req, done=done if done in DONE else None)

    async def confirm_apply(self, req: Request) -> Response:
        """The step before applying: the request in full and a form that applies it (or, when it has
        conflicts, one that applies it ignoring them). `conflicts=1`: an apply just failed on them."""
        return await self.detail(req, "confirm.html", action="apply", failed=req.q("conflicts") == "1")

    async def confirm_reject(self, req: Request) -> Response:
        return await self.detail(req, "confirm.html", action="reject", failed=False)

    async def apply(self, req: Request) -> Response:
        v, form = await self.posted(req)
        tenant, request_id = req.params["tenant"], req.params["id"]
        here = _tenant_path(tenant, "changeRequests", request_id)
        if form.get("confirm") != "yes":  # a form that skipped the confirmation step: show it
            return redirect(here + "/apply")
        try:
            await workflow.decide(self.app.store, v.caller, tenant, request_id, wf.APPROVE,
                                  form.get("ignoreConflicts") == "true")
        except Invalid as err:
            # Every outcome is a page the browser GETs after a redirect: refreshing it resubmits nothing.
            if err.reason == "CHANGE_REQUEST_HAS_CONFLICTS":
                return redirect(here + "/apply?conflicts=1")
            if err.reason == "CHANGE_REQUEST_STATE_INVALID":
                return redirect(here + "?done=already")
            raise
        return redirect(here + "?done=applied")

    async def reject(self, req: Request) -> Response:
        v, form = await self.posted(req)
        tenant, request_id = req.params["tenant"], req.params["id"]
        here = _tenant_path(tenant, "changeRequests", request_id)
        if form.get("confirm") != "yes":
            return redirect(here + "/reject")
        try:
            await workflow.decide(self.app.store, v.caller, tenant, request_id, wf.REJECT)
        except Invalid as err:
            if err.reason == "CHANGE_REQUEST_STATE_INVALID":
                return redirect(here + "?done=already")
            raise
        return redirect(here + "?done=rejected")

    async def static(self, req: Request) -> Response:
        name = req.params["name"]
        if name not in STATIC:
            raise NotFound(f"No file {name[:60]!r}")
        data = resources.files("bondline.ui").joinpath("static", name).read_bytes()
        kind = (mimetypes.guess_type(name)[0] or "application/octet-stream").encode()
        return Response(200, data, kind, [*SECURITY_HEADERS, (b"cache-control", b"public, max-age=3600")])


Handler = Callable[[Request], Awaitable[Response]]


def install(app: Any) -> None:
    ui = ReviewInbox(app)
    app.claim_prefix("/ui/", DIALECT)
    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/ui", ui.root),
        ("GET", "/ui/", ui.home),
        ("GET", "/ui/sign-in", ui.sign_in_form),
        ("POST", "/ui/sign-in", ui.sign_in),
        ("POST", "/ui/sign-out", ui.sign_out),
        ("GET", "/ui/tenants/{tenant}", ui.tenant),
        ("GET", "/ui/tenants/{tenant}/changeRequests/{id}", ui.detail_page),
        ("GET", "/ui/tenants/{tenant}/changeRequests/{id}/apply", ui.confirm_apply),
        ("POST", "/ui/tenants/{tenant}/changeRequests/{id}/apply", ui.apply),
        ("GET", "/ui/tenants/{tenant}/changeRequests/{id}/reject", ui.confirm_reject),
        ("POST", "/ui/tenants/{tenant}/changeRequests/{id}/reject", ui.reject),
        ("GET", "/ui/static/{name}", ui.static),
    ]
    for method, pattern, handler in routes:
        # The UI authenticates with its own session cookie, not the Authorization header.
        app.route(method, pattern, handler, dialect=DIALECT, auth="none")


__all__ = ["ReviewInbox", "install"]

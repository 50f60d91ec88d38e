"""The review inbox's routes: thin handlers that read the session, check the form's CSRF token,
call the services, and render a page. Who may do what is decided by the services (through
`domain.access`); the pages only use the same rules to decide which buttons to show."""

from __future__ import annotations

import dataclasses
import mimetypes
from importlib import resources
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, quote

from bondline import ids
from bondline.domain.errors import Forbidden, Invalid, NotFound, Unauthenticated
from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.http import Request, Response
from bondline.services import secrets as server_secrets
from bondline.services.reltio import change_requests, inbox
from bondline.ui import sessions
from bondline.ui.pages import DIALECT, SECURITY_HEADERS, redirect, render

KEY_NAME = "ui_session"
STATIC = {"ui.css"}
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
        self._key: bytes | None = None

    # --- sessions ------------------------------------------------------------------------------------
    async def key(self) -> bytes:
        if self._key is None:
            self._key = await server_secrets.shared_key(self.app.store, KEY_NAME)
        return self._key

    def secure(self, req: Request) -> bool:
        """Cookies get `Secure` when the page is served over https, or behind a proxy that a
        configured https public URL says terminates TLS."""
        return req.scope.get("scheme") == "https" or self.app.settings.public_url.lower().startswith("https://")

    async def session_of(self, req: Request) -> sessions.Session | None:
        value = sessions.parse_cookies(req.header(b"cookie")).get(sessions.COOKIE)
        return sessions.decode(await self.key(), value, ids.now_ms())

    async def visitor(self, req: Request) -> Visitor:
        """The signed-in visitor; Unauthenticated (→ the sign-in page) otherwise. The session's
        token is checked again on every request: revoked or expired, the session is over."""
        session = await self.session_of(req)
        if session is None or session.token_id is None:
            raise Unauthenticated("Please sign in")
        user, _token = await self.app.auth.user_for_token_id(session.token_id)
        return Visitor(session, Caller.of(user), sessions.csrf_token(await self.key(), session))

    async def posted(self, req: Request) -> tuple[Visitor, dict[str, str]]:
        """A signed-in visitor's form, after its CSRF token checked out (403 otherwise)."""
        session = await self.session_of(req)
        form = _form(req)
        if not sessions.csrf_ok(await self.key(), session, form.get("csrf")):
            raise CsrfFailed("The form's security token is missing or does not match your session. Reload the page "
                             "and try again.")
        return await self.visitor(req), form

    def cookie(self, req: Request, session: sessions.Session, key: bytes) -> tuple[bytes, bytes]:
        seconds = (session.expires_at - ids.now_ms()) // 1000
        return (b"set-cookie", sessions.set_cookie(sessions.encode(key, session), seconds, self.secure(req)))

    # --- pages ---------------------------------------------------------------------------------------
    async def root(self, req: Request) -> Response:
        return redirect("/ui/")

    async def home(self, req: Request) -> Response:
        v = await self.visitor(req)
        tenants = await inbox.tenants_for(self.app.store, v.caller)
        return render("tenants.html", me=v.caller, csrf=v.csrf, tenants=tenants, tenant_path=_tenant_path)

    async def sign_in_form(self, req: Request) -> Response:
        key = await self.key()
        session = await self.session_of(req)
        if session is not None and session.signed_in:
            try:
                await self.app.auth.user_for_token_id(session.token_id)
                return redirect("/ui/")
            except Unauthenticated:
                session = None
        headers = []
        if session is None:
            session = sessions.new_session(None, ids.now_ms())
            headers.append(self.cookie(req, session, key))
        return render("sign_in.html", headers=headers, csrf=sessions.csrf_token(key, session), error=None,
                      title="Sign in")

    async def sign_in(self, req: Request) -> Response:
        key = await self.key()
        session = await self.session_of(req)
        form = _form(req)
        if not sessions.csrf_ok(key, session, form.get("csrf")):
            raise CsrfFailed("The sign-in form has expired or did not come from this site. Reload it and try again.")
        assert session is not None
        token = form.get("token", "").strip()
        try:
            if not token or len(token) > MAX_TOKEN_CHARS:
                raise Unauthenticated("Enter a bondline API token")
            user, stored = await self.app.auth.check_token(token)
        except Unauthenticated as err:
            return render("sign_in.html", 401, csrf=sessions.csrf_token(key, session), error=err.message,
                          title="Sign in")
        fresh = sessions.new_session(stored.id, ids.now_ms(), stored.expires_at)
        return redirect("/ui/", [self.cookie(req, fresh, key)])

    async def sign_out(self, req: Request) -> Response:
        # Only the CSRF token matters: signing out works even when the token has just been revoked.
        if not sessions.csrf_ok(await self.key(), await self.session_of(req), _form(req).get("csrf")):
            raise CsrfFailed("The form's security token is missing or does not match your session. Reload the page "
                             "and try again.")
        return redirect("/ui/sign-in", [(b"set-cookie", sessions.clear_cookie(self.secure(req)))])

    async def tenant(self, req: Request) -> Response:
        v = await self.visitor(req)
        tenant = req.params["tenant"]
        number = req.q("page") or "1"
        page = await inbox.page(self.app.store, v.caller, tenant, inbox.check_state(req.q("state")),
                                int(number) if number.isdigit() and len(number) < 7 else 1)
        notice = None
        done, which = req.q("done"), req.q("id")
        if done in ("applied", "rejected") and which:
            notice = f"Change request {which[:16]} {done}."
        return render("inbox.html", me=v.caller, csrf=v.csrf, page=page, notice=notice, tenant_path=_tenant_path,
                      states=inbox.STATES, title=f"{page.tenant} · Review inbox")

    async def detail(self, req: Request, *, status: int = 200, problem: str | None = None,
                     offer_ignore: bool = False, visitor: Visitor | None = None) -> Response:
        v = visitor or await self.visitor(req)
        tenant, request_id = req.params["tenant"], req.params["id"]
        shown, can_accept = await inbox.detail(self.app.store, v.caller, tenant, request_id)
        return render("detail.html", status, me=v.caller, csrf=v.csrf, tenant=tenant, shown=shown,
                      can_accept=can_accept, problem=problem, offer_ignore=offer_ignore and can_accept,
                      tenant_path=_tenant_path, limit=inbox.DETAIL_ITEMS,
                      title=f"{shown.view.request.uri} · {tenant}")

    async def detail_page(self, req: Request) -> Response:
        return await self.detail(req)

    async def apply(self, req: Request) -> Response:
        v, form = await self.posted(req)
        tenant, request_id = req.params["tenant"], req.params["id"]
        ignore = form.get("ignoreConflicts") == "true"
        try:
            await change_requests.apply(self.app.store, v.caller, tenant, request_id, ignore)
        except Invalid as err:
            if err.reason == "CHANGE_REQUEST_HAS_CONFLICTS":
                return await self.detail(req, status=409, visitor=v, offer_ignore=True, problem=(
                    "This change request has conflicts: its objects changed since it was made (listed below). "
                    "Nothing was applied."))
            if err.reason == "CHANGE_REQUEST_STATE_INVALID":
                return await self.detail(req, status=409, visitor=v, problem=err.message)
            raise
        return redirect(_tenant_path(tenant) + f"?done=applied&id={quote(request_id, safe='')}")

    async def reject(self, req: Request) -> Response:
        v, _form_ = await self.posted(req)
        tenant, request_id = req.params["tenant"], req.params["id"]
        try:
            await change_requests.reject(self.app.store, v.caller, tenant, request_id)
        except Invalid as err:
            if err.reason == "CHANGE_REQUEST_STATE_INVALID":
                return await self.detail(req, status=409, visitor=v, problem=err.message)
            raise
        return redirect(_tenant_path(tenant) + f"?state={ch.REJECTED}&done=rejected&id={quote(request_id, safe='')}")

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
        ("POST", "/ui/tenants/{tenant}/changeRequests/{id}/apply", ui.apply),
        ("POST", "/ui/tenants/{tenant}/changeRequests/{id}/reject", ui.reject),
        ("GET", "/ui/static/{name}", ui.static),
    ]
    for method, pattern, handler in routes:
        # The UI authenticates with its own session cookie, not the Authorization header.
        app.route(method, pattern, handler, dialect=DIALECT, auth="none")


__all__ = ["ReviewInbox", "install"]

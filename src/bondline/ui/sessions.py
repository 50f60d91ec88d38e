"""Review inbox sessions as the browser sees them: the cookie, and the CSRF token of each session.

The cookie carries a random secret and nothing else: ``s.{secret}`` for a signed-in session, which
the server keeps (only as a hash, `services.ui_sessions`, with the token it was signed in with),
and ``a.{secret}`` before sign-in. No key signs anything, so nothing in the database (or a backup
of it) makes a cookie the server accepts.

The pre-sign-in cookie only ties the sign-in form to the browser that loaded it (against login
CSRF), so nothing is stored for it and anonymous visitors write nothing: another site can neither
read the victim's cookie nor set it (HttpOnly, SameSite=Strict), so it cannot post the matching CSRF
token; anyone can make such a pair for themselves, exactly as by loading the form. It grants nothing.

A session's CSRF token is an HMAC keyed by its secret, compared in constant time: not the stored
hash, and not derivable from it. Signing in makes a new secret, so a CSRF token seen before sign-in
is worthless after.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import secrets

COOKIE = "bondline_ui"
PATH = "/ui"
LIFETIME_MS = 8 * 3600 * 1000  # a signed-in session (never beyond its token's own expiry)
ANONYMOUS_LIFETIME_MS = 3600 * 1000  # the cookie that only carries the sign-in form's CSRF token
SIGNED_IN = "s"
ANONYMOUS = "a"
_SECRET = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@dataclasses.dataclass(frozen=True, slots=True)
class Session:
    secret: str  # what the cookie carries; the server keeps only its hash
    token_id: str | None  # None: not signed in yet

    @property
    def signed_in(self) -> bool:
        return self.token_id is not None

    @property
    def cookie(self) -> str:
        return f"{SIGNED_IN if self.signed_in else ANONYMOUS}.{self.secret}"


def anonymous() -> Session:
    return Session(secrets.token_urlsafe(32), None)


def read_cookie(value: str | None) -> tuple[str, str] | None:
    """(kind, secret) of a cookie value shaped like ours; None otherwise. Says nothing about whether
    the session exists: that is the server's to look up."""
    if not value:
        return None
    kind, sep, secret = value.partition(".")
    if not sep or kind not in (SIGNED_IN, ANONYMOUS) or not _SECRET.fullmatch(secret):
        return None
    return kind, secret


def expiry(now: int, token_expires_at: int | None) -> int:
    """When a session signed in now ends: after LIFETIME_MS, or with its token if that is sooner."""
    expires = now + LIFETIME_MS
    return expires if token_expires_at is None else min(expires, token_expires_at)


def csrf_token(session: Session) -> str:
    digest = hmac.new(session.secret.encode(), b"bondline ui csrf", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def csrf_ok(session: Session | None, presented: str | None) -> bool:
    if session is None or not presented:
        return False
    return hmac.compare_digest(presented.encode(), csrf_token(session).encode())


def parse_cookies(header: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name and name not in out:
            out[name] = value.strip().strip('"')
    return out


def set_cookie(value: str, max_age_seconds: int, secure: bool) -> bytes:
    """The Set-Cookie header: HttpOnly, SameSite=Strict, scoped to /ui, Secure over https."""
    flags = f"{COOKIE}={value}; Path={PATH}; Max-Age={max(0, max_age_seconds)}; HttpOnly; SameSite=Strict"
    if secure:
        flags += "; Secure"
    return flags.encode()


def clear_cookie(secure: bool) -> bytes:
    return set_cookie("", 0, secure)

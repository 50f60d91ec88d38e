"""Review inbox sessions: signed cookies, and CSRF tokens derived from them. Pure functions of a
server key (`services.secrets.shared_key`, the same in every worker) and the clock.

A session cookie is ``1.{tokenId}.{expiresMs}.{nonce}.{mac}``: the id of the bondline token the user
signed in with (``-`` before sign-in), when the session ends, a random nonce, and an HMAC-SHA256 of
the rest under the server key. Nothing else is stored anywhere, so any worker can read it; the
token is re-checked on every request (revoking or expiring it ends the session at once). The CSRF
token of a session is an HMAC of its nonce under the same key (with another purpose), compared in
constant time. Signing in replaces the nonce, so a CSRF token seen before sign-in is worthless after.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets

COOKIE = "bondline_ui"
PATH = "/ui"
LIFETIME_MS = 8 * 3600 * 1000  # a signed-in session (never beyond its token's own expiry)
ANONYMOUS_LIFETIME_MS = 3600 * 1000  # the session that only carries the sign-in form's CSRF token
_VERSION = "1"
_ANONYMOUS = "-"


@dataclasses.dataclass(frozen=True, slots=True)
class Session:
    token_id: str | None  # None: not signed in yet
    expires_at: int  # epoch ms
    nonce: str

    @property
    def signed_in(self) -> bool:
        return self.token_id is not None


def _mac(key: bytes, purpose: str, message: str) -> str:
    digest = hmac.new(key, f"{purpose}\n{message}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_session(token_id: str | None, now: int, token_expires_at: int | None = None) -> Session:
    lifetime = LIFETIME_MS if token_id is not None else ANONYMOUS_LIFETIME_MS
    expires = now + lifetime
    if token_expires_at is not None:
        expires = min(expires, token_expires_at)
    return Session(token_id, expires, secrets.token_urlsafe(16))


def encode(key: bytes, session: Session) -> str:
    payload = f"{_VERSION}.{session.token_id or _ANONYMOUS}.{session.expires_at}.{session.nonce}"
    return f"{payload}.{_mac(key, 'session', payload)}"


def decode(key: bytes, value: str | None, now: int) -> Session | None:
    """The session a cookie value carries; None when it is missing, forged, malformed or expired."""
    if not value or len(value) > 200:
        return None
    payload, _, mac = value.rpartition(".")
    if not payload or not hmac.compare_digest(mac.encode(), _mac(key, "session", payload).encode()):
        return None
    parts = payload.split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not parts[2].isdigit():
        return None
    expires = int(parts[2])
    if expires <= now:
        return None
    return Session(None if parts[1] == _ANONYMOUS else parts[1], expires, parts[3])


def csrf_token(key: bytes, session: Session) -> str:
    return _mac(key, "csrf", session.nonce)


def csrf_ok(key: bytes, session: Session | None, presented: str | None) -> bool:
    if session is None or not presented:
        return False
    return hmac.compare_digest(presented.encode(), csrf_token(key, session).encode())


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

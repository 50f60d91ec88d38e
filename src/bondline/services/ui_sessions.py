"""Review inbox sessions, kept by the server.

A signed-in session is a random secret (32 bytes from `secrets`) that only the visitor's cookie
carries. The database keeps its SHA-256 (`ui_sessions`), the token it was signed in with, and when
it ends; a lookup hashes the presented secret, finds the row by that hash and compares the two in
constant time. Every worker reads the same rows, so signing out (deleting the row) ends a session
everywhere at once, and a copy of the database (a backup) holds only hashes, from which no cookie
can be made. Whether the session's token is still good is the caller's check (`Authenticator.
user_for_token_id`), made on every request."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bondline.domain.audit import SYSTEM_ACTOR
from bondline.domain.errors import Unauthenticated
from bondline.domain.model import Token
from bondline.store import IntegrityViolation, Store
from bondline.store.repos.ui_sessions import StoredSession

SECRET_BYTES = 32


def new_secret() -> str:
    """43 URL-safe characters: 256 random bits."""
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def start(store: Store, token: Token, expires_at: int, now: int, replaces: str | None = None) -> str:
    """A new session for `token`, ending at `expires_at`; returns its secret (for the cookie only).

    In the same transaction the session it `replaces` (the one the visitor signed in from) is
    deleted, and so is every session past its end: signing in is what sweeps them."""
    secret = new_secret()
    try:
        async with store.write(SYSTEM_ACTOR) as tx:
            await tx.ui_sessions.delete_expired(now)
            if replaces is not None:
                await tx.ui_sessions.delete(hash_of(replaces))
            await tx.ui_sessions.add(StoredSession(hash_of(secret), token.id, token.user_id, now, expires_at))
    except IntegrityViolation:  # the token (or its user) was deleted since it was checked
        raise Unauthenticated("The token is not valid") from None
    return secret


async def find(store: Store, secret: str, now: int) -> StoredSession | None:
    """The live session `secret` opens; None when there is none (signed out, never made) or it ended."""
    wanted = hash_of(secret)
    async with store.read() as tx:
        found = await tx.ui_sessions.by_hash(wanted)
    if found is None or not hmac.compare_digest(found.id_hash, wanted) or found.expires_at <= now:
        return None
    return found


async def end(store: Store, secret: str) -> None:
    """Sign out: the session is gone for every worker."""
    async with store.write(SYSTEM_ACTOR) as tx:
        await tx.ui_sessions.delete(hash_of(secret))

"""Identifiers and secrets.

Tokens look like ``blt_<id>_<secret>``: the id is public (shown in listings, used to revoke), the
secret is 32 random base62 characters (~190 bits). Only SHA-256 of the whole token is stored: a
token has far more entropy than a password, so a slow hash would add cost without adding safety.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TOKEN_PREFIX = "blt_"


def random_base62(length: int) -> str:
    """`length` characters of ALPHABET, uniformly random. One draw from the OS's generator for the
    whole string (`secrets.randbelow`), not one per character: a staged Reltio change makes two ids."""
    n = secrets.randbelow(len(ALPHABET) ** length)
    chars = []
    for _ in range(length):
        n, digit = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)


def reltio_id() -> str:
    """A short base62 id in Reltio's style (``0001dE9``): 7 characters, ~42 bits of randomness."""
    return random_base62(7)


def now_ms() -> int:
    return int(time.time() * 1000)


@functools.lru_cache(maxsize=4096)
def iso(ms: int) -> str:
    """Epoch milliseconds as ISO 8601 in UTC with milliseconds (2026-11-23T18:02:11.482Z), the form
    Confluence, Reltio and bondline's own API write dates in. Cached: a response often repeats the
    same few instants (an object's crosswalks), and formatting one costs more than the rest of it."""
    t = time.gmtime(ms // 1000)
    return (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}."
            f"{ms % 1000:03d}Z")


def new_token() -> tuple[str, str]:
    """Return ``(token_id, token)``; the token is shown once and never stored."""
    token_id = random_base62(10)
    return token_id, f"{TOKEN_PREFIX}{token_id}_{random_base62(32)}"


def token_id_of(token: str) -> str | None:
    """The public id inside a token, or None when the string is not shaped like one."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_id, sep, secret = token[len(TOKEN_PREFIX):].partition("_")
    if not sep or len(token_id) != 10 or len(secret) != 32:
        return None
    return token_id


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token), stored_hash)

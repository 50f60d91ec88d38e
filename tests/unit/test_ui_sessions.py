"""Session cookies and CSRF tokens (pure functions): a cookie carries a random secret and nothing
else; a session's CSRF token comes from its secret, never from what the server stores."""

from __future__ import annotations

from bondline.services import ui_sessions
from bondline.ui import sessions as s

NOW = 1_800_000_000_000


def test_a_cookie_carries_only_a_random_secret() -> None:
    a, b = s.anonymous(), s.anonymous()
    assert a.secret != b.secret and len(a.secret) == 43
    assert s.read_cookie(a.cookie) == (s.ANONYMOUS, a.secret)
    signed_in = s.Session(ui_sessions.new_secret(), "AbCdEf0123")
    assert signed_in.cookie == f"s.{signed_in.secret}" and "AbCdEf0123" not in signed_in.cookie
    assert s.read_cookie(signed_in.cookie) == (s.SIGNED_IN, signed_in.secret)


def test_cookies_not_shaped_like_ours_are_nothing() -> None:
    secret = ui_sessions.new_secret()
    for junk in (None, "", "abc", "s.", f"x.{secret}", f"s.{secret}x", f"s.{secret[:-1]}", f"s.{secret[:-1]}=",
                 f"1.AbCdEf0123.{NOW}.nonce.mac", "s." + "x" * 500):
        assert s.read_cookie(junk) is None, junk


def test_a_session_never_outlives_its_token() -> None:
    assert s.expiry(NOW, None) == NOW + s.LIFETIME_MS
    assert s.expiry(NOW, NOW + 60_000) == NOW + 60_000


def test_csrf_tokens_belong_to_one_session() -> None:
    a, b = s.Session(ui_sessions.new_secret(), "AbCdEf0123"), s.Session(ui_sessions.new_secret(), "AbCdEf0123")
    token = s.csrf_token(a)
    assert s.csrf_ok(a, token)
    assert not s.csrf_ok(b, token)
    assert not s.csrf_ok(a, token[:-1])
    assert not s.csrf_ok(a, "")
    assert not s.csrf_ok(a, None)
    assert not s.csrf_ok(None, token)
    # neither the secret nor what the server stores of it
    assert token != a.secret and token not in ui_sessions.hash_of(a.secret)
    assert s.csrf_token(s.Session(a.secret, None)) == token  # a property of the secret alone


def test_cookie_flags() -> None:
    header = s.set_cookie("v", 60, secure=False).decode()
    assert header == "bondline_ui=v; Path=/ui; Max-Age=60; HttpOnly; SameSite=Strict"
    assert s.set_cookie("v", 60, secure=True).decode().endswith("; Secure")
    assert "Max-Age=0" in s.clear_cookie(False).decode()


def test_cookie_parsing() -> None:
    assert s.parse_cookies('a=1; bondline_ui="x.y"; b') == {"a": "1", "bondline_ui": "x.y"}
    assert s.parse_cookies(None) == {}

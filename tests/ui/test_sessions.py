"""Session cookies and CSRF tokens: signed, expiring, bound to the server key (pure functions)."""

from __future__ import annotations

from bondline.ui import sessions as s

KEY = b"k" * 32
NOW = 1_800_000_000_000


def test_a_session_survives_the_round_trip() -> None:
    session = s.new_session("AbCdEf0123", NOW)
    assert s.decode(KEY, s.encode(KEY, session), NOW) == session
    assert session.expires_at == NOW + s.LIFETIME_MS


def test_a_session_never_outlives_its_token() -> None:
    session = s.new_session("AbCdEf0123", NOW, token_expires_at=NOW + 60_000)
    assert session.expires_at == NOW + 60_000


def test_anonymous_sessions_carry_only_a_nonce() -> None:
    session = s.new_session(None, NOW)
    back = s.decode(KEY, s.encode(KEY, session), NOW)
    assert back is not None and not back.signed_in and back.nonce == session.nonce


def test_forged_tampered_expired_or_foreign_cookies_are_refused() -> None:
    value = s.encode(KEY, s.new_session("AbCdEf0123", NOW))
    payload, _, mac = value.rpartition(".")
    assert s.decode(KEY, payload.replace("AbCdEf0123", "ZZZZZZZZZZ") + "." + mac, NOW) is None
    assert s.decode(KEY, payload + ".", NOW) is None
    assert s.decode(KEY, value[:-2], NOW) is None
    assert s.decode(b"x" * 32, value, NOW) is None  # another server's key
    assert s.decode(KEY, value, NOW + s.LIFETIME_MS) is None
    for junk in (None, "", "abc", "1.2.3", "." * 10, "x" * 500):
        assert s.decode(KEY, junk, NOW) is None


def test_csrf_tokens_belong_to_one_session() -> None:
    a, b = s.new_session("AbCdEf0123", NOW), s.new_session("AbCdEf0123", NOW)
    token = s.csrf_token(KEY, a)
    assert s.csrf_ok(KEY, a, token)
    assert not s.csrf_ok(KEY, b, token)
    assert not s.csrf_ok(KEY, a, token[:-1])
    assert not s.csrf_ok(KEY, a, "")
    assert not s.csrf_ok(KEY, a, None)
    assert not s.csrf_ok(KEY, None, token)
    assert token != s._mac(KEY, "session", a.nonce)  # a CSRF token is not a cookie signature


def test_cookie_flags() -> None:
    header = s.set_cookie("v", 60, secure=False).decode()
    assert header == "bondline_ui=v; Path=/ui; Max-Age=60; HttpOnly; SameSite=Strict"
    assert s.set_cookie("v", 60, secure=True).decode().endswith("; Secure")
    assert "Max-Age=0" in s.clear_cookie(False).decode()


def test_cookie_parsing() -> None:
    assert s.parse_cookies('a=1; bondline_ui="x.y"; b') == {"a": "1", "bondline_ui": "x.y"}
    assert s.parse_cookies(None) == {}

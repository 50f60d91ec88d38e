"""The review inbox against the ASGI app (httpx, no browser): sign-in and the session cookie, CSRF on
every form, who sees which buttons and who may press them, every item in words, conflicts, apply
and reject through the same services as the API, escaping and security headers."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from bondline import ids
from bondline.bootstrap import build
from bondline.config import Settings
from bondline.services import accounts
from bondline.services.reltio import tenants
from tests.api.reltio.conftest import INDIVIDUAL, address, api, make_entity
from tests.api.ui.conftest import Browser, csrf_of

INBOX = "/ui/tenants/acme"


def cookie_header(r: httpx.Response) -> str:
    found = [v for k, v in r.headers.multi_items() if k == "set-cookie"]
    assert len(found) == 1, r.headers
    return found[0]


def text_of(html: str) -> str:
    """The page's text, as a person reads it (tags dropped, entities decoded, spaces collapsed)."""
    import html as h

    return re.sub(r"\s+", " ", h.unescape(re.sub(r"<[^>]+>", " ", html)))


def assert_secure_headers(r: httpx.Response) -> None:
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-content-type-options"] == "nosniff"


async def dcr(client: Any, who: Any, method: str, path: str, body: Any = None) -> str:
    """Stage a change through the API (`alwaysCreateDCR`); the new change request's id."""
    sep = "&" if "?" in path else "?"
    r = await client.request(method, api(path) + f"{sep}alwaysCreateDCR=true", headers=who.bearer, json=body)
    assert r.status_code == 200, r.text
    return r.json()["uri"].split("/")[1]


async def state_of(client: Any, who: Any, request_id: str) -> str:
    r = await client.get(api(f"/changeRequests/{request_id}"), headers=who.bearer)
    assert r.status_code == 200, r.text
    return r.json()["state"]


@pytest.fixture
async def readonly(app: Any, acme: Any) -> Any:
    """dave: ROLE_READONLY on acme."""
    from tests.conftest import Person

    user = await accounts.add_user(app.store, "acc-dave", "dave@example.com", "Dave", False)
    _, token = await accounts.create_token(app.store, user.account_id)
    await tenants.grant(app.store, "acme", user.account_id, ["ROLE_READONLY"])
    return Person(user.account_id, user.email, token, user.id)


# --- sign-in, cookie, sign-out -------------------------------------------------------------------

async def test_pages_need_a_session(browser: Any) -> None:
    b: Browser = browser()
    for path in ("/ui/", INBOX, f"{INBOX}/changeRequests/0001dE9"):
        r = await b.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/ui/sign-in", path
        assert_secure_headers(r)
    r = await b.get("/ui")
    assert r.status_code == 303 and r.headers["location"] == "/ui/"


async def test_sign_in_sets_an_httponly_strict_cookie(browser: Any, acme: Any) -> None:
    b: Browser = browser()
    form = await b.get("/ui/sign-in")
    assert form.status_code == 200 and 'name="token"' in form.text
    assert_secure_headers(form)
    anonymous = cookie_header(form)
    assert anonymous.startswith("bondline_ui=a.") and "HttpOnly" in anonymous and "SameSite=Strict" in anonymous
    assert "Path=/ui" in anonymous and "Secure" not in anonymous
    before = b.csrf
    r = await b.post("/ui/sign-in", {"token": acme.carol.token})
    assert r.status_code == 303 and r.headers["location"] == INBOX  # her only tenant
    header = cookie_header(r)
    assert header.startswith("bondline_ui=s.") and anonymous.split(";")[0][14:] not in header  # a new secret
    assert "; HttpOnly" in header and "; SameSite=Strict" in header and "; Path=/ui" in header
    max_age = int(re.search(r"Max-Age=(\d+)", header).group(1))  # type: ignore[union-attr]
    assert 8 * 3600 - 60 < max_age <= 8 * 3600
    assert acme.carol.token not in header and acme.carol.token.split("_")[1] not in header  # nor its id
    home = await b.get("/ui/")
    assert home.status_code == 200 and "Carol" in home.text and "acme" in home.text
    assert b.csrf != before  # signing in gave the session a new CSRF token
    stale = await b.post("/ui/sign-out", {"csrf": before})
    assert stale.status_code == 403


async def test_cookies_are_secure_over_https(browser: Any, acme: Any, app: Any) -> None:
    b: Browser = browser("https://bondline.test")
    assert "; Secure" in cookie_header(await b.get("/ui/sign-in"))
    r = await b.post("/ui/sign-in", {"token": acme.carol.token})
    assert r.status_code == 303 and "; Secure" in cookie_header(r)


async def test_cookies_are_secure_behind_an_https_public_url(database_url: str, acme: Any) -> None:
    app = build(Settings(database_url=database_url, public_url="https://bondline.example.com", auth_cache_seconds=0))
    await app.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://internal") as c:
            assert "; Secure" in cookie_header(await c.get("/ui/sign-in"))
    finally:
        await app.shutdown()


async def test_a_bad_token_is_refused_with_the_form_again(browser: Any, acme: Any) -> None:
    b: Browser = browser()
    await b.get("/ui/sign-in")
    for token in ("blt_nope", acme.carol.token[:-1] + ("a" if acme.carol.token[-1] != "a" else "b"), "",
                  "x" * 5000):
        r = await b.post("/ui/sign-in", {"token": token})
        assert r.status_code == 401, token
        assert "set-cookie" not in r.headers
        assert 'class="error"' in r.text and 'name="token"' in r.text
    assert (await b.get("/ui/")).status_code == 303


async def test_sign_in_needs_the_forms_csrf_token(browser: Any, acme: Any) -> None:
    b: Browser = browser()
    r = await b.post("/ui/sign-in", {"token": acme.carol.token}, csrf=False)  # no session, no token
    assert r.status_code == 403
    await b.get("/ui/sign-in")
    for bad in ("", "forged", b.csrf + "x"):
        r = await b.post("/ui/sign-in", {"token": acme.carol.token, "csrf": bad})
        assert r.status_code == 403, bad
        assert_secure_headers(r)
        assert "text/html" in r.headers["content-type"]
    other: Browser = browser()
    await other.get("/ui/sign-in")
    r = await b.post("/ui/sign-in", {"token": acme.carol.token, "csrf": other.csrf})  # another session's token
    assert r.status_code == 403


async def test_revoking_the_token_ends_the_session(signed_in: Any, acme: Any, app: Any) -> None:
    b = await signed_in(acme.carol)
    assert (await b.get(INBOX)).status_code == 200
    await accounts.revoke_token(app.store, acme.carol.token)
    r = await b.get(INBOX)
    assert r.status_code == 303 and r.headers["location"] == "/ui/sign-in"
    r = await b.post(f"{INBOX}/changeRequests/0001dE9/reject")
    assert r.status_code == 303 and r.headers["location"] == "/ui/sign-in"


async def test_a_session_ends_with_its_token(browser: Any, acme: Any, app: Any, monkeypatch: Any) -> None:
    """The session cookie lives no longer than the token it was signed in with. The clock is moved
    past the token's expiry rather than waited on: a real-time wait of a second or two failed on a
    loaded CI machine, where the first page came after the token had already expired."""
    _, token = await accounts.create_token(app.store, acme.carol.account_id, expires_in_days=60 / 86400)
    b: Browser = browser()
    r = await b.sign_in(token)
    assert r.status_code == 303
    assert 0 < int(re.search(r"Max-Age=(\d+)", cookie_header(r)).group(1)) <= 60  # type: ignore[union-attr]
    assert (await b.get("/ui/")).status_code == 200
    real_now_ms = ids.now_ms
    monkeypatch.setattr(ids, "now_ms", lambda: real_now_ms() + 61_000)
    assert (await b.get("/ui/")).status_code == 303
    r = await b.sign_in(token)
    assert r.status_code == 401 and "expired" in r.text


def holding(browser: Any, value: str) -> Browser:
    """A new browser holding the cookie `value` (copied from another, or made up)."""
    b: Browser = browser()
    b.client.cookies.set("bondline_ui", value, domain="bondline.test", path="/ui")
    return b


async def test_sign_out(signed_in: Any, acme: Any) -> None:
    b = await signed_in(acme.carol)
    refused = await b.post("/ui/sign-out", csrf=False)
    assert refused.status_code == 403
    assert (await b.get("/ui/")).status_code == 200
    r = await b.post("/ui/sign-out")
    assert r.status_code == 303 and r.headers["location"] == "/ui/sign-in"
    assert "Max-Age=0" in cookie_header(r)
    assert (await b.get("/ui/")).status_code == 303


async def test_the_cookie_is_dead_the_moment_its_user_signs_out(signed_in: Any, acme: Any, browser: Any,
                                                                app: Any) -> None:
    """Not only cleared in the browser: a copy of the cookie taken before signing out (another tab, a
    stolen one) is refused right after, for pages and for forms, and the server holds no session."""
    b = await signed_in(acme.carol)
    value, csrf = b.client.cookies["bondline_ui"], b.csrf
    copy = holding(browser, value)
    assert (await copy.get(INBOX)).status_code == 200
    assert (await b.post("/ui/sign-out")).status_code == 303
    r = await copy.get(INBOX)
    assert r.status_code == 303 and r.headers["location"] == "/ui/sign-in"
    # a form with the session's CSRF token: no live session, so the token matches nothing
    assert (await copy.post(f"{INBOX}/changeRequests/0001dE9/reject", {"csrf": csrf})).status_code == 403
    assert (await copy.post("/ui/sign-out", {"csrf": csrf})).status_code == 403
    assert await rows_of(app, "ui_sessions") == []


async def test_signing_in_again_ends_the_session_signed_in_from(signed_in: Any, acme: Any, browser: Any) -> None:
    b = await signed_in(acme.carol)
    before = b.client.cookies["bondline_ui"]
    r = await b.post("/ui/sign-in", {"token": acme.admin.token})
    assert r.status_code == 303 and b.client.cookies["bondline_ui"] != before
    assert "Admin" in (await b.get("/ui/")).text
    assert (await holding(browser, before).get("/ui/")).status_code == 303


async def test_an_edited_or_made_up_cookie_is_no_session(signed_in: Any, acme: Any, browser: Any) -> None:
    b = await signed_in(acme.carol)
    value = b.client.cookies["bondline_ui"]
    secret = value[2:]
    anonymous: Browser = browser()
    await anonymous.get("/ui/sign-in")
    pre_sign_in = anonymous.client.cookies["bondline_ui"]
    for forged in (value[:-1] + ("A" if value[-1] != "A" else "B"), "a." + secret, secret,
                   "s." + pre_sign_in[2:],  # a pre-sign-in secret promoted to a signed-in one
                   "s." + ids.random_base62(43), f"1.{acme.admin.token.split('_')[1]}.9999999999999.x.y"):
        assert (await holding(browser, forged).get("/ui/")).status_code == 303, forged
    assert (await b.get("/ui/")).status_code == 200


async def rows_of(app: Any, table_name: str) -> list[tuple[Any, ...]]:
    import sqlalchemy as sa

    from bondline.store.tables import metadata

    async with app.store.read() as tx:
        return [tuple(r) for r in await tx.conn.all(sa.select(metadata.tables[table_name]))]


async def every_row(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: what a backup of the database holds."""
    from bondline.store.tables import metadata

    return {table.name: await rows_of(app, table.name) for table in metadata.sorted_tables}


def _old_style_cookie(key: bytes, token_id: str, expires_at: int) -> str:
    """A cookie as the server signed them before migration 0011: ``1.{tokenId}.{expiresMs}.{nonce}.{mac}``,
    HMAC-SHA256 under the `ui_session` key kept in `server_secrets`."""
    import base64
    import hashlib
    import hmac

    payload = f"1.{token_id}.{expires_at}.{ids.random_base62(22)}"
    mac = hmac.new(key, f"session\n{payload}".encode(), hashlib.sha256).digest()
    return f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


async def test_a_copy_of_the_database_cannot_make_a_session(signed_in: Any, acme: Any, browser: Any,
                                                             app: Any) -> None:
    """Everything a backup holds — every row of every table — makes no cookie the server accepts.
    Sessions are kept as SHA-256 of their secret, and no key in the database signs cookies: a cookie
    signed the old way, under a `ui_session` key in `server_secrets` (as a database from before
    migration 0011 has one), is refused, for the admin's token id as for carol's own."""
    from bondline.services.secrets import shared_key

    carol = await signed_in(acme.carol)
    await shared_key(app.store, "ui_session")
    dump = await every_row(app)
    token_ids = [row[0] for row in dump["api_tokens"]]
    later = ids.now_ms() + 3_600_000
    signed = [_old_style_cookie(bytes.fromhex(value), token_id, later)
              for _name, value, _created in dump["server_secrets"] for token_id in token_ids]
    assert len(signed) == len(token_ids) == 4  # admin, alice, bob, carol
    for value in signed:
        assert (await holding(browser, value).get("/ui/")).status_code == 303, value
    # and what is stored of carol's session, taken for its secret
    stored = [f"s.{value}" for row in dump.get("ui_sessions", []) for value in map(str, row)]
    assert len(stored) == 5
    for value in stored + [value[2:] for value in stored]:
        assert (await holding(browser, value).get("/ui/")).status_code == 303, value
    assert (await carol.get("/ui/")).status_code == 200


async def test_expired_sessions_are_swept_when_someone_signs_in(browser: Any, acme: Any, app: Any,
                                                                 monkeypatch: Any) -> None:
    first: Browser = browser()
    assert (await first.sign_in(acme.carol.token)).status_code == 303
    assert len(await rows_of(app, "ui_sessions")) == 1
    real_now_ms = ids.now_ms
    monkeypatch.setattr(ids, "now_ms", lambda: real_now_ms() + 8 * 3600 * 1000 + 1000)
    assert (await first.get("/ui/")).status_code == 303  # ended after 8 hours
    second: Browser = browser()
    assert (await second.sign_in(acme.admin.token)).status_code == 303
    rows = await rows_of(app, "ui_sessions")
    assert len(rows) == 1 and rows[0][2] == acme.admin.user_id


async def test_sessions_hold_across_workers(signed_in: Any, acme: Any, database_url: str) -> None:
    """Another process (another App on the same database) reads the same session: sessions live in
    the database, not in a worker. Signing out in one ends the session in the other at once."""
    b = await signed_in(acme.carol)
    other = build(Settings(database_url=database_url, auth_cache_seconds=0))
    await other.startup()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://bondline.test",
                                     cookies=b.client.cookies) as c:
            r = await c.get("/ui/")
            assert r.status_code == 200 and "Carol" in r.text
            token = csrf_of(r.text)
            assert token == b.csrf
            assert (await c.post("/ui/sign-out", data={"csrf": token})).status_code == 303
        assert (await b.get("/ui/")).status_code == 303  # the first worker refuses it right away
    finally:
        await other.shutdown()


# --- what people see ------------------------------------------------------------------------------

async def test_tenants_listed_are_those_with_a_role(signed_in: Any, acme: Any, app: Any, readonly: Any) -> None:
    await tenants.add(app.store, "other")
    carol = await signed_in(acme.carol)
    page = text_of((await carol.get("/ui/")).text)
    assert "acme" in page and "other" not in page and "you may apply and reject" in page
    dave = await signed_in(readonly)
    assert "read only" in text_of((await dave.get("/ui/")).text)
    admin = await signed_in(acme.admin)
    page = text_of((await admin.get("/ui/")).text)
    assert "acme" in page and "other" in page
    stranger = await signed_in(readonly)
    r = await stranger.get("/ui/tenants/other")
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert (await stranger.get("/ui/tenants/nowhere")).status_code == 404
    assert (await stranger.get(f"{INBOX}?state=BOGUS")).status_code == 400


async def test_sign_in_lands_on_the_only_tenants_inbox(browser: Any, acme: Any, app: Any) -> None:
    b: Browser = browser()
    await b.get("/ui/sign-in")
    r = await b.post("/ui/sign-in", {"token": acme.carol.token})
    assert r.status_code == 303 and r.headers["location"] == INBOX
    page = await b.get(r.headers["location"])
    assert page.status_code == 200 and "Data change requests · acme" in text_of(page.text)
    assert (await b.get("/ui/")).status_code == 200  # the list of tenants is still there to go back to
    # with a second tenant to review, sign-in lands on the list to pick from
    await tenants.add(app.store, "globex")
    await tenants.grant(app.store, "globex", acme.carol.account_id, ["ROLE_REVIEWER"])
    again: Browser = browser()
    await again.get("/ui/sign-in")
    r = await again.post("/ui/sign-in", {"token": acme.carol.token})
    assert r.status_code == 303 and r.headers["location"] == "/ui/"
    listing = text_of((await again.get("/ui/")).text)
    assert "acme" in listing and "globex" in listing
    # and with none, on the page that says how to get a role
    erin = await accounts.add_user(app.store, "acc-erin", "erin@example.com", "Erin", False)
    _, token = await accounts.create_token(app.store, erin.account_id)
    none: Browser = browser()
    await none.get("/ui/sign-in")
    r = await none.post("/ui/sign-in", {"token": token})
    assert r.status_code == 303 and r.headers["location"] == "/ui/"


async def test_a_user_without_roles_is_told_so(browser: Any, app: Any, site: Any) -> None:
    b: Browser = browser()
    assert (await b.sign_in(site.bob.token)).status_code == 303
    assert "no role on any Reltio tenant" in text_of((await b.get("/ui/")).text)


async def test_every_item_in_words_with_objects_and_conflicts(client: Any, acme: Any, signed_in: Any) -> None:
    person, place, rel = await address(client, acme.alice)
    first = person["attributes"]["FirstName"][0]["uri"]
    bob = acme.bob
    ids = {
        "delete": await dcr(client, bob, "DELETE", f"/{rel['uri']}"),
        "insert": await dcr(client, bob, "POST", f"/{person['uri']}/attributes/Email", [{"value": "ada@example.org"}]),
        "update": await dcr(client, bob, "PUT", f"/{first}", {"value": "Augusta"}),
        "pin": await dcr(client, bob, "PUT", f"/{first}/pin", {"value": True}),
        "ignore": await dcr(client, bob, "PUT", f"/{first}/ignored", {"value": True}),
        "remove": await dcr(client, bob, "DELETE", f"/{first}"),
        "entity": await dcr(client, bob, "POST", "/entities", [{
            "type": "configuration/entityTypes/Individual",
            "attributes": {"FirstName": [{"value": "Grace"}], "LastName": [{"value": "Hopper"}]}}]),
        "relation": await dcr(client, bob, "POST", "/relations", [{
            "type": "configuration/relationTypes/affiliatedwith", "startObject": {"objectURI": person["uri"]},
            "endObject": {"objectURI": place["uri"]}}]),
    }
    # the staged update conflicts once Ada's entity changes directly
    value_id = person["attributes"]["LastName"][0]["uri"].rsplit("/", 1)[1]
    r = await client.put(api(f"/{person['uri']}/attributes/LastName/{value_id}"),
                         headers=acme.alice.bearer, json={"value": "King"})
    assert r.status_code == 200, r.text
    carol = await signed_in(acme.carol)
    r = await carol.get(INBOX)
    assert r.status_code == 200
    assert_secure_headers(r)
    page = text_of(r.text)
    for words in ("delete relation HasAddress from Ada King to 12 Analytical Row",
                  "add Email 'ada@example.org' to Ada King",
                  "update FirstName of Ada King from 'Ada' to 'Augusta'",
                  "pin FirstName 'Ada' on Ada King",
                  "ignore FirstName 'Ada' on Ada King",
                  "delete FirstName 'Ada' from Ada King",
                  "create entity Individual 'Grace Hopper' with FirstName 'Grace', LastName 'Hopper'",
                  # a creation names its ends as they were labelled when it was staged (as objectsInfo does)
                  "create relation affiliatedwith from Ada Lovelace to 12 Analytical Row"):
        assert words in page, words
    # objectsInfo: the labels of every object involved
    assert "Individual Ada King" in page and "HasAddress from Ada King to 12 Analytical Row" in page
    assert "Individual Grace Hopper (new)" in page
    # conflicts: the items on Ada staged before her LastName changed
    assert "ATTRIBUTE_WAS_CHANGED" in page
    for key in ("insert", "update", "pin", "ignore", "remove"):
        card = r.text.split(f'id="cr-{ids[key]}"')[1].split("</article>")[0]
        assert "1 conflict" in card and "conflicted" in card, key
    for key in ("delete", "entity", "relation"):
        card = r.text.split(f'id="cr-{ids[key]}"')[1].split("</article>")[0]
        assert "conflict" not in card, key
    # buttons for a reviewer: links to the confirmation step, no form but signing out
    assert r.text.count('class="button apply"') == len(ids) and r.text.count('class="button reject"') == len(ids)
    forms = re.findall(r"<form [^>]*method=\"post\"[^>]*>(.*?)</form>", r.text, re.S)
    assert len(forms) == 1 and f'name="csrf" value="{carol.csrf}"' in forms[0]
    # the detail page says the same about one request
    detail = await carol.get(f"{INBOX}/changeRequests/{ids['update']}")
    assert detail.status_code == 200
    assert "update FirstName of Ada King from 'Ada' to 'Augusta'" in text_of(detail.text)
    assert "ATTRIBUTE_WAS_CHANGED" in detail.text and 'class="button apply"' in detail.text


async def test_readers_see_no_buttons_and_cannot_press_them(client: Any, acme: Any, signed_in: Any,
                                                            readonly: Any) -> None:
    _, _, rel = await address(client, acme.alice)
    request_id = await dcr(client, acme.bob, "DELETE", f"/{rel['uri']}")
    for person in (readonly, acme.alice, acme.bob):  # READ only; ROLE_USER; ROLE_INITIATOR: no ACCEPT
        b = await signed_in(person)
        for path in (INBOX, f"{INBOX}/changeRequests/{request_id}"):
            r = await b.get(path)
            assert r.status_code == 200, path
            assert "delete relation HasAddress" in text_of(r.text)
            assert 'class="button apply"' not in r.text and 'class="button reject"' not in r.text
            assert "/apply" not in r.text and "/reject" not in r.text
        assert "needs the ACCEPT_CHANGE_REQUEST permission" in text_of((await b.get(INBOX)).text)
        # the endpoints refuse them all the same (the services' access rules), confirmed or not
        for action in ("apply", "reject"):
            confirm = await b.get(f"{INBOX}/changeRequests/{request_id}/{action}")
            assert confirm.status_code == 403 and "ACCEPT_CHANGE_REQUEST" in confirm.text
            assert "<form" not in confirm.text.replace('action="/ui/sign-out"', "").split("</header>")[1]
            r = await b.post(f"{INBOX}/changeRequests/{request_id}/{action}", {"confirm": "yes"})
            assert r.status_code == 403, (person.email, action)
            assert "text/html" in r.headers["content-type"]
            assert_secure_headers(r)
        assert await state_of(client, acme.carol, request_id) == "AWAITING_REVIEW"


async def test_apply_asks_for_confirmation_then_redirects_to_the_result(client: Any, acme: Any,
                                                                         signed_in: Any) -> None:
    _, _, rel = await address(client, acme.alice)
    request_id = await dcr(client, acme.bob, "DELETE", f"/{rel['uri']}")
    carol = await signed_in(acme.carol)
    here = f"{INBOX}/changeRequests/{request_id}"
    card = card_of((await carol.get(INBOX)).text, request_id)
    assert f'href="{here}/apply"' in card  # the list's Apply is a link to the confirmation step
    confirm = await carol.get(f"{here}/apply")
    assert confirm.status_code == 200
    assert "Apply this change request?" in text_of(confirm.text) and "Yes, apply" in confirm.text
    assert "Remove HasAddress: Ada Lovelace → 12 Analytical Row" in text_of(confirm.text)
    assert 'name="confirm" value="yes"' in confirm.text and f'name="csrf" value="{carol.csrf}"' in confirm.text
    assert await state_of(client, acme.carol, request_id) == "AWAITING_REVIEW"  # looking changed nothing
    # a post that skipped the step (no confirm) is sent to it, and changes nothing
    skipped = await carol.post(f"{here}/apply")
    assert skipped.status_code == 303 and skipped.headers["location"] == f"{here}/apply"
    assert await state_of(client, acme.carol, request_id) == "AWAITING_REVIEW"
    r = await carol.post(f"{here}/apply", {"confirm": "yes"})
    assert r.status_code == 303 and r.headers["location"] == f"{here}?done=applied"
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.carol.bearer)).status_code == 404
    assert await state_of(client, acme.carol, request_id) == "APPLIED"
    # the result is a page of its own, fetched with GET: loading it again changes nothing
    for _ in range(2):
        page = await carol.get(r.headers["location"])
        assert page.status_code == 200
        assert f"Change request {request_id} applied by carol@example.com" in text_of(page.text)
    applied = text_of((await carol.get(f"{INBOX}?state=APPLIED")).text)
    assert f"changeRequests/{request_id}" in applied and "applied by carol@example.com" in applied
    # posting the form again (a resubmission) does nothing, and says so on a page after a redirect
    again = await carol.post(f"{here}/apply", {"confirm": "yes"})
    assert again.status_code == 303 and again.headers["location"] == f"{here}?done=already"
    page = text_of((await carol.get(again.headers["location"])).text)
    assert f"Nothing was done: change request {request_id} is in state APPLIED" in page
    assert "nothing left to apply" in text_of((await carol.get(f"{here}/apply")).text)


async def test_reject_asks_for_confirmation_then_redirects_to_the_result(client: Any, acme: Any,
                                                                          signed_in: Any) -> None:
    _, _, rel = await address(client, acme.alice)
    request_id = await dcr(client, acme.bob, "DELETE", f"/{rel['uri']}")
    carol = await signed_in(acme.carol)
    here = f"{INBOX}/changeRequests/{request_id}"
    confirm = await carol.get(f"{here}/reject")
    assert confirm.status_code == 200 and "Reject this change request?" in text_of(confirm.text)
    assert 'action="' + here + '/reject"' in confirm.text and "Yes, reject" in confirm.text
    skipped = await carol.post(f"{here}/reject")
    assert skipped.status_code == 303 and skipped.headers["location"] == f"{here}/reject"
    assert await state_of(client, acme.carol, request_id) == "AWAITING_REVIEW"
    r = await carol.post(f"{here}/reject", {"confirm": "yes"})
    assert r.status_code == 303 and r.headers["location"] == f"{here}?done=rejected"
    assert await state_of(client, acme.carol, request_id) == "REJECTED"
    assert (await client.get(api(f"/{rel['uri']}"), headers=acme.carol.bearer)).status_code == 200
    result = await carol.get(r.headers["location"])
    assert f"Change request {request_id} rejected by carol@example.com" in text_of(result.text)
    assert 'class="button apply"' not in result.text
    assert f"changeRequests/{request_id}" in (await carol.get(f"{INBOX}?state=REJECTED")).text
    assert f"changeRequests/{request_id}" not in (await carol.get(INBOX)).text
    again = await carol.post(f"{here}/reject", {"confirm": "yes"})
    assert again.status_code == 303 and again.headers["location"] == f"{here}?done=already"
    assert "is in state REJECTED" in text_of((await carol.get(again.headers["location"])).text)


async def test_forms_without_the_right_csrf_token_change_nothing(client: Any, acme: Any, signed_in: Any,
                                                                  browser: Any) -> None:
    _, _, rel = await address(client, acme.alice)
    request_id = await dcr(client, acme.bob, "DELETE", f"/{rel['uri']}")
    carol = await signed_in(acme.carol)
    other = await signed_in(acme.admin)
    path = f"{INBOX}/changeRequests/{request_id}"
    for action in ("apply", "reject"):
        for data, send in (({}, False), ({"csrf": ""}, True), ({"csrf": "x" * 43}, True),
                           ({"csrf": other.csrf}, True)):
            r = await carol.post(f"{path}/{action}", data, csrf=send)
            assert r.status_code == 403, (action, data)
            assert "security token" in r.text
            assert_secure_headers(r)
    # a cross-site form post carries no cookie (SameSite=Strict) and no token
    anonymous: Browser = browser()
    r = await anonymous.post(f"{path}/apply", {"csrf": carol.csrf})
    assert r.status_code == 403
    assert await state_of(client, acme.carol, request_id) == "AWAITING_REVIEW"


async def test_conflicts_are_shown_and_apply_anyway_is_offered(client: Any, acme: Any, signed_in: Any) -> None:
    person = await make_entity(client, acme.alice)
    first = person["attributes"]["FirstName"][0]["uri"]
    request_id = await dcr(client, acme.bob, "PUT", f"/{first}", {"value": "Augusta"})
    carol = await signed_in(acme.carol)
    path = f"{INBOX}/changeRequests/{request_id}"
    # confirmed while it had no conflicts; the object changes before the form is posted
    plain_confirm = await carol.get(f"{path}/apply")
    assert "Yes, apply" in plain_confirm.text and "ignoreConflicts" not in plain_confirm.text
    r = await client.put(api(f"/{first}"), headers=acme.alice.bearer, json={"value": "Ada B."})
    assert r.status_code == 200
    r = await carol.post(f"{path}/apply", {"confirm": "yes"})
    assert r.status_code == 303 and r.headers["location"] == f"{path}/apply?conflicts=1"
    failed = await carol.get(r.headers["location"])
    page = text_of(failed.text)
    assert "has conflicts" in page and "Nothing was applied" in page and "ATTRIBUTE_WAS_CHANGED" in page
    assert "Apply anyway (ignore conflicts)" in page and 'name="ignoreConflicts" value="true"' in failed.text
    assert await state_of(client, acme.carol, request_id) == "AWAITING_REVIEW"
    # the request's own page flags the conflict but offers no form; its confirmation step offers to ignore it
    plain = await carol.get(path)
    assert "ATTRIBUTE_WAS_CHANGED" in plain.text and "ignoreConflicts" not in plain.text
    confirm = await carol.get(f"{path}/apply")
    assert "Apply anyway (ignore conflicts)" in confirm.text and "Nothing was applied" not in confirm.text
    r = await carol.post(f"{path}/apply", {"confirm": "yes", "ignoreConflicts": "true"})
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=applied"
    entity = (await client.get(api(f"/{person['uri']}"), headers=acme.carol.bearer)).json()
    assert [v["value"] for v in entity["attributes"]["FirstName"]] == ["Augusta"]


async def test_everything_is_escaped(client: Any, acme: Any, signed_in: Any) -> None:
    evil = "<script>alert(1)</script>\"'&"
    await dcr(client, acme.bob, "POST", "/entities", [{
        "type": "configuration/entityTypes/Individual",
        "attributes": {"FirstName": [{"value": evil}], "LastName": [{"value": "<img src=x onerror=alert(2)>"}]}}])
    carol = await signed_in(acme.carol)
    r = await carol.get(INBOX)
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "&lt;img src=x onerror=alert(2)&gt;" in r.text
    assert "<script" not in r.text  # the pages have no script at all


async def test_error_pages_and_assets_carry_the_security_headers(signed_in: Any, acme: Any, browser: Any) -> None:
    carol = await signed_in(acme.carol)
    r = await carol.get(f"{INBOX}/changeRequests/0001dE9")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert_secure_headers(r)
    r = await carol.get("/ui/nowhere")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert_secure_headers(r)
    r = await carol.client.delete("/ui/")
    assert r.status_code == 405 and "text/html" in r.headers["content-type"]
    css = await carol.get("/ui/static/ui.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert_secure_headers(css)
    assert (await carol.get("/ui/static/..%2F__init__.py")).status_code == 404


async def test_pages_of_decided_requests(client: Any, acme: Any, signed_in: Any, app: Any) -> None:
    from bondline.services.reltio import inbox

    person = await make_entity(client, acme.alice)
    made = [await dcr(client, acme.bob, "POST", f"/{person['uri']}/attributes/Email", [{"value": f"a{i}@x.org"}])
            for i in range(inbox.PAGE_SIZE + 2)]
    carol = await signed_in(acme.carol)
    first = await carol.get(INBOX)
    assert first.text.count('<article class="cr') == inbox.PAGE_SIZE and "Page 1 of 2" in text_of(first.text)
    second = await carol.get(f"{INBOX}?state=AWAITING_REVIEW&page=2")
    assert second.text.count('<article class="cr') == 2
    assert f"changeRequests/{made[0]}" in second.text  # newest first: the first one made is last
    assert (await carol.get(f"{INBOX}?page=nope")).status_code == 200


async def test_large_requests_show_their_first_items_in_the_list(client: Any, acme: Any, signed_in: Any) -> None:
    from bondline.services.reltio import inbox

    person = await make_entity(client, acme.alice)
    request_id = await dcr(client, acme.bob, "POST", f"/{person['uri']}/attributes/Email", [{"value": "a0@x.org"}])
    for i in range(1, inbox.LIST_ITEMS + 5):
        r = await client.post(api(f"/{person['uri']}/attributes/Email?changeRequestId={request_id}"),
                              headers=acme.bob.bearer, json=[{"value": f"a{i}@x.org"}])
        assert r.status_code == 200
    total = inbox.LIST_ITEMS + 5
    carol = await signed_in(acme.carol)
    page = text_of((await carol.get(INBOX)).text)
    assert f"{total} items" in page and "… and 155 more items — open the change request" in page
    detail = text_of((await carol.get(f"{INBOX}/changeRequests/{request_id}")).text)
    assert f"add Email 'a{total - 1}@x.org' to Ada Lovelace" in detail and "more item" not in detail


async def test_demo_data_seeds_an_inbox(app: Any, acme: Any, signed_in: Any) -> None:
    from bondline.domain.model import Caller
    from bondline.services.accounts import get_user
    from bondline.ui.demo_data import seed_change_requests

    alice = Caller.of(await get_user(app.store, acme.alice.account_id))
    carol = Caller.of(await get_user(app.store, acme.carol.account_id))
    seeded = await seed_change_requests(app.store, alice, "acme", carol)
    assert len(seeded.awaiting) == 4 and len(seeded.applied) == 1 and len(seeded.rejected) == 1
    b = await signed_in(acme.carol)
    page = await b.get(INBOX)
    words = text_of(page.text)
    assert "delete relation Employment from Ada Lovelace to Analytical Engines Ltd" in words
    assert "create entity Individual 'Grace Hopper'" in words
    assert "update FirstName of Ada Lovelace from 'Ada' to 'Augusta Ada'" in words
    assert "pin LastName 'Lovelace' on Ada Lovelace" in words
    assert "2 conflicts" in words
    assert "Applied 1" in words and "Rejected 1" in words


async def test_the_api_is_unchanged_by_a_session_cookie(client: Any, acme: Any, signed_in: Any) -> None:
    """The cookie authenticates pages under /ui only: API requests still need a token."""
    carol = await signed_in(acme.carol)
    r = await carol.client.get(api("/changeRequests?filter=equals(createdBy,'x')"))
    assert r.status_code == 401
    r = await carol.client.post(api("/entities"), json=[INDIVIDUAL])
    assert r.status_code == 401


async def test_an_internal_error_is_a_page_without_details(signed_in: Any, acme: Any, monkeypatch: Any) -> None:
    from bondline.services.reltio import inbox

    async def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail")

    carol = await signed_in(acme.carol)
    monkeypatch.setattr(inbox, "page", boom)
    r = await carol.get(INBOX)
    assert r.status_code == 500 and "text/html" in r.headers["content-type"]
    assert "Something went wrong" in r.text and "incident" in r.text and "secret detail" not in r.text
    assert_secure_headers(r)


async def test_a_server_secret_is_made_once_for_every_worker(database_url: str) -> None:
    """Workers starting together agree on one key (whoever stores it first wins; the others read it).
    (`services.secrets` no longer signs the inbox's cookies, but stays for keys the workers share.)"""
    import asyncio

    from bondline.services.secrets import shared_key
    from bondline.store import create_store

    stores = [create_store(Settings(database_url=database_url)) for _ in range(4)]
    for store in stores:
        await store.open()
    try:
        keys = await asyncio.gather(*(shared_key(store, "shared") for store in stores))
        assert len(set(keys)) == 1 and len(keys[0]) == 32
        assert await shared_key(stores[0], "shared") == keys[0]
        assert await shared_key(stores[0], "another") != keys[0]
    finally:
        for store in stores:
            await store.close()


def card_of(html: str, request_id: str) -> str:
    return html.split(f'id="cr-{request_id}"')[1].split("</article>")[0]


def heading_of(html: str, request_id: str) -> str:
    return text_of(card_of(html, request_id).split("<h2>")[1].split("</h2>")[0]).strip()


async def test_cards_are_headed_by_what_changes_and_to_whom(client: Any, acme: Any, signed_in: Any) -> None:
    person, _place, rel = await address(client, acme.alice)
    first = person["attributes"]["FirstName"][0]["uri"]
    moved = await dcr(client, acme.bob, "DELETE", f"/{rel['uri']}")
    renamed = await dcr(client, acme.bob, "PUT", f"/{first}", {"value": "Augusta"})
    carol = await signed_in(acme.carol)
    for path in (INBOX, f"{INBOX}/changeRequests/{moved}"):
        page = (await carol.get(path)).text
        assert heading_of(page, moved) == "Remove HasAddress: Ada Lovelace → 12 Analytical Row"
        assert f"changeRequests/{moved}" in card_of(page, moved)  # the id is still there, below the heading
    page = (await carol.get(INBOX)).text
    assert heading_of(page, renamed) == "Change FirstName of Ada Lovelace"
    assert f'<a href="{INBOX}/changeRequests/{renamed}">' in card_of(page, renamed)


async def test_a_conflict_shows_the_current_value_beside_the_staged_one(client: Any, acme: Any,
                                                                       signed_in: Any) -> None:
    person = await make_entity(client, acme.alice)
    first = person["attributes"]["FirstName"][0]["uri"]
    request_id = await dcr(client, acme.bob, "PUT", f"/{first}", {"value": "Augusta"})
    calm = await dcr(client, acme.bob, "POST", f"/{person['uri']}/attributes/Email", [{"value": "a@x.org"}])
    r = await client.put(api(f"/{first}"), headers=acme.alice.bearer, json={"value": "Ada B."})
    assert r.status_code == 200
    carol = await signed_in(acme.carol)
    for path in (INBOX, f"{INBOX}/changeRequests/{request_id}"):
        card = card_of((await carol.get(path)).text, request_id)
        assert "ATTRIBUTE_WAS_CHANGED" in card
        words = text_of(card)
        assert "Current value 'Ada B.'" in words, words
        assert "Staged value 'Augusta' (was 'Ada' when staged)" in words
    # an insert conflicts too (the object moved on): its attribute's values now, beside the staged one
    words = text_of(card_of((await carol.get(INBOX)).text, calm))
    assert "Current value (none) Staged value 'a@x.org'" in words
    # a request without conflicts shows no such table
    _, _, rel = await address(client, acme.alice)
    plain = await dcr(client, acme.bob, "DELETE", f"/{rel['uri']}")
    assert "now-vs-staged" not in card_of((await carol.get(INBOX)).text, plain)


async def test_filter_by_creator_and_by_object(client: Any, acme: Any, signed_in: Any, app: Any) -> None:
    ada, _place, rel = await address(client, acme.alice)
    other = await make_entity(client, acme.alice, {"type": "configuration/entityTypes/Individual",
                                                   "attributes": {"FirstName": [{"value": "Grace"}]}})
    assert other["uri"] != ada["uri"]
    by_bob_on_ada = await dcr(client, acme.bob, "POST", f"/{ada['uri']}/attributes/Email", [{"value": "a@x.org"}])
    by_bob_on_rel = await dcr(client, acme.bob, "DELETE", f"/{rel['uri']}")
    by_alice_on_ada = await dcr(client, acme.alice, "POST", f"/{ada['uri']}/attributes/Email", [{"value": "b@x.org"}])
    by_alice_on_other = await dcr(client, acme.alice, "POST", f"/{other['uri']}/attributes/Email",
                                  [{"value": "c@x.org"}])
    carol = await signed_in(acme.carol)

    async def shown(query: str) -> set[str]:
        r = await carol.get(f"{INBOX}?{query}")
        assert r.status_code == 200, r.text
        return set(re.findall(r'id="cr-([0-9A-Za-z]+)"', r.text))

    everything = {by_bob_on_ada, by_bob_on_rel, by_alice_on_ada, by_alice_on_other}
    assert await shown("") == everything
    assert await shown("createdBy=bob%40example.com") == {by_bob_on_ada, by_bob_on_rel}
    assert await shown(f"object={ada['uri']}") == {by_bob_on_ada, by_alice_on_ada}
    assert await shown(f"object={rel['uri']}") == {by_bob_on_rel}
    assert await shown(f"createdBy=alice%40example.com&object={ada['uri']}") == {by_alice_on_ada}
    assert await shown("createdBy=nobody%40example.com") == set()
    assert await shown("createdBy=&object=") == everything  # an empty form filters nothing
    # the page says what it shows, keeps the filters in its tabs, and the form holds them
    r = await carol.get(f"{INBOX}?createdBy=alice%40example.com&object={ada['uri']}")
    words = text_of(r.text)
    assert "Showing change requests created by alice@example.com touching Individual Ada Lovelace" in words
    assert 'name="createdBy" value="alice@example.com"' in r.text and f'name="object" value="{ada["uri"]}"' in r.text
    assert "Awaiting review 1" in words and "Applied 0" in words
    escaped = ada["uri"].replace("/", "%2F")
    assert f'href="{INBOX}?state=APPLIED&amp;createdBy=alice%40example.com&amp;object={escaped}"' in r.text
    # the filter counts decided requests too, in their own tab
    await carol.get(f"{INBOX}/changeRequests/{by_alice_on_ada}/reject")
    assert (await carol.post(f"{INBOX}/changeRequests/{by_alice_on_ada}/reject", {"confirm": "yes"})).status_code == 303
    assert await shown(f"state=REJECTED&object={ada['uri']}") == {by_alice_on_ada}
    assert await shown(f"object={ada['uri']}") == {by_bob_on_ada}
    # each card links its creator and its objects to the filtered listings
    card = card_of((await carol.get(INBOX)).text, by_bob_on_rel)
    assert f'href="{INBOX}?state=AWAITING_REVIEW&amp;createdBy=bob%40example.com"' in card
    assert f'href="{INBOX}?state=AWAITING_REVIEW&amp;object={rel["uri"]}"' in card
    # a malformed object is a 400 page, not an error of the database
    bad = await carol.get(f"{INBOX}?object=entities/x'y")
    assert bad.status_code == 400 and "entities/ID or relations/ID" in text_of(bad.text)
    assert (await carol.get(f"{INBOX}?createdBy={'x' * 300}")).status_code == 400


async def test_the_demo_site_shows_waiting_conflicted_applied_and_rejected_requests(app: Any, browser: Any) -> None:
    """`bondline serve --demo`'s seed file: sign in as demo-alice (a site admin, one tenant) and the
    inbox has a request of every kind a reviewer meets."""
    from bondline import demo

    site = await demo.seed(app.store)
    b: Browser = browser()
    await b.get("/ui/sign-in")
    r = await b.post("/ui/sign-in", {"token": site.tokens["demo-alice"]})
    assert r.status_code == 303 and r.headers["location"] == "/ui/tenants/demo"
    page = await b.get(r.headers["location"])
    words = text_of(page.text)
    assert "Awaiting review 4" in words and "Applied 1" in words and "Rejected 1" in words
    headings = set(re.findall(r"<h2><a [^>]*>(.*?)</a></h2>", page.text, re.S))
    assert {text_of(h).strip() for h in headings} == {
        "Remove HasAddress: Ada Lovelace → 12 Analytical Row",
        "Change Email and FirstName of Ada Lovelace",
        # (its createRelation stages nothing: ada already has that Employment, the file's `job`)
        "New Individual Grace Hopper",
        "Change FirstName of Charlie Babbage",
    }
    assert words.count("1 conflict") == 1
    assert "Current value 'Charlie' Staged value 'Chas' (was 'Charles' when staged)" in words
    applied = text_of((await b.get("/ui/tenants/demo?state=APPLIED")).text)
    assert "Add Website to Analytical Engines Ltd" in applied and "applied by alice@example.com" in applied
    rejected = text_of((await b.get("/ui/tenants/demo?state=REJECTED")).text)
    assert "Change Name of Analytical Engines Ltd" in rejected and "rejected by alice@example.com" in rejected


async def test_a_made_up_result_says_nothing(client: Any, acme: Any, signed_in: Any) -> None:
    """`?done=applied` on a request still awaiting review (a hand-edited address) shows no notice."""
    _, _, rel = await address(client, acme.alice)
    request_id = await dcr(client, acme.bob, "DELETE", f"/{rel['uri']}")
    carol = await signed_in(acme.carol)
    for done in ("applied", "rejected", "nonsense"):
        page = await carol.get(f"{INBOX}/changeRequests/{request_id}?done={done}")
        assert page.status_code == 200 and 'class="notice"' not in page.text


async def test_a_request_in_review_shows_its_task_and_apply_acts_on_it(client: Any, acme: Any,
                                                                        signed_in: Any) -> None:
    """The inbox shows the Workflow API's review task; Apply approves through it (the task closes
    with the action), and Reject rejects through it."""
    wf_base = "/services/workflow/acme"
    ids_by_action = {}
    for action in ("Approve", "Reject"):
        request_id = await dcr(client, acme.bob, "POST", "/entities", [INDIVIDUAL])
        r = await client.post(f"{wf_base}/processInstances", headers=acme.bob.bearer, json={
            "processType": "dataChangeRequestReview", "objectURIs": [f"changeRequests/{request_id}"]})
        assert r.status_code == 200, r.text
        task = (await client.post(f"{wf_base}/tasks", headers=acme.carol.bearer, json={
            "objectURIs": [f"changeRequests/{request_id}"]})).json()["data"][0]
        ids_by_action[action] = (request_id, task["taskId"])
    carol = await signed_in(acme.carol)
    for action, (request_id, task_id) in ids_by_action.items():
        card = text_of(card_of((await carol.get(INBOX)).text, request_id))
        assert f"In review: task {task_id} , assigned to {acme.carol.email}" in card, card
        here = f"{INBOX}/changeRequests/{request_id}"
        assert f"In review: task {task_id} ," in text_of((await carol.get(here)).text)
        verb, done = ("apply", "applied") if action == "Approve" else ("reject", "rejected")
        r = await carol.post(f"{here}/{verb}", {"confirm": "yes"})
        assert r.status_code == 303 and r.headers["location"] == f"{here}?done={done}"
        assert await state_of(client, acme.carol, request_id) == ("APPLIED" if action == "Approve" else "REJECTED")
        closed = (await client.get(f"{wf_base}/tasks/{task_id}", headers=acme.carol.bearer)).json()
        assert closed["executedAction"] == action and closed["possibleActions"] == []
        assert "In review" not in text_of((await carol.get(here)).text)

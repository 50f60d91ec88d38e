"""The review inbox in a real browser: Playwright driving Debian's Chromium (headless) against a live
`bondline serve`. A reviewer signs in (landing on the only tenant's inbox), opens a change request,
applies it after a confirmation step and sees (through the API) the relation gone, rejects another;
a read-only user sees no buttons; a form whose CSRF token was tampered with is refused. (The docs'
screenshot of the inbox is made from the demo site by scripts/screenshot_inbox.py.)

Needs `playwright` (pip install '.[ui-test]') and Chromium at /usr/bin/chromium (`apt-get install -y
chromium`; or set BONDLINE_CHROMIUM). Playwright's own browser download is not used."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install '.[ui-test]')")

CHROMIUM = os.environ.get("BONDLINE_CHROMIUM", "/usr/bin/chromium")
if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium, or set BONDLINE_CHROMIUM)",
                allow_module_level=True)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TENANT = "acme"

pytestmark = pytest.mark.live


class World:
    def __init__(self, live: Any, reviewer_token: str, seeded: Any) -> None:
        self.live = live
        self.reviewer_token = reviewer_token
        self.seeded = seeded

    def api(self, path: str) -> str:
        return f"{self.live.url}/reltio/api/{TENANT}{path}"

    def state_of(self, request_id: str) -> str:
        r = httpx.get(self.api(f"/changeRequests/{request_id}"),
                      headers={"Authorization": f"Bearer {self.reviewer_token}"})
        assert r.status_code == 200, r.text
        return r.json()["state"]


@pytest.fixture(scope="module")
def world(live: Any) -> World:
    """Tenant acme: bob (ROLE_USER) made the data and the change requests, carol reviews
    (ROLE_REVIEWER), alice may only read (ROLE_READONLY)."""
    from bondline.config import Settings
    from bondline.domain.model import Caller
    from bondline.services import accounts
    from bondline.services.reltio import tenants
    from bondline.store import create_store
    from bondline.ui.demo_data import seed_change_requests

    async def go() -> tuple[str, Any]:
        store = create_store(Settings(database_url=live.database_url))
        await store.open()
        try:
            carol = await accounts.add_user(store, "live-carol", "carol@example.com", "Carol Reviewer")
            _, token = await accounts.create_token(store, carol.account_id)
            await tenants.add(store, TENANT)
            await tenants.grant(store, TENANT, live.bob.account_id, ["ROLE_USER"])
            await tenants.grant(store, TENANT, live.alice.account_id, ["ROLE_READONLY"])
            await tenants.grant(store, TENANT, carol.account_id, ["ROLE_REVIEWER"])
            bob = await accounts.get_user(store, live.bob.account_id)
            seeded = await seed_change_requests(store, Caller.of(bob), TENANT, Caller.of(carol))
            return token, seeded
        finally:
            await store.close()

    token, seeded = asyncio.run(go())
    return World(live, token, seeded)


@pytest.fixture(scope="module")
def chromium(world: World) -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread while it is open: set up the live
    # server and its data (asyncio.run) first.
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Any, url: str, token: str) -> None:
    """Sign in; with one tenant to review (acme, here) the browser lands on its inbox."""
    page.goto(url + "/ui/")
    assert page.url.endswith("/ui/sign-in")
    page.fill("#token", token)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{url}/ui/tenants/{TENANT}")


def test_a_reviewer_applies_one_request_and_rejects_another(page: Any, world: World, tmp_path: Any) -> None:
    url = world.live.url
    sign_in(page, url, world.reviewer_token)
    assert "Carol Reviewer" in page.inner_text("header.top")
    delete_rel, attributes, create, conflicted = world.seeded.awaiting
    cards = page.locator("article.cr")
    assert cards.count() == 4
    text = page.inner_text("main")
    assert "delete relation Employment from Ada Lovelace to Analytical Engines Ltd" in text
    assert "create entity Individual 'Grace Hopper'" in text
    assert "2 conflicts" in page.inner_text(f"#cr-{conflicted}")
    # headed by what changes, and a conflict shows the value now beside the staged one
    assert page.inner_text(f"#cr-{delete_rel} h2") == "Remove Employment: Ada Lovelace → Analytical Engines Ltd"
    assert "Current value" in page.inner_text(f"#cr-{conflicted} table.now-vs-staged")

    shot = tmp_path / "review-inbox.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # open the request that removes the Employment relation, and apply it, confirming first
    page.click(f"#cr-{delete_rel} h2 a")
    detail = f"{url}/ui/tenants/{TENANT}/changeRequests/{delete_rel}"
    page.wait_for_url(detail)
    assert "delete relation Employment" in page.inner_text("main")
    page.click(f"#cr-{delete_rel} a.button.apply")
    page.wait_for_url(f"{detail}/apply")
    assert "Apply this change request?" in page.inner_text("main")
    assert world.state_of(delete_rel) == "AWAITING_REVIEW"
    page.click("button:has-text('Yes, apply')")
    page.wait_for_url(f"{detail}?done=applied")
    assert f"Change request {delete_rel} applied" in page.inner_text(".notice")
    # the result page is a GET: reloading it resubmits nothing
    with page.expect_response(lambda r: r.url == f"{detail}?done=applied") as reloaded:
        page.reload()
    assert reloaded.value.request.method == "GET" and reloaded.value.status == 200
    # the relation is gone, as the API tells
    employment = world.seeded.objects["employment"]
    r = httpx.get(world.api(f"/{employment}"), headers={"Authorization": f"Bearer {world.reviewer_token}"})
    assert r.status_code == 404, r.text
    assert world.state_of(delete_rel) == "APPLIED"
    page.click("a:has-text('Back to the requests awaiting review')")
    page.wait_for_url(f"{url}/ui/tenants/{TENANT}")
    assert page.locator(f"#cr-{delete_rel}").count() == 0

    # reject another, right from the list (after its confirmation step)
    page.click(f"#cr-{create} a.button.reject")
    page.wait_for_url(f"{url}/ui/tenants/{TENANT}/changeRequests/{create}/reject")
    page.click("button:has-text('Yes, reject')")
    page.wait_for_url(f"{url}/ui/tenants/{TENANT}/changeRequests/{create}?done=rejected")
    assert "Rejected" in page.inner_text(f"#cr-{create} .badge.state")
    assert world.state_of(create) == "REJECTED"

    # confirming the conflicted one offers to apply it anyway, the values now beside the staged ones
    page.goto(f"{url}/ui/tenants/{TENANT}/changeRequests/{conflicted}/apply")
    assert "ATTRIBUTE_WAS_CHANGED" in page.inner_text("main")
    assert page.locator("button:has-text('Apply anyway')").count() == 1
    assert page.locator("table.now-vs-staged").count() == 2
    assert world.state_of(conflicted) == "AWAITING_REVIEW"

    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{url}/ui/sign-in")
    page.goto(f"{url}/ui/tenants/{TENANT}")
    assert page.url.endswith("/ui/sign-in")


def test_a_reader_sees_no_buttons(page: Any, world: World) -> None:
    url = world.live.url
    sign_in(page, url, world.live.alice.token)
    assert page.locator("article.cr").count() >= 1
    assert page.locator(".button.apply").count() == 0 and page.locator(".button.reject").count() == 0
    assert "ACCEPT_CHANGE_REQUEST" in page.inner_text(".readonly")
    # and the endpoint refuses a hand-made form all the same
    request_id = world.seeded.awaiting[1]
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    r = page.request.post(f"{url}/ui/tenants/{TENANT}/changeRequests/{request_id}/apply",
                          form={"csrf": csrf, "confirm": "yes"}, max_redirects=0)
    assert r.status == 403
    assert world.state_of(request_id) == "AWAITING_REVIEW"


def test_a_tampered_csrf_token_is_refused(page: Any, world: World) -> None:
    url = world.live.url
    sign_in(page, url, world.reviewer_token)
    request_id = world.seeded.awaiting[1]
    page.goto(f"{url}/ui/tenants/{TENANT}/changeRequests/{request_id}/apply")
    page.locator("form:has(button.apply) input[name=csrf]").evaluate("e => e.value = 'forged'")
    with page.expect_response(lambda r: r.url.endswith("/apply") and r.request.method == "POST") as answer:
        page.click("button.apply")
    assert answer.value.status == 403
    assert "security token" in page.inner_text("main")
    assert world.state_of(request_id) == "AWAITING_REVIEW"
    # a form posted without any token is refused too, with the browser's own session cookie
    r = page.request.post(f"{url}/ui/tenants/{TENANT}/changeRequests/{request_id}/reject", form={"confirm": "yes"},
                          max_redirects=0)
    assert r.status == 403
    assert world.state_of(request_id) == "AWAITING_REVIEW"


def test_a_reviewer_approves_a_workflow_task_in_the_inbox(page: Any, world: World) -> None:
    """A change request in review (a Workflow API task, decision 0025): the inbox shows its task, and
    applying it there approves the task (it closes with the action)."""
    url = world.live.url
    wf = f"{url}/services/workflow/{TENANT}"
    bob = {"Authorization": f"Bearer {world.live.bob.token}"}
    carol = {"Authorization": f"Bearer {world.reviewer_token}"}
    r = httpx.post(world.api("/entities?alwaysCreateDCR=true"), headers=bob, json=[{
        "type": "configuration/entityTypes/Individual", "attributes": {"FirstName": [{"value": "Katherine"}],
                                                                       "LastName": [{"value": "Johnson"}]}}])
    assert r.status_code == 200, r.text
    request_uri = r.json()["uri"]
    request_id = request_uri.split("/")[1]
    r = httpx.post(f"{wf}/processInstances", headers=bob, json={"processType": "dataChangeRequestReview",
                                                                 "objectURIs": [request_uri]})
    assert r.status_code == 200 and r.json()["status"] == "OK", r.text
    task = httpx.post(f"{wf}/tasks", headers=carol, json={"assignee": "carol@example.com",
                                                          "objectURIs": [request_uri]}).json()["data"][0]
    sign_in(page, url, world.reviewer_token)
    card = f"#cr-{request_id}"
    assert task["taskId"] in page.inner_text(f"{card} .task")
    assert "assigned to carol@example.com" in page.inner_text(f"{card} .task")
    page.click(f"{card} a.button.apply")
    detail = f"{url}/ui/tenants/{TENANT}/changeRequests/{request_id}"
    page.wait_for_url(f"{detail}/apply")
    page.click("button:has-text('Yes, apply')")
    page.wait_for_url(f"{detail}?done=applied")
    assert world.state_of(request_id) == "APPLIED"
    closed = httpx.get(f"{wf}/tasks/{task['taskId']}", headers=carol).json()
    assert closed["executedAction"] == "Approve" and closed["possibleActions"] == []
    assert page.locator(f"{card} .task").count() == 0

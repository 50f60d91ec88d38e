"""atlassian-python-api (PyPI), unchanged, its classic v1 Confluence client (the one `Confluence(url)`
gives for a site that is not *.atlassian.net): page history, versions and properties against a live
server."""

from __future__ import annotations

import pytest

from bondline.client import Client

atlassian = pytest.importorskip("atlassian",
                                reason="atlassian-python-api is not installed (pip install atlassian-python-api)")
from requests import HTTPError  # noqa: E402  (comes with atlassian-python-api)

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def confluence(live):  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create("APH", "atlassian-python-api history")
    return atlassian.Confluence(url=live.url + "/wiki", username=live.bob.email, password=live.bob.token)


def _page(confluence, title: str) -> str:  # type: ignore[no-untyped-def]
    created = confluence.create_page("APH", title, "<p>first</p>")
    return created["id"]  # type: ignore[no-any-return]


def test_update_page_reads_the_history_then_puts_the_next_version(confluence) -> None:  # type: ignore[no-untyped-def]
    page = _page(confluence, "Updated by the client")
    updated = confluence.update_page(page, "Updated by the client", "<p>second</p>", version_comment="two")
    assert updated["version"]["number"] == 2
    again = confluence.update_page(page, "Renamed by the client", "<p>third</p>")
    assert again["version"]["number"] == 3 and again["title"] == "Renamed by the client"
    stored = confluence.get_page_by_id(page, expand="body.storage,version")
    assert stored["body"]["storage"]["value"] == "<p>third</p>" and stored["version"]["number"] == 3


def test_history_and_versions(confluence, live) -> None:  # type: ignore[no-untyped-def]
    page = _page(confluence, "History through the client")
    confluence.update_page(page, "History through the client", "<p>second</p>", version_comment="two")
    history = confluence.history(page)
    assert history["lastUpdated"]["number"] == 2 and history["createdBy"]["email"] == "bob@example.com"
    assert confluence.get_content_history(page) == history
    first = confluence.get_content_history_by_version_number(page, 1)
    assert first["number"] == 1 and first["by"]["accountId"] == live.bob.account_id
    contributors = confluence.get_page_version_contributors(page, 2)
    assert [u["accountId"] for u in contributors] == [live.bob.account_id]

    confluence.remove_content_history(page, 1)
    assert [v["number"] for v in confluence.get_all_page_versions(page)] == [2]
    with pytest.raises(HTTPError) as err:
        confluence.get_content_history_by_version_number(page, 1)
    assert err.value.response.status_code == 404
    with pytest.raises(HTTPError) as err:
        confluence.remove_content_history(page, 2)  # the current version
    assert err.value.response.status_code == 400


def test_restore_a_version_through_the_generic_post(confluence) -> None:  # type: ignore[no-untyped-def]
    page = _page(confluence, "Restored through the client")
    confluence.update_page(page, "Restored through the client", "<p>second</p>")
    restored = confluence.post(f"rest/api/content/{page}/version", data={
        "operationKey": "restore", "params": {"versionNumber": 1, "message": "undo", "restoreTitle": True}})
    assert restored["number"] == 3 and restored["content"]["id"] == page
    stored = confluence.get_page_by_id(page, expand="body.storage")
    assert stored["body"]["storage"]["value"] == "<p>first</p>"


def test_page_properties(confluence) -> None:  # type: ignore[no-untyped-def]
    page = _page(confluence, "Properties through the client")
    made = confluence.set_page_property(page, {"key": "review", "value": {"state": "open", "by": ["bob"]}})
    assert made["version"]["number"] == 1
    assert confluence.get_page_property(page, "review")["value"] == {"state": "open", "by": ["bob"]}
    updated = confluence.update_page_property(page, {"key": "review", "value": {"state": "done"},
                                                     "version": {"number": 2, "minorEdit": False}})
    assert updated["version"]["number"] == 2
    for i in range(12):  # more than Confluence's default page of 10 (the client asks for 100 at a time)
        confluence.set_page_property(page, {"key": f"k{i:02}", "value": str(i)})
    # (create_page stored the appearance it sent, content-appearance-*, beside them)
    listed = [p for p in confluence.get_page_properties(page) if not p["key"].startswith("content-appearance-")]
    assert [p["key"] for p in listed] == [*(f"k{i:02}" for i in range(12)), "review"]
    assert listed[-1]["value"] == {"state": "done"}

    with pytest.raises(atlassian.errors.ApiConflictError):  # a stale version
        confluence.update_page_property(page, {"key": "review", "value": "x", "version": {"number": 2}})
    with pytest.raises(atlassian.errors.ApiValueError):  # the key exists
        confluence.set_page_property(page, {"key": "review", "value": "again"})
    with pytest.raises(atlassian.errors.ApiValueError):  # 413: over 32 KB
        confluence.set_page_property(page, {"key": "huge", "value": "x" * 40_000})

    confluence.delete_page_property(page, "review")
    with pytest.raises(atlassian.errors.ApiError):
        confluence.get_page_property(page, "review")
    assert "review" not in [p["key"] for p in confluence.get_page_properties(page)]


def test_update_page_stores_the_appearance_it_sends(confluence) -> None:  # type: ignore[no-untyped-def]
    """create_page and update_page send the page's appearance in `metadata.properties`: stored as
    content properties (each write its next version), beside the page's own."""
    page = _page(confluence, "Appearance")
    confluence.set_page_property(page, {"key": "mine", "value": "kept"})
    confluence.update_page(page, "Appearance", "<p>wide</p>", full_width=True)
    assert confluence.get_page_property(page, "content-appearance-published")["value"] == "full-width"
    confluence.update_page(page, "Appearance", "<p>narrow</p>", full_width=False)
    published = confluence.get_page_property(page, "content-appearance-published")
    assert (published["value"], published["version"]["number"]) == ("fixed-width", 3)
    assert confluence.get_page_property(page, "mine")["value"] == "kept"

"""The Python SDK (`bondline.client`), sync against a live server and async in-process."""

from __future__ import annotations

import httpx
import pytest

from bondline.client import (
    AsyncClient,
    BadRequest,
    Client,
    Conflict,
    Forbidden,
    NotFound,
    NotImplementedByApi,
    RateLimited,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
)

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def world(live):  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice:
        alice.spaces.create("SDK", "SDK space", description="for the SDK tests")
        page = alice.content.create("SDK", "SDK page", "<p>one</p>")
        alice.content.update(page["id"], "SDK page", 2, body="<p>two</p>")
    return {"page": page["id"]}


def test_spaces_and_content(live, world) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.bob.token) as bob:
        assert bob.spaces.get("SDK", expand=["description"])["description"]["plain"]["value"] == "for the SDK tests"
        assert "SDK" in [s["key"] for s in bob.spaces.list()["results"]]
        page = bob.content.get(world["page"], expand=["body.storage", "version"])
        assert page["version"]["number"] == 2 and page["body"]["storage"]["value"] == "<p>two</p>"
        old = bob.content.get(world["page"], status="historical", version=1)
        assert old["status"] == "historical"
        assert [v["number"] for v in bob.content.versions(world["page"])["results"]] == [2, 1]
        with pytest.raises(Conflict) as err:
            bob.content.update(world["page"], "SDK page", 2)
        assert err.value.status_code == 409 and "Current version is: 2" in err.value.message
        assert bob.users.current()["accountId"] == live.bob.account_id


def test_relations(live, world) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.bob.token) as bob:
        target = ("content", world["page"])
        assert bob.relations.exists("favourite", source=("user", "current"), target=target) is False
        created = bob.relations.put("favourite", source=("user", "current"), target=target, expand=["relationData"])
        assert created["relationData"]["createdBy"]["accountId"] == live.bob.account_id
        assert bob.relations.exists("favourite", ("user", "current"), f"content:{world['page']}") is True
        assert bob.relations.get("favourite", ("user", "current"), target)["name"] == "favourite"
        assert [r["target"]["key"] for r in bob.relations.of_user("favourite")["results"]] == [world["page"]]
        with pytest.raises(NotImplementedByApi):
            bob.relations.targets("favourite", ("user", "current"), "content")
        bob.relations.put("reviewer", ("user", "current"), target)
        assert bob.relations.sources("reviewer", target, "user", expand=["source"])["results"][0]["source"][
            "accountId"] == live.bob.account_id
        bob.relations.delete("favourite", source=("user", "current"), target=target)
        bob.relations.delete("favourite", source=("user", "current"), target=target)
        with pytest.raises(NotFound) as err:
            bob.relations.get("favourite", ("user", "current"), target)
        assert err.value.body["statusCode"] == 404
        with pytest.raises(BadRequest):
            bob.relations.get("favourite", ("space", "SDK"), target)
    with Client(live.url, live.alice.token) as alice, pytest.raises(Forbidden):
        alice.relations.put("favourite", ("user", live.bob.account_id), ("content", world["page"]))


def test_watches_and_labels(live, world) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.bob.token) as bob, Client(live.url, live.admin.token) as admin:
        bob.watches.add_content(world["page"])
        assert bob.watches.content_status(world["page"]) is True
        accounts = {w["watcher"]["accountId"] for w in bob.watches.page_watchers(world["page"])["results"]}
        assert live.bob.account_id in accounts
        admin.watches.remove_content(world["page"], account_id=live.bob.account_id)
        assert bob.watches.content_status(world["page"]) is False
        with pytest.raises(Forbidden):
            bob.watches.add_content(world["page"], account_id=live.alice.account_id)
        bob.watches.add_space("SDK", content_type="blogpost")
        assert bob.watches.space_status("SDK", content_type="blogpost") is True
        assert bob.labels.add(world["page"], "sdk", "docs")[0]["name"] in ("docs", "sdk")
        bob.watches.add_label("sdk")
        assert bob.watches.label_status("sdk") is True
        bob.labels.remove(world["page"], "docs")
        assert [label["name"] for label in bob.labels.list(world["page"])] == ["sdk"]


def test_basic_auth_and_bad_tokens(live, world) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.bob.token, email=live.bob.email) as bob:
        assert bob.users.current()["email"] == live.bob.email
    with Client(live.url, "blt_nope") as nobody, pytest.raises(Unauthorized) as err:
        nobody.users.current()
    assert err.value.body["statusCode"] == 401


def test_unreachable_server_is_a_transport_error() -> None:
    with Client("http://127.0.0.1:9", "t", retries=1, backoff=0.01, timeout=1) as client:
        with pytest.raises(TransportError):
            client.users.current()


async def test_async_client_in_process(app, site) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with AsyncClient("http://bondline.test", site.alice.token, transport=transport) as alice:
        await alice.spaces.create("ASY", "Async")
        page = await alice.content.create("ASY", "Async page")
        await alice.relations.put("favourite", ("user", "current"), ("content", page["id"]))
        assert await alice.relations.exists("favourite", ("user", "current"), ("content", page["id"]))
        assert await alice.watches.content_status(page["id"]) is True
        await alice.watches.remove_content(page["id"])
        assert await alice.watches.content_status(page["id"]) is False
        with pytest.raises(NotFound):
            await alice.content.get("424242")


def _flaky(statuses: list[int], headers: dict[str, str] | None = None) -> tuple[httpx.MockTransport, list[float]]:
    """A scripted server for the retry policy: answers `statuses` in turn, then 200."""
    seen: list[float] = []
    remaining = list(statuses)

    def handler(request: httpx.Request) -> httpx.Response:
        import time

        seen.append(time.monotonic())
        if remaining:
            return httpx.Response(remaining.pop(0), json={"statusCode": 503, "message": "busy"}, headers=headers)
        return httpx.Response(200, json={"accountId": "ok"})

    return httpx.MockTransport(handler), seen


def test_retries_429_and_503_with_backoff() -> None:
    transport, seen = _flaky([429, 503, 429])
    with Client("http://x", "t", transport=transport, backoff=0.01) as client:
        assert client.users.current()["accountId"] == "ok"
    assert len(seen) == 4


def test_retry_after_is_honoured() -> None:
    transport, seen = _flaky([429], headers={"Retry-After": "0.2"})
    with Client("http://x", "t", transport=transport, backoff=0.001) as client:
        client.users.current()
    assert seen[1] - seen[0] >= 0.19


def test_gives_up_after_the_retries() -> None:
    transport, seen = _flaky([503] * 10)
    with Client("http://x", "t", transport=transport, retries=2, backoff=0.001) as client:
        with pytest.raises(ServiceUnavailable):
            client.users.current()
    assert len(seen) == 3
    transport, _ = _flaky([429] * 10)
    with Client("http://x", "t", transport=transport, retries=0) as client, pytest.raises(RateLimited):
        client.users.current()


def test_versions_bulk_users_space_tasks_and_the_audit_trail(live, world) -> None:  # type: ignore[no-untyped-def]
    with Client(live.url, live.alice.token) as alice, Client(live.url, live.admin.token) as admin:
        assert alice.content.version(world["page"], 1)["number"] == 1
        with pytest.raises(NotFound):
            alice.content.version(world["page"], 9)
        found = alice.users.bulk([live.alice.account_id, live.bob.account_id])["results"]
        assert sorted(u["accountId"] for u in found) == sorted([live.alice.account_id, live.bob.account_id])
        alice.spaces.create("SDKGONE", "to delete")
        task = alice.spaces.delete("SDKGONE")
        task_id = task["id"]
        assert alice.content.task(task_id)["id"] == task_id
        entries = admin.audit.list(object="space/SDKGONE")["results"]
        assert [e["action"] for e in entries] == ["space.delete", "space.create"]
        with pytest.raises(Forbidden):
            alice.audit.list()

"""Reltio's Workflow API: the DCR review process and its task (docs/decisions/0025-reltio-workflow.md).

On the tenant `acme` (alice ROLE_USER, bob ROLE_INITIATOR, carol ROLE_REVIEWER; admin a site admin):
bob's change requests are reviewed by carol. Every answer is in the workflow envelope."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
from typing import Any

import httpx
import msgspec
import pytest
import sqlalchemy as sa

from bondline.services.reltio import tenants
from bondline.store.tables import outbox_events
from tests.api.reltio.conftest import INDIVIDUAL, TENANT, api
from tests.live import LiveServer

WF = f"/services/workflow/{TENANT}"
NUI = f"/nui/workflow/workflow/{TENANT}"
ENV = {"EnvironmentURL": "https://dev.reltio.com"}


def hdr(who: Any) -> dict[str, str]:
    return {**who.bearer, **ENV}


def ok(r: Any) -> dict[str, Any]:
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "OK", body
    return dict(body)


def failed(r: Any, status: int, fragment: str = "", code: int | None = None) -> dict[str, Any]:
    """The envelope's failure: `status`, error{errorCode (10000 + status unless given), errorMessage,
    errorData}."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == "failed", body
    error = body["error"]
    assert error["errorCode"] == (code or 10000 + status), body
    assert fragment in error["errorMessage"], body
    assert isinstance(error["errorData"]["exception"], str)
    return dict(body)


async def staged(client: Any, who: Any) -> dict[str, Any]:
    """A change request by `who` that creates one Individual (bob has no CREATE: his post is staged)."""
    r = await client.post(api("/entities"), headers=who.bearer, json=[INDIVIDUAL])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["uri"].startswith("changeRequests/") and body["state"] == "AWAITING_REVIEW", body
    return dict(body)


async def start(client: Any, who: Any, dcr: dict[str, Any], base: str = WF, **extra: Any) -> str:
    body = {"processType": "dataChangeRequestReview", "objectURIs": [dcr["uri"]], **extra}
    got = ok(await client.post(f"{base}/processInstances", headers=hdr(who), json=body))
    assert set(got) == {"processInstanceId", "status"}
    return str(got["processInstanceId"])


async def task_of(client: Any, who: Any, dcr: dict[str, Any]) -> dict[str, Any]:
    page = ok(await client.post(f"{WF}/tasks", headers=hdr(who), json={"objectURIs": [dcr["uri"]]}))
    assert page["total"] == 1 and page["size"] == 1 and page["offset"] == 0, page
    return dict(page["data"][0])


async def state_of(client: Any, who: Any, dcr: dict[str, Any]) -> str:
    return str((await client.get(api(f"/{dcr['uri']}"), headers=who.bearer)).json()["state"])


TASK_FIELDS = {"taskId", "assignee", "createTime", "createdBy", "dueDate", "displayName", "processInstanceId",
               "processType", "processDefinitionDisplayName", "taskType", "suspended", "objectURIs",
               "possibleActions", "priority", "priorityClass", "processInstanceComments"}


async def test_start_gives_a_task_to_a_reviewer(client, acme) -> None:  # type: ignore[no-untyped-def]
    dcr = await staged(client, acme.bob)
    pid = await start(client, acme.bob, dcr, comment="please review")
    task = await task_of(client, acme.carol, dcr)
    assert set(task) == TASK_FIELDS | {"preferredAction"}
    assert task["assignee"] == acme.carol.email  # the tenant's one reviewer; never the author
    assert task["processInstanceId"] == pid and task["processType"] == "dataChangeRequestReview"
    assert task["taskType"] == "dcrReview" and task["createdBy"] == acme.bob.email
    assert task["objectURIs"] == [dcr["uri"]]
    assert [a["action"] for a in task["possibleActions"]] == ["Approve", "Reject"]
    assert task["preferredAction"] == {"action": "Approve", "label": "Approve"}
    assert [c["message"] for c in task["processInstanceComments"]] == ["please review"]
    assert task["dueDate"] - task["createTime"] == 7 * 86_400_000
    detail = ok(await client.get(f"{WF}/tasks/{task['taskId']}", headers=hdr(acme.alice)))
    assert detail["taskId"] == task["taskId"]
    # the DCR -> process link: its process is found by the request's URI
    found = ok(await client.post(f"{WF}/processInstances/_search", headers=hdr(acme.alice),
                                 json={"objectURIs": [dcr["uri"]]}))
    assert found["total"] == 1 and found["data"][0]["processInstanceId"] == pid
    assert set(found["data"][0]) >= {"processInstanceId", "processDefinitionId", "processType", "suspended"}
    process = ok(await client.get(f"{WF}/processInstances/{pid}", headers=hdr(acme.alice)))
    assert process["tasks"] == [task["taskId"]] and process["objectURIs"] == [dcr["uri"]]


@pytest.mark.parametrize("filters, hits", [
    ({}, 2),
    ({"assignee": "carol@example.com"}, 2),
    ({"assignee": "bob@example.com"}, 0),
    ({"assignee": "none"}, 0),
    ({"processType": "dataChangeRequestReview"}, 2),
    ({"processTypes": ["recommendForDelete"]}, 0),
    ({"taskType": "dcrReview"}, 2),
    ({"createdBy": "bob@example.com"}, 2),
    ({"createdBy": "alice@example.com"}, 0),
    ({"createdAfter": 0, "createdBefore": 2**50}, 2),
    ({"createdBefore": 1}, 0),
    ({"suspended": True}, 0),
    ({"priorityClass": "Urgent"}, 0),
    ({"max": 1}, 2),
    ({"offset": 5}, 2),
])
async def test_retrieve_tasks_filters(client, acme, filters, hits) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await start(client, acme.bob, await staged(client, acme.bob))
    page = ok(await client.post(f"{WF}/tasks", headers=hdr(acme.carol), json=filters))
    assert page["total"] == hits, page
    expected = max(0, min(hits - filters.get("offset", 0), filters.get("max", 10)))
    assert page["size"] == len(page["data"]) == expected
    assert page["offset"] == filters.get("offset", 0)


@pytest.mark.parametrize("action, state, entity_made", [("Approve", "APPLIED", True), ("Reject", "REJECTED", False)])
async def test_task_action_decides_the_change_request(app, client, acme, action, state,  # type: ignore[no-untyped-def]
                                                      entity_made) -> None:
    dcr = await staged(client, acme.bob)
    pid = await start(client, acme.bob, dcr)
    task = await task_of(client, acme.carol, dcr)
    r = await client.post(f"{WF}/tasks/{task['taskId']}/_action", headers=hdr(acme.carol),
                          json={"action": action, "processInstanceComment": f"{action}d by carol"})
    assert ok(r) == {"status": "OK"}
    assert await state_of(client, acme.bob, dcr) == state
    (entity_uri,) = dcr["changes"]
    assert (await client.get(api(f"/{entity_uri}"), headers=acme.alice.bearer)).status_code == (
        200 if entity_made else 404)
    closed = ok(await client.get(f"{WF}/tasks/{task['taskId']}", headers=hdr(acme.carol)))
    assert closed["possibleActions"] == [] and closed["executedAction"] == action and "endTime" in closed
    assert ok(await client.post(f"{WF}/tasks", headers=hdr(acme.carol), json={}))["total"] == 0
    comments = ok(await client.get(f"{WF}/processInstances/{pid}/_comment", headers=hdr(acme.carol)))
    assert [(c["message"], c["author"]) for c in comments["data"]] == [(f"{action}d by carol", acme.carol.email)]
    # a closed task takes no more actions
    again = await client.post(f"{WF}/tasks/{task['taskId']}/_action", headers=hdr(acme.carol), json={"action": action})
    failed(again, 409, "already completed")
    assert await state_of(client, acme.bob, dcr) == state
    # the audit trail and the webhooks' outbox saw the task
    async with app.store.read() as tx:
        trail = await tx.audit.entries(prefix=f"reltio/{TENANT}/workflow/")
        kinds = {e.action for e in trail}
    assert {"workflow.process.start", "workflow.task.create", "workflow.task.complete", "workflow.process.complete",
            "workflow.comment.create"} <= kinds, kinds


async def test_task_events_reach_webhooks(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post("/api/v1/webhooks", headers=acme.admin.bearer,
                          json={"url": "https://hooks.example/in", "events": ["workflow_task.*"]})
    assert r.status_code == 201, r.text
    dcr = await staged(client, acme.bob)
    await start(client, acme.bob, dcr)
    task = await task_of(client, acme.carol, dcr)
    ok(await client.post(f"{WF}/tasks/{task['taskId']}/_action", headers=hdr(acme.carol), json={"action": "Approve"}))
    async with app.store.read() as tx:
        rows = await tx.conn.all(sa.select(outbox_events.c.type, outbox_events.c.payload).order_by(outbox_events.c.id))
    events = [(t, msgspec.json.decode(p)) for t, p in rows]
    assert [t for t, _ in events] == ["workflow_task.created", "workflow_task.completed"]
    done = events[1][1]["data"]["task"]
    assert done["action"] == "Approve" and done["changeRequest"] == dcr["uri"] and done["taskId"] == task["taskId"]


async def test_approving_your_own_change_request_is_forbidden(client, acme, app) -> None:  # type: ignore[no-untyped-def]
    await tenants.grant(app.store, TENANT, acme.carol.account_id, ["ROLE_ADMIN_TENANT"])
    await tenants.grant(app.store, TENANT, acme.alice.account_id, ["ROLE_REVIEWER"])
    r = await client.post(api("/entities?alwaysCreateDCR=true"), headers=acme.carol.bearer, json=[INDIVIDUAL])
    dcr = r.json()
    await start(client, acme.carol, dcr)
    task = await task_of(client, acme.carol, dcr)
    assert task["assignee"] == acme.alice.email  # never its author
    r = await client.post(f"{WF}/tasks/{task['taskId']}/_action", headers=hdr(acme.carol), json={"action": "Approve"})
    failed(r, 403)
    assert await state_of(client, acme.carol, dcr) == "AWAITING_REVIEW"
    # nor may the author take the task
    r = await client.put(f"{WF}/tasks", headers=hdr(acme.alice), json=[{"taskId": task["taskId"],
                                                                          "assignee": acme.carol.email}])
    failed(r, 400, "not a possible assignee")
    ok(await client.post(f"{WF}/tasks/{task['taskId']}/_action", headers=hdr(acme.alice), json={"action": "Approve"}))
    assert await state_of(client, acme.carol, dcr) == "APPLIED"


@pytest.mark.parametrize("how, state", [("_apply", "APPLIED"), ("_reject", "REJECTED")])
async def test_deciding_through_the_data_api_closes_the_task(client, acme, how, state) -> None:  # type: ignore[no-untyped-def]
    dcr = await staged(client, acme.bob)
    pid = await start(client, acme.bob, dcr)
    task = await task_of(client, acme.carol, dcr)
    r = await client.post(api(f"/{dcr['uri']}/{how}"), headers=acme.carol.bearer)
    assert r.status_code == 200, r.text
    closed = ok(await client.get(f"{WF}/tasks/{task['taskId']}", headers=hdr(acme.carol)))
    assert closed["possibleActions"] == [] and closed["executedAction"] is None
    assert ok(await client.post(f"{WF}/processInstances/_search", headers=hdr(acme.carol),
                                json={"objectURIs": [dcr["uri"]]}))["total"] == 0
    assert ok(await client.get(f"{WF}/processInstances/{pid}", headers=hdr(acme.carol)))["active"] is False
    failed(await client.post(f"{WF}/tasks/{task['taskId']}/_action", headers=hdr(acme.carol),
                             json={"action": "Approve"}), 409)
    assert await state_of(client, acme.bob, dcr) == state


async def test_deleting_the_change_request_cancels_its_process(client, acme) -> None:  # type: ignore[no-untyped-def]
    dcr = await staged(client, acme.bob)
    pid = await start(client, acme.bob, dcr)
    assert (await client.delete(api(f"/{dcr['uri']}"), headers=acme.bob.bearer)).status_code == 200
    assert ok(await client.post(f"{WF}/tasks", headers=hdr(acme.carol), json={}))["total"] == 0
    assert ok(await client.get(f"{WF}/processInstances/{pid}", headers=hdr(acme.carol)))["active"] is False


async def test_reassign_and_possible_assignees(client, acme, app) -> None:  # type: ignore[no-untyped-def]
    await tenants.grant(app.store, TENANT, acme.alice.account_id, ["ROLE_REVIEWER"])
    dcr = await staged(client, acme.bob)
    pid = await start(client, acme.bob, dcr)
    task = await task_of(client, acme.carol, dcr)
    assert task["assignee"] == acme.alice.email  # fewest open tasks, then by name
    who = ok(await client.post(f"{WF}/assignee", headers=hdr(acme.carol), json={"tasks": [task["taskId"]]}))
    assert who == {"total": 2, "data": [acme.alice.email, acme.carol.email], "status": "OK"}
    assert ok(await client.post(f"{WF}/assignee", headers=hdr(acme.carol), json={"filter": {}}))["total"] == 2
    # reassigning needs a reviewer
    body = [{"taskId": task["taskId"], "assignee": acme.carol.email}]
    failed(await client.put(f"{WF}/tasks", headers=hdr(acme.bob), json=body), 403)
    ok(await client.put(f"{WF}/tasks", headers=hdr(acme.alice), json=body))
    assert (await task_of(client, acme.carol, dcr))["assignee"] == acme.carol.email
    mine = ok(await client.post(f"{WF}/tasks", headers=hdr(acme.carol), json={"assignee": acme.carol.email}))
    assert mine["total"] == 1
    comments = ok(await client.get(f"{WF}/processInstances/{pid}/_comment", headers=hdr(acme.carol)))["data"]
    assert [c["message"] for c in comments] == [f"Reassigned to {acme.carol.email}"]
    # a non-reviewer, or someone not on the tenant, is no assignee
    for name in (acme.bob.email, "nobody@example.com"):
        failed(await client.put(f"{WF}/tasks", headers=hdr(acme.alice),
                                json=[{"taskId": task["taskId"], "assignee": name}]), 400, "not a possible assignee")


async def test_comments_and_cancel(client, acme) -> None:  # type: ignore[no-untyped-def]
    dcr = await staged(client, acme.bob)
    pid = await start(client, acme.bob, dcr, base=NUI)  # the environment host's path form
    posted = ok(await client.post(f"{NUI}/processInstances/{pid}/_comment", headers=hdr(acme.alice),
                                  json={"message": "looks fine"}))
    assert posted["data"][0]["message"] == "looks fine" and posted["data"][0]["author"] == acme.alice.email
    got = ok(await client.get(f"{WF}/processInstances/{pid}/_comment", headers=hdr(acme.bob)))
    assert set(got["data"][0]) == {"id", "message", "author", "time"}
    failed(await client.delete(f"{WF}/processInstances/{pid}", headers=hdr(acme.bob)), 403)
    assert ok(await client.delete(f"{WF}/processInstances/{pid}", headers=hdr(acme.carol))) == {"status": "OK"}
    failed(await client.delete(f"{WF}/processInstances/{pid}", headers=hdr(acme.carol)), 409)
    assert ok(await client.post(f"{WF}/tasks", headers=hdr(acme.carol), json={}))["total"] == 0
    assert await state_of(client, acme.bob, dcr) == "AWAITING_REVIEW"  # a new review may start
    await start(client, acme.bob, dcr)


@pytest.mark.parametrize("method, path, body, status, fragment", [
    ("POST", "/processInstances", {"processType": "recommendForDelete", "objectURIs": ["entities/x"]}, 400,
     "recommendForDelete"),
    ("POST", "/processInstances", {"objectURIs": ["changeRequests/x"]}, 400, "processType"),
    ("POST", "/processInstances", {"processType": "dataChangeRequestReview", "objectURIs": []}, 400, "objectURIs"),
    ("POST", "/processInstances", {"processType": "dataChangeRequestReview", "objectURIs": ["entities/x"]}, 400,
     "changeRequests"),
    ("POST", "/processInstances", {"processType": "dataChangeRequestReview", "objectURIs": ["changeRequests/nope"]},
     404, "changeRequests/nope"),
    ("POST", "/processInstances", [1], 400, ""),
    ("GET", "/tasks/unknown", None, 404, "unknown"),
    ("POST", "/tasks/unknown/_action", {"action": "Approve"}, 404, "unknown"),
    ("POST", "/tasks", {"max": 0}, 400, "max"),
    ("POST", "/tasks", {"offset": -1}, 400, "offset"),
    ("POST", "/tasks", {"orderBy": "name"}, 400, "orderBy"),
    ("POST", "/tasks", {"objectURIs": "entities/x"}, 400, "objectURIs"),
    ("PUT", "/tasks", [], 400, "tasks"),
    ("PUT", "/tasks", [{"taskId": "unknown", "assignee": "carol@example.com"}], 404, "unknown"),
    ("GET", "/processInstances/unknown", None, 404, "unknown"),
    ("GET", "/processInstances/unknown/_comment", None, 404, "unknown"),
    ("DELETE", "/processInstances/unknown", None, 404, "unknown"),
    ("POST", "/assignee", {"tasks": ["a"], "exclude": ["b"]}, 400, "either"),
    ("GET", "/nowhere", None, 404, ""),
])
async def test_bad_input_gets_the_envelope(client, acme, method, path, body, status,  # type: ignore[no-untyped-def]
                                           fragment) -> None:
    r = await client.request(method, WF + path, headers=acme.carol.bearer, json=body)  # no EnvironmentURL either
    failed(r, status, fragment)


async def test_bad_actions(client, acme) -> None:  # type: ignore[no-untyped-def]
    dcr = await staged(client, acme.bob)
    await start(client, acme.bob, dcr)
    task = await task_of(client, acme.carol, dcr)
    for body in ({"action": "Merge"}, {}, {"action": "Approve", "processInstanceComment": 5},
                 {"action": "Approve", "processInstanceComment": "x" * 5000}):
        failed(await client.post(f"{WF}/tasks/{task['taskId']}/_action", headers=hdr(acme.carol), json=body), 400)
    # bob (no ACCEPT_CHANGE_REQUEST) may not act; a second review of the same request is refused
    failed(await client.post(f"{WF}/tasks/{task['taskId']}/_action", headers=hdr(acme.bob),
                             json={"action": "Approve"}), 403)
    failed(await client.post(f"{WF}/processInstances", headers=hdr(acme.bob), json={
        "processType": "dataChangeRequestReview", "objectURIs": [dcr["uri"]]}), 400, "already in review")
    assert await state_of(client, acme.bob, dcr) == "AWAITING_REVIEW"


async def test_unauthenticated_and_unknown_tenant(client, acme) -> None:  # type: ignore[no-untyped-def]
    r = await client.post(f"{WF}/tasks", json={})
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    failed(await client.post("/services/workflow/nosuch/tasks", headers=hdr(acme.carol), json={}), 404,
           "Tenant nosuch", code=10061)  # "Tenant [x] is not registered": the Workflow API's own code


async def test_two_reviewers_act_at_once_one_wins(client, acme, app) -> None:  # type: ignore[no-untyped-def]
    await tenants.grant(app.store, TENANT, acme.alice.account_id, ["ROLE_REVIEWER"])
    dcr = await staged(client, acme.bob)
    await start(client, acme.bob, dcr)
    task = await task_of(client, acme.carol, dcr)
    url = f"{WF}/tasks/{task['taskId']}/_action"
    first, second = await asyncio.gather(
        client.post(url, headers=hdr(acme.carol), json={"action": "Approve"}),
        client.post(url, headers=hdr(acme.alice), json={"action": "Reject"}))
    assert sorted([first.status_code, second.status_code]) == [200, 409], (first.text, second.text)
    winner = "Approve" if first.status_code == 200 else "Reject"
    assert await state_of(client, acme.bob, dcr) == {"Approve": "APPLIED", "Reject": "REJECTED"}[winner]
    closed = ok(await client.get(f"{WF}/tasks/{task['taskId']}", headers=hdr(acme.carol)))
    assert closed["executedAction"] == winner


@pytest.mark.live
def test_two_server_processes_act_on_one_task(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers on one database is the PostgreSQL deployment")
    from bondline.config import Settings
    from bondline.services import accounts
    from bondline.store import create_store

    async def prepare() -> dict[str, str]:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        tokens = {}
        await tenants.add(store, TENANT)
        for name, role in (("author", "ROLE_INITIATOR"), ("rev1", "ROLE_REVIEWER"), ("rev2", "ROLE_REVIEWER")):
            await accounts.add_user(store, name, f"{name}@example.com", name)
            await tenants.grant(store, TENANT, name, [role])
            tokens[name] = {"Authorization": f"Bearer {(await accounts.create_token(store, name))[1]}"}
        await store.close()
        return {k: v["Authorization"] for k, v in tokens.items()}

    tokens = asyncio.run(prepare())
    with LiveServer(database_url) as one, LiveServer(database_url) as two:
        with httpx.Client(headers={"Authorization": tokens["author"]}, timeout=30) as http:
            for _ in range(3):
                dcr = http.post(f"{one.url}{api('/entities')}", json=[INDIVIDUAL]).json()
                http.post(f"{one.url}{WF}/processInstances", json={"processType": "dataChangeRequestReview",
                                                                    "objectURIs": [dcr["uri"]]}).raise_for_status()
                task = http.post(f"{two.url}{WF}/tasks", json={"objectURIs": [dcr["uri"]]}).json()["data"][0]

                def act(arg: tuple[str, str, str], task_id: str = task["taskId"]) -> int:
                    base, who, action = arg
                    with httpx.Client(headers={"Authorization": tokens[who]}, timeout=30) as c:
                        return c.post(f"{base}{WF}/tasks/{task_id}/_action", json={"action": action}).status_code

                with concurrent.futures.ThreadPoolExecutor(2) as pool:
                    results = sorted(pool.map(act, [(one.url, "rev1", "Approve"), (two.url, "rev2", "Reject")]))
                assert results == [200, 409], results
                state = http.get(f"{one.url}{api('/' + dcr['uri'])}").json()["state"]
                assert state in ("APPLIED", "REJECTED")
                # the loser changed nothing: the task holds the winner's action, the request its state
                detail = http.get(f"{two.url}{WF}/tasks/{task['taskId']}").json()
                assert {"Approve": "APPLIED", "Reject": "REJECTED"}[detail["executedAction"]] == state


async def test_autostart_setting_starts_a_review_per_new_request(app, client, acme) -> None:  # type: ignore[no-untyped-def]
    assert app.settings.reltio_review_autostart is False  # off by default, as in Reltio
    dcr = await staged(client, acme.bob)
    assert ok(await client.post(f"{WF}/tasks", headers=hdr(acme.carol), json={}))["total"] == 0
    app.settings = dataclasses.replace(app.settings, reltio_review_autostart=True)
    dcr = await staged(client, acme.bob)
    task = await task_of(client, acme.carol, dcr)
    assert task["assignee"] == acme.carol.email and task["createdBy"] == acme.bob.email
    # adding to the same request starts nothing more
    r = await client.post(api(f"/entities?changeRequestId={dcr['uri'].split('/')[1]}"), headers=acme.bob.bearer,
                          json=[{**INDIVIDUAL, "crosswalks": [{"type": "configuration/sources/LNKD", "value": "b"}]}])
    assert r.status_code == 200, r.text
    assert ok(await client.post(f"{WF}/tasks", headers=hdr(acme.carol), json={}))["total"] == 1

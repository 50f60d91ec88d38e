"""Conformance: the unit of work (what a change leaves behind: audit entries and webhook events, both
or neither), webhooks and their deliveries, and `Store.wipe`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
import sqlalchemy as sa

from bondline.domain import events as ev
from bondline.domain.attachments import AttachmentVersion
from bondline.domain.audit import OPERATOR_ACTOR, Actor, Change
from bondline.domain.comments import CommentMeta
from bondline.domain.groups import Group
from bondline.domain.relations import CONFLUENCE
from bondline.domain.reltio import workflow as wf
from bondline.domain.reltio.interactions import Interaction
from bondline.store import Store
from bondline.store.repos.reltio_merge import Merge
from bondline.store.repos.tasks import LongTask
from bondline.store.repos.ui_sessions import StoredSession
from bondline.store.tables import BACKEND_OWN, metadata
from bondline.store.unit import Tx
from tests.storage.conformance.conftest import (
    NOW,
    TENANT,
    add_tenant,
    add_user,
    change_item,
    change_request,
    entity,
    reltio_relation,
    table_counts,
    token,
)

ADA = Actor("acc-ada", "req-0001")


async def _hooks(store: Store, *filters: list[str]) -> list[int]:
    async with store.write(OPERATOR_ACTOR) as tx:
        return [(await tx.webhooks.add(f"https://hooks.example/{k}", f, "s" * 16, "acc-admin", NOW)).id
                for k, f in enumerate(filters)]


# --- events: written at commit, for the webhooks that want them -------------------------------------

@pytest.mark.parametrize("event_type, wanted_by", [
    (ev.CONTENT_UPDATED, {"all", "content"}),
    (ev.SPACE_CONTENT_CREATED, {"all"}),
    (ev.DCR_APPLIED, {"all", "applied"}),
    (ev.DCR_CREATED, {"all"}),
])
async def test_an_event_is_delivered_to_the_webhooks_subscribed_to_it(store: Store, event_type: str,
                                                                       wanted_by: set[str]) -> None:
    ids = dict(zip(["all", "content", "applied", "removed"],
                   await _hooks(store, ["*"], ["content.*"], [ev.DCR_APPLIED], ["*"]), strict=True))
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.webhooks.delete(ids["removed"]) is True  # a webhook gone before the change gets nothing
    async with store.write(ADA) as tx:
        assert await tx.wanted([event_type]) is True
        tx.emit([ev.Event(event_type, {"n": 1})])
    async with store.read() as tx:
        deliveries = await tx.webhooks.deliveries(None, None, None, 10)
    assert {d.webhook_id for d in deliveries} == {ids[name] for name in wanted_by}
    assert {(d.event_type, d.status, d.attempts) for d in deliveries} == {(event_type, ev.PENDING, 0)}
    assert (await table_counts(store))["outbox_events"] == 1  # one event, one delivery per webhook


async def test_an_event_nobody_wants_is_not_stored(store: Store) -> None:
    await _hooks(store, [ev.DCR_APPLIED])
    async with store.write(ADA) as tx:
        assert await tx.wanted([ev.CONTENT_UPDATED, ev.CONTENT_TRASHED]) is False
        tx.emit([ev.Event(ev.CONTENT_UPDATED, {})])
    counts = await table_counts(store)
    assert (counts["outbox_events"], counts["webhook_deliveries"]) == (0, 0)


# --- audit entries: written at commit, stamped with the actor and the request -----------------------

async def test_recorded_changes_are_stamped_with_the_actor_and_the_request(store: Store) -> None:
    async with store.write(ADA) as tx:
        tx.record(Change("space.create", "space/ENG", None, {"key": "ENG", "n": [1, 2]}),
                  Change("user.create", "user/acc-bob", actor="acc-bob"))  # a change may name its own actor
    async with store.write(OPERATOR_ACTOR) as tx:
        tx.record(Change("token.revoke", "token/abc", {"id": "abc"}, None))
    async with store.read() as tx:
        entries = await tx.audit.entries()
        assert [(e.actor, e.action, e.object, e.request_id) for e in entries] == [
            (OPERATOR_ACTOR.account_id, "token.revoke", "token/abc", None),
            ("acc-bob", "user.create", "user/acc-bob", "req-0001"),
            ("acc-ada", "space.create", "space/ENG", "req-0001")]
        assert (entries[0].before, entries[2].after) == ({"id": "abc"}, {"key": "ENG", "n": [1, 2]})
        assert [e.action for e in await tx.audit.entries(actor="acc-ada")] == ["space.create"]
        assert [e.action for e in await tx.audit.entries(prefix="user/")] == ["user.create"]
        assert [e.action for e in await tx.audit.entries(before_id=entries[1].id)] == ["space.create"]


@pytest.mark.parametrize("with_events", [False, True])
async def test_every_recorded_change_is_written_with_or_without_events(store: Store, with_events: bool) -> None:
    """PostgreSQL appends the audit entries and reads the subscriptions in one statement when a unit
    has both: the entries are the same either way."""
    await _hooks(store, ["*"])
    async with store.write(ADA) as tx:
        tx.record(*(Change("label.add", f"content/{k}", None, {"k": k}) for k in range(5)))
        if with_events:
            tx.emit([ev.Event(ev.CONTENT_LABELS_CHANGED, {"k": 0})])
    async with store.read() as tx:
        assert [e.after for e in await tx.audit.entries()] == [{"k": k} for k in reversed(range(5))]
    assert (await table_counts(store))["webhook_deliveries"] == (1 if with_events else 0)


async def test_a_unit_that_only_reads_records_and_emits_nothing(store: Store) -> None:
    async with store.read() as tx:
        with pytest.raises(RuntimeError):
            tx.record(Change("space.create", "space/ENG"))
        with pytest.raises(RuntimeError):
            tx.emit([ev.Event(ev.CONTENT_UPDATED, {})])
    assert (await table_counts(store))["audit_log"] == 0


# --- a unit of work that raises leaves nothing behind ---------------------------------------------------

async def _user(tx: Tx) -> None:
    await add_user(tx, "zed")


async def _space_and_page(tx: Tx) -> None:
    zed = await add_user(tx, "zed")
    space = await tx.spaces.add("NEW", "New", "", "global", False, zed.id, NOW)
    await tx.content.add(type="page", status="current", space_id=space.id, parent_id=None, title="T", body="",
                         representation="storage", message="", by=zed.id, now=NOW)


async def _relation(tx: Tx) -> None:
    await tx.relations.put(CONFLUENCE, "favourite", "user", "zed", "content", "1", source_scope=None,
                           target_scope=None, by="acc-zed", now=NOW)


async def _reltio(tx: Tx) -> None:
    await add_tenant(tx, "newco")
    await tx.entities.insert_many([entity("e1", tenant="newco", crosswalks=[{"type": "S", "value": "v"}])])
    await tx.reltio_relations.insert_many([reltio_relation("r1", "e1", "e1", tenant="newco")])


async def _change_request(tx: Tx) -> None:
    await add_tenant(tx, "newco")
    await tx.change_requests.insert(change_request("cr1", tenant="newco"), [change_item("cr1", k) for k in range(3)])


async def _secret(tx: Tx) -> None:
    await tx.secrets.add("signing", "value", NOW)


async def _webhook(tx: Tx) -> None:
    await tx.webhooks.add("https://hooks.example/new", ["*"], "s" * 16, "acc-admin", NOW)


WRITERS: list[Callable[[Tx], Awaitable[None]]] = [_user, _space_and_page, _relation, _reltio, _change_request,
                                                   _secret, _webhook]


class Refused(Exception):
    pass


@pytest.mark.parametrize("long", [False, True], ids=["write", "run_long"])
@pytest.mark.parametrize("writer", WRITERS, ids=lambda w: w.__name__.strip("_"))
async def test_a_unit_of_work_that_raises_leaves_nothing(store: Store, writer: Callable[[Tx], Awaitable[None]],
                                                         long: bool) -> None:
    await _hooks(store, ["*"])
    before = await table_counts(store)

    async def job(tx: Tx) -> None:
        await writer(tx)
        tx.record(Change("thing.create", "thing/1"))
        tx.emit([ev.Event(ev.CONTENT_UPDATED, {})])
        await tx.flush()  # even once written into the transaction, the entries and events roll back with it
        raise Refused()

    with pytest.raises(Refused):
        if long:
            await store.run_long(ADA, job)
        else:
            async with store.write(ADA) as tx:
                await job(tx)
    assert await table_counts(store) == before
    async with store.write(ADA) as tx:  # and the same change, committed, is all there
        await writer(tx)
    assert await table_counts(store) != before


# --- webhooks and their deliveries -------------------------------------------------------------------

async def test_webhooks_are_stored_listed_and_deleted(store: Store) -> None:
    first, second = await _hooks(store, ["content.*", ev.DCR_CREATED], ["*"])
    async with store.read() as tx:
        hook = await tx.webhooks.get(first)
        assert hook is not None and (hook.url, hook.events, hook.active, hook.created_by) == (
            "https://hooks.example/0", ["content.*", ev.DCR_CREATED], True, "acc-admin")
        assert [h.id for h in await tx.webhooks.list_all()] == [first, second]
        assert await tx.outbox.subscriptions() == [(first, ["content.*", ev.DCR_CREATED]), (second, ["*"])]
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.webhooks.delete(first) is True and await tx.webhooks.delete(first) is False
    async with store.read() as tx:
        assert [h.id for h in await tx.webhooks.list_all()] == [second]


async def test_a_delivery_is_leased_once_finished_by_its_owner_and_replayed(store: Store) -> None:
    (hook,) = await _hooks(store, ["*"])
    async with store.write(ADA) as tx:
        tx.emit([ev.Event(ev.CONTENT_UPDATED, {"title": "T"})])
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.webhooks.any_due(NOW * 2) is True
        jobs = await tx.webhooks.lease("worker-1", NOW * 2, NOW * 2 + 1000, 10)
        assert [(j.url, j.event_type, j.payload) for j in jobs] == [("https://hooks.example/0", ev.CONTENT_UPDATED,
                                                                       '{"title":"T"}')]
        assert await tx.webhooks.lease("worker-2", NOW * 2, NOW * 2 + 1000, 10) == []  # leased already
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.webhooks.finish(jobs[0].id, "worker-2", status=ev.DELIVERED, next_at=0, now=NOW * 2,
                                        http_status=200, error=None) is False  # not its lease
        assert await tx.webhooks.finish(jobs[0].id, "worker-1", status=ev.DELIVERED, next_at=0, now=NOW * 2,
                                        http_status=200, error=None) is True
    async with store.read() as tx:
        delivery = await tx.webhooks.delivery(jobs[0].id)
        assert delivery is not None and (delivery.status, delivery.attempts, delivery.last_status,
                                         delivery.delivered_at, delivery.webhook_id) == (
            ev.DELIVERED, 1, 200, NOW * 2, hook)
        assert await tx.webhooks.counts() == {ev.DELIVERED: 1}
        assert await tx.webhooks.deliveries(hook, ev.PENDING, None, 10) == []
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.webhooks.replay(jobs[0].id, NOW * 3) is True
    async with store.read() as tx:
        assert await tx.webhooks.counts() == {ev.PENDING: 1}


MENTION = '<p>hi <ri:user ri:account-id="acc-ada"/></p>'


# --- Store.wipe ------------------------------------------------------------------------------------

async def _fill_every_table(store: Store) -> None:
    await _hooks(store, ["*"])
    async with store.write(ADA) as tx:
        ada = await add_user(tx, "ada")
        await tx.tokens.add(token(ada, "tok"))
        await tx.ui_sessions.add(StoredSession("h" * 64, "tok", ada.id, NOW, NOW + 1))
        space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
        await tx.spaces.set_role(space.id, ada.id, "admin")
        page = await tx.content.add(type="page", status="current", space_id=space.id, parent_id=None, title="T",
                                    body="", representation="storage", message="", by=ada.id, now=NOW)
        await tx.labels.attach(page.id, "global", "ops", ada.id, NOW)
        await tx.labels.attach_space(space.id, "team", "eng", ada.id, NOW)
        await tx.groups.add(Group("g-1", "eng"), NOW)
        await tx.groups.add_member("g-1", ada.id, NOW)
        await tx.tree.set_homepage(space.id, page.id)
        await tx.properties.add("content", page.id, "k", '"v"', by=ada.id, now=NOW)
        await tx.properties.add("space", space.id, "k", '"v"', by=ada.id, now=NOW)
        att = await tx.content.add(type="attachment", status="current", space_id=space.id, parent_id=None,
                                   title="a.txt", body="", representation="storage", message="", by=ada.id, now=NOW)
        await tx.attachments.add(att.id, page.id)
        await tx.attachments.add_version(AttachmentVersion(att.id, 1, "text/plain", 1, "a" * 64, ""))
        note = await tx.content.add(type="comment", status="current", space_id=space.id, parent_id=None,
                                    title="Re: T", body=MENTION, representation="storage", message="", by=ada.id,
                                    now=NOW)
        await tx.comments.add(CommentMeta(note.id, page.id, None, "inline", {"markerRef": "m"}, "open"))
        await tx.restrictions.add_user(page.id, "read", ada.id)
        await tx.restrictions.add_group(page.id, "update", "g-1")
        await tx.restrictions.replace_guards({page.id: frozenset({page.id})})
        await tx.tasks.add(LongTask("task", "space.delete", "{}", ada.id, NOW, None, False))
        await tx.secrets.add("signing", "value", NOW)
        await add_tenant(tx)
        await tx.tenants.grant(TENANT, ada.id, "ROLE_USER")
        await tx.tenants.replace_types(TENANT, [("entityTypes", "Individual", "{}")])
        await tx.entities.insert_many([entity("e1", crosswalks=[{"type": "S", "value": "v"}])])
        await tx.reltio_relations.insert_many([reltio_relation("r1", "e1", "e1")])
        await tx.interactions.insert_many([Interaction(TENANT, "i1", "Lunch", NOW, {}, {"Chefs": ["e1"]}, NOW, "ada")])
        await tx.merges.insert(Merge(TENANT, "e0", "e1", {"entity": {}}, NOW, "ada"))
        await tx.merges.mark_not_match(TENANT, "e1", "e2", NOW, "ada")
        await tx.change_requests.insert(change_request("cr1"), [change_item("cr1", 0)])
        process = wf.new_process(TENANT, "p1", wf.DCR_REVIEW, ("changeRequests/cr1",), "cr1", "ada", NOW)
        await tx.workflow.insert_process(process)
        await tx.workflow.insert_task(wf.new_task(process, "t1", "ada", NOW))
        await tx.workflow.add_comment(wf.Comment(TENANT, "c1", "p1", "fine", "ada", NOW))
        tx.record(Change("site.fill", "site"))
        tx.emit([ev.Event(ev.CONTENT_UPDATED, {})])


async def test_wipe_empties_every_table_and_ids_start_again(store: Store) -> None:
    await _fill_every_table(store)
    assert [name for name, n in (await table_counts(store)).items() if n == 0] == []  # the test can fail
    await store.wipe()
    tables = [t.name for t in metadata.sorted_tables] + list(BACKEND_OWN)
    assert await table_counts(store) == {name: 0 for name in tables}
    async with store.write(ADA) as tx:
        assert (await add_user(tx, "ada")).id == 1
        assert (await tx.spaces.add("DOC", "Docs", "", "global", False, None, NOW)).id == 1


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"])
async def test_the_audit_log_stays_append_only_after_a_wipe(store: Store, statement: str) -> None:
    await _fill_every_table(store)
    await store.wipe()
    async with store.write(ADA) as tx:
        tx.record(Change("space.create", "space/NEW"))
    with pytest.raises(Exception, match="append-only"):
        async with store.write(OPERATOR_ACTOR) as tx:
            await tx.conn.execute(sa.text(statement))
    async with store.read() as tx:
        found = [(e.id, e.actor, e.action) for e in await tx.audit.entries()]
    assert found == [(1, "acc-ada", "space.create")]

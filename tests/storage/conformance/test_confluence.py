"""Conformance: spaces and their roles, content and its versions, relations, labels, long tasks."""

from __future__ import annotations

from typing import Any

import pytest

from bondline.domain.audit import OPERATOR_ACTOR
from bondline.domain.groups import Group
from bondline.domain.relations import CONFLUENCE, Relation
from bondline.store import Store
from bondline.store.repos.tasks import LongTask
from bondline.store.unit import Tx
from tests.storage.conformance.conftest import NOW, add_user, table_counts


async def _page(tx: Tx, space_id: int, by: int, title: str, parent_id: int | None = None) -> Any:
    return await tx.content.add(type="page", status="current", space_id=space_id, parent_id=parent_id, title=title,
                                body=f"<p>{title}</p>", representation="storage", message="first", by=by, now=NOW)


# --- spaces ---------------------------------------------------------------------------------------

async def test_spaces_are_stored_updated_listed_and_deleted(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        eng = await tx.spaces.add("ENG", "Engineering", "", "global", False, ada.id, NOW)
        sec = await tx.spaces.add("SEC", "Secret", "hush", "global", True, ada.id, NOW)
        bob = await add_user(tx, "bob")
    async with store.write(OPERATOR_ACTOR) as tx:
        eng.name, eng.status = "Engineering!", "archived"
        await tx.spaces.update(eng)
    async with store.read() as tx:
        assert await tx.spaces.by_key("ENG") == eng and await tx.spaces.by_id(sec.id) == sec
        everyone: dict[str, Any] = dict(visible_to_user=None, type=None, status=None, keys=[], offset=0, limit=10)
        assert [s.key for s in await tx.spaces.page(**everyone)] == ["ENG", "SEC"]
        assert [s.key for s in await tx.spaces.page(**{**everyone, "visible_to_user": bob.id})] == ["ENG"]
        assert [s.key for s in await tx.spaces.page(**{**everyone, "status": "archived"})] == ["ENG"]
        assert [s.key for s in await tx.spaces.page(**{**everyone, "keys": ["SEC", "NOPE"]})] == ["SEC"]
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.spaces.delete(eng.id)
    async with store.read() as tx:
        assert await tx.spaces.by_key("ENG") is None and await tx.spaces.by_key("SEC") == sec


async def test_a_space_role_is_given_replaced_and_taken(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, bob = await add_user(tx, "ada"), await add_user(tx, "bob")
        sec = await tx.spaces.add("SEC", "Secret", "", "global", True, ada.id, NOW)
        await tx.spaces.set_role(sec.id, ada.id, "admin")
        await tx.spaces.set_role(sec.id, bob.id, "member")
        await tx.spaces.set_role(sec.id, bob.id, "admin")  # replaces: one role per user and space
    async with store.read() as tx:
        assert [(r.user_id, r.role) for r in await tx.spaces.roles(sec.id)] == [(ada.id, "admin"), (bob.id, "admin")]
        listed = await tx.spaces.page(visible_to_user=bob.id, type=None, status=None, keys=[], offset=0, limit=10)
        assert [s.key for s in listed] == ["SEC"]  # a private space is visible to its members
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.spaces.set_role(sec.id, bob.id, None)
    async with store.read() as tx:
        assert await tx.spaces.role_of(sec.id, bob.id) is None and await tx.spaces.role_of(sec.id, ada.id) == "admin"


# --- content --------------------------------------------------------------------------------------

async def test_content_keeps_every_version(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
        page = await _page(tx, space.id, ada.id, "Plan")
    async with store.write(OPERATOR_ACTOR) as tx:
        page.version, page.title, page.body, page.version_message = 2, "Plan B", "<p>B</p>", "second"
        page.updated_at = NOW + 1
        await tx.content.save_version(page)
    async with store.read() as tx:
        assert await tx.content.by_id(page.id) == page
        assert [(v.number, v.title) for v in await tx.content.versions(page.id, 0, 10)] == [(2, "Plan B"), (1, "Plan")]
        first = await tx.content.version(page.id, 1)
        assert first is not None and (first.body, first.message) == ("<p>Plan</p>", "first")
        assert await tx.content.in_space(space.id) == [(page.id, 2)]


async def test_content_with_its_space_and_the_viewers_role(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, bob = await add_user(tx, "ada"), await add_user(tx, "bob")
        space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
        await tx.spaces.set_role(space.id, ada.id, "admin")
        parent = await _page(tx, space.id, ada.id, "Parent")
        child = await _page(tx, space.id, ada.id, "Child", parent_id=parent.id)
    async with store.read() as tx:
        found = await tx.content.with_space(child.id, ada.id, body=True)
        assert found is not None and found[0] == child and found[1] == space and found[2] == "admin"
        without_body = await tx.content.with_space(child.id, bob.id)
        assert without_body is not None and without_body[0].body is None and without_body[2] is None
        assert set(await tx.content.with_space_many({parent.id, child.id, 999_999}, bob.id)) == {parent.id, child.id}
        assert await tx.content.children(parent.id) == [child.id]
        listed = await tx.content.page(visible_to_user=None, status="current", space_id=space.id, type="page",
                                       title="Child", offset=0, limit=10)
        assert listed == [child]


async def test_content_is_trashed_then_purged_with_its_versions(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
        page = await _page(tx, space.id, ada.id, "Old")
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.content.set_status(page.id, "trashed", NOW + 1)
    async with store.read() as tx:
        trashed = await tx.content.by_id(page.id)
        assert trashed is not None and (trashed.status, trashed.updated_at) == ("trashed", NOW + 1)
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.content.purge(page.id)
    counts = await table_counts(store)
    assert (counts["content"], counts["content_versions"], counts["content_fts"]) == (0, 0, 0)


# --- relations ------------------------------------------------------------------------------------

def _key(name: str, source: str, target: str) -> tuple[str, str, str, str, str, str]:
    (st, sk), (tt, tk) = source.split(":"), target.split(":")
    return CONFLUENCE, name, st, sk, tt, tk


async def _put(tx: Tx, name: str, source: str, target: str, now: int = NOW) -> tuple[Relation, bool]:
    return await tx.relations.put(*_key(name, source, target), source_scope=None, target_scope=None,
                                  by="acc-ada", now=now)


async def test_a_relation_put_twice_is_one_row(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        first, created = await _put(tx, "favourite", "user:ada", "content:1")
        assert created is True
    async with store.write(OPERATOR_ACTOR) as tx:
        again, created = await _put(tx, "favourite", "user:ada", "content:1", now=NOW + 1)
        assert created is False and again == first  # the row as it was: not touched by the second put
    async with store.read() as tx:
        assert await tx.relations.get(*_key("favourite", "user:ada", "content:1")) == first
        assert await tx.relations.find_id(*_key("favourite", "user:ada", "content:1")) == first.id
        assert await tx.relations.exists(*_key("favourite", "user:ada", "content:2")) is False
    assert (await table_counts(store))["relations"] == 1


async def test_relations_are_listed_by_source_and_by_target_newest_first(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        for source, target in (("user:ada", "content:1"), ("user:ada", "content:2"), ("user:bob", "content:1"),
                               ("user:ada", "space:ENG")):
            await _put(tx, "favourite", source, target)
        await _put(tx, "like", "user:ada", "content:3")
    async with store.read() as tx:
        def listing(direction: str, kind: str, key: str, other_type: str | None) -> Any:
            return tx.relations.listing(direction=direction, ns=CONFLUENCE, name="favourite", kind=kind, key=key,
                                        other_type=other_type, viewer=None)

        assert [r.target_key for r in await listing("forward", "user", "ada", "content")] == ["2", "1"]
        assert [r.target_key for r in await listing("forward", "user", "ada", None)] == ["ENG", "2", "1"]
        assert [r.source_key for r in await listing("reverse", "content", "1", "user")] == ["bob", "ada"]
        # Counted as listed (every page of them): v2's /likes/count.
        def count(direction: str, name: str, kind: str, key: str, other_type: str) -> Any:
            return tx.relations.count(direction=direction, ns=CONFLUENCE, name=name, kind=kind, key=key,
                                      other_type=other_type, viewer=None)

        assert await count("reverse", "favourite", "content", "1", "user") == 2
        assert await count("forward", "favourite", "user", "ada", "content") == 2
        assert await count("reverse", "like", "content", "3", "user") == 1
        assert await count("reverse", "like", "content", "1", "user") == 0


async def test_a_relation_is_deleted_once(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        made, _ = await _put(tx, "favourite", "user:ada", "content:1")
        await _put(tx, "favourite", "user:ada", "content:2")
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.relations.delete(*_key("favourite", "user:ada", "content:2")) is True
        assert await tx.relations.delete(*_key("favourite", "user:ada", "content:2")) is False
        assert await tx.relations.delete_returning(*_key("favourite", "user:ada", "content:1")) == made
        assert await tx.relations.delete_returning(*_key("favourite", "user:ada", "content:1")) is None
    assert (await table_counts(store))["relations"] == 0


async def test_purging_an_entity_takes_its_relations_both_ways(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        await _put(tx, "favourite", "user:ada", "content:1")
        await _put(tx, "like", "user:bob", "content:1@2")
        await _put(tx, "favourite", "user:bob", "content:2")
        await _put(tx, "like", "content:1", "content:2")  # from the purged content
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.relations.purge_entity(CONFLUENCE, "content", ["1", "1@2"]) == 3
    async with store.read() as tx:
        kept = await tx.relations.listing(direction="forward", ns=CONFLUENCE, name="favourite", kind="user",
                                          key="bob", other_type="content", viewer=None)
        assert [r.target_key for r in kept] == ["2"]
    assert (await table_counts(store))["relations"] == 1


# --- labels and long tasks ------------------------------------------------------------------------

async def test_labels_are_attached_once_and_detached(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
        one, two = await _page(tx, space.id, ada.id, "One"), await _page(tx, space.id, ada.id, "Two")
        assert await tx.labels.attach(one.id, "global", "ops", ada.id, NOW) is True
        assert await tx.labels.attach(one.id, "global", "ops", ada.id, NOW) is False
        assert await tx.labels.attach(one.id, "my", "todo", ada.id, NOW) is True
        assert await tx.labels.attach(two.id, "global", "ops", ada.id, NOW) is True
    async with store.read() as tx:
        labels = await tx.labels.for_content(one.id)
        assert [(lb.prefix, lb.name) for lb in labels] == [("global", "ops"), ("my", "todo")]
        assert [lb.name for lb in await tx.labels.for_content(one.id, prefix="my")] == ["todo"]
        assert await tx.labels.count_for_content(one.id) == 2
        assert await tx.labels.carriers("ops") == [one.id, two.id]
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.labels.detach(one.id, "global", "ops") is True
        assert await tx.labels.detach(one.id, "global", "ops") is False
        assert await tx.labels.detach(two.id, "global", "ops") is True
    async with store.read() as tx:
        assert await tx.labels.carried("ops") is False and await tx.labels.carried("todo", "my") is True


async def test_space_labels_and_what_carries_a_label(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        bob = await add_user(tx, "bob")
        space = await tx.spaces.add("DOC", "Docs", "", "global", False, ada.id, NOW)
        hidden = await tx.spaces.add("HID", "Hidden", "", "global", True, ada.id, NOW)
        one, two = await _page(tx, space.id, ada.id, "One"), await _page(tx, space.id, ada.id, "Two")
        secret = await _page(tx, hidden.id, ada.id, "Secret")
        for page in (one, two, secret):
            await tx.labels.attach(page.id, "global", "ops", ada.id, NOW)
        await tx.labels.attach(two.id, "my", "todo", ada.id, NOW)
        await tx.content.set_status(two.id, "trashed", NOW)
        assert await tx.labels.attach_space(space.id, "team", "eng", ada.id, NOW) is True
        assert await tx.labels.attach_space(space.id, "team", "eng", ada.id, NOW) is False
        assert await tx.labels.attach_space(space.id, "global", "ops", ada.id, NOW) is True
    async with store.read() as tx:
        # the space's own labels and its current content's, once each (two's `todo` is in the trash)
        assert [(lb.prefix, lb.name) for lb in await tx.labels.for_space(space.id)] == [
            ("team", "eng"), ("global", "ops")]
        assert [lb.name for lb in await tx.labels.for_space(space.id, prefix="team")] == ["eng"]
        assert [lb.name for lb in await tx.labels.for_space(space.id, offset=1, limit=5)] == ["ops"]
        ops = await tx.labels.find("ops", "global")
        assert ops is not None and await tx.labels.find("ops", "my") is None
        everyone = await tx.labels.labelled(ops.id, visible_to_user=None, type=None, offset=0, limit=10)
        assert [(x.content_id, x.type, x.title) for x in everyone] == [(one.id, "page", "One"),
                                                                        (secret.id, "page", "Secret")]
        seen = await tx.labels.labelled(ops.id, visible_to_user=bob.id, type="page", offset=0, limit=10)
        assert [x.content_id for x in seen] == [one.id]
        assert await tx.labels.labelled(ops.id, visible_to_user=None, type="blogpost", offset=0, limit=10) == []
        # in some spaces only (v2's /labels/{id}/pages?space-id=)
        in_hidden = await tx.labels.labelled(ops.id, visible_to_user=None, type=None, offset=0, limit=10,
                                             space_ids=[hidden.id])
        assert [x.content_id for x in in_hidden] == [secret.id]
        # the space's own labels, or its content's (v2 lists them apart)
        assert [(lb.prefix, lb.name) for lb in await tx.labels.for_space(space.id, which="space")] == [
            ("team", "eng"), ("global", "ops")]
        assert [lb.name for lb in await tx.labels.for_space(space.id, which="content")] == ["ops"]
        assert [lb.name for lb in await tx.labels.for_space(hidden.id, which="space")] == []
        # every label a user may see, in id order: bob does not see HID's content; `todo` is on trashed content
        eng, todo = await tx.labels.find("eng", "team"), await tx.labels.find("todo", "my")
        assert eng is not None and todo is not None and await tx.labels.by_id(eng.id) == eng
        listed = await tx.labels.listing(visible_to_user=None, ids=[], prefixes=[], offset=0, limit=10)
        assert [lb.name for lb in listed] == ["ops", "eng"]
        assert [lb.name for lb in await tx.labels.listing(visible_to_user=bob.id, ids=[], prefixes=["team"],
                                                          offset=0, limit=10)] == ["eng"]
        assert await tx.labels.listing(visible_to_user=bob.id, ids=[todo.id], prefixes=[], offset=0, limit=10) == []
        assert [lb.id for lb in await tx.labels.listing(visible_to_user=None, ids=[eng.id, ops.id, ops.id],
                                                        prefixes=[], offset=1, limit=10)] == [eng.id]
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.labels.detach_space(space.id, "team", "eng") is True
        assert await tx.labels.detach_space(space.id, "team", "eng") is False
    async with store.read() as tx:
        assert [lb.name for lb in await tx.labels.for_space(space.id)] == ["ops"]


async def test_groups_and_their_members(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada, bob = await add_user(tx, "ada"), await add_user(tx, "bob")
        assert await tx.groups.add(Group("g-1", "eng"), NOW) is True
        assert await tx.groups.add(Group("g-2", "eng"), NOW) is False  # names are unique
        assert await tx.groups.add(Group("g-3", "ops_100%"), NOW) is True
        assert await tx.groups.add_member("g-1", ada.id, NOW) is True
        assert await tx.groups.add_member("g-1", ada.id, NOW) is False
        assert await tx.groups.add_member("g-1", bob.id, NOW) is True
        assert await tx.groups.add_member("g-3", bob.id, NOW) is True
    async with store.read() as tx:
        assert await tx.groups.by_id("g-1") == Group("g-1", "eng") and await tx.groups.by_id("g-2") is None
        assert await tx.groups.by_name("ops_100%") == Group("g-3", "ops_100%")
        assert [x.name for x in await tx.groups.page(0, 10)] == ["eng", "ops_100%"]
        assert [x.name for x in await tx.groups.page(1, 10)] == ["ops_100%"]
        # `containing` is text, not a pattern: % and _ match themselves only
        assert [x.name for x in await tx.groups.page(0, 10, containing="0%")] == ["ops_100%"]
        assert await tx.groups.page(0, 10, containing="e_g") == []
        assert [u.account_id for u in await tx.groups.members("g-1", 0, 10)] == ["acc-ada", "acc-bob"]
        assert [x.id for x in await tx.groups.of_user(bob.id, 0, 10)] == ["g-1", "g-3"]
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.groups.remove_member("g-1", ada.id) is True
        assert await tx.groups.remove_member("g-1", ada.id) is False
        assert await tx.groups.delete("g-3") is True and await tx.groups.delete("g-3") is False
    async with store.read() as tx:
        assert [u.account_id for u in await tx.groups.members("g-1", 0, 10)] == ["acc-bob"]
        assert [x.id for x in await tx.groups.of_user(bob.id, 0, 10)] == ["g-1"]
    assert (await table_counts(store))["group_members"] == 1


@pytest.mark.parametrize("finished_at, successful", [(None, False), (NOW + 5, True)])
async def test_a_long_task_is_stored_as_given(store: Store, finished_at: int | None, successful: bool) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        task = LongTask("task-1", "space.delete", '{"key": "DOC"}', ada.id, NOW, finished_at, successful)
        await tx.tasks.add(task)
    async with store.read() as tx:
        assert await tx.tasks.by_id("task-1") == task and await tx.tasks.by_id("task-2") is None

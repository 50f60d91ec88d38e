"""Conformance: users, API tokens, review inbox sessions and server secrets."""

from __future__ import annotations

import pytest

from bondline.domain.audit import OPERATOR_ACTOR
from bondline.store import IntegrityViolation, Store
from bondline.store.repos.ui_sessions import StoredSession
from tests.storage.conformance.conftest import NOW, add_user, table_counts, token


async def test_users_are_found_by_id_account_and_lowercased_email(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada", admin=True)
        bob = await add_user(tx, "bob")
    async with store.read() as tx:
        assert await tx.users.by_id(ada.id) == ada
        assert await tx.users.by_account_id("acc-bob") == bob
        assert await tx.users.by_email("ADA@example.COM") == ada and ada.email == "ada@example.com"
        assert set(await tx.users.by_account_ids({"acc-ada", "acc-bob", "acc-nobody"})) == {"acc-ada", "acc-bob"}
        assert [u.account_id for u in await tx.users.page(1, 10)] == ["acc-bob"]
        assert await tx.users.by_id(ada.id + bob.id + 1) is None
        assert await tx.users.by_ids_cached({ada.id, bob.id, ada.id + bob.id + 1}) == {ada.id: ada, bob.id: bob}
        assert await tx.users.by_ids_cached(set()) == {}


async def test_a_user_is_updated_and_deleted_with_their_tokens(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        await tx.tokens.add(token(ada, "tok1"))
    async with store.write(OPERATOR_ACTOR) as tx:
        ada.display_name, ada.site_admin = "Ada L.", True
        await tx.users.update(ada)
    async with store.read() as tx:
        assert await tx.users.by_id(ada.id) == ada
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.users.delete(ada.id)
    async with store.read() as tx:
        assert await tx.users.by_id(ada.id) is None
        assert await tx.tokens.by_id("tok1") is None  # the foreign key cascades on every backend


@pytest.mark.parametrize("account_id, email", [("acc-ada", "other@example.com"), ("acc-other", "ADA@example.com")])
async def test_an_account_id_or_email_is_taken_once(store: Store, account_id: str, email: str) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        await add_user(tx, "ada")
    with pytest.raises(IntegrityViolation):
        async with store.write(OPERATOR_ACTOR) as tx:
            await tx.users.add(account_id, email, "Other", False, NOW)
    assert (await table_counts(store))["users"] == 1


async def test_tokens_are_stored_found_and_revoked_once(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        await tx.tokens.add(token(ada, "abcAPI"))
        await tx.tokens.add(token(ada, "abcOAUTH", kind="oauth_access", expires_at=NOW + 1, parent_id="abcAPI"))
    async with store.read() as tx:
        stored = await tx.tokens.by_id("abcOAUTH")
        assert stored == token(ada, "abcOAUTH", kind="oauth_access", expires_at=NOW + 1, parent_id="abcAPI")
        assert [t.id for t in await tx.tokens.for_user(ada.id)] == ["abcAPI", "abcOAUTH"]
        assert sorted(t.id for t in await tx.tokens.by_id_prefix("abc")) == ["abcAPI", "abcOAUTH"]
        assert await tx.tokens.by_id_prefix("abcO") == [stored]
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.tokens.revoke("abcAPI", NOW + 5) is True
        assert await tx.tokens.revoke("abcAPI", NOW + 9) is False  # already revoked: the first time stays
        assert await tx.tokens.revoke("nope", NOW) is False
    async with store.read() as tx:
        revoked, kept = await tx.tokens.by_id("abcAPI"), await tx.tokens.by_id("abcOAUTH")
        assert revoked is not None and revoked.revoked_at == NOW + 5
        assert kept is not None and kept.revoked_at is None


async def test_only_expired_oauth_tokens_are_purged(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        await tx.tokens.add(token(ada, "api", expires_at=NOW - 1))  # an operator's token is never purged
        await tx.tokens.add(token(ada, "old", kind="oauth_access", expires_at=NOW - 1))
        await tx.tokens.add(token(ada, "new", kind="oauth_refresh", expires_at=NOW + 1))
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.tokens.purge_expired_oauth(ada.id, NOW) == 1
    async with store.read() as tx:
        assert [t.id for t in await tx.tokens.for_user(ada.id)] == ["api", "new"]


async def test_ui_sessions_are_kept_by_hash_and_swept_when_expired(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        ada = await add_user(tx, "ada")
        await tx.tokens.add(token(ada, "tok"))
        for name, expires in (("live", NOW + 10), ("done", NOW), ("gone", NOW - 10)):
            await tx.ui_sessions.add(StoredSession(name * 16, "tok", ada.id, NOW - 20, expires))
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.ui_sessions.delete_expired(NOW) == 2
    async with store.read() as tx:
        live = StoredSession("live" * 16, "tok", ada.id, NOW - 20, NOW + 10)
        assert await tx.ui_sessions.by_hash("live" * 16) == live
        assert await tx.ui_sessions.by_hash("done" * 16) is None
    async with store.write(OPERATOR_ACTOR) as tx:
        await tx.ui_sessions.delete("live" * 16)
    assert (await table_counts(store))["ui_sessions"] == 0


async def test_a_server_secret_is_stored_once(store: Store) -> None:
    async with store.write(OPERATOR_ACTOR) as tx:
        assert await tx.secrets.get("signing") is None
        await tx.secrets.add("signing", "s3cr3t", NOW)
    with pytest.raises(IntegrityViolation):  # another worker stored it first: the first value stays
        async with store.write(OPERATOR_ACTOR) as tx:
            await tx.secrets.add("signing", "other", NOW)
    async with store.read() as tx:
        assert await tx.secrets.get("signing") == "s3cr3t"

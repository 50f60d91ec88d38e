"""Users as other users see them: Confluence Cloud returns a user's `email` only as their profile
visibility allows (an empty string otherwise); bondline shows it to the user alone."""

from __future__ import annotations

from tests.helpers import API, make_page, make_space

XSRF = {"X-Atlassian-Token": "no-check"}


async def test_a_users_email_is_shown_to_them_alone(client, site) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "EML")
    page = await make_page(client, site.alice, "EML", "Mail")
    pid = page["id"]
    r = await client.post(f"{API}/user/watch/content/{pid}", headers={**site.bob.bearer, **XSRF})
    assert r.status_code == 204
    related = f"{API}/relation/reviewer/from/user/{site.alice.account_id}/to/content/{pid}"
    assert (await client.put(related, headers=site.alice.bearer)).status_code == 200

    async def get(who, path: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
        r = await client.get(f"{API}/{path}", headers=who.bearer)
        assert r.status_code == 200, r.text
        return r.json()

    # bob reads alice: her email is an empty string, wherever a user object shows her
    assert (await get(site.bob, f"user?accountId={site.alice.account_id}"))["email"] == ""
    bulk = await get(site.bob, f"user/bulk?accountId={site.alice.account_id},{site.bob.account_id}")
    assert {u["accountId"]: u["email"] for u in bulk["results"]} == {
        site.alice.account_id: "", site.bob.account_id: "bob@example.com"}
    seen = await get(site.bob, f"content/{pid}?expand=version,history,space.history")
    assert seen["version"]["by"]["email"] == seen["history"]["createdBy"]["email"] == ""
    assert seen["space"]["history"]["createdBy"]["email"] == ""
    watchers = await get(site.bob, f"content/{pid}/notification/child-created")
    assert {w["watcher"]["accountId"]: w["watcher"]["email"] for w in watchers["results"]} == {
        site.alice.account_id: "", site.bob.account_id: "bob@example.com"}
    relation = await get(site.bob, f"relation/reviewer/from/user/{site.alice.account_id}/to/content/{pid}"
                                   "?expand=source,relationData")
    assert relation["source"]["email"] == relation["relationData"]["createdBy"]["email"] == ""
    for path in (f"user?accountId={site.alice.account_id}", f"content/{pid}/version",
                 f"relation/reviewer/to/content/{pid}/from/user?expand=source,relationData",
                 "space/EML?expand=history", "content?spaceKey=EML&expand=version,history"):
        r = await client.get(f"{API}/{path}", headers=site.bob.bearer)
        assert r.status_code == 200 and "alice@example.com" not in r.text, r.text
    # a site admin sees no more than anyone else (Confluence's REST API does not show admins a
    # hidden email either)
    assert (await get(site.admin, f"user?accountId={site.alice.account_id}"))["email"] == ""
    # alice reads herself: her email
    assert (await get(site.alice, f"user?accountId={site.alice.account_id}"))["email"] == "alice@example.com"
    assert (await get(site.alice, "user/current"))["email"] == "alice@example.com"
    mine = await get(site.alice, f"content/{pid}?expand=version,history")
    assert mine["version"]["by"]["email"] == mine["history"]["createdBy"]["email"] == "alice@example.com"

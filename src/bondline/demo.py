"""The demo site `bondline serve --demo` starts with: two users, a space, a page with two
versions. Each user's token and a few ready-to-paste curl commands are printed."""

from __future__ import annotations

import dataclasses

from bondline.domain import content as rules
from bondline.domain.model import Caller
from bondline.services import accounts, content, spaces
from bondline.services.reltio import tenants
from bondline.store import Store

RELTIO_TENANT = "demo"


@dataclasses.dataclass
class DemoSite:
    tokens: dict[str, str]  # accountId -> token
    emails: dict[str, str]
    space_key: str
    page_id: int


async def seed(store: Store) -> DemoSite:
    alice = await accounts.add_user(store, "demo-alice", "alice@example.com", "Alice Admin", site_admin=True)
    bob = await accounts.add_user(store, "demo-bob", "bob@example.com", "Bob Builder")
    tokens = {}
    for user in (alice, bob):
        _, tokens[user.account_id] = await accounts.create_token(store, user.account_id, name="demo")
    alice_c, bob_c = Caller.of(alice), Caller.of(bob)
    await spaces.create(store, bob_c, "DEMO", "Demo space", "Where the demo lives")
    page = await content.create(store, bob_c, content.NewContent(
        type="page", title="Welcome to bondline", space_key="DEMO",
        body="<p>First version.</p>"))
    await content.update(store, bob_c, page.content.id, rules.Edit(
        type="page", title="Welcome to bondline", version=2, status="current",
        body="<p>Second version: relations, watches and change requests live here.</p>",
        representation="storage", parent_id=None, parent_given=False, message="second draft",
        minor_edit=False))
    _ = alice_c
    # A Reltio tenant: bob works with entities and relations, alice (site admin) may do anything.
    await tenants.add(store, RELTIO_TENANT)
    await tenants.grant(store, RELTIO_TENANT, bob.account_id, ["ROLE_USER"])
    return DemoSite(tokens, {alice.account_id: alice.email, bob.account_id: bob.email}, "DEMO",
                    page.content.id)


def curl_examples(site: DemoSite, base_url: str) -> list[str]:
    """Commands that work against the demo site as printed."""
    bob = site.tokens["demo-bob"]
    alice = site.tokens["demo-alice"]
    api = f"{base_url}/wiki/rest/api"
    page = site.page_id
    return [
        f"curl -sS -H 'Authorization: Bearer {bob}' '{api}/user/current'",
        f"curl -sS -H 'Authorization: Bearer {bob}' '{api}/space/{site.space_key}'",
        f"curl -sS -H 'Authorization: Bearer {bob}' '{api}/content/{page}?expand=body.storage,version'",
        f"curl -sS -H 'Authorization: Bearer {bob}' '{api}/content/{page}?status=historical&version=1'",
        f"curl -sS -u '{site.emails['demo-alice']}:{alice}' '{api}/content?spaceKey={site.space_key}'",
        f"curl -sS -X PUT -H 'Authorization: Bearer {bob}' '{api}/relation/favourite/from/user/current/to/content/{page}'",
        f"curl -sS -H 'Authorization: Bearer {bob}' "
        f"'{api}/relation/favourite/from/user/current/to/content/{page}?expand=relationData'",
        f"curl -sS -H 'Authorization: Bearer {bob}' '{base_url}/api/v1/users/current/relations/favourite'",
        f"curl -sS -X POST -H 'Authorization: Bearer {alice}' -H 'X-Atlassian-Token: no-check' "
        f"'{api}/user/watch/content/{page}'",
        f"curl -sS -H 'Authorization: Bearer {alice}' '{api}/user/watch/content/{page}'",
        f"curl -sS -H 'Authorization: Bearer {bob}' '{api}/content/{page}/notification/child-created'",
        f"curl -sS -X POST -H 'Authorization: Bearer {bob}' -H 'Content-Type: application/json' -d "
        "'[{\"type\":\"configuration/entityTypes/Individual\",\"attributes\":{\"FirstName\":[{\"value\":\"Ada\"}]}}]' "
        f"'{base_url}/reltio/api/{RELTIO_TENANT}/entities'",
        f"curl -sS -H 'Authorization: Bearer {bob}' '{base_url}/reltio/api/{RELTIO_TENANT}/configuration'",
    ]

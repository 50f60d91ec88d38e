"""The demo site `bondline serve --demo` starts with: the built-in seed file `seeds/demo.yaml` (two
users, a space, a page with two versions, a Reltio tenant). Each user's token and a few
ready-to-paste curl commands are printed."""

from __future__ import annotations

import dataclasses

from bondline import seedfile, seeds
from bondline.services import seeding
from bondline.store import Store

RELTIO_TENANT = "demo"


@dataclasses.dataclass
class DemoSite:
    tokens: dict[str, str]  # accountId -> token
    emails: dict[str, str]
    space_key: str
    page_id: int


def document() -> seedfile.Document:
    return seedfile.parse(seeds.text("demo"), seeds.source("demo"))


async def seed(store: Store) -> DemoSite:
    report = await seeding.load(store, document())
    return site_of(report)


def site_of(report: seeding.SeedReport) -> DemoSite:
    return DemoSite(report.tokens, report.emails, "DEMO", report.content["welcome"])


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
        f"curl -sS -X PUT -H 'Authorization: Bearer {bob}' "
        f"'{api}/relation/favourite/from/user/current/to/content/{page}'",
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

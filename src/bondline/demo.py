"""The demo site `bondline serve --demo` starts with: the built-in seed file `seeds/demo.yaml` (two
users, a space, a page with two versions, a Reltio tenant). Each user's token and a few
ready-to-paste curl commands are printed, and the tokens and ids are written as `export` lines to
an environment file the tutorial (docs/tutorial.md) sources: tokens are fresh on every start, so a
walkthrough pasted from the docs needs them from somewhere."""

from __future__ import annotations

import dataclasses
import os
import shlex

from bondline import seedfile, seeds
from bondline.services import seeding
from bondline.store import Store

RELTIO_TENANT = "demo"
# Written into the server's working directory (where the demo database is by default).
ENV_FILE = "bondline-demo.env"


@dataclasses.dataclass
class DemoSite:
    tokens: dict[str, str]  # accountId -> token
    emails: dict[str, str]
    space_key: str
    page_id: int
    entities: dict[str, str] = dataclasses.field(default_factory=dict)  # ref -> entities/ID


def document() -> seedfile.Document:
    return seedfile.parse(seeds.text("demo"), seeds.source("demo"))


async def seed(store: Store) -> DemoSite:
    report = await seeding.load(store, document())
    return site_of(report)


def site_of(report: seeding.SeedReport) -> DemoSite:
    tenant = report.reltio.get(RELTIO_TENANT)
    return DemoSite(report.tokens, report.emails, "DEMO", report.content["welcome"],
                    dict(tenant.entities) if tenant else {})


def env_lines(site: DemoSite, base_url: str) -> list[str]:
    """`export` lines for a shell: the URL, each user's token and the ids the tutorial uses."""
    values = {
        "BONDLINE_URL": base_url,
        "ALICE_TOKEN": site.tokens["demo-alice"],  # site admin: reviews change requests
        "BOB_TOKEN": site.tokens["demo-bob"],  # space admin of DEMO, ROLE_USER on the tenant
        "SPACE_KEY": site.space_key,
        "PAGE_ID": str(site.page_id),
        "TENANT": RELTIO_TENANT,
    }
    if "ada" in site.entities:
        values["ADA_ID"] = site.entities["ada"].removeprefix("entities/")
    return [f"export {name}={shlex.quote(value)}" for name, value in values.items()]


def write_env(path: str, lines: list[str]) -> str:
    """Write `lines` to `path`, readable by its owner only (it holds tokens) from its first byte;
    return the absolute path."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        os.fchmod(f.fileno(), 0o600)  # a file left by an earlier run may have had another mode
        f.write("# bondline serve --demo: tokens are fresh on every start; source this file again after a restart\n")
        f.write("\n".join(lines) + "\n")
    return os.path.abspath(path)


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

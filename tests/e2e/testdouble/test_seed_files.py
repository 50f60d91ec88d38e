"""Seed files loaded through the services in one transaction, on each backend (how a file is checked
before anything is written: tests/unit/test_seed_file_checks.py)."""

from __future__ import annotations

import hashlib
import pathlib

import pytest

from bondline import seedfile
from bondline.services import seeding
from tests.helpers import API

HERE = pathlib.Path(__file__).parent
SITE = (HERE / "site.yaml").read_text()
ADA_TOKEN = "blt_AdaFixed01_abcdefghijklmnopqrstuvwxyz012345"


def test_the_example_site_is_valid() -> None:
    doc = seedfile.parse(SITE, "site.yaml")
    assert [c.key for c in doc.spec.content] == ["child", "runbook", None, "plan", "idea"]
    assert doc.content_order()[:2] == [1, 0]  # the parent first


# --- loading -------------------------------------------------------------------------------------

async def test_a_full_site_loads_through_the_services(app, client) -> None:  # type: ignore[no-untyped-def]
    report = await seeding.load(app.store, seedfile.parse(SITE, "site.yaml"))
    assert report.tokens["ada"] == ADA_TOKEN and set(report.tokens) == {"ada", "bob", "cyd"}
    assert report.emails["ada"] == "ada@example.com"
    ada = {"Authorization": f"Bearer {ADA_TOKEN}"}
    bob = {"Authorization": f"Bearer {report.tokens['bob']}"}
    cyd = {"Authorization": f"Bearer {report.tokens['cyd']}"}

    # the fixed token works (Basic too) and only its hash is stored
    r = await client.get(f"{API}/user/current", auth=("ada@example.com", ADA_TOKEN))
    assert r.status_code == 200 and r.json()["accountId"] == "ada"
    async with app.store.read() as tx:
        stored = await tx.tokens.by_id("AdaFixed01")
    assert stored.secret_hash == hashlib.sha256(ADA_TOKEN.encode()).hexdigest()

    # spaces: private SEC is visible to its member cyd, not to bob
    assert (await client.get(f"{API}/space/SEC", headers=cyd)).status_code == 200
    assert (await client.get(f"{API}/space/SEC", headers=bob)).status_code == 404
    assert (await client.get(f"{API}/space/ENG", headers=bob, params={"expand": "description.plain"})).json()[
        "description"]["plain"]["value"] == "Where engineering lives"

    # content: versions, labels, parent, trash, draft
    runbook, child = report.content["runbook"], report.content["child"]
    page = (await client.get(f"{API}/content/{runbook}", headers=bob,
                             params={"expand": "version,body.storage"})).json()
    assert page["title"] == "Runbook (final)" and page["version"]["number"] == 3
    assert page["version"]["message"] == "final" and page["version"]["by"]["accountId"] == "ada"
    assert page["body"]["storage"]["value"] == "<p>v3</p>"
    old = (await client.get(f"{API}/content/{runbook}", headers=bob,
                            params={"status": "historical", "version": 2, "expand": "body.storage"})).json()
    assert old["body"]["storage"]["value"] == "<p>v2</p>" and old["title"] == "Runbook"
    labels = (await client.get(f"{API}/content/{runbook}/label", headers=bob)).json()["results"]
    assert {(lb["prefix"], lb["name"]) for lb in labels} == {("global", "ops"), ("my", "todo")}
    kid = (await client.get(f"{API}/content/{child}", headers=bob, params={"expand": "ancestors"})).json()
    assert [a["id"] for a in kid["ancestors"]] == [str(runbook)]
    trashed_id = report.content_ids[2]
    assert (await client.get(f"{API}/content/{trashed_id}", headers=bob,
                             params={"status": "trashed"})).json()["status"] == "trashed"
    draft = report.content["idea"]
    assert (await client.get(f"{API}/content/{draft}", headers=bob, params={"status": "draft"})).status_code == 200

    # relations, with a historical version as a target, and the site admin as creator of 'sibling'
    fav = await client.get(f"{API}/relation/favourite/from/user/current/to/content/{runbook}", headers=bob)
    assert fav.status_code == 200
    review = await client.get(f"{API}/relation/reviewer/from/user/cyd/to/content/{runbook}", headers=cyd,
                              params={"targetStatus": "historical", "targetVersion": 1})
    assert review.status_code == 200
    sibling = await client.get(f"{API}/relation/sibling/from/content/{child}/to/space/ENG", headers=ada,
                               params={"expand": "relationData"})
    assert sibling.json()["relationData"]["createdBy"]["accountId"] == "ada"

    # watches: content (besides the author's own), a space for blog posts only, a label
    watchers = (await client.get(f"{API}/content/{runbook}/notification/child-created", headers=ada)).json()
    assert {w["watcher"]["accountId"] for w in watchers["results"]} == {"bob", "cyd"}
    assert (await client.get(f"{API}/user/watch/space/ENG", headers=bob,
                             params={"contentType": "blogpost"})).json() == {"watching": True}
    assert (await client.get(f"{API}/user/watch/label/ops", headers=bob)).json() == {"watching": True}

    # Reltio: entities (shorthand attributes), a relation, a pending change request by cyd
    acme = report.reltio["acme"]
    person = (await client.get(f"/reltio/api/acme/{acme.entities['ada-person']}", headers=bob)).json()
    assert person["attributes"]["FirstName"][0]["value"] == "Ada"
    assert person["attributes"]["Phone"][0]["value"]["Number"][0]["value"] == "555-0100"
    assert person["createdBy"] == "seed@bondline.invalid"
    assert person["attributes"]["Address"][0]["refRelation"]["objectURI"] == acme.relations["lives"]
    cr = (await client.get(f"/reltio/api/acme/{acme.change_requests['cleanup']}", headers=bob)).json()
    assert cr["state"] == "AWAITING_REVIEW" and cr["createdBy"] == "cyd@example.com"
    kinds = sorted(item["type"] for items in cr["changes"].values() for item in items)
    assert kinds == ["CREATE_ENTITY", "DELETE_ATTRIBUTE", "DELETE_RELATIONSHIP", "INSERT_ATTRIBUTE",
                     "UPDATE_ATTRIBUTE"]
    assert (await client.get(f"/reltio/api/acme/{acme.relations['lives']}", headers=bob)).status_code == 200

    # a second tenant with its own types, saved by bob
    rex = (await client.get(f"/reltio/api/zoo/{report.reltio['zoo'].entities['rex']}", headers=bob)).json()
    assert rex["label"] == "Rex" and rex["createdBy"] == "bob@example.com"


async def test_the_rules_apply_and_a_refused_item_names_its_line(app) -> None:  # type: ignore[no-untyped-def]
    text = ("users:\n"
            "  - {accountId: bob, email: bob@example.com, name: Bob}\n"
            "  - {accountId: cyd, email: cyd@example.com, name: Cyd}\n"
            "spaces:\n"
            "  - {key: ENG, name: Engineering, admins: [bob]}\n"
            "content:\n"
            "  - {key: p, space: ENG, title: P}\n"
            "relations:\n"
            "  - {name: favourite, source: user:bob, target: content:p, by: cyd}\n")
    with pytest.raises(seedfile.InvalidSeed) as err:
        await seeding.load(app.store, seedfile.parse(text, "rules.yaml"))
    # only the owner creates a favourite: access.py says no, and the error points at the relation
    assert err.value.line == 9 and err.value.column == 5, err.value.message
    assert err.value.message.startswith("rules.yaml:9:5: relations[0]: ")
    async with app.store.read() as tx:  # one transaction: nothing was kept
        assert await tx.users.page(0, 10) == []


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("spaces:\n  - {key: ENG, name: E, admins: [nobody]}\n", 2, "No user with accountId nobody"),
    ("users:\n  - {accountId: a, email: a@x.io, name: A}\ncontent:\n  - {space: NOPE, title: T, author: a}\n", 4,
     "Space does not exist"),
    ("users:\n  - {accountId: a, email: a@x.io, name: A}\nwatches:\n  - {user: a, label: nolabel}\n", 4,
     "No label exists"),
    ("reltio:\n  - id: t\n    entities:\n      - {type: Spaceship}\n", 4, "Spaceship"),
    ("users:\n  - {accountId: a, email: a@x.io, name: A}\nspaces:\n  - {key: ENG, name: E, admins: [a]}\n"
     "content:\n  - {space: ENG, title: T, representation: atlas_doc_format, body: '{\"type\": \"para\"}'}\n", 6,
     "Invalid atlas_doc_format"),
    ("users:\n  - {accountId: a, email: a@x.io, name: A}\nreltio:\n  - id: t\n    roles: {a: [ROLE_USER]}\n"
     "    changeRequests:\n      - {createdBy: a, items: [{deleteRelation: relations/abc}]}\n", 7, "relations/abc"),
])
async def test_load_errors_point_at_the_item(app, text: str, line: int, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(seedfile.InvalidSeed) as err:
        await seeding.load(app.store, seedfile.parse(text, "f.yaml"))
    assert err.value.line == line and fragment in err.value.message, err.value.message


async def test_a_seed_in_atlas_doc_format_is_stored_as_storage(app, client) -> None:  # type: ignore[no-untyped-def]
    v1 = ('{"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": '
          '[{"type": "text", "text": "one"}]}]}')
    v2 = v1.replace('"one"', '"two"')
    text = ("users:\n  - {accountId: a, email: a@x.io, name: A,"
            " token: blt_SeedAdf001_abcdefghijklmnopqrstuvwxyz012345}\n"
            "spaces:\n  - {key: ENG, name: E, admins: [a]}\n"
            f"content:\n  - {{key: p, space: ENG, title: T, representation: atlas_doc_format, body: '{v1}',"
            f" versions: ['{v2}']}}\n")
    report = await seeding.load(app.store, seedfile.parse(text, "adf.yaml"))
    page = report.content["p"]
    auth = {"Authorization": "Bearer blt_SeedAdf001_abcdefghijklmnopqrstuvwxyz012345"}
    current = (await client.get(f"{API}/content/{page}", headers=auth, params={"expand": "body.storage"})).json()
    assert current["body"]["storage"]["value"] == "<p>two</p>"
    first = (await client.get(f"{API}/content/{page}", headers=auth,
                              params={"status": "historical", "version": 1, "expand": "body.storage"})).json()
    assert first["body"]["storage"]["value"] == "<p>one</p>"


async def test_seeds_layer_on_an_existing_site(app) -> None:  # type: ignore[no-untyped-def]
    await seeding.load(app.store, seedfile.parse(SITE, "site.yaml"))
    more = ("content:\n  - {key: extra, space: ENG, title: Extra, author: bob}\n"
            "relations:\n  - {name: like, source: user:cyd, target: content:extra}\n")
    report = await seeding.load(app.store, seedfile.parse(more, "more.yaml"))
    assert report.content["extra"] == 8  # ids go on from the first seed (its five pages, two home pages)
    with pytest.raises(seedfile.InvalidSeed) as err:  # the same user twice
        await seeding.load(app.store, seedfile.parse("users:\n  - {accountId: bob, email: b2@x.io, name: B}\n"))
    assert "already exists" in err.value.message and err.value.line == 2


async def test_wipe_empties_every_table_and_ids_start_again(app) -> None:  # type: ignore[no-untyped-def]
    first = await seeding.load(app.store, seedfile.parse(SITE, "site.yaml"))
    again = await seeding.reset(app.store, seedfile.parse(SITE, "site.yaml"))
    assert again.content == first.content and again.tokens["ada"] == ADA_TOKEN
    assert again.tokens["bob"] != first.tokens["bob"]  # fresh tokens unless fixed
    await seeding.reset(app.store)
    from bondline.store.tables import metadata

    async with app.store.read() as tx:
        import sqlalchemy as sa

        for table in metadata.sorted_tables:
            assert await tx.conn.scalar(sa.select(sa.func.count()).select_from(table)) == 0, table.name


async def test_the_readme_seed_reference_loads(app) -> None:  # type: ignore[no-untyped-def]
    from tests.e2e.testdouble.readme import readme_example

    report = await seeding.load(app.store, seedfile.parse(readme_example("seed-reference.yaml"), "README.md"))
    assert report.tokens["ada"] == ADA_TOKEN and report.content == {"runbook": 2, "step": 3}  # 1: ENG's home page
    assert set(report.reltio["acme"].change_requests) == {"cleanup"}


DECIDED = """\
users:
  - {accountId: bob, email: bob@example.com, name: Bob}
  - {accountId: rev, email: rev@example.com, name: Rev}
reltio:
  - id: t
    roles: {bob: [ROLE_USER], rev: [ROLE_REVIEWER]}
    by: bob
    entities:
      - {ref: ada, type: Individual, attributes: {FirstName: Ada, LastName: Lovelace}}
      - {ref: org, type: Organization, attributes: {Name: Engines}}
    changeRequests:
      - ref: waiting
        createdBy: bob
        items: [{updateAttribute: {object: ada, attribute: FirstName, value: Augusta}}]
      - ref: applied
        createdBy: bob
        items: [{insertAttribute: {object: org, attribute: Website, value: "https://engines.example"}}]
        state: APPLIED
        reviewedBy: rev
      - ref: rejected
        createdBy: bob
        items: [{updateAttribute: {object: org, attribute: Name, value: Difference}}]
        state: REJECTED
    edits:
      - updateAttribute: {object: ada, attribute: FirstName, value: Adeline}
"""


async def test_change_requests_can_be_applied_rejected_or_conflicted(app, client) -> None:  # type: ignore[no-untyped-def]
    from bondline.services.reltio import inbox

    report = await seeding.load(app.store, seedfile.parse(DECIDED, "decided.yaml"))
    t = report.reltio["t"]
    bob = {"Authorization": f"Bearer {report.tokens['bob']}"}

    async def request(ref: str) -> dict:  # type: ignore[type-arg]
        r = await client.get(f"/reltio/api/t/{t.change_requests[ref]}", headers=bob)
        assert r.status_code == 200, r.text
        return r.json()

    assert (await request("waiting"))["state"] == "AWAITING_REVIEW"
    applied, rejected = await request("applied"), await request("rejected")
    assert applied["state"] == "APPLIED" and applied["updatedBy"] == "rev@example.com"
    assert rejected["state"] == "REJECTED" and rejected["updatedBy"] == "seed@bondline.invalid"  # the operator
    org = (await client.get(f"/reltio/api/t/{t.entities['org']}", headers=bob)).json()
    assert [v["value"] for v in org["attributes"]["Website"]] == ["https://engines.example"]  # applied
    assert [v["value"] for v in org["attributes"]["Name"]] == ["Engines"]  # rejected: unchanged
    # the edit was written directly, after the waiting request was staged: the request conflicts
    ada = (await client.get(f"/reltio/api/t/{t.entities['ada']}", headers=bob)).json()
    assert [v["value"] for v in ada["attributes"]["FirstName"]] == ["Adeline"]
    shown, _ = await inbox.detail(app.store, seeding.OPERATOR, "t", t.change_requests["waiting"].split("/")[1])
    assert [c.conflict for c in (shown.view.conflicts or {}).values()] == ["ATTRIBUTE_WAS_CHANGED"]
    [now] = shown.current.values()
    assert now is not None and [v["value"] for v in now] == ["Adeline"]


async def test_a_reviewer_who_may_not_decide_is_pointed_at(app) -> None:  # type: ignore[no-untyped-def]
    text = DECIDED.replace("reviewedBy: rev", "reviewedBy: bob")  # ROLE_USER: no ACCEPT_CHANGE_REQUEST
    with pytest.raises(seedfile.InvalidSeed) as err:
        await seeding.load(app.store, seedfile.parse(text, "decided.yaml"))
    assert err.value.path == "reltio[0].changeRequests[1].reviewedBy" and err.value.line == 19, err.value.message
    async with app.store.read() as tx:  # one transaction: nothing was kept
        assert await tx.users.page(0, 10) == []

"""Attachments and comments against a live server with two workers: atlassian-python-api's classic v1
methods (PyPI, unchanged) — attach_content, attach_file, get_attachments_from_content,
download_attachments_from_page, remove_page_attachment_keep_version, delete_attachment, add_comment,
get_page_comments — and every worker serving every attachment, whichever worker stored it.

The client is atlassian-python-api's v1 REST client (`atlassian.confluence.server.Server`) pointed at
Confluence Cloud's paths (`cloud=True`). Its `attach_content` sends a new version of an existing
file to the documented v1 operation (POST …/child/attachment/{id}/data) when its `api_version` is
"1.0"; with the default ("latest") it sends a multipart PUT to /content/{id}, which Confluence
documents for JSON only. So the uploads use a client made with `api_version="1.0"`, and the calls
that name bare resources (`delete_attachment`: "content/{id}", which an explicit version would turn
into /rest/api/1.0/content/…) use one made without."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bondline.config import Settings
from bondline.services import accounts
from bondline.store import create_store
from tests.conftest import LiveSite, Person

atlassian = pytest.importorskip("atlassian",
                                reason="atlassian-python-api is not installed (pip install atlassian-python-api)")
from atlassian.confluence.server import Server  # noqa: E402
from atlassian.errors import ApiError  # noqa: E402

pytestmark = pytest.mark.live

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def site(module_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    from tests.live import LiveServer

    async def people() -> dict[str, Person]:
        store = create_store(Settings(database_url=module_database_url))
        await store.open()
        try:
            found = {}
            for name in ("alice", "bob"):
                user = await accounts.add_user(store, f"att-{name}", f"{name}@example.com", name.title(), False)
                _, token = await accounts.create_token(store, user.account_id)
                found[name] = Person(user.account_id, user.email, token, user.id)
            return found
        finally:
            await store.close()

    found = asyncio.run(people())
    blobs = tmp_path_factory.mktemp("blobs")
    env = {"BONDLINE_BLOB_DIR": str(blobs), "BONDLINE_ATTACHMENT_MAX_BYTES": str(LIMIT)}
    with LiveServer(module_database_url, workers=2, env=env) as server:
        yield LiveSite(server.url, module_database_url, found)


@pytest.fixture(scope="module")
def page(site: LiveSite) -> str:
    from bondline.client import Client

    with Client(site.url, site.alice.token) as alice:
        alice.spaces.create("ATT", "Attachments")
        return str(alice.content.create("ATT", "With files")["id"])


def v1(site: LiveSite, **kwargs: Any) -> Any:
    return Server(url=site.url + "/wiki", username=site.bob.email, password=site.bob.token, cloud=True, **kwargs)


def test_the_classic_attachment_methods(site: LiveSite, page: str, tmp_path: Any) -> None:
    uploader, plain = v1(site, api_version="1.0"), v1(site)
    created = uploader.attach_content(b"hello, world\n", "greeting.txt", content_type="text/plain", page_id=page,
                                      comment="first")
    first = created["results"][0]
    assert first["title"] == "greeting.txt" and first["version"]["number"] == 1
    assert first["extensions"] == {**first["extensions"], "mediaType": "text/plain", "fileSize": 13,
                                   "comment": "first"}
    # The same name again: atlassian-python-api finds it and sends a new version of its data.
    second = uploader.attach_content(b"hello again\n", "greeting.txt", content_type="text/plain", page_id=page)
    assert second["id"] == first["id"] and second["version"]["number"] == 2
    uploader.attach_content(b"third\n", "greeting.txt", content_type="text/plain", page_id=page)

    report = tmp_path / "report.csv"
    report.write_bytes(b"a,b\n1,2\n")
    filed = uploader.attach_file(str(report), page_id=page, comment="the numbers")
    assert filed["results"][0]["title"] == "report.csv"

    found = plain.get_attachments_from_content(page, filename="greeting.txt")["results"]
    assert [(a["title"], a["version"]["number"]) for a in found] == [("greeting.txt", 3)]
    listed = plain.get_attachments_from_content(page)["results"]
    assert sorted(a["title"] for a in listed) == ["greeting.txt", "report.csv"]

    # Cloud: through the documented redirect (…/child/attachment/{id}/download).
    files = plain.download_attachments_from_page(page, to_memory=True)
    assert {name: f.getvalue() for name, f in files.items()} == {"greeting.txt": b"third\n",
                                                                   "report.csv": b"a,b\n1,2\n"}
    # Server-style: straight to `_links.download`.
    on_disk = Server(url=site.url + "/wiki", username=site.bob.email, password=site.bob.token)
    assert on_disk.download_attachments_from_page(page, path=str(tmp_path), filename="report.csv") == {
        "attachments_downloaded": 1, "path": str(tmp_path)}
    assert (tmp_path / "report.csv").read_bytes() == b"a,b\n1,2\n"

    plain.remove_page_attachment_keep_version(page, "greeting.txt", keep_last_versions=1)
    history = plain.get_attachment_history(first["id"])
    assert [v["number"] for v in history] == [3]

    plain.delete_attachment(filed["results"][0]["id"])  # to the trash
    assert [a["title"] for a in plain.get_attachments_from_content(page)["results"]] == ["greeting.txt"]


def test_oversized_and_empty_uploads_are_refused(site: LiveSite, page: str) -> None:
    uploader = v1(site, api_version="1.0")
    with pytest.raises(ApiError, match="maximum configured attachment size"):  # the client's word for the 404
        uploader.attach_content(b"x" * (LIMIT + 1), "huge.bin", page_id=page)
    r = httpx.post(f"{site.url}/wiki/rest/api/content/{page}/child/attachment",
                   auth=(site.bob.email, site.bob.token), headers={"X-Atlassian-Token": "no-check"},
                   files={"file": ("empty.txt", b"")})
    assert r.status_code == 400 and "is empty" in r.json()["message"]
    titles = [a["title"] for a in v1(site).get_attachments_from_content(page)["results"]]
    assert "huge.bin" not in titles and "empty.txt" not in titles


def test_every_worker_serves_every_attachment(site: LiveSite, page: str) -> None:
    data = bytes(range(256)) * 64
    created = v1(site, api_version="1.0").attach_content(data, "table.bin", page_id=page)
    link = site.url + "/wiki" + created["results"][0]["_links"]["download"]
    workers = set()
    for _ in range(60):  # a fresh connection each time: the kernel hands them to either worker
        r = httpx.get(link, auth=(site.alice.email, site.alice.token))
        assert r.status_code == 200 and r.content == data
        workers.add(r.headers["x-request-id"].split("-")[0])  # the answering worker's pid
        if len(workers) > 1:
            break
    assert len(workers) == 2, "every download was answered by one worker; the test proves nothing"


def test_the_classic_comment_methods(site: LiveSite, page: str) -> None:
    """add_comment posts to `rest/api/content/` (a trailing slash) a comment on the page;
    get_page_comments lists them (`depth`, `location`, `expand`)."""
    confluence = v1(site)
    created = confluence.add_comment(page, "<p>Reviewed.</p>")
    assert created["type"] == "comment" and created["extensions"]["location"] == "footer"
    reply = confluence.post("rest/api/content", data={
        "type": "comment", "container": {"id": page, "type": "page"}, "ancestors": [{"id": created["id"]}],
        "body": {"storage": {"value": "<p>Agreed.</p>", "representation": "storage"}}})
    roots = confluence.get_page_comments(page, expand="body.storage,version")["results"]
    assert [(c["id"], c["body"]["storage"]["value"]) for c in roots] == [(created["id"], "<p>Reviewed.</p>")]
    every = confluence.get_page_comments(page, depth="all", location="footer")["results"]
    assert [c["id"] for c in every] == [created["id"], reply["id"]]
    assert confluence.get_page_comments(page, location="inline")["results"] == []

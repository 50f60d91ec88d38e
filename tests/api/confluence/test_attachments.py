"""Attachments (Confluence v1): multipart uploads as clients send them, new versions by name and by
id, metadata updates, listing, downloads (the redirect and the download URL), deleting versions and
attachments — what is answered, and what is stored afterwards (rows and blobs), on each backend."""

from __future__ import annotations

import hashlib
import os
import pathlib
from typing import Any

import pytest

from bondline.config import Settings
from bondline.services import attachments
from tests.helpers import API, confluence_error, make_page, make_space

LIMIT = 4096  # bytes: this module's attachment size limit
XSRF = {"X-Atlassian-Token": "no-check"}


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return Settings(database_url=database_url, auth_cache_seconds=0, blob_dir=str(tmp_path / "blobs"),
                    attachment_max_bytes=LIMIT)


def blob_files(app: Any) -> list[str]:
    """Every file in the blob store (temporary ones included), relative to its root."""
    root = pathlib.Path(app.blobs.root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def flip_first_byte(path: str) -> None:
    """Damage a file as a bad disk would: one byte changed, the size the same."""
    data = bytearray(pathlib.Path(path).read_bytes())
    data[0] ^= 0xFF
    pathlib.Path(path).write_bytes(bytes(data))


async def upload(client: Any, who: Any, page_id: str, *files: tuple[str, bytes, str | None], method: str = "POST",
                 comments: list[str] | None = None, headers: dict[str, str] | None = None,
                 path: str | None = None) -> Any:
    parts = [("file", (name, data, kind) if kind else (name, data)) for name, data, kind in files]
    data: dict[str, Any] = {"minorEdit": "true"}
    if comments is not None:
        data["comment"] = comments
    return await client.request(method, path or f"{API}/content/{page_id}/child/attachment",
                                headers={**who.bearer, **XSRF, **(headers or {})}, files=parts, data=data)


async def listed(client: Any, who: Any, page_id: str, **query: Any) -> list[dict[str, Any]]:
    r = await client.get(f"{API}/content/{page_id}/child/attachment", headers=who.bearer, params=query)
    assert r.status_code == 200, r.text
    return r.json()["results"]


async def download(client: Any, who: Any, att: dict[str, Any]) -> Any:
    return await client.get("/wiki" + att["_links"]["download"], headers=who.bearer)


@pytest.fixture
async def page(client, site) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "DOC")
    return await make_page(client, site.alice, "DOC", "Specs")


async def test_an_upload_is_an_attachment_content_with_its_data(client, site, app, page) -> None:  # type: ignore[no-untyped-def]
    data = b"name,size\nbolt,12\n"
    r = await upload(client, site.alice, page["id"], ("parts.csv", data, "text/csv"), comments=["First cut"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["size"] == 1
    att = body["results"][0]
    assert att["id"].startswith("att") and att["type"] == "attachment" and att["status"] == "current"
    assert att["title"] == "parts.csv"
    assert att["extensions"]["mediaType"] == "text/csv" and att["extensions"]["fileSize"] == len(data)
    assert att["extensions"]["comment"] == "First cut" and att["metadata"]["mediaType"] == "text/csv"
    assert att["version"]["number"] == 1 and att["version"]["by"]["accountId"] == site.alice.account_id
    assert att["container"]["id"] == page["id"]
    assert att["_links"]["download"].startswith(f"/download/attachments/{page['id']}/parts.csv?version=1&")
    assert [a["id"] for a in await listed(client, site.bob, page["id"])] == [att["id"]]

    got = await download(client, site.bob, att)
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "text/csv; charset=UTF-8"
    assert got.headers["content-disposition"] == "attachment; filename=\"parts.csv\"; filename*=UTF-8''parts.csv"
    assert got.headers["content-length"] == str(len(data))

    redirect = await client.get(f"{API}/content/{page['id']}/child/attachment/{att['id']}/download",
                                headers=site.bob.bearer)
    assert redirect.status_code == 302
    assert redirect.headers["location"].startswith(
        f"http://bondline.test/wiki/download/attachments/{page['id']}/parts.csv?version=1&")
    # The blob is named by the checksum the database keeps.
    sha = hashlib.sha256(data).hexdigest()
    assert att["extensions"]["fileId"] == sha
    assert blob_files(app) == [f"{sha[:2]}/{sha[2:4]}/{sha}"]
    # An attachment is content: its versions, and its id in Confluence's `att` form.
    versions = await client.get(f"{API}/content/{att['id']}/version", headers=site.alice.bearer)
    assert [v["number"] for v in versions.json()["results"]] == [1]


async def test_uploads_need_the_xsrf_header(client, site, app, page) -> None:  # type: ignore[no-untyped-def]
    for value in (None, "check"):
        headers = {**site.alice.bearer} if value is None else {**site.alice.bearer, "X-Atlassian-Token": value}
        for method in ("POST", "PUT"):
            r = await client.request(method, f"{API}/content/{page['id']}/child/attachment", headers=headers,
                                     files=[("file", ("a.txt", b"hello", "text/plain"))])
            confluence_error(r, 403, "XSRF check failed")
    assert await listed(client, site.alice, page["id"]) == []
    assert blob_files(app) == []


async def test_a_second_post_of_a_name_is_refused_and_put_adds_a_version(client, site, page) -> None:  # type: ignore[no-untyped-def]
    first = (await upload(client, site.alice, page["id"], ("notes.txt", b"one", "text/plain"))).json()["results"][0]
    again = await upload(client, site.alice, page["id"], ("notes.txt", b"two", "text/plain"))
    confluence_error(again, 400, "same file name as an existing attachment: notes.txt")
    r = await upload(client, site.alice, page["id"], ("notes.txt", b"two!", "text/plain"), method="PUT")
    assert r.status_code == 200, r.text
    second = r.json()["results"][0]
    assert second["id"] == first["id"] and second["version"]["number"] == 2
    assert second["extensions"]["fileSize"] == 4
    # PUT with a new name creates it.
    created = await upload(client, site.alice, page["id"], ("other.txt", b"x", None), method="PUT")
    assert created.json()["results"][0]["version"]["number"] == 1
    assert created.json()["results"][0]["extensions"]["mediaType"] == "text/plain"  # guessed from the name
    assert (await download(client, site.bob, second)).content == b"two!"
    old = await client.get(f"/wiki/download/attachments/{page['id']}/notes.txt", params={"version": 1},
                           headers=site.bob.bearer)
    assert old.content == b"one"
    confluence_error(await client.get(f"/wiki/download/attachments/{page['id']}/notes.txt",
                                      params={"version": 3}, headers=site.bob.bearer), 400, "latest version is 2")
    assert [a["title"] for a in await listed(client, site.bob, page["id"], filename="notes.txt")] == ["notes.txt"]
    assert [a["title"] for a in await listed(client, site.bob, page["id"], mediaType="text/plain")] == [
        "other.txt", "notes.txt"]


async def test_several_files_in_one_upload_each_with_its_comment(client, site, page) -> None:  # type: ignore[no-untyped-def]
    r = await upload(client, site.alice, page["id"], ("a.txt", b"a", None), ("b.txt", b"b", None),
                     comments=["about a", "about b"])
    assert r.status_code == 200, r.text
    assert [(a["title"], a["extensions"]["comment"]) for a in r.json()["results"]] == [
        ("a.txt", "about a"), ("b.txt", "about b")]
    bad = await upload(client, site.alice, page["id"], ("c.txt", b"c", None), ("d.txt", b"d", None),
                       comments=["only one"])
    confluence_error(bad, 400, "every file must have one")
    # Two files of one name in a POST: the second clashes with the first, and neither is kept.
    twice = await upload(client, site.alice, page["id"], ("e.txt", b"e", None), ("e.txt", b"E", None))
    confluence_error(twice, 400, "same file name")
    assert sorted(a["title"] for a in await listed(client, site.alice, page["id"])) == ["a.txt", "b.txt"]


async def test_new_data_by_id_keeps_the_name(client, site, page) -> None:  # type: ignore[no-untyped-def]
    att = (await upload(client, site.alice, page["id"], ("logo.png", b"\x89PNG1", "image/png"))).json()["results"][0]
    r = await upload(client, site.alice, page["id"], ("renamed.png", b"\x89PNG22", "image/png"),
                     path=f"{API}/content/{page['id']}/child/attachment/{att['id']}/data", comments=["sharper"])
    assert r.status_code == 200, r.text
    assert r.json()["id"] == att["id"] and r.json()["title"] == "logo.png" and r.json()["version"]["number"] == 2
    assert r.json()["extensions"]["comment"] == "sharper"
    confluence_error(await upload(client, site.alice, page["id"], ("x.png", b"x", None),
                                  path=f"{API}/content/{page['id']}/child/attachment/att999999/data"), 404)


async def test_metadata_update_needs_the_next_version(client, site, page) -> None:  # type: ignore[no-untyped-def]
    att = (await upload(client, site.alice, page["id"], ("draft.txt", b"text", None))).json()["results"][0]
    path = f"{API}/content/{page['id']}/child/attachment/{att['id']}"
    stale = await client.put(path, headers=site.alice.bearer, json={
        "id": att["id"], "type": "attachment", "version": {"number": 1}, "title": "final.txt"})
    confluence_error(stale, 409, "Current version is: 1")
    r = await client.put(path, headers=site.alice.bearer, json={
        "id": att["id"], "type": "attachment", "version": {"number": 2}, "title": "final.md",
        "metadata": {"mediaType": "text/markdown"}, "extensions": {"comment": "renamed"}})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "final.md" and r.json()["extensions"]["mediaType"] == "text/markdown"
    assert r.json()["version"]["number"] == 2 and r.json()["extensions"]["fileSize"] == 4
    got = await client.get(f"/wiki/download/attachments/{page['id']}/final.md", headers=site.bob.bearer)
    assert got.content == b"text" and got.headers["content-type"].startswith("text/markdown")
    # Moved to another page of the space.
    other = await make_page(client, site.alice, "DOC", "Elsewhere")
    moved = await client.put(path, headers=site.alice.bearer, json={
        "id": att["id"], "type": "attachment", "version": {"number": 3}, "container": {"id": other["id"]}})
    assert moved.status_code == 200, moved.text
    assert moved.json()["container"]["id"] == other["id"]
    assert await listed(client, site.alice, page["id"]) == []
    assert [a["id"] for a in await listed(client, site.alice, other["id"])] == [att["id"]]


async def test_an_oversized_upload_is_refused_and_nothing_stays(client, site, app, page) -> None:  # type: ignore[no-untyped-def]
    r = await upload(client, site.alice, page["id"], ("small.txt", b"ok", None), ("big.bin", b"x" * (LIMIT + 1), None))
    confluence_error(r, 404, f"exceeds its maximum permitted size of {LIMIT} bytes")
    assert await listed(client, site.alice, page["id"]) == []
    assert blob_files(app) == []
    # Exactly at the limit is fine.
    ok = await upload(client, site.alice, page["id"], ("edge.bin", b"y" * LIMIT, None))
    assert ok.status_code == 200, ok.text


async def test_empty_and_malformed_uploads_are_refused(client, site, app, page) -> None:  # type: ignore[no-untyped-def]
    confluence_error(await upload(client, site.alice, page["id"], ("empty.txt", b"", None)), 400, "is empty")
    no_file = await client.post(f"{API}/content/{page['id']}/child/attachment", headers={**site.alice.bearer, **XSRF},
                                files=[("comment", (None, "just a comment"))])
    confluence_error(no_file, 400, "at least one 'file' part")
    as_json = await client.post(f"{API}/content/{page['id']}/child/attachment", headers={**site.alice.bearer, **XSRF},
                                json={"file": "nope"})
    confluence_error(as_json, 415, "multipart/form-data")
    broken = await client.post(f"{API}/content/{page['id']}/child/attachment",
                               headers={**site.alice.bearer, **XSRF,
                                        "Content-Type": "multipart/form-data; boundary=xyz"},
                               content=b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n"
                                       b"\r\nabc\r\n--xyzNOT-A-BOUNDARY")
    assert broken.status_code == 400, broken.text
    bad_flag = await client.post(f"{API}/content/{page['id']}/child/attachment", headers={**site.alice.bearer, **XSRF},
                                 files=[("file", ("a.txt", b"a"))], data={"minorEdit": "perhaps"})
    confluence_error(bad_flag, 400, "minorEdit")
    assert await listed(client, site.alice, page["id"]) == []
    assert blob_files(app) == []


async def test_who_may_see_and_attach(client, site, page) -> None:  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "SEC", private=True)
    secret = await make_page(client, site.alice, "SEC", "Secret")
    r = await upload(client, site.bob, secret["id"], ("x.txt", b"x", None))
    confluence_error(r, 404, f"No content found with id : {secret['id']}")
    att = (await upload(client, site.alice, secret["id"], ("s.txt", b"s", None))).json()["results"][0]
    confluence_error(await client.get(f"{API}/content/{secret['id']}/child/attachment", headers=site.bob.bearer), 404)
    confluence_error(await download(client, site.bob, att), 404)
    confluence_error(await client.get(f"{API}/content/{secret['id']}/child/attachment/{att['id']}/download",
                                      headers=site.bob.bearer), 404)
    # An attachment is found only under its own container.
    confluence_error(await client.get(f"{API}/content/{page['id']}/child/attachment/{att['id']}/download",
                                      headers=site.alice.bearer), 404)
    confluence_error(await client.get(f"{API}/content/{page['id']}/child/attachment"), 401)


async def test_deleting_versions_and_attachments(client, site, app, page) -> None:  # type: ignore[no-untyped-def]
    att = (await upload(client, site.alice, page["id"], ("log.txt", b"v1", None))).json()["results"][0]
    for n, data in ((2, b"v2"), (3, b"v3")):
        r = await upload(client, site.alice, page["id"], ("log.txt", data, None), method="PUT")
        assert r.json()["results"][0]["version"]["number"] == n
    assert len(blob_files(app)) == 3
    assert (await client.delete(f"{API}/content/{att['id']}/version/1", headers=site.alice.bearer)).status_code == 204
    versions = (await client.get(f"{API}/content/{att['id']}/version", headers=site.alice.bearer)).json()["results"]
    assert [v["number"] for v in versions] == [3, 2]
    confluence_error(await client.delete(f"{API}/content/{att['id']}/version/3", headers=site.alice.bearer), 400,
                     "current version")
    confluence_error(await client.delete(f"{API}/content/{att['id']}/version/1", headers=site.alice.bearer), 404)
    confluence_error(await client.get(f"/wiki/download/attachments/{page['id']}/log.txt", params={"version": 1},
                                      headers=site.alice.bearer), 404)
    # Version 1's blob is unreferenced now; the sweep takes it (no grace in this test).
    assert await attachments.sweep(app.store, app.blobs, grace=0) == 1
    assert len(blob_files(app)) == 2
    # Trash, then purge, as content.
    assert (await client.delete(f"{API}/content/{att['id']}", headers=site.alice.bearer)).status_code == 204
    assert await listed(client, site.alice, page["id"]) == []
    assert (await client.delete(f"{API}/content/{att['id']}", headers=site.alice.bearer,
                                params={"status": "trashed"})).status_code == 204
    assert await attachments.sweep(app.store, app.blobs, grace=0) == 2
    assert blob_files(app) == []


async def test_purging_a_page_purges_its_attachments(client, site, app, page) -> None:  # type: ignore[no-untyped-def]
    att = (await upload(client, site.alice, page["id"], ("keep.txt", b"k", None))).json()["results"][0]
    assert (await client.delete(f"{API}/content/{page['id']}", headers=site.alice.bearer)).status_code == 204
    confluence_error(await client.get(f"{API}/content/{page['id']}/child/attachment", headers=site.alice.bearer), 404)
    assert (await client.delete(f"{API}/content/{page['id']}", headers=site.alice.bearer,
                                params={"status": "trashed"})).status_code == 204
    confluence_error(await client.get(f"{API}/content/{att['id']}/version", headers=site.alice.bearer), 404)
    assert await attachments.sweep(app.store, app.blobs, grace=0) == 1


async def test_a_damaged_blob_is_never_served(client, site, app, page) -> None:  # type: ignore[no-untyped-def]
    att = (await upload(client, site.alice, page["id"], ("data.bin", b"original bytes", None))).json()["results"][0]
    path = app.blobs.path(att["extensions"]["fileId"])
    flip_first_byte(path)
    r = await download(client, site.alice, att)
    body = confluence_error(r, 500, "damaged")
    assert "original" not in r.text and "Xriginal" not in r.text and body["statusCode"] == 500
    os.unlink(path)
    confluence_error(await download(client, site.alice, att), 500, "missing")


async def test_an_attachment_read_as_content(client, site, page) -> None:  # type: ignore[no-untyped-def]
    att = (await upload(client, site.alice, page["id"], ("plan.txt", b"v1", None), comments=["one"])).json()[
        "results"][0]
    await upload(client, site.alice, page["id"], ("plan.txt", b"v2!", None), method="PUT", comments=["two"])
    for ref in (att["id"], att["id"][3:]):
        r = await client.get(f"{API}/content/{ref}", headers=site.bob.bearer, params={"expand": "container,version"})
        assert r.status_code == 200, r.text
        got = r.json()
        assert (got["id"], got["type"], got["title"], got["version"]["number"]) == (att["id"], "attachment",
                                                                                     "plan.txt", 2)
        assert got["container"]["id"] == page["id"] and got["extensions"]["fileSize"] == 3
        assert got["extensions"]["comment"] == "two" and got["space"]["key"] == "DOC"
    old = (await client.get(f"{API}/content/{att['id']}", headers=site.bob.bearer,
                            params={"status": "historical", "version": 1})).json()
    assert old["status"] == "historical" and old["extensions"]["fileSize"] == 2 and old["version"]["number"] == 1

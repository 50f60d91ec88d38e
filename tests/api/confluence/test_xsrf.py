"""Confluence's XSRF rule, for every write endpoint that Confluence protects with it.

Which endpoints: the operations of Atlassian's official definitions that mention the
`X-Atlassian-Token` header, among those bondline serves — the watch writes (POST and DELETE on
content, space and label watches) and the attachment uploads (tests/api/confluence/test_attachments.py).
Each answers 403 with Confluence's error body without the header or with another value, and changes
nothing; `no-check` and the deprecated `nocheck` (any case) pass.
"""

from __future__ import annotations

import json

import pytest

from bondline.bootstrap import build
from bondline.config import Settings
from tests.helpers import API, confluence_error, make_page, make_space

WATCH_WRITES = {(method, f"{API}/user/watch/{kind}/{{{param}}}")
                for method in ("POST", "DELETE")
                for kind, param in (("content", "contentId"), ("space", "spaceKey"), ("label", "labelName"))}


ATTACHMENT_UPLOADS = {("POST", f"{API}/content/{{id}}/child/attachment"),
                      ("PUT", f"{API}/content/{{id}}/child/attachment"),
                      ("POST", f"{API}/content/{{id}}/child/attachment/{{attachmentId}}/data")}


def test_the_protected_writes_are_the_watch_writes_and_the_uploads() -> None:
    """The table below is exactly the served operations Atlassian's newest definitions protect."""
    from bondline.openapi import vendor

    official = vendor.confluence()
    protected = {(method.upper(), path) for path, item in official["paths"].items()
                 for method, op in item.items() if isinstance(op, dict) and "X-Atlassian-Token" in json.dumps(op)}
    served = {(r.method, r.pattern) for r in build(Settings(database_url="sqlite:///unused.db")).router.routes}
    assert protected & served == WATCH_WRITES | ATTACHMENT_UPLOADS


REFUSED = [None, "", "check", "no check", "yes", "no-check-please"]
ACCEPTED = ["no-check", "nocheck", "No-Check", "NOCHECK"]


async def _setup(client, site):  # type: ignore[no-untyped-def]
    await make_space(client, site.alice, "ENG")
    page = await make_page(client, site.alice, "ENG", "Runbook")
    r = await client.post(f"{API}/content/{page['id']}/label", headers=site.alice.bearer, json={"name": "ops"})
    assert r.status_code == 200
    return {"content": page["id"], "space": "ENG", "label": "ops"}


async def _watching(client, who, kind: str, key: str) -> bool:  # type: ignore[no-untyped-def]
    r = await client.get(f"{API}/user/watch/{kind}/{key}", headers=who.bearer)
    assert r.status_code == 200
    return r.json()["watching"]


@pytest.mark.parametrize("kind", ["content", "space", "label"])
async def test_watch_writes_need_the_xsrf_header(client, site, kind: str) -> None:  # type: ignore[no-untyped-def]
    keys = await _setup(client, site)
    key = keys[kind]
    path = f"{API}/user/watch/{kind}/{key}"
    bob = site.bob
    for value in REFUSED:
        headers = dict(bob.bearer) if value is None else {**bob.bearer, "X-Atlassian-Token": value}
        confluence_error(await client.post(path, headers=headers), 403, "XSRF check failed")
        assert not await _watching(client, bob, kind, key), f"stored on a refused POST ({value!r})"
    for value in ACCEPTED:
        assert (await client.post(path, headers={**bob.bearer, "X-Atlassian-Token": value})).status_code == 204
        assert await _watching(client, bob, kind, key)
        for refused in REFUSED:
            headers = dict(bob.bearer) if refused is None else {**bob.bearer, "X-Atlassian-Token": refused}
            confluence_error(await client.delete(path, headers=headers), 403, "XSRF check failed")
            assert await _watching(client, bob, kind, key), f"removed on a refused DELETE ({refused!r})"
        assert (await client.delete(path, headers={**bob.bearer, "X-Atlassian-Token": value})).status_code == 204
        assert not await _watching(client, bob, kind, key)


async def test_xsrf_is_checked_for_site_admins_acting_for_others_too(client, site) -> None:  # type: ignore[no-untyped-def]
    keys = await _setup(client, site)
    path = f"{API}/user/watch/content/{keys['content']}?accountId={site.bob.account_id}"
    confluence_error(await client.post(path, headers=site.admin.bearer), 403, "XSRF check failed")
    assert not await _watching(client, site.bob, "content", keys["content"])
    assert (await client.post(path, headers={**site.admin.bearer, "X-Atlassian-Token": "no-check"})).status_code == 204
    assert await _watching(client, site.bob, "content", keys["content"])


async def test_reads_need_no_xsrf_header(client, site) -> None:  # type: ignore[no-untyped-def]
    keys = await _setup(client, site)
    for kind, key in keys.items():
        assert (await client.get(f"{API}/user/watch/{kind}/{key}", headers=site.bob.bearer)).status_code == 200

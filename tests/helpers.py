"""Small helpers shared by API tests."""

from __future__ import annotations

import pathlib
import shutil
from typing import Any

API = "/wiki/rest/api"
CLIENTS = pathlib.Path(__file__).resolve().parent / "clients"  # third-party clients (npm ci --prefix tests/clients)


def missing_confluence_js() -> str | None:
    """Why confluence.js cannot run here (None: it can)."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (CLIENTS / "node_modules" / "confluence.js").is_dir():
        return "confluence.js is not installed (npm ci --prefix tests/clients)"
    return None


def confluence_error(r: Any, status: int, fragment: str = "") -> dict[str, Any]:
    """Assert a response is Confluence's error body with `status` (and `fragment` in the message)."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body["statusCode"] == status
    assert set(body["data"]) == {"authorized", "valid", "errors", "successful"}
    assert body["data"]["successful"] is False
    assert fragment in body["message"], body["message"]
    return body


async def make_space(client: Any, who: Any, key: str, private: bool = False) -> dict[str, Any]:
    path = f"{API}/space/_private" if private else f"{API}/space"
    r = await client.post(path, headers=who.bearer, json={"key": key, "name": f"Space {key}"})
    assert r.status_code == 200, r.text
    return r.json()


async def make_page(client: Any, who: Any, space: str, title: str, **extra: Any) -> dict[str, Any]:
    body = {"type": "page", "title": title, "space": {"key": space},
            "body": {"storage": {"value": f"<p>{title}</p>", "representation": "storage"}}, **extra}
    r = await client.post(f"{API}/content", headers=who.bearer, json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def edit_page(client: Any, who: Any, page: dict[str, Any], number: int,
                    title: str | None = None) -> dict[str, Any]:
    r = await client.put(f"{API}/content/{page['id']}", headers=who.bearer, json={
        "type": page["type"], "title": title or page["title"], "version": {"number": number}})
    assert r.status_code == 200, r.text
    return r.json()


def on_store(database_url: str, job: Any) -> Any:
    """Run `job(store)` on a store of its own (opened and closed around it), outside any server:
    for tests that set up or inspect a database a server process uses."""
    import asyncio

    from bondline.config import Settings
    from bondline.store import create_store

    async def go() -> Any:
        store = create_store(Settings(database_url=database_url))
        await store.open()
        try:
            return await job(store)
        finally:
            await store.close()

    return asyncio.run(go())

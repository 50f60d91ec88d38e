"""A property test: random sequences of PUT/DELETE/GET (and list) on the relation API behave
exactly like a set of (name, source, target) triples."""

from __future__ import annotations

import asyncio

import httpx
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from bondline.bootstrap import build
from bondline.config import Settings
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.services import accounts
from tests.helpers import API


def test_relation_api_behaves_like_a_set(database_url: str) -> None:
    loop = asyncio.new_event_loop()
    app = build(Settings(database_url=database_url, auth_cache_seconds=0))
    loop.run_until_complete(app.startup())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bondline.test")

    async def setup() -> tuple[dict[str, str], str, list[str]]:
        user = await accounts.add_user(app.store, "model-user", "model@example.com", "Model")
        _, token = await accounts.create_token(app.store, user.account_id)
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.post(f"{API}/space", headers=headers, json={"key": "M", "name": "M"})).status_code == 200
        pages = []
        for title in ("P1", "P2", "P3"):
            r = await client.post(f"{API}/content", headers=headers,
                                  json={"type": "page", "title": title, "space": {"key": "M"}})
            pages.append(r.json()["id"])
        r = await client.put(f"{API}/content/{pages[0]}", headers=headers,
                             json={"type": "page", "title": "P1", "version": {"number": 2}})
        assert r.status_code == 200
        return headers, user.account_id, pages

    headers, me, pages = loop.run_until_complete(setup())
    p1, p2, p3 = pages
    keys = [
        ("favourite", "user/current", f"content/{p1}", ""),
        ("favourite", "user/current", f"content/{p2}", ""),
        ("favourite", "user/current", "space/M", ""),
        ("favourite", "user/current", f"content/{p1}", "?targetStatus=historical&targetVersion=1"),
        ("sibling", f"content/{p1}", f"content/{p2}", ""),
        ("sibling", f"content/{p1}", f"content/{p3}", ""),
        ("sibling", f"content/{p2}", f"content/{p1}", ""),
        ("related", "space/M", f"user/{me}", ""),  # any app-defined name ("link" is computed)
    ]

    def url(key: tuple[str, str, str, str]) -> str:
        name, source, target, query = key
        return f"{API}/relation/{name}/from/{source}/to/{target}{query}"

    def call(method: str, path: str) -> httpx.Response:
        return loop.run_until_complete(client.request(method, path, headers=headers))

    class RelationSet(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model: set[tuple[str, str, str, str]] = set()

            async def clear() -> None:
                async with app.store.write(OPERATOR_ACTOR) as tx:
                    await tx.conn.execute(sa.text("DELETE FROM relations"))

            loop.run_until_complete(clear())

        @rule(key=st.sampled_from(keys))
        def put(self, key: tuple[str, str, str, str]) -> None:
            r = call("PUT", url(key))
            assert r.status_code == 200, r.text
            assert r.json()["name"] == key[0]
            self.model.add(key)

        @rule(key=st.sampled_from(keys))
        def delete(self, key: tuple[str, str, str, str]) -> None:
            assert call("DELETE", url(key)).status_code == 204
            self.model.discard(key)

        @rule(key=st.sampled_from(keys))
        def get(self, key: tuple[str, str, str, str]) -> None:
            assert call("GET", url(key)).status_code == (200 if key in self.model else 404)

        @invariant()
        def siblings_list_matches(self) -> None:
            r = call("GET", f"{API}/relation/sibling/from/content/{p1}/to/content?expand=target")
            listed = {x["target"]["id"] for x in r.json()["results"]}
            expected = {k[2].split("/")[1] for k in self.model if k[0] == "sibling" and k[1] == f"content/{p1}"}
            assert listed == expected

        @invariant()
        def favourites_listing_matches(self) -> None:
            r = call("GET", "/api/v1/users/current/relations/favourite?limit=200")
            listed = {(x["target"]["type"], x["target"]["key"], x["target"].get("version"))
                      for x in r.json()["results"]}
            expected = set()
            for name, _, target, query in self.model:
                if name == "favourite":
                    kind, key = target.split("/")
                    expected.add((kind, key, 1 if query else None))
            assert listed == expected

    try:
        run_state_machine_as_test(RelationSet, settings=settings(
            max_examples=25, stateful_step_count=30, deadline=None, derandomize=True,
            suppress_health_check=list(HealthCheck)))
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(app.shutdown())
        loop.close()

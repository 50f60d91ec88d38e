"""GET /metrics: Prometheus text that a scraper parses, with request counts and latency per route
pattern, the database pool, and change requests by tenant and state; summed over worker processes."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bondline.services.reltio import tenants
from tests.live import LiveServer


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(found: dict, name: str, **labels: str) -> float | None:  # type: ignore[type-arg]
    return found.get((name, tuple(sorted(labels.items()))))


RELATION = "/wiki/rest/api/relation/{relationName}/from/{sourceType}/{sourceKey}/to/{targetType}/{targetKey}"


async def test_requests_are_counted_per_route_pattern_and_status(client, site) -> None:  # type: ignore[no-untyped-def]
    before = samples((await client.get("/metrics")).text)
    for key in ("secret-key-1", "secret-key-2", "secret-key-3"):
        r = await client.get(f"/wiki/rest/api/relation/favourite/from/user/current/to/space/{key}",
                             headers=site.alice.bearer)
        assert r.status_code == 404
    await client.get("/wiki/rest/api/space")  # 401: no credentials
    await client.get("/no/such/route")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "secret-key" not in r.text  # labels are route patterns, never raw paths
    after = samples(r.text)

    def delta(name: str, **labels: str) -> float:
        return (value(after, name, **labels) or 0) - (value(before, name, **labels) or 0)

    assert delta("bondline_http_requests_total", method="GET", route=RELATION, status="404") == 3
    assert delta("bondline_http_requests_total", method="GET", route="/wiki/rest/api/space", status="401") == 1
    assert delta("bondline_http_requests_total", method="GET", route="(unmatched)", status="404") == 1
    assert delta("bondline_http_request_duration_seconds_count", method="GET", route=RELATION) == 3
    assert delta("bondline_http_request_duration_seconds_bucket", method="GET", route=RELATION, le="+Inf") == 3
    assert value(after, "bondline_http_request_duration_seconds_sum", method="GET", route=RELATION) > 0
    # the pool: SQLite's two connections, or the asyncpg pool's
    idle = value(after, "bondline_db_pool_connections", state="idle")
    busy = value(after, "bondline_db_pool_connections", state="busy")
    assert idle is not None and busy is not None and idle + busy >= 1
    assert value(after, "bondline_db_pool_max_connections") >= idle + busy
    assert value(after, "bondline_db_pool_waiting") == 0


async def test_change_requests_by_tenant_and_state(app, client, site) -> None:  # type: ignore[no-untyped-def]
    await tenants.add(app.store, "acme")
    await tenants.grant(app.store, "acme", site.alice.account_id, ["ROLE_INITIATOR", "ROLE_REVIEWER"])
    found = samples((await client.get("/metrics")).text)
    for state in ("AWAITING_REVIEW", "APPLIED", "REJECTED"):
        assert value(found, "bondline_change_requests", tenant="acme", state=state) == 0
    uris = []
    for _ in range(3):
        r = await client.post("/reltio/api/acme/changeRequests", headers=site.alice.bearer)
        assert r.status_code == 200, r.text
        uris.append(r.json()["uri"])
    assert (await client.post(f"/reltio/api/acme/{uris[0]}/_reject", headers=site.alice.bearer)).status_code == 200
    found = samples((await client.get("/metrics")).text)
    assert value(found, "bondline_change_requests", tenant="acme", state="AWAITING_REVIEW") == 2
    assert value(found, "bondline_change_requests", tenant="acme", state="REJECTED") == 1
    assert value(found, "bondline_change_requests", tenant="acme", state="APPLIED") == 0


@pytest.mark.live
def test_metrics_are_summed_over_worker_processes(database_url: str) -> None:
    with LiveServer(database_url, workers=2) as server:
        with httpx.Client(base_url=server.url) as http:
            for _ in range(40):
                # a new connection each time, so that both workers answer some
                r = http.get("/healthz", headers={"connection": "close"})
                assert r.status_code == 200
            # Each worker writes its numbers every second, once it has started: the server answers
            # as soon as one worker is up, so on a slow machine the second may still be starting.
            deadline = time.monotonic() + 20
            while True:
                found = samples(http.get("/metrics").text)
                count = value(found, "bondline_http_requests_total", method="GET", route="/healthz", status="200")
                pools = value(found, "bondline_db_pool_max_connections")
                if (count == 40 and pools in (4, 20)) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert count == 40
            # both workers' pools: twice one worker's maximum
            assert pools in (4, 20)


@pytest.mark.live
def test_metrics_can_be_turned_off(tmp_path: Any) -> None:
    with LiveServer(f"sqlite:///{tmp_path}/m.db", "--no-metrics") as server:
        r = httpx.get(server.url + "/metrics")
        assert r.status_code == 404 and r.json()["error"]["code"] == "NO_ROUTE"

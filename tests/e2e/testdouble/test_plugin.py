"""The pytest plugin used the way a user would: the fixtures bondline_server, bondline_seed and
bondline_client (this suite has the plugin through its pytest11 entry point, like any project that
installs bondline), with clients retrying after injected faults."""

from __future__ import annotations

import pathlib
import time

import httpx
import pytest

from bondline.client import Client, NotFound, RateLimited, TransportError
from bondline.testing import SeedError

HERE = pathlib.Path(__file__).parent
ADA = "blt_AdaFixed01_abcdefghijklmnopqrstuvwxyz012345"

pytestmark = pytest.mark.live


def test_each_test_gets_a_fresh_database_first(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    bondline_client.spaces.create("ONE", "One")
    assert bondline_client.content.create("ONE", "Page")["id"] == "2"  # after the space's home page


def test_each_test_gets_a_fresh_database_second(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        bondline_client.spaces.get("ONE")
    bondline_client.spaces.create("ONE", "One")
    assert bondline_client.content.create("ONE", "Page")["id"] == "2"  # ids start at 1 again (1: the home page)
    assert bondline_server.requests[0].path == "/wiki/rest/api/space/ONE"  # the journal too is fresh


def test_the_default_seed_is_one_site_admin(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    assert list(bondline_server.tokens) == ["test-admin"]
    me = bondline_client.users.current()
    assert me["accountId"] == "test-admin" and me["email"] == "admin@example.com"


@pytest.mark.bondline(seed="site.yaml")
def test_a_seed_file_per_test(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    # content ids go on after ENG's and SEC's home pages
    assert bondline_server.tokens["ada"] == ADA and bondline_server.seeded.content["runbook"] == 3
    assert bondline_client.users.current()["accountId"] == "ada"  # the seed's first user
    with bondline_server.client("bob") as bob:
        assert bob.content.get(3)["title"] == "Runbook (final)"
    acme = bondline_server.seeded.reltio["acme"]
    entity = bondline_client.reltio("acme").entities.get(acme["entities"]["ada-person"].split("/")[1])
    assert entity["attributes"]["FirstName"][0]["value"] == "Ada"


def test_bondline_seed_adds_data(bondline_server, bondline_seed) -> None:  # type: ignore[no-untyped-def]
    made = bondline_seed({"users": [{"accountId": "dee", "email": "dee@example.com", "name": "Dee"}],
                          "spaces": [{"key": "DEE", "name": "Dee's", "admins": ["dee"]}],
                          "content": [{"key": "home", "space": "DEE", "title": "Home"}]})
    assert made.content == {"home": 2} and set(bondline_server.tokens) == {"test-admin", "dee"}
    with bondline_server.client("dee") as dee:
        assert dee.content.get(made.content["home"])["space"]["key"] == "DEE"
    more = bondline_seed(HERE / "site.yaml")
    assert more.tokens["ada"] == ADA and more.content["runbook"] == 5


def test_seed_errors_name_the_line_or_the_path(bondline_seed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SeedError) as err:
        bondline_seed("users:\n  - accountId: eve\n    email: [eve]\n    name: Eve\n")
    assert str(err.value) == "<text>:3:12: users[0].email: Expected `str`, got `array`"
    with pytest.raises(SeedError) as err:
        bondline_seed({"users": [{"accountId": "eve", "name": "Eve"}]})
    assert str(err.value) == "<dict>: users[0]: Object missing required field `email`"


def test_the_journal_shows_what_the_code_sent(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    bondline_client.spaces.create("JRN", "Journal", description="what we sent")
    bondline_client.relations.put("favourite", ("user", "current"), ("space", "JRN"), expand=["relationData"])
    create, favourite = bondline_server.requests
    assert (create.method, create.path, create.status) == ("POST", "/wiki/rest/api/space", 200)
    assert create.json()["description"]["plain"]["value"] == "what we sent"
    assert create.headers["authorization"] == "Bearer [redacted]"
    assert create.response_json()["key"] == "JRN"
    assert favourite.params == {"expand": ["relationData"]} and favourite.method == "PUT"
    assert bondline_server.token() not in repr(bondline_server.requests)
    bondline_server.clear_requests()
    assert bondline_server.requests == []


def test_the_sdk_retries_after_injected_429s(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    bondline_server.faults.rate_limit("/wiki/rest/api/space", methods=["POST"], times=2, retry_after=0)
    created = bondline_client.spaces.create("RTY", "Retried")
    assert created["key"] == "RTY"
    sent = bondline_server.requests
    assert [(r.method, r.status) for r in sent] == [("POST", 429), ("POST", 429), ("POST", 200)]
    assert sent[0].response_headers["retry-after"] == "0"
    assert sent[0].response_json()["statusCode"] == 429  # Confluence's error body
    assert [r.json()["key"] for r in sent] == ["RTY"] * 3  # the same request each time


def test_the_sdk_waits_as_long_as_retry_after_says(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    bondline_server.faults.rate_limit("/wiki/rest/api/user/current", times=1, retry_after=1)
    started = time.monotonic()
    assert bondline_client.users.current()["accountId"] == "test-admin"
    assert 1.0 <= time.monotonic() - started < 5
    assert [r.status for r in bondline_server.requests] == [429, 200]


def test_the_sdk_gives_up_after_its_retries(bondline_server) -> None:  # type: ignore[no-untyped-def]
    bondline_server.faults.rate_limit("/wiki/*", retry_after=0)
    with bondline_server.client(retries=2) as client, pytest.raises(RateLimited) as err:
        client.spaces.list()
    assert err.value.status_code == 429 and err.value.body["message"] == "Rate limit exceeded."
    assert [r.status for r in bondline_server.requests] == [429, 429, 429]


def test_atlassian_python_api_retries_after_injected_429s(bondline_server) -> None:  # type: ignore[no-untyped-def]
    atlassian = pytest.importorskip("atlassian", reason="atlassian-python-api is not installed")
    bondline_server.faults.rate_limit("/wiki/rest/api/space", times=2, retry_after=0)
    confluence = atlassian.Confluence(url=bondline_server.url + "/wiki", username="admin@example.com",
                                      password=bondline_server.token(), cloud=True, backoff_and_retry=True,
                                      retry_status_codes=[429, 503], max_backoff_seconds=1, backoff_factor=0,
                                      backoff_jitter=0)
    confluence.post("rest/api/space", data={"key": "APA", "name": "atlassian-python-api"})
    assert confluence.get("rest/api/space/APA")["name"] == "atlassian-python-api"
    assert [r.status for r in bondline_server.requests] == [429, 429, 200, 200]


def test_503s_are_retried_and_reproducible_with_a_seed(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    def run() -> list[int | None]:
        bondline_server.clear_requests()
        bondline_server.faults.set([{"kind": "error", "status": 503, "path": "/wiki/*", "probability": 0.5,
                                     "retry_after": 0}], seed=11)
        for _ in range(5):
            bondline_client.users.current()
        return [r.status for r in bondline_server.requests]

    with bondline_server.client(backoff=0.001) as bondline_client:
        first = run()
        assert first.count(200) == 5 and first.count(503) > 0  # every call succeeded in the end
        assert run() == first


def test_a_dropped_connection_is_retried_for_a_get_but_not_a_post(bondline_server) -> None:  # type: ignore[no-untyped-def]
    with bondline_server.client(backoff=0.001) as client:
        client.spaces.create("DRP", "Dropped")
        bondline_server.faults.drop("/wiki/rest/api/space/*", times=1)
        assert client.spaces.get("DRP")["key"] == "DRP"
        assert [(r.method, r.status, r.faults) for r in bondline_server.requests][-2:] == [
            ("GET", None, ["drop"]), ("GET", 200, [])]
        bondline_server.faults.drop("/wiki/rest/api/content", times=1)
        with pytest.raises(TransportError):
            client.content.create("DRP", "Never")
    with pytest.raises(httpx.RemoteProtocolError):  # what any client sees: no response at all
        bondline_server.faults.set([{"kind": "drop"}])
        httpx.get(bondline_server.url + "/healthz")


def test_added_latency(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    bondline_server.faults.latency("/wiki/rest/api/user/current", delay=0.2)
    started = time.monotonic()
    bondline_client.users.current()
    assert time.monotonic() - started >= 0.2
    assert bondline_server.requests[-1].faults == ["latency:0.200"]


@pytest.mark.bondline(faults=[{"kind": "error", "status": 503, "path": "/wiki/*", "times": 1, "retryAfter": 0}])
def test_faults_from_the_marker(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    assert bondline_client.users.current()["accountId"] == "test-admin"
    assert [r.status for r in bondline_server.requests] == [503, 200]


def test_faults_do_not_outlive_their_test(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    assert bondline_server.faults.rules == []
    bondline_client.users.current()
    assert [r.status for r in bondline_server.requests] == [200]


def test_the_reltio_client_retries_too(bondline_server, bondline_seed) -> None:  # type: ignore[no-untyped-def]
    made = bondline_seed({"reltio": [{"id": "acme", "entities": [{"ref": "ada", "type": "Individual",
                                                                   "attributes": {"FirstName": "Ada"}}]}]})
    entity_id = made.reltio["acme"]["entities"]["ada"].split("/")[1]
    bondline_server.faults.rate_limit("/reltio/*", times=1, retry_after=0)
    with bondline_server.client() as client:
        found = client.reltio("acme").entities.get(entity_id)
    assert found["label"] == "Ada" and [r.status for r in bondline_server.requests] == [429, 200]
    assert bondline_server.requests[0].response_json()["errorMessage"] == "Too many requests, please try later"


def test_any_http_client_works(bondline_server) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(bondline_server.url + "/wiki/rest/api/user/current",
                  auth=("admin@example.com", bondline_server.token()))
    assert r.status_code == 200 and r.json()["accountId"] == "test-admin"
    with Client(bondline_server.url, bondline_server.token(), email="admin@example.com") as basic:
        assert basic.users.current()["accountId"] == "test-admin"

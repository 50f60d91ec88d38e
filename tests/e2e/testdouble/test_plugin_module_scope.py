"""`@pytest.mark.bondline(scope="module")`: one reset (and seed) for the whole module; each test
still starts with an empty journal and the server's own faults."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.live, pytest.mark.bondline(scope="module", seed="site.yaml")]


def test_first_writes(bondline_client) -> None:  # type: ignore[no-untyped-def]
    assert bondline_client.users.current()["accountId"] == "ada"
    bondline_client.spaces.create("MOD", "Module")


def test_second_sees_what_the_first_wrote(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    assert bondline_client.spaces.get("MOD")["name"] == "Module"
    assert [r.path for r in bondline_server.requests] == ["/wiki/rest/api/space/MOD"]


def test_third_injects_faults(bondline_server) -> None:  # type: ignore[no-untyped-def]
    bondline_server.faults.error("/wiki/*", status=500)
    assert bondline_server.faults.rules[0]["kind"] == "error"


def test_fourth_has_them_no_more(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    assert bondline_server.faults.rules == []
    assert bondline_client.spaces.get("MOD")["key"] == "MOD"


@pytest.mark.bondline(scope="test")
def test_a_test_may_ask_for_a_fresh_database(bondline_server, bondline_client) -> None:  # type: ignore[no-untyped-def]
    assert list(bondline_server.tokens) == ["ada", "bob", "cyd"]  # the module's seed, loaded afresh
    assert "MOD" not in [s["key"] for s in bondline_client.spaces.list()["results"]]

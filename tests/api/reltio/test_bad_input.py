"""Whatever a client sends to the Reltio paths — bondline's own included, which no vendor definition
covers — the answer is a 2xx or a 4xx with Reltio's error body, never a server error. (Odd paths,
keys and paging, with exact statuses and the database checked unchanged: the corpus in
tests/api/test_bad_input.py.)"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.reltio.conftest import address, api

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["value", "type", "uri", "attributes", "crosswalks", "startObject", "endObject",
                         "objectURI", "newValue", "attributePath", "refEntity", "FirstName", "Phone", "x"]),
        children, max_size=4),
    max_leaves=12)


async def test_random_bodies_never_fail_the_server(client, acme) -> None:  # type: ignore[no-untyped-def]
    person, _, rel = await address(client, acme.alice)
    first = person["attributes"]["FirstName"][0]["uri"]
    dcr = (await client.post(api("/changeRequests"), headers=acme.bob.bearer)).json()["uri"]
    targets = [
        ("POST", "/entities"), ("POST", "/relations"), ("POST", f"/{person['uri']}/_update"),
        ("POST", f"/{person['uri']}/attributes/FirstName"), ("POST", f"/{person['uri']}/attributes/Phone"),
        ("PUT", f"/{first}"), ("PUT", f"/{first}/pin"), ("PUT", f"/{first}/ignored"),
        ("POST", f"/{rel['uri']}/attributes/AddressRank"), ("PUT", "/configuration"),
        ("POST", f"/{dcr}/_externalInfo"), ("POST", "/changeRequests/_byUris"),
        ("POST", f"/entities?changeRequestId={dcr.split('/')[1]}"),
        ("POST", "/activities"), ("POST", "/interactions"),
    ]
    seen: list[tuple[str, str, int]] = []

    @settings(max_examples=60, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(target=st.sampled_from(targets), body=JSON)
    def generate(target: tuple[str, str], body: Any) -> None:
        seen.append((target[0], target[1], 0))
        bodies.append((target, body))

    bodies: list[tuple[tuple[str, str], Any]] = []
    generate()
    for (method, path), body in bodies:
        r = await client.request(method, api(path), headers=acme.admin.bearer, json=body)
        assert r.status_code < 500, (method, path, body, r.text)
        if r.status_code >= 400:
            assert {"severity", "errorCode", "errorMessage"} <= set(r.json()), r.text
    assert len(seen) == 60


async def test_unknown_paths_and_methods_answer_in_reltios_body(client, acme) -> None:  # type: ignore[no-untyped-def]
    from tests.api.reltio.conftest import reltio_error

    reltio_error(await client.patch(api("/entities"), headers=acme.alice.bearer, json=[]), 405)
    reltio_error(await client.get("/services/reltio/api/acme/nothing", headers=acme.alice.bearer), 404)
    reltio_error(await client.get("/reltio/elsewhere", headers=acme.alice.bearer), 404)
    r = await client.get("/oauth/token")
    assert r.status_code == 405 and r.json()["error"] == "invalid_request"

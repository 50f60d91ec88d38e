"""Helpers for the Reltio API tests, on the tenant `acme` that the root conftest's `acme` fixture makes
(the default types and one role per person: alice ROLE_USER, bob ROLE_INITIATOR, carol ROLE_REVIEWER;
admin is a site admin)."""

from __future__ import annotations

from typing import Any

TENANT = "acme"
BASE = f"/reltio/api/{TENANT}"


def api(path: str) -> str:
    return BASE + path


def reltio_error(r: Any, status: int, code: int | None = None, fragment: str = "") -> dict[str, Any]:
    """Assert `r` is Reltio's APIErrorRepresentation with `status` (and errorCode, message part)."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) >= {"severity", "errorMessage", "errorCode", "errorDetailMessage", "innerErrorData"}, body
    assert body["severity"] == "Error"
    assert isinstance(body["errorCode"], int)
    assert isinstance(body["innerErrorData"]["exception"], str)
    if code is not None:
        assert body["errorCode"] == code, body
    assert fragment in body["errorMessage"] + body["errorDetailMessage"], body
    return body


INDIVIDUAL = {"type": "configuration/entityTypes/Individual",
              "attributes": {"FirstName": [{"value": "Ada"}], "LastName": [{"value": "Lovelace"}]},
              "crosswalks": [{"type": "configuration/sources/LNKD", "value": "ada"}]}
LOCATION = {"type": "configuration/entityTypes/Location",
            "attributes": {"AddressLine1": [{"value": "12 Analytical Row"}], "City": [{"value": "London"}]},
            "crosswalks": [{"type": "configuration/sources/LNKD", "value": "loc1"}]}


async def make_entity(client: Any, who: Any, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = await client.post(api("/entities"), headers=who.bearer, json=[body or INDIVIDUAL])
    assert r.status_code == 200, r.text
    result = r.json()[0]
    assert result["successful"], result
    return result["object"]


async def make_relation(client: Any, who: Any, start: str, end: str, kind: str = "HasAddress",
                        attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    r = await client.post(api("/relations"), headers=who.bearer, json=[{
        "type": f"configuration/relationTypes/{kind}", "startObject": {"objectURI": start},
        "endObject": {"objectURI": end}, "attributes": attributes or {}}])
    assert r.status_code == 200, r.text
    result = r.json()[0]
    assert result["successful"], result
    return result["object"]


async def address(client: Any, who: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An Individual, a Location and a HasAddress relation between them."""
    person = await make_entity(client, who)
    place = await make_entity(client, who, LOCATION)
    rel = await make_relation(client, who, person["uri"], place["uri"], attributes={"AddressRank": [{"value": "1"}]})
    # the relation is now a value of the person's reference attribute Address: read it again
    person = (await client.get(api(f"/{person['uri']}"), headers=who.bearer)).json()
    return person, place, rel

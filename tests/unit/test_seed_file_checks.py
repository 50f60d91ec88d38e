"""Seed files are checked whole before anything is written: an error names the file, the line, the
column and the reason (pure: `bondline.seedfile` parses and checks; loading is tests/e2e/testdouble/
test_seed_files.py)."""

from __future__ import annotations

import pytest

from bondline import seedfile
from bondline.domain.errors import DomainError
from bondline.http.errors import status_for


def error_of(text: str, fmt: str | None = None) -> seedfile.InvalidSeed:
    with pytest.raises(seedfile.InvalidSeed) as err:
        seedfile.parse(text, "f.yaml" if fmt != "json" else "f.json", fmt=fmt)
    return err.value


@pytest.mark.parametrize(("text", "line", "column", "fragment"), [
    ("users:\n  - accountId: a\n    email: 5\n    name: A\n", 3, 12, "users[0].email: Expected `str`, got `int`"),
    ("users:\n  - accountId: a\n    emial: a@x.io\n", 3, 5, "users[0].emial: Object contains unknown field `emial`"),
    ("users:\n  - accountId: a\n    name: A\n", 2, 5, "users[0]: Object missing required field `email`"),
    ("users: []\nusers: []\n", 2, 1, "duplicate key 'users'"),
    ("users: [\n", 2, 1, "invalid YAML"),
    ("spaces:\n  - key: ENG\n    name: E\n    admins: []\n", 4, 13, "a space needs at least one admin"),
    ("content:\n  - space: X\n    title: T\n    type: video\n", 4, 11, "content[0].type: Invalid enum value 'video'"),
    ("content:\n  - space: X\n    title: T\n", 2, 5, "author is required"),
    ("users:\n  - {accountId: a, email: a@x.io, name: A, token: blt_short}\n", 2, 51, "A fixed token must look like"),
    ("users:\n  - {accountId: a, email: a@x.io, name: A}\n  - {accountId: a, email: b@x.io, name: B}\n", 3, 17,
     "accountId 'a' is already used by users[0]"),
    ("users:\n  - {accountId: 'bad id', email: a@x.io, name: A}\n", 2, 17, "Invalid accountId"),
    ("relations:\n  - {name: like, source: user:a, target: content:nope}\n", 2, 42, "no content has the key 'nope'"),
    ("relations:\n  - {name: favourite, source: space:X, target: content:1}\n", 2, 5, "sourceType of a 'favourite'"),
    ("relations:\n  - {name: x, source: page:1, target: content:1}\n", 2, 23, "write the source as TYPE:KEY"),
    ("watches:\n  - {user: a, content: '1', space: X}\n", 2, 5, "exactly one of content, space or label"),
    ("content:\n  - {key: a, space: S, title: A, author: u, parent: b}\n  - {key: b, space: S, title: B, author: u, "
     "parent: a}\n", 2, 53, "the parents form a cycle"),
    ("reltio:\n  - id: t\n    roles: {bob: [ROLE_KING]}\n", 3, 18, "Unknown role 'ROLE_KING'"),
    ("reltio:\n  - id: t\n    relations:\n      - {type: HasAddress, start: ghost, end: entities/abc}\n", 4, 35,
     "'ghost' is neither a ref of this tenant's entities nor entities/ID"),
    ("reltio:\n  - id: t\n    changeRequests:\n      - items:\n"
     "          - {deleteRelation: r, createEntity: {type: X}}\n",
     5, 13, "an item is exactly one of"),
    ("reltio:\n  - id: t\n    types: {entityTypes: 3}\n", 3, 12, "reltio[0].types"),
])
def test_invalid_yaml_names_line_column_and_reason(text: str, line: int, column: int, fragment: str) -> None:
    err = error_of(text)
    assert (err.line, err.column) == (line, column), err.message
    assert fragment in err.message, err.message
    assert err.message.startswith(f"f.yaml:{line}:{column}: ")


def test_invalid_json_names_line_and_column() -> None:
    err = error_of('{\n  "users": [\n    {"accountId": "a",, }\n  ]\n}', fmt="json")
    assert (err.line, err.column) == (3, 23) and "invalid JSON" in err.message
    err = error_of('{\n  "users": [\n    {"accountId": "a", "email": 7, "name": "A"}\n  ]\n}')
    assert (err.line, err.column) == (3, 33) and "users[0].email: Expected `str`, got `int`" in err.message


def test_a_dict_is_checked_too_with_paths() -> None:
    with pytest.raises(seedfile.InvalidSeed) as err:
        seedfile.from_data({"users": [{"accountId": "a", "email": "a@x.io", "name": 1}]}, "dict")
    assert err.value.message == "dict: users[0].name: Expected `str`, got `int`"
    assert err.value.line is None


def test_invalid_seed_is_a_domain_error() -> None:
    assert issubclass(seedfile.InvalidSeed, DomainError) and status_for(seedfile.InvalidSeed) == 400


def test_the_shipped_seed_files_are_valid() -> None:
    from bondline import seeds

    for name in seeds.BUILT_IN:
        assert seedfile.parse(seeds.text(name), seeds.source(name)).spec.users


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("reltio:\n  - id: t\n    changeRequests:\n      - {items: [], reviewedBy: a}\n", 4,
     "changeRequests[0].reviewedBy: reviewedBy is who applies or rejects the request"),
    ("reltio:\n  - id: t\n    changeRequests:\n      - {items: [], state: DONE}\n", 4,
     "changeRequests[0].state: Invalid enum value 'DONE'"),
    ("reltio:\n  - id: t\n    changeRequests:\n      - {items: [], state: applied}\n", 4,
     "Invalid enum value 'applied'"),
    ("reltio:\n  - id: t\n    edits:\n      - {deleteRelation: relations/abc}\n", 4,
     "reltio[0].edits[0]: an edit is exactly one of insertAttribute, updateAttribute, deleteAttribute"),
    ("reltio:\n  - id: t\n    edits:\n      - {}\n", 4, "an edit is exactly one of"),
    ("reltio:\n  - id: t\n    edits:\n      - updateAttribute: {object: ghost, attribute: A, value: x}\n", 4,
     "edits[0].updateAttribute.object: 'ghost' is neither a ref"),
    ("reltio:\n  - id: t\n    edits:\n      - insertAttribute: {object: entities/abc, attribute: A}\n", 4,
     "insertAttribute needs a value"),
])
def test_decided_requests_and_edits_are_checked(text: str, line: int, fragment: str) -> None:
    err = error_of(text)
    assert err.line == line and fragment in err.message, err.message


def test_decided_requests_and_edits_parse() -> None:
    doc = seedfile.parse("users:\n  - {accountId: rev, email: r@x.io, name: R}\nreltio:\n  - id: t\n"
                         "    entities:\n      - {ref: p, type: Individual, attributes: {FirstName: A}}\n"
                         "    changeRequests:\n      - {items: [], state: APPLIED, reviewedBy: rev}\n"
                         "      - {items: [], state: REJECTED}\n      - {items: []}\n"
                         "    edits:\n      - updateAttribute: {object: p, attribute: FirstName, value: B}\n")
    tenant = doc.spec.reltio[0]
    assert [(r.state, r.reviewed_by) for r in tenant.change_requests] == [
        ("APPLIED", "rev"), ("REJECTED", None), ("AWAITING_REVIEW", None)]
    assert tenant.edits[0].update_attribute is not None and tenant.edits[0].update_attribute.value == "B"
    assert seedfile.CHANGE_STATES == ("AWAITING_REVIEW", "APPLIED", "REJECTED")

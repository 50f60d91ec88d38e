"""Schemathesis against a live bondline: (1) bondline's own `/openapi.json`, every operation, with
ALL of schemathesis' checks (`--checks all`), and (2) Atlassian's Confluence Cloud document (the
vendored newest one, `bondline.openapi.vendor.confluence()`) for the operations bondline implements
that it still describes. No 5xx, no undocumented status, content type or header, no response outside
its schema, schema-valid input accepted and schema-invalid input refused.

(1) runs schemathesis' own runner (`schemathesis run --checks all`), so the checks that need it —
`ignored_auth`, `unsupported_method`, `missing_required_header`, `use_after_free`,
`ensure_resource_availability` — run too. Phases `examples`, `coverage` and `fuzzing`, every one over
every operation: the coverage phase sends each boundary value, each missing required part, each
type violation the schema allows for, and each method the path does not declare
(`unexpected-methods`: all eight, the default; the answer is a 405 with `Allow`). Duplicated
single-valued query parameters are not generated (`generate-duplicate-query-parameters = false`):
bondline, like Confluence, reads the first. The coverage phase needs no per-operation bound: it is
bounded by the schemas, which say what bondline reads — where a vendor's request schema nests objects
bondline does not read (a new space's `permissions` embed whole users), `bondline.openapi.precise`
describes the part bondline reads, so the phase takes about a minute for all operations on either
backend. Bounded and repeatable otherwise: seed 1, 3 examples per operation in the fuzzing phase, no
NUL in generated strings and UTF-8 text only (bondline refuses NUL and unpaired surrogates anywhere,
which a JSON Schema cannot say of every string). A refusal is any status `negative_data_rejection`
counts as one, and 413: a body over the size limit is refused before its content is read (413 is
declared wherever bondline reads a body; OpenAPI has no word for a body's size in bytes).
The Reltio operations run against a tenant that exists (`reltio_objects`): `fuzz`, made as
tests/api/reltio/conftest.py makes tenants (the Reltio tests' types: Individual, Location, HasAddress, …;
HasAddress gets a nested attribute so that the relation sub-attribute paths have values), where bob
holds ROLE_USER and ROLE_REVIEWER (read, write, initiate and review change requests); every
operation's `tenantId` is `fuzz` (`[parameters]`), but PUT …/configuration's, which is
`fuzz-types`, a second tenant where bob is ROLE_ADMIN_TENANT, so that replacing the types does not
take them from the other operations. Every Reltio operation on one object gets objects of its own
(an Individual with a simple and a nested value, a HasAddress relation with both, a change request
awaiting review with one item), named by its path parameters in its `[[operations]]` entry; a preview
(`_withChangeRequests`) draws the id of a change request staged on its object half of the time in the
fuzzing phase (a dictionary), so that the coverage phase still sends the others. The 2xx answers and
their schemas are checked, not only 404s: the test fails if a Reltio operation other than a DELETE
(whose first success takes its object away) keeps answering 404.
bondline's document declares every status each operation can answer and its inputs as bondline
treats them (`bondline.openapi.errors`, `bondline.openapi.precise`); what it still cannot express is
excluded per operation (its method and path, one expression) and per check, each for the reason
written beside it in `EXCLUSIONS` — wire fidelity or a constraint OpenAPI 3.0 has no words for:

- `positive_data_acceptance` on the Confluence relation paths: a key's format depends on its type
  (content ids are integers, space keys alphanumeric), and `sourceVersion`/`targetVersion` need
  `…Status=historical` — constraints between parameters;
- `positive_data_acceptance` on creating a space (open or private) or content: creating the same key,
  or a page with the same title in a space, twice is refused with 400 as Confluence does — state, not
  shape; a body in `atlas_doc_format` must be an ADF document (the schema allows any string) — a format
  inside a string (docs/decisions/0021);
- `positive_data_acceptance` on PUT /wiki/rest/api/content/{id}: an update is checked against the
  stored page — its type cannot change, a parent must exist and be neither the page nor one of its
  descendants — state, not shape; an `atlas_doc_format` body must be ADF, as on create;
- `positive_data_acceptance` on moving a page (PUT …/content/{pageId}/move/…) and copying one or a
  hierarchy (POST …/copy, …/pagehierarchy/copy): checked against the tree — no move relative to the
  page itself or its descendants, no title already taken in the destination space, only pages
  copied — state, not shape;
- `positive_data_acceptance` on CQL search (`/search`, `/content/search`, `/search/user`): a query is
  a grammar, not a pattern; on restrictions (PUT/POST …/restriction) and the permission check: the
  users and groups they name must exist (400 otherwise).
- `positive_data_acceptance` on GET /api/v1/users/{accountId}/relations/{relationName} and v2's
  listings (GET /wiki/api/v2/pages, /blogposts, /spaces, a page's children, direct children,
  descendants and versions, a blog post's versions, a space's pages and blog posts, and the comment,
  attachment, version and like listings): `cursor` is opaque — only a cursor bondline returned (for
  the same query) is one;
- `positive_data_acceptance` on v2's label, property and space permission listings: opaque cursors
  as above; on creating a v2 property (a key taken: 400, 409 for a space) and updating one (the next
  version, else 409; the stored key) — state, as for v1's properties;
- `positive_data_acceptance` on v2's POST /wiki/api/v2/pages and PUT /wiki/api/v2/pages/{id}: as for
  v1's content, a title taken, a parent elsewhere, a stale version or a body id other than the path's
  is refused with 400 or 409 — state, not shape; and `private` pages, `wiki` bodies and
  `atlas_doc_format` bodies that are not ADF documents are refused (docs/decisions/0020, 0021);
- `positive_data_acceptance` on v2's blog post writes (POST /blogposts, PUT /blogposts/{id}), renaming
  a page (PUT /pages/{id}/title: a published page cannot become a draft), creating a space (a key
  taken; role assignments, templates and copied access not supported) and convert-ids-to-types (ids
  are positive integers, where the document allows any string): state or bondline's ids, not shape;
- `positive_data_acceptance` on v2's POST /wiki/api/v2/footer-comments and /inline-comments and PUT
  on one of them: a comment is on content that exists (or answers a comment that does), has a body, and
  a top-level inline comment a selection; an update names the next version — state, not shape;
- `positive_data_acceptance` on PUT …/child/attachment/{attachmentId}: the body's `id` must be the
  attachment in the path, and a new `title` must not be another attachment's — body against path, state;
- `positive_data_acceptance` on POST …/entities/{id}/_update: each change's `uri` must name an
  attribute of the entity in the path (body against path);
- `positive_data_acceptance` on PUT …/configuration: the types document is checked as a whole (type
  URIs, attribute kinds, relation types naming declared entity types);
- `positive_data_acceptance` on the Reltio Workflow API (decision 0025): its requests name state — a
  process starts for an existing change request, a search names a known process type, assignees are
  asked for existing tasks, dates lie in range (the description says each field's shape; the rest is
  the service's data);
- `negative_data_rejection` on the Workflow API's searches (tasks, assignees, process instances): a
  field sent as null is read as absent — no filter on it — as a Jackson-read Reltio body treats it;
- `positive_data_acceptance` on GET …/changeRequests: a `filter` is conditions joined by and/or, with
  parentheses nesting up to 20 deep — a grammar, which no pattern can say; the document's pattern
  says which tokens a filter is made of (so generated filters are mostly real ones);
- `positive_data_acceptance` on inserting and updating attribute values (POST …/attributes/{attribute}
  and …/{valueId}/{subAttribute}, PUT …/{valueId} and …/{subValueId}, on entities and relations): a
  value is a string or an object of sub-attributes as the attribute the path names is simple or
  nested — the tenant's types, not the document's;
- `positive_data_acceptance` on POST …/entities and …/relations: a staged write (`changeRequestId`,
  `alwaysCreateDCR`) stages all of its objects or none, so one of a type, with attributes or ends the
  tenant does not have refuses the request (400) — the tenant's types and objects;
- `negative_data_rejection` on POST …/entities and …/relations: each object of a batch succeeds or
  fails on its own — a direct write answers 200 with an invalid object's error in its result
  (Reltio's per-object results), which no status can say;
- `negative_data_rejection` on the review inbox's pages (GET /ui/…): a browser without a valid session
  is sent to the sign-in page (303), the web's convention, rather than refused with a 4xx.

And `positive_data_acceptance` takes 400 as well from the operations in `STATEFUL` (apply, reject, a
preview, deleting an item, and the writes on one entity or relation, which take `changeRequestId`,
an id schemathesis may reuse from an earlier response): once an earlier case of the run applied or
rejected a change request, every later valid request naming it is refused with 400 — Reltio's status
for a change request in another state (its documents declare no 409 there) — and schemathesis cannot
know a request's state.

(2) runs `not_a_server_error`, `response_schema_conformance` and `response_headers_conformance`; it
leaves out, as before:
- `status_code_conformance`: Atlassian's definitions leave out statuses their own descriptions and
  the seeds promise — 401 on the list operations, 501 for listing favourites ("this method does not
  support 'like' or 'favourite'"), 400 for bad `start`/`limit` — so correct answers would be flagged;
- `content_type_conformance`: the definitions declare error responses with no content (`content: {}`)
  while Confluence (and bondline) answer them with its JSON error body;
- the negative-data checks (`negative_data_rejection`, `positive_data_acceptance`): Confluence accepts
  values its schema does not describe (`additionalProperties`, ignored deprecated parameters), as
  bondline does for compatibility, so schema-invalid input is not always an error.
Generation is bounded (a fixed number of examples per operation, phases `examples` and `fuzzing`: the
coverage phase over Atlassian's own request schemas, which embed whole spaces and users bondline does
not read, would run for hours) and derandomized (fixed seed). Atlassian's 2026 document no longer has
some operations bondline serves (they come from the 2021 document); those are covered by (1) only.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import pathlib
import re
from typing import Any

import httpx
import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install schemathesis)")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_headers_conformance,
    response_schema_conformance,
)

pytestmark = pytest.mark.live
CHECKS = [not_a_server_error, response_schema_conformance, response_headers_conformance]
BOUNDED = settings(max_examples=8, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


def _load(document: dict[str, Any], live: Any) -> Any:
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=live.url)
    # No coverage phase here: Atlassian's own request schemas nest whole objects (ContentCreate embeds
    # Space, which embeds Content, …) and it would run for hours; (1) runs it over bondline's.
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema


@pytest.fixture(scope="module")
def official_schema(live):  # type: ignore[no-untyped-def]
    """Atlassian's newest Confluence document, cut to the operations bondline serves that it has."""
    from bondline.openapi import vendor

    official = copy.deepcopy(vendor.confluence())
    served = httpx.get(live.url + "/openapi.json").json()["paths"]
    official["paths"] = {p: kept for p, item in official["paths"].items() if p in served
                         if (kept := {m: op for m, op in item.items() if m in served[p]})}
    assert official["paths"], "no operation bondline serves is in Atlassian's document"
    official["servers"] = [{"url": "/"}]
    return _load(official, live)


official = schemathesis.pytest.from_fixture("official_schema")


R = "^(/services)?/reltio/api/[^/]+"
# (check, path regex, method or None, why) — the reasons in full are in the module's docstring.
EXCLUSIONS = [
    ("negative_data_rejection",
     "^/(services/workflow|nui/workflow/workflow|workflow-adapter/workflow)/[^/]+/(tasks|assignee|processInstances/_search)$",
     "POST", "a search's null field is an absent one (no filter on it), as a Jackson-read Reltio body treats it"),
    ("positive_data_acceptance", "^/(services/workflow|nui/workflow/workflow|workflow-adapter/workflow)/", None,
     "the Workflow API's requests name state: a process starts for an existing change request, a search"
     " names a known process type, assignees are asked for existing tasks, dates lie in range"),
    ("positive_data_acceptance", "^/wiki/rest/api/relation/", None,
     "key formats depend on the key's type; versions need status=historical"),
    ("positive_data_acceptance", "^/wiki/rest/api/(space|space/_private|content)$", "POST",
     "a second create with the same key or title is refused (400), as Confluence does; an atlas_doc_format"
     " body must be an ADF document (a format inside a string)"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+$", "PUT",
     "an update is checked against the stored page: same type, an existing parent other than itself;"
     " an atlas_doc_format body must be an ADF document"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+/move/[^/]+/[^/]+$", "PUT",
     "a move is checked against the tree: no loop, no title taken in the target space"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+/(copy|pagehierarchy/copy)$", "POST",
     "a copy's titles must be free in the destination space, and only pages are copied"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+/version$", "POST",
     "a restore names a historical version of the stored page: the current or a missing one is 400, as documented"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+/version/[^/]+$", "DELETE",
     "a deletion names a historical version of the stored page: the current or a missing one is 400, as documented"),
    ("positive_data_acceptance", "^/wiki/rest/api/(content|space)/[^/]+/property(/[^/]+)?$", "POST",
     "a second create of the same property key is refused (400; 409 for a space), as Confluence does"),
    ("positive_data_acceptance", "^/wiki/rest/api/(content|space)/[^/]+/property/[^/]+$", "PUT",
     "an update names the next version of the stored property (409 otherwise), and a key in the body must be"
     " the path's"),
    ("positive_data_acceptance", "^/wiki/rest/api/(search|content/search|search/user)$", "GET",
     "a CQL query is a grammar (lark), not a pattern: a string that does not parse is Confluence's 400"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+/restriction$", None,
     "the users and groups a restriction names must exist, and a group is named by id or name: 400 otherwise"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+/restriction/byOperation/[^/]+/user$", None,
     "a user is named by accountId, the only one of the document's three parameters still available: 400 without it"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+/permission/check$", "POST",
     "the subject must be an existing user or group: an unknown one is 400, as documented"),
    ("positive_data_acceptance", "^/api/v1/users/[^/]+/relations/[^/]+$", "GET", "cursors are opaque"),
    ("positive_data_acceptance", "^/wiki/api/v2/(pages|spaces|blogposts|pages/[^/]+/(children|direct-children|"
     "descendants|versions)|blogposts/[^/]+/versions|spaces/[^/]+/(pages|blogposts))$", "GET",
     "v2 cursors are opaque: only a cursor bondline issued for the same query is one"),
    ("positive_data_acceptance", "^/wiki/api/v2/(labels|labels/[^/]+/[a-z]+|(pages|blogposts|attachments)/[^/]+/labels"
     "|spaces/[^/]+/(content/)?labels|spaces/[^/]+/permissions|[a-z]+/[^/]+/properties)$", "GET",
     "v2 cursors are opaque: only a cursor bondline issued for the same query is one"),
    ("positive_data_acceptance", "^/wiki/api/v2/[a-z]+/[^/]+/properties$", "POST",
     "a second create of the same property key is refused (400; 409 for a space), as v1 refuses it"),
    ("positive_data_acceptance", "^/wiki/api/v2/[a-z]+/[^/]+/properties/[^/]+$", "PUT",
     "an update names the next version of the stored property (409 otherwise) and keeps its key: state"),
    ("positive_data_acceptance", "^/wiki/api/v2/blogposts$", "POST",
     "a private blog post, a creation date (`createdAt`) or a body in a representation bondline does not"
     " convert is refused with 400 (not supported): state, not shape"),
    ("positive_data_acceptance", "^/wiki/api/v2/blogposts/[^/]+$", "PUT",
     "the body's id must be the blog post in the path, its space the post's and its version the next one:"
     " body against path, state"),
    ("positive_data_acceptance", "^/wiki/api/v2/pages/[^/]+/title$", "PUT",
     "a published page cannot be renamed as a draft (409): state, not shape"),
    ("positive_data_acceptance", "^/wiki/api/v2/spaces$", "POST",
     "a key already taken is refused (400), as Confluence does; role assignments, templates and copied access"
     " are not supported; an alias must be the key"),
    ("positive_data_acceptance", "^/wiki/api/v2/content/convert-ids-to-types$", "POST",
     "content ids are positive integers (the document allows any string or number): 400 otherwise"),
    ("positive_data_acceptance", "^/wiki/api/v2/pages$", "POST",
     "a title already taken in the space, a parent that is not a page of that space, a private page (not"
     " supported), a wiki body or an atlas_doc_format body that is not ADF is refused with 400: state, not shape"),
    ("positive_data_acceptance", "^/wiki/api/v2/pages/[^/]+$", "PUT",
     "the body's id must be the page in the path and its version the next one: body against path, state;"
     " an atlas_doc_format body must be an ADF document"),
    ("positive_data_acceptance", "^/wiki/api/v2/((footer|inline)-comments|attachments|(pages|blogposts)/[^/]+/"
     "((footer|inline)-comments|attachments|likes/users)|attachments/[^/]+/(versions|footer-comments)|"
     "(footer|inline)-comments/[^/]+/(children|versions|likes/users))$", "GET",
     "v2 cursors are opaque: only a cursor bondline issued for the same query is one"),
    ("positive_data_acceptance", "^/wiki/api/v2/(footer|inline)-comments$", "POST",
     "a comment is on a page or blog post (or answers a comment) that must exist, has a body, and a top-level"
     " inline comment a selection; a body in a representation bondline does not convert is a 400: state, not shape"),
    ("positive_data_acceptance", "^/wiki/api/v2/(footer|inline)-comments/[^/]+$", "PUT",
     "an update names the comment's next version (409 otherwise); a footer comment is not resolved, a dangling"
     " one not reopened: state, not shape"),
    ("positive_data_acceptance", "^/wiki/rest/api/content/[^/]+/child/attachment/[^/]+$", "PUT",
     "the body's id must be the path's attachment, and a new name must not be another attachment's"),
    ("positive_data_acceptance", R + "/entities/[^/]+/_update$", "POST",
     "each change's uri must name an attribute of the entity in the path"),
    ("positive_data_acceptance", R + "/configuration$", "PUT", "the types document is checked as a whole"),
    ("positive_data_acceptance", R + "/changeRequests$", "GET",
     "a filter's parentheses and and/or must nest and alternate: a grammar, not a pattern"),
    *[("positive_data_acceptance", R + "/relations(/_search)?$", method,
       "Reltio's bounds, which the document types as any integer: `max` 1–200, `offset` ≥ 0 and max + offset ≤"
       " 10,000; and the filter is a grammar: 400 otherwise") for method in ("GET", "POST")],
    ("positive_data_acceptance", R + "/entities/[^/]+/_hops$", "GET",
     "Reltio's bounds, which the document types as any integer: `deep` 1–5, `max` 1–1,500; and `graphTypeURIs`"
     " must name graph types the tenant declares: 400 otherwise"),
    ("positive_data_acceptance", R + "/entities/[^/]+/_parents$", "GET",
     "`graphTypeURIs` must name graph types the tenant declares, `options` only Reltio's options: 400 otherwise"
     " (docs/decisions/0023)"),
    ("positive_data_acceptance", R + "/relations/_dbscan$", "POST",
     "the filter is a grammar, a cursor must be one bondline handed out for the tenant, `options` only Reltio's"
     " options: 400 otherwise (docs/decisions/0023)"),
    ("positive_data_acceptance", R + "/entities/[^/]+/_connections$", "POST",
     "relation and entity types must be URIs of the tenant's types, `max` 0–200 and `offset` ≥ 0, and the filter"
     " is a grammar: 400 otherwise (docs/decisions/0023)"),
    ("positive_data_acceptance", R + "/entities/[^/]+/_interactions$", "GET",
     "interactions are listed by timestamp only (the document's `sort` is any string): 400 otherwise"),
    ("positive_data_acceptance", R + "/interactions$", "POST",
     "an interaction has a type the tenant declares, and members of its member types that exist (the document"
     " requires none of it): each item's error in the result otherwise"),
    ("positive_data_acceptance", R + "/activities$", "POST",
     "an activity's fields are the ones bondline keeps (label, description, items): 400 for others"
     " (docs/decisions/0024)"),
    *[("positive_data_acceptance", R + "/entities(/_search|/_total)?$", method,
       "a search filter is Reltio's filter language (a lark grammar), not a pattern: a string that does not"
       " parse is Reltio's 400") for method in ("GET", "POST")],
    *[("positive_data_acceptance", R + "/entities/_facets$", method,
       "a facet is a property Reltio counts (type, tags, label, crosswalks, attributes.<name>), `pageSize` ×"
       " `pageNo` ≤ 3,333 and the filter is a grammar (the document types them as any string or integer): 400"
       " otherwise (docs/decisions/0022)") for method in ("GET", "POST")],
    ("positive_data_acceptance", R + "/entities/_scan$", "POST",
     "the first request needs a filter (a grammar), later ones a cursor bondline issued: cursors are opaque,"
     " 400 otherwise (docs/decisions/0022)"),
    *[("positive_data_acceptance", R + "/entities/_byCrosswalk(/[^/]+)?$", method,
       "a crosswalk no entity holds is Reltio's 404 (object not found): state, not shape") for method in
      ("GET", "POST")],
    ("positive_data_acceptance", R + "/(entities|relations)/[^/]+/attributes/[^/]+(/[^/]+/[^/]+)?$", "POST",
     "a value is a string or an object as the attribute the path names is simple or nested (the tenant's types)"),
    ("positive_data_acceptance", R + "/(entities|relations)/[^/]+/attributes/[^/]+/[^/]+(/[^/]+/[^/]+)?$", "PUT",
     "a value is a string or an object as the attribute the path names is simple or nested (the tenant's types)"),
    ("positive_data_acceptance", R + "/(entities|relations)$", "POST",
     "a staged write stages all its objects or none: one of a type, with attributes or ends the tenant lacks is a 400"),
    ("positive_data_acceptance", R + "/entities/[^/]+/(_sameAs|_unmerge|_treeUnmerge|_notMatch)$", None,
     "the entity a query parameter names must exist (404), be another entity of the same type (400), or a"
     " contributor of the one in the path (400): state, not shape (docs/decisions/0026)"),
    ("positive_data_acceptance", R + "/entities/[^/]+/(_matches|_transitiveMatches)$", "GET",
     "Reltio's bounds, which the document types as any integer: `max` 1–200, `offset` 0–10,000, `deep` 1–10:"
     " 400 otherwise"),
    ("negative_data_rejection", R + "/(entities|relations)$", "POST",
     "each object of a batch succeeds or fails alone: a direct write answers 200 with an object's error in its result"),
    ("negative_data_rejection", R + "/interactions$", "POST",
     "each interaction of a batch succeeds or fails alone, as Reltio answers: 200 with an item's error in its result"),
    ("negative_data_rejection", R + "/entities/[^/]+/_connections$", "POST",
     "the schema requires every field of a connection group (entityTypes, filter, …), while Reltio's own examples"
     " leave them out: a group without one takes every type, no filter (docs/decisions/0023)"),
    ("negative_data_rejection", "^/ui/", "GET", "no session: 303 to the sign-in page, not a 4xx"),
]
MERGE_BY_QUERY = r"^POST .*/entities/\{id\}/(_sameAs|_unmerge|_treeUnmerge|_notMatch)$"
# Operations whose valid request is refused (400, as Reltio does: its documents declare no 409 for
# change requests) once an earlier case of the run applied or rejected the change request it names:
# `positive_data_acceptance` takes 400 from them too (schemathesis cannot know a request's state).
STATEFUL = [
    (R + "/changeRequests/[^/]+/(_apply|_reject)$", "POST",
     "an earlier case applied or rejected this change request: 400, it no longer awaits review"),
    (R + "/changeRequests/[^/]+/changes/[^/]+$", "DELETE",
     "an earlier case applied or rejected this change request: 400, it no longer awaits review"),
    (R + "/(entities|relations)/[^/]+/_withChangeRequests$", "GET",
     "the change request named was applied or rejected by an earlier case: 400, it no longer awaits review"),
    (R + "/(entities|relations)/.+$", "(PUT|POST|DELETE)",
     "a write staged with `changeRequestId` (schemathesis reuses ids from earlier responses) into a change"
     " request an earlier case applied or rejected: 400, it no longer awaits review"),
]
ACCEPTED_OR_STATE = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
EXAMPLES = 3
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
PHASES = ("examples", "coverage", "fuzzing")


def _name_regex(path_regex: str, method: str | None) -> str:
    """One filter on the operation's name ("METHOD /path"): an `[[operations]]` entry's filters are
    alternatives (`include-path-regex` and `include-method` together select every operation with that
    method), so path and method go in one expression."""
    return f"^{method or '[A-Z]+'} {path_regex.removeprefix('^')}"


def _config(path: pathlib.Path,
            objects: tuple[dict[str, dict[str, Any]], dict[str, list[str]]] | None = None) -> pathlib.Path:
    """Every check schemathesis has, enabled; then the exclusions, per operation; then the Reltio
    tenant and objects (`reltio_objects`) the path parameters name. (Checks named with `--checks all`
    on the command line would override per-operation settings, so the file names them.)"""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    names = CHECKS.get_all_names()
    assert {"positive_data_acceptance", "negative_data_rejection", "ignored_auth", "use_after_free"} <= set(names)
    lines = [f"checks.{name}.enabled = true" for name in names]
    # schemathesis' refusals, and 413: a body over the size limit (declared wherever a body is read)
    # is refused before its content is
    lines += [f"checks.negative_data_rejection.expected-statuses = {json.dumps(REFUSED)}"]
    lines += ["", "[phases.coverage]",
              "# every method a path does not declare is sent, and must be answered 405 with an Allow header",
              'unexpected-methods = ["get", "put", "post", "delete", "options", "patch", "trace", "query"]',
              "# a repeated single-valued query parameter: bondline reads the first, as Confluence does",
              "generate-duplicate-query-parameters = false"]
    for check, regex, method, why in EXCLUSIONS:
        lines += ["", f"# {why}", "[[operations]]", f"include-name-regex = {json.dumps(_name_regex(regex, method))}",
                  f"checks.{check}.enabled = false"]
    for regex, method, why in STATEFUL:
        lines += ["", f"# {why}", "[[operations]]", f"include-name-regex = {json.dumps(_name_regex(regex, method))}",
                  f"checks.positive_data_acceptance.expected-statuses = {json.dumps(ACCEPTED_OR_STATE)}"]
    if objects is not None:
        # `[parameters]` is the fallback for every operation; an operation's own entry names its objects
        # (one entry per operation: entries' `parameters` are not merged, the first one wins)
        parameters, dictionaries = objects
        tables = ["", "[parameters]", f'"path.tenantId" = {json.dumps(RELTIO_TENANT)}']
        for name, values in dictionaries.items():
            tables += ["", f"[dictionaries.{name}]", f"values = {json.dumps(values)}"]
        lines[len(names) + 1:len(names) + 1] = tables
        for name, values in parameters.items():
            pairs = ", ".join(f"{json.dumps(key)} = {_toml(value)}" for key, value in values.items())
            lines += ["", "[[operations]]", f"include-name = {json.dumps(name)}", f"parameters = {{ {pairs} }}"]
    path.write_text("\n".join(lines) + "\n")
    return path


# --- the Reltio tenant of the run, and objects of each operation's own ---------------------------

RELTIO_TENANT = "fuzz"  # bob: ROLE_USER and ROLE_REVIEWER (read, write, initiate and review change requests)
TYPES_TENANT = "fuzz-types"  # bob: ROLE_ADMIN_TENANT; only PUT …/configuration names it (it replaces the types)
PERSON = {"type": "configuration/entityTypes/Individual",
          "attributes": {"FirstName": [{"value": "Ada"}], "LastName": [{"value": "Lovelace"}],
                         "Phone": [{"value": {"Type": [{"value": "Mobile"}], "Number": [{"value": "555"}]}}]}}
PLACE = {"type": "configuration/entityTypes/Location",
         "attributes": {"AddressLine1": [{"value": "12 Analytical Row"}], "City": [{"value": "London"}]}}
# The Reltio tests' types have no nested relation attribute: HasAddress gets one here, so that the
# relation sub-attribute endpoints (…/relations/{id}/attributes/{attribute}/{valueId}/{subAttribute}…)
# have values to address.
VALIDITY = {"name": "Validity", "type": "Nested", "attributes": [{"name": "From"}, {"name": "To"}]}
ADDRESS_VALUES = {"AddressType": [{"value": "Home"}],
                  "Validity": [{"value": {"From": [{"value": "2020"}], "To": [{"value": "2030"}]}}]}


def _last(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


def _types() -> dict[str, Any]:
    from bondline.domain.reltio.types import DEFAULT_CONFIGURATION

    types = copy.deepcopy(DEFAULT_CONFIGURATION)
    (has_address,) = [t for t in types["relationTypes"] if t["uri"].endswith("/HasAddress")]
    has_address["attributes"].append(VALIDITY)
    return types


def reltio_objects(live) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    """The tenants of the run, made as `tests/api/reltio/conftest.py` makes them (`tenants.add` declares
    the types the Reltio tests use — Individual, Location, HasAddress, … — and HasAddress gets a
    nested attribute, `VALIDITY`), and for each Reltio operation on one object, objects of its own.
    Returns the parameters each such operation is given ("METHOD path" -> {"path.name": value}) and
    the dictionaries they draw from: an Individual with a simple and a nested value (Phone/Number),
    a HasAddress relation with a simple and a nested value, or a change request awaiting review
    with one item; a preview (`_withChangeRequests`) draws, half of the time in the fuzzing phase,
    the id of a change request staged on its object. Own objects keep each operation's cases
    independent of the others': a DELETE, an _apply or a _reject does not take away the object the
    next operation reads."""
    from bondline.config import Settings
    from bondline.services.reltio import tenants
    from bondline.store import create_store

    async def tenancy() -> None:
        store = create_store(Settings(database_url=live.database_url))
        await store.open()
        try:
            await tenants.add(store, RELTIO_TENANT)
            await tenants.set_types(store, None, RELTIO_TENANT, _types())
            await tenants.grant(store, RELTIO_TENANT, live.bob.account_id, ["ROLE_USER", "ROLE_REVIEWER"])
            await tenants.add(store, TYPES_TENANT)
            await tenants.grant(store, TYPES_TENANT, live.bob.account_id, ["ROLE_ADMIN_TENANT"])
        finally:
            await store.close()

    asyncio.run(tenancy())
    ops = [f"{m.upper()} {p}" for m, p in live_operations(live) if re.match(R, p)]
    on_entity = [op for op in ops if "/entities/{id}" in op]
    on_relation = [op for op in ops if "/relations/{id}" in op]
    on_request = [op for op in ops if "/changeRequests/{id}" in op]
    api = f"{live.url}/reltio/api/{RELTIO_TENANT}"

    def ok(r: httpx.Response) -> Any:
        assert r.status_code == 200, r.text
        body = r.json()
        assert not isinstance(body, list) or all(x["successful"] for x in body), r.text
        return body

    with httpx.Client(headers=live.bob.bearer, timeout=30) as http:
        saved = ok(http.post(f"{api}/entities", json=[PERSON] * len(on_entity) + [PERSON, PLACE] * len(on_relation)))
        people, ends = [x["object"] for x in saved[:len(on_entity)]], [x["object"] for x in saved[len(on_entity):]]
        relations = [x["object"] for x in ok(http.post(f"{api}/relations", json=[{
            "type": "configuration/relationTypes/HasAddress", "startObject": {"objectURI": start["uri"]},
            "endObject": {"objectURI": end["uri"]}, "attributes": ADDRESS_VALUES}
            for start, end in zip(ends[::2], ends[1::2], strict=True)]))]
        requests = [ok(http.post(f"{api}/entities", params={"alwaysCreateDCR": "true"}, json=[PERSON]))
                    for _ in on_request]
        found: dict[str, dict[str, str]] = {}
        staged: dict[str, str] = {}
        on_objects = [*[(op, person, ("FirstName", "Phone", "Number"))
                        for op, person in zip(on_entity, people, strict=True)],
                      *[(op, rel, ("AddressType", "Validity", "From"))
                        for op, rel in zip(on_relation, relations, strict=True)]]
        for op, obj, (simple, nested, sub) in on_objects:
            values = {"id": _last(obj["uri"]), "attribute": simple,
                      "valueId": _last(obj["attributes"][simple][0]["uri"])}
            if "{subAttribute}" in op:
                value = obj["attributes"][nested][0]
                values = {**values, "attribute": nested, "valueId": _last(value["uri"]), "subAttribute": sub,
                          "subValueId": _last(value["value"][sub][0]["uri"])}
            if op.endswith("/_withChangeRequests"):
                staged[op] = ok(http.post(f"{api}/{obj['uri']}/attributes/{simple}", params={"alwaysCreateDCR": "true"},
                                          json=[{"value": "staged"}]))["uri"]
            found[op] = values
    for op, request in zip(on_request, requests, strict=True):
        (items,) = request["changes"].values()
        found[op] = {"id": _last(request["uri"]), "changeItemId": items[0]["id"]}
    for op in ops:
        if op.startswith("PUT ") and op.endswith("/configuration"):
            found[op] = {"tenantId": TYPES_TENANT}
    parameters: dict[str, dict[str, Any]] = {
        op: {f"path.{k}": v for k, v in values.items() if f"{{{k}}}" in op} for op, values in found.items()}
    # _byCrosswalk: a crosswalk an entity holds (the path's value, and the body example's)
    from bondline.openapi.reltio_extra import CROSSWALK_EXAMPLE

    with httpx.Client(headers=live.bob.bearer, timeout=30) as http:
        ok(http.post(f"{api}/entities", json=[{**PERSON, "crosswalks": [
            {"type": "configuration/sources/LNKD", "value": value} for value in ("fuzz-xw", CROSSWALK_EXAMPLE)]}]))
    for op in ops:
        if "/entities/_byCrosswalk" in op:
            parameters[op] = {"query.type": "LNKD"}
            if "{crosswalkValue}" in op:
                parameters[op]["path.crosswalkValue"] = "fuzz-xw"
    dictionaries: dict[str, list[str]] = {}
    for n, (op, uri) in enumerate(sorted(staged.items())):
        dictionaries[f"staged{n}"] = [_last(uri)]
        parameters[op]["query.changeRequestIds"] = {"dictionary": f"staged{n}", "probability": 0.5}
    return parameters, dictionaries


def _toml(value: Any) -> str:
    """A string or a flat table (`{ dictionary = "…", probability = 0.5 }`) as a TOML inline value."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {json.dumps(item)}" for key, item in value.items()) + " }"
    return json.dumps(value)


def live_operations(live) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    doc = httpx.get(live.url + "/openapi.json").json()
    return [(m, p) for p, item in doc["paths"].items() for m, op in item.items() if isinstance(op, dict)]


def test_own_openapi_document_with_all_checks(live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`schemathesis run --checks all` over every operation of /openapi.json: no failure."""
    import subprocess
    import sys

    command = [str(pathlib.Path(sys.executable).parent / "schemathesis"),
               "--config-file", str(_config(tmp_path / "schemathesis.toml", reltio_objects(live))),
               "run", live.url + "/openapi.json", "--seed", "1", "--max-examples", str(EXAMPLES),
               "--phases", ",".join(PHASES), "--generation-allow-x00", "false", "--generation-codec", "utf-8",
               "--header", f"Authorization: Bearer {live.bob.token}", "--no-shrink",
               # every operation: schemathesis leaves out the one serving the document (GET /openapi.json)
               # unless a filter selects it explicitly
               "--include-path-regex", "^/",
               # one worker: CPython 3.11's ast module is not thread-safe (gh-106905), and hypothesis uses it
               "--workers", "1"]
    # Bounded: every operation times EXAMPLES cases (about 140 operations now, the v2 ones included).
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    out = done.stdout + done.stderr
    report = os.environ.get("BONDLINE_SCHEMATHESIS_OUT")
    if report:  # the whole report, for a failing run
        pathlib.Path(f"{report}.{live.database_url.split(':')[0]}").write_text(out)
    assert f"{len(live_operations(live))} selected / {len(live_operations(live))} total" in out, out[:2000]
    assert done.returncode == 0, out[-12000:]
    for phase in PHASES:  # each one ran (a phase with nothing to do would say "skipped")
        assert f"✅ {phase.title()}" in out, out[-3000:]
    # The Reltio operations reached their objects: the only ones schemathesis saw answer 404 again and
    # again are DELETEs, whose first success takes their own object away.
    # Nor do the merge operations, whose 404 is the entity their query parameter (`uri`,
    # `contributorURI`) names: a random one names none (docs/decisions/0026).
    starved = [op for op in _starved(out) if re.match(R, op.partition(" ")[2])]
    assert all(op.startswith("DELETE ") or re.search(MERGE_BY_QUERY, op) for op in starved), starved


def _starved(out: str) -> list[str]:
    """The operations schemathesis' "Missing test data" warning lists (repeatedly answered 404)."""
    found: list[str] = []
    inside = False
    for line in out.splitlines():
        if line.startswith("Missing test data:"):
            inside = True
        elif inside and line and not line.startswith((" ", "No links", "These operations", "💡")):
            break
        elif inside and line.startswith("  - "):
            found.append(line[4:].strip())
    return found


def test_exclusions_select_only_their_operations(live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The generated config switches each excluded check off for exactly the operations its entry
    names, and for no other: every other operation keeps every check; and only the `STATEFUL`
    operations count a 400 as a valid request's possible answer."""
    import re

    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.config import SchemathesisConfig

    load_all_checks()
    schema = schemathesis.openapi.from_dict(httpx.get(live.url + "/openapi.json").json(),
                                            config=SchemathesisConfig.from_path(_config(tmp_path / "s.toml")))
    for result in schema.get_all_operations():
        operation = result.ok()
        for phase in PHASES:
            checks = schema.config.checks_config_for(operation=operation, phase=phase)
            off = {name for name in CHECKS.get_all_names() if not checks.get_by_name(name=name).enabled}
            expected = {check for check, regex, method, _ in EXCLUSIONS
                        if re.search(regex, operation.path) and method in (None, operation.method.upper())}
            assert off == expected, (operation.label, phase)
            stateful = any(re.search(regex, operation.path) and re.fullmatch(method, operation.method.upper())
                           for regex, method, _ in STATEFUL)
            accepted = checks.get_by_name(name="positive_data_acceptance").expected_statuses
            assert ("400" in accepted) == stateful, (operation.label, phase, accepted)


@official.parametrize()
@BOUNDED
def test_official_confluence_definitions(case, live) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Bearer {live.bob.token}"}, checks=CHECKS)

"""Creating a space through v2 (createSpace: the same use case as v1's `POST /space`) and naming
content types by id (convertContentIdsToContentTypes)."""

from __future__ import annotations

from typing import Any

import msgspec

from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX, render
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.dialects.confluence_v2.pages import _json
from bondline.domain import spaces as domain_spaces
from bondline.domain.errors import Invalid
from bondline.http import Request, Response, json_response
from bondline.services import content, spaces


class DescriptionWrite(msgspec.Struct):
    value: str = ""
    representation: str = "plain"


class PrincipalWrite(msgspec.Struct):
    principalType: str | None = None
    principalId: str | None = None


class RoleAssignmentWrite(msgspec.Struct):
    principal: PrincipalWrite | None = None
    roleId: str | None = None


class SpaceCreate(msgspec.Struct):
    name: str
    key: str | None = None
    alias: str | None = None
    description: DescriptionWrite | None = None
    roleAssignments: list[RoleAssignmentWrite] | None = None
    copySpaceAccessConfiguration: int | None = None
    createPrivateSpace: bool = False
    templateKey: str | None = None


class ContentIds(msgspec.Struct):
    contentIds: list[str | int | float]


async def create_space(req: Request) -> Response:
    body = _json(req, SpaceCreate)
    # `templateKey` is read and not applied: bondline has no space templates (a new space's home page
    # is blank whichever template is named).
    roles = None
    if body.roleAssignments is not None:
        roles = domain_spaces.role_assignments([
            (a.principal.principalType if a.principal else None, a.principal.principalId if a.principal else None,
             a.roleId) for a in body.roleAssignments])
    copy_from = body.copySpaceAccessConfiguration
    if copy_from is not None and copy_from < 1:
        raise Invalid("copySpaceAccessConfiguration is a space id: a positive integer")
    # A space has one identifier in bondline, its key: the alias stands for it when no key is given.
    key = body.key if body.key is not None else body.alias
    if key is None:
        raise Invalid("A space needs a 'key' (or an 'alias')")
    if body.key is not None and body.alias is not None and body.alias != body.key:
        raise Invalid("A space's 'alias' must equal its 'key' in bondline")
    description = ""
    if body.description is not None:
        if body.description.representation != "plain":
            raise Invalid("Only the 'plain' representation of a space description is supported")
        description = body.description.value
    view = await spaces.create(req.app.store, req.caller, key, body.name, description,
                               private=body.createPrivateSpace, roles=roles, copy_from=copy_from)
    out = render.space(view, None)
    out["_links"]["base"] = base_of(req)
    return json_response(out, 201)


async def convert_ids(req: Request) -> Response:
    body = _json(req, ContentIds)
    if len(body.contentIds) > 100:
        raise Invalid("At most 100 'contentIds' may be given")
    wanted: list[int] = []
    for raw in body.contentIds:
        text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
        if not text.isdigit() or len(text) > 18 or int(text) == 0:
            raise Invalid(f"Content id {text[:40]!r} is invalid: content ids are positive integers")
        wanted.append(int(text))
    found = await content.types_of(req.app.store, req.caller, wanted)
    return json_response({"results": {str(cid): type for cid, type in found.items()}})


def install(app: Any) -> None:
    route = app.route
    route("POST", f"{PREFIX}/spaces", create_space, dialect=DIALECT)
    route("POST", f"{PREFIX}/content/convert-ids-to-types", convert_ids, dialect=DIALECT)

"""Users: POST /wiki/api/v2/users-bulk (createBulkUserLookup), over `services.accounts`: the users
with the account ids asked for, as v1's /user/bulk finds them; emails as `access.can_see_email` says."""

from __future__ import annotations

from typing import Any

import msgspec

from bondline.dialects.confluence.render import base_of
from bondline.dialects.confluence_v2 import PREFIX
from bondline.dialects.confluence_v2.errors import DIALECT
from bondline.domain import access
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller, User
from bondline.http import Request, Response, json_response
from bondline.services import accounts

MAX_IDS = 250  # the document's maxItems
PICTURE = {"path": "/wiki/aa-avatar/default.png", "isDefault": True}


class BulkLookup(msgspec.Struct):
    accountIds: list[str]


def user(found: User, viewer: Caller) -> dict[str, Any]:
    return {"displayName": found.display_name, "isExternalCollaborator": False, "accountStatus": "active",
            "accountId": found.account_id, "email": found.email if access.can_see_email(viewer, found) else "",
            "accountType": "atlassian", "publicName": found.display_name, "profilePicture": dict(PICTURE)}


async def users_bulk(req: Request) -> Response:
    try:
        body = req.json(BulkLookup)
    except msgspec.ValidationError as exc:
        raise Invalid(f"Invalid request body: {exc}") from None
    if not 1 <= len(body.accountIds) <= MAX_IDS:
        raise Invalid(f"'accountIds' takes 1 to {MAX_IDS} account ids, got {len(body.accountIds)}")
    found = await accounts.get_users(req.app.store, body.accountIds)
    return json_response({"results": [user(u, req.caller) for u in found], "_links": {"base": base_of(req)}})


def install(app: Any) -> None:
    app.route("POST", f"{PREFIX}/users-bulk", users_bulk, dialect=DIALECT)

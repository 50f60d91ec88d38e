"""POST /oauth/token: Reltio-compatible OAuth token endpoint (`services.reltio.oauth`).

`grant_type` and the other parameters come from the form body or the query string (Reltio's own
examples put them in the query); client credentials come in a Basic header."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl

from bondline.dialects.reltio.errors import OAUTH
from bondline.http import Request, Response, json_response
from bondline.services.reltio import oauth
from bondline.services.reltio.oauth import OAuthError

PATH = "/oauth/token"


def _client(req: Request) -> tuple[str, str] | None:
    header = req.header(b"authorization")
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "Malformed Basic client credentials") from None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def _params(req: Request) -> dict[str, str]:
    values = {k: v[0] for k, v in req.query.items() if v}
    content_type = (req.header(b"content-type") or "").lower()
    if req.body and "json" not in content_type:
        try:
            form = parse_qsl(req.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise OAuthError("invalid_request", "The form body is not valid UTF-8") from None
        values.update({k: v for k, v in form})
    return values


async def token(req: Request) -> Response:
    values = _params(req)
    grant = await oauth.token(req.app.store, values.get("grant_type"), values, _client(req), req.request_id)
    return json_response({"access_token": grant.access_token, "token_type": "bearer",
                          "refresh_token": grant.refresh_token, "expires_in": grant.expires_in, "scope": grant.scope},
                         headers=[(b"cache-control", b"no-store")])


def install(app: Any) -> None:
    app.claim_prefix("/oauth/", OAUTH)
    app.route("POST", PATH, token, dialect=OAUTH, auth="none")

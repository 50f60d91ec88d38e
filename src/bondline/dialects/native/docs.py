"""`/openapi.json` and the interactive API documentation at `/docs` (Swagger UI, served from the
`swagger-ui-bundle` package so it works without internet access)."""

from __future__ import annotations

import mimetypes
import pathlib
from typing import Any

from bondline.dialects.native.errors import DIALECT
from bondline.domain.errors import NotFound
from bondline.http import Request, Response
from bondline.openapi import document_bytes

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>bondline API</title>
  <link rel="stylesheet" href="/docs/static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/static/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
                                 docExpansion: "none", defaultModelsExpandDepth: 0});
  </script>
</body>
</html>
"""
_ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"}


def _asset_dir() -> pathlib.Path:
    import swagger_ui_bundle

    return pathlib.Path(swagger_ui_bundle.swagger_ui_path)


async def openapi_json(req: Request) -> Response:
    return Response(200, document_bytes())


async def docs_page(req: Request) -> Response:
    return Response(200, _PAGE.encode(), b"text/html; charset=utf-8")


async def docs_asset(req: Request) -> Response:
    name = req.params["name"]
    if name not in _ASSETS:
        raise NotFound(f"No documentation asset {name[:60]!r}")
    data = (_asset_dir() / name).read_bytes()
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(200, data, kind.encode(), [(b"cache-control", b"public, max-age=86400")])


def install(app: Any) -> None:
    app.route("GET", "/openapi.json", openapi_json, dialect=DIALECT, auth="none")
    app.route("GET", "/docs", docs_page, dialect=DIALECT, auth="none")
    app.route("GET", "/docs/static/{name}", docs_asset, dialect=DIALECT, auth="none")

"""/openapi.json describes every route bondline serves, in the vendors' own words."""

from __future__ import annotations

import json
import pathlib

import pytest

from bondline.openapi import VENDOR_DOCUMENTS

ROOT = pathlib.Path(__file__).resolve().parents[2]


async def test_every_route_is_documented(app, client) -> None:  # type: ignore[no-untyped-def]
    doc = (await client.get("/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    for route in app.router.routes:
        assert route.pattern in doc["paths"], f"{route.method} {route.pattern} is not in /openapi.json"
        assert route.method.lower() in doc["paths"][route.pattern], f"{route.method} {route.pattern}"


async def test_no_documented_operation_without_a_route(app, client) -> None:  # type: ignore[no-untyped-def]
    doc = (await client.get("/openapi.json")).json()
    served = {(r.method.lower(), r.pattern) for r in app.router.routes}
    for path, item in doc["paths"].items():
        for method in item:
            if method in ("get", "put", "post", "delete", "patch"):
                assert (method, path) in served, f"{method} {path} is documented but not served"


async def test_every_reference_resolves(client) -> None:  # type: ignore[no-untyped-def]
    doc = (await client.get("/openapi.json")).json()
    text = json.dumps(doc)
    import re

    for ref in set(re.findall(r'"\$ref": "#/components/([^/]+)/([^"]+)"', text)):
        assert ref[1] in doc["components"][ref[0]], ref


async def test_interactive_docs_are_served(client) -> None:  # type: ignore[no-untyped-def]
    page = await client.get("/docs")
    assert page.status_code == 200 and "swagger-ui-bundle.js" in page.text
    asset = await client.get("/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    assert (await client.get("/docs/static/..%2F..%2Fsetup.py")).status_code == 404


@pytest.mark.skipif(not (ROOT.parent / "shared" / "specs").exists(), reason="../shared/specs is not beside the repo")
def test_vendored_documents_are_up_to_date() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("extract_openapi", ROOT / "scripts" / "extract_openapi.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    fresh = module.build()
    for name in VENDOR_DOCUMENTS:
        committed = json.loads((ROOT / "src" / "bondline" / "openapi" / f"{name}.json").read_text())
        assert committed == fresh[name], f"run python scripts/extract_openapi.py ({name}.json is stale)"

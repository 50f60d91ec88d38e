"""Labels: on content, /wiki/rest/api/content/{id}/label (getLabelsForContent, addLabelsToContent,
removeLabelFromContentUsingQueryParameter) and /content/{id}/label/{label} (removeLabelFromContent);
on spaces, /space/{spaceKey}/label (getLabelsForSpace, addLabelsToSpace, deleteLabelFromSpace); and
/label (getAllLabelContent: a label and the content carrying it)."""

from __future__ import annotations

from typing import Any

from bondline.dialects.confluence import bodies, params, render
from bondline.dialects.confluence.errors import DIALECT
from bondline.dialects.confluence.render import base_of
from bondline.domain import content as content_rules
from bondline.domain.errors import Invalid
from bondline.http import Request, Response, empty, json_response
from bondline.services import labels

API = "/wiki/rest/api"


async def get_labels(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    start, limit = params.paging(req, default_limit=200, max_limit=500)
    found = await labels.list_labels(req.app.store, req.caller, content_id, req.q("prefix"), start, limit)
    return json_response(render.label_array(found, base_of(req), str(content_id), start, limit))


async def add_labels(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    body = req.json(list[bodies.LabelCreate] | bodies.LabelCreate)
    items = body if isinstance(body, list) else [body]
    found = await labels.add_labels(req.app.store, req.caller, content_id, [(i.name, i.prefix) for i in items])
    return json_response(render.label_array(found, base_of(req), str(content_id), 0, len(found)))


async def remove_label_by_query(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    name = req.q("name")
    if not name:
        raise Invalid("The 'name' query parameter is required")
    await labels.remove_label(req.app.store, req.caller, content_id, name)
    return empty(204)


async def remove_label(req: Request) -> Response:
    content_id = content_rules.parse_id(req.params["id"])
    name = req.params["label"]
    if "/" in name:
        raise Invalid("The label name has a '/' character; use DELETE /content/{id}/label?name=")
    await labels.remove_label(req.app.store, req.caller, content_id, name)
    return empty(204)


async def get_space_labels(req: Request) -> Response:
    key = req.params["spaceKey"]
    start, limit = params.paging(req, default_limit=200, max_limit=500)
    found = await labels.list_space_labels(req.app.store, req.caller, key, req.q("prefix"), start, limit)
    return json_response(render.label_array(found, base_of(req), "", start, limit,
                                            self_path=f"/rest/api/space/{render.q(key)}/label"))


async def add_space_labels(req: Request) -> Response:
    key = req.params["spaceKey"]
    body = req.json(list[bodies.LabelCreate] | bodies.LabelCreate)
    items = body if isinstance(body, list) else [body]
    found = await labels.add_space_labels(req.app.store, req.caller, key, [(i.name, i.prefix) for i in items])
    return json_response(render.label_array(found, base_of(req), "", 0, len(found),
                                            self_path=f"/rest/api/space/{render.q(key)}/label"))


async def remove_space_label(req: Request) -> Response:
    name = req.q("name")
    if not name:
        raise Invalid("The 'name' query parameter is required")
    await labels.remove_space_label(req.app.store, req.caller, req.params["spaceKey"], name, req.q("prefix"))
    return empty(204)


async def get_label(req: Request) -> Response:
    name = req.q("name")
    if not name:
        raise Invalid("The 'name' query parameter is required")
    start, limit = params.paging(req, default_limit=200, max_limit=500)
    found, contents = await labels.label_details(req.app.store, req.caller, name, req.q("type"), start, limit)
    return json_response(render.label_details(found, contents, start, limit))


def install(app: Any) -> None:
    app.route("GET", f"{API}/label", get_label, dialect=DIALECT)
    app.route("GET", f"{API}/space/{{spaceKey}}/label", get_space_labels, dialect=DIALECT)
    app.route("POST", f"{API}/space/{{spaceKey}}/label", add_space_labels, dialect=DIALECT)
    app.route("DELETE", f"{API}/space/{{spaceKey}}/label", remove_space_label, dialect=DIALECT)
    app.route("GET", f"{API}/content/{{id}}/label", get_labels, dialect=DIALECT)
    app.route("POST", f"{API}/content/{{id}}/label", add_labels, dialect=DIALECT)
    app.route("DELETE", f"{API}/content/{{id}}/label", remove_label_by_query, dialect=DIALECT)
    app.route("DELETE", f"{API}/content/{{id}}/label/{{label}}", remove_label, dialect=DIALECT)

"""Parameters and bodies in `/openapi.json` as bondline actually treats them.

The vendors' definitions describe most inputs loosely (a content id is "a string", `limit` is
sometimes a string, `expand` an enumeration although unknown expansions are ignored). A client — or a
test generator — following them would send values bondline (like Confluence and Reltio) refuses with
400, or believe values it ignores are refused. `tighten` narrows each input to what bondline accepts
(content ids are positive integers, relation names match `^[A-Za-z0-9_.-]{1,64}$`, required query
parameters are non-empty, paging is a non-negative integer, a list to insert holds at least one item,
a page is created or updated `current` or `draft`, a page has at most one parent, a space's new name
is not blank, a list parameter's enumeration applies to each of its values, a Reltio attribute path's
segments hold no slash, a Reltio change request search `filter` is made of the tokens bondline
parses, a comment is created on a container with a body in a format it is read from, …) and widens
what it ignores or defaults (`expand` is any comma-separated list; a new space's `permissions` is any
list of objects; of a new page's `space` only the key is read; a label's `prefix` defaults to
`global`). The rules are those of `bondline.domain` (content ids, relation names
and statuses) and of the routes' parameter parsing.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from bondline.domain import labels, restrictions
from bondline.domain.content import EDIT_STATUSES, MAX_TITLE
from bondline.domain.relations import CONTENT_STATUSES, NAME
from bondline.domain.spaces import MAX_NAME, SPACE_STATUSES
from bondline.domain.spaces import SPACE_KEY as SPACE_KEY_RE
from bondline.services.reltio.change_requests import MAX_FILTER

WIKI = "/wiki/rest/api"
CONTENT_ID = {"type": "string", "pattern": "^[1-9][0-9]{0,17}$"}
VERSION_NUMBER = {"type": "string", "pattern": "^[1-9][0-9]{0,8}$"}
ATTACHMENT_ID = {"type": "string", "pattern": "^(att)?[1-9][0-9]{0,17}$"}
RELATION_NAME = {"type": "string", "pattern": NAME.pattern}
NON_EMPTY = {"type": "string", "minLength": 1, "pattern": "[^\\s,]"}
PAGING = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
SPACE_KEY = {"type": "string", "pattern": SPACE_KEY_RE.pattern}
TEXT = "^[^\\x00-\\x1f]*[^\\s\\x00-\\x1f][^\\x00-\\x1f]*$"  # not blank, no control characters


# A content or space property's key (`domain.properties.check_key`), and the version an update names.
PROPERTY_KEY = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^\\x00-\\x1f]+$"}
PROPERTY_VERSION = {
    "type": "object", "required": ["number"],
    "properties": {"number": {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, VERSION_NUMBER]},
                   "minorEdit": {"type": "boolean"}, "message": {"type": "string"}},
    "description": "What bondline reads of it: the number (current + 1), minorEdit and message."}

ATTRIBUTE_PATH = ("attribute", "valueId", "subAttribute", "subValueId")
ATTRIBUTE_PART = {"type": "string", "pattern": "^[^/]+$"}


def _either_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" for c in word)


# A change request search filter is made of these tokens (`services.reltio.change_requests._TOKEN`):
# parentheses, `and`/`or`, and `equals(property,'value')` / `in(property,'v1,v2')` on createdBy or
# objectURI. That they nest and alternate properly is a grammar no pattern can say (the generated
# config's exclusion says so); the pattern says which tokens a filter may hold.
_CONDITION = (f"({_either_case('equals')}|{_either_case('in')})\\s*\\(\\s*(createdBy|objectURI)\\s*,"
              "\\s*'([^'\\\\]|\\\\.)*'\\s*\\)")
DCR_FILTER = {"type": "string", "maxLength": MAX_FILTER,
              "pattern": f"^(\\s*(\\(|\\)|{_either_case('and')}|{_either_case('or')}|{_CONDITION}))+\\s*$"}


def _label_name() -> dict[str, Any]:
    """A label name: 1-255 characters, none of those Confluence refuses (a `prefix:` may lead)."""
    bad = "".join("\\" + ch if ch in "\\]^-[" else ch for ch in sorted(labels.FORBIDDEN) if not ch.isspace())
    name = f"[^{bad}\\x00-\\x1f\\s]{{1,{labels.MAX_NAME}}}"
    return {"type": "string", "pattern": f"^(({'|'.join(labels.PREFIXES)}):)?{name}$"}


V2 = "/wiki/api/v2/"


def _v2_query(path: str, name: str) -> dict[str, Any]:
    """v2's `sort` and `body-format`: the values bondline serves (docs/decisions/0020)."""
    from bondline.dialects.confluence_v2 import hierarchy, listing, pages, render, spaces

    served: tuple[str, ...]
    if name == "sort" and (path.endswith(("/labels", "/properties")) or path.startswith(V2 + "labels")):
        served = _v2_meta_sort(path)
    elif name == "sort" and _HELD.match(path):
        served = _v2_held_sort(path)
    elif name == "sort":
        if path.endswith("/spaces"):
            served = spaces.SORTS
        elif path.endswith("/direct-children"):
            served = hierarchy.CHILD_SORTS
        elif path.endswith("/children"):
            served = ("child-position",)
        elif path.endswith("/versions"):
            served = listing.VERSION_SORTS
        elif path.endswith("/blogposts"):
            served = listing.BLOGPOST_SORTS
        else:
            served = pages.SORTS
    else:
        formats = render.SINGLE_FORMATS if path.endswith("}") else render.LIST_FORMATS
        served = tuple(f for f in formats if f not in render.UNCONVERTED)
    return {"type": "string", "enum": list(served)}


def _v2_meta_sort(path: str) -> tuple[str, ...]:
    """The orders v2's label and property listings are served in (docs/decisions/0020)."""
    from bondline.dialects.confluence_v2 import labels, properties

    if path.endswith("/properties"):
        return properties.ORDERS
    if path == V2 + "labels" or path.startswith(V2 + "spaces/"):
        return labels.NAMED_ORDERS
    if path.startswith(V2 + "labels/") and not path.endswith("/attachments"):
        return ("id",)
    if path.startswith(V2 + "labels/"):
        return ("created-date",)
    return labels.LABEL_ORDERS  # a piece of content's labels


# v2's ids in a path beside `id` (the content's, the space's or the property's): positive integers
V2_PATH_IDS = ("page-id", "blogpost-id", "comment-id", "space-id", "property-id")
# v2's id arrays in a query, as bondline reads them: positive integers, comma-separated or repeated
V2_ID_ARRAYS = {"label-id": 250, "space-id": 100}


# v2's comment and attachment listings (docs/decisions/0020), not the labels and properties of them.
_HELD = re.compile(r"^/wiki/api/v2/((footer|inline)-comments(/\{[^}]+\}/(children|versions))?"
                   r"|attachments(/\{[^}]+\}/(versions|footer-comments))?"
                   r"|(pages|blogposts)/\{[^}]+\}/((footer|inline)-comments|attachments))$")


def _v2_held_sort(path: str) -> tuple[str, ...]:
    """The order bondline lists comments, attachments and their versions in (docs/decisions/0020)."""
    from bondline.dialects.confluence_v2 import attachments, comments

    if path.endswith("/versions"):
        return comments.VERSION_SORTS
    if path.endswith("/attachments") or path == V2 + "attachments":
        return attachments.SORTS
    return comments.SORTS  # comments (every CommentSortOrder)


def _param(path: str, param: dict[str, Any]) -> dict[str, Any] | None:
    """The schema bondline applies to this parameter, or None to keep the declared one."""
    name, where = param.get("name"), param.get("in")
    confluence = path.startswith("/wiki/") and not path.startswith(V2)
    declared = param.get("schema", {})
    if declared.get("type") == "array" and "enum" in declared:
        # Atlassian's `status` lists put the enumeration on the array, which no array can equal;
        # each value is one of them (`status=current&status=draft`).
        return {**{k: v for k, v in declared.items() if k not in ("enum", "default")},
                "items": {**declared.get("items", {}), "enum": declared["enum"]}}
    if where == "query" and path.startswith(V2) and name in ("sort", "body-format"):
        return _v2_query(path, name)
    if where == "query" and path == V2 + "spaces" and name == "type":  # what bondline stores
        return {"type": "string", "enum": ["global", "personal"]}
    if where == "path" and path.startswith(V2) and name in ("id",) + V2_PATH_IDS:
        return CONTENT_ID  # content, space and property ids alike
    if where == "path" and path.startswith(V2) and name == "attachment-id":
        return ATTACHMENT_ID
    if where == "path" and path.startswith(V2) and name == "version-number":
        return VERSION_NUMBER
    if where == "query" and path.startswith(V2 + "labels") and name in V2_ID_ARRAYS:
        return {"type": "array", "maxItems": V2_ID_ARRAYS[name],
                "items": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}}
    if where == "query" and path == V2 + "labels" and name == "prefix":
        return {"type": "array", "items": {"type": "string", "enum": ["my", "team", "global", "system"]}}
    if where == "query" and path.startswith(V2) and name == "version":
        return {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    if where == "path" and confluence:
        if name in ("id", "contentId", "pageId", "targetId") and "/content/{" in path:
            return CONTENT_ID
        if name in ("label", "labelName"):
            return _label_name()
        if name == "versionNumber":
            return VERSION_NUMBER
        if name == "key" and "/property/" in path:
            return PROPERTY_KEY
        if name == "attachmentId":  # `att123` as Confluence writes it, or the bare content id
            return ATTACHMENT_ID
        if name == "pageId" and path.startswith("/wiki/download/"):
            return CONTENT_ID
        if name == "filename":
            return {"type": "string", "pattern": "^[^/]+$"}
        if name == "relationName":
            return RELATION_NAME
        if name == "type" and "/space/{spaceKey}/content/" in path:  # what bondline stores
            return {"type": "string", "enum": ["page", "blogpost"]}
        if name in ("sourceType", "targetType"):
            return {"type": "string", "enum": ["user", "space", "content"] if name == "sourceType"
                    else ["user", "space", "content", "label"]}
    if where == "path" and name == "relationName" and path.startswith("/api/v1/"):
        return RELATION_NAME
    if where == "query" and confluence:
        if path.endswith("/user/bulk") and name in ("start", "limit"):
            return {}  # accepted and ignored: one page of at most 200 users
        if name == "name" and path.endswith("/label"):
            return _label_name()
        if name in ("start", "limit"):
            return PAGING
        if name == "expand":
            return {"type": "string"}  # comma-separated; unknown expansions are ignored, as Confluence does
        if name in ("sourceStatus", "targetStatus"):
            return {"type": "string", "enum": list(CONTENT_STATUSES)}
        if name in ("sourceVersion", "targetVersion", "version"):
            return {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
        if name == "parentVersion":  # children of the latest version (0), the only ones kept
            return {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
        if name == "depth" and "/descendant/" in path:  # all, root, or 1 … 100 levels (domain/tree.py)
            return {"type": "string", "pattern": "^(all|root|[1-9][0-9]?|100)$"}
        if name == "parentVersion":
            return {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
        if name == "depth" and path.endswith("/child/comment"):
            return {"type": "string", "enum": ["", "root", "all"]}
    if where == "path" and "/attributes/{attribute}" in path and name in ATTRIBUTE_PATH:
        return ATTRIBUTE_PART  # one segment of an attribute path: no attribute or value id holds a slash
    if where == "query" and name in ("changeRequestId", "changeRequestIds"):
        return NON_EMPTY
    if where == "query" and path.endswith("/changeRequests") and name == "filter":
        return DCR_FILTER
    if where == "query" and param.get("required") and param.get("schema", {}).get("type", "string") == "string":
        return {**param.get("schema", {}), **NON_EMPTY}
    if where == "query" and path.endswith("/changeRequests") and name in ("max", "offset"):
        return {"type": "integer", "minimum": 1, "maximum": 1000} if name == "max" else PAGING
    if where == "query" and path == "/api/v1/audit" and name in ("limit", "before"):
        return {"type": "string", "pattern": "^[0-9]{1,18}$"}
    return None


COMMENT_BODY_FORMATS = ("storage", "editor2", "editor", "wiki", "view", "atlas_doc_format")


def _comment_create(page_create: dict[str, Any]) -> dict[str, Any]:
    """`POST /content` with `type: comment` (the ContentCreate of a comment), as bondline reads it: on a
    `container` (a page or blog post), with a body, `ancestors` naming the comment it answers (the
    last one), `extensions.location` (footer or inline) and an inline comment's `inlineProperties`."""
    content_id = {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 10**18 - 1}, CONTENT_ID]}
    body = copy.deepcopy(page_create.get("properties", {}).get("body", {"type": "object"}))
    # One of the formats a comment's text is read from (`bodies.Body.first`): a body in none of them
    # (only `plain` or `raw`, or nothing) is refused. (That the text is not blank, a pattern cannot say
    # of whichever format comes first; a blank one is refused too.)
    body["anyOf"] = [{"required": [form]} for form in COMMENT_BODY_FORMATS]
    return {
        "type": "object", "required": ["type", "container", "body"], "additionalProperties": True,
        "description": "A comment on a page or blog post (`type: comment`). Its body must not be blank; a "
                       "reply names the comment it answers as the last of its `ancestors`, which must be a "
                       "comment on the same container.",
        "properties": {
            "type": {"type": "string", "enum": ["comment"]},
            "container": {"type": "object", "required": ["id", "type"], "additionalProperties": True,
                          "properties": {"id": {**content_id, "description": "The page or blog post."},
                                         "type": {"type": "string"},
                                         "status": {"type": "string", "nullable": True}}},
            "body": body,
            "ancestors": {"type": "array", "nullable": True,
                          "items": {"type": "object", "required": ["id"], "additionalProperties": True,
                                    "properties": {"id": content_id}}},
            "extensions": {"type": "object", "nullable": True, "properties": {
                "location": {"type": "string", "nullable": True, "enum": ["footer", "inline", None]},
                "inlineProperties": {"type": "object", "nullable": True, "additionalProperties": True}}},
            "status": {"type": "string", "enum": ["current"]},
            "title": {"type": "string", "nullable": True, "description": "Not read: a comment is titled "
                                                                            "after its container."},
        },
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _at_least_one(schema: dict[str, Any]) -> dict[str, Any]:
    """An array (or each array among the alternatives) with at least one item: an empty list of
    values, changes or labels is refused (400)."""
    if schema.get("type") == "array":
        return {**schema, "minItems": 1}
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return {**schema, key: [_at_least_one(s) for s in schema[key]]}
    return schema


def v2_bodies(request_bodies: dict[str, Any]) -> None:
    """v2's page and blog post writes as bondline reads them: ids are positive integers (as strings), a
    version number is positive, and the body is one of two shapes — `{representation, value}` or
    `{storage: {…}}` — which Atlassian's `oneOf` cannot say (every object with neither's keys is
    both), so it is `anyOf` here."""
    for name in ("v2.PageCreateRequest", "v2.PageUpdateRequest", "v2.BlogPostCreateRequest",
                 "v2.BlogPostUpdateRequest"):
        found = request_bodies.get(name)
        if found is None:
            continue
        schema = found["content"]["application/json"]["schema"]
        props = schema.setdefault("properties", {})
        if "oneOf" in props.get("body", {}):
            props["body"] = {"anyOf": props["body"]["oneOf"]}
        for key in ("id", "spaceId", "parentId"):
            if key in props:
                props[key] = {**{k: v for k, v in props[key].items() if k != "format"}, **CONTENT_ID}
        if "version" in props:
            props["version"]["required"] = ["number"]
            props["version"]["properties"]["number"] = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


# What a property's value may be, whichever API writes it (`domain.properties.Value`): v1 reads every
# property v2 writes.
PROPERTY_VALUE = {"anyOf": [{"type": "string"}, {"type": "boolean"}, {"type": "array", "items": {"type": "string"}},
                            {"type": "object"}]}


def v2_properties(schemas: dict[str, Any]) -> None:
    """v2's property writes as bondline reads them: a key (1–255 characters, no control character)
    and a value are required, an update names its version (a positive number)."""
    for kind in ("Content", "Space"):
        for verb in ("Create", "Update"):
            schema = schemas.get(f"v2.{kind}Property{verb}Request")
            if schema is None:
                continue
            props = schema.setdefault("properties", {})
            props["key"] = {**props.get("key", {}), **PROPERTY_KEY}
            props["value"] = {**props.get("value", {}), **PROPERTY_VALUE}
            schema["required"] = ["key", "value"]
            if verb == "Update" and "version" in props:
                schema["required"].append("version")
                props["version"]["required"] = ["number"]
                props["version"]["properties"]["number"] = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def tighten(paths: dict[str, Any], schemas: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    for path, item in paths.items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            for index, param in enumerate(op.get("parameters", [])):
                if (path in (f"{WIKI}/content", f"{WIKI}/content/{{id}}") and method in ("post", "put")
                        and param.get("in") == "query" and param.get("name") == "status"):
                    # The status to create or update to, when the body names none: current or draft.
                    param["schema"] = {**param.get("schema", {}), "type": "string", "enum": list(EDIT_STATUSES)}
                    continue
                if (param.get("$ref", "").endswith("/userLookupAccountId") and parameters is not None
                        and path.startswith(f"{WIKI}/group/")):
                    # A group's member is named by accountId, which is then required (Cloud no longer
                    # honours the usernames and user keys the older document offers beside it).
                    shared = parameters["userLookupAccountId"]
                    op["parameters"][index] = {**copy.deepcopy(shared), "required": True,
                                               "schema": {**shared.get("schema", {}), **NON_EMPTY}}
                    continue
                if "$ref" in param and parameters is not None:
                    # A shared parameter (`expand`): narrowed here, it is inlined for this operation.
                    shared = parameters.get(param["$ref"].rsplit("/", 1)[-1])
                    if shared is None or _param(path, shared) is None:
                        continue
                    param = op["parameters"][index] = copy.deepcopy(shared)
                narrowed = _param(path, param)
                if narrowed is not None:
                    param["schema"] = narrowed
                    if param.get("in") == "query" and narrowed.get("type") == "string" and "style" in param:
                        param.pop("explode", None)
                        param.pop("style", None)
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None and method == "post" and ("/attributes/" in path or path.endswith("/_update")):
                body["schema"] = _at_least_one(body["schema"])
            if body is not None and method == "post" and path == f"{WIKI}/content" and "ContentCreate" in schemas:
                # A page or blog post (ContentCreate, tightened below), or a comment on one.
                schemas["CommentCreate"] = _comment_create(schemas["ContentCreate"])
                body["schema"] = {"oneOf": [_ref("ContentCreate"), _ref("CommentCreate")]}
    if "LabelCreate" in schemas:
        label = schemas["LabelCreate"]
        label["required"] = ["name"]  # the prefix defaults to `global`
        label.setdefault("properties", {})["name"] = _label_name()
        label["properties"]["prefix"] = {"type": "string", "enum": list(labels.PREFIXES)}
    if "ContentUpdate" in schemas:
        schemas["ContentUpdate"].setdefault("properties", {})["version"] = {
            "type": "object", "required": ["number"],
            "properties": {"number": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                           "message": {"type": "string"}, "minorEdit": {"type": "boolean"}}}
    for name in ("ContentCreate", "ContentUpdate"):
        ancestors = schemas.get(name, {}).get("properties", {}).get("ancestors")
        if ancestors and "items" in ancestors:  # the parent's content id, a number or its decimal string
            item = ancestors["items"]
            if "$ref" in item:
                item = ancestors["items"] = copy.deepcopy(schemas[item["$ref"].rsplit("/", 1)[-1]])
            ancestors["maxItems"] = 1  # "Only one parent content id can be specified" (400 otherwise)
            item.setdefault("properties", {})["id"] = {
                "oneOf": [{"type": "integer", "minimum": 1, "maximum": 10**18 - 1}, CONTENT_ID],
                "description": "The `id` of the parent content."}
    for name in ("ContentPropertyCreate", "SpacePropertyCreate"):
        if name in schemas:
            schemas[name].setdefault("properties", {})["key"] = PROPERTY_KEY
    for name in ("ContentPropertyUpdate", "SpacePropertyUpdate"):
        if name in schemas:  # (SpacePropertyUpdate's `version` is a whole Version, content and all)
            props = schemas[name].setdefault("properties", {})
            props["version"] = copy.deepcopy(PROPERTY_VERSION)
            if "key" in props:
                props["key"] = PROPERTY_KEY
    if "VersionRestore" in schemas:
        number = schemas["VersionRestore"].get("properties", {}).get("params", {}).get("properties", {})
        if "versionNumber" in number:
            number["versionNumber"] = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    if "AttachmentPropertiesUpdateBody" in schemas:
        # What bondline reads of it (the document's `version` is a whole Version, with its user and
        # content): the id, the type, the version number, and the name, media type, comment and container.
        props = schemas["AttachmentPropertiesUpdateBody"].setdefault("properties", {})
        props["id"] = ATTACHMENT_ID
        props["type"] = {"type": "string", "enum": ["attachment"]}
        props["version"] = {"type": "object", "required": ["number"],
                            "properties": {"number": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                                           "minorEdit": {"type": "boolean"}}}
        props["title"] = {"type": "string", "maxLength": MAX_TITLE, "pattern": TEXT}
        props["container"] = {"type": "object", "required": ["id"], "properties": {"id": CONTENT_ID}}
        media = {"type": "string", "pattern": "^[!-~]+/[!-~]+$", "maxLength": 255}
        props["metadata"] = {"type": "object", "properties": {"mediaType": media}}
        props["extensions"] = {"type": "object", "properties": {"mediaType": media, "comment": {"type": "string"}}}
    if "ContentRestrictionUpdate" in schemas:
        # What bondline reads of a restriction: its operation, and users by accountId and groups by id
        # or name. (The document's also carries a whole Content and whole Users; generating those
        # took schemathesis minutes per operation and gigabytes.)
        user = {"type": "object", "required": ["accountId"],
                "properties": {"type": {"type": "string", "enum": ["known"]},
                               "accountId": {"type": "string", "maxLength": 128}}}
        users = {"type": "array", "items": user, "maxItems": 10}
        group = {"type": "object", "required": ["type"],
                 "properties": {"type": {"type": "string", "enum": ["group"]},
                                "id": {"type": "string", "maxLength": 64},
                                "name": {"type": "string", "maxLength": 255}}}
        schemas["ContentRestrictionUpdate"] = {
            "type": "object", "required": ["operation", "restrictions"],
            "description": "One operation's restriction: the users and groups it names.",
            "properties": {
                "operation": {"type": "string", "enum": list(restrictions.OPERATIONS)},
                "restrictions": {"type": "object", "properties": {
                    "user": {"oneOf": [users, {"type": "object", "required": ["results"],
                                                "properties": {"results": users}}]},
                    "group": {"type": "array", "items": group, "maxItems": 10}}}}}
        many = {"type": "array", "items": _ref("ContentRestrictionUpdate"), "maxItems": 4}
        schemas["ContentRestrictionAddOrUpdateArray"] = {"oneOf": [
            many, {"type": "object", "required": ["results"], "properties": {"results": many}}]}
    if "LabelCreateArray" in schemas:
        schemas["LabelCreateArray"] = _at_least_one(schemas["LabelCreateArray"])
    for name in ("ContentCreate", "ContentUpdate"):  # a page is created or updated current or draft
        status = schemas.get(name, {}).get("properties", {}).get("status")
        if status is not None:
            status["enum"] = list(EDIT_STATUSES)
    _tighten_copies(schemas)
    if "SpaceUpdate" in schemas:
        props = schemas["SpaceUpdate"].setdefault("properties", {})
        props["name"] = {**props.get("name", {}), "type": "string", "nullable": True, "maxLength": MAX_NAME,
                         "pattern": TEXT}
        props["status"] = {**props.get("status", {}), "type": "string", "nullable": True,
                           "enum": [*SPACE_STATUSES, None]}
    for name, required in (("SpaceCreate", ("key", "name")), ("ContentCreate", ("type", "title", "space")),
                           ("ContentUpdate", ("version", "title", "type"))):
        schema = schemas.get(name)
        if schema is None:
            continue
        schema["required"] = sorted(set(schema.get("required", [])) | set(required))
        props = schema.setdefault("properties", {})
        if "name" in required:
            props["name"] = {"type": "string", "maxLength": MAX_NAME, "pattern": TEXT}
        if "key" in required:
            props["key"] = SPACE_KEY
        if "title" in required:
            props["title"] = {"type": "string", "maxLength": MAX_TITLE, "pattern": TEXT}
        if "type" in required:
            props["type"] = {"type": "string", "enum": ["page", "blogpost"]}
        if "space" in required:  # what bondline reads of it: the key
            props["space"] = {"type": "object", "required": ["key"], "properties": {"key": SPACE_KEY}}
        if name == "SpaceCreate" and "permissions" in props:
            # What bondline reads of it: that it is a list of objects (or null); every space gets the
            # default permissions (a private space: its creator's), so the objects are not read.
            props["permissions"] = {
                "type": "array", "nullable": True, "items": {"type": "object"},
                "description": "Accepted and ignored: a space bondline creates gets the default permissions "
                               "(a private space, its creator's alone), whatever this list says."}


def _tighten_copies(schemas: dict[str, Any]) -> None:
    """copyPage's destination is a space key (`space`) or a content id (the others); a new title is a
    title; copyPageHierarchy's destination is a content id, and its title options make titles."""
    no_control = {"type": "string", "pattern": "^[^\\x00-\\x1f]*$"}
    if "CopyPageRequest" in schemas:
        props = schemas["CopyPageRequest"].setdefault("properties", {})
        props["destination"] = {"oneOf": [
            {"type": "object", "required": ["type", "value"],
             "properties": {"type": {"type": "string", "enum": ["space"]}, "value": SPACE_KEY}},
            {"type": "object", "required": ["type", "value"],
             "properties": {"type": {"type": "string", "enum": ["existing_page", "parent_page", "parent_content"]},
                            "value": CONTENT_ID}}]}
        props["pageTitle"] = {"type": "string", "maxLength": MAX_TITLE, "pattern": TEXT}
    if "CopyPageHierarchyRequest" in schemas:
        props = schemas["CopyPageHierarchyRequest"].setdefault("properties", {})
        props["destinationPageId"] = CONTENT_ID
        props["titleOptions"] = {"type": "object", "properties": {
            "prefix": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[^\\x00-\\x1f]+$"},
            "search": no_control, "replace": no_control}}

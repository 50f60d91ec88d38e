"""Seed files: a declarative description of a bondline site (users with their tokens, spaces,
content with versions and labels, relations, watches, Reltio tenants with types, entities,
relations and pending change requests), written in YAML or JSON.

This module reads and checks a file; `bondline.services.seeding` loads it through the ordinary
services, so every rule of the APIs applies. Checking happens before anything is written: the
document is parsed with the position of every node, converted to the schema below (msgspec), and
cross-checked (unique keys, references between items, formats). A problem is a `SeedError` that
names the file, the line and column, the path inside the document and the reason:

    seed.yaml:14:12: users[1].email: Expected `str`, got `int`

Pure: no I/O (callers read the file and pass its text).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any, Literal, Union

import msgspec

from bondline.domain import accounts as account_rules
from bondline.domain import content as content_rules
from bondline.domain import labels as label_rules
from bondline.domain import relations as rel
from bondline.domain import spaces as space_rules
from bondline.domain.errors import Invalid
from bondline.domain.reltio import roles as tenant_roles
from bondline.domain.reltio import types as reltio_types

Path = tuple[Union[str, int], ...]
ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,127}$")
MAX_DEPTH = 64
MAX_CHANGE_ITEMS = 1000


class SeedError(Invalid):
    """A seed file that cannot be loaded: where (file, line, column, path) and why."""

    default_reason = "INVALID_SEED"

    def __init__(self, reason: str, *, source: str = "seed", line: int | None = None, column: int | None = None,
                 path: str = "") -> None:
        where = f"{source}:{line}:{column}" if line is not None else source
        super().__init__(f"{where}: {path + ': ' if path else ''}{reason}",
                         details={"line": line, "column": column, "path": path, "problem": reason})
        self.source = source
        self.line = line
        self.column = column
        self.path = path
        self.problem = reason


# --- the schema -------------------------------------------------------------------------------

class _Item(msgspec.Struct, forbid_unknown_fields=True, rename="camel", kw_only=True):
    pass


class User(_Item, kw_only=True):
    account_id: str
    email: str
    name: str
    site_admin: bool = False
    # A fixed API token (blt_<10 base62>_<32 base62>); without one a fresh token is made.
    token: str | None = None


class Space(_Item, kw_only=True):
    key: str
    name: str
    description: str = ""
    private: bool = False
    # accountIds; the first one creates the space (and so administers it).
    admins: list[str]
    members: list[str] = []


class Version(_Item, kw_only=True):
    title: str | None = None
    body: str | None = None
    message: str = ""
    minor_edit: bool = False
    by: str | None = None


class Content(_Item, kw_only=True):
    # A name other items use to refer to this content (`content:welcome`); ids are assigned on load.
    key: str | None = None
    type: Literal["page", "blogpost"] = "page"
    space: str
    title: str
    body: str = ""
    representation: Literal["storage", "wiki", "editor", "view", "atlas_doc_format"] = "storage"
    status: Literal["current", "draft", "trashed"] = "current"
    author: str | None = None
    # Later versions, oldest first: a string is a new body, an object may change the title too.
    versions: list[Union[str, Version]] = []
    labels: list[str] = []
    parent: str | None = None


class Relation(_Item, kw_only=True):
    name: str
    source: str  # TYPE:KEY — user:ACCOUNT_ID, space:KEY, content:KEY_OR_ID
    target: str
    source_version: int | None = None  # a historical version of source content
    target_version: int | None = None
    by: str | None = None  # who creates it (default: the source user, else the first site admin)


class Watch(_Item, kw_only=True):
    user: str
    content: str | None = None
    space: str | None = None
    label: str | None = None
    content_type: Literal["page", "blogpost"] | None = None


class Entity(_Item, kw_only=True):
    ref: str | None = None
    type: str
    attributes: dict[str, Any] = {}
    crosswalks: list[dict[str, Any]] | None = None
    tags: list[str] | None = None
    roles: list[str] | None = None


class ReltioRelation(_Item, kw_only=True):
    ref: str | None = None
    type: str
    start: str  # an entity ref of this file, or entities/ID
    end: str
    attributes: dict[str, Any] = {}
    crosswalks: list[dict[str, Any]] | None = None


class AttributeChange(_Item, kw_only=True):
    object: str  # an entity or relation ref of this file, or entities/ID, relations/ID
    attribute: str
    value: Any = None
    index: int = 0  # which value (update, delete)


class ChangeItem(_Item, kw_only=True):
    create_entity: Entity | None = None
    create_relation: ReltioRelation | None = None
    delete_relation: str | None = None
    insert_attribute: AttributeChange | None = None
    update_attribute: AttributeChange | None = None
    delete_attribute: AttributeChange | None = None


class ChangeRequest(_Item, kw_only=True):
    ref: str | None = None
    created_by: str | None = None
    items: list[ChangeItem] = []


class Tenant(_Item, kw_only=True):
    id: str
    roles: dict[str, list[str]] = {}
    types: dict[str, Any] | None = None
    by: str | None = None  # who saves the entities and relations (default: bondline's seed operator)
    entities: list[Entity] = []
    relations: list[ReltioRelation] = []
    change_requests: list[ChangeRequest] = []


class SeedFile(_Item, kw_only=True):
    users: list[User] = []
    spaces: list[Space] = []
    content: list[Content] = []
    relations: list[Relation] = []
    watches: list[Watch] = []
    reltio: list[Tenant] = []


CHANGE_KINDS = ("createEntity", "createRelation", "deleteRelation", "insertAttribute", "updateAttribute",
                "deleteAttribute")


# --- positions --------------------------------------------------------------------------------

@dataclasses.dataclass
class Document:
    """A checked seed file: the data, and where each part of it was written."""

    spec: SeedFile
    source: str = "seed"
    marks: dict[Path, tuple[int, int]] = dataclasses.field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def error(self, path: Path, reason: str, *, at_key: bool = False) -> SeedError:
        line = column = None
        probe = path
        table = self.key_marks if at_key and path in self.key_marks else self.marks
        while True:
            if probe in table:
                line, column = table[probe]
                break
            if not probe:
                break
            probe = probe[:-1]
            table = self.marks
        return SeedError(reason, source=self.source, line=line, column=column, path=render_path(path))

    def content_order(self) -> list[int]:
        """Indexes of `spec.content` with every parent before its children (checked acyclic)."""
        return _content_order(self)


def render_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


_MSGSPEC_PATH = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")


def _parse_msgspec_path(text: str) -> Path:
    parts: list[str | int] = []
    for name, index in _MSGSPEC_PATH.findall(text):
        if name:
            parts.append(name)
        elif index == "...":
            break  # a dict key msgspec does not name: the mapping itself is the best position
        else:
            parts.append(int(index))
    return tuple(parts)


# --- reading ----------------------------------------------------------------------------------

def parse(text: str, source: str = "seed", *, fmt: str | None = None) -> Document:
    """Parse and check a seed file. `fmt` is "yaml" or "json"; by default JSON when the text starts
    with `{`, else YAML (JSON is YAML too)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if fmt is None:
        fmt = "json" if stripped.startswith("{") else "yaml"
    marks: dict[Path, tuple[int, int]] = {}
    key_marks: dict[Path, tuple[int, int]] = {}
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SeedError(f"invalid JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno) from None
        except RecursionError:  # the parser recurses once per level; the YAML path checks MAX_DEPTH
            raise SeedError("the document is nested too deeply", source=source) from None
        try:  # positions, through the YAML reader (JSON is YAML); without them errors name paths only
            _compose(text, source, marks, key_marks)
        except SeedError:
            marks.clear()
            key_marks.clear()
    else:
        data = _compose(text, source, marks, key_marks)
    return check(data, source, marks, key_marks)


def from_data(data: Any, source: str = "seed") -> Document:
    """Check a seed given as Python data (a dict); errors name paths, there are no lines."""
    return check(data, source, {}, {})


def check(data: Any, source: str, marks: dict[Path, tuple[int, int]],
          key_marks: dict[Path, tuple[int, int]]) -> Document:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SeedError("a seed file is a mapping with users, spaces, content, relations, watches and reltio",
                        source=source, line=marks.get((), (None, None))[0], column=marks.get((), (None, None))[1])
    try:
        spec = msgspec.convert(data, SeedFile, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        reason, _, at = message.partition(" - at `")
        path = _parse_msgspec_path(at.rstrip("`")) if at else ()
        doc = Document(SeedFile(), source, marks, key_marks)
        unknown = re.match(r"Object contains unknown field `([^`]+)`", reason)
        if unknown:
            raise doc.error(path + (unknown.group(1),), reason, at_key=True) from None
        raise doc.error(path, reason) from None
    doc = Document(spec, source, marks, key_marks)
    _cross_check(doc)
    return doc


def _compose(text: str, source: str, marks: dict[Path, tuple[int, int]],
             key_marks: dict[Path, tuple[int, int]]) -> Any:
    import yaml

    # libyaml's parser when PyYAML has it (the pure-Python one takes ~10 ms for a 100-line file);
    # both give every node its position.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            reason = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
            raise SeedError(f"invalid YAML: {reason}", source=source,
                            line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
        except yaml.YAMLError as exc:
            raise SeedError(f"invalid YAML: {exc}", source=source) from None
        if node is None:
            return None
        return _convert(loader, node, (), marks, key_marks, source)
    finally:
        loader.dispose()


def _convert(loader: Any, node: Any, path: Path, marks: dict[Path, tuple[int, int]],
             key_marks: dict[Path, tuple[int, int]], source: str) -> Any:
    import yaml

    mark = node.start_mark
    marks[path] = (mark.line + 1, mark.column + 1)
    if len(path) > MAX_DEPTH:
        raise SeedError("the document is nested too deeply", source=source, line=mark.line + 1,
                        column=mark.column + 1, path=render_path(path))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # YAML merge keys (<<)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            try:
                key = loader.construct_object(key_node, deep=True)
            except yaml.YAMLError as exc:
                raise SeedError(f"invalid key: {exc}", source=source, line=key_node.start_mark.line + 1,
                                column=key_node.start_mark.column + 1, path=render_path(path)) from None
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise SeedError("keys must be plain scalars", source=source, line=key_node.start_mark.line + 1,
                                column=key_node.start_mark.column + 1, path=render_path(path))
            key = str(key) if not isinstance(key, str) else key
            if key in out:
                raise SeedError(f"duplicate key {key!r}", source=source, line=key_node.start_mark.line + 1,
                                column=key_node.start_mark.column + 1, path=render_path(path))
            key_marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _convert(loader, value_node, path + (key,), marks, key_marks, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(loader, item, path + (i,), marks, key_marks, source) for i, item in enumerate(node.value)]
    try:
        value = loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise SeedError(f"invalid value: {exc}", source=source, line=mark.line + 1, column=mark.column + 1,
                        path=render_path(path)) from None
    if not isinstance(value, (str, int, float, bool, type(None))):
        # dates and binary: a seed holds JSON's kinds of values only
        value = node.value
    return value


# --- cross-checks -----------------------------------------------------------------------------

def parse_ref(text: str) -> tuple[str, str] | None:
    kind, sep, key = text.partition(":")
    if not sep or not key:
        return None
    return kind, key


def is_alias(text: str) -> bool:
    return bool(ALIAS.match(text))


def _cross_check(doc: Document) -> None:
    spec = doc.spec

    def invalid(path: Path, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Invalid as err:
            raise doc.error(path, err.message) from None

    # users
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    seen_tokens: set[str] = set()
    for i, user in enumerate(spec.users):
        invalid(("users", i, "accountId"), account_rules.validate_account_id, user.account_id)
        _, email, _ = invalid(("users", i), account_rules.validate_new_user, user.account_id, user.email, user.name)
        if user.account_id in seen_ids:
            raise doc.error(("users", i, "accountId"), f"accountId {user.account_id!r} is already used by "
                            f"users[{seen_ids[user.account_id]}]")
        if email in seen_emails:
            raise doc.error(("users", i, "email"), f"email {user.email!r} is already used by users[{seen_emails[email]}]")
        seen_ids[user.account_id] = i
        seen_emails[email] = i
        if user.token is not None:
            invalid(("users", i, "token"), account_rules.validate_fixed_token, user.token)
            if user.token[:15] in seen_tokens:
                raise doc.error(("users", i, "token"), "another user's token has the same id (its first 10 characters)")
            seen_tokens.add(user.token[:15])

    # spaces
    space_keys: dict[str, int] = {}
    for i, space in enumerate(spec.spaces):
        invalid(("spaces", i, "key"), space_rules.validate_key, space.key)
        invalid(("spaces", i, "name"), space_rules.validate_name, space.name)
        if space.key in space_keys:
            raise doc.error(("spaces", i, "key"), f"space {space.key!r} is already defined by spaces[{space_keys[space.key]}]")
        space_keys[space.key] = i
        if not space.admins:
            raise doc.error(("spaces", i, "admins"), "a space needs at least one admin (the first one creates it)")

    # content
    content_keys: dict[str, int] = {}
    for i, item in enumerate(spec.content):
        where = ("content", i)
        if item.key is not None:
            if not is_alias(item.key):
                raise doc.error(where + ("key",), "a content key is a name (a letter or '_' first, then letters, "
                                "digits, '_', '.' or '-'), not a number")
            if item.key in content_keys:
                raise doc.error(where + ("key",), f"content key {item.key!r} is already used by "
                                f"content[{content_keys[item.key]}]")
            content_keys[item.key] = i
        invalid(where + ("title",), content_rules.validate_title, item.title)
        for j, version in enumerate(item.versions):
            if isinstance(version, Version) and version.title is not None:
                invalid(where + ("versions", j, "title"), content_rules.validate_title, version.title)
        if item.status == "draft" and item.versions:
            raise doc.error(where + ("versions",), "a draft has one version; publish it (status: current) to add more")
        for j, label in enumerate(item.labels):
            invalid(where + ("labels", j), label_rules.validate, label)
        if item.author is None and item.space not in space_keys:
            raise doc.error(where, "author is required: the space is not defined in this file, so it has no "
                            "first admin to write it")
    for i, item in enumerate(spec.content):
        if item.parent is not None and not item.parent.isdigit() and item.parent not in content_keys:
            raise doc.error(("content", i, "parent"), f"no content has the key {item.parent!r}")
    _content_order(doc)

    # relations
    site_admins = [u.account_id for u in spec.users if u.site_admin]
    for i, relation in enumerate(spec.relations):
        where = ("relations", i)
        invalid(where + ("name",), rel.validate_name, relation.name)
        ends = []
        for side, text, version in (("source", relation.source, relation.source_version),
                                    ("target", relation.target, relation.target_version)):
            parsed = parse_ref(text)
            if parsed is None or parsed[0] not in rel.ENTITY_TYPES:
                raise doc.error(where + (side,), f"write the {side} as TYPE:KEY with TYPE user, space or content "
                                "(user:ACCOUNT_ID, space:KEY, content:KEY)")
            kind, key = parsed
            if kind == "user" and key == "current":
                raise doc.error(where + (side,), "name the user by accountId ('current' means nobody in a seed)")
            if kind == "content":
                _check_content_ref(doc, where + (side,), key, content_keys)
            if version is not None and kind != "content":
                raise doc.error(where + (f"{side}Version",), f"{side}Version only applies to content")
            if version is not None and version < 1:
                raise doc.error(where + (f"{side}Version",), "versions start at 1")
            ends.append(kind)
        invalid(where, rel.validate_shape, relation.name, ends[0], ends[1])
        if relation.by is None and ends[0] != "user" and not site_admins:
            raise doc.error(where, "by is required: who creates this relation (the file has no site admin to "
                            "do it)")

    # watches
    for i, watch in enumerate(spec.watches):
        where = ("watches", i)
        given = [name for name in ("content", "space", "label") if getattr(watch, name) is not None]
        if len(given) != 1:
            raise doc.error(where, "a watch names exactly one of content, space or label")
        if watch.content_type is not None and given[0] != "space":
            raise doc.error(where + ("contentType",), "contentType only applies to a space watch")
        if watch.content is not None:
            _check_content_ref(doc, where + ("content",), watch.content, content_keys)
        if watch.label is not None:
            invalid(where + ("label",), label_rules.validate, watch.label)

    # reltio
    tenant_ids: dict[str, int] = {}
    for t, tenant in enumerate(spec.reltio):
        where_t = ("reltio", t)
        if tenant.id in tenant_ids:
            raise doc.error(where_t + ("id",), f"tenant {tenant.id!r} is already defined by reltio[{tenant_ids[tenant.id]}]")
        tenant_ids[tenant.id] = t
        for account_id, roles in tenant.roles.items():
            for role in roles:
                invalid(where_t + ("roles", account_id), tenant_roles.validate_role, role)
        if tenant.types is not None:
            invalid(where_t + ("types",), reltio_types.parse_configuration, tenant.types)
        entity_refs: dict[str, int] = {}
        relation_refs: dict[str, int] = {}
        for i, entity in enumerate(tenant.entities):
            _check_new_ref(doc, where_t + ("entities", i, "ref"), entity.ref, entity_refs, i)
        for i, relation in enumerate(tenant.relations):
            where = where_t + ("relations", i)
            _check_new_ref(doc, where + ("ref",), relation.ref, relation_refs, i)
            for side in ("start", "end"):
                _check_object_ref(doc, where + (side,), getattr(relation, side), entity_refs, "entities")
        cr_refs: dict[str, int] = {}
        for c, request in enumerate(tenant.change_requests):
            where_c = where_t + ("changeRequests", c)
            _check_new_ref(doc, where_c + ("ref",), request.ref, cr_refs, c)
            if len(request.items) > MAX_CHANGE_ITEMS:
                raise doc.error(where_c + ("items",), f"at most {MAX_CHANGE_ITEMS} items per change request")
            for k, item in enumerate(request.items):
                where = where_c + ("items", k)
                kinds = [name for name in CHANGE_KINDS if getattr(item, _snake(name)) is not None]
                if len(kinds) != 1:
                    raise doc.error(where, f"an item is exactly one of {', '.join(CHANGE_KINDS)}")
                kind = kinds[0]
                value = getattr(item, _snake(kind))
                if kind == "createEntity" and value.ref is not None:
                    raise doc.error(where + (kind, "ref"), "a staged entity has no URI until its change request "
                                    "is applied, so it cannot have a ref")
                if kind == "createRelation":
                    if value.ref is not None:
                        raise doc.error(where + (kind, "ref"), "a staged relation cannot have a ref")
                    for side in ("start", "end"):
                        _check_object_ref(doc, where + (kind, side), getattr(value, side), entity_refs, "entities")
                if kind == "deleteRelation":
                    _check_object_ref(doc, where + (kind,), value, relation_refs, "relations")
                if kind.endswith("Attribute"):
                    if not (value.object in entity_refs or value.object in relation_refs
                            or _object_uri(value.object) is not None):
                        raise doc.error(where + (kind, "object"), f"{value.object!r} is neither a ref of this "
                                        "tenant's entities or relations nor entities/ID or relations/ID")
                    if value.index < 0:
                        raise doc.error(where + (kind, "index"), "index counts from 0")
                    if kind != "deleteAttribute" and value.value is None:
                        raise doc.error(where + (kind, "value"), f"{kind} needs a value")


def _snake(name: str) -> str:
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def _check_content_ref(doc: Document, path: Path, key: str, keys: dict[str, int]) -> None:
    if key.isascii() and key.isdigit():
        if int(key) == 0 or len(key) > 18:
            raise doc.error(path, f"{key!r} is not a content id")
        return
    if key not in keys:
        raise doc.error(path, f"no content has the key {key!r} (use a key of this file's content, or an id)")


def _check_new_ref(doc: Document, path: Path, ref: str | None, refs: dict[str, int], index: int) -> None:
    if ref is None:
        return
    if not is_alias(ref):
        raise doc.error(path, "a ref is a name: a letter or '_' first, then letters, digits, '_', '.' or '-'")
    if ref in refs:
        raise doc.error(path, f"ref {ref!r} is already used by item {refs[ref]}")
    refs[ref] = index


def _object_uri(text: str) -> tuple[str, str] | None:
    collection, sep, object_id = text.partition("/")
    if sep and collection in ("entities", "relations") and re.fullmatch(r"[0-9A-Za-z]{1,16}", object_id):
        return collection, object_id
    return None


def _check_object_ref(doc: Document, path: Path, text: str, refs: dict[str, int], collection: str) -> None:
    if text in refs:
        return
    uri = _object_uri(text)
    if uri is None or uri[0] != collection:
        raise doc.error(path, f"{text!r} is neither a ref of this tenant's {collection} nor {collection}/ID")


def _content_order(doc: Document) -> list[int]:
    items = doc.spec.content
    by_key = {item.key: i for i, item in enumerate(items) if item.key is not None}
    order: list[int] = []
    state: dict[int, str] = {}

    def visit(i: int, chain: list[int]) -> None:
        if state.get(i) == "done":
            return
        if state.get(i) == "visiting":
            raise doc.error(("content", i, "parent"), "the parents form a cycle: "
                            + " -> ".join(str(items[j].key) for j in chain + [i]))
        state[i] = "visiting"
        parent = items[i].parent
        if parent is not None and parent in by_key:
            visit(by_key[parent], chain + [i])
        state[i] = "done"
        order.append(i)

    for i in range(len(items)):
        visit(i, [])
    return order

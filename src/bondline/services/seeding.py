"""Loading a seed file (`bondline.seedfile`) through the ordinary use cases, in one transaction.

Every item goes through the service an API request would use — add a user, create a space, a page
and its versions, put a relation, add a watch, save Reltio entities, stage change request items —
so every rule applies (a favourite is created by its owner, a page's author watches it, …). Items
act as a user of the file: content as its `author` (default: the space's first admin), relations as
`by` (default: the source user, else the first site admin), watches as the watching user, change
requests as `createdBy` (applied or rejected, when their `state` says so, by `reviewedBy`). Reltio
entities and relations, and the direct `edits` made after the change requests, are saved by the
tenant's `by`, or by bondline's seed operator (a site admin that is no user: objects record
`seed@bondline.invalid`).

A failing item stops the load and nothing is kept; the error names the item's line in the file.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any

from bondline.domain import content as content_rules
from bondline.domain import relations as rel
from bondline.domain.audit import OPERATOR_ACTOR
from bondline.domain.errors import DomainError, Invalid
from bondline.domain.model import Caller
from bondline.domain.reltio import changes as ch
from bondline.seedfile import (
    AttributeChange,
    Document,
    InvalidSeed,
    Path,
    ReltioEntity,
    ReltioRelation,
    Version,
    parse_ref,
)
from bondline.services import accounts, content, labels, relations, spaces, watches
from bondline.services.reltio import attributes, change_requests, tenants
from bondline.services.reltio import entities as reltio_entities
from bondline.services.reltio import relations as reltio_relations
from bondline.store import Store
from bondline.store.single import single_transaction


def _ref(text: str) -> tuple[str, str]:
    """A reference the seed file's checks have already accepted (`kind:key`)."""
    found = parse_ref(text)
    assert found is not None, text
    return found


OPERATOR = Caller(0, "bondline-seed", "seed@bondline.invalid", "bondline seed", True)
BATCH = 1000


@dataclasses.dataclass
class TenantReport:
    entities: dict[str, str] = dataclasses.field(default_factory=dict)  # ref -> entities/ID
    relations: dict[str, str] = dataclasses.field(default_factory=dict)  # ref -> relations/ID
    change_requests: dict[str, str] = dataclasses.field(default_factory=dict)  # ref -> changeRequests/ID
    all_change_requests: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class SeedReport:
    """What a load made: each user's token (shown this once), and the ids the file could not know."""

    tokens: dict[str, str] = dataclasses.field(default_factory=dict)  # accountId -> token
    emails: dict[str, str] = dataclasses.field(default_factory=dict)  # accountId -> email
    spaces: list[str] = dataclasses.field(default_factory=list)
    content: dict[str, int] = dataclasses.field(default_factory=dict)  # key -> id
    content_ids: list[int] = dataclasses.field(default_factory=list)  # every item, in file order
    reltio: dict[str, TenantReport] = dataclasses.field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "tokens": self.tokens,
            "emails": self.emails,
            "spaces": self.spaces,
            "content": self.content,
            "contentIds": self.content_ids,
            "reltio": {tenant: {"entities": r.entities, "relations": r.relations,
                                "changeRequests": r.change_requests, "allChangeRequests": r.all_change_requests}
                       for tenant, r in self.reltio.items()},
        }


async def load(store: Store, doc: Document) -> SeedReport:
    """Load `doc` into `store`: all of it, or (on any error) nothing."""
    async with single_transaction(store, OPERATOR_ACTOR) as single:
        loader = _Loader(single, doc)
        await loader.run()
    return loader.report


async def reset(store: Store, doc: Document | None = None) -> SeedReport:
    """Empty the database, then load `doc` if given (a test server between tests)."""
    await store.wipe()
    if doc is None:
        return SeedReport()
    return await load(store, doc)


class _Loader:
    def __init__(self, store: Store, doc: Document) -> None:
        self.store = store
        self.doc = doc
        self.spec = doc.spec
        self.report = SeedReport()
        self.callers: dict[str, Caller] = {}

    @contextlib.contextmanager
    def at(self, *path: Any) -> Iterator[None]:
        """Domain errors raised while loading the item at `path` point at its line."""
        try:
            yield
        except InvalidSeed:
            raise
        except DomainError as err:
            raise self.doc.error(tuple(path), err.message) from None

    async def caller(self, account_id: str) -> Caller:
        found = self.callers.get(account_id)
        if found is None:
            found = self.callers[account_id] = Caller.of(await accounts.get_user(self.store, account_id))
        return found

    async def run(self) -> None:
        await self.users()
        await self.spaces()
        await self.contents()
        await self.relations()
        await self.watches()
        for t, tenant in enumerate(self.spec.reltio):
            await self.tenant(t, tenant)

    # --- Confluence ---------------------------------------------------------------------------
    async def users(self) -> None:
        for i, user in enumerate(self.spec.users):
            with self.at("users", i):
                added = await accounts.add_user(self.store, user.account_id, user.email, user.name, user.site_admin)
                _, token = await accounts.create_token(self.store, user.account_id, name="seed", fixed=user.token)
            self.report.tokens[added.account_id] = token
            self.report.emails[added.account_id] = added.email

    async def spaces(self) -> None:
        for i, space in enumerate(self.spec.spaces):
            with self.at("spaces", i, "admins", 0):
                creator = await self.caller(space.admins[0])
            with self.at("spaces", i):
                await spaces.create(self.store, creator, space.key, space.name, space.description, space.private)
            for j, account_id in enumerate(space.admins[1:], start=1):
                with self.at("spaces", i, "admins", j):
                    await spaces.set_admin(self.store, None, space.key, account_id)
            for j, account_id in enumerate(space.members):
                with self.at("spaces", i, "members", j):
                    await spaces.set_member(self.store, None, space.key, account_id)
            self.report.spaces.append(space.key)

    def content_id(self, key: str) -> int:
        return int(key) if key.isdigit() else self.report.content[key]

    def first_admin(self, space_key: str) -> str | None:
        for space in self.spec.spaces:
            if space.key == space_key:
                return space.admins[0]
        return None

    async def contents(self) -> None:
        ids: dict[int, int] = {}
        for i in self.doc.content_order():
            item = self.spec.content[i]
            where = ("content", i)
            author_id = item.author or self.first_admin(item.space)
            assert author_id is not None  # checked by seedfile
            with self.at(*where, "author"):
                author = await self.caller(author_id)
            with self.at(*where):
                parent = self.content_id(item.parent) if item.parent is not None else None
                view = await content.create(self.store, author, content.NewContent(
                    type=item.type, title=item.title, space_key=item.space,
                    status="draft" if item.status == "draft" else "current", body=item.body,
                    representation=item.representation, parent_id=parent))
            content_id = view.content.id
            ids[i] = content_id
            if item.key is not None:
                self.report.content[item.key] = content_id
            title = item.title
            for j, raw in enumerate(item.versions):
                version = raw if isinstance(raw, Version) else Version(body=raw)
                with self.at(*where, "versions", j, "by"):
                    editor = await self.caller(version.by) if version.by else author
                with self.at(*where, "versions", j):
                    title = version.title or title
                    await content.update(self.store, editor, content_id, content_rules.Edit(
                        type=item.type, title=title, version=j + 2, status="current", body=version.body,
                        representation=item.representation, parent_id=None, parent_given=False, message=version.message,
                        minor_edit=version.minor_edit))
            if item.labels:
                with self.at(*where, "labels"):
                    await labels.add_labels(self.store, author, content_id, [(name, None) for name in item.labels])
            if item.status == "trashed":
                with self.at(*where, "status"):
                    await content.delete(self.store, author, content_id, None)
        self.report.content_ids = [ids[i] for i in range(len(self.spec.content))]

    def entity_ref(self, text: str, version: int | None, side: str) -> rel.EntityRef:
        kind, key = _ref(text)
        if kind == "content":
            key = str(self.content_id(key))
        return rel.entity_ref(kind, key, "historical" if version is not None else None, version, side)

    async def relations(self) -> None:
        site_admins = [u.account_id for u in self.spec.users if u.site_admin]
        for i, item in enumerate(self.spec.relations):
            where = ("relations", i)
            source_kind, source_key = _ref(item.source)
            by = item.by or (source_key if source_kind == "user" else site_admins[0])
            with self.at(*where, "by" if item.by else "source"):
                caller = await self.caller(by)
            with self.at(*where):
                await relations.put(self.store, caller, item.name,
                                    self.entity_ref(item.source, item.source_version, "source"),
                                    self.entity_ref(item.target, item.target_version, "target"))

    async def watches(self) -> None:
        for i, item in enumerate(self.spec.watches):
            where = ("watches", i)
            with self.at(*where, "user"):
                caller = await self.caller(item.user)
            with self.at(*where):
                if item.content is not None:
                    await watches.add(self.store, caller, "content", str(self.content_id(item.content)), None)
                elif item.space is not None:
                    await watches.add(self.store, caller, "space", item.space, None, item.content_type)
                else:
                    assert item.label is not None
                    await watches.add(self.store, caller, "label", item.label, None)

    # --- Reltio -------------------------------------------------------------------------------
    async def tenant(self, t: int, tenant: Any) -> None:
        where: Path = ("reltio", t)
        report = self.report.reltio.setdefault(tenant.id, TenantReport())
        with self.at(*where, "id"):
            async with self.store.read() as tx:
                exists = await tx.tenants.exists(tenant.id)
            if not exists:
                await tenants.add(self.store, tenant.id)
        if tenant.types is not None:
            with self.at(*where, "types"):
                await tenants.set_types(self.store, None, tenant.id, tenant.types)
        for account_id, roles in tenant.roles.items():
            with self.at(*where, "roles", account_id):
                await tenants.grant(self.store, tenant.id, account_id, list(roles))
        with self.at(*where, "by"):
            saver = await self.caller(tenant.by) if tenant.by else OPERATOR
        for start in range(0, len(tenant.entities), BATCH):
            chunk = tenant.entities[start:start + BATCH]
            with self.at(*where, "entities", start):
                saved = await reltio_entities.save(self.store, saver, tenant.id, [entity_body(e) for e in chunk])
            assert isinstance(saved, list)  # written directly, not staged: the saver may write
            for result in saved:
                index = start + result.index
                if result.error is not None or result.entity is None:
                    raise self.doc.error(where + ("entities", index),
                                         result.error.message if result.error else "not saved")
                ref = tenant.entities[index].ref
                if ref is not None:
                    report.entities[ref] = result.entity.uri
        for start in range(0, len(tenant.relations), BATCH):
            chunk = tenant.relations[start:start + BATCH]
            with self.at(*where, "relations", start):
                saved_relations = await reltio_relations.save(self.store, saver, tenant.id,
                                                              [self.relation_body(r, report) for r in chunk])
            assert isinstance(saved_relations, list)  # written directly, not staged
            for saved_relation in saved_relations:
                index = start + saved_relation.index
                if saved_relation.error is not None or saved_relation.view is None:
                    raise self.doc.error(where + ("relations", index), saved_relation.error.message
                                         if saved_relation.error else "not saved")
                ref = tenant.relations[index].ref
                if ref is not None:
                    report.relations[ref] = saved_relation.view.relation.uri
        for c, request in enumerate(tenant.change_requests):
            await self.change_request(where + ("changeRequests", c), tenant.id, request, report)
        await self.edits(where, tenant, saver, report)

    def relation_body(self, item: ReltioRelation, report: TenantReport) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": _type_uri(item.type, "relationTypes"),
            "startObject": {"objectURI": report.entities.get(item.start, item.start)},
            "endObject": {"objectURI": report.entities.get(item.end, item.end)},
            "attributes": shorthand_attributes(item.attributes),
        }
        if item.crosswalks is not None:
            body["crosswalks"] = item.crosswalks
        return body

    async def change_request(self, where: Path, tenant: str, request: Any, report: TenantReport) -> None:
        with self.at(*where, "createdBy"):
            creator = await self.caller(request.created_by) if request.created_by else OPERATOR
        with self.at(*where):
            created = await change_requests.create(self.store, creator, tenant)
        cr_id = created.request.id
        uri = f"changeRequests/{cr_id}"
        report.all_change_requests.append(uri)
        if request.ref is not None:
            report.change_requests[request.ref] = uri
        for k, item in enumerate(request.items):
            path = where + ("items", k)
            with self.at(*path):
                if item.create_entity is not None:
                    await reltio_entities.save(self.store, creator, tenant, [entity_body(item.create_entity)],
                                               change_request_id=cr_id)
                elif item.create_relation is not None:
                    await reltio_relations.save(self.store, creator, tenant,
                                                [self.relation_body(item.create_relation, report)],
                                                change_request_id=cr_id)
                elif item.delete_relation is not None:
                    target = report.relations.get(item.delete_relation, item.delete_relation)
                    await reltio_relations.delete(self.store, creator, tenant, target.split("/", 1)[1],
                                                  change_request_id=cr_id)
                else:
                    await self.attribute_change(creator, tenant, item, report, cr_id)
        if request.state != ch.AWAITING:
            with self.at(*where, "reviewedBy"):
                reviewer = await self.caller(request.reviewed_by) if request.reviewed_by else OPERATOR
            # A reviewer who may not decide is the problem to point at; else the state asked for.
            with self.at(*where, "reviewedBy" if request.reviewed_by else "state"):
                if request.state == ch.APPLIED:
                    await change_requests.apply(self.store, reviewer, tenant, cr_id)
                else:
                    await change_requests.reject(self.store, reviewer, tenant, cr_id)

    async def edits(self, where: Path, tenant: Any, saver: Caller, report: TenantReport) -> None:
        """Direct attribute changes, after the change requests: those on the same objects conflict."""
        for e, item in enumerate(tenant.edits):
            with self.at(*where, "edits", e):
                await self.attribute_change(saver, tenant.id, item, report, None)

    async def attribute_change(self, caller: Caller, tenant: str, item: Any, report: TenantReport,
                               cr_id: str | None) -> None:
        """An attribute item: staged in change request `cr_id`, or (None) written directly."""
        change: AttributeChange
        if item.insert_attribute is not None:
            kind, change = ch.INSERT, item.insert_attribute
        elif item.update_attribute is not None:
            kind, change = ch.UPDATE, item.update_attribute
        else:
            kind, change = ch.DELETE, item.delete_attribute
        uri = report.entities.get(change.object) or report.relations.get(change.object) or change.object
        collection, object_id = uri.split("/", 1)
        path = change.attribute
        value = None
        if kind == ch.INSERT:
            value = _one_value(change.value)
        else:
            if collection == "entities":
                stored = (await reltio_entities.get(self.store, OPERATOR, tenant, object_id)).entity.attributes
            else:
                stored = (await reltio_relations.get(self.store, OPERATOR, tenant, object_id)).relation.attributes
            values = stored.get(change.attribute) or []
            if change.index >= len(values):
                raise Invalid(f"{uri} has {len(values)} value(s) of {change.attribute}, so none at index "
                              f"{change.index}")
            path = f"{change.attribute}/{values[change.index]['id']}"
            if kind == ch.UPDATE:
                value = _one_value(change.value)
        await attributes.change(self.store, caller, tenant, collection, object_id,
                                [attributes.Op(kind, path, value)], change_request_id=cr_id)


def _type_uri(name: str, kind: str) -> str:
    return name if "/" in name else f"configuration/{kind}/{name}"


def _one_value(raw: Any) -> Any:
    """An attribute value as the attribute endpoints take it: a scalar, or nested attributes."""
    if isinstance(raw, dict) and "value" in raw:
        raw = raw["value"]
    if isinstance(raw, dict):
        return shorthand_attributes(raw)
    return raw


def shorthand_attributes(raw: dict[str, Any]) -> dict[str, Any]:
    """Reltio's attribute format, with shorthands: `FirstName: Ada` is `[{"value": "Ada"}]`, a list
    of scalars is a list of values, and a mapping without `value` holds nested attributes."""
    return {name: _values(values) for name, values in raw.items()}


def _values(raw: Any) -> list[Any]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, dict):
            if any(k in item for k in ("value", "refEntity", "refRelation")):
                out.append(item)
            else:
                out.append({"value": shorthand_attributes(item)})
        else:
            out.append({"value": item})
    return out


def entity_body(entity: ReltioEntity) -> dict[str, Any]:
    body: dict[str, Any] = {"type": _type_uri(entity.type, "entityTypes"),
                            "attributes": shorthand_attributes(entity.attributes)}
    for name in ("crosswalks", "tags", "roles"):
        value = getattr(entity, name)
        if value is not None:
            body[name] = value
    return body

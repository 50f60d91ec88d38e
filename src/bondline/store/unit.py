"""The unit of work handed to use cases: one connection (and, for writes, one transaction), every
repository bound to it, and what the change leaves behind.

Use cases decide what changed and say so: `record` an audit entry, `emit` an event for webhooks.
The unit of work keeps them and writes them at commit, in the same transaction as the change, stamped
with the actor it was opened for (`Store.write(actor)`): a committed change always has its trail and
its events, a rolled-back one never does, and repositories only persist rows.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from bondline.domain import events as ev
from bondline.domain.audit import Actor, Change
from bondline.store.base import Conn
from bondline.store.repos import audit
from bondline.store.repos.accounts import TokenRepo, UserRepo
from bondline.store.repos.attachments import AttachmentRepo
from bondline.store.repos.audit import AuditRepo
from bondline.store.repos.comments import CommentRepo
from bondline.store.repos.content import ContentRepo
from bondline.store.repos.groups import GroupRepo
from bondline.store.repos.history import HistoryRepo
from bondline.store.repos.labels import LabelRepo
from bondline.store.repos.properties import PropertyRepo
from bondline.store.repos.relations import RelationRepo
from bondline.store.repos.reltio import ChangeRequestRepo, EntityRepo, ReltioRelationRepo, TenantRepo
from bondline.store.repos.reltio_graph import ReltioGraphRepo
from bondline.store.repos.reltio_interactions import ReltioInteractionRepo
from bondline.store.repos.reltio_merge import ReltioMergeRepo
from bondline.store.repos.reltio_workflow import ReltioWorkflowRepo
from bondline.store.repos.restrictions import RestrictionRepo
from bondline.store.repos.search import SearchRepo
from bondline.store.repos.secrets import SecretRepo
from bondline.store.repos.spaces import SpaceRepo
from bondline.store.repos.tasks import TaskRepo
from bondline.store.repos.tree import TreeRepo
from bondline.store.repos.ui_sessions import UiSessionRepo
from bondline.store.repos.webhooks import ACTIVE_SUBSCRIPTIONS, OutboxRepo, WebhookRepo, subscriptions_of

Subscriptions = list[tuple[int, list[str]]]


@functools.lru_cache(maxsize=16)
def _subscriptions_appending(n: int) -> sa.Select[Any]:
    """Read the webhooks' subscriptions and append `n` audit entries in one statement (PostgreSQL's
    data-modifying WITH): committing a change that may have events costs one round trip, not two."""
    return ACTIVE_SUBSCRIPTIONS.add_cte(audit.insert_cte(n))


class Tx:
    __slots__ = ("conn", "users", "tokens", "spaces", "content", "tasks", "relations", "labels", "groups", "tenants",
                 "merges", "entities", "reltio_relations", "interactions", "reltio_graph", "change_requests", "secrets",
                 "workflow", "audit",
                 "outbox", "webhooks", "ui_sessions", "tree", "history", "properties", "attachments", "comments",
                 "restrictions", "search", "actor", "_changes", "_events", "_subscriptions")

    def __init__(self, conn: Conn, actor: Actor | None = None) -> None:
        self.conn = conn
        self.users = UserRepo(conn)
        self.tokens = TokenRepo(conn)
        self.spaces = SpaceRepo(conn)
        self.content = ContentRepo(conn)
        self.tasks = TaskRepo(conn)
        self.relations = RelationRepo(conn)
        self.labels = LabelRepo(conn)
        self.groups = GroupRepo(conn)
        self.tenants = TenantRepo(conn)
        self.entities = EntityRepo(conn)
        self.reltio_relations = ReltioRelationRepo(conn)
        self.interactions = ReltioInteractionRepo(conn)
        self.merges = ReltioMergeRepo(conn)
        self.reltio_graph = ReltioGraphRepo(conn)
        self.change_requests = ChangeRequestRepo(conn)
        self.workflow = ReltioWorkflowRepo(conn)
        self.secrets = SecretRepo(conn)
        self.audit = AuditRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.webhooks = WebhookRepo(conn)
        self.ui_sessions = UiSessionRepo(conn)
        self.tree = TreeRepo(conn)
        self.history = HistoryRepo(conn)
        self.properties = PropertyRepo(conn)
        self.attachments = AttachmentRepo(conn)
        self.comments = CommentRepo(conn)
        self.restrictions = RestrictionRepo(conn)
        self.search = SearchRepo(conn)
        self.begin(actor)

    def begin(self, actor: Actor | None) -> None:
        """Start a unit of work for `actor` (None: one that only reads) on this connection. A store
        may keep one `Tx` per connection and begin it again for each unit (SQLite's writer does)."""
        self.actor = actor
        self._subscriptions: Subscriptions | None = None
        if actor is not None:  # a read (most requests) records nothing: no lists to make
            self._changes: list[Change] = []
            self._events: list[ev.Event] = []

    # --- what the change leaves behind ------------------------------------------------------------
    def record(self, *changes: Change) -> None:
        """Audit entries for this unit's change, written at commit."""
        if self.actor is None:
            raise RuntimeError("a unit of work that only reads records nothing")
        for change in changes:  # named now: units of work may nest (store/single.py)
            change.actor = change.actor or self.actor.account_id
        self._changes.extend(changes)

    def emit(self, events: Iterable[ev.Event]) -> None:
        """Events for the webhooks that want them, written at commit."""
        if self.actor is None:
            raise RuntimeError("a unit of work that only reads emits nothing")
        self._events.extend(events)

    async def wanted(self, types: Iterable[str]) -> bool:
        """Whether some active webhook wants an event of one of `types` (read once per unit of
        work): use cases look up who watches only when the answer is yes."""
        if self._subscriptions is None:
            self._subscriptions = await self.outbox.subscriptions()
        return ev.wanted_by_any((f for _, f in self._subscriptions), types)

    async def flush(self) -> None:
        """Write the recorded entries and emitted events (the store calls this before it commits)."""
        actor = self.actor
        if actor is None:  # a unit that only reads has nothing to write (record and emit refuse)
            return
        changes, events = self._changes, self._events
        self._changes, self._events = [], []
        subs = self._subscriptions
        if events and subs is None and changes and self.conn.kind == "postgresql":
            rows = audit.cte_params(changes, actor)
            subs = subscriptions_of(await self.conn.all(_subscriptions_appending(len(changes)), rows))
            changes = []
        if changes:
            await self.audit.append(changes, actor)
        if events:
            if subs is None:
                subs = await self.outbox.subscriptions()
            await self.outbox.add(events, subs)

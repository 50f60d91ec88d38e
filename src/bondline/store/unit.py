"""The unit of work handed to services: one connection (and, for writes, one transaction), with
every repository bound to it."""

from __future__ import annotations

from bondline.store.base import Conn
from bondline.store.repos.accounts import TokenRepo, UserRepo
from bondline.store.repos.audit import AuditRepo
from bondline.store.repos.content import ContentRepo
from bondline.store.repos.labels import LabelRepo
from bondline.store.repos.relations import RelationRepo
from bondline.store.repos.reltio import ChangeRequestRepo, EntityRepo, ReltioRelationRepo, TenantRepo
from bondline.store.repos.secrets import SecretRepo
from bondline.store.repos.spaces import SpaceRepo
from bondline.store.repos.tasks import TaskRepo
from bondline.store.repos.ui_sessions import UiSessionRepo
from bondline.store.repos.webhooks import OutboxRepo, WebhookRepo


class Tx:
    __slots__ = ("conn", "users", "tokens", "spaces", "content", "tasks", "relations", "labels", "tenants",
                 "entities", "reltio_relations", "change_requests", "secrets", "audit",
                 "outbox", "webhooks", "ui_sessions")

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.users = UserRepo(conn)
        self.tokens = TokenRepo(conn)
        self.spaces = SpaceRepo(conn)
        self.content = ContentRepo(conn)
        self.tasks = TaskRepo(conn)
        self.relations = RelationRepo(conn)
        self.labels = LabelRepo(conn)
        self.tenants = TenantRepo(conn)
        self.entities = EntityRepo(conn)
        self.reltio_relations = ReltioRelationRepo(conn)
        self.change_requests = ChangeRequestRepo(conn)
        self.secrets = SecretRepo(conn)
        self.audit = AuditRepo(conn)
        self.outbox = OutboxRepo(conn)
        self.webhooks = WebhookRepo(conn)
        self.ui_sessions = UiSessionRepo(conn)

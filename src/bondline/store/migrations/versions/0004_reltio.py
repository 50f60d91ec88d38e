"""Reltio tenants: tenants, roles, types, entities (and their crosswalks), change requests and
their items; Reltio ids and documents on relations; token kinds for OAuth.

Revision ID: 0004_reltio
Revises: 0003_labels
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_reltio"
down_revision = "0003_labels"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Tenant = sa.String(64)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="api"))
    with op.batch_alter_table("relations") as batch:
        batch.add_column(sa.Column("ext_id", sa.String(16), nullable=True))
        batch.add_column(sa.Column("payload", sa.Text, nullable=True))
    # Partial: Confluence relations have no Reltio id and should not pay for the index.
    op.create_index("uq_relations_ext_id", "relations", ["namespace", "ext_id"], unique=True,
                    sqlite_where=sa.text("ext_id IS NOT NULL"), postgresql_where=sa.text("ext_id IS NOT NULL"))

    op.create_table(
        "tenants",
        sa.Column("id", Tenant, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
    )
    op.create_table(
        "tenant_roles",
        sa.Column("tenant_id", Tenant, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "user_id", "role", name="pk_tenant_roles"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_tenant_roles_tenant_id_tenants",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_tenant_roles_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_tenant_roles_user", "tenant_roles", ["user_id"])
    op.create_table(
        "tenant_types",
        sa.Column("tenant_id", Tenant, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "name", name="pk_tenant_types"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_tenant_types_tenant_id_tenants",
                                ondelete="CASCADE"),
    )
    op.create_table(
        "entities",
        sa.Column("tenant_id", Tenant, nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("crosswalks", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("roles", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("secondary_label", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_entities"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_entities_tenant_id_tenants",
                                ondelete="CASCADE"),
    )
    op.create_table(
        "entity_crosswalks",
        sa.Column("tenant_id", Tenant, nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.Column("entity_id", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "type", "value", name="pk_entity_crosswalks"),
        sa.ForeignKeyConstraint(["tenant_id", "entity_id"], ["entities.tenant_id", "entities.id"],
                                name="fk_entity_crosswalks_entity", ondelete="CASCADE"),
    )
    op.create_index("ix_entity_crosswalks_entity", "entity_crosswalks", ["tenant_id", "entity_id"])
    op.create_table(
        "change_requests",
        sa.Column("tenant_id", Tenant, nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("external_info", sa.Text, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_change_requests"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_change_requests_tenant_id_tenants",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_change_requests_creator", "change_requests", ["tenant_id", "created_by"])
    op.create_table(
        "change_items",
        sa.Column("tenant_id", Tenant, nullable=False),
        sa.Column("request_id", sa.String(16), nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("object_uri", sa.String(64), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("base_version", sa.Integer, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_change_items"),
        sa.ForeignKeyConstraint(["tenant_id", "request_id"], ["change_requests.tenant_id", "change_requests.id"],
                                name="fk_change_items_request", ondelete="CASCADE"),
    )
    op.create_index("ix_change_items_request", "change_items", ["tenant_id", "request_id", "position"])
    op.create_index("ix_change_items_object", "change_items", ["tenant_id", "object_uri"])


def downgrade() -> None:
    for table in ("change_items", "change_requests", "entity_crosswalks", "entities", "tenant_types",
                  "tenant_roles", "tenants"):
        op.drop_table(table)
    op.drop_index("uq_relations_ext_id", "relations")
    with op.batch_alter_table("relations") as batch:
        batch.drop_column("payload")
        batch.drop_column("ext_id")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("kind")

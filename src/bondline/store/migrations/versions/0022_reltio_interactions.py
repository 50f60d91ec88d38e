"""Reltio interactions and their members (docs/decisions/0024-reltio-configuration-activities.md).

Revision ID: 0022_reltio_interactions
Revises: 0021_reltio_search
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_reltio_interactions"
down_revision = "0021_reltio_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reltio_interactions",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("members", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_reltio_interactions"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE",
                                name="fk_reltio_interactions_tenant_id_tenants"),
    )
    op.create_table(
        "reltio_interaction_members",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(16), nullable=False),
        sa.Column("interaction_id", sa.String(16), nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "entity_id", "interaction_id", name="pk_reltio_interaction_members"),
        sa.ForeignKeyConstraint(["tenant_id", "interaction_id"], ["reltio_interactions.tenant_id",
                                                                  "reltio_interactions.id"],
                                ondelete="CASCADE", name="fk_reltio_interaction_members_interaction"),
    )
    op.create_index("ix_reltio_interaction_members_entity", "reltio_interaction_members",
                    ["tenant_id", "entity_id", "timestamp"])


def downgrade() -> None:
    op.drop_index("ix_reltio_interaction_members_entity", table_name="reltio_interaction_members")
    op.drop_table("reltio_interaction_members")
    op.drop_table("reltio_interactions")

"""Typed relations (favourites, likes, watches, app-defined relations).

Revision ID: 0002_relations
Revises: 0001_core
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_relations"
down_revision = "0001_core"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "relations",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("namespace", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("source_type", sa.String(32), nullable=False),
        sa.Column("source_key", sa.String(255), nullable=False),
        sa.Column("target_type", sa.String(32), nullable=False),
        sa.Column("target_key", sa.String(255), nullable=False),
        sa.Column("source_scope", BigId, nullable=True),
        sa.Column("target_scope", BigId, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_relations"),
        sa.UniqueConstraint("namespace", "name", "source_type", "source_key", "target_type", "target_key",
                            name="uq_relations_key"),
    )
    op.create_index("ix_relations_forward", "relations",
                    ["namespace", "source_type", "source_key", "name", "target_type", "id"])
    op.create_index("ix_relations_reverse", "relations",
                    ["namespace", "target_type", "target_key", "name", "source_type", "id"])


def downgrade() -> None:
    op.drop_table("relations")

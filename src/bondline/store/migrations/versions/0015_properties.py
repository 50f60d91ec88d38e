"""Content and space properties: JSON values by key, with versions.

Revision ID: 0015_properties
Revises: 0014_tree
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_properties"
down_revision = "0014_tree"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _properties(table: str, owner: str, owner_table: str) -> None:
    op.create_table(
        table,
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column(owner, BigId, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("minor_edit", sa.Boolean, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("updated_by", BigId, nullable=True),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint([owner], [f"{owner_table}.id"], name=f"fk_{table}_{owner}_{owner_table}",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name=f"fk_{table}_updated_by_users",
                                ondelete="SET NULL"),
        sa.UniqueConstraint(owner, "key", name=f"uq_{table}_{owner}_key"),
    )


def upgrade() -> None:
    _properties("content_properties", "content_id", "content")
    _properties("space_properties", "space_id", "spaces")


def downgrade() -> None:
    op.drop_table("space_properties")
    op.drop_table("content_properties")

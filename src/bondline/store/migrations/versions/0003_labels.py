"""Labels on content (what label watches point at).

Revision ID: 0003_labels
Revises: 0002_relations
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_labels"
down_revision = "0002_relations"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "labels",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_labels"),
        sa.UniqueConstraint("name", "prefix", name="uq_labels_name_prefix"),
    )
    op.create_table(
        "content_labels",
        sa.Column("content_id", BigId, nullable=False),
        sa.Column("label_id", BigId, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.PrimaryKeyConstraint("content_id", "label_id", name="pk_content_labels"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], name="fk_content_labels_content_id_content",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], name="fk_content_labels_label_id_labels",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_content_labels_created_by_users",
                                ondelete="SET NULL"),
    )
    op.create_index("ix_content_labels_label_id", "content_labels", ["label_id"])


def downgrade() -> None:
    op.drop_table("content_labels")
    op.drop_table("labels")

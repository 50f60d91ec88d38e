"""Labels on spaces: `space_labels` (GET/POST/DELETE /wiki/rest/api/space/{spaceKey}/label).

Revision ID: 0012_space_labels
Revises: 0011_ui_sessions
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_space_labels"
down_revision = "0011_ui_sessions"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "space_labels",
        sa.Column("space_id", BigId, nullable=False),
        sa.Column("label_id", BigId, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.PrimaryKeyConstraint("space_id", "label_id", name="pk_space_labels"),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], ondelete="CASCADE",
                                name="fk_space_labels_space_id_spaces"),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], ondelete="CASCADE",
                                name="fk_space_labels_label_id_labels"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL",
                                name="fk_space_labels_created_by_users"),
    )
    op.create_index("ix_space_labels_label_id", "space_labels", ["label_id"])


def downgrade() -> None:
    op.drop_index("ix_space_labels_label_id", table_name="space_labels")
    op.drop_table("space_labels")

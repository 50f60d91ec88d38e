"""Comments: `comments` (the container a comment is on, the comment it replies to, footer or inline,
an inline comment's properties and resolution). The comment itself is a `content` row of type
"comment" with its versions in `content_versions`.

Revision ID: 0017_comments
Revises: 0016_attachments
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_comments"
down_revision = "0016_attachments"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("content_id", BigId, nullable=False),
        sa.Column("container_id", BigId, nullable=False),
        sa.Column("parent_id", BigId, nullable=True),
        sa.Column("location", sa.String(16), nullable=False),
        sa.Column("inline_properties", sa.Text, nullable=True),
        sa.Column("resolution", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("content_id", name="pk_comments"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_comments_content_id_content"),
        sa.ForeignKeyConstraint(["container_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_comments_container_id_content"),
        sa.ForeignKeyConstraint(["parent_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_comments_parent_id_content"),
    )
    op.create_index("ix_comments_container_id", "comments", ["container_id"])
    op.create_index("ix_comments_parent_id", "comments", ["parent_id"])


def downgrade() -> None:
    op.drop_index("ix_comments_parent_id", table_name="comments")
    op.drop_index("ix_comments_container_id", table_name="comments")
    op.drop_table("comments")

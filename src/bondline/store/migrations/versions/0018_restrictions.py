"""Content restrictions: `content_restriction_users` and `content_restriction_groups` (who a page's
`read` and `update` are restricted to), and `read_guards` (the read restrictions that govern each
piece of content, inherited down the tree; decision 0018), and on `content` the two flags that say
whether any of them touches it (`read_guarded`, `update_restricted`).

Revision ID: 0018_restrictions
Revises: 0017_comments
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_restrictions"
down_revision = "0017_comments"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("content") as batch:
        batch.add_column(sa.Column("read_guarded", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("update_restricted", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_table(
        "content_restriction_users",
        sa.Column("content_id", BigId, nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("content_id", "operation", "user_id", name="pk_content_restriction_users"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_content_restriction_users_content_id_content"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_content_restriction_users_user_id_users"),
    )
    op.create_index("ix_content_restriction_users_user_id", "content_restriction_users", ["user_id"])
    op.create_table(
        "content_restriction_groups",
        sa.Column("content_id", BigId, nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("group_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("content_id", "operation", "group_id", name="pk_content_restriction_groups"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_content_restriction_groups_content_id_content"),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE",
                                name="fk_content_restriction_groups_group_id_groups"),
    )
    op.create_index("ix_content_restriction_groups_group_id", "content_restriction_groups", ["group_id"])
    op.create_table(
        "read_guards",
        sa.Column("content_id", BigId, nullable=False),
        sa.Column("guard_id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("content_id", "guard_id", name="pk_read_guards"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_read_guards_content_id_content"),
        sa.ForeignKeyConstraint(["guard_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_read_guards_guard_id_content"),
    )
    op.create_index("ix_read_guards_guard_id", "read_guards", ["guard_id"])


def downgrade() -> None:
    op.drop_index("ix_read_guards_guard_id", table_name="read_guards")
    op.drop_table("read_guards")
    op.drop_index("ix_content_restriction_groups_group_id", table_name="content_restriction_groups")
    op.drop_table("content_restriction_groups")
    op.drop_index("ix_content_restriction_users_user_id", table_name="content_restriction_users")
    op.drop_table("content_restriction_users")
    with op.batch_alter_table("content") as batch:
        batch.drop_column("update_restricted")
        batch.drop_column("read_guarded")

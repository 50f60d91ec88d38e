"""Core: users, API tokens, spaces and space roles, content with its versions, long tasks.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(128), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("site_admin", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("account_id", name="uq_users_account_id"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=True),
        sa.Column("revoked_at", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "spaces",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("private", sa.Boolean, nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_spaces"),
        sa.UniqueConstraint("key", name="uq_spaces_key"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_spaces_created_by_users", ondelete="SET NULL"),
    )
    op.create_table(
        "space_roles",
        sa.Column("space_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("space_id", "user_id", name="pk_space_roles"),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], name="fk_space_roles_space_id_spaces", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_space_roles_user_id_users", ondelete="CASCADE"),
    )
    op.create_index("ix_space_roles_user_id", "space_roles", ["user_id"])
    op.create_table(
        "content",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("space_id", BigId, nullable=False),
        sa.Column("parent_id", BigId, nullable=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("representation", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("version_message", sa.Text, nullable=False),
        sa.Column("minor_edit", sa.Boolean, nullable=False),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_by", BigId, nullable=True),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_content"),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], name="fk_content_space_id_spaces", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["content.id"], name="fk_content_parent_id_content",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_content_created_by_users", ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], name="fk_content_updated_by_users", ondelete="SET NULL"),
    )
    op.create_index("ix_content_parent_id", "content", ["parent_id"])
    op.create_index("ix_content_space_id_type_status_id", "content", ["space_id", "type", "status", "id"])
    op.create_table(
        "content_versions",
        sa.Column("content_id", BigId, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("representation", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("minor_edit", sa.Boolean, nullable=False),
        sa.Column("by", BigId, nullable=True),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("content_id", "number", name="pk_content_versions"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], name="fk_content_versions_content_id_content",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name="fk_content_versions_by_users", ondelete="SET NULL"),
    )
    op.create_table(
        "long_tasks",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("args", sa.Text, nullable=False),
        sa.Column("user_id", BigId, nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("finished_at", sa.BigInteger, nullable=True),
        sa.Column("successful", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_long_tasks"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_long_tasks_user_id_users", ondelete="CASCADE"),
    )


def downgrade() -> None:
    for table in ("long_tasks", "content_versions", "content", "space_roles", "spaces", "api_tokens", "users"):
        op.drop_table(table)

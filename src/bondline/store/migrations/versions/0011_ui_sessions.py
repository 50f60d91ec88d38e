"""The review inbox's sessions live in the database: `ui_sessions`.

A session cookie used to be signed with a key kept in `server_secrets` (`ui_session`), so anyone with
a copy of the database could sign in as anyone, and signing out left the cookie valid. Now the
cookie carries a random secret, and this table holds only its SHA-256 (with the token the session
stands for, and when it ends); signing out deletes the row. The old key signs nothing any more, so
it is deleted here: sessions from before this revision end, and their users sign in again.

Revision ID: 0011_ui_sessions
Revises: 0010_token_parents
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_ui_sessions"
down_revision = "0010_token_parents"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ui_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("token_id", sa.String(16), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name="pk_ui_sessions"),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], ondelete="CASCADE",
                                name="fk_ui_sessions_token_id_api_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_ui_sessions_user_id_users"),
    )
    op.create_index("ix_ui_sessions_token_id", "ui_sessions", ["token_id"])
    op.create_index("ix_ui_sessions_user_id", "ui_sessions", ["user_id"])
    op.create_index("ix_ui_sessions_expires_at", "ui_sessions", ["expires_at"])
    secrets = sa.table("server_secrets", sa.column("name", sa.String))
    op.execute(secrets.delete().where(secrets.c.name == "ui_session"))


def downgrade() -> None:
    # The key is not restored: the older code makes a new one on first use (everyone signs in again).
    op.drop_index("ix_ui_sessions_expires_at", table_name="ui_sessions")
    op.drop_index("ix_ui_sessions_user_id", table_name="ui_sessions")
    op.drop_index("ix_ui_sessions_token_id", table_name="ui_sessions")
    op.drop_table("ui_sessions")

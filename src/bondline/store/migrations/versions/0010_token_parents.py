"""Tokens minted from another token remember it: `api_tokens.parent_id`.

`POST /oauth/token` turns an API token into an access and a refresh token; they must die with it
(revocation, expiry, deletion of it or its user). Each minted token points at the API token it came
from, and is checked against it on every use (services/auth.py). OAuth tokens minted before this
revision have no known parent, so they are revoked here: their clients sign in again (Reltio's
clients do so by themselves on a 401).

Revision ID: 0010_token_parents
Revises: 0009_change_request_indexes
Create Date: 2026-12-07
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0010_token_parents"
down_revision = "0009_change_request_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("parent_id", sa.String(16), nullable=True))
        batch.create_foreign_key("fk_api_tokens_parent_id_api_tokens", "api_tokens", ["parent_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index("ix_api_tokens_parent_id", ["parent_id"])
    tokens = sa.table("api_tokens", sa.column("kind", sa.String), sa.column("revoked_at", sa.BigInteger))
    op.execute(tokens.update().where(tokens.c.kind != "api", tokens.c.revoked_at.is_(None))
               .values(revoked_at=int(time.time() * 1000)))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_index("ix_api_tokens_parent_id")
        batch.drop_constraint("fk_api_tokens_parent_id_api_tokens", type_="foreignkey")
        batch.drop_column("parent_id")

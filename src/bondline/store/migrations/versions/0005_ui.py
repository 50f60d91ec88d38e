"""The review inbox (/ui/): server secrets (the key that signs session cookies, generated on first
use and shared by every worker through the database), and an index to list a tenant's change
requests by state.

Revision ID: 0005_ui
Revises: 0004_reltio
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_ui"
down_revision = "0004_reltio"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_server_secrets"),
    )
    op.create_index("ix_change_requests_state", "change_requests", ["tenant_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_change_requests_state", table_name="change_requests")
    op.drop_table("server_secrets")

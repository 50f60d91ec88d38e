"""A version of each tenant's types (a new random value whenever they are replaced), so workers
may keep a tenant's parsed types and know, from the row every Reltio request reads anyway, when
another worker replaced them.

Revision ID: 0008_tenant_types_version
Revises: 0007_webhooks
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_tenant_types_version"
down_revision = "0007_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("types_version", sa.BigInteger, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("types_version")

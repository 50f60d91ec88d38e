"""Who resolved or reopened an inline comment, and when (v2's `resolutionLastModifierId` and
`resolutionLastModifiedAt`; docs/decisions/0020-confluence-v2.md).

Revision ID: 0027_v2_rest
Revises: 0026_reltio_relation_values
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_v2_rest"
down_revision = "0026_reltio_relation_values"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("resolved_by", BigId, nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.BigInteger, nullable=True))
        batch.create_foreign_key("fk_comments_resolved_by_users", "users", ["resolved_by"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("comments") as batch:
        batch.drop_constraint("fk_comments_resolved_by_users", type_="foreignkey")
        batch.drop_column("resolved_at")
        batch.drop_column("resolved_by")

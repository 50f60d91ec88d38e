"""Reltio merges (who was merged into whom, with what the loser was, for unmerge) and not-match
marks (docs/decisions/0026-reltio-match-merge.md).

Revision ID: 0024_reltio_merge
Revises: 0023_reltio_workflow
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_reltio_merge"
down_revision = "0023_reltio_workflow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reltio_merges",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("loser_id", sa.String(16), nullable=False),
        sa.Column("winner_id", sa.String(16), nullable=False),
        sa.Column("snapshot", sa.Text, nullable=False),
        sa.Column("merged_at", sa.BigInteger, nullable=False),
        sa.Column("merged_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "loser_id", name="pk_reltio_merges"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE",
                                name="fk_reltio_merges_tenant_id_tenants"),
    )
    op.create_index("ix_reltio_merges_winner", "reltio_merges", ["tenant_id", "winner_id"])
    op.create_table(
        "reltio_not_matches",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(16), nullable=False),
        sa.Column("other_id", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "entity_id", "other_id", name="pk_reltio_not_matches"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE",
                                name="fk_reltio_not_matches_tenant_id_tenants"),
    )


def downgrade() -> None:
    op.drop_table("reltio_not_matches")
    op.drop_index("ix_reltio_merges_winner", table_name="reltio_merges")
    op.drop_table("reltio_merges")

"""Reltio relation search by attribute values: `relation_values`, one row per attribute value of
every Reltio relation (docs/decisions/0023-reltio-graph.md), written by ReltioRelationRepo with each
relation write, and filled here from the relations already stored.

Revision ID: 0026_reltio_relation_values
Revises: 0024_reltio_merge
Create Date: 2026-12-07
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0026_reltio_relation_values"
down_revision = "0024_reltio_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bondline.domain.reltio.filters import relation_rows
    from bondline.domain.reltio.objects import ReltioRelation

    bind = op.get_bind()
    text = sa.String(256).with_variant(sa.String(256, collation="C"), "postgresql")
    op.create_table(
        "relation_values",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("relation_id", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("grp", sa.String(16), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.Column("lvalue", text, nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.Column("num", sa.Float, nullable=True),
        sa.Column("ov", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "relation_id", "position", name="pk_relation_values"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_relation_values_tenant", ondelete="CASCADE"),
    )
    op.create_index("ix_relation_values_text", "relation_values", ["tenant_id", "path", "lvalue", "relation_id"])
    op.create_index("ix_relation_values_num", "relation_values", ["tenant_id", "path", "num", "relation_id"])
    insert = sa.text("INSERT INTO relation_values (tenant_id, relation_id, position, path, grp, value, lvalue, words,"
                     " num, ov) VALUES (:tenant, :relation, :position, :path, :grp, :value, :lvalue, :words, :num,"
                     " :ov)")
    result = bind.execute(sa.text("SELECT namespace, ext_id, payload FROM relations"
                                  " WHERE namespace LIKE 'reltio/%' AND ext_id IS NOT NULL"))
    for row in result.fetchall():
        tenant = row[0][len("reltio/"):]
        payload = json.loads(row[2]) if row[2] else {}
        relation = ReltioRelation(tenant, row[1], "", "", "", payload.get("attributes") or {}, [], {}, 1, 0, "", 0, "")
        params = [{"tenant": tenant, "relation": row[1], "position": i, "path": v.path, "grp": v.group,
                   "value": v.value, "lvalue": v.lowered, "words": v.words, "num": v.number, "ov": v.ov}
                  for i, v in enumerate(relation_rows(relation))]
        if params:
            bind.execute(insert, params)


def downgrade() -> None:
    op.drop_table("relation_values")

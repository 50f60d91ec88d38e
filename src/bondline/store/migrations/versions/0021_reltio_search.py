"""Reltio entity search: `entity_values`, one row per attribute value, tag, label and crosswalk of
every entity (docs/decisions/0022-reltio-search.md), written by EntityRepo with each entity write,
and filled here from the entities already stored.

Revision ID: 0021_reltio_search
Revises: 0019_search
Create Date: 2026-12-07
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0021_reltio_search"
down_revision = "0019_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bondline.domain.reltio.filters import index_rows
    from bondline.domain.reltio.objects import ReltioEntity

    bind = op.get_bind()
    text = sa.String(256).with_variant(sa.String(256, collation="C"), "postgresql")
    op.create_table(
        "entity_values",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("grp", sa.String(16), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.Column("lvalue", text, nullable=False),
        sa.Column("words", sa.Text, nullable=False),
        sa.Column("num", sa.Float, nullable=True),
        sa.Column("ov", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "entity_id", "position", name="pk_entity_values"),
        sa.ForeignKeyConstraint(["tenant_id", "entity_id"], ["entities.tenant_id", "entities.id"],
                                name="fk_entity_values_entity", ondelete="CASCADE"),
    )
    op.create_index("ix_entity_values_text", "entity_values", ["tenant_id", "path", "lvalue", "entity_id"])
    op.create_index("ix_entity_values_num", "entity_values", ["tenant_id", "path", "num", "entity_id"])
    insert = sa.text("INSERT INTO entity_values (tenant_id, entity_id, position, path, grp, value, lvalue, words,"
                     " num, ov) VALUES (:tenant, :entity, :position, :path, :grp, :value, :lvalue, :words, :num,"
                     " :ov)")
    result = bind.execute(sa.text("SELECT tenant_id, id, type, attributes, crosswalks, tags, label FROM entities"))
    for row in result.fetchall():
        entity = ReltioEntity(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]), json.loads(row[5]),
                              [], row[6], "", 1, 0, "", 0, "")
        params = [{"tenant": row[0], "entity": row[1], "position": i, "path": v.path, "grp": v.group,
                   "value": v.value, "lvalue": v.lowered, "words": v.words, "num": v.number, "ov": v.ov}
                  for i, v in enumerate(index_rows(entity))]
        if params:
            bind.execute(insert, params)


def downgrade() -> None:
    op.drop_table("entity_values")

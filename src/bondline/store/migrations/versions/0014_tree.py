"""The page tree: `content.position` orders siblings, `space_homepages` names each space's home page.

Positions of existing content are their ids, so siblings keep the order they were created in.
Every space gets its home page here, as Confluence's spaces have one from their creation: a space
without one adopts its current page titled "<name> Home" when there is one, else gets a new empty
page of that title by its creator. (The migration does it, not the first read that needs it, so that
reads never write and every space, listing and backup shows the same tree from now on.)

Revision ID: 0014_tree
Revises: 0013_groups
Create Date: 2026-12-08
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0014_tree"
down_revision = "0013_groups"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_content = sa.table(
    "content", sa.column("id", BigId), sa.column("type", sa.String), sa.column("status", sa.String),
    sa.column("space_id", BigId), sa.column("parent_id", BigId), sa.column("title", sa.String),
    sa.column("body", sa.Text), sa.column("representation", sa.String), sa.column("version", sa.Integer),
    sa.column("version_message", sa.Text), sa.column("minor_edit", sa.Boolean), sa.column("created_by", BigId),
    sa.column("created_at", sa.BigInteger), sa.column("updated_by", BigId), sa.column("updated_at", sa.BigInteger),
    sa.column("position", sa.Integer))
_versions = sa.table(
    "content_versions", sa.column("content_id", BigId), sa.column("number", sa.Integer),
    sa.column("title", sa.String), sa.column("body", sa.Text), sa.column("representation", sa.String),
    sa.column("status", sa.String), sa.column("message", sa.Text), sa.column("minor_edit", sa.Boolean),
    sa.column("by", BigId), sa.column("at", sa.BigInteger))
_spaces = sa.table("spaces", sa.column("id", BigId), sa.column("name", sa.String), sa.column("created_by", BigId))
_homepages = sa.table("space_homepages", sa.column("space_id", BigId), sa.column("content_id", BigId))


def upgrade() -> None:
    with op.batch_alter_table("content") as batch:
        batch.add_column(sa.Column("position", sa.Integer, nullable=False, server_default="0"))
    op.execute(_content.update().values(position=_content.c.id))
    op.create_table(
        "space_homepages",
        sa.Column("space_id", BigId, nullable=False),
        sa.Column("content_id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("space_id", name="pk_space_homepages"),
        sa.ForeignKeyConstraint(["space_id"], ["spaces.id"], ondelete="CASCADE",
                                name="fk_space_homepages_space_id_spaces"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_space_homepages_content_id_content"),
        sa.UniqueConstraint("content_id", name="uq_space_homepages_content_id"),
    )
    bind = op.get_bind()
    now = int(time.time() * 1000)
    for space_id, name, created_by in bind.execute(sa.select(_spaces.c.id, _spaces.c.name, _spaces.c.created_by)):
        title = f"{name} Home"[:255]
        page_id = bind.execute(sa.select(_content.c.id).where(
            _content.c.space_id == space_id, _content.c.type == "page", _content.c.status == "current",
            _content.c.title == title).order_by(_content.c.id).limit(1)).scalar()
        if page_id is None:
            page_id = bind.execute(_content.insert().values(
                type="page", status="current", space_id=space_id, parent_id=None, title=title, body="",
                representation="storage", version=1, version_message="", minor_edit=False, created_by=created_by,
                created_at=now, updated_by=created_by, updated_at=now, position=0).returning(_content.c.id)).scalar()
            bind.execute(_content.update().where(_content.c.id == page_id).values(position=page_id))
            bind.execute(_versions.insert().values(
                content_id=page_id, number=1, title=title, body="", representation="storage", status="current",
                message="", minor_edit=False, by=created_by, at=now))
        bind.execute(_homepages.insert().values(space_id=space_id, content_id=page_id))


def downgrade() -> None:
    op.drop_table("space_homepages")
    with op.batch_alter_table("content") as batch:
        batch.drop_column("position")

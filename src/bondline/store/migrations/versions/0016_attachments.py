"""Attachments: `attachments` (which page or blog post holds an attachment) and
`attachment_versions` (each version's media type, size, comment and the SHA-256 naming its blob in
the blob store). The attachment itself is a `content` row of type "attachment" with its versions in
`content_versions`, as pages have.

Revision ID: 0016_attachments
Revises: 0015_properties
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_attachments"
down_revision = "0015_properties"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("content_id", BigId, nullable=False),
        sa.Column("container_id", BigId, nullable=False),
        sa.PrimaryKeyConstraint("content_id", name="pk_attachments"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_attachments_content_id_content"),
        sa.ForeignKeyConstraint(["container_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_attachments_container_id_content"),
    )
    op.create_index("ix_attachments_container_id", "attachments", ["container_id"])
    op.create_table(
        "attachment_versions",
        sa.Column("content_id", BigId, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("media_type", sa.String(255), nullable=False),
        sa.Column("file_size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("content_id", "number", name="pk_attachment_versions"),
        sa.ForeignKeyConstraint(["content_id"], ["content.id"], ondelete="CASCADE",
                                name="fk_attachment_versions_content_id_content"),
    )
    op.create_index("ix_attachment_versions_sha256", "attachment_versions", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_attachment_versions_sha256", table_name="attachment_versions")
    op.drop_table("attachment_versions")
    op.drop_index("ix_attachments_container_id", table_name="attachments")
    op.drop_table("attachments")

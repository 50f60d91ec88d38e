"""Reltio's workflow: DCR review process instances, their objects, tasks and comments
(docs/decisions/0025-reltio-workflow.md).

Revision ID: 0023_reltio_workflow
Revises: 0022_reltio_interactions
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_reltio_workflow"
down_revision = "0022_reltio_interactions"
branch_labels = None
depends_on = None

_PROCESS_FK = (["tenant_id", "process_id"], ["reltio_wf_processes.tenant_id", "reltio_wf_processes.id"])


def upgrade() -> None:
    op.create_table(
        "reltio_wf_processes",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("process_type", sa.String(64), nullable=False),
        sa.Column("object_uris", sa.Text, nullable=False),
        sa.Column("change_request_id", sa.String(16), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("ended_at", sa.BigInteger, nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_reltio_wf_processes"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE",
                                name="fk_reltio_wf_processes_tenant_id_tenants"),
    )
    # not starting with tenant_id: foreign key checks find the parent by its key (see migration 0009)
    op.create_index("ix_reltio_wf_processes_request", "reltio_wf_processes", ["change_request_id", "tenant_id"])
    op.create_table(
        "reltio_wf_objects",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("uri", sa.String(255), nullable=False),
        sa.Column("process_id", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "uri", "process_id", name="pk_reltio_wf_objects"),
        sa.ForeignKeyConstraint(*_PROCESS_FK, ondelete="CASCADE", name="fk_reltio_wf_objects_process"),
    )
    op.create_table(
        "reltio_wf_tasks",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("process_id", sa.String(16), nullable=False),
        sa.Column("process_type", sa.String(64), nullable=False),
        sa.Column("task_type", sa.String(64), nullable=False),
        sa.Column("object_uris", sa.Text, nullable=False),
        sa.Column("assignee", sa.String(255), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("due_at", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(32), nullable=True),
        sa.Column("closed_at", sa.BigInteger, nullable=True),
        sa.Column("closed_by", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_reltio_wf_tasks"),
        sa.ForeignKeyConstraint(*_PROCESS_FK, ondelete="CASCADE", name="fk_reltio_wf_tasks_process"),
    )
    op.create_index("ix_reltio_wf_tasks_state", "reltio_wf_tasks", ["tenant_id", "state", "created_at"])
    op.create_index("ix_reltio_wf_tasks_process", "reltio_wf_tasks", ["tenant_id", "process_id"])
    op.create_table(
        "reltio_wf_comments",
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("process_id", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("time", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_reltio_wf_comments"),
        sa.ForeignKeyConstraint(*_PROCESS_FK, ondelete="CASCADE", name="fk_reltio_wf_comments_process"),
    )
    op.create_index("ix_reltio_wf_comments_process", "reltio_wf_comments", ["tenant_id", "process_id", "time"])


def downgrade() -> None:
    op.drop_index("ix_reltio_wf_comments_process", table_name="reltio_wf_comments")
    op.drop_table("reltio_wf_comments")
    op.drop_index("ix_reltio_wf_tasks_process", table_name="reltio_wf_tasks")
    op.drop_index("ix_reltio_wf_tasks_state", table_name="reltio_wf_tasks")
    op.drop_table("reltio_wf_tasks")
    op.drop_table("reltio_wf_objects")
    op.drop_index("ix_reltio_wf_processes_request", table_name="reltio_wf_processes")
    op.drop_table("reltio_wf_processes")

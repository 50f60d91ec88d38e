"""The change requests' secondary indexes lead with state and creator, not with tenant_id.

PostgreSQL checks change_items' foreign key with a query it plans once per connection. On a new
database the tables are empty and never analyzed, and an index on (tenant_id, state) then costs the
same as the key (tenant_id, id); the cached plan that picks it scans a tenant's every change request
on each item insert (~1 ms of the database's CPU per staged change, growing with the table, until
autovacuum's ANALYZE forces a new plan). With no other index starting with tenant_id the check can
only use the key. The queries these indexes serve name both columns with `=`, so the order does
not matter to them.

Revision ID: 0009_change_request_indexes
Revises: 0008_tenant_types_version
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0009_change_request_indexes"
down_revision = "0008_tenant_types_version"
branch_labels = None
depends_on = None


def _recreate(columns: dict[str, list[str]]) -> None:
    for name, cols in columns.items():
        op.drop_index(name, table_name="change_requests")
        op.create_index(name, "change_requests", cols)


def upgrade() -> None:
    _recreate({"ix_change_requests_creator": ["created_by", "tenant_id"],
               "ix_change_requests_state": ["state", "tenant_id"]})


def downgrade() -> None:
    _recreate({"ix_change_requests_creator": ["tenant_id", "created_by"],
               "ix_change_requests_state": ["tenant_id", "state"]})

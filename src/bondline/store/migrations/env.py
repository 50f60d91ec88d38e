"""Alembic environment. bondline passes an open connection (see bondline.store.migrate); the
`alembic` command line works too, reading BONDLINE_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from bondline.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from bondline.store import migrate
    from bondline.store.urls import parse

    migrate._run(parse(os.environ.get("BONDLINE_DATABASE_URL", "sqlite:///bondline.db")), _run)

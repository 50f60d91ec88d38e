"""Storage: one interface (`Store`), one backend per database, Alembic migrations for both."""

from __future__ import annotations

from bondline.config import Settings
from bondline.domain.errors import Busy, Unavailable
from bondline.store.base import IntegrityViolation, Store, StoreError
from bondline.store.urls import DatabaseURL, DatabaseURLError, parse


def create_store(settings: Settings, *, serving: bool = False) -> Store:
    """The backend for `settings.database_url` (not yet opened). `serving`: a server's store, which
    marks the database as in use while it is open, so `bondline restore` refuses (store/inuse.py)."""
    url = parse(settings.database_url)
    if url.kind == "sqlite":
        from bondline.store.sqlite import SQLiteStore

        return SQLiteStore(url.path, settings.sqlite_synchronous, settings.read_cache, serving=serving)
    from bondline.store.inuse import application_name
    from bondline.store.postgres import PostgresStore

    return PostgresStore(url, settings.pg_pool_size, settings.read_cache,
                         connect_timeout=settings.db_connect_timeout, pool_timeout=settings.db_pool_timeout,
                         statement_timeout=settings.db_statement_timeout,
                         long_timeout=settings.db_long_statement_timeout,
                         application_name=application_name(url) if serving else None,
                         replica_url=parse(settings.pg_replica_url) if settings.pg_replica_url else None,
                         replica_mode=settings.pg_replica_mode)


__all__ = ["Busy", "Unavailable", "DatabaseURL", "DatabaseURLError", "IntegrityViolation", "Store", "StoreError",
           "create_store", "parse"]

"""Storage: one interface (`Store`), one backend per database, Alembic migrations for both."""

from __future__ import annotations

from bondline.config import Settings
from bondline.domain.errors import Busy, Unavailable
from bondline.store.base import IntegrityViolation, Store, StoreError
from bondline.store.urls import DatabaseURL, DatabaseURLError, parse


def create_store(settings: Settings) -> Store:
    """The backend for `settings.database_url` (not yet opened)."""
    url = parse(settings.database_url)
    if url.kind == "sqlite":
        from bondline.store.sqlite import SQLiteStore

        return SQLiteStore(url.path, settings.sqlite_synchronous, settings.read_cache)
    from bondline.store.postgres import PostgresStore

    return PostgresStore(url, settings.pg_pool_size, settings.read_cache,
                         connect_timeout=settings.db_connect_timeout, pool_timeout=settings.db_pool_timeout,
                         statement_timeout=settings.db_statement_timeout,
                         long_timeout=settings.db_long_statement_timeout)


__all__ = ["Busy", "Unavailable", "DatabaseURL", "DatabaseURLError", "IntegrityViolation", "Store", "StoreError",
           "create_store", "parse"]

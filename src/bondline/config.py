"""Settings, read once from the environment (and overridden by CLI flags).

Every setting has a default that works on a fresh machine: the database is an embedded SQLite file
in the working directory, created and migrated on first start.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

DEFAULT_DATABASE_URL = "sqlite:///bondline.db"


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default  # unset or empty: the default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Base URL rendered into `_links` (e.g. https://bondline.example.com). When empty, links are
    # derived from the request's Host header and scheme, which is right behind most proxies.
    public_url: str = ""
    # How long a verified token stays cached in a worker. Revocation takes effect at once in the
    # process that revoked it and within this many seconds in every other worker.
    auth_cache_seconds: float = 1.0
    # Largest request body accepted; larger bodies get 413 before they are read.
    max_body_bytes: int = 1024 * 1024
    # Seconds a request's whole body may take to arrive; then 408 and the connection is closed (a
    # client that declares a body and never sends it would otherwise hold its connection forever).
    body_timeout: float = 30.0
    # SQLite `PRAGMA synchronous`: NORMAL survives a process crash (every acknowledged write is in
    # the WAL); FULL also survives power loss (fsync per commit). See docs/durability.md.
    sqlite_synchronous: str = "NORMAL"
    # PostgreSQL connection pool size per worker process.
    pg_pool_size: int = 10
    # A streaming replica of the PostgreSQL database (a postgresql:// URL; empty: none). Reads go to it
    # only where the client's consistency token allows (docs/decisions/0029); writes, authentication
    # and reads of write requests always use the primary. The same pool size per worker.
    pg_replica_url: str = dataclasses.field(default="", repr=False)
    # Where a read whose request carries no consistency token goes while a replica is configured:
    # "primary" (always current) or "replica" (such callers tolerate staleness).
    pg_replica_mode: str = "primary"
    # Bounded waits on PostgreSQL (seconds): opening a connection, waiting for a free one in the pool,
    # one statement of a request (the client stops waiting and the server cancels it), one statement
    # of a long job (bulk import, applying a large change request). Past any of them the request gets
    # 503 with Retry-After. `readyz_timeout` bounds /readyz's own check of the database.
    db_connect_timeout: float = 5.0
    db_pool_timeout: float = 5.0
    db_statement_timeout: float = 5.0
    db_long_statement_timeout: float = 600.0
    readyz_timeout: float = 2.0
    # Each worker keeps the hot single-object reads until anything is committed (decisions 0011,
    # 0012); off: every read asks the database.
    read_cache: bool = True
    # Test mode (`bondline serve --ephemeral`): the control endpoints under /api/v1/_ (reset, seed,
    # faults, journal) answer instead of 404, and requests are journaled.
    test_mode: bool = False
    # In test mode: how many requests the journal keeps (oldest dropped first), and how many bytes
    # of each request and response body.
    journal_size: int = 1000
    journal_body_bytes: int = 64 * 1024
    # Fault injection (latency, 429, 5xx, dropped connections) as a JSON document; empty = none.
    # Off by default: without faults and test mode the request path is the plain application.
    faults: str = ""
    # Logs: "text" or "json" (one object per line, with the request id); `access_log` adds a line
    # per request (method, path without the query string, status, duration, request id, caller).
    log_format: str = "text"
    access_log: bool = False
    # Prometheus metrics at /metrics (requests, latency, database pool, change requests by state).
    metrics: bool = True
    # Label change-request counts by tenant: off, since anyone who can scrape would read every
    # tenant's id (on for scrapers inside the operator's network).
    metrics_tenant_labels: bool = False
    # When set, /metrics answers only `Authorization: Bearer <this>` (else 401); empty: no credentials.
    metrics_token: str = dataclasses.field(default="", repr=False)
    # Webhooks: run the dispatcher in this process (`bondline serve --no-dispatch` turns it off; the
    # default here is off so an embedded App does not deliver unless asked, while from_env says on);
    # per-attempt timeout, first retry delay (doubling each time), attempts before a delivery is dead,
    # how long a dispatcher's lease on a delivery lasts, and how often an idle dispatcher looks.
    dispatch: bool = False
    webhook_timeout: float = 10.0
    webhook_backoff_base: float = 10.0
    webhook_max_attempts: int = 8
    webhook_lease_seconds: float = 60.0
    dispatch_interval: float = 1.0
    # Deliver to loopback, link-local, unspecified and multicast addresses (127.0.0.1, ::1,
    # 169.254.169.254, …). Off: a webhook there is refused when registered and when delivered, so a
    # site admin cannot aim the server at its own ports or at the cloud's metadata service. Private
    # networks (10/8, 172.16/12, 192.168/16, fc00::/7) are allowed either way: receivers of a
    # self-hosted server live there. Test mode allows them too (`allows_local_webhooks`).
    webhook_allow_local: bool = False
    # Attachments: the largest file one upload may carry (bytes), and the directory their data lives
    # in (empty: next to the SQLite database, or ./bondline-blobs/<database> for PostgreSQL). Workers
    # on several machines need one shared directory: a shared filesystem's path, the same on each
    # (docs/decisions/0017-attachment-blobs.md).
    attachment_max_bytes: int = 100 * 1024 * 1024
    blob_dir: str = ""
    # Reltio: start a `dataChangeRequestReview` process for every change request a data-API write
    # creates (Reltio starts none by itself; on for test setups that want a task per request).
    reltio_review_autostart: bool = False

    @property
    def allows_local_webhooks(self) -> bool:
        """A test server (`serve --ephemeral`) is a test setup: its tests' receivers listen on 127.0.0.1."""
        return self.webhook_allow_local or self.test_mode

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        values: dict[str, Any] = {  # each field's value, parsed to the field's type
            "database_url": os.environ.get("BONDLINE_DATABASE_URL") or DEFAULT_DATABASE_URL,
            "public_url": os.environ.get("BONDLINE_PUBLIC_URL", ""),
            "auth_cache_seconds": _env_float("BONDLINE_AUTH_CACHE_SECONDS", 1.0),
            "max_body_bytes": _env_int("BONDLINE_MAX_BODY_BYTES", 1024 * 1024),
            "body_timeout": _env_float("BONDLINE_BODY_TIMEOUT", 30.0),
            "sqlite_synchronous": os.environ.get("BONDLINE_SQLITE_SYNCHRONOUS", "NORMAL").upper(),
            "pg_pool_size": _env_int("BONDLINE_PG_POOL_SIZE", 10),
            "pg_replica_url": os.environ.get("BONDLINE_PG_REPLICA_URL", ""),
            "pg_replica_mode": os.environ.get("BONDLINE_PG_REPLICA_MODE", "primary").lower() or "primary",
            "db_connect_timeout": _env_float("BONDLINE_DB_CONNECT_TIMEOUT", 5.0),
            "db_pool_timeout": _env_float("BONDLINE_DB_POOL_TIMEOUT", 5.0),
            "db_statement_timeout": _env_float("BONDLINE_DB_STATEMENT_TIMEOUT", 5.0),
            "db_long_statement_timeout": _env_float("BONDLINE_DB_LONG_STATEMENT_TIMEOUT", 600.0),
            "readyz_timeout": _env_float("BONDLINE_READYZ_TIMEOUT", 2.0),
            "read_cache": os.environ.get("BONDLINE_READ_CACHE", "1") not in ("0", "false", "no"),
            "test_mode": os.environ.get("BONDLINE_TEST_MODE", "") in ("1", "true", "yes"),
            "journal_size": _env_int("BONDLINE_JOURNAL_SIZE", 1000),
            "journal_body_bytes": _env_int("BONDLINE_JOURNAL_BODY_BYTES", 64 * 1024),
            "faults": os.environ.get("BONDLINE_FAULTS", ""),
            "log_format": os.environ.get("BONDLINE_LOG_FORMAT", "text").lower() or "text",
            "access_log": os.environ.get("BONDLINE_ACCESS_LOG", "") in ("1", "true", "yes"),
            "metrics": os.environ.get("BONDLINE_METRICS", "1") not in ("0", "false", "no"),
            "metrics_tenant_labels": os.environ.get("BONDLINE_METRICS_TENANT_LABELS", "") in ("1", "true", "yes"),
            "metrics_token": os.environ.get("BONDLINE_METRICS_TOKEN", ""),
            "dispatch": os.environ.get("BONDLINE_DISPATCH", "1") not in ("0", "false", "no"),
            "webhook_timeout": _env_float("BONDLINE_WEBHOOK_TIMEOUT", 10.0),
            "webhook_backoff_base": _env_float("BONDLINE_WEBHOOK_BACKOFF_BASE", 10.0),
            "webhook_max_attempts": _env_int("BONDLINE_WEBHOOK_MAX_ATTEMPTS", 8),
            "webhook_lease_seconds": _env_float("BONDLINE_WEBHOOK_LEASE_SECONDS", 60.0),
            "dispatch_interval": _env_float("BONDLINE_DISPATCH_INTERVAL", 1.0),
            "webhook_allow_local": os.environ.get("BONDLINE_WEBHOOK_ALLOW_LOCAL", "") in ("1", "true", "yes"),
            "attachment_max_bytes": _env_int("BONDLINE_ATTACHMENT_MAX_BYTES", 100 * 1024 * 1024),
            "blob_dir": os.environ.get("BONDLINE_BLOB_DIR", ""),
            "reltio_review_autostart": os.environ.get("BONDLINE_RELTIO_REVIEW_AUTOSTART", "") in ("1", "true", "yes"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if settings.sqlite_synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError("BONDLINE_SQLITE_SYNCHRONOUS must be one of OFF, NORMAL, FULL, EXTRA")
        if settings.webhook_max_attempts < 1 or settings.webhook_timeout <= 0 or settings.webhook_lease_seconds <= 0:
            raise ValueError("BONDLINE_WEBHOOK_MAX_ATTEMPTS, _TIMEOUT and _LEASE_SECONDS must be positive")
        if settings.webhook_lease_seconds <= settings.webhook_timeout:
            raise ValueError("BONDLINE_WEBHOOK_LEASE_SECONDS must be longer than BONDLINE_WEBHOOK_TIMEOUT")
        if min(settings.db_connect_timeout, settings.db_pool_timeout, settings.db_statement_timeout,
               settings.db_long_statement_timeout, settings.readyz_timeout) <= 0:
            raise ValueError("BONDLINE_DB_*_TIMEOUT and BONDLINE_READYZ_TIMEOUT must be positive (seconds)")
        if settings.body_timeout <= 0:
            raise ValueError("BONDLINE_BODY_TIMEOUT must be positive")
        if settings.attachment_max_bytes < 1:
            raise ValueError("BONDLINE_ATTACHMENT_MAX_BYTES must be positive")
        if settings.pg_replica_mode not in ("primary", "replica"):
            raise ValueError("BONDLINE_PG_REPLICA_MODE must be primary or replica")
        if settings.pg_replica_url and not settings.pg_replica_url.startswith("postgres"):
            raise ValueError("BONDLINE_PG_REPLICA_URL must be a postgresql:// URL")
        if settings.pg_replica_url and not settings.database_url.startswith("postgres"):
            raise ValueError("BONDLINE_PG_REPLICA_URL needs a PostgreSQL BONDLINE_DATABASE_URL")
        if settings.log_format not in ("text", "json"):
            raise ValueError("BONDLINE_LOG_FORMAT must be text or json")
        return settings

    def to_env(self) -> dict[str, str]:
        """The environment that makes `from_env` in a worker process return these settings."""
        return {
            "BONDLINE_DATABASE_URL": self.database_url,
            "BONDLINE_PUBLIC_URL": self.public_url,
            "BONDLINE_AUTH_CACHE_SECONDS": str(self.auth_cache_seconds),
            "BONDLINE_MAX_BODY_BYTES": str(self.max_body_bytes),
            "BONDLINE_BODY_TIMEOUT": str(self.body_timeout),
            "BONDLINE_SQLITE_SYNCHRONOUS": self.sqlite_synchronous,
            "BONDLINE_PG_POOL_SIZE": str(self.pg_pool_size),
            "BONDLINE_PG_REPLICA_URL": self.pg_replica_url,
            "BONDLINE_PG_REPLICA_MODE": self.pg_replica_mode,
            "BONDLINE_DB_CONNECT_TIMEOUT": str(self.db_connect_timeout),
            "BONDLINE_DB_POOL_TIMEOUT": str(self.db_pool_timeout),
            "BONDLINE_DB_STATEMENT_TIMEOUT": str(self.db_statement_timeout),
            "BONDLINE_DB_LONG_STATEMENT_TIMEOUT": str(self.db_long_statement_timeout),
            "BONDLINE_READYZ_TIMEOUT": str(self.readyz_timeout),
            "BONDLINE_READ_CACHE": "1" if self.read_cache else "0",
            "BONDLINE_TEST_MODE": "1" if self.test_mode else "",
            "BONDLINE_JOURNAL_SIZE": str(self.journal_size),
            "BONDLINE_JOURNAL_BODY_BYTES": str(self.journal_body_bytes),
            "BONDLINE_FAULTS": self.faults,
            "BONDLINE_LOG_FORMAT": self.log_format,
            "BONDLINE_ACCESS_LOG": "1" if self.access_log else "",
            "BONDLINE_METRICS": "1" if self.metrics else "0",
            "BONDLINE_METRICS_TENANT_LABELS": "1" if self.metrics_tenant_labels else "",
            "BONDLINE_METRICS_TOKEN": self.metrics_token,
            "BONDLINE_DISPATCH": "1" if self.dispatch else "0",
            "BONDLINE_WEBHOOK_TIMEOUT": str(self.webhook_timeout),
            "BONDLINE_WEBHOOK_BACKOFF_BASE": str(self.webhook_backoff_base),
            "BONDLINE_WEBHOOK_MAX_ATTEMPTS": str(self.webhook_max_attempts),
            "BONDLINE_WEBHOOK_LEASE_SECONDS": str(self.webhook_lease_seconds),
            "BONDLINE_DISPATCH_INTERVAL": str(self.dispatch_interval),
            "BONDLINE_WEBHOOK_ALLOW_LOCAL": "1" if self.webhook_allow_local else "",
            "BONDLINE_ATTACHMENT_MAX_BYTES": str(self.attachment_max_bytes),
            "BONDLINE_BLOB_DIR": self.blob_dir,
            "BONDLINE_RELTIO_REVIEW_AUTOSTART": "1" if self.reltio_review_autostart else "",
        }

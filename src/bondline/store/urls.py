"""Database URLs: what users type, and what each driver needs.

Accepted forms:
- ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``, ``sqlite:///:memory:`` is refused
  (every worker would get its own database);
- ``postgresql://user:pass@host:port/db`` (also ``postgres://`` and ``postgresql+asyncpg://``),
  with an optional ``?search_path=schema`` that bondline applies on every connection.
"""

from __future__ import annotations

import dataclasses
import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class DatabaseURLError(ValueError):
    pass


@dataclasses.dataclass(slots=True)
class DatabaseURL:
    kind: str  # "sqlite" | "postgresql"
    path: str = ""  # sqlite file path
    dsn: str = ""  # postgresql DSN without bondline's own parameters
    search_path: str | None = None

    @property
    def sqlalchemy_url(self) -> str:
        """The URL SQLAlchemy (Alembic) connects with."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        return "postgresql+asyncpg" + self.dsn[len("postgresql"):]

    @property
    def schema(self) -> str | None:
        """The schema bondline's tables go in: the first of ?search_path= (None: the server's default)."""
        if not self.search_path:
            return None
        first = self.search_path.split(",")[0].strip()
        if first.startswith('"') and first.endswith('"') and len(first) > 1:
            first = first[1:-1].replace('""', '"')
        return None if first in ("", "$user") else first

    def redacted(self) -> str:
        """The URL without its password (with its ?search_path=, which says where bondline's tables are)."""
        if self.kind == "sqlite":
            return f"sqlite:///{self.path}"
        parts = urlsplit(self.dsn)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
        query = parts.query
        if self.search_path:
            query = "&".join(q for q in (query, urlencode({"search_path": self.search_path})) if q)
        return urlunsplit(parts._replace(netloc=netloc, query=query))

    def described(self) -> str:
        """Which data, in words, for a prompt that is about to replace it: the file, or the schema
        of which database on which server."""
        if self.kind == "sqlite":
            return f"the SQLite database {self.path}"
        parts = urlsplit(self.dsn)
        database = parts.path.lstrip("/") or parts.username or "postgres"
        where = parts.hostname or "localhost"
        schema = self.schema or "public"
        return f"schema {schema} of PostgreSQL database {database} on {where} ({self.redacted()})"


def parse(url: str) -> DatabaseURL:
    if url.startswith("sqlite:"):
        if not url.startswith("sqlite:///"):
            raise DatabaseURLError("a SQLite URL looks like sqlite:///path/to/bondline.db")
        path = url[len("sqlite:///"):]
        if not path or path == ":memory:":
            raise DatabaseURLError("bondline needs a SQLite file path (an in-memory database is per process)")
        return DatabaseURL("sqlite", path=os.path.abspath(path))
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            rest = url[len(prefix):]
            parts = urlsplit("postgresql://" + rest)
            query = dict(parse_qsl(parts.query))
            search_path = query.pop("search_path", None)
            dsn = urlunsplit(parts._replace(query=urlencode(query)))
            return DatabaseURL("postgresql", dsn=dsn, search_path=search_path)
    raise DatabaseURLError(
        f"unsupported database URL {url.split('://')[0]}://…; use sqlite:///file.db or postgresql://…"
    )

"""Logging: one JSON object per line (for log shippers) or readable text, every line carrying the
request id of the request it belongs to.

The server's worker processes configure logging from `config()` (Granian applies it in each worker).
Lines never carry credentials: the access log records the method, the path without its query string,
the status, the duration, the request id and the caller's accountId — never headers or bodies.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
from typing import Any

FORMATS = ("text", "json")

# The id of the request being served, for log lines only (the HTTP layer sets it around each request;
# use cases get the request id they record in the audit trail handed to them, in `Caller`).
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("bondline_request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged as a field.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime",
                                                                                   "request_id"}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request being served (None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", "request_id", ...extra fields, "exc"}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`[LEVEL] logger: message key=value … (request id)`."""

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in record.__dict__.items()
                          if k not in _STANDARD and not k.startswith("_"))
        line = f"[{record.levelname}] {record.name}: {record.getMessage()}"
        if fields:
            line += " " + fields
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line += f" [{request_id}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def config(fmt: str = "text", level: str = "info", stream: str = "ext://sys.stdout") -> dict[str, Any]:
    """A `logging.config.dictConfig` document for the server (bondline's loggers and Granian's)."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    formatter = "bondline.logs.JsonFormatter" if fmt == "json" else "bondline.logs.TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "bondline.logs.RequestIdFilter"}},
        "formatters": {"bondline": {"()": formatter}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "stream": stream, "formatter": "bondline",
                        "filters": ["request_id"]},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": level.upper(), "propagate": False},
            # bondline writes its own access log (with request ids); Granian's stays off.
            "granian.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "bondline": {"handlers": ["console"], "level": level.upper(), "propagate": False},
            # asked for with --access-log, so shown whatever the level
            "bondline.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }

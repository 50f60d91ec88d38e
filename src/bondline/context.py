"""Per-request context that deep layers may read without every call passing it along: the
request id (logs, the audit trail) and who is acting (the audit trail).

The HTTP layer sets both for each request; command-line work runs as the operator."""

from __future__ import annotations

import contextvars

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("bondline_request_id", default=None)
actor: contextvars.ContextVar[str] = contextvars.ContextVar("bondline_actor", default="bondline-operator")

"""Reading the audit trail (site admins over HTTP; the operator at the command line)."""

from __future__ import annotations

from bondline.domain import access
from bondline.domain.audit import AuditEntry
from bondline.domain.errors import Invalid
from bondline.domain.model import Caller
from bondline.store import Store

MAX_PAGE = 500


async def entries(store: Store, caller: Caller | None, *, actor: str | None = None, object: str | None = None,
                  prefix: str | None = None, since_ms: int | None = None, before_id: int | None = None,
                  limit: int = 100) -> list[AuditEntry]:
    """Newest first. `caller` None is the operator at the CLI."""
    if caller is not None:
        access.require_site_admin(caller, "read the audit log")
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}")
    async with store.read() as tx:
        return await tx.audit.entries(actor=actor, object=object, prefix=prefix, since_ms=since_ms,
                                      before_id=before_id, limit=limit)

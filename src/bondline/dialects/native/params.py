"""Query parameters of bondline's own endpoints (/api/v1)."""

from __future__ import annotations

from bondline.domain.errors import Invalid, is_decimal
from bondline.http import Request


def integer(req: Request, name: str, default: int | None) -> int | None:
    """A non-negative integer parameter (`default` when absent); 400 for anything else."""
    raw = req.q(name)
    if raw is None:
        return default
    if not is_decimal(raw) or len(raw) > 18:
        raise Invalid(f"'{name}' must be a positive integer")
    return int(raw)

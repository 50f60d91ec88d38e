"""Server secrets: random keys generated on first use and stored in the database, so every worker
process (and every host in front of one PostgreSQL) uses the same one."""

from __future__ import annotations

import secrets

from bondline import ids
from bondline.domain.audit import SYSTEM_ACTOR
from bondline.store import IntegrityViolation, Store

KEY_BYTES = 32


async def shared_key(store: Store, name: str) -> bytes:
    """The key called `name`, created (random, 256 bits) by whichever process asks first."""
    async with store.read() as tx:
        value = await tx.secrets.get(name)
    if value is None:
        try:
            async with store.write(SYSTEM_ACTOR) as tx:
                value = await tx.secrets.get(name)
                if value is None:
                    value = secrets.token_hex(KEY_BYTES)
                    await tx.secrets.add(name, value, ids.now_ms())
        except IntegrityViolation:  # another process stored it between our read and our write
            async with store.read() as tx:
                value = await tx.secrets.get(name)
    assert value is not None
    return bytes.fromhex(value)

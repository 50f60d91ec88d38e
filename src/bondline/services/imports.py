"""Bulk import of relations from a JSON Lines file (`bondline import relations FILE`).

Rows are validated by the domain, their entities looked up (content and spaces in bulk, once),
and inserted in batches, each batch its own transaction: a crash mid-import leaves whole batches,
and running the import again finishes it (rows already there are skipped, never duplicated).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

import sqlalchemy as sa

from bondline import ids
from bondline.domain.audit import Actor, Change
from bondline.domain.errors import Invalid
from bondline.domain.imports import ImportedRelation, parse_line
from bondline.domain.relations import CONFLUENCE
from bondline.store import Store
from bondline.store.tables import content, relations, spaces, users

COLUMNS = ("namespace", "name", "source_type", "source_key", "target_type", "target_key", "source_scope",
           "target_scope", "version", "created_at", "created_by", "updated_at", "updated_by")
KEY = ("namespace", "name", "source_type", "source_key", "target_type", "target_key")
_content_spaces = sa.select(content.c.id, content.c.space_id, content.c.version)
_space_ids = sa.select(spaces.c.key, spaces.c.id)
_account_ids = sa.select(users.c.account_id)


@dataclasses.dataclass(slots=True)
class ImportResult:
    lines: int = 0
    imported: int = 0
    existing: int = 0


class _Directory:
    """Which entities exist, and the space that governs each (loaded once for the whole file)."""

    def __init__(self, content_rows: Iterable[tuple[int, int, int]], space_rows: Iterable[tuple[str, int]],
                 accounts: Iterable[str]) -> None:
        self.content = {cid: (space_id, version) for cid, space_id, version in content_rows}
        self.spaces = dict(space_rows)
        self.accounts = set(accounts)

    def scope(self, row: ImportedRelation, side: str) -> int | None:
        ref = getattr(row, side)
        if ref.type == "user":
            if ref.key not in self.accounts:
                raise Invalid(f"line {row.line}: no user with accountId {ref.key}")
            return None
        if ref.type == "space":
            if ref.key not in self.spaces:
                raise Invalid(f"line {row.line}: no space with key {ref.key}")
            return self.spaces[ref.key]
        found = self.content.get(int(ref.key))
        if found is None:
            raise Invalid(f"line {row.line}: no content with id {ref.key}")
        if ref.version is not None and ref.version >= found[1]:
            raise Invalid(f"line {row.line}: content {ref.key} has no historical version {ref.version}")
        return found[0]


async def import_relations(store: Store, lines: Iterable[bytes], *, created_by: str, batch_size: int = 10_000,
                           progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import every relation in `lines`; stops at the first invalid line (Invalid names it).
    `progress` is called with the number of lines done after each batch."""
    async with store.read() as tx:
        directory = _Directory(await tx.conn.all(_content_spaces), await tx.conn.all(_space_ids),
                               [r[0] for r in await tx.conn.all(_account_ids)])
    result = ImportResult()
    pending: list[tuple[object, ...]] = []

    async def flush() -> None:
        if not pending:
            return
        async with store.write(Actor(created_by)) as tx:
            new = await tx.conn.insert_missing(relations, COLUMNS, KEY, pending)
            # A bulk load is recorded per batch (what it brought), not per row.
            tx.record(Change("relations.import", f"import/lines/{result.lines - len(pending) + 1}-{result.lines}",
                             None, {"rows": len(pending), "new": new}))
        result.imported += new
        result.existing += len(pending) - new
        pending.clear()
        if progress is not None:
            progress(result.lines)

    now = ids.now_ms()
    for number, raw in enumerate(lines, start=1):
        row = parse_line(raw, number)
        result.lines = number
        if row is None:
            continue
        pending.append((CONFLUENCE, row.name, row.source.type, row.source.stored_key, row.target.type,
                        row.target.stored_key, directory.scope(row, "source"), directory.scope(row, "target"), 1,
                        now, created_by, now, created_by))
        if len(pending) >= batch_size:
            await flush()
    await flush()
    if result.imported:
        await store.refresh_statistics(["relations"])
    return result

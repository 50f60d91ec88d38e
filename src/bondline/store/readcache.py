"""A worker's memory of recent SQLite reads, valid exactly as long as the database is unchanged.

Why: a served relation check spends more time around its one SQLite statement than in it. The
`sqlite3` module releases the GIL for every step of a statement, and under load one of granian's
threads takes it each time, so the event loop's thread waits to get it back: the statement costs
11 µs in a loop, while answering the same check without it took 76 µs of the worker's CPU per
request instead of 133 µs (`bench/profile.py --cpu`, docs/performance.md). Even `PRAGMA
data_version`, the documented way to ask whether the database changed, is a statement and gives
most of that back. So the question "has anything been committed since?" is answered without SQLite.

How: in WAL mode every connection to a database, in any process, shares the wal-index, a file
named like the database plus ``-shm`` that SQLite maps into memory. Its first 96 bytes are the
wal-index header, twice (https://sqlite.org/walformat.html, "The WAL-Index Header"): a change
counter, the last committed frame, the WAL's salts and checksums. A writer rewrites the header as
the last step of every commit — the second copy, a memory barrier, then the first — and it is this
header, read the same way, that tells SQLite's own readers what they may see. If both copies agree
and equal the header seen when a row was read, no transaction has committed since, so reading the
row again would give the same answer. A copy that disagrees (a commit under way) means "do not
use the cache". Checkpoints only copy pages into the database file and leave the header alone; a
WAL that starts over changes the salts, so it reads as a change too (harmless: the cache empties).

Correctness rests on three things the code below keeps: the header is read *before* the statement
runs (a row read at a newer state than its header is filed under a version that never comes back);
only statements whose answer depends on nothing but the stored rows and their parameters are cached
(`Conn.one_cached`: no clock, no randomness in the SQL); and only the reader connection caches,
never a write transaction (which must see its own uncommitted changes). The header is read from SQLite's
own mapping of the file (WalIndexHeader says why not through a descriptor of our own), only while the
store's reader connection is open: that keeps the mapping in place and keeps any other process from
resetting the file (SQLite does that only when it is the only connection).

A database whose mapping is not found (no ``-shm`` file, an in-memory database, no /proc) has no cache.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Hashable
from typing import Any

HEADER = 48  # one copy of the wal-index header (WalIndexHdr)
# Rows kept before the memory starts over. Small on purpose: every kept row is a few objects the
# garbage collector walks in each full collection, and with 10,000 rows kept (random relation GETs
# over 10,000 keys) the PostgreSQL watch status GET that followed answered at p99 25 ms instead of
# 4 ms, and 15-16 k instead of 18-19 k req/s; 4,096 and 2,048 rows: 5 ms, 1,000: 3.9 ms
# (docs/performance.md). The hot rows of a workload are few; a wider spread is not worth keeping.
LIMIT = 1024
MISS = object()


class WalIndexHeader:
    """The wal-index header of one SQLite database, read where SQLite itself maps it in this process.

    Not through a descriptor of our own: POSIX drops every lock a process holds on a file when any
    one of its descriptors on that file is closed, so opening and closing the ``-shm`` file (or an
    `mmap`, which keeps a copy of the descriptor) would silently take SQLite's locks away from this
    process's connections — its readers' marks, and the lock that stops another process from
    resetting the file. SQLite maps the file's first region once per process and keeps it mapped
    at one address while any connection to the database is open here; the store keeps its reader
    open for as long as it reads this header. The mapping is found in /proc/self/maps (Linux); where
    there is none, there is no cache."""

    __slots__ = ("_address",)

    def __init__(self, address: int) -> None:
        self._address: int | None = address

    @classmethod
    def open(cls, database_path: str) -> WalIndexHeader | None:
        """The header of `database_path`, which a connection of this process must hold open in WAL
        mode and have read from (that maps the file); None when no such mapping is found."""
        try:
            found = os.stat(database_path + "-shm")
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
                lines = maps.readlines()
        except OSError:
            return None
        device = f"{os.major(found.st_dev):02x}:{os.minor(found.st_dev):02x}"
        for line in lines:
            # address perms offset dev inode path: SQLite's is shared (s), from offset 0
            fields = line.split(None, 5)
            if (len(fields) == 6 and fields[2] == "00000000" and fields[3] == device
                    and fields[4] == str(found.st_ino) and fields[1].startswith("r") and fields[1][3] == "s"):
                start, end = (int(x, 16) for x in fields[0].split("-"))
                if end - start >= 2 * HEADER:
                    return cls(start)
        return None

    def version(self) -> bytes | None:
        """The header as it is now, or None while a commit is rewriting it (the copies differ)."""
        if self._address is None:
            return None
        # the first copy, then the second: the opposite of the order the writer writes them in
        both = ctypes.string_at(self._address, 2 * HEADER)
        first = both[:HEADER]
        return first if first == both[HEADER:] else None

    def close(self) -> None:
        """Stop reading (before the connections that keep the mapping alive are closed)."""
        self._address = None


class Payoff:
    """Whether the cache earns what it costs — on PostgreSQL a snapshot round trip, on SQLite keeping
    rows that the garbage collector then walks (random relation GETs over 10,000 keys, 1,024 kept:
    6.6 k req/s with the cache, 7.2-7.3 k without) — judged by the share of hits among the last WINDOW
    lookups. At least MIN_HITS of them: every read uses the cache. Fewer: one read in SAMPLE does
    (so the cache fills again and the next window can tell when it pays again), the rest ask the
    database directly — as correct as the cache, only without it."""

    WINDOW = 64
    MIN_HITS = 16  # a quarter
    SAMPLE = 32

    __slots__ = ("_lookups", "_hits", "_paying", "_turn")

    def __init__(self) -> None:
        self._lookups = 0
        self._hits = 0
        self._paying = True
        self._turn = 0

    def use(self) -> bool:
        """Whether this read should go through the cache."""
        if self._paying:
            return True
        self._turn += 1
        return self._turn % self.SAMPLE == 0

    def count(self, hit: bool) -> None:
        """A lookup's outcome (after `use()` returned True)."""
        self._lookups += 1
        self._hits += hit
        if self._lookups >= self.WINDOW:
            self._paying = self._hits >= self.MIN_HITS
            self._lookups = self._hits = 0


class ReadCache:
    """Rows read by a reader, filed under the database version they were read at: SQLite's wal-index
    header (`current()`), or PostgreSQL's snapshot (`at()`, store/pgsnapshot.py)."""

    __slots__ = ("_header", "_version", "_rows", "hits", "misses", "payoff")

    def __init__(self, header: WalIndexHeader | None = None) -> None:
        self._header = header
        self.payoff = Payoff()  # readers ask `payoff.use()` first; `get` counts its lookups
        self._version: Hashable | None = None
        self._rows: dict[Hashable, Any] = {}
        self.hits = 0
        self.misses = 0

    def current(self) -> bool:
        """Bring the cache up to the database's present state, read from the header; False when it
        cannot be used now. Call it before running the statement whose result `put` will keep."""
        return self._header is not None and self.at(self._header.version())

    def at(self, version: Hashable | None) -> bool:
        """Bring the cache up to `version`, the database's state as read just now (None: unknown, do
        not use the cache). The statement whose result `put` keeps must run after it was read."""
        if version is None:
            return False
        if version != self._version:
            self._rows.clear()
            self._version = version
        return True

    def still_at(self, version: Hashable) -> bool:
        """Whether the cache is at `version` (no reader has brought it to another one since)."""
        return version == self._version

    def get(self, key: Hashable) -> Any:
        """The row kept for `key` (after `current()` returned True), or MISS."""
        found = self._rows.get(key, MISS)
        if found is MISS:
            self.misses += 1
            self.payoff.count(False)
        else:
            self.hits += 1
            self.payoff.count(True)
        return found

    def put(self, key: Hashable, row: Any, version: Hashable | None = None) -> None:
        """Keep `row` for `key`. With `version` (the one given to `at` before the statement ran),
        only if the cache is still at it: a reader that waited between the two (PostgreSQL) may
        find that another request moved the cache on meanwhile, and its row may be older than that."""
        if version is not None and version != self._version:
            return
        if len(self._rows) >= LIMIT:
            self._rows.clear()
        self._rows[key] = row

    def close(self) -> None:
        self._rows.clear()
        self._version = None
        if self._header is not None:
            self._header.close()

"""The blob store: attachment data as files on disk, named by their SHA-256.

A blob is written to a temporary file in the store's own `tmp/` directory while it streams in (never
held in memory), hashed as it goes, flushed to disk, and then renamed to `ab/cd/<sha256>` in one
atomic step: a reader finds a whole file or none, and two uploads of the same bytes end as one file.
Reads stream the file in chunks and check it against the checksum the database keeps.

Every worker must see every blob, so the directory is shared by all of them: on one machine any
directory is (the default sits next to the SQLite database, or in the working directory for
PostgreSQL); workers on several machines need a shared filesystem (NFS, EFS, …) mounted at the same
path, set as BONDLINE_BLOB_DIR (docs/decisions/0017-attachment-blobs.md).

Blobs no row refers to any more are removed by the sweep (`services.attachments.sweep`), but only
once they are older than `GRACE_SECONDS`: an upload writes its blob before the transaction that
refers to it commits, and a sweep must not take the blob from under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit

from bondline.store.urls import DatabaseURL, parse

CHUNK = 64 * 1024
READ_CHUNK = 64 * 1024
GRACE_SECONDS = 3600.0
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _open_for_reading(path: str) -> Any:
    return open(path, "rb")  # the caller closes it


class BlobCorrupt(Exception):
    """A blob is missing, or its bytes no longer match the checksum kept for them."""


def default_dir(url: DatabaseURL) -> str:
    """Next to the SQLite database (`bondline.db` → `bondline.db-blobs`); for PostgreSQL, a directory
    in the working directory named after the database (and schema), which the workers of one
    machine share. Workers on several machines set BONDLINE_BLOB_DIR to a shared path instead."""
    if url.kind == "sqlite":
        return os.path.abspath(url.path) + "-blobs"
    name = urlsplit(url.dsn).path.strip("/") or "bondline"
    if url.search_path:
        name = f"{name}.{url.search_path}"
    return os.path.abspath(os.path.join("bondline-blobs", re.sub(r"[^A-Za-z0-9._-]", "_", str(name))))


def for_settings(blob_dir: str, database_url: str) -> BlobStore:
    """The blob store a server with these settings uses."""
    return BlobStore(blob_dir or default_dir(parse(database_url)))


class BlobWriter:
    """One blob being written: `write` chunks, then `finish` (or `abort`)."""

    def __init__(self, store: BlobStore) -> None:
        self._store = store
        os.makedirs(store.tmp, exist_ok=True)
        self.temp = os.path.join(store.tmp, secrets.token_hex(12))
        self._file: Any = open(self.temp, "xb")  # closed by finish or abort
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        self._file.write(data)
        self._hash.update(data)
        self.size += len(data)

    def finish(self) -> tuple[str, int, bool]:
        """Put the blob in place: its SHA-256, its size, and whether the file is new (False: the same
        bytes were stored already)."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        digest = self._hash.hexdigest()
        target = self._store.path(digest)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        new = not os.path.exists(target)
        # Replacing an existing blob with the same bytes also renews its age, so a sweep that finds
        # it unreferenced meanwhile leaves it to the transaction about to refer to it.
        os.replace(self.temp, target)
        return digest, self.size, new

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp)


class BlobStore:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.tmp = os.path.join(self.root, "tmp")

    def path(self, sha256: str) -> str:
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256: {sha256[:80]!r}")
        return os.path.join(self.root, sha256[:2], sha256[2:4], sha256)

    def writer(self) -> BlobWriter:
        return BlobWriter(self)

    def verify(self, sha256: str, size: int) -> None:
        """Read the blob through and compare it with its checksum and size (BlobCorrupt if not)."""
        digest = hashlib.sha256()
        seen = 0
        try:
            with open(self.path(sha256), "rb") as f:
                while chunk := f.read(CHUNK):
                    digest.update(chunk)
                    seen += len(chunk)
        except FileNotFoundError:
            raise BlobCorrupt(f"blob {sha256} is missing") from None
        if seen != size or digest.hexdigest() != sha256:
            raise BlobCorrupt(f"blob {sha256} does not match its checksum ({seen} bytes read, {size} expected)")

    async def chunks(self, sha256: str) -> AsyncIterator[bytes]:
        """The blob, a chunk at a time, each read in a thread (a shared filesystem may be slow to
        answer, and the event loop serves everyone else meanwhile)."""
        f = _open_for_reading(self.path(sha256))
        try:
            while chunk := await asyncio.to_thread(f.read, READ_CHUNK):
                yield chunk
        finally:
            f.close()

    def remove(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(sha256))

    def names(self) -> Iterable[str]:
        """Every blob's SHA-256."""
        if not os.path.isdir(self.root):
            return
        for first in sorted(os.listdir(self.root)):
            top = os.path.join(self.root, first)
            if len(first) != 2 or not os.path.isdir(top):
                continue
            for second in sorted(os.listdir(top)):
                inner = os.path.join(top, second)
                if os.path.isdir(inner):
                    yield from (n for n in sorted(os.listdir(inner)) if _SHA256.fullmatch(n))

    def older_than(self, grace: float, candidates: Iterable[str] | None = None) -> list[str]:
        """The blobs (all, or those of `candidates` that exist) last written more than `grace` seconds
        ago: those a sweep may remove when nothing refers to them."""
        now = time.time()
        out = []
        for name in list(self.names() if candidates is None else candidates):
            try:
                if now - os.stat(self.path(name)).st_mtime >= grace:
                    out.append(name)
            except FileNotFoundError:
                continue
        return out

    def clean_tmp(self, grace: float) -> None:
        """Remove the temporary files of uploads cut short (a killed worker leaves them)."""
        if not os.path.isdir(self.tmp):
            return
        now = time.time()
        for name in os.listdir(self.tmp):
            path = os.path.join(self.tmp, name)
            with contextlib.suppress(FileNotFoundError):
                if now - os.stat(path).st_mtime >= grace:
                    os.unlink(path)

    # --- backups ----------------------------------------------------------------------------------
    def copy_to(self, target: str) -> tuple[int, int]:
        """Copy every blob into `target` (same layout); returns (blobs, bytes)."""
        count = total = 0
        for name in self.names():
            source = self.path(name)
            dest = os.path.join(target, name[:2], name[2:4], name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copyfile(source, dest + ".partial")
            os.replace(dest + ".partial", dest)
            count += 1
            total += os.path.getsize(dest)
        return count, total

    def copy_from(self, source: str) -> int:
        """Put the blobs of a backup (`source`, written by `copy_to`) in this store, each checked
        against its name first; returns how many were copied."""
        other = BlobStore(source)
        names = list(other.names())
        for name in names:  # all checked before any is copied: a damaged backup puts nothing back
            try:
                other.verify(name, os.path.getsize(other.path(name)))
            except BlobCorrupt as exc:
                raise BlobCorrupt(f"the backup's {exc}") from None
        count = 0
        for name in names:
            dest = self.path(name)
            if os.path.exists(dest):
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            os.makedirs(self.tmp, exist_ok=True)
            temp = os.path.join(self.tmp, secrets.token_hex(12))
            shutil.copyfile(other.path(name), temp)
            os.replace(temp, dest)
            count += 1
        return count

"""Look at a SQLite file before anything opens it for writing.

Reads the 100-byte header directly, so a file that is not ours is never touched: SQLite
itself would happily turn a foreign database into WAL mode or add tables to it.
"""

from __future__ import annotations

import sqlite3
import struct
from enum import Enum
from pathlib import Path

from clubdesk.errors import DatabaseEnvironmentError, DbProblem

# PRAGMA application_id stored at header offset 68: "CLBD".
APPLICATION_ID = 0x434C4244
SQLITE_MAGIC = b"SQLite format 3\x00"


class FileState(Enum):
    NEW = "new"  # missing or empty: safe to create
    CLUBDESK = "clubdesk"


def inspect_sqlite_file(path: Path) -> FileState:
    """Classify ``path``; raise DatabaseEnvironmentError for anything we must not open."""
    if not path.exists():
        return FileState.NEW
    if path.is_dir():
        raise DatabaseEnvironmentError(DbProblem.CANNOT_OPEN, str(path), "is a directory")
    try:
        size = path.stat().st_size
        if size == 0:
            return FileState.NEW
        with path.open("rb") as fh:
            header = fh.read(100)
    except PermissionError as exc:
        raise DatabaseEnvironmentError(DbProblem.CANNOT_OPEN, str(path), str(exc)) from exc
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise DatabaseEnvironmentError(DbProblem.NOT_SQLITE, str(path))
    (page_size_raw,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size_raw == 1 else page_size_raw
    (change_counter,) = struct.unpack(">I", header[24:28])
    (page_count,) = struct.unpack(">I", header[28:32])
    (application_id,) = struct.unpack(">I", header[68:72])
    (valid_for,) = struct.unpack(">I", header[92:96])
    if page_size < 512 or page_size & (page_size - 1):
        raise DatabaseEnvironmentError(DbProblem.CORRUPT, str(path), f"page size {page_size}")
    # Committed pages still in the write-ahead log (a crash before a checkpoint) can
    # hold a newer header than the main file: then ask SQLite, read-only.
    wal = path.with_name(path.name + "-wal")
    wal_pending = wal.exists() and wal.stat().st_size > 0
    if application_id == 0:
        # Either a ClubDesk file whose header still sits in the log, or a database
        # another counter is creating right now (no tables yet, nothing to lose).
        application_id, tables = _look_inside(path)
        if application_id == 0 and tables == 0:
            return FileState.NEW
    if application_id != APPLICATION_ID:
        raise DatabaseEnvironmentError(DbProblem.NOT_CLUBDESK, str(path))
    # The in-header page count is only trustworthy when its version stamp matches and
    # no checkpoint was cut short (a crash mid-checkpoint leaves a longer count in a
    # shorter file, which SQLite recovers from the log).
    if not wal_pending and change_counter == valid_for and size < page_count * page_size:
        raise DatabaseEnvironmentError(
            DbProblem.TRUNCATED, str(path), f"{size} bytes < {page_count} pages × {page_size}"
        )
    return FileState.CLUBDESK


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only SQLite connection to ``path``.

    Through as_uri(), which percent-encodes '#', '?' and '%': a hand-built ``file:``
    URI misreads such paths (and once backed up an empty database instead).
    """
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _look_inside(path: Path) -> tuple[int, int]:
    """(application_id, number of schema objects) as SQLite sees them, read-only;
    (0, -1) when SQLite cannot read the file either."""
    try:
        conn = connect_read_only(path)
        try:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            objects = int(conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0])
            return app_id, objects
        finally:
            conn.close()
    except sqlite3.Error:
        return 0, -1

"""Look at a SQLite file before anything opens it for writing.

Reads the 100-byte header directly, so a file that is not ours is never touched: SQLite
itself would happily turn a foreign database into WAL mode or add tables to it.
"""

from __future__ import annotations

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
    if application_id != APPLICATION_ID:
        raise DatabaseEnvironmentError(DbProblem.NOT_CLUBDESK, str(path))
    # The in-header page count is only trustworthy when its version stamp matches.
    if change_counter == valid_for and size < page_count * page_size:
        raise DatabaseEnvironmentError(
            DbProblem.TRUNCATED, str(path), f"{size} bytes < {page_count} pages × {page_size}"
        )
    return FileState.CLUBDESK

"""Copies of a SQLite database through SQLite's online backup API.

The backup API copies a consistent snapshot while other connections keep working, which
a plain file copy of a WAL database would not.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from clubdesk.db.guard import connect_read_only
from clubdesk.paths import backup_dir

BACKUP_SUFFIX = ".sqlite3"


def backup_sqlite(source: Path, label: str, folder: Path | None = None, keep: int = 10) -> Path:
    """Write a snapshot of ``source`` to ``folder`` and keep the newest ``keep`` per label."""
    folder = folder or backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{source.stem}-{label}-{stamp}{BACKUP_SUFFIX}"
    src = connect_read_only(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    _verify(target)
    _rotate(folder, f"{source.stem}-{label}-", keep)
    return target


def _verify(copy: Path) -> None:
    """A backup that cannot be read back is no backup: fail before anything relies on it."""
    conn = connect_read_only(copy)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        status = conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()
    if "alembic_version" not in tables or status != "ok":
        copy.unlink(missing_ok=True)
        raise OSError(f"backup {copy} is incomplete ({status})")


def _rotate(folder: Path, prefix: str, keep: int) -> None:
    copies = sorted(p for p in folder.glob(f"{prefix}*{BACKUP_SUFFIX}"))
    for old in copies[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)

"""Copies of a SQLite database through SQLite's online backup API.

The backup API copies a consistent snapshot while other connections keep working, which
a plain file copy of a WAL database would not.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from clubdesk.paths import backup_dir

BACKUP_SUFFIX = ".sqlite3"


def backup_sqlite(source: Path, label: str, folder: Path | None = None, keep: int = 10) -> Path:
    """Write a snapshot of ``source`` to ``folder`` and keep the newest ``keep`` per label."""
    folder = folder or backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{source.stem}-{label}-{stamp}{BACKUP_SUFFIX}"
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    _rotate(folder, f"{source.stem}-{label}-", keep)
    return target


def _rotate(folder: Path, prefix: str, keep: int) -> None:
    copies = sorted(p for p in folder.glob(f"{prefix}*{BACKUP_SUFFIX}"))
    for old in copies[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)

"""Where generated rows go: straight into SQLite through the driver, or through
SQLAlchemy Core for PostgreSQL.

Rows arrive as tuples of plain values, dates and times already in the text form
SQLAlchemy's SQLite dialect stores ("2026-11-23 09:30:00.000000"), booleans as 0/1.
That is what a million members need to be cheap on SQLite; the Core sink turns the
values back into Python objects, which only costs time on the small PostgreSQL seeds.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from itertools import chain
from typing import Any

from sqlalchemy import Boolean, Connection, Date, DateTime, Table, Time, text

from clubdesk.db.engine import Database
from clubdesk.models import Base

Row = tuple[Any, ...]

# Tables whose secondary indexes are dropped for the bulk load and built afterwards:
# building an index once is far cheaper than keeping it sorted under a million inserts.
BULK_TABLES = ("members", "cards", "ledger")
# Rows per INSERT statement on SQLite (fewer when the columns would pass SQLite's
# limit on parameters).  One statement per row (executemany) costs a trip through the
# driver and, with the writer thread, a hand-over of the GIL for every row; with 500
# rows a statement and the writer's shorter switch interval (demo._Writer) the
# million-member seed went from about 85 s to about 61 s.
ROWS_PER_STATEMENT = 500


class SqliteSink:
    """Bulk writer on the raw pysqlite connection.

    The engine runs pysqlite with ``isolation_level=None``, so transactions are ours to
    open and close.  While loading: no fsync (a crash leaves a demo database to throw
    away), foreign keys off (the rows are generated consistent, and checking costs
    several index look-ups per row; the tests run PRAGMA foreign_key_check), a large
    page cache for the unique indexes that cannot be dropped, and two sorter threads
    for CREATE INDEX.  ``close`` puts every setting back before the connection returns to the pool.
    """

    def __init__(self, db: Database) -> None:
        # A second writer thread needs a connection that may cross threads, which
        # SQLAlchemy gives file databases but not in-memory ones.
        self.threads_ok = db.path is not None and str(db.path) != ":memory:"
        self._proxy = db.raw_sqlite_connection()
        conn = getattr(self._proxy, "driver_connection", None) or self._proxy
        self._conn: sqlite3.Connection = conn
        self._saved: dict[str, Any] = {}
        self._dropped: list[str] = []
        self._in_tx = False
        # 999 before SQLite 3.32, 32766 since; some builds allow more.
        self._max_variables = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)

    def open(self) -> None:
        for pragma in ("synchronous", "foreign_keys", "cache_size", "threads"):
            self._saved[pragma] = self._conn.execute(f"PRAGMA {pragma}").fetchone()[0]
        self._conn.execute("PRAGMA foreign_keys=OFF")  # only outside a transaction
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("PRAGMA cache_size=-262144")  # 256 MiB
        self._conn.execute("PRAGMA threads=2")  # CREATE INDEX sorts on both cores

    def close(self) -> None:
        try:
            if self._in_tx:
                self._conn.execute("ROLLBACK")
                self._in_tx = False
            # The bulk load leaves a WAL the size of a chunk; give the disk space back now
            # rather than when the last counter closes the database.  A busy reader only
            # means the space comes back later.
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for pragma, value in self._saved.items():
                self._conn.execute(f"PRAGMA {pragma}={int(value)}")
        finally:
            self._proxy.close()

    def _begin(self) -> None:
        if not self._in_tx:
            # IMMEDIATE: take the write lock now, so a busy counter makes us wait at
            # the start rather than fail in the middle of a chunk.
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_tx = True

    def scalar(self, sql: str) -> Any:
        row = self._conn.execute(sql).fetchone()
        return None if row is None else row[0]

    def rows(self, sql: str) -> list[Row]:
        return list(self._conn.execute(sql).fetchall())

    def execute(self, sql: str) -> None:
        self._begin()
        self._conn.execute(sql)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if not rows:
            return
        self._begin()
        head = f"INSERT INTO {table} ({','.join(columns)}) VALUES "
        group = "(" + ",".join("?" * len(columns)) + ")"
        per = max(1, min(ROWS_PER_STATEMENT, self._max_variables // len(columns)))
        execute = self._conn.execute
        full = len(rows) - len(rows) % per
        if full:
            sql = head + ",".join([group] * per)
            for k in range(0, full, per):
                execute(sql, list(chain.from_iterable(rows[k : k + per])))
        if full < len(rows):
            rest = rows[full:]
            execute(head + ",".join([group] * len(rest)), list(chain.from_iterable(rest)))

    def commit(self) -> None:
        if self._in_tx:
            self._conn.execute("COMMIT")
            self._in_tx = False

    def rollback(self) -> None:
        if self._in_tx:
            self._conn.execute("ROLLBACK")
            self._in_tx = False

    def drop_bulk_indexes(self) -> None:
        """Drop the secondary indexes of the bulk tables, remembering their DDL.

        The DDL is read back from sqlite_master, so the indexes come back exactly as the
        migrations made them.  Unique constraints' automatic indexes have no DDL and
        cannot be dropped; they stay.
        """
        marks = ",".join("?" * len(BULK_TABLES))
        found = self._conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks}) ORDER BY name",
            BULK_TABLES,
        ).fetchall()
        self._begin()
        for name, sql in found:
            self._conn.execute(f'DROP INDEX "{name}"')
            self._dropped.append(sql)
        self.commit()

    def restore_bulk_indexes(self, progress: Callable[[int, int], None] | None = None) -> None:
        total = len(self._dropped)
        for n, sql in enumerate(list(self._dropped), start=1):
            self._begin()
            self._conn.execute(sql)
            self.commit()
            self._dropped.pop(0)
            if progress is not None:
                progress(n, total)

    @property
    def indexes_dropped(self) -> bool:
        return bool(self._dropped)


class CoreSink:
    """One SQLAlchemy Core transaction on any backend (used for PostgreSQL)."""

    def __init__(self, db: Database) -> None:
        self._engine = db.engine
        self._conn: Connection | None = None
        self._tables: dict[str, Table] = dict(Base.metadata.tables)

    def open(self) -> None:
        self._conn = self._engine.connect()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.rollback()
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("sink not open")
        return self._conn

    def scalar(self, sql: str) -> Any:
        return self.conn.execute(text(sql)).scalar()

    def rows(self, sql: str) -> list[Row]:
        return [tuple(r) for r in self.conn.execute(text(sql)).all()]

    def execute(self, sql: str) -> None:
        self.conn.execute(text(sql))

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        if not rows:
            return
        target = self._tables[table]
        convert = [_converter(target.c[name].type) for name in columns]
        params = [
            {name: conv(value) for name, conv, value in zip(columns, convert, row, strict=True)}
            for row in rows
        ]
        self.conn.execute(target.insert(), params)

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def fix_sequences(self, tables: Sequence[str]) -> None:
        """Explicit ids bypass PostgreSQL's sequences; move each past its table's max id."""
        for table in tables:
            self.conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            )


def _converter(sqltype: Any) -> Callable[[Any], Any]:
    def keep(value: Any) -> Any:
        return value

    def parse(fn: Callable[[str], Any]) -> Callable[[Any], Any]:
        return lambda value: None if value is None else fn(value)

    if isinstance(sqltype, DateTime):
        return parse(datetime.fromisoformat)
    if isinstance(sqltype, Date):
        return parse(date.fromisoformat)
    if isinstance(sqltype, Time):
        return parse(time.fromisoformat)
    if isinstance(sqltype, Boolean):
        return lambda value: None if value is None else bool(value)
    return keep

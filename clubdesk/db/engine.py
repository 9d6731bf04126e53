"""Engines and sessions: SQLite for one counter, PostgreSQL for a chain.

SQLite is opened with WAL, synchronous=FULL, foreign keys and a busy timeout.  pysqlite's
own transaction handling is switched off so that ClubDesk emits BEGIN itself: deferred
for reads, BEGIN IMMEDIATE for writes (SQLAlchemy's documented recipe), which takes the
write lock up front and lets the busy timeout queue a second counter instead of failing
half-way through a transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from clubdesk.db.errors import classify
from clubdesk.db.guard import APPLICATION_ID

BUSY_TIMEOUT_MS = 5000
_WRITE = "clubdesk_write"


def to_url(target: str | Path) -> URL:
    """A file path or any SQLAlchemy URL (``postgresql+psycopg://…``) as a URL."""
    text = str(target)
    if "://" in text:
        try:
            return make_url(text)
        except ArgumentError as exc:
            raise ValueError(text) from exc
    return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser().resolve()))


def describe(url: URL) -> str:
    """What to show the user: the file path, or the server without the password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def create(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_listeners(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=2)


def _install_sqlite_listeners(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
            if mode.lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """One open ClubDesk database: the engine plus read and write session factories."""

    def __init__(self, url: URL, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or create(url)
        self.is_sqlite = url.get_backend_name() == "sqlite"
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.write_engine = self.engine.execution_options(**{_WRITE: True})
        self._write = sessionmaker(bind=self.write_engine, expire_on_commit=False)

    @property
    def where(self) -> str:
        return describe(self.url)

    @property
    def path(self) -> Path | None:
        return Path(self.url.database) if self.is_sqlite and self.url.database else None

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; rolled back at the end, nothing it does is kept."""
        with self._read() as session:
            try:
                yield session
            except Exception as exc:
                raise (classify(exc, self.where) or exc) from exc
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        with self._write() as session:
            try:
                with session.begin():
                    yield session
            except Exception as exc:
                env = classify(exc, self.where)
                if env is not None:
                    raise env from exc
                raise

    def raw_sqlite_connection(self) -> Any:
        """The driver connection (for the online backup API and bulk seeding)."""
        return self.engine.raw_connection()

    def dispose(self) -> None:
        self.engine.dispose()


def stamp_application_id(conn: Connection) -> None:
    conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")

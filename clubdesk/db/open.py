"""Open a ClubDesk database: refuse foreign or damaged files untouched, create a new one,
or upgrade an older one after backing it up."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from clubdesk.db import migrate
from clubdesk.db.backup import backup_sqlite
from clubdesk.db.engine import Database, describe, stamp_application_id, to_url
from clubdesk.db.errors import classify
from clubdesk.db.guard import FileState, inspect_sqlite_file
from clubdesk.errors import DatabaseEnvironmentError, DbProblem
from clubdesk.paths import default_db_path

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key for schema migrations ("CLBD" as an integer).
MIGRATION_LOCK = 0x434C4244


def open_database(
    target: str | Path | None = None, *, create: bool = True, upgrade: bool = True
) -> Database:
    """Open ``target`` (a path or SQLAlchemy URL; default: the user's database)."""
    url = to_url(target or default_db_path())
    where = describe(url)
    state = FileState.CLUBDESK
    if url.get_backend_name() == "sqlite" and url.database:
        path = Path(url.database)
        state = inspect_sqlite_file(path)
        if state is FileState.NEW:
            if not create:
                raise DatabaseEnvironmentError(DbProblem.CANNOT_OPEN, where, "missing")
            path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(url)
    try:
        _bring_to_head(db, state, upgrade)
    except DatabaseEnvironmentError:
        db.dispose()
        raise
    except SQLAlchemyError as exc:
        db.dispose()
        env = classify(exc, where)
        if env is None:
            raise
        raise env from exc
    return db


def _bring_to_head(db: Database, state: FileState, upgrade: bool) -> None:
    with db.engine.connect() as conn:
        revision = _identify(conn, db)
    if revision == migrate.HEAD_REVISION or not upgrade:
        return
    if revision is not None and db.path is not None:
        copy = backup_sqlite(db.path, f"before-{migrate.HEAD_REVISION}")
        log.info("backed up %s to %s before migrating from %s", db.path, copy, revision)
    # The write engine begins with BEGIN IMMEDIATE on SQLite, so a second counter
    # starting at the same moment waits here; PostgreSQL gets an advisory lock.  Either
    # way the revision is read again under the lock: the other counter may have
    # migrated meanwhile.
    with db.write_engine.begin() as conn:
        if not db.is_sqlite:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        if _identify(conn, db) == migrate.HEAD_REVISION:
            return
        if db.is_sqlite and state is FileState.NEW:
            stamp_application_id(conn)
        migrate.upgrade(conn)
    if db.is_sqlite and state is FileState.NEW:
        # Move the new header (with our application_id) from the WAL into the main file
        # at once, so another counter opening the file meanwhile recognises it.
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    log.info("database %s upgraded from %s to %s", db.where, revision, migrate.HEAD_REVISION)


def _identify(conn: Connection, db: Database) -> str | None:
    """The schema revision, after making sure the database is ClubDesk's (or empty)."""
    revision = migrate.current_revision(conn)
    if revision is None and not migrate.is_empty(conn):
        # Tables but no ClubDesk schema version: someone else's database (PostgreSQL)
        # or a ClubDesk file whose creation never finished.
        problem = DbProblem.NOT_CLUBDESK if not db.is_sqlite else DbProblem.CORRUPT
        raise DatabaseEnvironmentError(problem, db.where, "no alembic_version")
    if revision is not None and not migrate.has_core_tables(conn):
        # Another application that also uses Alembic (SQLite files carry our
        # application_id already; this is mostly for PostgreSQL).
        raise DatabaseEnvironmentError(DbProblem.NOT_CLUBDESK, db.where, f"revision {revision}")
    migrate.check_revision(revision, db.where)
    return revision

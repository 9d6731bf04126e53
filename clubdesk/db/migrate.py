"""Bring a database to the current schema, backing it up first.

Alembic is imported only when a migration is due: a database that is already at head
costs one SELECT at start, which keeps cold start short.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Connection, inspect, text

from clubdesk.errors import DatabaseEnvironmentError, DbProblem

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# The newest revision in migrations/versions; a test keeps this in step with Alembic.
HEAD_REVISION = "0005"


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


CORE_TABLES = ("members", "cards", "ledger", "staff")


def has_core_tables(conn: Connection) -> bool:
    names = set(inspect(conn).get_table_names())
    return all(table in names for table in CORE_TABLES)


def is_empty(conn: Connection) -> bool:
    return not inspect(conn).get_table_names()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def upgrade(conn: Connection, to: str = "head") -> None:
    """Run Alembic on ``conn`` (the caller commits)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, to)


def check_revision(revision: str | None, where: str) -> None:
    """Refuse a schema we cannot know: written by a newer ClubDesk."""
    if revision is not None and revision != HEAD_REVISION and revision not in known_revisions():
        raise DatabaseEnvironmentError(DbProblem.TOO_NEW, where, f"revision {revision}")

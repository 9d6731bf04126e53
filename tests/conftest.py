"""Fixtures shared by core and GUI tests.  Importing this never imports Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def clubdesk_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets its own user data folder: logs, backups, prefs, window layout."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLUBDESK_HOME", str(home))
    return home


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A fresh ClubDesk database at the current schema (reference data included)."""
    from clubdesk.db.open import open_database

    database = open_database(tmp_path / "test.sqlite3")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def seeded_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database built once per run; tests copy it rather than write to it."""
    from clubdesk.db.open import open_database
    from clubdesk.seed.demo import seed_demo

    path = tmp_path_factory.mktemp("seeded") / "demo.sqlite3"
    database = open_database(path)
    seed_demo(database, 500)
    database.dispose()
    return path


@pytest.fixture
def seeded_db(seeded_path: Path, tmp_path: Path) -> Iterator[Database]:
    """A private copy of the seeded database (made with the backup API, WAL-safe)."""
    import sqlite3

    from clubdesk.db.open import open_database

    copy = tmp_path / "seeded.sqlite3"
    src, dst = sqlite3.connect(seeded_path), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    database = open_database(copy)
    yield database
    database.dispose()


if False:  # pragma: no cover - typing only
    from clubdesk.db.engine import Database


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the server named by CLUBDESK_TEST_PG.

    CI starts a real PostgreSQL 15 (.ci/postgres.sh); without one these tests skip
    locally, and fail under CI so a missing server cannot pass silently.
    """
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = os.environ.get("CLUBDESK_TEST_PG")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("CI must provide CLUBDESK_TEST_PG (a running PostgreSQL)")
        pytest.skip("no PostgreSQL server: set CLUBDESK_TEST_PG")
    name = f"clubdesk_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

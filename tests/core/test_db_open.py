"""Opening databases: pragmas, refusing foreign or damaged files untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from clubdesk.db.engine import Database
from clubdesk.db.guard import APPLICATION_ID
from clubdesk.db.open import open_database
from clubdesk.errors import DatabaseEnvironmentError, DbProblem


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_has_clubdesk_pragmas(db: Database) -> None:
    with db.read() as s:
        assert s.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert s.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert s.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert s.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert s.execute(text("PRAGMA application_id")).scalar() == APPLICATION_ID


def test_reference_data_is_loaded(db: Database) -> None:
    with db.read() as s:
        tiers = s.execute(text("SELECT name FROM tiers ORDER BY rank")).scalars().all()
        levels = s.execute(text("SELECT code FROM vip_levels ORDER BY sort_order")).scalars().all()
    assert tiers == ["普通会员", "银卡会员", "金卡会员", "白金会员", "钻石会员"]
    assert levels == ["A", "B", "C", "D"]


def test_write_transactions_take_the_write_lock_up_front(db: Database) -> None:
    """BEGIN IMMEDIATE: while one counter writes, a second cannot even start writing."""
    assert db.path is not None
    entered, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.write() as s:
            s.execute(text("SELECT 1"))  # a write session that has not written yet
            entered.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert entered.wait(5)
        other = sqlite3.connect(db.path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        release.set()
        thread.join()


def test_failed_write_leaves_nothing_behind(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as s:
        s.execute(
            text("INSERT INTO complaint_categories (name, sort_order, active) VALUES ('x', 99, 1)")
        )
        raise RuntimeError("boom")
    with db.read() as s:
        assert (
            s.execute(text("SELECT COUNT(*) FROM complaint_categories WHERE name='x'")).scalar()
            == 0
        )


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('张三')")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(DatabaseEnvironmentError) as info:
        open_database(path)
    assert info.value.problem is DbProblem.NOT_CLUBDESK
    assert str(path) in info.value.message and "不是 ClubDesk 数据库" in info.value.message
    assert _digest(path) == before
    assert not Path(f"{path}-wal").exists()


def test_random_bytes_are_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "noise.sqlite3"
    path.write_bytes(os.urandom(64 * 1024))
    before = _digest(path)
    with pytest.raises(DatabaseEnvironmentError) as info:
        open_database(path)
    assert info.value.problem is DbProblem.NOT_SQLITE
    assert "不是数据库文件" in info.value.message
    assert _digest(path) == before


def test_truncated_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "cut.sqlite3"
    database = open_database(path)
    with database.write() as s:
        s.execute(
            text(
                "INSERT INTO complaint_categories (name, sort_order, active) "
                "SELECT 'c' || value, 100 + value, 1 FROM json_each('[1,2,3,4,5,6,7,8,9]')"
            )
        )
    database.dispose()  # checkpoints the WAL into the main file
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = _digest(path)
    with pytest.raises(DatabaseEnvironmentError) as info:
        open_database(path)
    assert info.value.problem is DbProblem.TRUNCATED
    assert _digest(path) == before


def test_database_from_a_newer_clubdesk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    open_database(path).dispose()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseEnvironmentError) as info:
        open_database(path)
    assert info.value.problem is DbProblem.TOO_NEW
    assert "更新版本" in info.value.message


def test_missing_file_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    with pytest.raises(DatabaseEnvironmentError) as info:
        open_database(tmp_path / "nope.sqlite3", create=False)
    assert info.value.problem is DbProblem.CANNOT_OPEN
    assert not (tmp_path / "nope.sqlite3").exists()


def test_url_targets_are_accepted(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'via-url.sqlite3'}")
    assert database.is_sqlite and database.path == tmp_path / "via-url.sqlite3"
    database.dispose()


def test_new_database_whose_header_is_still_in_the_wal_is_recognised(tmp_path: Path) -> None:
    """A crash between creating a database and checkpointing it must not make ClubDesk
    call its own file foreign: the header with application_id is still in the -wal."""
    path = tmp_path / "fresh.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.execute("CREATE TABLE t (x)")
    assert Path(f"{path}-wal").stat().st_size > 0
    with path.open("rb") as fh:
        assert fh.read(100)[68:72] != APPLICATION_ID.to_bytes(4, "big")  # not in main file
    from clubdesk.db.guard import FileState, inspect_sqlite_file

    assert inspect_sqlite_file(path) is FileState.CLUBDESK
    conn.close()


def test_two_counters_creating_one_sqlite_file_at_once_both_succeed(tmp_path: Path) -> None:
    import concurrent.futures

    path = tmp_path / "shared.sqlite3"

    def start() -> int:
        database = open_database(path)
        try:
            with database.read() as s:
                return int(s.execute(text("SELECT COUNT(*) FROM tiers")).scalar_one())
        finally:
            database.dispose()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda _i: start(), range(4))) == [5] * 4

"""The multi-counter mode: the same migrations on a real PostgreSQL server."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from clubdesk.db.migrate import HEAD_REVISION
from clubdesk.db.open import open_database
from clubdesk.errors import DatabaseEnvironmentError, DbProblem
from clubdesk.services import roster

pytestmark = pytest.mark.postgres


def test_empty_postgres_database_gets_the_schema_and_reference_data(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        assert not db.is_sqlite
        assert "clubdesk:***@" in db.where  # the password is never shown
        with db.read() as s:
            assert (
                s.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
            )
            assert s.execute(text("SELECT COUNT(*) FROM tiers")).scalar() == 5
        assert roster.page(db) == []
    finally:
        db.dispose()
    open_database(pg_url).dispose()  # a second open finds it at head


def test_foreign_postgres_database_is_refused_untouched(pg_url: str) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE orders (id serial PRIMARY KEY, item text)"))
    with pytest.raises(DatabaseEnvironmentError) as info:
        open_database(pg_url)
    assert info.value.problem is DbProblem.NOT_CLUBDESK
    with engine.connect() as conn:
        tables = (
            conn.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema='public'")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert tables == ["orders"]


def test_unreachable_server_is_a_clear_message() -> None:
    with pytest.raises(DatabaseEnvironmentError) as info:
        open_database("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")
    assert info.value.problem is DbProblem.UNREACHABLE
    assert "secret" not in info.value.message
    assert "无法连接数据库服务器" in info.value.message


def test_foreign_postgres_database_that_also_uses_alembic_is_refused(pg_url: str) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE orders (id serial PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0002')"))
    engine.dispose()
    with pytest.raises(DatabaseEnvironmentError) as info:
        open_database(pg_url)
    assert info.value.problem is DbProblem.NOT_CLUBDESK


def test_two_counters_creating_one_database_at_once_both_succeed(pg_url: str) -> None:
    import concurrent.futures

    def start() -> str:
        db = open_database(pg_url)
        try:
            with db.read() as s:
                return str(s.execute(text("SELECT version_num FROM alembic_version")).scalar())
        finally:
            db.dispose()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _i: start(), range(4)))
    assert results == [HEAD_REVISION] * 4

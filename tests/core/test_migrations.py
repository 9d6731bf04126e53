"""Alembic revisions: the chain, upgrades that keep data, and models in step with them."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text

from clubdesk.db import migrate
from clubdesk.db.engine import create, stamp_application_id, to_url
from clubdesk.db.open import open_database
from clubdesk.models import Base


def test_head_constant_matches_alembic() -> None:
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    assert script.get_heads() == [migrate.HEAD_REVISION]


def _database_at_first_revision(path: Path) -> None:
    engine = create(to_url(path))
    with engine.begin() as conn:
        stamp_application_id(conn)
        migrate.upgrade(conn, "0001")
        # Rows that 0001 alone can hold (members need 0002's tiers).
        conn.execute(
            text(
                "INSERT INTO staff (id, username, display_name, role, failed_logins, active,"
                " created_at)"
                " VALUES (7, 'wangfang', '王芳', 'front_desk', 0, 1, '2025-01-02 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO settings (key, value, updated_at) VALUES ('club.name', '\"云水间\"',"
                " '2025-01-02 10:00:00')"
            )
        )
    engine.dispose()


def test_old_database_upgrades_with_its_data_and_a_backup(
    tmp_path: Path, clubdesk_home: Path
) -> None:
    path = tmp_path / "old.sqlite3"
    _database_at_first_revision(path)
    db = open_database(path)
    try:
        with db.read() as s:
            assert (
                s.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == migrate.HEAD_REVISION
            )
            assert s.execute(text("SELECT id, display_name FROM staff")).one() == (7, "王芳")
            assert s.execute(text("SELECT value FROM settings")).scalar() == '"云水间"'
            assert s.execute(text("SELECT COUNT(*) FROM vip_levels")).scalar() == 4
    finally:
        db.dispose()
    backups = list(
        (clubdesk_home / "backups").glob(f"old-before-{migrate.HEAD_REVISION}-*.sqlite3")
    )
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert copy.execute("SELECT display_name FROM staff").fetchone() == ("王芳",)
    copy.close()


def test_upgrade_to_0003_fills_search_terms_birthdays_and_paid_amounts(tmp_path: Path) -> None:
    engine = create(to_url(tmp_path / "v2.sqlite3"))
    with engine.begin() as conn:
        stamp_application_id(conn)
        migrate.upgrade(conn, "0002")
        conn.execute(
            text(
                "INSERT INTO members (id, name, name_initials, phone, phone_last4,"
                " foreign_phone, gender, birthday, joined_on, tier_id, category,"
                " no_show_count, version, created_at)"
                " VALUES (1, '曾晓明', 'zxm cxm', '13800001234', '1234', 0, 'M',"
                " '1990-03-15', '2025-01-01', 1, 'walk_in', 0, 1, '2025-01-01 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO ledger (member_id, kind, amount_fen, balance_after_fen, points,"
                " points_after, at) VALUES (1, 'top_up', 100000, 100000, 0, 0,"
                " '2025-01-01 10:00:00')"
            )
        )
        migrate.upgrade(conn, "head")
        terms = {t for (t,) in conn.execute(text("SELECT term FROM member_search"))}
        assert {"n曾", "n晓明", "izxm", "icxm", "icx"} <= terms
        assert conn.execute(text("SELECT birthday_mmdd FROM members")).scalar() == "0315"
        assert conn.execute(text("SELECT paid_fen FROM ledger")).scalar() == 100000
        assert conn.execute(text("SELECT COUNT(*) FROM rewards")).scalar() >= 3
    engine.dispose()


def test_models_and_migrations_describe_the_same_schema(tmp_path: Path) -> None:
    db = open_database(tmp_path / "head.sqlite3")
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
    finally:
        db.dispose()
    assert diff == []


def test_migrations_apply_from_scratch_twice_without_error(tmp_path: Path) -> None:
    for name in ("a.sqlite3", "b.sqlite3"):
        open_database(tmp_path / name).dispose()
    engine = create_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM tiers")).scalar() == 5
    engine.dispose()


def _upgrade_0003_bookings(engine: Engine) -> None:
    """A 0003 database with guests sharing the bath and a settled member booking,
    brought to head: the shared holds stay shared, and the sale gets its receipt."""
    at = datetime(2026, 5, 1, 14, 0)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            stamp_application_id(conn)
        migrate.upgrade(conn, "0003")
        row = "INSERT INTO {t} ({c}) VALUES ({v})"

        def insert(table: str, **values: object) -> None:
            names = ", ".join(values)
            conn.execute(
                text(row.format(t=table, c=names, v=", ".join(f":{k}" for k in values))),
                values,
            )

        insert("services", id=90, name="洗浴", category="bath", duration_min=120,
               list_price_fen=8_800, active=True)  # fmt: skip
        insert("resources", id=90, name="洗浴区", kind="area", capacity=80, sort_order=0,
               active=True)  # fmt: skip
        insert("members", id=1, name="李娜", name_initials="ln", phone="13800001234",
               phone_last4="1234", foreign_phone=False, gender="F", joined_on=at.date(),
               tier_id=1, category="walk_in", no_show_count=0, version=1,
               created_at=at)  # fmt: skip
        for booking, state in ((1, "booked"), (2, "booked"), (3, "settled")):
            insert("bookings", id=booking, member_id=1, guest_count=1, service_id=90,
                   start_at=at, end_at=at + timedelta(hours=2), state=state, walk_in=False,
                   version=1, created_at=at)  # fmt: skip
            insert("booking_resources", booking_id=booking, resource_id=90, start_at=at,
                   end_at=at + timedelta(hours=2), active=state == "booked")  # fmt: skip
        insert("ledger", member_id=1, kind="purchase", amount_fen=0, balance_after_fen=0,
               paid_fen=8_360, points=0, points_after=0, at=at, payment_method="cash",
               booking_id=3)  # fmt: skip
        migrate.upgrade(conn, "head")
        assert (
            conn.execute(text("SELECT COUNT(*) FROM booking_resources WHERE exclusive")).scalar()
            == 0
        )
        assert conn.execute(
            text("SELECT booking_id, list_fen, due_fen, discount_bp, method FROM checkouts")
        ).one() == (3, 8_800, 8_360, 9_500, "cash")
    engine.dispose()


def test_upgrade_to_0004_keeps_shared_holds_and_rebuilds_receipts(tmp_path: Path) -> None:
    _upgrade_0003_bookings(create(to_url(tmp_path / "v3.sqlite3")))


def test_upgrade_to_0004_on_postgresql_adds_the_constraint_over_shared_holds(
    pg_url: str,
) -> None:
    _upgrade_0003_bookings(create_engine(pg_url))

"""Docks with the real thread-pool runner: work runs off the GUI thread, results land
in the right place, failures are shown and recoverable."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from clubdesk.db.engine import Database
from clubdesk.errors import DatabaseEnvironmentError, DbProblem
from clubdesk.models.enums import BookingState
from clubdesk.services import bookings, member_search, roster
from clubdesk.services.bookings import BookingRow
from ui.docks.bookings import BookingsDock
from ui.docks.roster import RosterDock
from ui.tasks import TaskRunner


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    pool = TaskRunner()
    yield pool
    pool.wait()


def test_booking_day_changes_during_a_load_end_on_the_last_day(
    qtbot: QtBot, seeded_db: Database, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[bool] = []

    def slow_day(db: Database, day: date) -> list[BookingRow]:
        threads.append(threading.current_thread() is threading.main_thread())
        time.sleep(0.1)
        start = datetime.combine(day, datetime.min.time())
        return [
            BookingRow(
                1, start, start + timedelta(hours=1), "x", "y", "z", BookingState.BOOKED, False
            )
        ]

    monkeypatch.setattr(bookings, "day_bookings", slow_day)
    dock = BookingsDock(seeded_db, runner)
    qtbot.addWidget(dock)
    dock.refresh()
    dock.shift(1)
    dock.shift(1)  # both while the first load is still running
    target = date.today() + timedelta(days=2)
    qtbot.waitUntil(
        lambda: (
            not dock._loading
            and dock.model.rowCount() == 1
            and dock.model.row_at(0).start_at.date() == target
        ),  # type: ignore[union-attr]
        timeout=5000,
    )
    assert target.isoformat() in dock.status.text()
    assert threads and not any(threads)  # never on the GUI thread


def test_a_failed_roster_page_is_shown_and_scrolling_recovers(
    qtbot: QtBot, seeded_db: Database, runner: TaskRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    dock = RosterDock(seeded_db, runner)
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.loaded, timeout=5000):
        dock.refresh()
    real_search = member_search.search

    def locked(db: Database, typed: str, *, after: object = None, limit: int = 50) -> object:
        raise DatabaseEnvironmentError(DbProblem.LOCKED, db.where)

    monkeypatch.setattr(member_search, "search", locked)
    dock.model.fetchMore()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "占用" in shown[0]
    monkeypatch.setattr(member_search, "search", real_search)
    dock.model.fetchMore()
    qtbot.waitUntil(lambda: dock.model.rowCount() == 2 * roster.PAGE_SIZE, timeout=5000)

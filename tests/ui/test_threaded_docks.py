"""Docks with the real thread-pool runner: work runs off the GUI thread, results land
in the right place, failures are shown and recoverable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from clubdesk.db.engine import Database
from clubdesk.errors import DatabaseEnvironmentError, DbProblem
from clubdesk.services import member_search, roster
from ui.docks.roster import RosterDock
from ui.tasks import TaskRunner


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    pool = TaskRunner()
    yield pool
    pool.wait()


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

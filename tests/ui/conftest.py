"""GUI fixtures: a main window on a seeded database with a synchronous task runner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from clubdesk.db.engine import Database
from clubdesk.services import staff


@pytest.fixture
def window(qtbot: QtBot, seeded_db: Database) -> Iterator[MainWindow]:
    from PySide6.QtWidgets import QApplication

    from ui.app import configure
    from ui.main_window import MainWindow
    from ui.tasks import SyncRunner

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    configure(app)
    win = MainWindow(seeded_db, staff.counter_user(seeded_db), SyncRunner())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.refresh_all()
    yield win
    win.close()


if False:  # pragma: no cover
    from ui.main_window import MainWindow

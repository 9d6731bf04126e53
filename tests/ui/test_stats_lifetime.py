"""The statistics dialogs closed (WA_DeleteOnClose) while their worker still counts:
the late answer finds the dialog gone and is dropped, not a crash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clubdesk.db.engine import Database
from tests.core.complaint_helpers import people

NOW = datetime(2031, 3, 14, 15, 0)


class LateRunner:
    """Answers only when told to, after the dialog was closed."""

    def __init__(self) -> None:
        self.pending: list[tuple[Callable[[], Any], Callable[[Any], None]]] = []

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.pending.append((fn, on_done))

    def busy(self) -> bool:
        return bool(self.pending)

    def wait(self, msecs: int = 0) -> bool:
        return True

    def answer_all(self) -> int:
        answered = 0
        while self.pending:
            fn, on_done = self.pending.pop(0)
            on_done(fn())
            answered += 1
        return answered


@pytest.mark.parametrize("which", ["complaint_stats", "visit_summary"])
def test_closed_while_counting(qtbot: QtBot, db: Database, which: str) -> None:
    p = people(db)
    runner = LateRunner()
    if which == "complaint_stats":
        from ui.dialogs.complaint_stats import ComplaintStatsDialog as Dialog
    else:
        from ui.dialogs.visit_summary import VisitSummaryDialog as Dialog  # type: ignore[assignment]
    dialog = Dialog(db, runner, p.supervisor, None, clock=lambda: NOW)  # type: ignore[arg-type]
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    dialog.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    assert runner.answer_all() >= 1  # no RuntimeError: the late answer is dropped

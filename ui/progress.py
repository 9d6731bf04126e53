"""Run one slow start-up step (opening and migrating a database, seeding the demo) in a
worker while the GUI thread keeps painting, with a progress dialog if it takes a while."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QProgressDialog

from ui.tasks import TaskRunner

T = TypeVar("T")
Report = Callable[[str, int, int], None]

SHOW_AFTER_S = 0.3  # quick steps finish without a dialog flashing up


def run_with_progress(title: str, label: str, work: Callable[[Report], T]) -> T:
    """Run ``work(report)`` off the GUI thread and return its result (or raise its error).

    ``report(stage, done, total)`` may be called from the worker; the GUI thread polls it.
    """
    latest: dict[str, tuple[str, int, int]] = {}
    outcome: dict[str, object] = {}
    loop = QEventLoop()
    dialog = QProgressDialog(label, "", 0, 0)
    dialog.setWindowTitle(title)
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(0)
    dialog.reset()  # a QProgressDialog shows itself unless reset; we decide when
    started = time.monotonic()

    def report(stage: str, done: int, total: int) -> None:
        latest["now"] = (stage, done, total)  # a plain dict write: safe from a worker

    def tick() -> None:
        if time.monotonic() - started < SHOW_AFTER_S:
            return
        if "now" in latest:
            stage, done, total = latest["now"]
            dialog.setLabelText(stage)
            dialog.setRange(0, 100)
            dialog.setValue(100 * done // total if total else 0)
        if not dialog.isVisible():
            dialog.show()

    def finish(key: str, value: object) -> None:
        outcome[key] = value
        loop.quit()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(50)
    runner = TaskRunner()
    runner.submit(lambda: work(report), lambda r: finish("result", r), lambda e: finish("error", e))
    if not outcome:
        loop.exec()
    timer.stop()
    dialog.close()
    runner.wait()
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    return outcome["result"]  # type: ignore[return-value]

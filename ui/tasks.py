"""Run slow work off the GUI thread and hand the result back on it.

A task's callbacks run on the GUI thread through a queued signal, so they can touch
widgets.  Tests swap in ``SyncRunner`` (same interface, runs at once) to stay
deterministic without waiting on threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self._fn = fn
        self._signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # handed to the GUI thread, never swallowed
            self._signals.failed.emit(exc)
        else:
            self._signals.done.emit(result)


class TaskRunner(QObject):
    """Submits callables to a thread pool; keeps each task's signals alive until it ends."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._live: set[_Signals] = set()
        self.on_unhandled: Failed = _log_failure

    def submit(self, fn: Callable[[], Any], on_done: Done, on_failed: Failed | None = None) -> None:
        signals = _Signals()
        self._live.add(signals)

        def finish_ok(result: Any) -> None:
            self._live.discard(signals)
            on_done(result)

        def finish_err(exc: BaseException) -> None:
            self._live.discard(signals)
            (on_failed or self.on_unhandled)(exc)

        signals.done.connect(finish_ok)
        signals.failed.connect(finish_err)
        self._pool.start(_Task(fn, signals))

    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int = 10_000) -> bool:
        return self._pool.waitForDone(msecs)


class SyncRunner(QObject):
    """The same interface, run immediately on the calling thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.on_unhandled: Failed = _log_failure

    def submit(self, fn: Callable[[], Any], on_done: Done, on_failed: Failed | None = None) -> None:
        try:
            result = fn()
        except Exception as exc:
            (on_failed or self.on_unhandled)(exc)
        else:
            on_done(result)

    def busy(self) -> bool:
        return False

    def wait(self, msecs: int = 0) -> bool:
        return True


def _log_failure(exc: BaseException) -> None:
    log.error("background task failed", exc_info=exc)

"""``clubdesk roster-probe``: keystroke-to-rows timings and memory of the real roster
dock, printed as one JSON line for ``clubdesk bench`` (which never imports Qt)."""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView, QVBoxLayout, QWidget

from clubdesk.db.open import open_database
from clubdesk.services import member_search, staff

PAGES_TO_SCROLL = 40
TIMEOUT = 10.0


def rss_mb() -> float:
    """Resident memory now, in MB (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open(f"/proc/{os.getpid()}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 1024 if sys.platform != "darwin" else peak / 2**20
    except ImportError:  # Windows
        return float("nan")


def type_char(widget: QWidget, char: str) -> None:
    """A key press for ASCII; for Chinese what an input method delivers: a commit string."""
    if char.isascii():
        # Plain key events rather than QtTest, which the packaged build leaves out.
        key = ord(char.upper()) if char.isalnum() else 0
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget, event)
    else:
        event = QInputMethodEvent()
        event.setCommitString(char)
        QApplication.sendEvent(widget, event)


def _wait(app: QApplication, done: Any) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the roster did not answer in time")
        app.processEvents()


def run(db_target: str | None, queries: list[str]) -> int:
    from ui.app import create_application
    from ui.main_window import MainWindow

    app = create_application()
    floor_rss = rss_mb()
    floor_ms = _floor(app, queries)
    db = open_database(db_target, create=False)
    window = MainWindow(db, staff.counter_user(db))
    window.persist_layout = False
    window.show()
    window.refresh_all()
    _wait(app, lambda: not window.runner.busy())
    dock = window.roster
    loads: list[str] = []
    dock.loaded.connect(lambda _n: loads.append(dock.search.text()))

    timings: list[float] = []
    for query in queries:
        dock.search.clear()
        _wait(app, lambda: not dock.is_loading and not window.runner.busy())
        dock.search.setFocus()
        for k, char in enumerate(query):
            typed = query[: k + 1]
            loads.clear()
            start = time.perf_counter()
            type_char(dock.search, char)
            _wait(app, lambda t=typed: t in loads)  # type: ignore[misc]
            dock.table.viewport().repaint()  # painted, not only queued
            timings.append((time.perf_counter() - start) * 1000)

    # Scroll the whole way down a broad search for memory with many pages loaded.
    dock.search.clear()
    _wait(app, lambda: not dock.is_loading and not window.runner.busy())
    pages = 0
    for _ in range(PAGES_TO_SCROLL):
        before = dock.model.rowCount()
        dock.table.scrollToBottom()
        dock.model.fetchMore()
        _wait(app, lambda b=before: dock.model.rowCount() > b or not dock.model.canFetchMore())  # type: ignore[misc]
        pages += 1
    report = {
        "keystroke_ms": timings,
        "floor_ms": floor_ms,
        "queries": len(queries),
        "pages": pages,
        "rows_loaded": dock.model.rowCount(),
        "rss_mb": rss_mb(),
        "floor_rss_mb": floor_rss,
        "peak_rss_mb": peak_rss_mb(),
    }
    window.close()
    db.dispose()
    print(json.dumps(report), flush=True)
    return 0


def _floor(app: QApplication, queries: list[str]) -> list[float]:
    """A bare QLineEdit and QTableView: each key press fills 50 ready rows and paints."""
    widget = QWidget()
    edit = QLineEdit(widget)
    table = QTableView(widget)
    model = QStandardItemModel(0, 8)
    table.setModel(model)
    layout = QVBoxLayout(widget)
    layout.addWidget(edit)
    layout.addWidget(table)
    widget.resize(720, 800)
    widget.show()
    rows = [[f"{r}-{c}" for c in range(8)] for r in range(member_search.PAGE_SIZE)]

    def fill() -> None:
        model.removeRows(0, model.rowCount())
        for row in rows:
            model.appendRow([QStandardItem(text) for text in row])

    edit.textChanged.connect(fill)
    edit.setFocus()
    timings = []
    for query in queries:
        edit.clear()
        for char in query:
            start = time.perf_counter()
            type_char(edit, char)
            app.processEvents()
            table.viewport().repaint()
            timings.append((time.perf_counter() - start) * 1000)
    widget.close()
    app.processEvents()
    return timings

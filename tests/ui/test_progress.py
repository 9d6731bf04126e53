"""Slow start-up steps run in a worker with a progress dialog."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog
from pytestqt.qtbot import QtBot

from ui import launcher
from ui.progress import run_with_progress


def test_returns_the_result_computed_off_the_gui_thread(qtbot: QtBot) -> None:
    def work(report: object) -> bool:
        return threading.current_thread() is threading.main_thread()

    assert run_with_progress("t", "l", work) is False


def test_raises_the_workers_error(qtbot: QtBot) -> None:
    def work(report: object) -> None:
        raise ValueError("坏了")

    with pytest.raises(ValueError, match="坏了"):
        run_with_progress("t", "l", work)


def test_slow_work_shows_its_progress(qtbot: QtBot) -> None:
    seen: list[tuple[str, int]] = []

    def sample() -> None:  # on the GUI thread, while the worker runs
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.isVisible():
                seen.append((widget.labelText(), widget.value()))

    sampler = QTimer()
    sampler.timeout.connect(sample)
    sampler.start(20)

    def work(report) -> str:  # type: ignore[no-untyped-def]
        for done in range(1, 9):
            report("第二步", done, 8)
            time.sleep(0.1)
        return "ok"

    try:
        assert run_with_progress("t", "第一步", work) == "ok"
    finally:
        sampler.stop()
    assert seen and seen[-1][0] == "第二步" and max(v for _t, v in seen) >= 50
    assert not any(
        isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets()
    )


def test_gui_refuses_a_foreign_file_with_a_message(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + b"\0" * 500)
    assert launcher.QtFrontend().run(str(bad), demo=False) == 2
    assert shown and str(bad) in shown[0] and "不是数据库文件" in shown[0]
    assert bad.read_bytes() == b"\xff\xd8\xff" + b"\0" * 500

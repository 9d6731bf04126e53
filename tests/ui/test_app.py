"""Start-up pieces: self-check, demo seeding, error dialogs, fonts and languages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from clubdesk import i18n
from clubdesk.db.open import open_database
from clubdesk.errors import DatabaseEnvironmentError, DbProblem, DomainError
from clubdesk.services import roster
from ui import launcher
from ui.app import BUNDLED_FAMILY, install_fonts
from ui.errors import user_message


def test_selfcheck_passes_on_a_fresh_install(clubdesk_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "clubdesk", "selfcheck"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "自检通过" in result.stdout
    for title in ("会员", "预约看板", "投诉登记", "VIP礼遇"):
        assert f"面板“{title}”显示了" in result.stdout
    assert "member-card" in result.stdout
    assert not (clubdesk_home / "window.ini").exists()  # the user's layout is left alone


def test_selfcheck_reports_an_unusable_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\0" * 4096)
    result = subprocess.run(
        [sys.executable, "-m", "clubdesk", "selfcheck", "--db", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "不是数据库文件" in result.stderr


def test_demo_database_is_seeded_once(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launcher, "DEMO_MEMBERS", 150)
    db = open_database(tmp_path / "demo.sqlite3")
    try:
        assert launcher._seed_if_empty(db)
        assert roster.count(db) == 150
        assert launcher._seed_if_empty(db)  # a second start does not seed again
        assert roster.count(db) == 150
    finally:
        db.dispose()


def test_bundled_font_renders_chinese(qapp: QApplication) -> None:
    install_fonts(qapp)
    assert BUNDLED_FAMILY in QFontDatabase.families()
    assert QFontDatabase.writingSystems(BUNDLED_FAMILY).count(
        QFontDatabase.WritingSystem.SimplifiedChinese
    )


def test_error_messages_split_environment_problems_from_bugs() -> None:
    text, bug = user_message(DatabaseEnvironmentError(DbProblem.READ_ONLY, "/data/x.sqlite3"))
    assert not bug and "/data/x.sqlite3" in text and "只读" in text
    text, bug = user_message(DomainError("手机号格式不对。"))
    assert (text, bug) == ("手机号格式不对。", False)
    text, bug = user_message(KeyError("boom"))
    assert bug and "日志文件" in text


def test_error_dialog_is_shown_for_a_bug(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import errors

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    errors.show_error(None, ZeroDivisionError("x"))
    assert shown and "内部错误" in shown[0]


def test_english_catalogue_translates_the_window_titles() -> None:
    try:
        assert i18n.set_language("en") == "en"
        assert i18n._("会员") == "Members"
        assert i18n._("预约看板") == "Booking board"
    finally:
        i18n.set_language("zh_CN")
    assert i18n._("会员") == "会员"


def test_unknown_language_falls_back_to_chinese() -> None:
    assert i18n.set_language("xx") == "zh_CN"


def test_uncaught_exception_is_logged_and_shown(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, clubdesk_home: Path
) -> None:
    import logging

    from clubdesk import logsetup
    from ui import errors

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(self.text()) or 0)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    log_path = logsetup.configure()
    errors.install_excepthook()
    try:
        raise RuntimeError("unexpected 故障")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_clubdesk", False)]:
        handler.close()
        root.removeHandler(handler)
    assert shown and "内部错误" in shown[0]
    assert "unexpected 故障" in log_path.read_text(encoding="utf-8")
    assert str(clubdesk_home) in str(log_path)

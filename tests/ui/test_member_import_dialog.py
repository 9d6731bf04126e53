"""The import wizard driven from file to summary, and the export action."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.errors import PermissionDenied
from clubdesk.models import Member, Staff
from clubdesk.models.enums import Role
from clubdesk.services import members
from clubdesk.services.members import MemberInput
from clubdesk.services.staff import StaffMember
from ui.dialogs import member_export as export_ui
from ui.dialogs import member_import as import_ui
from ui.dialogs.member_import import ERROR_FG, ImportWizard
from ui.tasks import SyncRunner

EXISTING = "13900000001"
ROWS = [
    ["张三", "138 0013 8001", "男", "1990/3/5", None],
    ["李四", "13800138002", "女", None, None],
    ["王五", "12345", "男", None, None],  # not a mobile number
    ["钱七", "１３８００１３８００３", None, "2001年1月2日", "qian7"],
    ["老会员新名字", EXISTING, "女", None, "lao_wx"],  # already a member
]


def make_staff(db: Database, role: Role) -> StaffMember:
    with db.write() as s:
        row = Staff(username=f"ui_{role.value}", display_name=f"测试{role.value}", role=role)
        s.add(row)
        s.flush()
        return StaffMember(row.id, row.username, row.display_name, row.role)


@pytest.fixture
def supervisor(db: Database) -> StaffMember:
    actor = make_staff(db, Role.SUPERVISOR)
    members.create(db, actor, MemberInput(name="老会员", phone=EXISTING))
    return actor


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["姓名", "手机号", "性别", "生日", "微信"])
    for row in ROWS:
        ws.append(row)
    path = tmp_path / "名单.xlsx"
    book.save(path)
    return path


@pytest.fixture
def wizard(
    qtbot: QtBot, db: Database, supervisor: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> ImportWizard:
    w = ImportWizard(db, supervisor, SyncRunner())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def member_count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count(Member.id))).scalar_one())


def choose_file(wizard: ImportWizard, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
    wizard.file_page.browse.click()


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_args: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_import_valid_rows_and_merge_through_the_wizard(
    wizard: ImportWizard,
    qtbot: QtBot,
    db: Database,
    sheet: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not wizard.file_page.isComplete()
    choose_file(wizard, sheet, monkeypatch)
    assert wizard.file_page.isComplete()
    assert "5 行数据" in wizard.file_page.info.text()
    wizard.next()

    page = wizard.mapping_page
    assert wizard.currentPage() is page
    assert page.combos["name"].currentData() == 0
    assert page.combos["phone"].currentData() == 1
    assert page.combos["wechat"].currentData() == 4
    assert page.combos["email"].currentData() == -1
    assert "张三" in page.samples["name"].text()
    page.combos["phone"].setCurrentIndex(0)  # “不导入”: the required column is missing
    assert not page.isComplete() and "手机号" in page.error.text()
    page.combos["phone"].setCurrentIndex(2)
    assert page.isComplete()
    wizard.next()

    preview = wizard.preview_page
    assert wizard.currentPage() is preview and preview.isComplete()
    model = preview.model
    assert model.rowCount() == 5
    assert "4 行可以导入" in preview.summary.text() and "1 行有错误" in preview.summary.text()
    bad = next(r for r in range(5) if model.index(r, 2).data() == "王五")
    assert model.index(bad, 0).data() == "4"  # the file's row number
    assert model.index(bad, 7).data(Qt.ItemDataRole.ForegroundRole).color().name() == ERROR_FG
    assert "12345" in model.index(bad, 7).data()
    good = next(r for r in range(5) if model.index(r, 2).data() == "钱七")
    assert model.index(good, 3).data() == "13800138003"  # full-width digits normalised
    assert model.index(good, 7).data(Qt.ItemDataRole.ForegroundRole) is None
    preview.only_errors.setChecked(True)
    assert model.rowCount() == 1
    # The Enter key moves on, as everywhere in the wizard.
    preview.view.setFocus()
    qtbot.keyClick(preview.view, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.options_page

    options = wizard.options_page
    assert options.errors_box.isEnabled() and options.dup_box.isEnabled()
    assert options.all_or_nothing.isChecked() and options.skip.isChecked()  # the safe choices
    options.valid_only.setChecked(True)
    options.merge.setChecked(True)
    asked = answer_yes(monkeypatch)
    before = member_count(db)
    wizard.next()

    result = wizard.result_page
    assert wizard.currentPage() is result
    assert asked and "新建 3 位会员" in asked[0]
    assert result.isComplete() and not wizard.busy
    # The import is done: 完成 only, nothing left to cancel.
    assert wizard.button(wizard.WizardButton.FinishButton).isVisible()
    assert not wizard.button(wizard.WizardButton.CancelButton).isVisible()
    assert "新建 3 位会员" in result.summary.text()
    assert "合并 1 位已有会员" in result.summary.text()
    assert wizard.report is not None and wizard.report.failed == 1
    assert member_count(db) == before + 3
    with db.read() as s:
        old = s.scalars(select(Member).where(Member.phone == EXISTING)).one()
        assert (old.name, old.wechat) == ("老会员", "lao_wx")
        zhang = s.scalars(select(Member).where(Member.phone == "13800138001")).one()
        assert zhang.name == "张三"

    assert result.save_errors.isVisibleTo(wizard)
    out = tmp_path / "errors.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(out), ""))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    result.save_errors.click()
    assert told and str(out) in told[0]
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "错误说明" and rows[1][0] == "王五"

    wizard.button(wizard.WizardButton.FinishButton).click()
    assert wizard.result() == wizard.DialogCode.Accepted


def test_all_or_nothing_imports_nothing_from_a_file_with_an_error(
    wizard: ImportWizard, qtbot: QtBot, db: Database, sheet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keyboard only: type the path, Enter reads it and stays to show what was read;
    # Enter again moves on, one page per Enter.
    typed = sheet.rename(sheet.with_name("list.xlsx"))  # QTest types Latin-1 only
    qtbot.keyClicks(wizard.file_page.path_edit, str(typed))
    qtbot.keyClick(wizard.file_page.path_edit, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.file_page
    assert wizard.file_page.isComplete() and "5 行数据" in wizard.file_page.info.text()
    qtbot.keyClick(wizard.file_page.path_edit, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.mapping_page
    qtbot.keyClick(wizard.mapping_page.combos["name"], Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.preview_page
    wizard.next()
    asked = answer_yes(monkeypatch)
    before = member_count(db)
    wizard.next()
    assert "不导入任何会员" in asked[0]
    assert "没有导入任何会员" in wizard.result_page.summary.text()
    assert wizard.report is not None and wizard.report.aborted
    assert member_count(db) == before


def test_saying_no_stays_on_the_options_page(
    wizard: ImportWizard, db: Database, sheet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose_file(wizard, sheet, monkeypatch)
    for _step in range(3):
        wizard.next()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.No)
    before = member_count(db)
    wizard.next()
    assert wizard.currentPage() is wizard.options_page
    assert member_count(db) == before


def test_an_unreadable_file_is_explained_on_the_page(
    wizard: ImportWizard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    choose_file(wizard, broken, monkeypatch)
    assert not wizard.file_page.isComplete()
    assert "不是有效的 Excel" in wizard.file_page.error.text()


def test_front_desk_is_told_it_may_not_import_or_export(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = make_staff(db, Role.FRONT_DESK)
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[BaseException] = []
    monkeypatch.setattr(import_ui, "show_error", lambda _p, exc: shown.append(exc))
    monkeypatch.setattr(export_ui, "show_error", lambda _p, exc: shown.append(exc))

    def no_dialog(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("no file dialog for a role without the right")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", no_dialog)
    import_ui.open_import_dialog(parent, db, clerk, SyncRunner())
    export_ui.export_members(parent, db, clerk, SyncRunner())
    assert len(shown) == 2 and all(isinstance(e, PermissionDenied) for e in shown)
    assert "导入会员名单" in str(shown[0]) and "导出会员名单" in str(shown[1])


def test_export_writes_the_chosen_csv_and_says_where(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = make_staff(db, Role.MANAGER)
    members.create(db, manager, MemberInput(name="张三", phone="13800138000"))
    parent = QWidget()
    qtbot.addWidget(parent)
    gbk_filter = export_ui._filters()[2][0]
    target = tmp_path / "名单"  # no suffix typed: the chosen filter decides
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), gbk_filter))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    export_ui.export_members(parent, db, manager, SyncRunner())
    written = tmp_path / "名单.csv"
    assert written.exists()
    text = written.read_bytes().decode("gb18030")
    assert text.splitlines()[0].startswith("卡号,姓名,手机")
    assert "13800138000" in text  # a manager may see full phones
    assert told and "已导出 1 位会员" in told[0] and "妥善保管" in told[0]


def test_the_import_runs_in_a_worker_thread_with_progress(
    qtbot: QtBot,
    db: Database,
    supervisor: StaffMember,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.tasks import TaskRunner

    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["name", "mobile"])
    for i in range(1200):
        ws.append([f"会员{i}", f"137{i:08d}"])
    path = tmp_path / "big.xlsx"
    book.save(path)
    runner = TaskRunner()
    w = ImportWizard(db, supervisor, runner)
    qtbot.addWidget(w)
    w.show()
    steps: list[int] = []

    class RecordingRelay(import_ui._ProgressRelay):
        def __init__(self, parent: Any = None) -> None:
            super().__init__(parent)
            self.changed.connect(lambda done, _total: steps.append(done))

    monkeypatch.setattr(import_ui, "_ProgressRelay", RecordingRelay)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
    w.file_page.browse.click()
    qtbot.waitUntil(w.file_page.isComplete, timeout=10_000)
    w.next()
    w.next()
    qtbot.waitUntil(w.preview_page.isComplete, timeout=10_000)
    w.next()
    answer_yes(monkeypatch)
    before = member_count(db)
    w.next()
    assert w.busy  # the GUI thread is free while the worker imports
    w.reject()
    assert w.isVisible()  # and the wizard cannot be closed under it
    qtbot.waitUntil(w.result_page.isComplete, timeout=60_000)
    assert runner.wait()
    assert "新建 1,200 位会员" in w.result_page.summary.text()
    assert member_count(db) == before + 1200
    assert steps == sorted(steps) and steps[-1] == 1200


def test_a_changed_path_is_read_again_by_enter_without_moving_on(
    wizard: ImportWizard,
    qtbot: QtBot,
    sheet: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.No)
    first = sheet.rename(sheet.with_name("a.xlsx"))
    book = openpyxl.Workbook()
    book.active.append(["姓名", "手机号"])
    book.active.append(["赵一", "13800138111"])
    second = tmp_path / "b.xlsx"
    book.save(second)
    edit = wizard.file_page.path_edit
    qtbot.keyClicks(edit, str(first))
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert "5 行数据" in wizard.file_page.info.text()
    assert wizard.currentPage() is wizard.file_page
    edit.clear()
    qtbot.keyClicks(edit, str(second))
    assert not wizard.file_page.isComplete()  # typed, not read yet
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.file_page
    assert "1 行数据" in wizard.file_page.info.text() and wizard.file_page.isComplete()


def test_dates_show_without_a_time_and_long_messages_are_readable(
    wizard: ImportWizard, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["姓名", "手机号", "生日", "入会日期"])
    ws.append(["周敏", "13900010001", datetime(1988, 5, 6), datetime(2023, 1, 5)])
    ws.append(["王五", "1390001", datetime(1990, 12, 31), None])  # not a mobile number
    path = tmp_path / "dates.xlsx"
    book.save(path)
    choose_file(wizard, path, monkeypatch)
    wizard.next()
    samples = wizard.mapping_page.samples
    assert samples["birthday"].text().endswith("1988-05-06")
    assert samples["joined_on"].text().endswith("2023-01-05")
    wizard.next()

    preview = wizard.preview_page
    view, model = preview.view, preview.model
    last = model.columnCount() - 1
    assert model.headerData(last, Qt.Orientation.Horizontal) == "说明"
    assert view.horizontalHeader().stretchLastSection()
    bad = next(r for r in range(model.rowCount()) if model.index(r, 2).data() == "王五")
    assert model.index(bad, 5).data() == "1990-12-31"  # the raw cell of a refused row
    message = model.index(bad, last).data()
    assert "1390001" in message
    assert model.index(bad, last).data(Qt.ItemDataRole.ToolTipRole) == message
    # The message wraps in its row instead of ending in "…"; the other columns fit.
    assert view.wordWrap() and view.textElideMode() == Qt.TextElideMode.ElideNone
    qtbot.waitUntil(lambda: view.rowHeight(bad) >= view.sizeHintForRow(bad), timeout=2_000)
    header = view.horizontalHeader()
    for column in range(last):
        assert view.columnWidth(column) >= header.sectionSizeHint(column)

"""设置: the per-PC language and the club settings, edited and saved with a synchronous
runner on a fresh database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk import prefs, settings
from clubdesk.db.engine import Database
from clubdesk.models import AuditEntry, Setting
from clubdesk.models.enums import Role
from clubdesk.services import club_settings
from clubdesk.services.staff import StaffMember
from tests.core.roster_helpers import staff
from ui.dialogs import settings as dialog_module
from ui.dialogs.settings import (
    BonusEditor,
    DatesEditor,
    FenEditor,
    NumberEditor,
    RateEditor,
    SettingsDialog,
    TemplateEditor,
    ThresholdsEditor,
    TierEditor,
    TimeEditor,
)
from ui.tasks import SyncRunner


@pytest.fixture(autouse=True)
def _app_configured() -> None:
    from ui.app import configure

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    configure(app)


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Questions are recorded and answered Yes; information boxes never block."""
    asked: list[str] = []

    def confirm(_parent: object, _title: str, text: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(dialog_module, "confirm", confirm)
    monkeypatch.setattr(QMessageBox, "information", lambda *_a, **_k: QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text()) or 0)
    return asked


@pytest.fixture
def manager(db: Database) -> StaffMember:
    return staff(db, Role.MANAGER)


def _open(qtbot: QtBot, db: Database, user: StaffMember | None) -> Iterator[SettingsDialog]:
    dialog = SettingsDialog(db, SyncRunner(), user)
    # Hidden before pytest-qt closes it, so unsaved edits left by a test ask nothing.
    qtbot.addWidget(dialog, before_close_func=lambda widget: widget.hide())
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.hide()


@pytest.fixture
def dialog(qtbot: QtBot, db: Database, manager: StaffMember) -> Iterator[SettingsDialog]:
    yield from _open(qtbot, db, manager)


def _stored(db: Database) -> dict[str, str]:
    with db.read() as s:
        return {k: v for k, v in s.execute(select(Setting.key, Setting.value))}


def _audits(db: Database) -> int:
    with db.read() as s:
        return int(
            s.execute(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "setting")
            ).scalar_one()
        )


def _type(qtbot: QtBot, widget: object, text: str) -> None:
    widget.setFocus()  # type: ignore[attr-defined]
    widget.selectAll()  # type: ignore[attr-defined]
    qtbot.keyClicks(widget, text)


def test_the_club_tab_groups_every_setting_by_its_prefix(dialog: SettingsDialog) -> None:
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "本机(&L)",
        "店铺设置(&D)",
    ]
    assert [dialog.nav.item(i).text() for i in range(dialog.nav.count())] == [
        "店铺",
        "会员",
        "投诉",
        "回访",
        "VIP",
        "员工",
        "备份",
    ]
    assert set(dialog.rows) == set(settings.DEFINITIONS)
    assert dialog.page_of["club.name"] == 0
    assert dialog.page_of["complaint.close_hours"] == 2
    assert dialog.page_of["backup.keep"] == 6
    editors = {key: type(row.editor) for key, row in dialog.rows.items()}
    assert editors["complaint.first_response_hours"] is NumberEditor
    assert editors["visit.quiet_start"] is TimeEditor
    assert editors["member.annual_fee_fen"] is FenEditor
    assert editors["member.birthday_discount_bp"] is RateEditor
    assert editors["member.holidays"] is DatesEditor
    assert editors["member.top_up_bonus"] is BonusEditor
    assert editors["member.star_thresholds_yuan"] is ThresholdsEditor
    assert editors["member.vip_tier_rank"] is TierEditor
    assert editors["visit.script_service"] is TemplateEditor
    hours = dialog.rows["complaint.first_response_hours"]
    assert isinstance(hours.editor, NumberEditor)
    assert hours.editor.spin.suffix() == " 小时"
    assert (hours.editor.spin.minimum(), hours.editor.spin.maximum()) == (1, 720)
    assert hours.label.text() == "投诉首次响应时限："
    assert dialog.status.text() == ""
    assert not dialog.apply.isEnabled()


def test_a_manager_changes_a_deadline_and_quiet_hours_and_saves(
    qtbot: QtBot, db: Database, dialog: SettingsDialog, questions: list[str]
) -> None:
    hours = dialog.rows["complaint.first_response_hours"]
    quiet = dialog.rows["visit.quiet_start"]
    assert isinstance(hours.editor, NumberEditor) and isinstance(quiet.editor, TimeEditor)
    dialog.tabs.setCurrentIndex(1)
    dialog.nav.setCurrentRow(2)
    _type(qtbot, hours.editor.spin, "12")
    assert hours.dirty() and hours.label.property("dirty") is True
    assert hours.label.property("differs") is True
    assert dialog.nav.item(2).font().bold()
    assert dialog.apply.isEnabled()
    dialog.nav.setCurrentRow(3)
    quiet.editor.edit.setTime(QTime(21, 30))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert settings.get_value(db, "complaint.first_response_hours") == 12
    assert settings.get_value(db, "visit.quiet_start") == "21:30"
    with db.read() as s:
        assert settings.session_value(s, "visit.quiet_start") == "21:30"
    assert _audits(db) == 2
    assert questions == []


def test_apply_keeps_the_dialog_open_and_shows_what_was_saved(
    qtbot: QtBot, db: Database, dialog: SettingsDialog
) -> None:
    saved: list[list[str]] = []
    dialog.saved.connect(saved.append)
    fee = dialog.rows["member.annual_fee_fen"]
    rate = dialog.rows["member.birthday_discount_bp"]
    stars = dialog.rows["member.star_thresholds_yuan"]
    tier = dialog.rows["member.vip_tier_rank"]
    assert isinstance(fee.editor, FenEditor) and isinstance(rate.editor, RateEditor)
    assert isinstance(stars.editor, ThresholdsEditor) and isinstance(tier.editor, TierEditor)
    assert rate.editor.said.text() == "即 8.8 折"
    _type(qtbot, fee.editor.edit, "200")
    rate.editor.spin.setValue(85.5)
    assert rate.editor.said.text() == "即 8.55 折"
    stars.editor.spins[3].setValue(800000)
    assert tier.editor.combo.currentText() == "白金会员及以上"
    tier.editor.combo.setCurrentIndex(tier.editor.combo.findData(4))
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.status.text() == "已保存 4 项设置。"
    values = settings.all_values(db)
    assert values["member.annual_fee_fen"] == 20000
    assert values["member.birthday_discount_bp"] == 8550
    assert values["member.star_thresholds_yuan"] == [10000, 50000, 100000, 800000]
    assert values["member.vip_tier_rank"] == 4
    assert sorted(saved[0]) == sorted(
        [
            "member.annual_fee_fen",
            "member.birthday_discount_bp",
            "member.star_thresholds_yuan",
            "member.vip_tier_rank",
        ]
    )
    assert not fee.dirty() and fee.label.property("dirty") is False
    assert fee.label.property("differs") is True
    assert not dialog.apply.isEnabled()
    assert "上次修改：测试manager" in fee.label.toolTip()


def test_a_bad_template_shows_the_message_under_it_and_saves_nothing(
    qtbot: QtBot, db: Database, dialog: SettingsDialog
) -> None:
    hours = dialog.rows["complaint.first_response_hours"]
    greeting = dialog.rows["member.birthday_greeting"]
    assert isinstance(hours.editor, NumberEditor) and isinstance(greeting.editor, TemplateEditor)
    hours.editor.spin.setValue(6)  # a good change in the same save
    greeting.editor.edit.setPlainText("亲爱的{name}，请致电{phone}")
    dialog.tabs.setCurrentIndex(0)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert greeting.box.error_text() == (
        "“生日祝福语”里的占位符 {phone} 不能用。可用的占位符："
        "{name}（会员姓名）、{club}（店名）、{discount}（生日折扣，如 8.8）。"
    )
    assert greeting.box.error.isVisible()
    assert dialog.tabs.currentIndex() == 1 and dialog.nav.currentRow() == 1
    assert greeting.editor.edit.hasFocus()
    assert dialog.status.text() == "“生日祝福语”填写有误，没有保存任何设置。"
    assert _stored(db) == {} and _audits(db) == 0
    assert hours.dirty()  # the edits are still there to correct
    # Correcting the text clears the message; saving then works.
    greeting.editor.insert("club")
    assert greeting.box.error_text() == ""
    greeting.editor.edit.setPlainText("亲爱的{name}，{club}祝您生日快乐！")
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert (
        settings.get_value(db, "member.birthday_greeting") == "亲爱的{name}，{club}祝您生日快乐！"
    )
    assert settings.get_value(db, "complaint.first_response_hours") == 6


def test_placeholder_buttons_insert_at_the_cursor_and_the_length_is_counted(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    script = dialog.rows["visit.script_service"]
    assert isinstance(script.editor, TemplateEditor)
    assert [b.text() for b in script.editor.buttons] == [
        "{name}",
        "{service}",
        "{date}",
        "{club}",
    ]
    script.editor.edit.setPlainText("您好")
    script.editor.edit.moveCursor(script.editor.edit.textCursor().MoveOperation.Start)
    dialog.nav.setCurrentRow(3)
    dialog.tabs.setCurrentIndex(1)
    qtbot.mouseClick(script.editor.buttons[0], Qt.MouseButton.LeftButton)
    assert script.editor.value() == "{name}您好"
    assert script.editor.count.text() == "8/500 字"


def test_an_unreadable_amount_is_refused_at_its_field_before_anything_is_sent(
    qtbot: QtBot, db: Database, dialog: SettingsDialog
) -> None:
    bonus = dialog.rows["member.top_up_bonus"]
    assert isinstance(bonus.editor, BonusEditor)
    assert len(bonus.editor.lines) == 4
    qtbot.mouseClick(bonus.editor.add_button, Qt.MouseButton.LeftButton)
    assert len(bonus.editor.lines) == 5 and bonus.dirty()
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert bonus.box.error_text() == "第 5 档的充值金额：请输入金额。"
    assert _stored(db) == {}
    line = bonus.editor.lines[-1]
    _type(qtbot, line.pay, "3000")
    _type(qtbot, line.bonus, "500")
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert settings.get_value(db, "member.top_up_bonus") == [
        [100000, 10000],
        [200000, 30000],
        [300000, 50000],
        [500000, 100000],
        [1000000, 250000],
    ]
    # The tiers come back in order; removing one is a change too.
    assert [ln.pay.fen() for ln in bonus.editor.lines] == [
        100000,
        200000,
        300000,
        500000,
        1000000,
    ]
    qtbot.mouseClick(bonus.editor.lines[2].remove, Qt.MouseButton.LeftButton)
    assert bonus.dirty()
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert len(settings.get_value(db, "member.top_up_bonus")) == 4


def test_a_service_refusal_of_bonus_tiers_lands_under_them(
    qtbot: QtBot, db: Database, dialog: SettingsDialog
) -> None:
    bonus = dialog.rows["member.top_up_bonus"]
    assert isinstance(bonus.editor, BonusEditor)
    _type(qtbot, bonus.editor.lines[1].bonus, "50")  # 2,000 → 50 is less than 1,000 → 100
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert "充值越多赠送应越多" in bonus.box.error_text()
    assert _stored(db) == {}


def test_holidays_are_added_and_removed_in_the_list(
    qtbot: QtBot, db: Database, dialog: SettingsDialog
) -> None:
    days = dialog.rows["member.holidays"]
    assert isinstance(days.editor, DatesEditor)
    dialog.tabs.setCurrentIndex(1)
    dialog.nav.setCurrentRow(1)
    days.editor.day.setDate(QDate(2000, 2, 29))
    qtbot.mouseClick(days.editor.add_button, Qt.MouseButton.LeftButton)
    days.editor.day.setDate(QDate(2000, 1, 1))
    qtbot.mouseClick(days.editor.add_button, Qt.MouseButton.LeftButton)  # already listed
    assert days.editor.value() == [
        "01-01",
        "02-29",
        "05-01",
        "05-02",
        "05-03",
        "10-01",
        "10-02",
        "10-03",
    ]
    days.editor.days.clearSelection()
    for item in days.editor.days.findItems("05-0", Qt.MatchFlag.MatchStartsWith):
        item.setSelected(True)
    days.editor.days.setFocus()
    qtbot.keyClick(days.editor.days, Qt.Key.Key_Delete)
    assert days.editor.value() == ["01-01", "02-29", "10-01", "10-02", "10-03"]
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert settings.get_value(db, "member.holidays") == [
        "01-01",
        "02-29",
        "10-01",
        "10-02",
        "10-03",
    ]


def test_restore_default_puts_the_default_back_and_saving_deletes_the_stored_value(
    qtbot: QtBot, db: Database, manager: StaffMember
) -> None:
    club_settings.set_values(db, manager, {"visit.due_days": 7, "club.name": "云水间"})
    dialog = next(_open(qtbot, db, manager))
    due = dialog.rows["visit.due_days"]
    name = dialog.rows["club.name"]
    assert isinstance(due.editor, NumberEditor)
    assert due.editor.spin.value() == 7
    assert due.label.property("differs") is True and due.reset_button.isEnabled()
    assert not dialog.rows["visit.quiet_end"].reset_button.isEnabled()
    assert "默认值：3 天" in due.label.toolTip()
    dialog.tabs.setCurrentIndex(1)
    dialog.nav.setCurrentRow(3)
    qtbot.mouseClick(due.reset_button, Qt.MouseButton.LeftButton)
    assert due.editor.spin.value() == 3
    assert due.dirty() and due.label.property("differs") is False
    assert not due.reset_button.isEnabled()
    assert _stored(db).keys() == {"visit.due_days", "club.name"}  # not saved yet
    qtbot.mouseClick(dialog.apply, Qt.MouseButton.LeftButton)
    assert _stored(db).keys() == {"club.name"}
    assert settings.get_value(db, "visit.due_days") == 3
    assert name.label.property("differs") is True


def test_front_desk_sees_the_settings_read_only_with_a_note(
    qtbot: QtBot, db: Database, questions: list[str]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    dialog = next(_open(qtbot, db, desk))
    assert dialog.note.text().startswith("您的账号（测试front_desk）没有“修改店铺设置”的权限")
    dialog.tabs.setCurrentIndex(1)
    dialog.nav.setCurrentRow(2)
    hours = dialog.rows["complaint.first_response_hours"]
    assert isinstance(hours.editor, NumberEditor)
    assert hours.editor.spin.isReadOnly()
    assert hours.reset_button.isHidden()
    greeting = dialog.rows["member.birthday_greeting"]
    assert isinstance(greeting.editor, TemplateEditor)
    assert greeting.editor.edit.isReadOnly()
    assert all(b.isHidden() for b in greeting.editor.buttons)
    assert dialog.rows["member.vip_tier_rank"].editor.focus_widget().isEnabled() is False
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert _stored(db) == {}


def test_supervisor_is_refused_by_the_service_too(db: Database) -> None:
    from clubdesk.errors import PermissionDenied

    supervisor = staff(db, Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        club_settings.set_values(db, supervisor, {"backup.keep": 3})


def test_closing_with_unsaved_edits_asks_first(
    qtbot: QtBot, db: Database, dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [False, True]
    asked: list[str] = []

    def confirm(_parent: object, _title: str, text: str) -> bool:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(dialog_module, "confirm", confirm)
    keep = dialog.rows["backup.keep"]
    assert isinstance(keep.editor, NumberEditor)
    keep.editor.spin.setValue(20)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert asked == ["有尚未保存的修改，确定放弃这些修改吗？"]
    qtbot.mouseClick(dialog.cancel, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert settings.get_value(db, "backup.keep") == 10


def test_closing_without_edits_does_not_ask(
    qtbot: QtBot, dialog: SettingsDialog, questions: list[str]
) -> None:
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and questions == []


def test_the_language_of_this_pc_is_still_saved_on_ok(
    qtbot: QtBot, dialog: SettingsDialog, questions: list[str]
) -> None:
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert prefs.load().language == "en"


def test_a_stored_value_the_input_cannot_show_falls_back_to_the_default(
    qtbot: QtBot, db: Database, manager: StaffMember
) -> None:
    with db.write() as s:
        s.add(Setting(key="member.top_up_bonus", value='"not a list"'))
    dialog = next(_open(qtbot, db, manager))
    bonus = dialog.rows["member.top_up_bonus"]
    assert "无法识别" in bonus.box.error_text()
    assert bonus.current() == settings.DEFINITIONS["member.top_up_bonus"].default
    assert bonus.dirty()  # saving writes the default over the bad value


def test_the_dialog_fits_a_1280_by_800_screen_without_sideways_scrolling(
    dialog: SettingsDialog,
) -> None:
    assert dialog.minimumWidth() <= 1200 and dialog.minimumHeight() <= 700
    assert dialog.width() <= 1200 and dialog.height() <= 700
    dialog.tabs.setCurrentIndex(1)
    for index in range(dialog.pages.count()):
        dialog.nav.setCurrentRow(index)
        QApplication.processEvents()  # the page is laid out when shown
        page = dialog.pages.currentWidget()
        assert page.widget().minimumSizeHint().width() <= page.viewport().width()


def test_keyboard_enter_in_the_day_field_adds_the_day_and_ctrl_s_applies(
    qtbot: QtBot, db: Database, dialog: SettingsDialog
) -> None:
    days = dialog.rows["member.holidays"]
    assert isinstance(days.editor, DatesEditor)
    dialog.activateWindow()
    dialog.tabs.setCurrentIndex(1)
    dialog.nav.setCurrentRow(1)
    days.editor.day.setDate(QDate(2000, 12, 25))
    days.editor.day.setFocus()
    qtbot.keyClick(days.editor.day, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter here adds, it does not press 确定
    assert "12-25" in days.editor.value()
    qtbot.keyClick(dialog.tabs, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()
    assert "12-25" in settings.get_value(db, "member.holidays")


def test_tab_walks_the_bonus_tiers_in_reading_order(dialog: SettingsDialog) -> None:
    bonus = dialog.rows["member.top_up_bonus"]
    assert isinstance(bonus.editor, BonusEditor)
    first, second = bonus.editor.lines[0], bonus.editor.lines[1]
    assert first.pay.nextInFocusChain() is first.bonus
    assert first.bonus.nextInFocusChain() is first.remove
    assert first.remove.nextInFocusChain() is second.pay
    last = bonus.editor.lines[-1]
    assert last.remove.nextInFocusChain() is bonus.editor.add_button

"""顾客投诉登记表: a complaint registered from the keyboard, refusals under their field
with nothing saved, and the form prefilled by a dissatisfied return visit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.models import Booking, Complaint, ReturnVisit, Service
from clubdesk.models.enums import (
    BookingState,
    ComplaintChannel,
    ComplaintStepKind,
    Department,
    ReturnVisitSource,
    Satisfaction,
    ServiceCategory,
    Severity,
    VisitChannel,
)
from clubdesk.services.staff import StaffMember
from tests.core.complaint_helpers import NOW, People, people
from ui.dialogs.complaint_register import ComplaintRegisterDialog
from ui.tasks import SyncRunner


@pytest.fixture
def p(db: Database) -> People:
    return people(db)


@pytest.fixture(autouse=True)
def no_modal_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes never block a test: questions are answered Yes (closing a filled
    form at teardown asks), errors are collected."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    return shown


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Questions the dialog asks (answered No) and message boxes it shows."""
    seen: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: object) -> object:
        seen.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: seen.append(box.text()) or 0)
    yield seen


def complaint_count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).select_from(Complaint)).scalar_one())


def open_form(
    qtbot: QtBot, db: Database, user: StaffMember, **kwargs: object
) -> ComplaintRegisterDialog:
    dialog = ComplaintRegisterDialog(db, SyncRunner(), user, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def book(db: Database, p: People) -> int:
    """A settled massage of the member two days ago: a booking the complaint can name."""
    with db.write() as s:
        service = Service(
            name="中式按摩60分钟", category=ServiceCategory.MASSAGE, duration_min=60,
            list_price_fen=19_800,
        )  # fmt: skip
        s.add(service)
        s.flush()
        booking = Booking(
            member_id=p.member_id, service_id=service.id, start_at=NOW - timedelta(days=2),
            end_at=NOW - timedelta(days=2, hours=-1), state=BookingState.SETTLED,
        )  # fmt: skip
        s.add(booking)
        s.flush()
        return booking.id


def pick_member(qtbot: QtBot, dialog: ComplaintRegisterDialog, phone: str) -> None:
    picker = dialog.picker
    picker.edit.setFocus()
    qtbot.keyClicks(picker.edit, phone)
    assert picker.popup.isVisible()
    qtbot.keyClick(picker.edit, Qt.Key.Key_Down)
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)


def test_a_members_complaint_registered_with_ctrl_enter(
    qtbot: QtBot, db: Database, p: People
) -> None:
    dialog = open_form(qtbot, db, p.desk)
    assert dialog.received_at() == NOW
    assert dialog.category.count() >= 3 and dialog.ok.isEnabled()
    pick_member(qtbot, dialog, "13800138000")
    assert dialog.picker.member_id() == p.member_id
    dialog.choose_channel(ComplaintChannel.PHONE)
    dialog.choose_severity(Severity.HIGH)
    dialog.category.setCurrentIndex(1)
    category_id = dialog.category.currentData()
    # The staff member complained about brings their department along.
    therapist = dialog.staff.findData(p.therapist.id)
    assert therapist > 0
    dialog.staff.setCurrentIndex(therapist)
    dialog.staff.activated.emit(therapist)
    dialog.department.setCurrentIndex(dialog.department.findData(Department.SPA.value))
    dialog.content.setPlainText("技师服务时间不足60分钟。")
    dialog.remedy.setPlainText("退还部分费用")
    dialog.sensitive.setChecked(True)
    dialog.set_received_at(NOW - timedelta(minutes=40))

    with qtbot.waitSignal(dialog.registered) as signal:
        dialog.content.setFocus()
        qtbot.keyClick(dialog.content, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert not dialog.isVisible()
    with db.read() as s:
        saved = s.get(Complaint, signal.args[0])
        assert saved is not None
        assert (saved.member_id, saved.complainant_name, saved.contact) == (
            p.member_id, "张晓明", None,
        )  # fmt: skip
        assert saved.channel is ComplaintChannel.PHONE
        assert saved.severity is Severity.HIGH
        assert saved.category_id == category_id
        assert saved.staff_id == p.therapist.id
        assert saved.department is Department.SPA
        assert saved.content == "技师服务时间不足60分钟。"
        assert saved.requested_remedy == "退还部分费用"
        assert saved.sensitive is True
        assert saved.received_at == NOW - timedelta(minutes=40)
        assert saved.step is ComplaintStepKind.INTAKE
        assert saved.registered_by_id == p.desk.id
        assert saved.number == "TS20310314-001"


def test_a_walk_in_complaint_with_a_landline(qtbot: QtBot, db: Database, p: People) -> None:
    dialog = open_form(qtbot, db, p.desk)
    dialog.picker.set_walk_in("王先生")
    dialog.contact.setText("0571-88886666")
    dialog.content.setPlainText("更衣柜门锁坏了。")
    with qtbot.waitSignal(dialog.registered) as signal:
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    with db.read() as s:
        saved = s.get(Complaint, signal.args[0])
        assert saved is not None
        assert (saved.member_id, saved.complainant_name, saved.contact) == (
            None, "王先生", "057188886666",
        )  # fmt: skip
        assert saved.channel is ComplaintChannel.IN_PERSON
        assert saved.severity is Severity.MEDIUM


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("no_content", "content", "请填写投诉内容。"),
        ("contact_abc", "contact", "联系电话“abc”不是有效的电话号码"),
        ("contact_123", "contact", "联系电话“123”不是有效的电话号码"),
        ("future", "received_at", "受理时间 2031-03-15 15:00 晚于现在，请核对。"),
        ("nobody", "complainant_name", "请填写投诉人姓名，或在会员名单中选择会员。"),
        ("typed_not_picked", "complainant_name", "请在列表中选择会员"),
        ("walk_in_no_phone", "contact", "非会员投诉请填写联系电话"),
    ],
)
def test_bad_input_shows_the_message_under_its_field_and_saves_nothing(
    qtbot: QtBot, db: Database, p: People, case: str, field: str, message: str
) -> None:
    before = complaint_count(db)
    dialog = open_form(qtbot, db, p.desk)
    dialog.picker.set_walk_in("王先生")
    dialog.contact.setText("13912345678")
    dialog.content.setPlainText("等候超过半小时无人接待。")
    if case == "no_content":
        dialog.content.setPlainText("   ")
    elif case == "contact_abc":
        dialog.contact.setText("abc")
    elif case == "contact_123":
        dialog.contact.setText("123")
    elif case == "future":
        dialog.set_received_at(NOW + timedelta(days=1))
    elif case == "nobody":
        dialog.picker.set_walk_in("")
    elif case == "typed_not_picked":
        dialog.picker.walk_in_box.setChecked(False)
        dialog.picker.edit.setText("没有这个人")
    elif case == "walk_in_no_phone":
        dialog.contact.clear()

    qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    box = dialog.errors.boxes[field]
    assert message in box.error_text()
    assert [f for f, b in dialog.errors.boxes.items() if b.error_text()] == [field]
    assert dialog.isVisible() and dialog.complaint_id is None
    assert "没有登记" in dialog.status.text()
    assert complaint_count(db) == before
    focused = QApplication.focusWidget()
    assert focused is not None and (focused is box.field or box.field.isAncestorOf(focused))

    # The window grows for the message: it is under the field, which keeps its height.
    def laid_out() -> bool:
        message = box.error.geometry()
        return (
            dialog.height() >= dialog.heightForWidth(dialog.width())
            and box.field.height() >= box.field.minimumHeight()
            and message.top() > box.field.geometry().bottom()
            and message.bottom() < box.height()
        )

    qtbot.waitUntil(laid_out, timeout=2000)


def test_a_corrected_field_loses_its_message_and_then_saves(
    qtbot: QtBot, db: Database, p: People
) -> None:
    dialog = open_form(qtbot, db, p.desk)
    dialog.picker.set_walk_in("李女士")
    dialog.contact.setText("abc")
    dialog.content.setPlainText("水温太烫。")
    dialog.submit()
    assert dialog.contact_box.error_text()
    dialog.contact.selectAll()
    qtbot.keyClicks(dialog.contact, "13912345678")
    assert not dialog.contact_box.error_text()
    with qtbot.waitSignal(dialog.registered):
        dialog.submit()
    assert complaint_count(db) == 1


def test_a_dissatisfied_return_visit_opens_the_form_prefilled(
    qtbot: QtBot, db: Database, p: People
) -> None:
    booking_id = book(db, p)
    with db.write() as s:
        visit = ReturnVisit(
            member_id=p.member_id, source=ReturnVisitSource.SERVICE, booking_id=booking_id,
            due_on=date(2031, 3, 14), done_at=NOW - timedelta(hours=1),
            channel=VisitChannel.PHONE, outcome=Satisfaction.DISSATISFIED,
        )  # fmt: skip
        s.add(visit)
        s.flush()
        visit_id = visit.id

    dialog = open_form(
        qtbot, db, p.desk, member_id=p.member_id, booking_id=booking_id,
        content="回访时顾客表示按摩力度太大。", channel=ComplaintChannel.PHONE,
        from_visit_id=visit_id,
    )  # fmt: skip
    assert dialog.picker.member_id() == p.member_id
    assert dialog.booking.currentData() == booking_id and dialog.booking.isEnabled()
    assert "03-12" in dialog.booking.currentText()
    assert dialog.channel() is ComplaintChannel.PHONE
    assert dialog.content.toPlainText() == "回访时顾客表示按摩力度太大。"
    assert dialog.heading.isVisible() and "回访" in dialog.heading.text()

    with qtbot.waitSignal(dialog.registered) as signal:
        dialog.submit()
    with db.read() as s:
        saved = s.get(Complaint, signal.args[0])
        assert saved is not None and saved.booking_id == booking_id
        assert saved.channel is ComplaintChannel.PHONE
        linked = s.get(ReturnVisit, visit_id)
        assert linked is not None and linked.follow_up_complaint_id == saved.id


def test_esc_on_a_filled_form_asks_first(
    qtbot: QtBot, db: Database, p: People, asked: list[str]
) -> None:
    dialog = open_form(qtbot, db, p.desk)
    dialog.content.setPlainText("空调太冷。")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    assert any("放弃" in text for text in asked)


def test_the_sensitive_hint_tells_the_front_desk_it_will_not_see_it(
    qtbot: QtBot, db: Database, p: People
) -> None:
    desk = open_form(qtbot, db, p.desk)
    assert "主管" in desk.sensitive_hint.text() and "看不到" in desk.sensitive_hint.text()
    supervisor = open_form(qtbot, db, p.supervisor)
    assert "看不到" not in supervisor.sensitive_hint.text()


# -- the keyboard ------------------------------------------------------------------------------
def tab_cycle(start: QWidget, limit: int = 40) -> list[QWidget]:
    """The widgets Tab visits from ``start`` until it comes back to it."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    for _n in range(limit):
        focused = QApplication.focusWidget()
        assert focused is not None
        if seen and focused is start:
            return seen
        seen.append(focused)
        QTest.keyClick(focused, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never came back: {[type(w).__name__ for w in seen]}")


def test_tab_goes_through_the_form_in_reading_order(qtbot: QtBot, db: Database, p: People) -> None:
    book(db, p)
    dialog = open_form(qtbot, db, p.desk)
    pick_member(qtbot, dialog, "13800138000")  # the member's bookings to choose from
    assert dialog.booking.isEnabled()
    expected = [
        dialog.picker.edit,
        dialog.picker.walk_in_box,
        dialog.contact,
        dialog.received,
        dialog.channel_buttons[ComplaintChannel.IN_PERSON],
        dialog.category,
        dialog.severity_buttons[Severity.MEDIUM],
        dialog.booking,
        dialog.staff,
        dialog.department,
        dialog.content,
        dialog.remedy,
        dialog.sensitive,
        dialog.ok,
        dialog.cancel,
    ]
    assert tab_cycle(dialog.picker.edit) == expected

    # Shift+Tab goes back the same way.
    dialog.content.setFocus(Qt.FocusReason.TabFocusReason)
    backwards = []
    for _n in range(4):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
        backwards.append(QApplication.focusWidget())
    assert backwards == [
        dialog.department,
        dialog.staff,
        dialog.booking,
        dialog.severity_buttons[Severity.MEDIUM],
    ]


def test_tab_lands_on_the_chosen_channel(qtbot: QtBot, db: Database, p: People) -> None:
    dialog = open_form(qtbot, db, p.desk, channel=ComplaintChannel.PHONE)
    dialog.choose_severity(Severity.HIGH)
    chain = tab_cycle(dialog.contact)
    assert chain[:4] == [
        dialog.contact,
        dialog.received,
        dialog.channel_buttons[ComplaintChannel.PHONE],
        dialog.category,
    ]
    assert chain[4] is dialog.severity_buttons[Severity.HIGH]
    assert dialog.booking not in chain  # no member chosen: no bookings to link


def test_enter_in_a_field_does_not_register(qtbot: QtBot, db: Database, p: People) -> None:
    dialog = open_form(qtbot, db, p.desk)
    dialog.picker.set_walk_in("王先生")
    dialog.content.setPlainText("更衣柜门锁坏了。")
    dialog.contact.setFocus()
    qtbot.keyClicks(dialog.contact, "13912345678")
    for widget in (dialog.contact, dialog.picker.edit, dialog.category, dialog.sensitive):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
        qtbot.keyClick(widget, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert complaint_count(db) == 0 and dialog.isVisible() and dialog.complaint_id is None
    assert not dialog.ok.isDefault()

    with qtbot.waitSignal(dialog.registered):
        qtbot.keyClick(dialog.contact, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert complaint_count(db) == 1


def test_enter_in_the_member_search_picks_the_member(qtbot: QtBot, db: Database, p: People) -> None:
    dialog = open_form(qtbot, db, p.desk)
    dialog.content.setPlainText("水温太烫。")
    pick_member(qtbot, dialog, "13800138000")  # ↓ then Enter in the list of matches
    assert dialog.picker.member_id() == p.member_id
    qtbot.keyClick(dialog.picker.edit, Qt.Key.Key_Return)  # the list is closed now
    assert complaint_count(db) == 0 and dialog.isVisible()

"""The booking dialog on the seeded database: a new booking typed from the keyboard,
refusals under their fields with nothing saved, the life cycle, 加钟, and the seats of
a session with the waitlist when it is full.  Every booking is on a fixed future day
(the seeded bookings are around today) and made with ``at=`` times the test controls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.models import Booking, BookingResource, Member, WaitlistEntry
from clubdesk.models.enums import BookingState, ResourceKind, Role, Satisfaction
from clubdesk.services import board, bookings, catalog, staff, waitlist
from clubdesk.services.board import BoardResource
from clubdesk.services.bookings import BookingDraft
from clubdesk.services.staff import StaffMember
from clubdesk.services.waitlist import WaitlistInput
from ui.dialogs import booking as booking_ui
from ui.dialogs.booking import (
    AddTimeDialog,
    BookingDialog,
    ReasonDialog,
    SatisfactionDialog,
    busy_reason,
    default_start,
)
from ui.dialogs.waitlist import AddWaitlistDialog
from ui.tasks import SyncRunner

DAY = date(2031, 5, 14)
NOW = datetime(2031, 5, 14, 9, 0)  # the counter's clock: the morning of DAY


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute))


@dataclass(frozen=True)
class Club:
    actor: StaffMember
    massage: int  # 中式按摩60分钟
    yoga: int  # 瑜伽团课, a class with seats
    rooms: list[BoardResource]  # rooms that do the massage
    day_therapists: list[BoardResource]  # therapists who do it and work 14:00–18:00
    yoga_room: BoardResource
    evening_coach: BoardResource


@pytest.fixture(autouse=True)
def _app_configured(qapp: QApplication) -> None:
    from ui.app import configure

    configure(qapp)


@pytest.fixture(autouse=True)
def _questions_must_be_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A question no test answers fails loudly instead of blocking the run (closing a
    dialog with unsaved input asks one)."""

    def unanswered(_parent: object, _title: str, text: str, *_a: object) -> object:
        raise AssertionError(f"unexpected question: {text}")

    monkeypatch.setattr(QMessageBox, "question", unanswered)


def collect_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes never block: their text is collected; questions answer Yes."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    return shown


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return collect_boxes(monkeypatch)


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Waitlist notices the dialog would pop up after a save."""
    seen: list[str] = []
    monkeypatch.setattr(booking_ui, "show_notices", lambda _parent, lines: seen.extend(lines))
    return seen


@pytest.fixture
def club(seeded_db: Database) -> Club:
    return make_club(seeded_db)


def make_club(seeded_db: Database) -> Club:
    actor = staff.counter_user(seeded_db)
    assert actor is not None
    services = {s.name: s.id for s in catalog.list_services(seeded_db)}
    massage, yoga = services["中式按摩60分钟"], services["瑜伽团课"]
    with seeded_db.read() as session:
        resources = board.resources(session)
    rooms = [r for r in resources if r.kind is ResourceKind.ROOM and massage in r.service_ids]
    therapists = [
        r
        for r in resources
        if r.kind is ResourceKind.THERAPIST and massage in r.service_ids and r.works(at(14), at(18))
    ]
    yoga_room = next(r for r in resources if r.kind is ResourceKind.AREA and yoga in r.service_ids)
    coach = next(
        r
        for r in resources
        if r.kind is ResourceKind.COACH and yoga in r.service_ids and r.works(at(19), at(20))
    )
    assert len(rooms) >= 2 and len(therapists) >= 2
    return Club(actor, massage, yoga, rooms, therapists, yoga_room, coach)


@pytest.fixture
def member(seeded_db: Database) -> tuple[int, str, str]:
    return first_member(seeded_db)


def first_member(seeded_db: Database) -> tuple[int, str, str]:
    """(id, name, phone) of a member to book for."""
    with seeded_db.read() as session:
        row = session.execute(
            select(Member.id, Member.name, Member.phone).order_by(Member.id).limit(1)
        ).one()
    return int(row[0]), str(row[1]), str(row[2])


def open_dialog(qtbot: QtBot, db: Database, actor: StaffMember, **kwargs: object) -> BookingDialog:
    dialog = BookingDialog(db, SyncRunner(), actor, None, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    return dialog


def activate(qtbot: QtBot, dialog: QWidget) -> None:
    """Wait until ``dialog`` has the keyboard, as it does once the counter sees it."""
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)


def book(
    db: Database,
    club: Club,
    start: datetime,
    end: datetime,
    resources: tuple[int, ...],
    *,
    member_id: int | None = None,
) -> int:
    draft = BookingDraft(
        club.massage,
        start,
        end,
        resource_ids=resources,
        member_id=member_id,
        guest_name=None if member_id else "散客李先生",
    )
    return bookings.create(db, club.actor, draft, at=NOW).booking_id


def day_bookings(db: Database) -> list[Booking]:
    with db.read() as session:
        rows = session.scalars(
            select(Booking)
            .where(Booking.start_at >= at(0), Booking.start_at < at(0) + timedelta(days=1))
            .order_by(Booking.id)
        ).all()
        session.expunge_all()
        return list(rows)


def held(db: Database, booking_id: int) -> set[int]:
    with db.read() as session:
        return set(
            session.scalars(
                select(BookingResource.resource_id).where(BookingResource.booking_id == booking_id)
            )
        )


def pick_member(qtbot: QtBot, dialog_picker: object, phone: str) -> None:
    from ui.widgets.member_picker import MemberPicker

    assert isinstance(dialog_picker, MemberPicker)
    dialog_picker.edit.setFocus()
    qtbot.keyClicks(dialog_picker.edit, phone)
    assert dialog_picker.popup.isVisible()
    qtbot.keyClick(dialog_picker.edit, Qt.Key.Key_Down)
    qtbot.keyClick(dialog_picker.edit, Qt.Key.Key_Return)
    assert not dialog_picker.popup.isVisible()


def alt(qtbot: QtBot, dialog: QWidget, key: Qt.Key, done: Callable[[], object]) -> None:
    """Alt+letter, then wait for what the button does."""
    qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(done()), timeout=2000)


# -- pure helpers ------------------------------------------------------------------------
def test_default_start_is_the_next_quarter_hour_inside_opening_hours() -> None:
    opens, closes = time(10), time(2)
    assert default_start(datetime(2031, 5, 14, 14, 7), opens, closes) == at(14, 15)
    assert default_start(datetime(2031, 5, 14, 8, 0), opens, closes) == at(10)
    # 01:50 belongs to the night before, whose last quarter hour has begun: tomorrow's opening
    assert default_start(datetime(2031, 5, 15, 1, 50), opens, closes) == datetime(
        2031, 5, 15, 10, 0
    )


def test_busy_reason_names_the_booking_in_the_way_and_working_hours(club: Club) -> None:
    therapist = club.day_therapists[0]
    assert busy_reason(therapist, [], at(14), at(15)) is None
    assert therapist.works_from is not None and therapist.works_until is not None
    shift = f"{therapist.works_from:%H:%M}–{therapist.works_until:%H:%M}"
    # The shift is the therapist's hours; "此时不在班" says the chosen time is outside them.
    gone = datetime.combine(DAY, therapist.works_until)
    assert busy_reason(therapist, [], gone, gone + timedelta(hours=1)) == (
        f"班次 {shift}，此时不在班"
    )
    # On duty at the start but off before the end.
    assert busy_reason(
        therapist, [], gone - timedelta(minutes=30), gone + timedelta(minutes=30)
    ) == (f"班次 {shift}，服务结束前已下班")


# -- a new booking -------------------------------------------------------------------------
def test_new_booking_typed_from_the_keyboard(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
) -> None:
    member_id, name, phone = member
    room = club.rooms[0]
    dialog = open_dialog(
        qtbot, seeded_db, club.actor, resource_id=room.id, start_at=at(14), end_at=at(15)
    )
    created: list[int] = []
    dialog.created.connect(created.append)
    # The board's cell: the room, 14:00 for an hour, a service that room can do.
    assert dialog.room.currentData() == room.id
    assert dialog.span() == (at(14), at(15))
    assert dialog.service_id() in room.service_ids
    assert dialog.time.currentText() == "14:00"
    assert dialog.end_label.text() == "至 15:00"
    # The service the guest asked for: the combo takes the keyboard (its name's start).
    dialog.service.setFocus()
    while dialog.service_id() != club.massage:
        qtbot.keyClick(dialog.service, Qt.Key.Key_Down)
    assert dialog.duration.value() == 60

    assert QApplication.focusWidget() is dialog.service
    pick_member(qtbot, dialog.picker, phone)
    assert dialog.picker.member_id() == member_id
    assert name in dialog.picker.info.text() and phone[-4:] in dialog.picker.info.text()
    # Down in the therapist list skips the ones who are off duty or busy.
    dialog.staff.setFocus()
    qtbot.keyClick(dialog.staff, Qt.Key.Key_Down)
    therapist = dialog.staff.currentData()
    assert therapist == club.day_therapists[0].id
    qtbot.keyClicks(dialog.notes, "VIP")
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = day_bookings(seeded_db)
    assert [b.id for b in saved] == created
    only = saved[0]
    assert (only.member_id, only.service_id, only.state) == (
        member_id,
        club.massage,
        BookingState.BOOKED,
    )
    assert (only.start_at, only.end_at, only.notes) == (at(14), at(15), "VIP")
    assert held(seeded_db, only.id) == {room.id, therapist}
    assert boxes == []


def test_changing_the_service_takes_its_duration_and_filters_the_staff(
    qtbot: QtBot, seeded_db: Database, club: Club, boxes: list[str]
) -> None:
    dialog = open_dialog(qtbot, seeded_db, club.actor, start_at=at(14))
    foot = dialog.service.findText("足疗90分钟")
    dialog.service.setCurrentIndex(foot)
    assert dialog.duration.value() == 90
    assert dialog.end_label.text() == "至 15:30"
    foot_id = dialog.service_id()
    for index in range(1, dialog.room.count()):
        room_id = dialog.room.itemData(index)
        assert foot_id in dialog._resources[room_id].service_ids
    dialog.service.setCurrentIndex(dialog.service.findText("瑜伽团课"))
    assert dialog.duration.value() == 60
    staff_names = [dialog.staff.itemText(i) for i in range(1, dialog.staff.count())]
    assert staff_names and all("教练" in n for n in staff_names)


def test_refusals_show_under_their_field_and_save_nothing(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
) -> None:
    room, therapist = club.rooms[0], club.day_therapists[0]
    dialog = open_dialog(
        qtbot, seeded_db, club.actor, resource_id=room.id, start_at=at(14), end_at=at(15)
    )
    dialog.staff.setCurrentIndex(dialog.staff.findData(therapist.id))

    # Nobody chosen.
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.guest_box.error_text() == "请选择会员或填写散客姓名。"
    # Text typed but no member picked from the list.
    qtbot.keyClicks(dialog.picker.edit, "1")
    dialog.picker.hide_matches()
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)
    assert "请在列表中选择会员" in dialog.guest_box.error_text()
    # A walk-in with a name, but an end that is not after the start.
    qtbot.keyClick(dialog.picker.walk_in_box, Qt.Key.Key_Space)
    assert dialog.picker.is_walk_in()
    qtbot.keyClicks(dialog.picker.edit, "Mr Wang")
    dialog.duration.selectAll()
    qtbot.keyClicks(dialog.duration, "0")
    assert dialog.end_label.text() == "至 14:00"
    qtbot.keyClick(dialog.duration, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.duration_box.error_text() == "结束时间必须晚于开始时间。"
    assert dialog.guest_box.error_text() == ""
    assert day_bookings(seeded_db) == []

    # The room is taken by another counter after the dialog was opened.
    dialog.duration.setValue(60)
    other = book(seeded_db, club, at(14, 30), at(15, 30), (room.id,), member_id=member[0])
    assert "已约" not in dialog.room.currentText()
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert room.name in dialog.room_box.error_text()
    assert "14:30–15:30" in dialog.room_box.error_text()
    assert "红字" in dialog.status.text()
    # The dialog read the board again: the room is now listed as busy, with why.
    assert "已约 14:30–15:30" in dialog.room.currentText()
    assert [b.id for b in day_bookings(seeded_db)] == [other]
    assert boxes == []


def test_a_refusal_stays_under_its_field_when_the_day_is_read_again(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
) -> None:
    """With a real runner the board arrives after the refusal: reading it again must not
    wipe the red text the status line points at; the user's own edit does."""
    from tests.ui.test_board import HeldRunner

    room, other_room = club.rooms[0], club.rooms[1]
    runner = HeldRunner()
    dialog = BookingDialog(
        seeded_db, runner, club.actor, None, resource_id=room.id, start_at=at(14),
        end_at=at(15), clock=lambda: NOW,
    )  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    dialog.picker.set_walk_in("Mr Wang")
    other = book(seeded_db, club, at(14, 30), at(15, 30), (room.id,), member_id=member[0])

    def answer_next() -> None:
        fn, on_done, on_failed = runner.queue.pop(0)
        SyncRunner.submit(runner, fn, on_done, on_failed)

    runner.hold = True
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)
    answer_next()  # the save: refused, and the day is asked for again
    refusal = dialog.room_box.error_text()
    assert room.name in refusal and "14:30–15:30" in refusal
    assert dialog.status.text() == "没有保存：请按红字提示修改。"
    assert len(runner.queue) == 1
    answer_next()  # the day arrives afterwards
    assert "已约 14:30–15:30" in dialog.room.currentText()
    assert dialog.room_box.error_text() == refusal
    assert dialog.status.text() == "没有保存：请按红字提示修改。"
    # Another background read (the date's day again) keeps it too.
    dialog._refresh_day()
    answer_next()
    assert dialog.room_box.error_text() == refusal
    runner.hold = False

    # The user picks another room: the message about the old one goes.
    dialog.room.setCurrentIndex(dialog.room.findData(other_room.id))
    assert dialog.room_box.error_text() == ""
    # Back to the busy room: the board's own reason, not the old refusal.
    dialog.room.setCurrentIndex(dialog.room.findData(room.id))
    assert dialog.room_box.error_text().startswith("这个时间不可用：已约 14:30–15:30")
    # A refusal, then a new start time: the refusal was about the old time.
    dialog.save_button.click()
    assert dialog.room_box.error_text() == refusal
    dialog.time.setCurrentIndex(dialog.time.findText("16:00"))
    assert dialog.room_box.error_text() == ""
    assert [b.id for b in day_bookings(seeded_db)] == [other]
    assert boxes == []


def test_a_busy_room_is_listed_disabled_with_the_reason(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
) -> None:
    busy, free = club.rooms[0], club.rooms[1]
    book(seeded_db, club, at(14), at(15), (busy.id,), member_id=member[0])
    dialog = open_dialog(
        qtbot, seeded_db, club.actor, resource_id=busy.id, start_at=at(14, 30), end_at=at(15, 30)
    )
    index = dialog.room.findData(busy.id)
    model = dialog.room.model()
    assert not model.flags(model.index(index, 0)) & Qt.ItemFlag.ItemIsEnabled
    assert "已约 14:00–15:00" in dialog.room.itemText(index)
    assert "已约" in dialog.room_box.error_text()
    assert model.flags(model.index(dialog.room.findData(free.id), 0)) & Qt.ItemFlag.ItemIsEnabled
    # Moving the start past the other booking frees the room.
    dialog.time.setCurrentIndex(dialog.time.findText("15:00"))
    assert dialog.room.currentData() == busy.id
    assert dialog.room.currentText() == busy.name
    assert dialog.room_box.error_text() == ""


# -- an existing booking: the life cycle ----------------------------------------------------
def drive(
    monkeypatch: pytest.MonkeyPatch, cls: type[QDialog], steps: Callable[[QDialog], None]
) -> list[QDialog]:
    """Replace ``cls.exec`` (a modal loop) by showing the dialog and running ``steps``."""
    seen: list[QDialog] = []

    def run(dialog: QDialog) -> int:
        seen.append(dialog)
        dialog.show()
        steps(dialog)
        dialog.hide()
        owner = dialog.parentWidget()
        if owner is not None:  # as after exec(): the dialog that asked is active again
            owner.window().activateWindow()
        return dialog.result()

    monkeypatch.setattr(cls, "exec", run)
    return seen


def reason_given(text: str) -> Callable[[QDialog], None]:
    def give(dialog: QDialog) -> None:
        assert isinstance(dialog, ReasonDialog)
        dialog.edit.setEditText(text)
        dialog.ok.click()

    return give


def test_arrive_start_finish_with_satisfaction_then_checkout(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    booking_id = book(
        seeded_db,
        club,
        at(14),
        at(15),
        (club.rooms[0].id, club.day_therapists[0].id),
        member_id=member[0],
    )
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    changed: list[int] = []
    checkout: list[int] = []
    dialog.changed.connect(changed.append)
    dialog.checkout_requested.connect(checkout.append)
    assert dialog.detail is not None and dialog.detail.state is BookingState.BOOKED
    visible = [b.text() for b in dialog._action_buttons() if b.isVisible()]
    assert visible == ["到店(&A)", "取消预约(&X)", "爽约(&N)"]
    assert "爽约 0 次" in dialog.progress.text().replace("&nbsp;", " ")

    state = lambda: bookings.detail(seeded_db, booking_id).state  # noqa: E731
    alt(qtbot, dialog, Qt.Key.Key_A, lambda: state() is BookingState.ARRIVED)
    assert dialog.detail.state is BookingState.ARRIVED
    assert dialog.status.text() == "已登记到店。"
    assert not dialog.arrive_button.isVisible() and dialog.start_button.isVisible()

    alt(qtbot, dialog, Qt.Key.Key_S, lambda: state() is BookingState.IN_SERVICE)
    assert not dialog.cancel_button.isVisible()
    assert not dialog.date.isEnabled() and dialog.duration.isEnabled()  # start is fixed now

    asked = drive(
        monkeypatch,
        SatisfactionDialog,
        lambda d: qtbot.keyClick(d, Qt.Key.Key_1),
    )
    alt(qtbot, dialog, Qt.Key.Key_E, lambda: state() is BookingState.FINISHED)
    assert len(asked) == 1
    finished = bookings.detail(seeded_db, booking_id)
    assert finished.state is BookingState.FINISHED
    assert finished.satisfaction is Satisfaction.SATISFIED
    assert "满意" in dialog.progress.text()
    assert not dialog.room.isEnabled()  # a finished booking no longer holds its room
    assert changed == [booking_id] * 3

    assert dialog.checkout_button.isVisible()
    alt(qtbot, dialog, Qt.Key.Key_K, lambda: checkout)
    assert checkout == [booking_id]
    assert not dialog.isVisible()


def test_finish_can_skip_satisfaction_and_going_back_finishes_nothing(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    booking_id = book(seeded_db, club, at(14), at(15), (club.rooms[0].id,))
    for state in (BookingState.ARRIVED, BookingState.IN_SERVICE):
        bookings.transition(seeded_db, club.actor, booking_id, state, at=NOW)
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)

    drive(monkeypatch, SatisfactionDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_Escape))
    dialog.finish_button.click()
    assert bookings.detail(seeded_db, booking_id).state is BookingState.IN_SERVICE

    drive(monkeypatch, SatisfactionDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_0))
    dialog.finish_button.click()
    detail = bookings.detail(seeded_db, booking_id)
    assert (detail.state, detail.satisfaction) == (BookingState.FINISHED, None)


def test_alt_digit_then_a_quick_enter_records_that_satisfaction(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Alt+2 and Enter within a tenth of a second: 一般, not the default 满意."""
    from clubdesk.services.labels import label

    booking_id = book(seeded_db, club, at(14), at(15), (club.rooms[0].id,))
    for state in (BookingState.ARRIVED, BookingState.IN_SERVICE):
        bookings.transition(seeded_db, club.actor, booking_id, state, at=NOW)
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)

    def alt_two_then_enter(asked: QDialog) -> None:
        activate(qtbot, asked)
        qtbot.keyClick(asked, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        qtbot.keyClick(asked, Qt.Key.Key_Return)  # no wait

    asked = drive(monkeypatch, SatisfactionDialog, alt_two_then_enter)
    dialog.finish_button.click()
    assert len(asked) == 1
    detail = bookings.detail(seeded_db, booking_id)
    assert (detail.state, detail.satisfaction) == (BookingState.FINISHED, Satisfaction.AVERAGE)
    assert label(Satisfaction.AVERAGE) in dialog.progress.text()
    qtbot.wait(250)  # nothing lands late
    assert bookings.detail(seeded_db, booking_id).satisfaction is Satisfaction.AVERAGE


def test_alt_six_then_a_quick_enter_adds_an_hour(qtbot: QtBot) -> None:
    asked = AddTimeDialog(None)
    qtbot.addWidget(asked)
    asked.show()
    activate(qtbot, asked)
    qtbot.keyClick(asked, Qt.Key.Key_6, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(asked, Qt.Key.Key_Return)  # the default is 30 minutes
    assert asked.result() == QDialog.DialogCode.Accepted and asked.minutes == 60


def test_cancel_needs_a_reason_and_a_confirmation(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    booking_id = book(seeded_db, club, at(14), at(15), (club.rooms[0].id,), member_id=member[0])
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    answers: list[QMessageBox.StandardButton] = [QMessageBox.StandardButton.No]
    questions: list[str] = []

    def question(_parent: QWidget, _title: str, text: str, *_a: object) -> object:
        questions.append(text)
        return answers[0]

    monkeypatch.setattr(QMessageBox, "question", question)

    def give_reason(reason_dialog: QDialog) -> None:
        assert isinstance(reason_dialog, ReasonDialog)
        assert not reason_dialog.ok.isEnabled()
        line = reason_dialog.edit.lineEdit()
        assert line is not None
        qtbot.keyClick(line, Qt.Key.Key_Return)  # no reason yet: stays open
        assert reason_dialog.isVisible() and reason_dialog.result() != QDialog.DialogCode.Accepted
        qtbot.keyClicks(line, "late")
        assert reason_dialog.ok.isEnabled()
        qtbot.keyClick(line, Qt.Key.Key_Return)

    # Backing out of the reason cancels nothing and asks nothing.
    backed = drive(monkeypatch, ReasonDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_Escape))
    alt(qtbot, dialog, Qt.Key.Key_X, lambda: backed)
    assert questions == []
    assert bookings.detail(seeded_db, booking_id).state is BookingState.BOOKED
    # A reason, then No at the confirmation: still booked.
    drive(monkeypatch, ReasonDialog, give_reason)
    dialog.cancel_button.click()
    assert len(questions) == 1
    assert bookings.detail(seeded_db, booking_id).state is BookingState.BOOKED
    # Yes: cancelled with the reason, and the room is free again.
    answers[0] = QMessageBox.StandardButton.Yes
    dialog.cancel_button.click()
    detail = bookings.detail(seeded_db, booking_id)
    assert (detail.state, detail.cancel_reason) == (BookingState.CANCELLED, "late")
    assert dialog.detail is not None and dialog.detail.state is BookingState.CANCELLED
    assert not any(b.isVisible() for b in dialog._action_buttons())
    assert not dialog.save_button.isEnabled()
    assert "late" in dialog.progress.text()


def test_cancel_shows_the_waitlist_notice(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    boxes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    room = club.rooms[0]
    booking_id = book(seeded_db, club, at(14), at(15), (room.id,))
    entry_id = waitlist.add(
        seeded_db,
        club.actor,
        WaitlistInput(club.massage, at(13), at(16), guest_name="候补赵女士", contact="13900002222"),
    )
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    drive(monkeypatch, ReasonDialog, reason_given("rain"))
    dialog.cancel_button.click()
    assert dialog.notice.isVisible()
    assert "候补赵女士" in dialog.notice.text() and "13900002222" in dialog.notice.text()
    assert dialog.notices == [dialog.notice.text()]
    with seeded_db.read() as session:
        entry = session.get(WaitlistEntry, entry_id)
        assert entry is not None and entry.notified_at == NOW


def test_no_show_asks_first_and_counts_on_the_member(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
) -> None:
    member_id = member[0]
    before = bookings.no_show_count(seeded_db, member_id)
    booking_id = book(seeded_db, club, at(10), at(11), (club.rooms[0].id,), member_id=member_id)
    dialog = BookingDialog(
        seeded_db, SyncRunner(), club.actor, None, booking_id=booking_id, clock=lambda: at(11)
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.no_show_button.click()
    assert bookings.detail(seeded_db, booking_id).state is BookingState.NO_SHOW
    assert bookings.no_show_count(seeded_db, member_id) == before + 1
    assert f"爽约 {before + 1} 次" in dialog.progress.text().replace("&nbsp;", " ")


def test_add_time_extends_the_end_or_says_why_not(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    therapist = club.day_therapists[0]
    booking_id = book(seeded_db, club, at(14), at(15), (therapist.id,), member_id=member[0])
    for state in (BookingState.ARRIVED, BookingState.IN_SERVICE):
        bookings.transition(seeded_db, club.actor, booking_id, state, at=NOW)
    # The same therapist's next guest at 16:30.
    book(seeded_db, club, at(16, 30), at(17, 30), (therapist.id,))
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    changed: list[int] = []
    dialog.changed.connect(changed.append)

    drive(monkeypatch, AddTimeDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_6))
    alt(qtbot, dialog, Qt.Key.Key_T, lambda: changed)
    detail = bookings.detail(seeded_db, booking_id)
    assert (detail.end_at, detail.added_minutes) == (at(16), 60)
    assert dialog.duration.value() == 120 and dialog.end_label.text() == "至 16:00"
    assert "已加钟 60 分钟" in dialog.status.text()
    assert "已加钟" in dialog.progress.text()
    assert changed == [booking_id]

    # Another hour would run into the next guest: refused, nothing changes.
    dialog.add_time_button.click()
    assert bookings.detail(seeded_db, booking_id).end_at == at(16)
    assert "16:30" in dialog.status.text() and therapist.name in dialog.status.text()
    assert changed == [booking_id]

    # Enter with 30: the default of the choice.
    drive(monkeypatch, AddTimeDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_Return))
    dialog.add_time_button.click()
    assert bookings.detail(seeded_db, booking_id).end_at == at(16, 30)


def test_saving_a_moved_booking_reschedules_it(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    notices: list[str],
) -> None:
    room, other_room = club.rooms[0], club.rooms[1]
    booking_id = book(seeded_db, club, at(14), at(15), (room.id,), member_id=member[0])
    entry_id = waitlist.add(
        seeded_db,
        club.actor,
        WaitlistInput(club.massage, at(14), at(15), guest_name="等101的客人", resource_id=room.id),
    )
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    assert not dialog.is_dirty()
    dialog.time.setCurrentIndex(dialog.time.findText("15:00"))
    dialog.room.setCurrentIndex(dialog.room.findData(other_room.id))
    dialog.count.setValue(2)
    assert dialog.is_dirty()
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)

    assert dialog.result() == QDialog.DialogCode.Accepted
    detail = bookings.detail(seeded_db, booking_id)
    assert (detail.start_at, detail.end_at, detail.guest_count) == (at(15), at(16), 2)
    assert detail.resource_ids == (other_room.id,)
    assert detail.member_id == member[0]
    assert len(notices) == 1 and "等101的客人" in notices[0]
    with seeded_db.read() as session:
        entry = session.get(WaitlistEntry, entry_id)
        assert entry is not None and entry.state.value == "notified"


def test_a_counter_without_booking_rights_only_looks(
    qtbot: QtBot, seeded_db: Database, club: Club
) -> None:
    booking_id = book(seeded_db, club, at(14), at(15), (club.rooms[0].id,))
    coach = StaffMember(club.actor.id, "c", "教练", Role.COACH)
    dialog = open_dialog(qtbot, seeded_db, coach, booking_id=booking_id)
    assert not dialog.save_button.isEnabled()
    assert not dialog.arrive_button.isEnabled()
    assert "没有预约权限" in dialog.status.text()


# -- sessions ---------------------------------------------------------------------------
@pytest.fixture
def session_id(seeded_db: Database, club: Club) -> Iterator[int]:
    draft = BookingDraft(
        club.yoga, at(19), at(20), resource_ids=(club.yoga_room.id, club.evening_coach.id)
    )
    yield bookings.create(seeded_db, club.actor, draft, at=NOW).booking_id


def seat_count(db: Database, host: int) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Booking).where(Booking.session_id == host)
            )
            or 0
        )


def test_reserve_a_seat_then_a_full_session_offers_the_waitlist(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    session_id: int,
    boxes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _member_id, name, phone = member
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=session_id)
    assert dialog.seats_box.isVisible()
    assert dialog.seat_count.text() == "已订 0 / 20 座"
    assert not dialog.seat_waitlist_button.isEnabled()

    pick_member(qtbot, dialog.seat_picker, phone)
    qtbot.keyClick(dialog.seat_picker.edit, Qt.Key.Key_Return)  # Enter reserves
    assert dialog.isVisible()
    assert seat_count(seeded_db, session_id) == 1
    assert dialog.seat_table.rowCount() == 1
    assert dialog.seat_table.item(0, 0).text() == name
    assert dialog.seat_picker.member_id() is None  # ready for the next guest
    assert dialog.seat_count.text() == "已订 1 / 20 座"
    # The same member twice is refused.
    pick_member(qtbot, dialog.seat_picker, phone)
    dialog.reserve_button.click()
    assert "已经订了" in dialog.seat_status.text()
    assert seat_count(seeded_db, session_id) == 1

    # Other counters fill the class meanwhile.
    for n in range(19):
        bookings.reserve_seat(seeded_db, club.actor, session_id, guest_name=f"学员{n}", at=NOW)
    dialog.seat_picker.set_walk_in("Mr Late")
    dialog.reserve_button.click()
    assert "座位已满" in dialog.seat_status.text() or "已满" in dialog.seat_status.text()
    assert seat_count(seeded_db, session_id) == 20
    assert dialog.seat_count.text().startswith("已订 20 / 20 座")
    assert not dialog.reserve_button.isEnabled() and dialog.seat_waitlist_button.isEnabled()
    # Yes to "登记候补?" opened the waitlist form for this session, with the guest.
    form = dialog.waitlist_dialog
    assert isinstance(form, AddWaitlistDialog)
    assert form.session_id == session_id
    assert form.picker.guest_name() == "Mr Late"
    assert not form.service.isEnabled()
    qtbot.keyClicks(form.contact, "13700003333")
    qtbot.keyClick(form.contact, Qt.Key.Key_Return)
    assert form.entry_id is not None
    entry = waitlist.entries(seeded_db, DAY)[0]
    assert (entry.session_id, entry.guest, entry.contact) == (session_id, "Mr Late", "13700003333")
    assert (entry.wanted_from, entry.wanted_until) == (at(19), at(20))
    assert "已登记候补" in dialog.status.text()

    # A seat given back tells the counter about the waiting guest.
    dialog.seat_table.selectRow(0)
    assert dialog.selected_seat() is not None
    drive(monkeypatch, ReasonDialog, reason_given("sick"))
    dialog.seat_cancel.click()
    assert "Mr Late" in dialog.notice.text()
    assert dialog.seat_count.text() == "已订 19 / 20 座"


@pytest.mark.parametrize("points", [None, 16])
def test_a_small_session_window_still_shows_five_seats_and_the_whole_date(
    qtbot: QtBot, seeded_db: Database, club: Club, session_id: int, points: int | None
) -> None:
    """Shrunk as far as it goes (and with a large font): five seat rows and the date with
    its weekday, nothing cut off."""
    from PySide6.QtGui import QFont

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font()
    if points is not None:
        larger = QFont(before)
        larger.setPointSize(points)
        app.setFont(larger)
    try:
        for n in range(8):
            bookings.reserve_seat(seeded_db, club.actor, session_id, guest_name=f"学员{n}", at=NOW)
        dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=session_id)
        dialog.resize(1, 1)  # the smallest it allows
        qtbot.waitUntil(lambda: dialog.seat_table.viewport().height() < 300, timeout=1000)
        table = dialog.seat_table
        assert table.rowCount() == 8
        assert table.viewport().height() >= 5 * table.rowHeight(0)
        line = dialog.date.lineEdit()
        assert line.text() == "2031-05-14 周三"
        assert line.fontMetrics().horizontalAdvance(line.text()) + 4 <= line.contentsRect().width()
    finally:
        app.setFont(before)


# -- the member picker -----------------------------------------------------------------
class DeferredRunner:
    """Holds submitted work until the test answers it, in any order (a slow database)."""

    def __init__(self) -> None:
        self.pending: list[tuple[Callable[[], object], Callable[[object], None]]] = []

    def submit(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_failed: object = None,
    ) -> None:
        self.pending.append((fn, on_done))

    def answer(self, index: int) -> None:
        fn, on_done = self.pending.pop(index)
        on_done(fn())


def test_member_picker_keys_stale_answers_and_walk_in(
    qtbot: QtBot, seeded_db: Database, member: tuple[int, str, str]
) -> None:
    from ui.widgets.member_picker import MemberPicker

    member_id, name, phone = member
    runner = DeferredRunner()
    owner = QDialog()
    qtbot.addWidget(owner)
    picker = MemberPicker(seeded_db, runner, owner)  # type: ignore[arg-type]
    owner.show()
    activate(qtbot, owner)
    changes: list[object] = []
    picker.member_changed.connect(changes.append)

    qtbot.keyClicks(picker.edit, phone[:3])
    assert len(runner.pending) == 3  # one search per keystroke, none answered yet
    qtbot.keyClicks(picker.edit, phone[3:])
    # The newest answer comes back first; an older one arriving late is dropped.
    runner.answer(-1)
    assert len(picker.matches()) == 1 and picker.matches()[0].startswith(name)
    runner.answer(0)
    assert len(picker.matches()) == 1 and picker.popup.isVisible()

    qtbot.keyClick(picker.edit, Qt.Key.Key_Escape)  # closes the list, not the dialog
    assert not picker.popup.isVisible() and owner.isVisible()
    qtbot.keyClick(picker.edit, Qt.Key.Key_Down)  # opens it again
    assert picker.popup.isVisible()
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    assert picker.member_id() == member_id and changes == [member_id]
    assert picker.edit.text() == name and owner.isVisible()
    assert phone[:3] + "****" + phone[-4:] in picker.info.text()

    # Typing again drops the choice.
    runner.pending.clear()
    qtbot.keyClick(picker.edit, Qt.Key.Key_Backspace)
    assert picker.member_id() is None and changes == [member_id, None]
    assert picker.typed_unpicked()

    # 散客: a plain name, no searching.
    picker.set_member(None)
    runner.pending.clear()
    qtbot.keyClick(picker.walk_in_box, Qt.Key.Key_Space)
    assert picker.is_walk_in() and picker.edit.text() == ""
    qtbot.keyClicks(picker.edit, "Mr Wu")
    assert runner.pending == [] and not picker.popup.isVisible()
    assert (picker.member_id(), picker.guest_name()) == (None, "Mr Wu")
    assert not picker.typed_unpicked()


# -- a seat in a dialog of its own -------------------------------------------------------
def test_a_seat_opens_its_own_dialog_and_is_started_and_finished(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    session_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = bookings.reserve_seat(seeded_db, club.actor, session_id, guest_name="学员甲", at=NOW)
    second = bookings.reserve_seat(seeded_db, club.actor, session_id, guest_name="学员乙", at=NOW)
    host = open_dialog(qtbot, seeded_db, club.actor, booking_id=session_id)
    changed: list[int] = []
    checkout: list[int] = []
    host.changed.connect(changed.append)
    host.checkout_requested.connect(checkout.append)
    seat_state = lambda seat_id: bookings.detail(seeded_db, seat_id).state  # noqa: E731

    # Enter on the first seat opens it, non-modal, deleted when closed.
    host.seat_table.setFocus()
    host.seat_table.selectRow(0)
    qtbot.keyClick(host.seat_table, Qt.Key.Key_Return)
    seat = host.seat_dialog
    assert isinstance(seat, BookingDialog) and seat.isVisible()
    assert host.isVisible()  # Enter opened the seat; it did not save or close the host
    assert seat.booking_id == first.booking_id and seat.parentWidget() is host
    assert not seat.isModal() and seat.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    activate(qtbot, seat)
    assert seat.detail is not None and seat.detail.session_id == session_id
    assert "学员甲" in seat.windowTitle()
    # Its own life cycle, each change going out through the host's signal.
    seat.arrive_button.click()
    seat.start_button.click()
    drive(monkeypatch, SatisfactionDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_2))
    seat.finish_button.click()
    finished = bookings.detail(seeded_db, first.booking_id)
    assert (finished.state, finished.satisfaction) == (
        BookingState.FINISHED,
        Satisfaction.AVERAGE,
    )
    assert changed == [first.booking_id] * 3
    # The host's seat list followed.
    assert host.seat_table.item(0, 1).text() == "已完成"
    assert seat.checkout_button.isVisible() and seat.checkout_button.isEnabled()
    seat.checkout_button.click()
    assert checkout == [first.booking_id]  # forwarded: the board opens the checkout
    assert not seat.isVisible()

    # The host's own buttons for the selected seat: only its legal next steps.
    activate(qtbot, host)
    rect = host.seat_table.visualRect(host.seat_table.model().index(1, 0))
    qtbot.mouseClick(host.seat_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert host.selected_seat() is not None
    assert host.selected_seat().booking_id == second.booking_id  # type: ignore[union-attr]
    enabled = lambda: [  # noqa: E731
        b.text()
        for b in (host.seat_arrive, host.seat_start, host.seat_finish, host.seat_checkout)
        if b.isEnabled()
    ]
    assert enabled() == ["到店"]
    host.seat_arrive.click()
    assert seat_state(second.booking_id) is BookingState.ARRIVED
    assert enabled() == ["开始"]  # the same seat stays selected for its next step
    host.seat_start.click()
    assert seat_state(second.booking_id) is BookingState.IN_SERVICE
    assert enabled() == ["结束"] and not host.seat_cancel.isEnabled()
    drive(monkeypatch, SatisfactionDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_0))
    host.seat_finish.click()
    assert seat_state(second.booking_id) is BookingState.FINISHED
    assert enabled() == ["结账"]
    host.seat_checkout.click()
    assert checkout == [first.booking_id, second.booking_id]
    assert host.isVisible()  # the other seats are still to be served
    # A double click opens the seat too.
    qtbot.mouseDClick(host.seat_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert host.seat_dialog is not None and host.seat_dialog.booking_id == second.booking_id
    assert host.seat_dialog is not seat
    # The finished session itself is not paid as a whole: its seats are.
    for state in (BookingState.ARRIVED, BookingState.IN_SERVICE, BookingState.FINISHED):
        bookings.transition(seeded_db, club.actor, session_id, state, at=NOW)
    host.reload()
    assert host.detail is not None and host.detail.state is BookingState.FINISHED
    assert not host.checkout_button.isVisible()


# -- a settled booking: receipt and 反结账 ------------------------------------------------
def settled_booking(db: Database, club: Club, member_id: int) -> tuple[int, int]:
    """(booking id, checkout id) of a booking served and paid in cash."""
    from clubdesk.models.enums import PaymentMethod
    from clubdesk.services import checkout as co

    booking_id = book(db, club, at(14), at(15), (club.rooms[0].id,), member_id=member_id)
    for state in (BookingState.ARRIVED, BookingState.IN_SERVICE, BookingState.FINISHED):
        bookings.transition(db, club.actor, booking_id, state, at=NOW)
    done = co.checkout(db, club.actor, booking_id, PaymentMethod.CASH)
    return booking_id, done.checkout_id


def test_a_settled_booking_reprints_and_a_manager_reverses_it(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.dialogs import checkout as checkout_ui
    from ui.dialogs.checkout import ReverseDialog

    opened: list[object] = []
    monkeypatch.setattr(checkout_ui, "open_pdf", opened.append)
    booking_id, checkout_id = settled_booking(seeded_db, club, member[0])
    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    changed: list[int] = []
    dialog.changed.connect(changed.append)
    assert dialog.detail is not None and dialog.detail.checkout_id == checkout_id
    visible = [b.text() for b in dialog._action_buttons() if b.isVisible()]
    assert visible == ["打印小票(&R)", "反结账(&V)…"]
    assert dialog.print_button.isEnabled() and dialog.reverse_button.isEnabled()
    # The disabled room and service fields gave up Alt+R / Alt+V to the buttons.
    alt(qtbot, dialog, Qt.Key.Key_R, lambda: opened)
    assert len(opened) == 1 and "小票已保存" in dialog.status.text()

    alt(qtbot, dialog, Qt.Key.Key_V, lambda: dialog.reverse_dialog)
    reverse = dialog.reverse_dialog
    assert isinstance(reverse, ReverseDialog) and reverse.checkout_id == checkout_id
    qtbot.waitUntil(lambda: reverse.ok.isEnabled(), timeout=2000)
    reverse.reason.setText("收错了项目")
    reverse.ok.click()  # boxes: the confirmation is answered Yes
    assert changed == [booking_id]
    after = bookings.detail(seeded_db, booking_id)
    assert (after.state, after.checkout_id) == (BookingState.FINISHED, None)
    # Read again: payable once more, nothing to reprint or reverse.
    assert dialog.detail.state is BookingState.FINISHED
    assert dialog.checkout_button.isVisible()
    assert not dialog.print_button.isVisible() and not dialog.reverse_button.isVisible()
    assert "已反结账" in dialog.status.text()


def test_front_desk_sees_the_reversal_disabled_with_the_reason(
    qtbot: QtBot, seeded_db: Database, club: Club, member: tuple[int, str, str]
) -> None:
    booking_id, _checkout_id = settled_booking(seeded_db, club, member[0])
    desk = StaffMember(club.actor.id, "desk", "前台", Role.FRONT_DESK)
    dialog = open_dialog(qtbot, seeded_db, desk, booking_id=booking_id)
    assert dialog.print_button.isVisible() and dialog.print_button.isEnabled()
    assert dialog.reverse_button.isVisible() and not dialog.reverse_button.isEnabled()
    assert "经理" in dialog.reverse_button.toolTip()
    assert dialog._reverse() is None and dialog.reverse_dialog is None


# -- closing: a change in flight, unsaved input ------------------------------------------
def test_esc_while_a_save_is_in_flight_keeps_the_dialog_until_it_lands(
    qtbot: QtBot, seeded_db: Database, club: Club, member: tuple[int, str, str]
) -> None:
    from tests.ui.test_board import HeldRunner

    booking_id = book(seeded_db, club, at(14), at(15), (club.rooms[0].id,), member_id=member[0])
    runner = HeldRunner()
    dialog = BookingDialog(
        seeded_db, runner, club.actor, None, booking_id=booking_id, clock=lambda: NOW
    )
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    changed: list[int] = []
    dialog.changed.connect(changed.append)

    runner.hold = True
    qtbot.keyClicks(dialog.notes, "late")
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)
    assert len(runner.queue) == 1 and dialog.status.text() == "正在保存…"
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.status.text() == "正在保存，请稍候…"
    assert not dialog.close()
    assert dialog.isVisible()

    runner.release()
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert changed == [booking_id]
    assert bookings.detail(seeded_db, booking_id).notes == "late"


def test_esc_on_unsaved_input_asks_first(
    qtbot: QtBot, seeded_db: Database, club: Club, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, object]] = []
    answer = [QMessageBox.StandardButton.No]

    def question(
        _parent: object, _title: str, text: str, _buttons: object, default: object
    ) -> object:
        asked.append((text, default))
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    # Opened from a board cell and left as it was: Esc just closes.
    untouched = open_dialog(
        qtbot, seeded_db, club.actor, resource_id=club.rooms[0].id, start_at=at(14), end_at=at(15)
    )
    qtbot.keyClick(untouched, Qt.Key.Key_Escape)
    assert not untouched.isVisible() and asked == []

    dialog = open_dialog(
        qtbot, seeded_db, club.actor, resource_id=club.rooms[0].id, start_at=at(14), end_at=at(15)
    )
    qtbot.keyClick(dialog.picker.walk_in_box, Qt.Key.Key_Space)
    qtbot.keyClicks(dialog.picker.edit, "Mr Wang")
    qtbot.keyClick(dialog.picker.edit, Qt.Key.Key_Escape)
    assert asked == [("放弃未保存的修改？", QMessageBox.StandardButton.No)]  # No by default
    assert dialog.isVisible() and dialog.picker.guest_name() == "Mr Wang"
    answer[0] = QMessageBox.StandardButton.Yes
    dialog.close_button.click()
    assert len(asked) == 2 and not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert day_bookings(seeded_db) == []

    # An existing booking: unchanged closes at once, a changed one asks.
    booking_id = book(seeded_db, club, at(16), at(17), (club.rooms[0].id,))
    existing = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    answer[0] = QMessageBox.StandardButton.No
    existing.time.setCurrentIndex(existing.time.findText("16:30"))
    qtbot.keyClick(existing, Qt.Key.Key_Escape)
    assert len(asked) == 3 and existing.isVisible()
    existing.time.setCurrentIndex(existing.time.findText("16:00"))  # back as it was
    qtbot.keyClick(existing, Qt.Key.Key_Escape)
    assert len(asked) == 3 and not existing.isVisible()


# -- saving an existing booking: one call ------------------------------------------------
def test_an_edit_is_saved_in_one_call(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    room, other_room = club.rooms[0], club.rooms[1]
    booking_id = book(seeded_db, club, at(14), at(15), (room.id,), member_id=member[0])
    calls: list[dict[str, object]] = []
    real_edit = bookings.edit

    def edit(*args: object, **kwargs: object) -> bookings.Change:
        calls.append(kwargs)
        return real_edit(*args, **kwargs)  # type: ignore[arg-type]

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("a save is one bookings.edit call")

    monkeypatch.setattr(bookings, "edit", edit)
    monkeypatch.setattr(bookings, "reschedule", refuse)
    monkeypatch.setattr(bookings, "update_guest", refuse)
    version = bookings.detail(seeded_db, booking_id).version

    dialog = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    dialog.time.setCurrentIndex(dialog.time.findText("15:00"))
    dialog.room.setCurrentIndex(dialog.room.findData(other_room.id))
    qtbot.keyClicks(dialog.notes, "window seat")
    qtbot.keyClick(dialog.notes, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert calls == [
        {
            "expected_version": version,
            "start_at": at(15),
            "end_at": at(16),
            "resource_ids": (other_room.id,),
            "member_id": member[0],
            "guest_name": None,
            "notes": "window seat",
            "guest_count": 1,
            "at": NOW,
        }
    ]
    saved = bookings.detail(seeded_db, booking_id)
    assert (saved.start_at, saved.resource_ids, saved.notes) == (
        at(15),
        (other_room.id,),
        "window seat",
    )

    # Notes alone: the times and rooms go as they were loaded (nothing is moved).
    again = open_dialog(qtbot, seeded_db, club.actor, booking_id=booking_id)
    again.notes.setText("aisle")
    again.save_button.click()
    assert len(calls) == 2
    assert (calls[1]["start_at"], calls[1]["end_at"], calls[1]["resource_ids"]) == (
        at(15),
        at(16),
        (other_room.id,),
    )
    assert calls[1]["expected_version"] == saved.version
    assert bookings.detail(seeded_db, booking_id).notes == "aisle"


def test_a_class_is_booked_as_a_session_without_a_guest(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
) -> None:
    dialog = open_dialog(qtbot, seeded_db, club.actor, start_at=at(19))
    assert dialog.form.isRowVisible(dialog.guest_box) and not dialog.session_hint.isVisible()
    pick_member(qtbot, dialog.picker, member[2])  # chosen before the service: dropped
    dialog.service.setCurrentIndex(dialog.service.findData(club.yoga))
    assert not dialog.form.isRowVisible(dialog.guest_box)
    assert not dialog.form.isRowVisible(dialog.count_box)
    assert dialog.session_hint.isVisible() and "订座" in dialog.session_hint.text()
    dialog.time.setCurrentIndex(dialog.time.findText("19:00"))
    dialog.room.setCurrentIndex(dialog.room.findData(club.yoga_room.id))
    dialog.staff.setCurrentIndex(dialog.staff.findData(club.evening_coach.id))
    dialog.save_button.click()

    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.status.text()
    [session] = day_bookings(seeded_db)
    assert (session.service_id, session.member_id, session.guest_name) == (club.yoga, None, None)
    assert bookings.detail(seeded_db, session.id).is_session
    # Back to a massage: the guest rows return.
    other = open_dialog(qtbot, seeded_db, club.actor, service_id=club.yoga, start_at=at(19))
    assert other.session_hint.isVisible()
    other.service.setCurrentIndex(other.service.findData(club.massage))
    assert other.form.isRowVisible(other.guest_box) and not other.session_hint.isVisible()

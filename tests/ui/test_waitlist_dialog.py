"""The waitlist dialog on the seeded database: register a guest, refuse an incomplete
form, withdraw with a confirmation, book a waiting guest through the booking dialog,
and give a waiting guest the seat a session freed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from clubdesk.db.engine import Database
from clubdesk.models import WaitlistEntry
from clubdesk.models.enums import BookingState, WaitlistState
from clubdesk.services import bookings, waitlist
from clubdesk.services.bookings import BookingDraft
from clubdesk.services.waitlist import WaitlistInput
from tests.ui.test_booking_dialog import (
    DAY,
    NOW,
    Club,
    activate,
    at,
    book,
    collect_boxes,
    first_member,
    held,
    make_club,
)
from ui.dialogs.booking import BookingDialog
from ui.dialogs.waitlist import NOTIFIED_COLOUR, AddWaitlistDialog, WaitlistDialog
from ui.tasks import SyncRunner


@pytest.fixture(autouse=True)
def _app_configured(qapp: QApplication) -> None:
    from ui.app import configure

    configure(qapp)


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    return collect_boxes(monkeypatch)


@pytest.fixture
def club(seeded_db: Database) -> Club:
    return make_club(seeded_db)


@pytest.fixture
def member(seeded_db: Database) -> tuple[int, str, str]:
    return first_member(seeded_db)


def open_list(qtbot: QtBot, db: Database, club: Club) -> WaitlistDialog:
    dialog = WaitlistDialog(db, SyncRunner(), club.actor, None, DAY, clock=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog)
    return dialog


def entry_state(db: Database, entry_id: int) -> tuple[WaitlistState, int | None]:
    with db.read() as session:
        row = session.get(WaitlistEntry, entry_id)
        assert row is not None
        return row.state, row.booking_id


def test_register_a_walk_in_then_withdraw_with_a_confirmation(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    boxes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = open_list(qtbot, seeded_db, club)
    changed: list[bool] = []
    dialog.changed.connect(lambda: changed.append(True))
    assert dialog.model.rowCount() == 0
    assert "没有候补" in dialog.status.text()

    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    form = dialog.add_dialog
    assert isinstance(form, AddWaitlistDialog) and form.isVisible()
    activate(qtbot, form)
    assert form.day() == DAY
    # Nobody named: refused under the guest field, nothing kept.
    qtbot.keyClick(form.notes, Qt.Key.Key_Return)
    assert form.isVisible() and form.entry_id is None
    assert form.errors.boxes["guest"].error_text() == "请选择会员或填写客人姓名。"

    qtbot.keyClick(form.picker.walk_in_box, Qt.Key.Key_Space)
    qtbot.keyClicks(form.picker.edit, "Ms Li")
    qtbot.keyClicks(form.contact, "13600001111")
    form.service.setCurrentIndex(form.service.findText("足疗60分钟"))
    form.wanted_from.setCurrentIndex(form.wanted_from.findText("14:00"))
    # An end before the start: refused under the time.
    form.wanted_until.setCurrentIndex(form.wanted_until.findText("13:00"))
    qtbot.keyClick(form.notes, Qt.Key.Key_Return)
    assert form.isVisible() and form.entry_id is None
    assert form.time_box.error_text() == "期望时间段的结束必须晚于开始。"
    assert waitlist.entries(seeded_db, DAY) == []

    form.wanted_until.setCurrentIndex(form.wanted_until.findText("16:00"))
    qtbot.keyClicks(form.notes, "call first")
    qtbot.keyClick(form.notes, Qt.Key.Key_Return)
    assert not form.isVisible() and form.entry_id is not None
    [row] = waitlist.entries(seeded_db, DAY)
    assert (row.guest, row.contact, row.service) == ("Ms Li", "13600001111", "足疗60分钟")
    assert (row.wanted_from, row.wanted_until, row.notes) == (at(14), at(16), "call first")
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 1).data() == "Ms Li"
    assert dialog.model.index(0, 5).data() == "等候中"
    assert "已登记候补" in dialog.status.text()
    assert changed == [True]

    # Delete asks first; No keeps the entry.
    answers = [QMessageBox.StandardButton.No]
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: object) -> object:
        asked.append(text)
        return answers[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    activate(qtbot, dialog)  # the form closed: the list has the keyboard again
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert len(asked) == 1 and "Ms Li" in asked[0]
    assert entry_state(seeded_db, row.id)[0] is WaitlistState.WAITING
    answers[0] = QMessageBox.StandardButton.Yes
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert entry_state(seeded_db, row.id)[0] is WaitlistState.WITHDRAWN
    assert dialog.model.rowCount() == 0
    assert "已撤销" in dialog.status.text()
    # Shown again with the handled ones, greyed and no longer actionable.
    dialog.show_closed.setChecked(True)
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, 5).data() == "已撤销"
    dialog.table.selectRow(0)
    assert not dialog.withdraw_button.isEnabled() and not dialog.book_button.isEnabled()
    assert changed == [True, True]


def test_book_a_notified_guest_through_the_booking_dialog(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
) -> None:
    room, therapist = club.rooms[0], club.day_therapists[0]
    taken = book(seeded_db, club, at(14), at(15), (room.id,), member_id=member[0])
    entry_id = waitlist.add(
        seeded_db,
        club.actor,
        WaitlistInput(club.massage, at(14), at(16), guest_name="Mr Zhou", resource_id=room.id),
    )
    other = waitlist.add(
        seeded_db,
        club.actor,
        WaitlistInput(club.massage, at(18), at(19), guest_name="Mr Late", resource_id=room.id),
    )
    bookings.transition(seeded_db, club.actor, taken, BookingState.CANCELLED, reason="改约", at=NOW)

    dialog = open_list(qtbot, seeded_db, club)
    rows = dialog.model.rows()
    assert [r.id for r in rows] == [entry_id, other]
    assert [r.state for r in rows] == [WaitlistState.NOTIFIED, WaitlistState.WAITING]
    notified = dialog.model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert notified.color() == QColor(NOTIFIED_COLOUR)
    assert dialog.model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "已提醒 1 位" in dialog.status.text()

    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    booking = dialog.booking_dialog
    assert isinstance(booking, BookingDialog) and booking.isVisible()
    activate(qtbot, booking)
    assert booking.service_id() == club.massage
    assert booking.span() == (at(14), at(15))
    assert booking.room.currentData() == room.id
    assert booking.picker.is_walk_in() and booking.picker.guest_name() == "Mr Zhou"
    booking.staff.setCurrentIndex(booking.staff.findData(therapist.id))
    qtbot.keyClick(booking.notes, Qt.Key.Key_Return)

    assert not booking.isVisible()
    assert booking.booking_id is not None
    assert entry_state(seeded_db, entry_id) == (WaitlistState.BOOKED, booking.booking_id)
    assert held(seeded_db, booking.booking_id) == {room.id, therapist.id}
    assert [r.id for r in dialog.model.rows()] == [other]
    assert "Mr Zhou" in dialog.status.text()


def test_a_waiting_guest_gets_the_seat_a_session_freed(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    boxes: list[str],
) -> None:
    draft = BookingDraft(
        club.yoga, at(19), at(20), resource_ids=(club.yoga_room.id, club.evening_coach.id)
    )
    host = bookings.create(seeded_db, club.actor, draft, at=NOW).booking_id
    seats = [
        bookings.reserve_seat(seeded_db, club.actor, host, guest_name=f"学员{n}", at=NOW)
        for n in range(20)
    ]
    entry_id = waitlist.add(
        seeded_db,
        club.actor,
        WaitlistInput(club.yoga, at(19), at(20), guest_name="Ms Wait", session_id=host),
    )
    dialog = open_list(qtbot, seeded_db, club)
    dialog.table.selectRow(0)
    assert dialog.model.index(0, 4).data() == "场次座位"

    # Still full: refused with the reason, the entry stays open.
    dialog.book_button.click()
    assert "已满" in dialog.status.text()
    assert entry_state(seeded_db, entry_id) == (WaitlistState.WAITING, None)

    bookings.transition(
        seeded_db, club.actor, seats[0].booking_id, BookingState.CANCELLED, reason="病", at=NOW
    )
    dialog.refresh()
    assert dialog.model.rows()[0].state is WaitlistState.NOTIFIED
    dialog.table.selectRow(0)
    dialog.book_button.click()
    state, seat_id = entry_state(seeded_db, entry_id)
    assert state is WaitlistState.BOOKED and seat_id is not None
    seat = bookings.detail(seeded_db, seat_id)
    assert (seat.session_id, seat.guest_name, seat.state) == (host, "Ms Wait", BookingState.BOOKED)
    assert dialog.model.rowCount() == 0
    assert boxes == []


def test_a_taken_slot_goes_on_the_waitlist_from_the_new_booking(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
) -> None:
    from tests.ui.test_booking_dialog import open_dialog, pick_member

    member_id, _name, phone = member
    therapist = club.day_therapists[0]
    book(seeded_db, club, at(14), at(15), (therapist.id,))
    booking = open_dialog(
        qtbot, seeded_db, club.actor, resource_id=therapist.id, start_at=at(14), end_at=at(15)
    )
    booking.service.setCurrentIndex(booking.service.findData(club.massage))
    assert "已约 14:00–15:00" in booking.staff_box.error_text()
    pick_member(qtbot, booking.picker, phone)
    qtbot.keyClick(booking, Qt.Key.Key_Q, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: booking.waitlist_dialog is not None, timeout=2000)
    form = booking.waitlist_dialog
    assert isinstance(form, AddWaitlistDialog)
    activate(qtbot, form)
    assert form.picker.member_id() == member_id
    assert form.service.currentData() == club.massage
    assert (form.wanted_from.currentText(), form.wanted_until.currentText()) == ("14:00", "15:00")
    assert form.resource.currentData() == therapist.id
    qtbot.keyClick(form.notes, Qt.Key.Key_Return)

    [entry] = waitlist.entries(seeded_db, DAY)
    assert (entry.member_id, entry.service_id, entry.resource_id) == (
        member_id,
        club.massage,
        therapist.id,
    )
    assert (entry.wanted_from, entry.wanted_until, entry.session_id) == (at(14), at(15), None)
    assert "已登记候补" in booking.status.text()
    assert booking.isVisible() and booking.booking_id is None


def test_a_retry_after_a_failed_close_books_no_second_seat(
    qtbot: QtBot,
    seeded_db: Database,
    club: Club,
    member: tuple[int, str, str],
    boxes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from clubdesk.errors import DomainError
    from tests.ui.test_booking_dialog import seat_count

    draft = BookingDraft(
        club.yoga, at(19), at(20), resource_ids=(club.yoga_room.id, club.evening_coach.id)
    )
    host = bookings.create(seeded_db, club.actor, draft, at=NOW).booking_id
    # Another walk-in and another member already hold seats: not the waiting guests'.
    bookings.reserve_seat(seeded_db, club.actor, host, guest_name="Ms Other", at=NOW)
    for guest, member_id in (("Ms Wait", None), (None, member[0])):
        waitlist.add(
            seeded_db,
            club.actor,
            WaitlistInput(
                club.yoga, at(19), at(20), guest_name=guest, member_id=member_id, session_id=host
            ),
        )
    real_close = waitlist.close
    failed: set[object] = set()

    def flaky_close(*args: object, **kwargs: object) -> object:
        entry_id = args[2]
        if entry_id not in failed:  # the first close of each entry fails, the seat taken
            failed.add(entry_id)
            raise DomainError("网络中断，请重试。")
        return real_close(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(waitlist, "close", flaky_close)
    dialog = open_list(qtbot, seeded_db, club)
    entries = {r.guest: r.id for r in dialog.model.rows()}
    assert set(entries) == {"Ms Wait", member[1]}

    for name in ("Ms Wait", member[1]):
        row = next(n for n, r in enumerate(dialog.model.rows()) if r.guest == name)
        dialog.table.selectRow(row)
        dialog.book_button.click()
        assert "网络中断" in dialog.status.text()
        assert entry_state(seeded_db, entries[name])[0] is WaitlistState.WAITING
        taken = seat_count(seeded_db, host)
        row = next(n for n, r in enumerate(dialog.model.rows()) if r.guest == name)
        dialog.table.selectRow(row)
        dialog.book_button.click()  # the retry: closes the entry on the seat already taken
        assert seat_count(seeded_db, host) == taken
        state, seat_id = entry_state(seeded_db, entries[name])
        assert state is WaitlistState.BOOKED and seat_id is not None
        seat = bookings.detail(seeded_db, seat_id)
        assert seat.session_id == host and seat.guest == name
    assert seat_count(seeded_db, host) == 3
    assert dialog.model.rowCount() == 0

"""The main window turns the board's and the in-service dock's requests into dialogs."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from clubdesk.models.enums import BookingState, Satisfaction
from clubdesk.services import board, bookings
from ui.main_window import MainWindow

FUTURE = date.today() + timedelta(days=30)


def _open(kind: type[QWidget]) -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def _close_all(kind: type[QWidget]) -> None:
    for w in _open(kind):
        w.close()


def _book(window: MainWindow) -> bookings.Change:
    with window.db.read() as session:
        columns = board.resources(session)
    room = next(r for r in columns if not r.is_person and r.kind.value == "room")
    service = min(room.service_ids)
    start = datetime.combine(FUTURE, time(11, 0))
    staff = next(
        r for r in columns if r.is_person and service in r.service_ids and r.works(start, start)
    )
    draft = bookings.BookingDraft(
        service, start, start + timedelta(hours=1), (room.id, staff.id), guest_name="测试客人"
    )
    return bookings.create(window.db, window.user, draft)


def test_the_board_opens_a_booking_and_a_new_one_in_the_booking_dialog(
    window: MainWindow, qtbot: QtBot
) -> None:
    from ui.dialogs.booking import BookingDialog

    change = _book(window)
    window.bookings.open_requested.emit(change.booking_id)
    opened = _open(BookingDialog)
    assert [d.booking_id for d in opened] == [change.booking_id]  # type: ignore[attr-defined]
    _close_all(BookingDialog)
    start = datetime.combine(FUTURE, time(15, 0))
    window.bookings.create_requested.emit(0, start, start + timedelta(hours=1))
    fresh = _open(BookingDialog)
    assert len(fresh) == 1 and fresh[0].booking_id is None  # type: ignore[attr-defined]
    _close_all(BookingDialog)


def test_cancel_and_finish_from_the_board_ask_first(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.dialogs.booking as booking_dialogs

    change = _book(window)
    monkeypatch.setattr(booking_dialogs, "ask_reason", lambda *a, **k: None)
    window.bookings.cancel_requested.emit(change.booking_id)
    assert bookings.detail(window.db, change.booking_id).state is BookingState.BOOKED

    monkeypatch.setattr(booking_dialogs, "ask_reason", lambda *a, **k: "客人改期")
    window.bookings.cancel_requested.emit(change.booking_id)
    cancelled = bookings.detail(window.db, change.booking_id)
    assert (cancelled.state, cancelled.cancel_reason) == (BookingState.CANCELLED, "客人改期")

    other = _book(window)
    start = datetime.combine(FUTURE, time(11, 5))
    for step in (BookingState.ARRIVED, BookingState.IN_SERVICE):
        bookings.transition(window.db, window.user, other.booking_id, step, at=start)
    monkeypatch.setattr(
        booking_dialogs, "ask_satisfaction", lambda parent: (True, Satisfaction.AVERAGE)
    )
    window.bookings.finish_requested.emit(other.booking_id)
    done = bookings.detail(window.db, other.booking_id)
    assert (done.state, done.satisfaction) == (BookingState.FINISHED, Satisfaction.AVERAGE)


def test_checkout_walk_in_waitlist_and_catalog_open_their_dialogs(
    window: MainWindow, qtbot: QtBot
) -> None:
    from ui.dialogs.catalog import CatalogDialog
    from ui.dialogs.checkout import CheckoutDialog
    from ui.dialogs.waitlist import WaitlistDialog
    from ui.dialogs.walk_in import WalkInWizard

    change = _book(window)
    window.bookings.checkout_requested.emit(change.booking_id)
    assert len(_open(CheckoutDialog)) == 1
    _close_all(CheckoutDialog)
    window.in_service.checkout_requested.emit(change.booking_id)
    assert len(_open(CheckoutDialog)) == 1
    _close_all(CheckoutDialog)
    window.bookings.walk_in_requested.emit()
    assert len(_open(WalkInWizard)) == 1
    _close_all(WalkInWizard)
    window.bookings.waitlist_requested.emit()
    assert len(_open(WaitlistDialog)) == 1
    _close_all(WaitlistDialog)
    window.booking_actions.catalog()
    assert len(_open(CatalogDialog)) == 1
    _close_all(CatalogDialog)


def test_the_booking_menu_has_the_counter_shortcuts(window: MainWindow) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "预约(&B)")
    shortcuts = {a.text(): a.shortcut().toString() for a in menu.actions() if a.text()}
    assert shortcuts["新预约(&N)…"] == "Ctrl+Shift+N"
    assert shortcuts["带客接待(&W)…"] == "Ctrl+Shift+W"
    assert "服务项目与房间技师…" in shortcuts and "带客与满意度统计…" in shortcuts


def test_ctrl_shift_n_on_the_board_opens_one_new_booking(window: MainWindow, qtbot: QtBot) -> None:
    from PySide6.QtCore import Qt

    from ui.dialogs.booking import BookingDialog

    window.activateWindow()
    window.bookings.view.setFocus()
    qtbot.waitUntil(lambda: window.bookings.view.hasFocus())
    qtbot.keyClick(
        window.bookings.view,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    opened = _open(BookingDialog)
    assert len(opened) == 1 and opened[0].booking_id is None  # type: ignore[attr-defined]
    _close_all(BookingDialog)


def test_a_seated_walk_in_is_announced_and_the_in_service_dock_comes_forward(
    window: MainWindow, qtbot: QtBot
) -> None:
    from ui.dialogs.walk_in import WalkInWizard

    window.complaints.raise_()
    window.bookings.walk_in_requested.emit()
    [wizard] = _open(WalkInWizard)
    wizard.seated.emit(4321)  # type: ignore[attr-defined]
    assert "4321" in window.statusBar().currentMessage()
    assert not window.in_service.visibleRegion().isEmpty()
    _close_all(WalkInWizard)

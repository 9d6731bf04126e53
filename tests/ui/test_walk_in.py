"""带客 by keyboard on the demo database: the walk-in wizard, the 服务中 dock (lounge,
elapsed time, 加钟, 服务结束 with satisfaction) and the reception figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMainWindow, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from clubdesk.db.engine import Database
from clubdesk.models import Booking, BookingResource, Member, Reception
from clubdesk.models.enums import BookingState, ReceptionOutcome, Satisfaction
from clubdesk.services import board, bookings, reception, staff
from clubdesk.services.reception import InServiceRow
from clubdesk.services.staff import StaffMember
from ui.dialogs import walk_in
from ui.dialogs.reception_figures import ReceptionFiguresDialog, percent
from ui.dialogs.walk_in import (
    PAGE_CONFIRM,
    PAGE_GUEST,
    PAGE_NEED,
    PAGE_ROOMS,
    LeaveReasonDialog,
    WalkInWizard,
)
from ui.docks import in_service
from ui.docks.in_service import FinishDialog, InServiceDock
from ui.tasks import SyncRunner

# Two days after the demo's today, before noon: the board is quiet, rooms are free.
NOW = datetime.combine(date.today() + timedelta(days=2), time(11, 0))
SHOTS = Path("/tmp")


def shot(widget: QWidget, name: str) -> None:
    widget.grab().save(str(SHOTS / f"walkin-{name}.png"))


def type_text(widget: QWidget, text: str) -> None:
    """Type any text (QTest.keyClicks only knows ASCII), as an input method would."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def focus_in(window: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and focused is not window and window.isAncestorOf(focused)


def press(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    qtbot.keyClick(target, key, modifier)


@pytest.fixture(autouse=True)
def chinese_fonts(qapp: QApplication) -> None:
    """The application's fonts and style, so the screenshots read as on the counter."""
    from ui.app import configure

    configure(qapp)


@pytest.fixture
def actor(seeded_db: Database) -> StaffMember:
    user = staff.counter_user(seeded_db)
    assert user is not None
    return user


@pytest.fixture(autouse=True)
def no_message_boxes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[BaseException]]:
    """An error box would block the test: record the error and fail instead."""
    errors: list[BaseException] = []

    def record(_parent: object, exc: BaseException) -> None:
        errors.append(exc)

    monkeypatch.setattr(walk_in, "show_error", record)
    monkeypatch.setattr(in_service, "show_error", record)
    yield errors
    assert not errors, [getattr(e, "message", e) for e in errors]


def _wizard(qtbot: QtBot, db: Database, actor: StaffMember, **kwargs: object) -> WalkInWizard:
    wizard = WalkInWizard(db, SyncRunner(), actor, None, clock=lambda: NOW, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    # A window an earlier test left open may still hold the focus: wait for ours.
    qtbot.waitUntil(
        lambda: (
            QApplication.focusWidget() is not None and QApplication.focusWidget().window() is wizard
        )  # type: ignore[union-attr]
    )
    return wizard


def _choose_service(qtbot: QtBot, wizard: WalkInWizard, name: str) -> None:
    combo = wizard.need_page.service
    assert QApplication.focusWidget() is combo
    target = combo.findText(name)
    assert target >= 0, name
    while combo.currentIndex() < target:
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    while combo.currentIndex() > target:
        qtbot.keyClick(combo, Qt.Key.Key_Up)


def _reception_row(
    db: Database, reception_id: int
) -> tuple[ReceptionOutcome | None, int | None, str | None, int | None, str | None]:
    with db.read() as session:
        row = session.get(Reception, reception_id)
        assert row is not None
        return row.outcome, row.booking_id, row.left_reason, row.member_id, row.guest_name


# -- the wizard ----------------------------------------------------------------------------


def _close_the_demo_evening(db: Database) -> None:
    """A quiet late morning: the demo's guests still in service days ago (a service
    running over keeps its room until finished) are finished, and the demo's bookings
    around NOW are cancelled, so rooms and therapists are free whatever the demo drew."""
    soon = NOW + timedelta(hours=3)
    with db.write() as session:
        session.execute(
            update(Booking)
            .where(Booking.state == BookingState.IN_SERVICE, Booking.end_at < NOW)
            .values(state=BookingState.FINISHED)
        )
        session.execute(
            update(Booking)
            .where(
                Booking.state.in_((BookingState.BOOKED, BookingState.ARRIVED)),
                Booking.start_at < soon,
                Booking.end_at > NOW,
            )
            .values(state=BookingState.CANCELLED, cancel_reason="测试：清空时段")
        )
        session.execute(
            update(BookingResource)
            .where(BookingResource.active.is_(True), BookingResource.start_at < soon)
            .values(active=False)
        )


def test_walk_in_by_keyboard_starts_a_service(
    qtbot: QtBot, seeded_db: Database, actor: StaffMember
) -> None:
    _close_the_demo_evening(seeded_db)
    wizard = _wizard(qtbot, seeded_db, actor)
    seated: list[int] = []
    wizard.seated.connect(seated.append)
    assert wizard.currentId() == PAGE_GUEST
    shot(wizard, "1-guest")

    press(qtbot, Qt.Key.Key_Return)  # Enter on the empty field: a walk-in
    assert wizard.guest_page.picker.is_walk_in()
    assert wizard.currentId() == PAGE_GUEST
    type_text(wizard.guest_page.picker.edit, "王先生")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == PAGE_NEED

    _choose_service(qtbot, wizard, "中式按摩60分钟")
    assert wizard.need_page.chosen_minutes() == 60
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is wizard.need_page.notes
    type_text(wizard.need_page.notes, "肩颈酸，力度轻")
    shot(wizard, "2-need")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == PAGE_ROOMS

    rooms = wizard.rooms_page
    assert rooms.free is not None and rooms.free.rooms and rooms.free.staff
    assert rooms.rooms.item(0).text().startswith(rooms.free.rooms[0].resource.name)
    assert "空闲至" in rooms.rooms.item(0).text()
    room, person = rooms.free.rooms[1].resource, rooms.free.staff[0].resource
    # The first of each list is preselected; ↓ takes the second room instead.
    assert rooms.chosen_room() == (
        rooms.free.rooms[0].resource.id,
        rooms.free.rooms[0].resource.name,
    )
    assert QApplication.focusWidget() is rooms.rooms
    press(qtbot, Qt.Key.Key_Down)
    assert rooms.chosen_room() == (room.id, room.name)
    assert rooms.chosen_staff() == (person.id, person.name)
    shot(wizard, "3-rooms")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == PAGE_CONFIRM
    page = wizard.confirm_page
    assert page.start_now.isChecked()
    assert "王先生" in page.summary.text() and room.name in page.summary.text()
    shot(wizard, "4-confirm")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not wizard.isVisible())

    assert len(seated) == 1 and wizard.outcome == "seated"
    detail = bookings.detail(seeded_db, seated[0])
    assert detail.state is BookingState.IN_SERVICE and detail.walk_in
    assert (detail.guest_name, detail.member_id, detail.service) == (
        "王先生",
        None,
        "中式按摩60分钟",
    )
    assert set(detail.resource_ids) == {room.id, person.id}
    assert detail.start_at == NOW and detail.end_at == NOW + timedelta(minutes=60)
    assert detail.notes == "中式按摩60分钟（60 分钟）：肩颈酸，力度轻"
    assert wizard.reception_id is not None
    outcome, booking_id, *_rest = _reception_row(seeded_db, wizard.reception_id)
    assert (outcome, booking_id) == (ReceptionOutcome.SEATED, seated[0])


def test_a_guest_leaving_records_left(
    qtbot: QtBot, seeded_db: Database, actor: StaffMember, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def reason(_parent: object, guest: str) -> str:
        asked.append(guest)
        return "价格原因"

    monkeypatch.setattr(walk_in, "ask_leave_reason", reason)
    wizard = _wizard(qtbot, seeded_db, actor)
    left: list[int] = []
    wizard.left.connect(left.append)
    press(qtbot, Qt.Key.Key_Return)
    type_text(wizard.guest_page.picker.edit, "赵女士")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == PAGE_NEED
    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # 客人离开(&L)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert asked == ["赵女士"] and len(left) == 1
    outcome, booking_id, why, member_id, guest = _reception_row(seeded_db, left[0])
    assert (outcome, booking_id, why, member_id, guest) == (
        ReceptionOutcome.LEFT, None, "价格原因", None, "赵女士",
    )  # fmt: skip
    assert left[0] not in {r.reception_id for r in reception.lounge(seeded_db, at=NOW)}


def test_leave_reason_dialog_by_keyboard(qtbot: QtBot) -> None:
    dialog = LeaveReasonDialog("王先生")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focus_in(dialog))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # a reason is needed
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Down)
    assert dialog.text() == "没有空闲的房间或技师"
    line = dialog.reason.lineEdit()
    assert line is not None
    line.selectAll()
    type_text(line, "朋友临时有事")
    assert ok.isEnabled()
    shot(dialog, "leave-reason")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(line, Qt.Key.Key_Return)
    assert dialog.text() == "朋友临时有事"


def test_a_member_found_by_phone_waits_in_the_lounge(
    qtbot: QtBot, seeded_db: Database, actor: StaffMember
) -> None:
    with seeded_db.read() as session:
        member_id, name, phone = session.execute(
            select(Member.id, Member.name, Member.phone).order_by(Member.id.desc()).limit(1)
        ).one()
    wizard = _wizard(qtbot, seeded_db, actor)
    received: list[int] = []
    wizard.received.connect(received.append)
    picker = wizard.guest_page.picker
    qtbot.keyClicks(picker.edit, phone)
    assert picker.popup.isVisible() and picker.matches()
    press(qtbot, Qt.Key.Key_Return)  # picks the match
    assert picker.member_id() == member_id
    press(qtbot, Qt.Key.Key_Return)  # next
    assert wizard.currentId() == PAGE_NEED
    assert name in wizard.need_page.guest_label.text()
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == PAGE_ROOMS
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == PAGE_CONFIRM
    press(qtbot, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # 请客人在休息区等候
    qtbot.waitUntil(wizard.confirm_page.wait.isChecked)  # a mnemonic animates the click
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert len(received) == 1 and wizard.outcome == "lounge"
    outcome, booking_id, _why, got_member, guest = _reception_row(seeded_db, received[0])
    assert (outcome, booking_id, got_member, guest) == (None, None, member_id, None)
    waiting = {
        r.reception_id: r for r in reception.lounge(seeded_db, at=NOW + timedelta(minutes=4))
    }
    assert waiting[received[0]].guest == name and waiting[received[0]].waited_min == 4


def test_a_card_read_on_the_first_step_identifies_the_member(
    qtbot: QtBot, seeded_db: Database, actor: StaffMember
) -> None:
    with seeded_db.read() as session:
        member_id, name = session.execute(
            select(Member.id, Member.name).order_by(Member.id).limit(1)
        ).one()
    wizard = _wizard(qtbot, seeded_db, actor)
    assert wizard.take_member(member_id)
    assert wizard.guest_page.picker.member_id() == member_id
    assert name in wizard.guest_page.picker.info.text()
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == PAGE_NEED
    assert not wizard.take_member(member_id)  # past the first step: not taken


def test_a_conflict_at_the_last_step_keeps_the_guest_in_the_lounge(
    qtbot: QtBot, seeded_db: Database, actor: StaffMember, no_message_boxes: list[BaseException]
) -> None:
    wizard = _wizard(qtbot, seeded_db, actor)
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)  # an empty walk-in name: 散客
    assert wizard.currentId() == PAGE_NEED
    _choose_service(qtbot, wizard, "足疗60分钟")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == PAGE_CONFIRM
    # Another counter takes the therapist meanwhile.
    person = wizard.rooms_page.chosen_staff()
    assert person is not None
    other = reception.receive(seeded_db, actor, guest_name="先到的客人", at=NOW)
    reception.seat(seeded_db, actor, other, service_id=wizard.need_page.chosen_service().id,  # type: ignore[union-attr]
                   resource_ids=(person[0],), at=NOW)  # fmt: skip
    received: list[int] = []
    wizard.received.connect(received.append)
    press(qtbot, Qt.Key.Key_Return)
    assert len(no_message_boxes) == 1 and person[1] in no_message_boxes[0].args[0]
    no_message_boxes.clear()
    assert wizard.isVisible() and wizard.currentId() == PAGE_ROOMS
    assert wizard.rooms_page.chosen_staff() != person  # the fresh list no longer has them
    assert len(received) == 1
    assert _reception_row(seeded_db, received[0])[:2] == (None, None)
    assert _reception_row(seeded_db, received[0])[4] == "散客"
    # Another therapist: the same reception is seated.
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert wizard.reception_id == received[0]
    assert _reception_row(seeded_db, received[0])[0] is ReceptionOutcome.SEATED


# -- the dock ----------------------------------------------------------------------------


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def dock(
    qtbot: QtBot, seeded_db: Database, actor: StaffMember, clock: list[datetime]
) -> Iterator[InServiceDock]:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.resize(1100, 700)
    widget = InServiceDock(seeded_db, SyncRunner(), actor, window, clock=lambda: clock[0])
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, widget)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    widget.refresh()
    yield widget  # the window stays referenced (alive) until the test ends
    window.close()


def _select_booking(dock: InServiceDock, booking_id: int) -> int:
    rows = dock.service_model.rows()
    row = next(n for n, r in enumerate(rows) if r.booking_id == booking_id)
    dock.service_table.selectRow(row)
    dock.service_table.setFocus()
    return row


def _cell(
    dock: InServiceDock, row: int, title: str, role: Qt.ItemDataRole = Qt.ItemDataRole.DisplayRole
) -> object:
    model = dock.service_model
    column = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == title
    )
    return model.index(row, column).data(role)


def test_in_service_dock_shows_elapsed_time_adds_time_and_finishes(
    qtbot: QtBot, seeded_db: Database, actor: StaffMember, dock: InServiceDock,
    clock: list[datetime], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    assert dock.objectName() == "in_service_dock" and dock.windowTitle() == "服务中"
    rid = reception.receive(seeded_db, actor, guest_name="孙先生", at=NOW)
    now_free = board.free_now(seeded_db, NOW, service_id=None)
    service_id = next(iter(now_free.staff[0].resource.service_ids))
    fits = board.free_now(seeded_db, NOW, service_id=service_id, minutes=60)
    ids = (
        (fits.rooms[0].resource.id, fits.staff[0].resource.id)
        if fits.rooms
        else (fits.staff[0].resource.id,)
    )
    change = reception.seat(
        seeded_db, actor, rid, service_id=service_id, resource_ids=ids, minutes=60, at=NOW
    )

    changed: list[bool] = []
    dock.changed.connect(lambda: changed.append(True))
    clock[0] = NOW + timedelta(minutes=25)
    dock.refresh()
    row = _select_booking(dock, change.booking_id)
    assert _cell(dock, row, "客人") == "孙先生（散客）"
    assert _cell(dock, row, "已服务") == "25 分钟"
    assert _cell(dock, row, "剩余/超时") == "剩余 35 分钟"
    assert _cell(dock, row, "剩余/超时", Qt.ItemDataRole.ForegroundRole) is None
    assert dock.finish_button.isEnabled() and dock.add_button.isEnabled()
    assert not dock.start_button.isEnabled()
    shot(dock, "dock")

    # Overrunning: the row turns red.
    clock[0] = NOW + timedelta(minutes=70)
    dock.refresh()
    row = _select_booking(dock, change.booking_id)
    assert _cell(dock, row, "剩余/超时") == "超时 10 分钟"
    brush = _cell(dock, row, "客人", Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().name() == in_service.OVERRUN_FG  # type: ignore[attr-defined]
    shot(dock, "dock-overrun")

    # 加钟 30 minutes from the button's menu.
    dock.add_button.menu().actions()[0].trigger()
    assert changed
    detail = bookings.detail(seeded_db, change.booking_id)
    assert detail.added_minutes == 30 and detail.end_at == NOW + timedelta(minutes=90)
    row = _select_booking(dock, change.booking_id)
    assert _cell(dock, row, "剩余/超时") == "剩余 20 分钟"
    assert _cell(dock, row, "加钟") == "30 分钟"

    # 服务结束: satisfaction asked, then checkout requested.
    asked: list[int] = []

    def answer(_parent: object, row: object, *, checkout: bool) -> tuple[Satisfaction, bool]:
        asked.append(row.booking_id)  # type: ignore[attr-defined]
        assert checkout is False
        return Satisfaction.AVERAGE, True

    monkeypatch.setattr(in_service, "ask_finish", answer)
    checkout: list[int] = []
    dock.checkout_requested.connect(checkout.append)
    clock[0] = NOW + timedelta(minutes=88)
    _select_booking(dock, change.booking_id)
    press(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)  # 服务结束(&E)
    qtbot.waitUntil(lambda: bool(asked))
    assert asked == [change.booking_id] and checkout == [change.booking_id]
    detail = bookings.detail(seeded_db, change.booking_id)
    assert detail.state is BookingState.FINISHED and detail.satisfaction is Satisfaction.AVERAGE
    assert detail.finished_at == NOW + timedelta(minutes=88)
    row = _select_booking(dock, change.booking_id)
    assert _cell(dock, row, "剩余/超时") == "待结账"
    assert dock.checkout_button.isEnabled() and not dock.finish_button.isEnabled()


def test_lounge_in_the_dock_seats_and_lets_guests_leave(
    qtbot: QtBot, seeded_db: Database, actor: StaffMember, dock: InServiceDock,
    clock: list[datetime], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    first = reception.receive(
        seeded_db,
        actor,
        guest_name="周女士",
        need="足疗60分钟（60 分钟）",
        at=NOW - timedelta(minutes=12),
    )
    second = reception.receive(seeded_db, actor, guest_name="吴先生", at=NOW - timedelta(minutes=3))
    dock.refresh()
    rows = {r.reception_id: n for n, r in enumerate(dock.lounge_model.rows())}
    assert {first, second} <= set(rows)
    model = dock.lounge_model
    assert model.index(rows[first], 3).data() == "12 分钟"
    assert "周女士" in model.index(rows[first], 0).data()

    # 客人离开 on the second one.
    monkeypatch.setattr(in_service, "ask_leave_reason", lambda _p, guest: "等候时间太长")
    dock.lounge_table.selectRow(rows[second])
    dock.lounge_table.setFocus()
    press(qtbot, Qt.Key.Key_Delete)
    assert _reception_row(seeded_db, second)[0] is ReceptionOutcome.LEFT
    assert second not in {r.reception_id for r in dock.lounge_model.rows()}

    # 安排入座 on the first: the wizard opens at step 2 with the service of the need.
    rows = {r.reception_id: n for n, r in enumerate(dock.lounge_model.rows())}
    dock.lounge_table.selectRow(rows[first])
    wizard = dock.seat_selected()
    assert wizard is not None
    wizard.activateWindow()
    qtbot.waitUntil(lambda: focus_in(wizard))
    assert wizard.currentId() == PAGE_NEED
    assert wizard.need_page.chosen_service().name == "足疗60分钟"  # type: ignore[union-attr]
    assert "周女士" in wizard.need_page.guest_label.text()
    shot(wizard, "2-from-lounge")
    seated: list[int] = []
    wizard.seated.connect(seated.append)
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(seated))
    assert _reception_row(seeded_db, first)[:2] == (ReceptionOutcome.SEATED, seated[0])
    detail = bookings.detail(seeded_db, seated[0])
    assert (detail.guest_name, detail.service, detail.state) == (
        "周女士", "足疗60分钟", BookingState.IN_SERVICE,
    )  # fmt: skip
    assert detail.notes == "足疗60分钟（60 分钟）"
    assert first not in {r.reception_id for r in dock.lounge_model.rows()}
    assert seated[0] in {r.booking_id for r in dock.service_model.rows()}


def test_finish_dialog_needs_a_choice_and_works_by_keyboard(qtbot: QtBot) -> None:
    row = InServiceRow(
        booking_id=1, version=1, state=BookingState.IN_SERVICE, guest="钱先生", member_id=None,
        walk_in=True, service_id=1, service="足疗60分钟", rooms=("足疗房 201",),
        staff=("12号技师 孙倩",), start_at=NOW, end_at=NOW + timedelta(hours=1),
        arrived_at=NOW, started_at=NOW, finished_at=None, added_minutes=0, elapsed_min=50,
        minutes_left=10, notes="",
    )  # fmt: skip
    dialog = FinishDialog(row, None, checkout=False)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: focus_in(dialog))
    ok = dialog.box.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.satisfaction() is not None)
    assert dialog.satisfaction() is Satisfaction.DISSATISFIED and ok.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.satisfaction() is Satisfaction.SATISFIED)
    shot(dialog, "finish")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
    assert dialog.settle_now()


# -- the figures -------------------------------------------------------------------------


def test_reception_figures_dialog_matches_the_service_and_sorts(
    qtbot: QtBot, seeded_db: Database
) -> None:
    today = date.today()
    dialog = ReceptionFiguresDialog(seeded_db, SyncRunner(), None, today=today)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    first, last = reception.this_month(today)
    assert dialog.period() == (first, last)
    expected = reception.figures(seeded_db, first, last)
    assert expected and any(f.received for f in expected)  # the demo has receptions
    assert dialog.proxy.rowCount() == len(expected)
    by_name = {f.name: f for f in expected}
    for row in range(dialog.proxy.rowCount()):
        figures = by_name[dialog.cell(row, 0)]
        assert dialog.cell(row, 1) == str(figures.received)
        assert dialog.cell(row, 2) == str(figures.seated)
        assert dialog.cell(row, 4) == percent(figures.success_rate)
        assert dialog.cell(row, 6) == str(figures.satisfied)
        assert dialog.cell(row, 9) == percent(figures.satisfaction_rate)
    shot(dialog, "figures")

    # Sorted by 带客成功率 (a click on the header), highest first.
    dialog.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)
    rates = [by_name[dialog.cell(r, 0)].success_rate for r in range(dialog.proxy.rowCount())]
    values = [-1.0 if r is None else r for r in rates]
    assert values == sorted(values, reverse=True)

    # Another period: nothing in it.
    dialog.set_period(date(2000, 1, 1), date(2000, 1, 31))
    assert dialog.proxy.rowCount() == 0
    assert "共接待 0 人" in dialog.summary.text()

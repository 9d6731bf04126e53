"""The booking board dock on the seeded database: dragging, keys, refusals, week view.

Bookings are made by the tests on a day 40 days ahead (the demo's bookings are within
three days of today), and the dock's clock is fixed on that day.
"""

from __future__ import annotations

import threading
import time as systime
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import pytest
from PySide6.QtCore import QDate, QPoint, QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from clubdesk.db.engine import Database
from clubdesk.models import Service
from clubdesk.models.enums import BookingState, ResourceKind
from clubdesk.services import board as board_service
from clubdesk.services import booking_slots, bookings, staff
from clubdesk.services.board import Board, BoardResource
from clubdesk.services.bookings import BookingDraft
from ui.board.geometry import same_family
from ui.board.view import BoardView
from ui.docks.bookings import BookingsDock
from ui.tasks import SyncRunner, TaskRunner

FUTURE = date.today() + timedelta(days=40)
NOW = datetime.combine(FUTURE, time(9, 0))  # before opening: no current-time line
MASSAGE = "中式按摩60分钟"


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return datetime.combine(FUTURE + timedelta(days=days), time(hour, minute))


class HeldRunner(SyncRunner):
    """Runs at once, or holds the work until ``release()`` (a call still in flight)."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = False
        self.queue: list[tuple[Callable[[], Any], Any, Any]] = []

    def submit(self, fn: Callable[[], Any], on_done: Any, on_failed: Any = None) -> None:
        if self.hold:
            self.queue.append((fn, on_done, on_failed))
        else:
            super().submit(fn, on_done, on_failed)

    def release(self) -> None:
        self.hold = False
        queue, self.queue = self.queue, []
        for fn, on_done, on_failed in queue:
            super().submit(fn, on_done, on_failed)


@pytest.fixture
def runner() -> HeldRunner:
    return HeldRunner()


@pytest.fixture
def dock(qtbot: QtBot, seeded_db: Database, runner: HeldRunner) -> Iterator[BookingsDock]:
    widget = BookingsDock(seeded_db, runner)
    widget.user = staff.counter_user(seeded_db)
    widget.set_clock(lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.day.setDate(QDate(FUTURE.year, FUTURE.month, FUTURE.day))
    widget.show()
    qtbot.waitExposed(widget)
    widget.refresh()
    assert widget._full is not None and FUTURE in widget._full.days
    yield widget


def service_id(db: Database, name: str) -> int:
    with db.read() as session:
        found = session.scalar(select(Service.id).where(Service.name == name))
    assert found is not None
    return found


def resources(db: Database) -> list[BoardResource]:
    return list(board_service.load(db, FUTURE).resources)


def adjacent(
    items: list[BoardResource], first: Callable[[BoardResource], bool],
    second: Callable[[BoardResource], bool],
) -> tuple[BoardResource, BoardResource]:  # fmt: skip
    """Two neighbouring columns (board order) matching the two tests."""
    for a, b in pairwise(items):
        if first(a) and second(b):
            return a, b
    raise AssertionError("the demo data has no such neighbours")


def can(service: int, start: datetime, end: datetime) -> Callable[[BoardResource], bool]:
    return lambda r: service in r.service_ids and r.works(start, end)


def book(
    db: Database, service: int, start: datetime, end: datetime, *ids: int, guest: str = "测试客"
) -> int:
    draft = BookingDraft(service, start, end, resource_ids=ids, guest_name=guest)
    return bookings.create(db, staff.counter_user(db), draft, at=NOW).booking_id


def held(db: Database, booking_id: int) -> tuple[datetime, datetime, set[int], int]:
    found = bookings.detail(db, booking_id)
    return found.start_at, found.end_at, set(found.resource_ids), found.version


def therapist_for(db: Database, service: int, start: datetime, end: datetime) -> BoardResource:
    return next(
        r for r in resources(db) if r.kind is ResourceKind.THERAPIST and can(service, start, end)(r)
    )


def slot(dock: BookingsDock, moment: datetime) -> int:
    layout = dock.view.board_layout
    assert layout is not None
    return layout.slot_of(FUTURE, moment)


def column(dock: BookingsDock, resource_id: int) -> int:
    index = dock.view.column_index(resource_id, FUTURE)
    assert index is not None
    return index


def cell(dock: BookingsDock, resource_id: int, moment: datetime) -> tuple[int, int]:
    return column(dock, resource_id), slot(dock, moment)


def show_cell(dock: BookingsDock, resource_id: int, moment: datetime) -> QPoint:
    """Scroll the cell into view; its centre in viewport coordinates."""
    c, s = cell(dock, resource_id, moment)
    dock.view.select_cell(c, s)
    return dock.view.cell_rect(c, s).center()


def reveal(dock: BookingsDock, resource_id: int, moment: datetime) -> None:
    """Scroll so the column is the first one shown and the time is near the top."""
    layout = dock.view.board_layout
    assert layout is not None
    dock.view.horizontalScrollBar().setValue(layout.columns[column(dock, resource_id)].x - 10)
    dock.view.verticalScrollBar().setValue(layout.y_of(FUTURE, moment) - 40)


def drag(qtbot: QtBot, view: BoardView, start: QPoint, end: QPoint) -> None:
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + end) / 2)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def block_point(dock: BookingsDock, booking_id: int, resource_id: int) -> QPoint:
    rect = dock.view.block_rect(booking_id, resource_id)
    assert rect is not None
    return QPoint(rect.left() + 20, rect.top() + 10)


# -- mouse ----------------------------------------------------------------------------------


def test_dragging_over_empty_cells_asks_to_create_there(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    room = next(r for r in resources(seeded_db) if r.kind is ResourceKind.ROOM)
    dock.refresh()
    first = show_cell(dock, room.id, at(11))
    last = dock.view.cell_rect(*cell(dock, room.id, at(11, 45))).center()
    with qtbot.waitSignal(dock.create_requested, timeout=1000) as signal:
        drag(qtbot, dock.view, first, last)
    assert signal.args == [room.id, at(11), at(12)]


def test_dragging_a_block_to_a_free_slot_of_another_room_moves_the_booking(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    fits = can(svc, at(11), at(14))
    room, other = adjacent(resources(seeded_db), fits, fits)
    therapist = therapist_for(seeded_db, svc, at(11), at(14))
    booking = book(seeded_db, svc, at(11), at(12), room.id, therapist.id)
    dock.refresh()
    reveal(dock, room.id, at(11))
    start = block_point(dock, booking, room.id)
    target = dock.view.cell_rect(*cell(dock, other.id, at(13)))
    with qtbot.waitSignal(dock.changed, timeout=1000):
        drag(qtbot, dock.view, start, QPoint(target.left() + 20, target.top() + 10))
    assert held(seeded_db, booking)[:3] == (at(13), at(14), {other.id, therapist.id})
    moved = dock.view.block_rect(booking, other.id)
    assert moved is not None and moved.top() == target.top()
    assert dock.view.block_rect(booking, room.id) is None
    assert not dock.message.isVisible()


def test_dragging_the_bottom_edge_changes_the_end(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    room = next(
        r for r in resources(seeded_db) if r.kind is ResourceKind.ROOM and svc in r.service_ids
    )
    booking = book(seeded_db, svc, at(11), at(12), room.id)
    dock.refresh()
    reveal(dock, room.id, at(11))
    rect = dock.view.block_rect(booking, room.id)
    assert rect is not None
    edge = QPoint(rect.center().x(), rect.bottom() - 1)
    end = dock.view.cell_rect(*cell(dock, room.id, at(12, 30)))
    drag(qtbot, dock.view, edge, QPoint(edge.x(), end.top()))
    assert held(seeded_db, booking)[:2] == (at(11), at(12, 30))
    resized = dock.view.block_rect(booking, room.id)
    assert resized is not None and resized.bottom() == end.top() - 1


def test_a_drop_on_a_busy_room_is_refused_and_the_block_snaps_back(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    fits = can(svc, at(11), at(14))
    room, other = adjacent(resources(seeded_db), fits, fits)
    mine = book(seeded_db, svc, at(11), at(12), room.id, guest="甲")
    theirs = book(seeded_db, svc, at(13), at(14), other.id, guest="乙")
    before = held(seeded_db, mine)
    dock.refresh()
    reveal(dock, room.id, at(11))
    original = dock.view.block_rect(mine, room.id)
    start = block_point(dock, mine, room.id)
    target = dock.view.cell_rect(*cell(dock, other.id, at(13)))
    drag(qtbot, dock.view, start, QPoint(target.left() + 20, target.top() + 10))
    assert held(seeded_db, mine) == before
    assert held(seeded_db, theirs)[:3] == (at(13), at(14), {other.id})
    assert dock.message.isVisible() and "已有预约" in dock.message.text()
    assert "b91c1c" in dock.message.styleSheet()
    assert dock.view.block_rect(mine, room.id) == original
    assert dock.view.pending is None


def test_a_drop_on_a_therapist_who_cannot_do_the_service_is_refused(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    span = (at(17), at(18))
    therapists = [r for r in resources(seeded_db) if r.kind is ResourceKind.THERAPIST]
    able, unable = adjacent(
        therapists, can(svc, *span), lambda r: svc not in r.service_ids and r.works(*span)
    )
    booking = book(seeded_db, svc, *span, able.id)
    before = held(seeded_db, booking)
    dock.refresh()
    dock.set_kind("therapist")
    reveal(dock, able.id, at(17))
    original = dock.view.block_rect(booking, able.id)
    start = block_point(dock, booking, able.id)
    target = dock.view.cell_rect(*cell(dock, unable.id, at(17)))
    drag(qtbot, dock.view, start, QPoint(target.left() + 20, target.top() + 10))
    assert held(seeded_db, booking) == before
    assert "不能做" in dock.message.text() and unable.name in dock.message.text()
    assert dock.view.block_rect(booking, able.id) == original


def test_a_block_cannot_be_dropped_on_a_column_of_another_kind(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = resources(seeded_db)
    place, person = adjacent(items, lambda r: not r.is_person, lambda r: r.is_person)
    svc = next(iter(place.service_ids))
    # The place next to the staff columns is the cinema hall: a screening, which has
    # seats and no guest of its own.
    booking = book(seeded_db, svc, at(11), at(12), place.id, guest="")
    before = held(seeded_db, booking)
    calls: list[object] = []
    monkeypatch.setattr(bookings, "reschedule", lambda *a, **k: calls.append(a))
    dock.refresh()
    reveal(dock, place.id, at(11))
    start = block_point(dock, booking, place.id)
    target = dock.view.cell_rect(*cell(dock, person.id, at(11)))
    drag(qtbot, dock.view, start, QPoint(target.left() + 20, target.top() + 10))
    assert calls == []  # refused on the board, without asking the database
    assert held(seeded_db, booking) == before
    assert person.name in dock.message.text()
    assert dock.view.block_rect(booking, place.id) is not None


def test_the_block_is_drawn_moved_while_the_call_runs(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database, runner: HeldRunner
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    room = next(r for r in resources(seeded_db) if can(svc, at(11), at(14))(r) and not r.is_person)
    booking = book(seeded_db, svc, at(11), at(12), room.id)
    dock.refresh()
    reveal(dock, room.id, at(11))
    start = block_point(dock, booking, room.id)
    target = dock.view.cell_rect(*cell(dock, room.id, at(12)))
    runner.hold = True
    drag(qtbot, dock.view, start, QPoint(start.x(), target.top() + 10))
    assert dock.view.pending is not None and dock.view.busy
    drawn = dock.view.block_rect(booking, room.id)
    assert drawn is not None and drawn.top() == target.top()
    assert held(seeded_db, booking)[0] == at(11)  # not written yet
    runner.release()
    assert held(seeded_db, booking)[:2] == (at(12), at(13))
    assert dock.view.pending is None
    assert dock.view.board is not None
    assert any(b.booking_id == booking and b.start_at == at(12) for b in dock.view.board.blocks)


def shown_inside(view: BoardView, rect: QRect, dx: int = 0, dy: int = 0) -> bool:
    """The rectangle lies in the grid part of the viewport, ``dx`` px clear of its left
    and right edges and ``dy`` px of its top and bottom (where a drag scrolls)."""
    layout = view.board_layout
    assert layout is not None
    viewport = view.viewport()
    return (
        rect.left() >= view.metrics.gutter + dx
        and rect.right() <= viewport.width() - dx
        and rect.top() >= layout.header_height + dy
        and rect.bottom() <= viewport.height() - dy
    )


def test_dragging_a_block_to_the_right_edge_scrolls_to_a_room_off_screen(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    fits = can(svc, at(11), at(12))
    items = resources(seeded_db)
    room = next(r for r in items if fits(r) and not r.is_person)
    booking = book(seeded_db, svc, at(11), at(12), room.id)
    dock.refresh()
    reveal(dock, room.id, at(11))
    view, viewport = dock.view, dock.view.viewport()
    layout = view.board_layout
    assert layout is not None
    bar = view.horizontalScrollBar()
    initial = bar.value()
    shown_until = initial + bar.pageStep()  # content x of the grid's right edge
    target = next(
        r
        for r in items
        if fits(r)
        and same_family(r.kind, room.kind)
        and layout.columns[column(dock, r.id)].x >= shown_until
    )
    start = block_point(dock, booking, room.id)
    edge = QPoint(viewport.width() - 5, start.y())
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + edge) / 2)
    qtbot.mouseMove(viewport, edge)
    assert view.autoscrolling
    qtbot.waitUntil(
        lambda: shown_inside(view, view.cell_rect(*cell(dock, target.id, at(11))), dx=40),
        timeout=10000,
    )
    assert bar.value() > initial
    drop = view.cell_rect(*cell(dock, target.id, at(11)))
    point = QPoint(drop.left() + 20, start.y())
    qtbot.mouseMove(viewport, point)
    assert not view.autoscrolling  # back from the edge: it stops
    with qtbot.waitSignal(dock.changed, timeout=1000):
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert held(seeded_db, booking)[:3] == (at(11), at(12), {target.id})
    assert not view.autoscrolling


def test_dragging_a_block_to_the_bottom_edge_scrolls_to_a_time_off_screen(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    room = next(r for r in resources(seeded_db) if can(svc, at(11), at(12))(r) and not r.is_person)
    booking = book(seeded_db, svc, at(11), at(12), room.id)
    dock.refresh()
    reveal(dock, room.id, at(11))
    view, viewport = dock.view, dock.view.viewport()
    layout = view.board_layout
    assert layout is not None
    bar = view.verticalScrollBar()
    initial = bar.value()
    hidden = next(s for s in range(layout.slots) if layout.slot_y(s) >= initial + bar.pageStep())
    assert hidden + 4 <= layout.slots  # an hour fits there before closing
    moment = layout.slot_time(FUTURE, hidden)
    assert room.works(moment, moment + timedelta(hours=1))
    start = block_point(dock, booking, room.id)
    edge = QPoint(start.x(), viewport.height() - 5)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + edge) / 2)
    qtbot.mouseMove(viewport, edge)
    qtbot.waitUntil(
        lambda: shown_inside(view, view.cell_rect(*cell(dock, room.id, moment)), dy=40),
        timeout=10000,
    )
    assert bar.value() > initial
    drop = view.cell_rect(*cell(dock, room.id, moment))
    point = QPoint(start.x(), drop.top() + 10)
    qtbot.mouseMove(viewport, point)
    assert not view.autoscrolling
    with qtbot.waitSignal(dock.changed, timeout=1000):
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert held(seeded_db, booking)[:3] == (moment, moment + timedelta(hours=1), {room.id})


def test_selecting_new_cells_past_the_top_edge_scrolls_up(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    room = next(r for r in resources(seeded_db) if r.kind is ResourceKind.ROOM)
    dock.refresh()
    reveal(dock, room.id, at(16))
    view, viewport = dock.view, dock.view.viewport()
    layout = view.board_layout
    assert layout is not None
    bar = view.verticalScrollBar()
    initial = bar.value()
    first = view.cell_rect(*cell(dock, room.id, at(16, 30))).center()
    above = QPoint(first.x(), 2)  # over the column headers
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=first)
    qtbot.mouseMove(viewport, QPoint(first.x(), first.y() - 10))
    qtbot.mouseMove(viewport, above)
    assert view.autoscroll_speed(above)[0] == 0  # a new booking keeps its column
    qtbot.waitUntil(lambda: bar.value() <= initial - 3 * 80, timeout=10000)
    top = view.cell_rect(*cell(dock, room.id, at(13)))
    point = QPoint(first.x(), top.center().y())
    qtbot.mouseMove(viewport, point)
    assert not view.autoscrolling
    with qtbot.waitSignal(dock.create_requested, timeout=1000) as signal:
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=point)
    assert signal.args == [room.id, at(13), at(16, 45)]


def test_a_click_opens_the_booking_and_the_tooltip_tells_its_details(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    room = next(r for r in resources(seeded_db) if can(svc, at(11), at(12))(r) and not r.is_person)
    therapist = therapist_for(seeded_db, svc, at(11), at(12))
    booking = book(seeded_db, svc, at(11), at(12), room.id, therapist.id, guest="点我")
    dock.refresh()
    reveal(dock, room.id, at(11))
    point = block_point(dock, booking, room.id)
    with qtbot.waitSignal(dock.open_requested, timeout=1000) as signal:
        qtbot.mouseClick(dock.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert signal.args == [booking]
    tip = dock.view.tooltip_at(point)
    assert "点我" in tip and MASSAGE in tip and room.name in tip and therapist.name in tip
    assert "11:00–12:00" in tip


# -- keyboard ---------------------------------------------------------------------------------


def press(
    qtbot: QtBot, view: BoardView, key: Qt.Key, mods: Any = Qt.KeyboardModifier.NoModifier
) -> None:
    qtbot.keyClick(view, key, mods)


def test_keyboard_selects_cells_and_creates(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    room = next(r for r in resources(seeded_db) if r.kind is ResourceKind.ROOM)
    view = dock.view
    view.setFocus()
    show_cell(dock, room.id, at(11))
    for _ in range(3):
        press(qtbot, view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    with qtbot.waitSignal(dock.create_requested, timeout=1000) as signal:
        press(qtbot, view, Qt.Key.Key_Return)
    assert signal.args == [room.id, at(11), at(12)]
    press(qtbot, view, Qt.Key.Key_Right)
    assert view.cursor_column == column(dock, room.id) + 1
    assert view.anchor_slot == view.cursor_slot == slot(dock, at(11, 45))


def test_enter_after_a_keyboard_booking_opens_it_instead_of_another_new_one(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    room = next(r for r in resources(seeded_db) if can(svc, at(11), at(12))(r) and not r.is_person)
    made: list[int] = []
    created: list[tuple[Any, ...]] = []
    opened: list[int] = []

    def dialog_saves(resource_id: int, start: datetime, end: datetime) -> None:
        """The new-booking dialog, saved at once; the board reloads after the save."""
        created.append((resource_id, start, end))
        made.append(book(seeded_db, svc, start, end, resource_id))
        dock.refresh()

    dock.create_requested.connect(dialog_saves)
    dock.open_requested.connect(opened.append)
    view = dock.view
    view.setFocus()
    show_cell(dock, room.id, at(11))
    for _ in range(3):
        press(qtbot, view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, view, Qt.Key.Key_Return)
    assert created == [(room.id, at(11), at(12))] and len(made) == 1
    # The selection is down to the cursor cell, inside the booking just made.
    assert view.anchor_slot == view.cursor_slot == slot(dock, at(11, 45))
    placed = view.cursor_block()
    assert placed is not None and placed.block.booking_id == made[0]
    press(qtbot, view, Qt.Key.Key_Return)
    assert opened == made and len(created) == 1  # no second 新预约 on top of it
    # The same through 新预约 (Ctrl+Shift+N) on a selection.
    show_cell(dock, room.id, at(14))
    press(qtbot, view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    dock.new_booking()
    assert created[-1] == (room.id, at(14), at(14, 30)) and len(made) == 2
    assert view.anchor_slot == view.cursor_slot == slot(dock, at(14, 15))
    press(qtbot, view, Qt.Key.Key_Return)
    assert opened == made


def test_keyboard_opens_moves_and_resizes_a_block(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    fits = can(svc, at(11), at(14))
    room, other = adjacent(resources(seeded_db), fits, fits)
    booking = book(seeded_db, svc, at(11), at(12), room.id)
    dock.refresh()
    reveal(dock, room.id, at(11))
    view = dock.view
    view.setFocus()
    show_cell(dock, room.id, at(11, 30))
    with qtbot.waitSignal(dock.open_requested, timeout=1000) as signal:
        press(qtbot, view, Qt.Key.Key_Enter)
    assert signal.args == [booking]
    ctrl = Qt.KeyboardModifier.ControlModifier
    press(qtbot, view, Qt.Key.Key_Down, ctrl)
    assert held(seeded_db, booking)[:3] == (at(11, 15), at(12, 15), {room.id})
    press(qtbot, view, Qt.Key.Key_Right, ctrl)
    assert held(seeded_db, booking)[:3] == (at(11, 15), at(12, 15), {other.id})
    press(qtbot, view, Qt.Key.Key_Down, ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert held(seeded_db, booking)[:2] == (at(11, 15), at(12, 30))
    press(qtbot, view, Qt.Key.Key_Up, ctrl | Qt.KeyboardModifier.ShiftModifier)
    press(qtbot, view, Qt.Key.Key_Up, ctrl | Qt.KeyboardModifier.ShiftModifier)
    assert held(seeded_db, booking)[:2] == (at(11, 15), at(12))
    assert view.cursor_column == column(dock, other.id)


def test_arrow_keys_past_the_edges_scroll_the_cursor_into_view(
    dock: BookingsDock, qtbot: QtBot
) -> None:
    view = dock.view
    layout = view.board_layout
    assert layout is not None
    h, v = view.horizontalScrollBar(), view.verticalScrollBar()
    h.setValue(0)
    v.setValue(0)
    view.setFocus()
    view.select_cell(0, 0)
    columns = layout.visible_columns(0, h.pageStep() - 1)
    rows = v.pageStep() // view.metrics.slot_height
    for _n in range(len(columns) + 1):
        press(qtbot, view, Qt.Key.Key_Right)
    for _n in range(rows + 1):
        press(qtbot, view, Qt.Key.Key_Down)
    assert (view.cursor_column, view.cursor_slot) == (len(columns) + 1, rows + 1)
    assert h.value() > 0 and v.value() > 0
    assert shown_inside(view, view.cell_rect(view.cursor_column, view.cursor_slot))
    for _n in range(len(columns) + 1):
        press(qtbot, view, Qt.Key.Key_Left)
    for _n in range(rows + 1):
        press(qtbot, view, Qt.Key.Key_Up)
    assert (h.value(), v.value()) == (0, 0)


def test_page_keys_change_the_day_and_home_comes_back_to_today(
    dock: BookingsDock, qtbot: QtBot
) -> None:
    view = dock.view
    view.setFocus()
    press(qtbot, view, Qt.Key.Key_PageDown)
    assert dock.current_day() == FUTURE + timedelta(days=1)
    assert dock.view.board is not None and dock.view.board.days == (FUTURE + timedelta(days=1),)
    press(qtbot, view, Qt.Key.Key_PageUp)
    press(qtbot, view, Qt.Key.Key_PageUp)
    assert dock.current_day() == FUTURE - timedelta(days=1)
    dock.set_clock(lambda: at(15, days=3))
    press(qtbot, view, Qt.Key.Key_Home)
    assert dock.current_day() == FUTURE + timedelta(days=3)
    layout = view.board_layout
    assert layout is not None
    assert view.cursor_slot == layout.slot_of(FUTURE + timedelta(days=3), at(15, days=3)) == 20
    dock.set_clock(lambda: at(1, 30, days=5))  # after midnight: still the 4th day's evening
    dock.go_today()
    assert dock.current_day() == FUTURE + timedelta(days=4)


def test_delete_asks_to_cancel_and_menus_offer_the_legal_steps(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    room = next(r for r in resources(seeded_db) if can(svc, at(11), at(14))(r) and not r.is_person)
    first = book(seeded_db, svc, at(11), at(12), room.id)
    second = book(seeded_db, svc, at(13), at(14), room.id)
    dock.refresh()
    view = dock.view
    view.setFocus()
    show_cell(dock, room.id, at(11))
    placed = view.cursor_block()
    assert placed is not None and placed.block.booking_id == first
    texts = [a.text() for a in view.menu_for(placed).actions() if a.text()]
    assert texts == ["打开预约…", "到店", "取消预约…"]  # no no-show before the start
    dock.set_clock(lambda: at(11, 30))
    texts = [a.text() for a in view.menu_for(placed).actions() if a.text()]
    assert texts == ["打开预约…", "到店", "标记爽约…", "取消预约…"]
    dock.set_clock(lambda: NOW)
    arrive = next(a for a in view.menu_for(placed).actions() if a.text() == "到店")
    with qtbot.waitSignal(dock.action_requested, timeout=1000):
        arrive.trigger()
    assert bookings.detail(seeded_db, first).state is BookingState.ARRIVED
    placed = view.cursor_block()
    assert placed is not None and placed.block.state is BookingState.ARRIVED
    texts = [a.text() for a in view.menu_for(placed).actions() if a.text()]
    assert texts == ["打开预约…", "开始服务", "取消预约…"]

    # Nobody wired a cancel dialog yet: the dock asks for the reason itself.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("客人改期", True))
    press(qtbot, view, Qt.Key.Key_Delete)
    cancelled = bookings.detail(seeded_db, first)
    assert cancelled.state is BookingState.CANCELLED and cancelled.cancel_reason == "客人改期"
    assert view.block_rect(first) is None  # cancelled bookings leave the board
    # Wired: Delete hands the booking to the dialog.
    asked: list[int] = []
    dock.cancel_requested.connect(asked.append)
    show_cell(dock, room.id, at(13))
    press(qtbot, view, Qt.Key.Key_Delete)
    assert asked == [second]
    assert bookings.detail(seeded_db, second).state is BookingState.BOOKED


def test_a_no_show_needs_confirmation_and_a_refused_step_says_why(
    dock: BookingsDock, seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    room = next(r for r in resources(seeded_db) if can(svc, at(11), at(14))(r) and not r.is_person)
    booking = book(seeded_db, svc, at(11), at(12), room.id)
    dock.refresh()
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    dock.on_action(booking, BookingState.NO_SHOW)  # said no
    assert bookings.detail(seeded_db, booking).state is BookingState.BOOKED
    dock.on_action(booking, BookingState.NO_SHOW)  # before its time: refused
    assert bookings.detail(seeded_db, booking).state is BookingState.BOOKED
    assert "还没到" in dock.message.text()
    dock.set_clock(lambda: at(12, 30))
    answers.append(QMessageBox.StandardButton.Yes)
    dock.on_action(booking, BookingState.NO_SHOW)
    assert bookings.detail(seeded_db, booking).state is BookingState.NO_SHOW
    finished: list[int] = []
    dock.finish_requested.connect(finished.append)
    dock.on_action(booking, BookingState.FINISHED)
    assert finished == [booking]


# -- views ------------------------------------------------------------------------------------


def test_the_week_view_of_one_therapist_is_seven_columns(
    dock: BookingsDock, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    therapist = therapist_for(seeded_db, svc, at(15), at(16))
    booking = book(seeded_db, svc, at(15), at(16), therapist.id)
    dock.set_week(True)
    dock.set_kind("therapist")
    dock.set_resource(therapist.id)
    layout = dock.view.board_layout
    assert layout is not None
    monday = FUTURE - timedelta(days=FUTURE.weekday())
    assert [c.day for c in layout.columns] == [monday + timedelta(days=n) for n in range(7)]
    assert {c.resource.id for c in layout.columns} == {therapist.id}
    assert len(layout.by_booking[booking]) == 1
    assert layout.columns[layout.by_booking[booking][0].column].day == FUTURE
    assert layout.off_duty[0] or therapist.works_from is None
    assert dock.prev_btn.text() == "前一周"
    dock.shift(1)
    assert dock.first_day() == monday + timedelta(days=7)
    dock.set_week(False)
    dock.set_resource(0)
    dock.set_kind("places")
    layout = dock.view.board_layout
    assert layout is not None and not layout.week
    assert {c.resource.kind for c in layout.columns} == {ResourceKind.ROOM, ResourceKind.SUITE}


def test_the_window_runs_past_midnight(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    late = (at(0, 30, days=1), at(1, 30, days=1))
    room = next(r for r in resources(seeded_db) if can(svc, *late)(r) and not r.is_person)
    booking = book(seeded_db, svc, *late, room.id)
    dock.refresh()
    layout = dock.view.board_layout
    assert layout is not None
    assert layout.window(FUTURE) == (at(10), at(2, days=1))
    placed = layout.by_booking[booking][0]
    assert layout.columns[placed.column].day == FUTURE
    assert placed.rect.y == layout.y_of(FUTURE, late[0])
    reveal(dock, room.id, at(23))
    index = column(dock, room.id)
    first = dock.view.cell_rect(index, slot(dock, at(1, 30, days=1))).center()
    last = dock.view.cell_rect(index, slot(dock, at(1, 45, days=1))).center()
    assert dock.view.viewport().rect().contains(last)
    with qtbot.waitSignal(dock.create_requested, timeout=1000) as signal:
        drag(qtbot, dock.view, first, last)
    assert signal.args == [room.id, at(1, 30, days=1), at(2, days=1)]


def test_the_current_time_is_a_red_line(dock: BookingsDock, qtbot: QtBot) -> None:
    dock.set_clock(lambda: at(14, 10))
    dock.set_kind("area")  # few columns, no blocks on that day
    view = dock.view
    view.scroll_to_time(at(14))
    layout = view.board_layout
    assert layout is not None
    y = view.view_rect(layout.cell(0, 0)).top() + layout.y_of(FUTURE, at(14, 10))
    image = view.viewport().grab().toImage()
    x = view.cell_rect(0, 0).center().x()
    red = QColor("#dc2626")
    assert any(image.pixelColor(x, y + dy) == red for dy in (-1, 0, 1))
    assert image.pixelColor(x, y + 12) != red
    dock.set_clock(lambda: at(9))  # before opening: no line
    image = view.viewport().grab().toImage()
    assert all(image.pixelColor(x, y + dy) != red for dy in (-1, 0, 1))


def test_free_now_lists_rooms_and_staff_and_double_click_creates(
    dock: BookingsDock, qtbot: QtBot, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    room = next(r for r in resources(seeded_db) if can(svc, at(12), at(13))(r) and not r.is_person)
    book(seeded_db, svc, at(12), at(13), room.id)
    dock.set_clock(lambda: at(12, 7))
    dock.refresh()
    rows = [dock.free_list.item(n) for n in range(dock.free_list.count())]
    ids = [item.data(Qt.ItemDataRole.UserRole) for item in rows]
    assert room.id not in ids
    assert dock.free_title.text() == "空闲（12:07）"
    first = next(item for item in rows if item.data(Qt.ItemDataRole.UserRole))
    assert "空闲至" in first.text()
    with qtbot.waitSignal(dock.create_requested, timeout=1000) as signal:
        dock.free_list.itemActivated.emit(first)
    assert signal.args == [first.data(Qt.ItemDataRole.UserRole), at(12, 15), at(13, 15)]


def test_free_now_says_until_when_or_until_closing(dock: BookingsDock, seeded_db: Database) -> None:
    svc = service_id(seeded_db, MASSAGE)
    dock.set_clock(lambda: at(11, 7))
    dock.refresh()
    assert dock._free is not None
    # Rooms free now that do the service (no shift of their own, nothing booked today).
    rooms = [f.resource for f in dock._free.rooms if svc in f.resource.service_ids]
    booked, idle = rooms[0], rooms[1]
    book(seeded_db, svc, at(12), at(13), booked.id)
    dock.refresh()
    texts = {
        item.data(Qt.ItemDataRole.UserRole): item.text()
        for item in (dock.free_list.item(n) for n in range(dock.free_list.count()))
    }
    assert texts[booked.id] == f"{booked.name}\n　空闲至 12:00"
    assert texts[idle.id] == f"{idle.name}\n　空闲至打烊"  # free_until None
    assert not any("None" in text for text in texts.values() if text)


def test_the_status_counts_the_days_bookings_by_state(
    dock: BookingsDock, seeded_db: Database
) -> None:
    svc = service_id(seeded_db, MASSAGE)
    fits = can(svc, at(11), at(14))
    room, other = adjacent(resources(seeded_db), fits, fits)
    therapist = therapist_for(seeded_db, svc, at(11), at(14))
    first = book(seeded_db, svc, at(11), at(12), room.id, therapist.id)
    book(seeded_db, svc, at(13), at(14), other.id)
    bookings.transition(
        seeded_db, staff.counter_user(seeded_db), first, BookingState.ARRIVED, at=NOW
    )
    dock.refresh()
    assert dock.counts() == {BookingState.BOOKED: 1, BookingState.ARRIVED: 1}
    assert "共 2 个预约" in dock.status.text() and "已到店 1" in dock.status.text()


def test_todays_board_of_the_demo_has_bookings(qtbot: QtBot, seeded_db: Database) -> None:
    dock = BookingsDock(seeded_db, SyncRunner())
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.loaded, timeout=5000) as signal:
        dock.refresh()
    assert signal.args[0] > 0
    assert dock._full is not None
    opens, closes = dock._full.opens, dock._full.closes
    assert dock.current_day() == booking_slots.business_day(datetime.now(), opens, closes)
    assert "个预约" in dock.status.text()
    board = dock.view.board
    assert board is not None and len(board.resources) > 0 and len(board.blocks) > 0


def test_day_changes_during_a_load_end_on_the_last_day(
    qtbot: QtBot, seeded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = TaskRunner()
    threads: list[bool] = []
    real_load = board_service.load

    def slow_load(db: Database, first: date, days: int = 1, kinds: Any = None) -> Board:
        threads.append(threading.current_thread() is threading.main_thread())
        systime.sleep(0.1)
        return real_load(db, first, days, kinds)

    monkeypatch.setattr(board_service, "load", slow_load)
    dock = BookingsDock(seeded_db, pool)
    qtbot.addWidget(dock)
    dock.refresh()
    dock.shift(1)
    dock.shift(1)  # both while the first load is still running
    target = dock.current_day()
    qtbot.waitUntil(
        lambda: not dock.is_loading and dock.view.board is not None
        and dock.view.board.days == (target,),
        timeout=5000,
    )  # fmt: skip
    assert target.isoformat() in dock.status.text()
    assert threads and not any(threads)  # never on the GUI thread
    pool.wait()

"""The booking dialog: a new booking, or one booking's form, life cycle and seats.

New: member or walk-in, guests, service, start on the 15-minute grid, duration (the
service's by default), a room or area and a therapist or coach — only those that can do
the service; busy or off-duty ones are listed but disabled with the reason — and notes.
Existing: the same form filled in, the progress (arrived, started, finished, added
time, satisfaction, no-shows), the life-cycle buttons the current state allows, and for
a class or screening its seats.

Every change runs through the task runner as one service call; a refusal puts its
message under the field it names (where it stays until the user edits that field, even
when the day is read again) and saves nothing.  After each change ``changed``
tells the board to refresh, and waitlist notices the change produced are shown.  While
a change is in flight the dialog does not close (the result must not be lost), and Esc
on a form with unsaved input asks first.

A seat of a session opens in a dialog of its own (Enter or a double click on the seat;
its changes and checkout requests go out through the host's signals); a settled booking
offers its receipt again and, for a manager, 反结账.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, PermissionDenied
from clubdesk.i18n import N_, _
from clubdesk.models.enums import BookingState, Satisfaction
from clubdesk.money import format_fen
from clubdesk.services import board, booking_slots, bookings, catalog
from clubdesk.services.board import Board, BoardBlock, BoardResource
from clubdesk.services.booking_rules import TRANSITIONS, BookingConflict, SessionFull
from clubdesk.services.bookings import SEAT_STATES, BookingDetail, BookingDraft, Change, SeatRow
from clubdesk.services.catalog import ServiceRow
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, FieldBox, FieldErrors, confirm
from ui.dialogs.checkout import ReverseDialog, click_at_once, print_receipt
from ui.dialogs.writing import WritingDialog
from ui.errors import show_error
from ui.shortcuts import widget_shortcut
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.member_picker import MemberPicker

Runner = TaskRunner | SyncRunner
Clock = Callable[[], datetime]

GRID_MIN = 15
DURATION_MAX = booking_slots.MAX_MINUTES
NOTES_MAX = bookings.NOTES_MAX
ADD_TIME_CHOICES = (30, 60)
SESSION_WIDTH = 920
SEATS_SHOWN = 5  # the seat table is never shorter than this many rows
DATE_FORMAT = "yyyy-MM-dd ddd"  # 2026-11-24 周二
STATE_COLOURS = {
    BookingState.BOOKED: "#dbeafe",
    BookingState.ARRIVED: "#fef3c7",
    BookingState.IN_SERVICE: "#fde68a",
    BookingState.FINISHED: "#dcfce7",
    BookingState.SETTLED: "#e5e7eb",
    BookingState.CANCELLED: "#f3f4f6",
    BookingState.NO_SHOW: "#fee2e2",
}
NOTICE_STYLE = (
    "background: #fef9c3; color: #713f12; border: 1px solid #facc15; "
    "border-radius: 3px; padding: 4px 6px;"
)
CLOSED_STATES = (BookingState.SETTLED, BookingState.CANCELLED, BookingState.NO_SHOW)
CANCEL_REASONS = (
    N_("临时有事"),
    N_("身体不适"),
    N_("行程变更"),
    N_("改约其他时间"),
    N_("天气原因"),
    N_("重复预约"),
)


# -- the time grid (the waitlist dialog uses it too) --------------------------------------
def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def slot_text(at: datetime, day: date) -> str:
    """ "14:30", or "次日 00:30" for the early hours that belong to ``day``."""
    text = at.strftime("%H:%M")
    return _("次日 {time}").format(time=text) if at.date() > day else text


def fill_times(
    combo: QComboBox,
    day: date,
    window: tuple[datetime, datetime],
    chosen: datetime | None,
    *,
    include_end: bool = False,
) -> None:
    """The 15-minute slots of ``day``'s opening hours; data: minutes after its midnight.
    A ``chosen`` time off the grid (an old booking at 10:05) gets an item of its own."""
    first, last = window
    times: list[datetime] = []
    at = first
    while at + timedelta(minutes=GRID_MIN) <= last or (include_end and at <= last):
        times.append(at)
        at += timedelta(minutes=GRID_MIN)
    if chosen is not None and chosen not in times:
        times.append(chosen)
        times.sort()
    combo.blockSignals(True)
    combo.clear()
    base = day_start(day)
    for at in times:
        combo.addItem(slot_text(at, day), int((at - base).total_seconds() // 60))
    if chosen is not None:
        combo.setCurrentIndex(times.index(chosen))
    combo.blockSignals(False)


def chosen_time(combo: QComboBox, day: date) -> datetime | None:
    data = combo.currentData()
    return None if data is None else day_start(day) + timedelta(minutes=int(data))


def round_up(at: datetime, minutes: int = GRID_MIN) -> datetime:
    at = at.replace(second=0, microsecond=0)
    extra = (-at.minute) % minutes
    return at + timedelta(minutes=extra)


def default_start(now: datetime, opens: time, closes: time) -> datetime:
    """The next free quarter hour of the business day now, or tomorrow's opening."""
    day = booking_slots.business_day(now, opens, closes)
    first, last = booking_slots.span(day, opens, closes)
    at = max(round_up(now), first)
    if at + timedelta(minutes=GRID_MIN) > last:
        at = booking_slots.span(day + timedelta(days=1), opens, closes)[0]
    return at


def next_steps(state: BookingState) -> frozenset[BookingState]:
    """The states a button may move a booking to (booking_rules.TRANSITIONS); settled →
    finished is the manager's 反结账 with a reason, offered by its own button."""
    if state is BookingState.SETTLED:
        return frozenset()
    return TRANSITIONS[state]


def when_text(at: datetime | None) -> str:
    return at.strftime("%m-%d %H:%M") if at is not None else "—"


def _pack_left(box: FieldBox) -> None:
    """Keep a short input (a count, a date) at the left instead of floating mid-row."""
    column = box.layout()
    first = column.itemAt(0) if column is not None else None
    row = first.layout() if first is not None else None
    if isinstance(row, QHBoxLayout):
        row.addStretch(1)


def fit_date_edit(edit: QDateEdit) -> None:
    """Make ``edit`` wide enough for any date in its format, weekday included, so a
    narrow dialog never squeezes the text under the calendar arrow."""
    edit.ensurePolished()
    fm = edit.fontMetrics()
    monday = QDate(2026, 11, 23)  # two-digit days and every weekday name
    text = max(
        fm.horizontalAdvance(edit.locale().toString(monday.addDays(n), edit.displayFormat()))
        for n in range(7)
    )
    option = QStyleOptionComboBox()
    option.initFrom(edit)
    option.editable = True
    needed = edit.style().sizeFromContents(
        QStyle.ContentsType.CT_ComboBox, option, QSize(text + fm.averageCharWidth() + 4, 1), edit
    )
    edit.setMinimumWidth(max(needed.width(), edit.sizeHint().width()))


def fit_rows(table: QTableWidget, rows: int) -> None:
    """At least ``rows`` rows of ``table`` stay visible however small its window gets."""
    table.ensurePolished()
    header = table.horizontalHeader()
    height = 0 if header.isHidden() else header.sizeHint().height()
    height += rows * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth()
    table.setMinimumHeight(height + 2)


def _plain(caption: str) -> str:
    """A caption without its Alt+letter: "房间(&R)：" → "房间：", "&Room:" → "Room:"."""
    text = re.sub(r"\(&[^&]\)", "", caption)
    return re.sub(r"(?<!&)&(?!&)", "", text)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def show_notices(parent: QWidget | None, notices: Iterable[str]) -> None:
    """Tell the counter which waitlisted guests a change made room for; non-blocking."""
    lines = list(notices)
    if not lines:
        return
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(_("候补提醒"))
    box.setText("\n".join(lines))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setModal(False)
    box.show()


# -- small questions ------------------------------------------------------------------------
class ReasonDialog(QDialog):
    """A required reason (cancelling a booking or a seat); 确定 only with some text."""

    def __init__(
        self, parent: QWidget | None, title: str, prompt: str, suggestions: Iterable[str] = ()
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(380)
        layout = QVBoxLayout(self)
        caption = QLabel(prompt, self)
        caption.setWordWrap(True)
        layout.addWidget(caption)
        self.edit = QComboBox(self)
        self.edit.setEditable(True)
        self.edit.addItems(list(suggestions))
        self.edit.setCurrentIndex(-1)
        self.edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = self.edit.lineEdit()
        assert line is not None
        line.setMaxLength(200)
        line.setPlaceholderText(_("必填，例如：临时有事"))
        layout.addWidget(self.edit)
        self.hint = QLabel(_("请填写原因。"), self)
        self.hint.setStyleSheet(f"color: {ERROR_COLOUR};")
        layout.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        self.ok = QPushButton(_("确定"), self)
        self.ok.setDefault(True)
        cancel = QPushButton(_("返回"), self)
        cancel.setAutoDefault(False)
        row.addWidget(self.ok)
        row.addWidget(cancel)
        layout.addLayout(row)
        self.ok.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        self.edit.editTextChanged.connect(lambda _t: self._update())
        self._update()
        self.edit.setFocus()

    def reason(self) -> str:
        return self.edit.currentText().strip()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.reason()))
        self.hint.setVisible(not self.reason())

    def accept(self) -> None:
        if self.reason():  # Enter in an empty field does nothing
            super().accept()


class SatisfactionDialog(QDialog):
    """服务结束: how satisfied was the guest (optional). Keys 1/2/3 (or Alt+1/2/3), 0
    skips, Esc returns.  A choice is taken at once and is final: an Enter typed right
    after Alt+2 does not turn 一般 into the default 满意."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("服务结束"))
        self.choice: Satisfaction | None = None
        self._chosen = False
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("请问客人对这次服务满意吗？（可跳过）"), self))
        row = QHBoxLayout()
        self.buttons: dict[Satisfaction | None, QPushButton] = {}
        for key, value in (
            ("1", Satisfaction.SATISFIED),
            ("2", Satisfaction.AVERAGE),
            ("3", Satisfaction.DISSATISFIED),
            ("0", None),
        ):
            text = label(value) if value is not None else _("跳过")
            button = QPushButton(f"{text}(&{key})", self)
            click_at_once(button)
            button.clicked.connect(lambda _c=False, v=value: self._choose(v))
            row.addWidget(button)
            self.buttons[value] = button
        layout.addLayout(row)
        self.buttons[Satisfaction.SATISFIED].setDefault(True)
        self.buttons[Satisfaction.SATISFIED].setFocus()

    def _choose(self, value: Satisfaction | None) -> None:
        if self._chosen:
            return
        self._chosen = True
        self.choice = value
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        keys = {
            Qt.Key.Key_1: Satisfaction.SATISFIED,
            Qt.Key.Key_2: Satisfaction.AVERAGE,
            Qt.Key.Key_3: Satisfaction.DISSATISFIED,
        }
        if event.key() in keys:
            self._choose(keys[Qt.Key(event.key())])
        elif event.key() == Qt.Key.Key_0:
            self._choose(None)
        else:
            super().keyPressEvent(event)


class AddTimeDialog(QDialog):
    """加钟: 30 or 60 minutes (keys 3 / 6, Enter takes 30)."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("加钟"))
        self.minutes = 0
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("加多长时间？房间和技师须在延长的时间内空闲。"), self))
        row = QHBoxLayout()
        self.buttons: dict[int, QPushButton] = {}
        for minutes in ADD_TIME_CHOICES:
            key = str(minutes)[0]
            button = QPushButton(_("{n} 分钟(&{key})").format(n=minutes, key=key), self)
            click_at_once(button)
            button.clicked.connect(lambda _c=False, m=minutes: self._choose(m))
            row.addWidget(button)
            self.buttons[minutes] = button
        layout.addLayout(row)
        self.buttons[ADD_TIME_CHOICES[0]].setDefault(True)
        self.buttons[ADD_TIME_CHOICES[0]].setFocus()

    def _choose(self, minutes: int) -> None:
        if self.minutes:
            return  # the first choice stands (Alt+6 and a quick Enter: 60)
        self.minutes = minutes
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        for minutes in ADD_TIME_CHOICES:
            if event.text() == str(minutes)[0]:
                self._choose(minutes)
                return
        super().keyPressEvent(event)


def ask_reason(
    parent: QWidget | None, title: str, prompt: str, suggestions: Iterable[str] = ()
) -> str | None:
    dialog = ReasonDialog(parent, title, prompt, suggestions)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    reason = dialog.reason()
    dialog.deleteLater()
    return reason if accepted else None


def ask_satisfaction(parent: QWidget | None) -> tuple[bool, Satisfaction | None]:
    """(go on, the answer or None when skipped); (False, None) when the user went back."""
    dialog = SatisfactionDialog(parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    choice = dialog.choice
    dialog.deleteLater()
    return accepted, choice if accepted else None


def ask_minutes(parent: QWidget | None) -> int | None:
    dialog = AddTimeDialog(parent)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    minutes = dialog.minutes
    dialog.deleteLater()
    return minutes if accepted and minutes else None


# -- loading --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Setup:
    services: list[ServiceRow]
    detail: BookingDetail | None
    board: Board
    day: date
    start_at: datetime


def _load_setup(
    db: Database, booking_id: int | None, start_at: datetime | None, now: datetime
) -> _Setup:
    detail = bookings.detail(db, booking_id) if booking_id is not None else None
    with db.read() as session:
        opens, closes = booking_slots.opening_hours(session)
    start = detail.start_at if detail is not None else start_at
    if start is None:
        start = default_start(now, opens, closes)
    day = booking_slots.business_day(start, opens, closes)
    services = catalog.list_services(db, include_inactive=False)
    return _Setup(services, detail, board.load(db, day), day, start)


def busy_reason(
    resource: BoardResource,
    blocks: Iterable[BoardBlock],
    start: datetime,
    end: datetime,
    own_booking: int | None = None,
) -> str | None:
    """Why ``resource`` cannot take start–end: off duty then (with its shift), or the
    booking in the way."""
    if not resource.works(start, end):
        assert resource.works_from is not None and resource.works_until is not None
        shift = "{start}–{end}".format(
            start=resource.works_from.strftime("%H:%M"),
            end=resource.works_until.strftime("%H:%M"),
        )
        if resource.shift_end(start) is not None:  # on duty at the start, gone before the end
            return _("班次 {shift}，服务结束前已下班").format(shift=shift)
        return _("班次 {shift}，此时不在班").format(shift=shift)
    for block in blocks:
        if block.booking_id == own_booking or block.state not in (
            BookingState.BOOKED,
            BookingState.ARRIVED,
            BookingState.IN_SERVICE,
        ):
            continue
        if block.start_at < end and block.end_at > start:
            return (
                _("已约 {start}–{end} {guest}")
                .format(
                    start=block.start_at.strftime("%H:%M"),
                    end=block.end_at.strftime("%H:%M"),
                    guest=block.guest or block.service,
                )
                .strip()
            )
    return None


# -- the dialog -------------------------------------------------------------------------------
class BookingDialog(WritingDialog):
    """``BookingDialog(db, runner, actor, parent, booking_id=…)`` opens a booking;
    without ``booking_id`` it makes a new one, optionally on ``resource_id`` from
    ``start_at`` to ``end_at`` (a drag on the board), for ``service_id`` and a member
    or walk-in guest (the waitlist's 约上)."""

    changed = Signal(int)  # a booking id: something about it was saved
    created = Signal(int)  # the new booking's id
    checkout_requested = Signal(int)

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: StaffMember | None,
        parent: QWidget | None = None,
        *,
        booking_id: int | None = None,
        resource_id: int | None = None,
        start_at: datetime | None = None,
        end_at: datetime | None = None,
        service_id: int | None = None,
        member_id: int | None = None,
        guest_name: str | None = None,
        notes: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.actor = actor
        self.booking_id = booking_id
        self.clock: Clock = clock or datetime.now
        self._preset_resource = resource_id
        self._preset_start = start_at
        self._preset_end = end_at
        self._preset_service = service_id
        self._preset_member = member_id
        self._preset_guest = guest_name
        self._preset_notes = notes
        self.detail: BookingDetail | None = None
        self.board: Board | None = None
        self.day: date | None = None
        self._services: dict[int, ServiceRow] = {}
        self._resources: dict[int, BoardResource] = {}
        self._blocks: dict[int, list[BoardBlock]] = {}
        self._extra_ids: tuple[int, ...] = ()
        self._loaded: tuple[Any, ...] | None = None
        self._loaded_service: int | None = None
        self._filling = False
        self._working = False  # loading or writing: the buttons wait
        self._shown_once = False
        self.notices: list[str] = []
        self.waitlist_dialog: QDialog | None = None
        self.seat_dialog: BookingDialog | None = None  # the seat opened last
        self.reverse_dialog: ReverseDialog | None = None
        self.can_edit = allowed(actor, Permission.BOOKING_EDIT)
        self.can_checkout = allowed(actor, Permission.CHECKOUT)
        self.can_reverse = allowed(actor, Permission.CHECKOUT_REVERSE)
        self.errors = FieldErrors()
        # Field → the message the last refused save put under it: it stays until the
        # user edits that field (or saves again), whatever reloads in the background.
        self._refused: dict[str, str] = {}

        self.setWindowTitle(_("新预约") if booking_id is None else _("预约详情"))
        self.setMinimumWidth(560)
        self._build()
        self._connect()
        self._set_loading(True)
        self._load()

    # -- building ------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        self.heading = QLabel(self)
        self.heading.setObjectName("bookingHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.heading)

        body = QHBoxLayout()
        body.setSpacing(12)
        outer.addLayout(body, 1)
        left = QVBoxLayout()
        left.setSpacing(8)
        body.addLayout(left, 3)

        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        left.addLayout(self.form)

        self.picker = MemberPicker(self.db, self.runner, self)
        self.guest_box = self._field("guest", _("客人(&G)："), self.picker)
        self.count = QSpinBox(self)
        self.count.setRange(1, 50)
        self.count.setSuffix(_(" 位"))
        self.count.setMaximumWidth(90)
        self.count_box = self._field("guest_count", _("人数："), self.count)
        _pack_left(self.count_box)

        self.service = QComboBox(self)
        self.service.setMinimumContentsLength(14)
        self.price = QLabel(self)
        self.price.setStyleSheet("color: #374151;")
        self.service_box = self._field("service", _("服务项目(&V)："), self.service, [self.price])

        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat(DATE_FORMAT)
        fit_date_edit(self.date)
        self.time = QComboBox(self)
        self.time.setMinimumContentsLength(9)
        self.start_box = self._field("start_at", _("开始(&D)："), self.date, [self.time])
        _pack_left(self.start_box)

        self.duration = QSpinBox(self)
        self.duration.setRange(0, DURATION_MAX)
        self.duration.setSingleStep(GRID_MIN)
        self.duration.setSuffix(_(" 分钟"))
        self.duration.setMaximumWidth(110)
        self.end_label = QLabel(self)
        self.duration_box = self._field("end_at", _("时长(&L)："), self.duration, [self.end_label])
        _pack_left(self.duration_box)

        self.room = QComboBox(self)
        self.room.setMinimumContentsLength(24)
        self.room_box = self._field("room", _("房间/区域(&R)："), self.room)
        self.staff = QComboBox(self)
        self.staff.setMinimumContentsLength(24)
        self.staff_box = self._field("staff", _("技师/教练(&P)："), self.staff)

        self.notes = QLineEdit(self)
        self.notes.setMaxLength(NOTES_MAX)
        self.notes.setPlaceholderText(_("选填，如：力度轻一些"))
        self.notes_box = self._field("notes", _("备注(&M)："), self.notes)
        self._captions = {
            box: caption
            for box, caption in (
                (self.guest_box, _("客人(&G)：")),
                (self.service_box, _("服务项目(&V)：")),
                (self.start_box, _("开始(&D)：")),
                (self.duration_box, _("时长(&L)：")),
                (self.room_box, _("房间/区域(&R)：")),
                (self.staff_box, _("技师/教练(&P)：")),
                (self.notes_box, _("备注(&M)：")),
            )
        }
        # A class or screening is created as a session; its guests book seats in it.
        self.session_hint = QLabel(_("团课和场次先建场次：保存后在场次里为每位客人订座。"), self)
        self.session_hint.setObjectName("sessionHint")
        self.session_hint.setWordWrap(True)
        self.session_hint.setStyleSheet("color: #1f3a5f;")
        self.session_hint.hide()
        left.addWidget(self.session_hint)

        # Existing bookings: progress and the life-cycle buttons.
        self.progress = QLabel(self)
        self.progress.setObjectName("bookingProgress")
        self.progress.setTextFormat(Qt.TextFormat.RichText)
        self.progress.setWordWrap(True)
        self.progress.setStyleSheet(
            "background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 3px; padding: 6px;"
        )
        left.addWidget(self.progress)
        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(6)
        self.arrive_button = self._action(_("到店(&A)"), self._arrive)
        self.start_button = self._action(_("开始服务(&S)"), self._start)
        self.finish_button = self._action(_("服务结束(&E)"), self._finish)
        self.add_time_button = self._action(_("加钟(&T)"), self._add_time)
        self.checkout_button = self._action(_("结账(&K)"), self._checkout)
        self.cancel_button = self._action(_("取消预约(&X)"), self._cancel)
        self.no_show_button = self._action(_("爽约(&N)"), self._no_show)
        # A settled booking: the receipt again, and the manager's 反结账.
        self.print_button = self._action(_("打印小票(&R)"), self._print_receipt)
        self.reverse_button = self._action(_("反结账(&V)…"), self._reverse)
        if not self.can_reverse:
            self.reverse_button.setToolTip(_("反结账须由经理办理，请联系经理。"))
        self.action_row.addStretch(1)
        left.addLayout(self.action_row)
        left.addStretch(1)

        # Sessions (classes, screenings): the seats.
        self.seats_box = QGroupBox(_("座位"), self)
        seats = QVBoxLayout(self.seats_box)
        self.seat_count = QLabel(self.seats_box)
        self.seat_count.setObjectName("seatCount")
        seats.addWidget(self.seat_count)
        self.seat_table = QTableWidget(0, 2, self.seats_box)
        self.seat_table.setHorizontalHeaderLabels([_("客人"), _("状态")])
        self.seat_table.verticalHeader().setVisible(False)
        self.seat_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.seat_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.seat_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.seat_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.seat_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents
        )
        self.seat_table.setMinimumWidth(300)
        self.seat_table.verticalHeader().setDefaultSectionSize(24)
        fit_rows(self.seat_table, SEATS_SHOWN)
        seats.addWidget(self.seat_table, 1)
        # The selected seat's next steps (the table: Enter or a double click opens it).
        seat_steps = QHBoxLayout()
        self.seat_arrive = self._seat_button(_("到店"), seat_steps)
        self.seat_start = self._seat_button(_("开始"), seat_steps)
        self.seat_finish = self._seat_button(_("结束"), seat_steps)
        self.seat_checkout = self._seat_button(_("结账"), seat_steps)
        seat_steps.addStretch(1)
        seats.addLayout(seat_steps)
        seat_actions = QHBoxLayout()
        self.seat_open = self._seat_button(_("座位详情…"), seat_actions)
        self.seat_cancel = self._seat_button(_("取消座位"), seat_actions)
        self.seat_no_show = self._seat_button(_("座位爽约"), seat_actions)
        seat_actions.addStretch(1)
        seats.addLayout(seat_actions)
        self.seat_picker = MemberPicker(self.db, self.runner, self.seats_box, own_enter=True)
        self.seat_picker.walk_in_box.setText(_("散客"))
        seats.addWidget(self.seat_picker)
        seat_row = QHBoxLayout()
        self.reserve_button = QPushButton(_("订座(&O)"), self.seats_box)
        self.reserve_button.setAutoDefault(False)
        self.seat_waitlist_button = QPushButton(_("登记候补(&Q)"), self.seats_box)
        self.seat_waitlist_button.setAutoDefault(False)
        click_at_once(self.reserve_button, self.seat_waitlist_button)
        seat_row.addWidget(self.reserve_button)
        seat_row.addWidget(self.seat_waitlist_button)
        seat_row.addStretch(1)
        seats.addLayout(seat_row)
        self.seat_status = QLabel(self.seats_box)
        self.seat_status.setWordWrap(True)
        seats.addWidget(self.seat_status)
        self.seats_box.hide()
        body.addWidget(self.seats_box, 2)

        self.notice = QLabel(self)
        self.notice.setObjectName("bookingNotices")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.hide()
        outer.addWidget(self.notice)
        self.status = QLabel(self)
        self.status.setObjectName("bookingStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(20)
        outer.addWidget(self.status)

        buttons = QHBoxLayout()
        # A new booking whose time is taken: put the guest on the waitlist instead.
        self.waitlist_button = QPushButton(_("约满了？登记候补(&Q)"), self)
        self.waitlist_button.setAutoDefault(False)
        self.waitlist_button.setVisible(self.booking_id is None)
        click_at_once(self.waitlist_button)
        buttons.addWidget(self.waitlist_button)
        buttons.addStretch(1)
        self.save_button = QPushButton(_("保存"), self)
        self.save_button.setDefault(True)
        self.close_button = QPushButton(_("关闭"), self)
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)

    def _field(
        self, name: str, caption: str, widget: QWidget, extra: Iterable[QWidget] = ()
    ) -> FieldBox:
        box = self.errors.add(name, FieldBox(widget, self, extra))
        self.form.addRow(caption, box)
        return box

    def _action(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        click_at_once(button)  # Alt+letter acts now, before a quick Enter reaches 保存
        button.clicked.connect(slot)
        button.hide()
        self.action_row.addWidget(button)
        return button

    def _seat_button(self, text: str, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self.seats_box)
        button.setAutoDefault(False)
        row.addWidget(button)
        return button

    def _connect(self) -> None:
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        self.service.currentIndexChanged.connect(self._service_changed)
        self.date.dateChanged.connect(self._date_changed)
        self.time.currentIndexChanged.connect(lambda _i: self._times_changed())
        self.duration.valueChanged.connect(lambda _v: self._times_changed())
        # The fills block the combos' signals: a change seen here is the user's.
        self.room.currentIndexChanged.connect(lambda _i: self._edited("room"))
        self.staff.currentIndexChanged.connect(lambda _i: self._edited("staff"))
        self.picker.member_changed.connect(self._member_changed)
        self.picker.edit.textEdited.connect(lambda _t: self._edited("guest"))
        self.picker.walk_in_box.toggled.connect(lambda _on: self._edited("guest"))
        self.count.valueChanged.connect(self._count_changed)
        self.notes.textEdited.connect(lambda _t: self._unpin("notes"))
        self.seat_picker.entered.connect(self._reserve_seat)
        self.reserve_button.clicked.connect(self._reserve_seat)
        self.seat_waitlist_button.clicked.connect(lambda: self.open_waitlist())
        self.waitlist_button.clicked.connect(lambda: self.open_waitlist())
        self.seat_arrive.clicked.connect(self._seat_arrive)
        self.seat_start.clicked.connect(self._seat_start)
        self.seat_finish.clicked.connect(self._seat_finish)
        self.seat_checkout.clicked.connect(self._seat_checkout)
        self.seat_open.clicked.connect(self.open_seat)
        self.seat_cancel.clicked.connect(self._seat_cancel)
        self.seat_no_show.clicked.connect(self._seat_no_show)
        self.seat_table.itemSelectionChanged.connect(self._update_seat_buttons)
        self.seat_table.doubleClicked.connect(lambda _index: self.open_seat())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(self.seat_table, key, self.open_seat)

    # -- loading -------------------------------------------------------------------
    def _load(self) -> None:
        db, booking_id, start, now = self.db, self.booking_id, self._preset_start, self.clock()
        self.runner.submit(
            lambda: _load_setup(db, booking_id, start, now), self._set_up, self._load_failed
        )

    def _load_failed(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._set_loading(False)
        self.save_button.setEnabled(False)
        self.set_status(getattr(exc, "message", "") or _("加载失败"), ERROR_COLOUR)
        if not isinstance(exc, ClubDeskError):
            show_error(self, exc)

    def _set_loading(self, loading: bool) -> None:
        self._working = loading
        if loading:
            self.set_status(_("正在加载…"))
        self.save_button.setEnabled(not loading and self._save_allowed())
        for button in self._action_buttons():
            button.setEnabled(not loading and self._may(button))

    def _set_up(self, setup: _Setup) -> None:
        if not self.alive():
            return
        self._services = {s.id: s for s in setup.services}
        self.detail = setup.detail
        self._filling = True
        try:
            self._take_board(setup.board, setup.day)
            self._fill_services()
            self.date.setDate(QDate(setup.day.year, setup.day.month, setup.day.day))
            self._fill_times(setup.start_at)
            self._fill_duration()
            self._fill_guest()
            self._fill_resources(self._initial_resources())
        finally:
            self._filling = False
        self._update_end()
        self._warn_selected()
        self._show_refused()  # filling the date and duration cleared their boxes
        self._loaded = self._expected_values()
        self._loaded_service = self.service_id()
        self._set_loading(False)
        if self.status.text() == _("正在加载…"):
            self.set_status("")
        self._show_state()
        self._apply_editability()
        if self.detail is not None and self.detail.is_session and self.picker.edit.hasFocus():
            self.seat_picker.edit.setFocus(Qt.FocusReason.OtherFocusReason)  # take the seats

    def _take_board(self, loaded: Board, day: date) -> None:
        self.board, self.day = loaded, day
        self._resources = {r.id: r for r in loaded.resources}
        self._blocks = {}
        for block in loaded.blocks:
            self._blocks.setdefault(block.resource_id, []).append(block)

    def _fill_services(self) -> None:
        detail = self.detail
        able: set[int] = set()
        preset = self._resources.get(self._preset_resource or -1)
        for resource in self._resources.values():
            able |= resource.service_ids
        if preset is not None:
            able &= preset.service_ids
        self.service.clear()
        for row in self._services.values():
            if row.id in able:
                self.service.addItem(row.name, row.id)
        if detail is not None and self.service.findData(detail.service_id) < 0:
            self.service.addItem(detail.service, detail.service_id)  # since deactivated
        wanted = detail.service_id if detail is not None else self._preset_service
        index = self.service.findData(wanted) if wanted is not None else -1
        self.service.setCurrentIndex(max(index, 0) if self.service.count() else -1)
        self._update_price()

    def _fill_times(self, start: datetime) -> None:
        assert self.board is not None and self.day is not None
        fill_times(self.time, self.day, self.board.window(self.day), start)

    def _fill_duration(self) -> None:
        detail = self.detail
        if detail is not None:
            minutes = int((detail.end_at - detail.start_at).total_seconds() // 60)
        elif self._preset_start is not None and self._preset_end is not None:
            minutes = int((self._preset_end - self._preset_start).total_seconds() // 60)
        else:
            minutes = self._service_minutes()
        self.duration.setValue(max(0, min(DURATION_MAX, minutes)))

    def _fill_guest(self) -> None:
        detail = self.detail
        if detail is not None:
            self.count.setValue(detail.guest_count)
            self.notes.setText(detail.notes)
            member_id, guest = detail.member_id, detail.guest_name
        else:
            self.notes.setText(self._preset_notes or "")
            member_id, guest = self._preset_member, self._preset_guest
        if member_id is not None:
            self.picker.load_member(member_id)
        elif guest:
            self.picker.set_walk_in(guest)
        else:
            self.picker.clear()

    def _initial_resources(self) -> tuple[int, ...]:
        if self.detail is not None:
            return self.detail.resource_ids
        return (self._preset_resource,) if self._preset_resource is not None else ()

    # -- the form's values ---------------------------------------------------------
    def service_id(self) -> int | None:
        data = self.service.currentData()
        return int(data) if data is not None else None

    def span(self) -> tuple[datetime, datetime] | None:
        if self.day is None:
            return None
        start = chosen_time(self.time, self.day)
        if start is None:
            return None
        return start, start + timedelta(minutes=self.duration.value())

    def resource_ids(self) -> tuple[int, ...]:
        chosen = [c.currentData() for c in (self.room, self.staff)]
        ids = tuple(int(x) for x in chosen if x is not None)
        return ids + tuple(x for x in self._extra_ids if x not in ids)

    def _values(self) -> tuple[Any, ...]:
        return (
            self.span(),
            frozenset(self.resource_ids()),
            self.picker.member_id(),
            self.picker.guest_name(),
            self.count.value(),
            self.notes.text().strip(),
        )

    def _expected_values(self) -> tuple[Any, ...]:
        """The values as loaded: the picker may still be reading the member."""
        detail = self.detail
        if detail is None:
            values = self._values()
            if self._preset_member is not None:
                return (*values[:2], self._preset_member, None, *values[4:])
            return values
        guest = None if detail.member_id is not None else detail.guest_name
        return (
            self.span(),
            frozenset(self.resource_ids()),
            detail.member_id,
            guest,
            detail.guest_count,
            detail.notes.strip(),
        )

    def is_dirty(self) -> bool:
        """Input that is not saved: an existing booking changed, or a new one filled in
        beyond what it was opened with (a member typed but not yet picked counts)."""
        if self._loaded is None:
            return False
        if self.picker.typed_unpicked():
            return True
        if self.detail is None and self.service_id() != self._loaded_service:
            return True
        return self._values() != self._loaded

    def seated_service(self) -> bool:
        """The chosen service is a class or screening: booked as a session with seats."""
        row = self._services.get(self.service_id() or -1)
        if row is not None:
            return row.capacity is not None
        return self.detail is not None and self.detail.capacity is not None

    def _service_minutes(self) -> int:
        row = self._services.get(self.service_id() or -1)
        if row is not None:
            return row.duration_min
        return self.detail.duration_min if self.detail is not None else 60

    # -- reacting to edits ---------------------------------------------------------
    def _service_changed(self, _index: int) -> None:
        self._update_price()
        self._show_guest_rows()
        if self._filling:
            return
        self._edited("service")
        self.duration.blockSignals(True)
        self.duration.setValue(self._service_minutes())
        self.duration.blockSignals(False)
        self._times_changed()

    def _show_guest_rows(self) -> None:
        """A session has no guest of its own: a new one hides who and how many, and
        the hint says the guests book seats once it is saved."""
        if self.detail is not None:
            seated = self.detail.is_session
            self.session_hint.hide()
        else:
            seated = self.seated_service()
            self.session_hint.setVisible(seated)
        for box in (self.guest_box, self.count_box):
            self.form.setRowVisible(box, not seated)
        if seated:
            self.guest_box.clear_error()
            self.count_box.clear_error()

    def _update_price(self) -> None:
        row = self._services.get(self.service_id() or -1)
        if row is None:
            self.price.setText("")
            return
        text = _("{price} · {n} 分钟").format(
            price=format_fen(row.list_price_fen), n=row.duration_min
        )
        if row.capacity:
            text = _("{text} · {seats} 座").format(text=text, seats=row.capacity)
        self.price.setText(text)

    def _date_changed(self, qdate: QDate) -> None:
        if self._filling:
            return
        self._edited("start_at", "room", "staff")  # another day: the rooms are free or not
        day = qdate.toPython()
        assert isinstance(day, date)
        keep = self.time.currentData()
        db = self.db
        self.runner.submit(
            lambda: board.load(db, day),
            lambda loaded: self._day_loaded(loaded, day, keep),
            lambda exc: show_error(self, exc) if self.alive() else None,
        )

    def _day_loaded(self, loaded: Board, day: date, keep: Any) -> None:
        if not self.alive() or day != self.date.date().toPython():
            return  # the date was changed again while this day was being read
        keep_ids = self.resource_ids()
        self._filling = True
        try:
            self._take_board(loaded, day)
            first = loaded.window(day)[0]
            start = day_start(day) + timedelta(minutes=int(keep)) if keep is not None else first
            window = loaded.window(day)
            if not window[0] <= start < window[1]:
                start = first
            self._fill_times(start)
            self._fill_resources(keep_ids)
        finally:
            self._filling = False
        self._refit()

    def _times_changed(self) -> None:
        """The user changed the start or the duration: what was refused for the old
        time (the slot, a room or therapist busy then) no longer applies."""
        if self._filling:
            return
        for name in ("start_at", "end_at", "room", "staff"):
            self._refused.pop(name, None)
        self._refit()

    def _refit(self) -> None:
        """The end and the room and staff lists for the times on the form (after an
        edit, or the day read again); a refused save's messages stay."""
        for name in ("start_at", "end_at"):
            if name not in self._refused:
                self.errors.boxes[name].clear_error()
        self._update_end()
        self._fill_resources(self.resource_ids())
        self._show_refused()

    def _update_end(self) -> None:
        span = self.span()
        if span is None or self.day is None:
            self.end_label.setText("")
            return
        self.end_label.setText(_("至 {end}").format(end=slot_text(span[1], self.day)))

    def _fill_resources(self, keep: Iterable[int]) -> None:
        keep = tuple(keep)
        service_id = self.service_id()
        span = self.span()
        own = self.detail.id if self.detail is not None else None
        names: dict[int, str] = {}
        if self.detail is not None:
            names = dict(zip(self.detail.resource_ids, self.detail.resources, strict=True))
        placed: set[int] = set()
        for combo, people in ((self.room, False), (self.staff, True)):
            current = next(
                (
                    i
                    for i in keep
                    if i not in placed
                    and (self._resources[i].is_person if i in self._resources else False) == people
                ),
                None,
            )
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(_("（不选）"), None)
            for resource in self._resources.values():
                if resource.is_person != people:
                    continue
                if service_id is not None and service_id not in resource.service_ids:
                    continue
                why = None
                if span is not None and span[1] > span[0]:
                    why = busy_reason(
                        resource, self._blocks.get(resource.id, ()), span[0], span[1], own
                    )
                self._add_resource_item(combo, resource.id, resource.name, why)
            if current is not None and combo.findData(current) < 0:
                # Kept although the service no longer fits it: the save says why.
                name = names.get(current) or (
                    self._resources[current].name if current in self._resources else str(current)
                )
                self._add_resource_item(combo, current, name, _("不能做此项目"))
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
            if current is not None and index >= 0:
                placed.add(current)
            combo.blockSignals(False)
        # Resources held beyond one room and one person stay with the booking.
        self._extra_ids = tuple(
            i for i in (self.detail.resource_ids if self.detail else ()) if i not in placed
        )
        self._warn_selected()

    def _add_resource_item(
        self, combo: QComboBox, resource_id: int, name: str, why: str | None
    ) -> None:
        if why is None:
            combo.addItem(name, resource_id)
            return
        combo.addItem(_("{name}（{why}）").format(name=name, why=why), resource_id)
        index = combo.count() - 1
        combo.setItemData(index, why, Qt.ItemDataRole.ToolTipRole)
        combo.setItemData(index, why, Qt.ItemDataRole.UserRole + 1)
        model = combo.model()
        item = model.item(index) if hasattr(model, "item") else None
        if item is not None:
            item.setEnabled(False)

    def _warn_selected(self) -> None:
        """Mark a chosen room or therapist that cannot take the time; the message of a
        refused save about it wins until the user changes it."""
        for name, combo, box in (
            ("room", self.room, self.room_box),
            ("staff", self.staff, self.staff_box),
        ):
            why = combo.itemData(combo.currentIndex(), Qt.ItemDataRole.UserRole + 1)
            refused = self._refused.get(name)
            if refused is not None:
                box.show_error(refused)
            elif why and self._times_editable():
                box.show_error(_("这个时间不可用：{why}").format(why=why))
            else:
                box.clear_error()

    def _count_changed(self, _value: int) -> None:
        if not self._filling:  # the user's, not a reload's
            self._unpin("guest_count")

    def _unpin(self, *names: str) -> None:
        for name in names:
            self._refused.pop(name, None)

    def _edited(self, *names: str) -> None:
        """The user changed these fields: their old messages go."""
        if self._filling:
            return  # a reload filling the form, not the user
        self._unpin(*names)
        for name in names:
            if name not in ("room", "staff"):
                self.errors.boxes[name].clear_error()
        if "room" in names or "staff" in names:
            self._warn_selected()  # the local reason for the new choice, if any

    def _show_refused(self) -> None:
        """Put the last refused save's messages back under their fields (a reload of
        the booking or the day may have cleared them)."""
        for name, message in self._refused.items():
            box = self.errors.boxes.get(name)
            if box is not None and box.error_text() != message:
                box.show_error(message)

    def _member_changed(self, member_id: object) -> None:
        if not isinstance(member_id, int):
            return
        db = self.db
        self.runner.submit(
            lambda: bookings.no_show_count(db, member_id),
            lambda n: self._show_no_shows(member_id, n),
            lambda _exc: None,
        )

    def _show_no_shows(self, member_id: int, count: int) -> None:
        if self.alive() and self.picker.member_id() == member_id and count:
            self.picker.set_note(_("爽约 {n} 次").format(n=count))

    # -- state and buttons ---------------------------------------------------------
    def _action_buttons(self) -> list[QPushButton]:
        return [
            self.arrive_button,
            self.start_button,
            self.finish_button,
            self.add_time_button,
            self.checkout_button,
            self.cancel_button,
            self.no_show_button,
            self.print_button,
            self.reverse_button,
        ]

    def _may(self, button: QPushButton) -> bool:
        """Whether the acting staff member may use ``button`` at all."""
        if button is self.checkout_button:
            return self.can_checkout
        if button is self.reverse_button:
            return self.can_reverse
        if button is self.print_button:
            return True
        return self.can_edit

    def _times_editable(self) -> bool:
        detail = self.detail
        if detail is None:
            return True
        return detail.session_id is None and detail.state in (
            BookingState.BOOKED,
            BookingState.ARRIVED,
            BookingState.IN_SERVICE,
        )

    def _guest_editable(self) -> bool:
        return self.detail is None or self.detail.state not in CLOSED_STATES

    def _apply_editability(self) -> None:
        detail = self.detail
        times = self.can_edit and self._times_editable()
        guest = self.can_edit and self._guest_editable()
        self.service.setEnabled(self.can_edit and detail is None)
        self.date.setEnabled(times and not (detail and detail.state is BookingState.IN_SERVICE))
        self.time.setEnabled(self.date.isEnabled())
        self.duration.setEnabled(times)
        self.room.setEnabled(times)
        self.staff.setEnabled(times)
        self.picker.set_read_only(not guest)
        self.count.setEnabled(guest)
        self.notes.setReadOnly(not guest)
        self.save_button.setEnabled(self._save_allowed())
        self._sync_mnemonics()
        if not self.can_edit:
            self.set_status(_("您的账号没有预约权限，只能查看。"))

    def _sync_mnemonics(self) -> None:
        """A field that cannot be edited gives up its Alt+letter, which then belongs to
        a button alone (打印小票 Alt+R, 反结账 Alt+V on a settled booking)."""
        widgets = {
            self.guest_box: self.picker.walk_in_box,
            self.service_box: self.service,
            self.start_box: self.date,
            self.duration_box: self.duration,
            self.room_box: self.room,
            self.staff_box: self.staff,
            self.notes_box: self.notes,
        }
        for box, caption in self._captions.items():
            caption_label = self.form.labelForField(box)
            if not isinstance(caption_label, QLabel):
                continue
            enabled = widgets[box].isEnabled()
            caption_label.setText(caption if enabled else _plain(caption))

    def _show_state(self) -> None:
        detail = self.detail
        for button in self._action_buttons():
            button.hide()
        self._show_guest_rows()  # a class or screening is for nobody: its guests are seats
        if detail is None:
            title = _html(_("新预约"))
            self.heading.setText(f"<b style='font-size:15px'>{title}</b>")
            self.progress.hide()
            self.seats_box.hide()
            return
        colour = STATE_COLOURS.get(detail.state, "#f3f4f6")
        kind = _("座位") if detail.session_id is not None else _("预约")
        if detail.is_session:
            kind = _("场次")
        title = _html(_("{kind} #{id}").format(kind=kind, id=detail.id))
        state = _html(label(detail.state))
        walk_in = _html(_("散客到店")) if detail.walk_in else ""
        self.heading.setText(
            f"<b style='font-size:15px'>{title}</b>&nbsp;&nbsp;"
            f"<span style='background:{colour};'>&nbsp;{state}&nbsp;</span>&nbsp;&nbsp;{walk_in}"
        )
        self.setWindowTitle(_("预约 #{id} — {guest}").format(id=detail.id, guest=detail.guest))
        self.progress.setText(self._progress_html(detail))
        self.progress.show()
        legal = next_steps(detail.state)
        settled = detail.checkout_id is not None
        shown = {
            self.arrive_button: BookingState.ARRIVED in legal,
            self.start_button: BookingState.IN_SERVICE in legal,
            self.finish_button: BookingState.FINISHED in legal,
            self.add_time_button: detail.state in (BookingState.ARRIVED, BookingState.IN_SERVICE),
            # A session is not paid as a whole: each seat is settled on its own.
            self.checkout_button: BookingState.SETTLED in legal and not detail.is_session,
            self.cancel_button: BookingState.CANCELLED in legal,
            self.no_show_button: BookingState.NO_SHOW in legal and not detail.is_session,
            self.print_button: settled,
            self.reverse_button: settled,
        }
        for button, visible in shown.items():
            button.setVisible(visible)
            button.setEnabled(not self._working and self._may(button))
        if detail.is_session:
            self._show_seats(detail)
            self.seats_box.show()
            outer = self.layout()
            needed = outer.totalMinimumSize().width() if outer is not None else 0
            width = max(SESSION_WIDTH, needed)  # a large font needs more than the usual
            self.setMinimumWidth(width)
            if self.width() < width:
                self.resize(width, self.height())
        else:
            self.seats_box.hide()

    def _progress_html(self, detail: BookingDetail) -> str:
        def item(caption: str, value: str) -> str:
            # One fact never breaks over two lines: spaces inside it do not wrap.
            return f"{_html(caption)} <b>{_html(value)}</b>".replace(" ", "&nbsp;")

        first = [
            item(_("到店"), when_text(detail.arrived_at)),
            item(_("开始服务"), when_text(detail.service_started_at)),
            item(_("服务结束"), when_text(detail.finished_at)),
        ]
        if detail.state is BookingState.IN_SERVICE and detail.service_started_at is not None:
            minutes = max(0, int((self.clock() - detail.service_started_at).total_seconds() // 60))
            first.append(item(_("已服务"), _("{n} 分钟").format(n=minutes)))
        second = []
        if detail.added_minutes:
            second.append(item(_("已加钟"), _("{n} 分钟").format(n=detail.added_minutes)))
        if detail.satisfaction is not None:
            second.append(item(_("满意度"), label(detail.satisfaction)))
        if detail.settled_at is not None:
            second.append(item(_("结账"), when_text(detail.settled_at)))
        if detail.cancel_reason:
            second.append(item(_("原因"), detail.cancel_reason))
        if detail.member_id is not None:
            shows = _("爽约 {n} 次").format(n=detail.member_no_shows)
            colour = ERROR_COLOUR if detail.member_no_shows else "#374151"
            shows = _html(shows).replace(" ", "&nbsp;")
            whose = _html(_("该会员"))
            second.append(f"{whose}&nbsp;<b style='color:{colour}'>{shows}</b>")
        second.append(item(_("标价"), format_fen(detail.list_price_fen)))
        gap = "&nbsp;&nbsp;&nbsp;"
        return gap.join(first) + "<br>" + gap.join(second)

    def _show_seats(self, detail: BookingDetail) -> None:
        taken = [s for s in detail.seats if s.state in SEAT_STATES]
        capacity = detail.capacity or 0
        full = len(taken) >= capacity
        text = _("已订 {taken} / {capacity} 座").format(taken=len(taken), capacity=capacity)
        if full:
            text = _("{text}（已满，可登记候补）").format(text=text)
        self.seat_count.setText(text)
        self.seat_count.setStyleSheet(f"color: {ERROR_COLOUR};" if full else "")
        keep = self.selected_seat()
        self.seat_table.blockSignals(True)
        self.seat_table.clearSelection()
        self.seat_table.setRowCount(len(detail.seats))
        for row, seat in enumerate(detail.seats):
            guest = QTableWidgetItem(seat.guest or _("（未填姓名）"))
            guest.setData(Qt.ItemDataRole.UserRole, seat.booking_id)
            state = QTableWidgetItem(label(seat.state))
            if seat.state not in SEAT_STATES:
                guest.setForeground(Qt.GlobalColor.gray)
                state.setForeground(Qt.GlobalColor.gray)
            self.seat_table.setItem(row, 0, guest)
            self.seat_table.setItem(row, 1, state)
        self.seat_table.blockSignals(False)
        if keep is not None:  # the seat just acted on stays selected for its next step
            again = next(
                (n for n, s in enumerate(detail.seats) if s.booking_id == keep.booking_id), None
            )
            if again is not None:
                self.seat_table.selectRow(again)
        open_ = self.can_edit and detail.state in (BookingState.BOOKED, BookingState.ARRIVED)
        self.reserve_button.setEnabled(open_ and not full)
        self.seat_waitlist_button.setEnabled(self.can_edit and full)
        self.seat_picker.setEnabled(open_)
        self._update_seat_buttons()

    def selected_seat(self) -> SeatRow | None:
        if self.detail is None:
            return None
        rows = self.seat_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.seat_table.item(rows[0].row(), 0)
        seat_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((s for s in self.detail.seats if s.booking_id == seat_id), None)

    def _update_seat_buttons(self) -> None:
        """The selected seat's legal next steps (booking_rules.TRANSITIONS)."""
        seat = self.selected_seat()
        state = seat.state if seat is not None else None
        legal = next_steps(state) if state is not None else frozenset()
        edit = self.can_edit and not self._working
        steps = {
            self.seat_arrive: edit and BookingState.ARRIVED in legal,
            self.seat_start: edit and BookingState.IN_SERVICE in legal,
            self.seat_finish: edit and BookingState.FINISHED in legal,
            self.seat_checkout: self.can_checkout and BookingState.SETTLED in legal,
            self.seat_cancel: edit and BookingState.CANCELLED in legal,
            self.seat_no_show: edit and BookingState.NO_SHOW in legal,
            self.seat_open: seat is not None,
        }
        for button, enabled in steps.items():
            button.setEnabled(enabled)

    # -- keyboard ------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        if not self._shown_once:
            self._shown_once = True
            fit_date_edit(self.date)  # now with the fonts and style it is shown in
            fit_rows(self.seat_table, SEATS_SHOWN)
            chain: list[QWidget] = [
                self.picker.edit,
                self.picker.walk_in_box,
                self.count,
                self.service,
                self.date,
                self.time,
                self.duration,
                self.room,
                self.staff,
                self.notes,
                *self._action_buttons(),
                self.seat_table,
                self.seat_arrive,
                self.seat_start,
                self.seat_finish,
                self.seat_checkout,
                self.seat_open,
                self.seat_cancel,
                self.seat_no_show,
                self.seat_picker.edit,
                self.seat_picker.walk_in_box,
                self.reserve_button,
                self.seat_waitlist_button,
                self.waitlist_button,
                self.save_button,
                self.close_button,
            ]
            for first, second in pairwise(chain):
                QWidget.setTabOrder(first, second)
            session = self.detail is not None and self.detail.is_session
            start: QWidget = self.seat_picker.edit if session else self.picker.edit
            if not session and not self.form.isRowVisible(self.guest_box):
                start = self.service  # a new class or screening has no guest to name
            start.setFocus(Qt.FocusReason.TabFocusReason)
        super().showEvent(event)

    # -- saving --------------------------------------------------------------------
    def save(self) -> None:
        if self._working or not self.save_button.isEnabled():
            return
        self._refused.clear()
        self.errors.clear()
        self._warn_selected()  # a busy room or therapist stays marked
        self.set_status("")
        seated = self.detail is None and self.seated_service()
        if self.picker.typed_unpicked() and not seated:
            self.show_field_error(
                "guest", _("请在列表中选择会员（↓ 回车），或勾选“散客”填写姓名。")
            )
            return
        if self.detail is None:
            work = self._create_work()
        else:
            if not self.is_dirty():
                self.accept()
                return
            work = self._update_work(self.detail)
        if work is None:
            return
        self._busy(True, _("正在保存…"))
        self.runner.submit(work, self._saved, self._failed)

    def _create_work(self) -> Callable[[], Change] | None:
        span = self.span()
        service_id = self.service_id()
        if service_id is None:
            self.show_field_error("service", _("请选择服务项目。"))
            return None
        if span is None:
            self.show_field_error("start_at", _("请选择开始时间。"))
            return None
        seated = self.seated_service()  # a session: its guests book seats afterwards
        draft = BookingDraft(
            service_id=service_id,
            start_at=span[0],
            end_at=span[1],
            resource_ids=self.resource_ids(),
            member_id=None if seated else self.picker.member_id(),
            guest_name=None if seated else self.picker.guest_name(),
            guest_count=1 if seated else self.count.value(),
            notes=self.notes.text(),
        )
        db, actor, now = self.db, self.actor, self.clock()
        return lambda: bookings.create(db, actor, draft, at=now)

    def _update_work(self, detail: BookingDetail) -> Callable[[], Change] | None:
        """One ``bookings.edit`` call: times, rooms, guest and notes kept whole or not
        at all.  Times and rooms that did not change go as they were loaded, so the
        core only reschedules a booking that was really moved."""
        assert self._loaded is not None
        span = self.span()
        if span is None:
            self.show_field_error("start_at", _("请选择开始时间。"))
            return None
        ids = self.resource_ids()
        moved = self._times_editable() and (span, frozenset(ids)) != self._loaded[:2]
        values = self._values()
        if not self._guest_editable():
            values = self._loaded
        if values[2] is None and values[3] is None and not detail.is_session:
            self.show_field_error("guest", _("请选择会员或填写散客姓名。"))
            return None
        if not moved:
            span, ids = (detail.start_at, detail.end_at), detail.resource_ids
        db, actor, now, booking_id = self.db, self.actor, self.clock(), detail.id
        version = detail.version
        member_id, guest, count, notes = values[2], values[3], values[4], values[5]

        def work() -> Change:
            return bookings.edit(
                db, actor, booking_id, expected_version=version, start_at=span[0],
                end_at=span[1], resource_ids=tuple(ids), member_id=member_id,
                guest_name=guest, notes=notes, guest_count=count, at=now,
            )  # fmt: skip

        return work

    def _saved(self, change: Change) -> None:
        if not self.alive():
            return
        self._busy(False)
        new = self.detail is None
        self.booking_id = change.booking_id
        self.changed.emit(change.booking_id)
        if new:
            self.created.emit(change.booking_id)
        self.notices.extend(change.notices)
        show_notices(self.parentWidget(), change.notices)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._busy(False)
        if isinstance(exc, ClubDeskError) and not isinstance(exc, PermissionDenied):
            if isinstance(exc, BookingConflict):
                if exc.field == "version":
                    self.set_status(exc.message, ERROR_COLOUR)
                    self.reload()
                    return
                self._refresh_day()  # someone else took it: show the board as it is now
            if self.show_field_error(exc.field, exc.message):
                self.set_status(_("没有保存：请按红字提示修改。"), ERROR_COLOUR)
            else:
                self.set_status(exc.message, ERROR_COLOUR)
            return
        if isinstance(exc, ClubDeskError):
            self.set_status(exc.message, ERROR_COLOUR)
        else:
            self.set_status(_("没有保存。"), ERROR_COLOUR)
        show_error(self, exc)

    def show_field_error(self, field: str | None, message: str) -> bool:
        """``message`` under its field until the user edits that field."""
        if field == "resources":
            field = self._resource_field(message)
        shown = self.errors.show(field, message)
        if shown and field is not None:
            self._refused[field] = message
        return shown

    def _resource_field(self, message: str) -> str:
        """Which of the two resource boxes a refusal is about (the one it names)."""
        for name, combo in (("staff", self.staff), ("room", self.room)):
            if combo.currentIndex() > 0 and combo.currentText().split("（")[0] in message:
                return name
        if self.room.currentData() is None and self.staff.currentData() is not None:
            return "staff"
        return "room"

    def _refresh_day(self) -> None:
        if self.day is None:
            return
        day, db, keep = self.day, self.db, self.time.currentData()
        self.runner.submit(
            lambda: board.load(db, day),
            lambda loaded: self._day_loaded(loaded, day, keep),
            lambda _exc: None,
        )

    def reload(self) -> None:
        """Read the booking again (after a change, or when another counter changed it)."""
        if self.booking_id is None:
            return
        self._preset_start = None
        self._load()

    # -- life cycle ----------------------------------------------------------------
    def _guard_edits(self) -> bool:
        if not self.is_dirty():
            return True
        return confirm(
            self,
            _("预约"),
            _("表单里有尚未保存的修改，继续操作会放弃这些修改。继续吗？"),
        )

    def _run(
        self,
        work: Callable[[], Change],
        done: str,
        *,
        seat: bool = False,
        after: Callable[[], None] | None = None,
    ) -> None:
        self._busy(True, _("正在办理…"))
        self.runner.submit(
            work,
            lambda change: self._acted(change, done, seat, after),
            lambda exc: self._act_failed(exc, seat),
        )

    def _acted(
        self, change: Change, done: str, seat: bool, after: Callable[[], None] | None
    ) -> None:
        if not self.alive():
            return
        self._busy(False)
        self.add_notices(change.notices)
        if seat:
            self.seat_status.setText(done)
            self.seat_status.setStyleSheet(f"color: {OK_COLOUR};")
        self.set_status(done, OK_COLOUR)
        if after is not None:
            after()
        assert self.detail is not None
        self.changed.emit(self.detail.id)
        self.reload()

    def _act_failed(self, exc: BaseException, seat: bool) -> None:
        if not self.alive():
            return
        self._busy(False)
        if isinstance(exc, SessionFull):
            self.seat_status.setText(exc.message)
            self.seat_status.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.set_status(exc.message, ERROR_COLOUR)
            self.reload()
            if confirm(self, _("座位已满"), _("{msg}\n\n现在登记候补吗？").format(msg=exc.message)):
                self.open_waitlist()
            return
        if isinstance(exc, ClubDeskError) and not isinstance(exc, PermissionDenied):
            if seat:
                self.seat_status.setText(exc.message)
                self.seat_status.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.set_status(exc.message, ERROR_COLOUR)
            if isinstance(exc, BookingConflict):
                self.reload()
            return
        self.set_status(_("没有办理。"), ERROR_COLOUR)
        show_error(self, exc)

    def _transition(
        self,
        target: BookingState,
        done: str,
        *,
        booking_id: int | None = None,
        reason: str | None = None,
        satisfaction: Satisfaction | None = None,
        seat: bool = False,
    ) -> None:
        assert self.detail is not None
        db, actor, now = self.db, self.actor, self.clock()
        target_id = booking_id if booking_id is not None else self.detail.id
        self._run(
            lambda: bookings.transition(
                db, actor, target_id, target, reason=reason, satisfaction=satisfaction, at=now
            ),
            done,
            seat=seat,
        )

    def _arrive(self) -> None:
        if self._guard_edits():
            self._transition(BookingState.ARRIVED, _("已登记到店。"))

    def _start(self) -> None:
        if self._guard_edits():
            self._transition(BookingState.IN_SERVICE, _("服务已开始。"))

    def _finish(self) -> None:
        if not self._guard_edits():
            return
        go_on, satisfaction = ask_satisfaction(self)
        if go_on:
            self._transition(
                BookingState.FINISHED, _("服务已结束，可以结账。"), satisfaction=satisfaction
            )

    def _cancel(self) -> None:
        if not self._guard_edits() or self.detail is None:
            return
        reason = ask_reason(
            self,
            _("取消预约"),
            _("取消 {guest} 的预约，请填写原因：").format(guest=self.detail.guest or _("客人")),
            [_(r) for r in CANCEL_REASONS],
        )
        if reason is None:
            return
        question = _("确定取消这个预约吗？取消后房间和技师会释放，不能恢复。")
        if self.detail.is_session:
            question = _("确定取消这个场次吗？所有未到店的座位会一起取消，不能恢复。")
        if not confirm(self, _("取消预约"), question):
            self.set_status(_("没有取消。"))
            return
        self._transition(BookingState.CANCELLED, _("预约已取消。"), reason=reason)

    def _no_show(self) -> None:
        if not self._guard_edits() or self.detail is None:
            return
        if not confirm(
            self,
            _("爽约"),
            _("确定把 {guest} 的预约标记为爽约吗？会计入该会员的爽约次数，不能恢复。").format(
                guest=self.detail.guest or _("客人")
            ),
        ):
            return
        self._transition(BookingState.NO_SHOW, _("已标记爽约。"))

    def _add_time(self) -> None:
        if not self._guard_edits() or self.detail is None:
            return
        minutes = ask_minutes(self)
        if minutes is None:
            return
        db, actor, now, booking_id = self.db, self.actor, self.clock(), self.detail.id
        self._run(
            lambda: bookings.add_time(db, actor, booking_id, minutes, at=now),
            _("已加钟 {n} 分钟。").format(n=minutes),
        )

    def _checkout(self) -> None:
        if self.detail is None or not self._guard_edits():
            return
        self.checkout_requested.emit(self.detail.id)
        self.accept()

    # -- a settled booking: the receipt again, 反结账 --------------------------------
    def _print_receipt(self) -> None:
        detail = self.detail
        if detail is None or detail.checkout_id is None or self._working:
            return
        self.set_status(_("正在生成小票…"))
        print_receipt(self, self.db, self.runner, detail.checkout_id, self._printed)

    def _printed(self, path: Path) -> None:
        if self.alive():
            self.set_status(_("小票已保存：{path}").format(path=path), OK_COLOUR)

    def _reverse(self) -> ReverseDialog | None:
        """反结账 in the manager's dialog (a reason and a confirmation there)."""
        detail = self.detail
        if detail is None or detail.checkout_id is None or self._working:
            return None
        if not self.can_reverse:
            self.set_status(_("反结账须由经理办理，请联系经理。"), ERROR_COLOUR)
            return None
        dialog = ReverseDialog(self.db, self.runner, self.actor, detail.checkout_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.reversed.connect(self._reversed)
        self.reverse_dialog = dialog
        dialog.open()
        return dialog

    def _reversed(self, booking_id: int) -> None:
        if not self.alive():
            return
        self.changed.emit(booking_id)
        self.set_status(_("已反结账：预约回到“已完成”，可以重新结账。"), OK_COLOUR)
        self.reload()

    # -- seats ---------------------------------------------------------------------
    def _reserve_seat(self) -> None:
        if self.detail is None or not self.reserve_button.isEnabled() or self._working:
            return
        picker = self.seat_picker
        if picker.typed_unpicked():
            self.seat_status.setText(_("请在列表中选择会员（↓ 回车），或勾选“散客”填写姓名。"))
            self.seat_status.setStyleSheet(f"color: {ERROR_COLOUR};")
            return
        db, actor, now, host = self.db, self.actor, self.clock(), self.detail.id
        member_id, guest = picker.member_id(), picker.guest_name()
        picked = picker.picked()
        who = picked.name if picked is not None else (guest or "")

        def work() -> Change:
            return bookings.reserve_seat(
                db, actor, host, member_id=member_id, guest_name=guest, at=now
            )

        self._run(work, _("已为 {guest} 订座。").format(guest=who), seat=True, after=picker.clear)

    def _seat_arrive(self) -> None:
        seat = self.selected_seat()
        if seat is not None:
            self._transition(
                BookingState.ARRIVED,
                _("{guest} 已到店。").format(guest=seat.guest),
                booking_id=seat.booking_id,
                seat=True,
            )

    def _seat_start(self) -> None:
        seat = self.selected_seat()
        if seat is not None:
            self._transition(
                BookingState.IN_SERVICE,
                _("{guest} 已开始。").format(guest=seat.guest),
                booking_id=seat.booking_id,
                seat=True,
            )

    def _seat_finish(self) -> None:
        seat = self.selected_seat()
        if seat is None:
            return
        go_on, satisfaction = ask_satisfaction(self)
        if go_on:
            self._transition(
                BookingState.FINISHED,
                _("{guest} 已结束，可以结账。").format(guest=seat.guest),
                booking_id=seat.booking_id,
                satisfaction=satisfaction,
                seat=True,
            )

    def _seat_checkout(self) -> None:
        seat = self.selected_seat()
        if seat is None or not self.seat_checkout.isEnabled():
            return
        self.checkout_requested.emit(seat.booking_id)

    def open_seat(self) -> BookingDialog | None:
        """The selected seat in a booking dialog of its own (non-modal); what it saves
        and its checkout requests go out through this dialog's signals."""
        seat = self.selected_seat()
        if seat is None:
            return None
        dialog = BookingDialog(
            self.db, self.runner, self.actor, self, booking_id=seat.booking_id,
            clock=self.clock,
        )  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._seat_changed)
        dialog.checkout_requested.connect(self.checkout_requested)
        self.seat_dialog = dialog
        dialog.show()
        return dialog

    def _seat_changed(self, booking_id: int) -> None:
        if not self.alive():
            return
        self.changed.emit(booking_id)
        self.refresh_seats()

    def _seat_dialogs(self) -> list[BookingDialog]:
        """The seats opened from here that are still on screen."""
        return [
            child
            for child in self.findChildren(BookingDialog)
            if shiboken6.isValid(child) and child.isVisible()
        ]

    def refresh_seats(self) -> None:
        """Read the session again (a seat was changed, or settled at the checkout)."""
        detail = self.detail
        if detail is None or not detail.is_session or self._working:
            return
        db, host = self.db, detail.id
        self.runner.submit(lambda: bookings.detail(db, host), self._seats_read, lambda _e: None)

    def _seats_read(self, fresh: BookingDetail) -> None:
        if not self.alive() or self.detail is None or fresh.id != self.detail.id:
            return
        if self._working:
            return
        if fresh.version != self.detail.version:
            if not self.is_dirty():
                self.reload()
            return
        self.detail = fresh
        self._show_state()

    def _seat_cancel(self) -> None:
        seat = self.selected_seat()
        if seat is None:
            return
        reason = ask_reason(
            self,
            _("取消座位"),
            _("取消 {guest} 的座位，请填写原因：").format(guest=seat.guest),
            [_(r) for r in CANCEL_REASONS],
        )
        if reason is None:
            return
        if not confirm(self, _("取消座位"), _("确定取消这个座位吗？不能恢复。")):
            return
        self._transition(
            BookingState.CANCELLED,
            _("{guest} 的座位已取消。").format(guest=seat.guest),
            booking_id=seat.booking_id,
            reason=reason,
            seat=True,
        )

    def _seat_no_show(self) -> None:
        seat = self.selected_seat()
        if seat is None:
            return
        if not confirm(
            self,
            _("爽约"),
            _("确定把 {guest} 的座位标记为爽约吗？不能恢复。").format(guest=seat.guest),
        ):
            return
        self._transition(
            BookingState.NO_SHOW,
            _("{guest} 已标记爽约。").format(guest=seat.guest),
            booking_id=seat.booking_id,
            seat=True,
        )

    def open_waitlist(self) -> QDialog | None:
        """登记候补, prefilled and non-blocking: for this session's seats, or (a new
        booking) for the service and time on the form, preferring the chosen therapist
        or room."""
        from ui.dialogs.waitlist import AddWaitlistDialog

        detail = self.detail
        span = self.span()
        service_id = self.service_id()
        if span is None or service_id is None or not self.can_edit:
            return None
        session = detail is not None and detail.is_session
        picker = self.seat_picker if session else self.picker
        wanted = (detail.start_at, detail.end_at) if detail is not None and session else span
        preferred = None if session else (self.staff.currentData() or self.room.currentData())
        dialog = AddWaitlistDialog(
            self.db,
            self.runner,
            self.actor,
            self,
            day=self.day,
            service_id=service_id,
            wanted_from=wanted[0],
            wanted_until=wanted[1],
            member_id=picker.member_id(),
            guest_name=picker.guest_name(),
            resource_id=preferred,
            session_id=detail.id if detail is not None and session else None,
            notes=None if session else self.notes.text().strip() or None,
            clock=self.clock,
        )
        dialog.added.connect(
            lambda _id: self.set_status(_("已登记候补，有空位时会提醒。"), OK_COLOUR)
        )
        self.waitlist_dialog = dialog
        dialog.open()
        return dialog

    # -- status --------------------------------------------------------------------
    def add_notices(self, notices: Iterable[str]) -> None:
        lines = list(notices)
        if not lines:
            return
        self.notices.extend(lines)
        self.notice.setText("\n".join(self.notices[-5:]))
        self.notice.show()

    def set_status(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

    def _save_allowed(self) -> bool:
        return self.can_edit and (self._times_editable() or self._guest_editable())

    def _busy(self, busy: bool, text: str = "") -> None:
        self._working = busy
        self._writing = busy
        if busy:
            self.set_status(text)
        self.save_button.setEnabled(not busy and self._save_allowed())
        for button in self._action_buttons():
            button.setEnabled(not busy and self._may(button))
        self._update_seat_buttons()

    def writing(self) -> bool:
        """A change is in flight here or in a seat opened from here."""
        return self._writing or any(d.writing() for d in self._seat_dialogs())

    # -- closing -------------------------------------------------------------------
    def say(self, text: str, colour: str | None = None) -> None:
        self.set_status(text, colour)

    def reject(self) -> None:
        """Esc, 关闭 or the window's ×: not while a change is in flight (WritingDialog),
        and not over unsaved input without asking."""
        if not self.writing():
            unsaved = self.is_dirty() or any(d.is_dirty() for d in self._seat_dialogs())
            if unsaved and not confirm(self, _("预约"), _("放弃未保存的修改？")):
                return
        super().reject()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # Back from a seat's checkout or dialog: the seats may have moved on.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.refresh_seats()

"""候补: guests waiting for a full slot or session, and the form that puts one on the list.

``WaitlistDialog`` lists a day's open entries (those already told a slot freed up are
highlighted), registers new ones, books a waiting guest (约上: the booking dialog
prefilled with the wanted time and service, or a seat in the session they wait for)
and withdraws entries.  ``AddWaitlistDialog`` is the form, also opened from the booking
dialog when a session is full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, PermissionDenied
from clubdesk.i18n import _
from clubdesk.models.enums import WaitlistState
from clubdesk.services import board, booking_slots, bookings, catalog, waitlist
from clubdesk.services.board import BoardResource
from clubdesk.services.bookings import SeatRow
from clubdesk.services.catalog import ServiceRow
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from clubdesk.services.waitlist import WaitlistInput, WaitlistRow
from ui.dialogs.booking import (
    GRID_MIN,
    BookingDialog,
    Clock,
    chosen_time,
    fill_times,
    round_up,
    slot_text,
)
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, FieldBox, FieldErrors, confirm
from ui.errors import show_error
from ui.models.rows import CENTER, Column, RowsModel
from ui.shortcuts import widget_shortcut
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.member_picker import MemberPicker

Runner = TaskRunner | SyncRunner
NOTIFIED_COLOUR = "#fef3c7"
CLOSED_COLOUR = "#9ca3af"
CONTACT_MAX = 40
NOTES_MAX = 200


@dataclass(frozen=True)
class _Catalogue:
    services: list[ServiceRow]
    resources: list[BoardResource]
    opens: time
    closes: time


def _load_catalogue(db: Database) -> _Catalogue:
    services = catalog.list_services(db, include_inactive=False)
    with db.read() as session:
        resources = board.resources(session)
        opens, closes = booking_slots.opening_hours(session)
    return _Catalogue(services, resources, opens, closes)


class AddWaitlistDialog(QDialog):
    """登记候补: who (member or name + contact), what, the wanted time, a preferred room
    or therapist, notes.  ``added(int)`` carries the new entry's id."""

    added = Signal(int)

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: StaffMember | None,
        parent: QWidget | None = None,
        *,
        day: date | None = None,
        service_id: int | None = None,
        wanted_from: datetime | None = None,
        wanted_until: datetime | None = None,
        member_id: int | None = None,
        guest_name: str | None = None,
        resource_id: int | None = None,
        session_id: int | None = None,
        notes: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.actor = db, runner, actor
        self.clock: Clock = clock or datetime.now
        self.session_id = session_id
        self.entry_id: int | None = None
        self._service_id = service_id
        self._from = wanted_from
        self._until = wanted_until
        self._resource_id = resource_id
        self._day = day
        self._catalogue: _Catalogue | None = None
        self._working = False
        self._shown_once = False
        self.errors = FieldErrors()
        self.setWindowTitle(_("登记候补"))
        self.setMinimumWidth(480)

        layout = QVBoxLayout(self)
        intro = QLabel(
            _("这个场次的座位已满：登记后，有人退订时会提醒前台联系客人。")
            if session_id is not None
            else _("想要的时间已约满：登记后，有空位时会提醒前台联系客人。"),
            self,
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #374151;")
        layout.addWidget(intro)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)

        self.picker = MemberPicker(db, runner, self)
        self._field(("guest",), _("客人(&G)："), self.picker)
        self.contact = QLineEdit(self)
        self.contact.setMaxLength(CONTACT_MAX)
        self.contact.setPlaceholderText(_("电话或微信，选填（会员可不填）"))
        self._field(("contact",), _("联系方式(&C)："), self.contact)
        self.service = QComboBox(self)
        self.service.setMinimumContentsLength(14)
        self._field(("service",), _("服务项目(&V)："), self.service)
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd ddd")
        self._field(("day",), _("日期(&D)："), self.date)
        self.wanted_from = QComboBox(self)
        self.wanted_until = QComboBox(self)
        for combo in (self.wanted_from, self.wanted_until):
            combo.setMinimumContentsLength(9)
        to = QLabel(_("至"), self)
        self.time_box = self._field(
            ("wanted_from", "wanted_until"),
            _("期望时间(&F)："),
            self.wanted_from,
            [to, self.wanted_until],
        )
        self.resource = QComboBox(self)
        self.resource.setMinimumContentsLength(16)
        self._field(("resource",), _("指定房间/技师(&R)："), self.resource)
        self.notes = QLineEdit(notes or "", self)
        self.notes.setMaxLength(NOTES_MAX)
        self.notes.setPlaceholderText(_("选填，如：时间可以前后调整半小时"))
        self._field(("notes",), _("备注(&M)："), self.notes)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(20)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok = QPushButton(_("登记"), self)
        self.ok.setDefault(True)
        self.close_button = QPushButton(_("关闭"), self)
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.ok.clicked.connect(self.submit)
        self.close_button.clicked.connect(self.reject)
        self.service.currentIndexChanged.connect(lambda _i: self._fill_resources())
        self.date.dateChanged.connect(lambda _d: self._fill_times())
        self.wanted_from.currentIndexChanged.connect(lambda _i: self._from_changed())

        if member_id is not None:
            self.picker.load_member(member_id)
        elif guest_name:
            self.picker.set_walk_in(guest_name)
        if session_id is not None:  # the session fixes what and when
            for widget in (self.service, self.date, self.wanted_from, self.wanted_until):
                widget.setEnabled(False)
            self.resource.setEnabled(False)
        self.ok.setEnabled(False)
        self.set_status(_("正在加载…"))
        runner.submit(lambda: _load_catalogue(db), self._loaded, self._load_failed)

    def _field(
        self, names: Iterable[str], caption: str, widget: QWidget, extra: Iterable[QWidget] = ()
    ) -> FieldBox:
        box = FieldBox(widget, self, extra)
        for name in names:
            self.errors.add(name, box)
        self.form.addRow(caption, box)
        return box

    # -- loading -------------------------------------------------------------------
    def _load_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self.set_status(getattr(exc, "message", "") or _("加载失败"), ERROR_COLOUR)
        if not isinstance(exc, ClubDeskError):
            show_error(self, exc)

    def _loaded(self, catalogue: _Catalogue) -> None:
        if not shiboken6.isValid(self):
            return
        self._catalogue = catalogue
        able: set[int] = set()
        for resource in catalogue.resources:
            able |= resource.service_ids
        self.service.blockSignals(True)
        for row in catalogue.services:
            if row.id in able or row.id == self._service_id:
                self.service.addItem(row.name, row.id)
        index = self.service.findData(self._service_id) if self._service_id is not None else 0
        self.service.setCurrentIndex(max(index, 0))
        self.service.blockSignals(False)
        now = self.clock()
        start = self._from or round_up(now)
        day = self._day or booking_slots.business_day(start, catalogue.opens, catalogue.closes)
        self.date.blockSignals(True)
        self.date.setDate(QDate(day.year, day.month, day.day))
        self.date.blockSignals(False)
        self._fill_times(start, self._until)
        self._fill_resources()
        if self._resource_id is not None:
            self.resource.setCurrentIndex(max(0, self.resource.findData(self._resource_id)))
        self.ok.setEnabled(allowed(self.actor, Permission.BOOKING_EDIT))
        if self.ok.isEnabled():
            self.set_status("")
        else:
            self.set_status(_("您的账号没有预约权限。"), ERROR_COLOUR)

    def day(self) -> date:
        value = self.date.date().toPython()
        assert isinstance(value, date)
        return value

    def _window(self) -> tuple[datetime, datetime] | None:
        if self._catalogue is None:
            return None
        return booking_slots.span(self.day(), self._catalogue.opens, self._catalogue.closes)

    def _fill_times(self, start: datetime | None = None, until: datetime | None = None) -> None:
        window = self._window()
        if window is None:
            return
        day = self.day()
        start = start or chosen_time(self.wanted_from, day)
        if start is not None and not window[0] <= start < window[1] and self.session_id is None:
            start = None
        start = start or window[0]
        if until is None or until <= start:
            minutes = 120
            until = min(start + timedelta(minutes=minutes), window[1])
        fill_times(self.wanted_from, day, window, start)
        fill_times(self.wanted_until, day, window, until, include_end=True)

    def _from_changed(self) -> None:
        """Keep the wanted span the right way round: an end before the start moves on."""
        day = self.day()
        start = chosen_time(self.wanted_from, day)
        until = chosen_time(self.wanted_until, day)
        window = self._window()
        if start is None or until is None or window is None or until > start:
            return
        later = min(start + timedelta(minutes=GRID_MIN * 4), window[1])
        fill_times(self.wanted_until, day, window, later, include_end=True)

    def _fill_resources(self) -> None:
        keep = self.resource.currentData()
        self.resource.clear()
        self.resource.addItem(_("（不指定）"), None)
        service_id = self.service.currentData()
        for resource in self._catalogue.resources if self._catalogue else ():
            if service_id in resource.service_ids:
                self.resource.addItem(
                    _("{name}（{kind}）").format(name=resource.name, kind=label(resource.kind)),
                    resource.id,
                )
        self.resource.setCurrentIndex(max(0, self.resource.findData(keep)))

    def showEvent(self, event: QShowEvent) -> None:
        if not self._shown_once:
            self._shown_once = True
            chain: list[QWidget] = [
                self.picker.edit,
                self.picker.walk_in_box,
                self.contact,
                self.service,
                self.date,
                self.wanted_from,
                self.wanted_until,
                self.resource,
                self.notes,
                self.ok,
                self.close_button,
            ]
            for first, second in pairwise(chain):
                QWidget.setTabOrder(first, second)
            self.picker.edit.setFocus(Qt.FocusReason.TabFocusReason)
        super().showEvent(event)

    # -- saving --------------------------------------------------------------------
    def entry(self) -> WaitlistInput | None:
        """The form as the service takes it, or None after saying what is missing."""
        if self.picker.typed_unpicked():
            self.errors.show("guest", _("请在列表中选择会员（↓ 回车），或勾选“散客”填写姓名。"))
            return None
        service_id = self.service.currentData()
        day = self.day()
        start = chosen_time(self.wanted_from, day)
        until = chosen_time(self.wanted_until, day)
        if service_id is None:
            self.errors.show("service", _("请选择服务项目。"))
            return None
        if start is None or until is None:
            self.errors.show("wanted_from", _("请选择期望时间。"))
            return None
        return WaitlistInput(
            service_id=int(service_id),
            wanted_from=start,
            wanted_until=until,
            member_id=self.picker.member_id(),
            guest_name=self.picker.guest_name(),
            contact=self.contact.text(),
            resource_id=self.resource.currentData(),
            session_id=self.session_id,
            notes=self.notes.text(),
        )

    def submit(self) -> None:
        if self._working or not self.ok.isEnabled():
            return
        self.errors.clear()
        entry = self.entry()
        if entry is None:
            return
        self._working = True
        self.ok.setEnabled(False)
        self.set_status(_("正在登记…"))
        db, actor = self.db, self.actor
        self.runner.submit(lambda: waitlist.add(db, actor, entry), self._added, self._failed)

    def _added(self, entry_id: int) -> None:
        if not shiboken6.isValid(self):
            return
        self._working = False
        self.entry_id = entry_id
        self.added.emit(entry_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._working = False
        self.ok.setEnabled(True)
        if isinstance(exc, ClubDeskError) and not isinstance(exc, PermissionDenied):
            if self.errors.show(exc.field, exc.message):
                self.set_status(_("没有登记：请按红字提示修改。"), ERROR_COLOUR)
            else:
                self.set_status(exc.message, ERROR_COLOUR)
            return
        self.set_status(_("没有登记。"), ERROR_COLOUR)
        show_error(self, exc)

    def set_status(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")


# -- the list -----------------------------------------------------------------------------
def held_seat(seats: Iterable[SeatRow], member_id: int | None, guest: str | None) -> int | None:
    """The live seat this member (or walk-in of this name) already has in the session."""
    name = (guest or "").strip()
    for seat in seats:
        if seat.state not in bookings.SEAT_STATES:
            continue
        if member_id is not None and seat.member_id == member_id:
            return seat.booking_id
        if member_id is None and seat.member_id is None and name and seat.guest == name:
            return seat.booking_id
    return None


def _row_colour(row: WaitlistRow) -> str | None:
    return NOTIFIED_COLOUR if row.state is WaitlistState.NOTIFIED else None


def _text_colour(row: WaitlistRow) -> str | None:
    return CLOSED_COLOUR if row.state not in waitlist.OPEN_STATES else None


def _wanted(row: WaitlistRow) -> str:
    day = row.wanted_from.date()
    return _("{day} {start}–{end}").format(
        day=row.wanted_from.strftime("%m-%d"),
        start=row.wanted_from.strftime("%H:%M"),
        end=slot_text(row.wanted_until, day),
    )


def _state_text(row: WaitlistRow) -> str:
    if row.state is WaitlistState.NOTIFIED and row.notified_at is not None:
        return _("{state} {at}").format(
            state=label(row.state), at=row.notified_at.strftime("%H:%M")
        )
    return label(row.state)


def _columns() -> list[Column[WaitlistRow]]:
    def column(
        title: str, text: Callable[[WaitlistRow], str], align: Any = None
    ) -> Column[WaitlistRow]:
        extra: dict[str, Any] = {"background": _row_colour, "foreground": _text_colour}
        if align is not None:
            extra["align"] = align
        return Column(title, text, **extra)

    return [
        column(_("期望时间"), _wanted),
        column(_("客人"), lambda r: r.guest),
        column(_("联系方式"), lambda r: r.contact or "—"),
        column(_("服务项目"), lambda r: r.service),
        column(
            _("指定"),
            lambda r: _("场次座位") if r.session_id is not None else (r.resource or "—"),
        ),
        column(_("状态"), _state_text, CENTER),
        column(_("备注"), lambda r: r.notes),
    ]


class WaitlistDialog(QDialog):
    """The day's waitlist.  ``changed()`` after an entry was added, booked or withdrawn
    (the board refreshes)."""

    changed = Signal()

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: StaffMember | None,
        parent: QWidget | None,
        day: date,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.actor = db, runner, actor
        self.clock: Clock = clock or datetime.now
        self.can_edit = allowed(actor, Permission.BOOKING_EDIT)
        self.booking_dialog: BookingDialog | None = None
        self.add_dialog: AddWaitlistDialog | None = None
        self._loading = False
        self._done = ""  # what the last action did, shown before the counts
        self.setWindowTitle(_("候补名单"))
        self.resize(860, 440)

        layout = QVBoxLayout(self)
        header = QHBoxLayout()
        caption = QLabel(_("日期(&D)："), self)
        self.date = QDateEdit(QDate(day.year, day.month, day.day), self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd dddd")
        caption.setBuddy(self.date)
        self.show_closed = QCheckBox(_("显示已处理(&H)"), self)
        header.addWidget(caption)
        header.addWidget(self.date)
        header.addWidget(self.show_closed)
        header.addStretch(1)
        legend = QLabel(_("黄色：已有空位并已提醒，请尽快联系客人"), self)
        legend.setStyleSheet(f"background: {NOTIFIED_COLOUR}; padding: 2px 6px;")
        header.addWidget(legend)
        layout.addLayout(header)

        self.model: RowsModel[WaitlistRow] = RowsModel(_columns(), self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((130, 90, 110, 120, 120, 90)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("登记候补(&A)"), self)
        self.book_button = QPushButton(_("约上(&B)"), self)
        self.withdraw_button = QPushButton(_("撤销(&W)"), self)
        self.close_button = QPushButton(_("关闭"), self)
        for button in (self.add_button, self.book_button, self.withdraw_button):
            button.setAutoDefault(False)
            button.setEnabled(self.can_edit)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        self.close_button.setAutoDefault(False)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self.add_entry)
        self.book_button.clicked.connect(self.book_selected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.close_button.clicked.connect(self.reject)
        self.date.dateChanged.connect(lambda _d: self.refresh())
        self.show_closed.toggled.connect(lambda _on: self.refresh())
        self.table.doubleClicked.connect(lambda _i: self.book_selected())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(self.table, key, self.book_selected)
        widget_shortcut(self.table, Qt.Key.Key_Delete, self.withdraw_selected)
        widget_shortcut(self.table, QKeySequence("Ctrl+N"), self.add_entry)
        self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def day(self) -> date:
        value = self.date.date().toPython()
        assert isinstance(value, date)
        return value

    # -- loading -------------------------------------------------------------------
    def refresh(self) -> None:
        db, day, open_only = self.db, self.day(), not self.show_closed.isChecked()
        self._loading = True
        self.runner.submit(
            lambda: waitlist.entries(db, day, open_only=open_only), self._show, self._load_failed
        )

    def _show(self, rows: list[WaitlistRow]) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading = False
        keep = self.selected()
        self.model.set_rows(rows)
        if rows:
            index = next((i for i, r in enumerate(rows) if keep and r.id == keep.id), 0)
            self.table.selectRow(index)
        waiting = sum(r.state is WaitlistState.WAITING for r in rows)
        notified = sum(r.state is WaitlistState.NOTIFIED for r in rows)
        if not rows:
            counts = _("这一天没有候补。按“登记候补”添加。")
        else:
            counts = _("等候中 {w} 位，已提醒 {n} 位。").format(w=waiting, n=notified)
        if self._done:
            self.set_status(_("{done}　{counts}").format(done=self._done, counts=counts), OK_COLOUR)
        else:
            self.set_status(counts)
        self._update_buttons()

    def _load_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._loading = False
        self.set_status(_("加载失败"), ERROR_COLOUR)
        show_error(self, exc)

    def selected(self) -> WaitlistRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        row = self.selected()
        open_ = row is not None and row.state in waitlist.OPEN_STATES
        self.book_button.setEnabled(self.can_edit and open_)
        self.withdraw_button.setEnabled(self.can_edit and open_)

    # -- actions -------------------------------------------------------------------
    def add_entry(self) -> AddWaitlistDialog | None:
        if not self.can_edit:
            return None
        day = self.day()
        dialog = AddWaitlistDialog(
            self.db, self.runner, self.actor, self, day=day, clock=self.clock
        )
        dialog.added.connect(lambda _id: self._after_change(_("已登记候补。")))
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def book_selected(self) -> None:
        row = self.selected()
        if row is None or not self.can_edit or row.state not in waitlist.OPEN_STATES:
            return
        if row.session_id is not None:
            self._book_seat(row)
            return
        now = self.clock()
        start = max(round_up(row.wanted_from), round_up(now))
        dialog = BookingDialog(
            self.db,
            self.runner,
            self.actor,
            self,
            service_id=row.service_id,
            start_at=start,
            member_id=row.member_id,
            guest_name=row.guest if row.member_id is None else None,
            resource_id=row.resource_id,
            notes=row.notes or None,
            clock=self.clock,
        )
        dialog.created.connect(lambda booking_id: self._booked(row, booking_id))
        self.booking_dialog = dialog
        dialog.open()

    def _book_seat(self, row: WaitlistRow) -> None:
        assert row.session_id is not None
        if not confirm(
            self,
            _("约上"),
            _("为 {guest} 订一个“{service}”的座位吗？").format(
                guest=row.guest, service=row.service
            ),
        ):
            return
        db, actor, now, session_id = self.db, self.actor, self.clock(), row.session_id
        member_id = row.member_id
        guest = row.guest if member_id is None else None

        def work() -> int:
            # Reserving and closing the entry are two transactions: when closing failed
            # after the seat was taken, a retry finds that seat and only closes the entry.
            seat_id = held_seat(bookings.detail(db, session_id).seats, member_id, guest)
            if seat_id is None:
                seat_id = bookings.reserve_seat(
                    db, actor, session_id, member_id=member_id, guest_name=guest, at=now
                ).booking_id
            waitlist.close(db, actor, row.id, WaitlistState.BOOKED, booking_id=seat_id)
            return seat_id

        self.runner.submit(
            work,
            lambda _id: self._after_change(_("已为 {guest} 订座。").format(guest=row.guest)),
            self._failed,
        )

    def _booked(self, row: WaitlistRow, booking_id: int) -> None:
        db, actor = self.db, self.actor
        self.runner.submit(
            lambda: waitlist.close(db, actor, row.id, WaitlistState.BOOKED, booking_id=booking_id),
            lambda _r: self._after_change(
                _("已为 {guest} 约上，候补已关闭。").format(guest=row.guest)
            ),
            self._failed,
        )

    def withdraw_selected(self) -> None:
        row = self.selected()
        if row is None or not self.can_edit or row.state not in waitlist.OPEN_STATES:
            return
        if not confirm(
            self,
            _("撤销候补"),
            _("确定撤销 {guest} 的候补（{service}）吗？").format(
                guest=row.guest, service=row.service
            ),
        ):
            return
        db, actor = self.db, self.actor
        self.runner.submit(
            lambda: waitlist.close(db, actor, row.id, WaitlistState.WITHDRAWN),
            lambda _r: self._after_change(_("已撤销 {guest} 的候补。").format(guest=row.guest)),
            self._failed,
        )

    def _after_change(self, text: str) -> None:
        if not shiboken6.isValid(self):
            return
        self._done = text
        self.changed.emit()
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        if isinstance(exc, ClubDeskError) and not isinstance(exc, PermissionDenied):
            self._done = ""
            self.refresh()
            self.set_status(exc.message, ERROR_COLOUR)
            return
        self.set_status(_("没有办理。"), ERROR_COLOUR)
        show_error(self, exc)

    def set_status(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

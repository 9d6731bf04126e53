"""预约看板: the booking board of a day or a week, who is free now, and the day's counts.

The board (ui/board/view.py) paints and turns drags and keys into requests; this dock
loads through the task runner, calls the booking services for moves and the simple
life-cycle steps, and hands everything that needs a dialog (open, create, cancel,
finish, checkout, walk-in, waitlist) to whoever connects its signals.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QMetaMethod, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.models.enums import BookingState, ResourceKind
from clubdesk.services import board as board_service
from clubdesk.services import booking_slots, bookings
from clubdesk.services.board import Board, FreeNow, FreeResource
from clubdesk.services.booking_rules import BookingConflict
from clubdesk.services.bookings import Change
from clubdesk.services.labels import label
from clubdesk.services.staff import StaffMember
from ui.board.geometry import SLOT
from ui.board.interaction import MoveRequest
from ui.board.view import LEGEND_STATES, STATE_COLOURS, BoardView
from ui.errors import show_error, user_message
from ui.tasks import SyncRunner, TaskRunner

S = BookingState
REFRESH_MS = 60_000
ERROR_COLOUR = "#b91c1c"
NOTICE_COLOUR = "#0f766e"

# The kind filter: (key, label, kinds or None for all).
KIND_FILTERS: tuple[tuple[str, str, tuple[ResourceKind, ...] | None], ...] = (
    ("all", N_("全部"), None),
    ("places", N_("房间与包间"), (ResourceKind.ROOM, ResourceKind.SUITE)),
    ("therapist", N_("技师"), (ResourceKind.THERAPIST,)),
    ("coach", N_("教练"), (ResourceKind.COACH,)),
    ("technician", N_("技术员"), (ResourceKind.TECHNICIAN,)),
    ("area", N_("区域"), (ResourceKind.AREA,)),
    ("people", N_("全部人员"), board_service.PEOPLE),
)
COUNTED_STATES = (S.BOOKED, S.ARRIVED, S.IN_SERVICE, S.FINISHED, S.SETTLED)


@dataclasses.dataclass(frozen=True, slots=True)
class Loaded:
    board: Board
    free: FreeNow


class BookingsDock(QDockWidget):
    loaded = Signal(int)  # bookings on the board
    open_requested = Signal(int)  # booking id
    create_requested = Signal(int, object, object)  # resource id (0: none), start, end
    action_requested = Signal(int, object)  # booking id, BookingState (every menu action)
    cancel_requested = Signal(int)
    finish_requested = Signal(int)
    checkout_requested = Signal(int)
    walk_in_requested = Signal()
    waitlist_requested = Signal()
    changed = Signal(int)  # a booking this dock moved or advanced
    notices = Signal(object)  # tuple[str, ...]: waitlisted guests a change made room for

    def __init__(
        self, db: Database, runner: TaskRunner | SyncRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(_("预约看板"), parent)
        self.setObjectName("bookings_dock")  # saveState() keys the layout by object name
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.db = db
        self.runner = runner
        user = getattr(parent, "user", None)
        self.user: StaffMember | None = user if isinstance(user, StaffMember) else None
        self.clock: Callable[[], datetime] = datetime.now
        self._loading = False
        self._stale = False
        self._scroll_to_now = True
        self._first_load = True
        self._full: Board | None = None  # every resource; the filters pick the columns
        self._free: FreeNow | None = None

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(self._build_navigation(body))
        layout.addLayout(self._build_filters(body))

        self.view = BoardView(body, clock=lambda: self.clock())
        self.view.open_requested.connect(self.open_requested)
        self.view.create_requested.connect(self.create_requested)
        self.view.action_requested.connect(self.on_action)
        self.view.move_requested.connect(self._move)
        self.view.refused.connect(lambda text: self.say(text, error=True))
        self.view.day_step.connect(self.shift)
        self.view.today_requested.connect(self.go_today)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self._build_free_panel(body))
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([1000, 200])
        self.splitter.setCollapsible(0, False)
        layout.addWidget(self.splitter, 1)

        self.status = QLabel(body)
        self.status.setObjectName("dockStatus")
        self.message = QLabel(body)
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        layout.addWidget(self.status)
        self.setWidget(body)

        QShortcut(QKeySequence("Alt+Left"), self, lambda: self.shift(-1))
        QShortcut(QKeySequence("Alt+Right"), self, lambda: self.shift(1))
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(REFRESH_MS)
        self.setFocusProxy(self.view)

    # -- building ---------------------------------------------------------------------
    def _build_navigation(self, body: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        self.prev_btn = QPushButton(_("前一天"), body)
        self.today_btn = QPushButton(_("今天"), body)
        self.next_btn = QPushButton(_("后一天"), body)
        self.prev_btn.clicked.connect(lambda: self.shift(-1))
        self.next_btn.clicked.connect(lambda: self.shift(1))
        self.today_btn.clicked.connect(self.go_today)
        self.today_btn.setToolTip(_("回到今天和现在（看板上按 Home）"))
        now = datetime.now()
        self.day = QDateEdit(QDate(now.year, now.month, now.day), body)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd dddd")
        self.day.setAccessibleName(_("日期"))
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.day_mode = QToolButton(body)
        self.day_mode.setText(_("日"))
        self.week_mode = QToolButton(body)
        self.week_mode.setText(_("周"))
        self.day_mode.setToolTip(_("日视图：一天，每个房间或人员一列"))
        self.week_mode.setToolTip(_("周视图：七天并排，每天一组列"))
        self.modes = QButtonGroup(self)
        for button in (self.day_mode, self.week_mode):
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setMinimumWidth(32)
            self.modes.addButton(button)
        self.day_mode.setChecked(True)
        self.modes.buttonToggled.connect(self._mode_changed)
        self.new_btn = QPushButton(_("新预约"), body)
        self.new_btn.setToolTip(_("新预约（Ctrl+Shift+N）：用看板上选中的时段"))
        self.new_btn.clicked.connect(self.new_booking)
        self.walk_in_btn = QPushButton(_("带客"), body)
        self.walk_in_btn.setToolTip(_("接待到店散客或会员，安排空闲房间和技师"))
        self.walk_in_btn.clicked.connect(self.walk_in_requested)
        self.waitlist_btn = QPushButton(_("候补"), body)
        self.waitlist_btn.setToolTip(_("候补名单：时段或场次满了的客人"))
        self.waitlist_btn.clicked.connect(self.waitlist_requested)
        for widget in (self.prev_btn, self.today_btn, self.next_btn, self.day):
            row.addWidget(widget)
        row.addSpacing(6)
        row.addWidget(self.day_mode)
        row.addWidget(self.week_mode)
        row.addStretch(1)
        for widget in (self.new_btn, self.walk_in_btn, self.waitlist_btn):
            row.addWidget(widget)
        self._name_navigation()
        return row

    def _build_filters(self, body: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(4)
        self.kind = QComboBox(body)
        for key, text, _kinds in KIND_FILTERS:
            self.kind.addItem(_(text), key)
        self.kind.setAccessibleName(_("资源类型"))
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.resource = QComboBox(body)
        self.resource.setAccessibleName(_("资源"))
        self.resource.setMinimumContentsLength(10)
        self.resource.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.resource.addItem(_("全部资源"), 0)
        self.resource.currentIndexChanged.connect(lambda _i: self._apply_filter())
        kind_label = QLabel(_("类型："), body)
        kind_label.setBuddy(self.kind)
        resource_label = QLabel(_("资源："), body)
        resource_label.setBuddy(self.resource)
        row.addWidget(kind_label)
        row.addWidget(self.kind)
        row.addWidget(resource_label)
        row.addWidget(self.resource)
        row.addStretch(1)
        for state in LEGEND_STATES:
            fill, edge, text = STATE_COLOURS[state]
            chip = QLabel(label(state), body)
            chip.setStyleSheet(
                f"background: {fill}; color: {text}; border: 1px solid {edge};"
                f" border-left: 4px solid {edge}; padding: 1px 6px;"
            )
            row.addWidget(chip)
        return row

    def _build_free_panel(self, body: QWidget) -> QWidget:
        panel = QWidget(body)
        column = QVBoxLayout(panel)
        column.setContentsMargins(4, 0, 0, 0)
        column.setSpacing(4)
        self.free_title = QLabel(_("空闲"), panel)
        self.free_title.setStyleSheet("font-weight: bold;")
        self.free_list = QListWidget(panel)
        self.free_list.setAccessibleName(_("现在空闲的房间和人员"))
        self.free_list.setToolTip(_("双击或 Enter：在下一个时段为它新建 60 分钟的预约"))
        self.free_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.free_list.itemActivated.connect(self._free_activated)
        self.free_title.setBuddy(self.free_list)
        column.addWidget(self.free_title)
        column.addWidget(self.free_list, 1)
        panel.setMinimumWidth(150)
        return panel

    # -- what is shown -------------------------------------------------------------------
    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def week(self) -> bool:
        return self.week_mode.isChecked()

    def current_day(self) -> date:
        value = self.day.date().toPython()
        assert isinstance(value, date)
        return value

    def first_day(self) -> date:
        day = self.current_day()
        return day - timedelta(days=day.weekday()) if self.week else day

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """The time the board calls "now" (tests fix it)."""
        self.clock = clock
        self.view.viewport().update()

    def shift(self, steps: int) -> None:
        self.day.setDate(self.day.date().addDays(steps * (7 if self.week else 1)))

    def go_today(self) -> None:
        today = self._business_today()
        self._scroll_to_now = True
        if today == self.current_day():
            self.view.scroll_to_now()
            self.refresh()
        else:
            self.day.setDate(QDate(today.year, today.month, today.day))

    def _business_today(self) -> date:
        now = self.clock()
        if self._full is None:
            return now.date()
        return booking_slots.business_day(now, self._full.opens, self._full.closes)

    def _name_navigation(self) -> None:
        if self.week_mode.isChecked():
            self.prev_btn.setText(_("前一周"))
            self.next_btn.setText(_("后一周"))
            self.prev_btn.setToolTip(_("前一周（Alt+←，看板上 PgUp）"))
            self.next_btn.setToolTip(_("后一周（Alt+→，看板上 PgDn）"))
        else:
            self.prev_btn.setText(_("前一天"))
            self.next_btn.setText(_("后一天"))
            self.prev_btn.setToolTip(_("前一天（Alt+←，看板上 PgUp）"))
            self.next_btn.setToolTip(_("后一天（Alt+→，看板上 PgDn）"))

    def _mode_changed(self, _button: object, checked: bool) -> None:
        if not checked:
            return
        self._name_navigation()
        self.refresh()

    def set_week(self, week: bool) -> None:
        (self.week_mode if week else self.day_mode).setChecked(True)

    def focus_table(self) -> None:
        """Alt+2 in the main window: the board takes the keyboard."""
        self.raise_()
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- loading --------------------------------------------------------------------------
    def refresh(self) -> None:
        if self._loading:
            self._stale = True  # asked again mid-load (another day, F5): reload after
            return
        self._loading = True
        self._stale = False
        self.status.setText(_("正在加载…"))
        self.runner.submit(self.loader(), self._on_loaded, self._on_failed)

    def loader(self) -> Callable[[], Loaded]:
        """Read the widgets here, on the GUI thread; the returned work runs in a worker."""
        db, first, days, now = self.db, self.first_day(), 7 if self.week else 1, self.clock()

        def work() -> Loaded:
            return Loaded(board_service.load(db, first, days), board_service.free_now(db, now))

        return work

    def _on_loaded(self, result: Loaded) -> None:
        self._loading = False
        if self._stale:  # the board answers a question nobody is asking any more
            self.refresh()
            return
        self._full = result.board
        self._free = result.free
        if self._first_load:
            self._first_load = False
            today = self._business_today()
            if self.current_day() == self.clock().date() != today:
                # 01:00 belongs to yesterday's evening when the club closes at 02:00.
                self.day.setDate(QDate(today.year, today.month, today.day))
                return
        self._fill_resources()
        self._apply_filter()
        self._show_free(result.free)
        if self._scroll_to_now:
            self._scroll_to_now = False
            self.view.scroll_to_now()
        self.status.setText(self.summary())
        self.loaded.emit(len({b.booking_id for b in result.board.blocks}))

    def _on_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._stale = False
        self.status.setText(_("加载失败"))
        show_error(self, exc)

    def _tick(self) -> None:
        if self.isVisible() and not self._loading and not self.view.busy:
            self.refresh()

    # -- filters --------------------------------------------------------------------------
    def _kinds(self) -> tuple[ResourceKind, ...] | None:
        key = self.kind.currentData()
        return next((kinds for k, _text, kinds in KIND_FILTERS if k == key), None)

    def set_kind(self, key: str) -> None:
        index = self.kind.findData(key)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def set_resource(self, resource_id: int) -> None:
        index = self.resource.findData(resource_id)
        if index >= 0:
            self.resource.setCurrentIndex(index)

    def _kind_changed(self) -> None:
        self._fill_resources()
        self._apply_filter()

    def _fill_resources(self) -> None:
        chosen = self.resource.currentData() or 0
        kinds = self._kinds()
        self.resource.blockSignals(True)
        try:
            self.resource.clear()
            self.resource.addItem(_("全部资源"), 0)
            if self._full is not None:
                for r in self._full.resources:
                    if kinds is None or r.kind in kinds:
                        self.resource.addItem(r.name, r.id)
            self.resource.setCurrentIndex(max(0, self.resource.findData(chosen)))
        finally:
            self.resource.blockSignals(False)

    def shown_board(self) -> Board | None:
        """The loaded board with the filtered columns (every block kept: a booking's
        other resources, filtered out, are still known for moves and tooltips)."""
        if self._full is None:
            return None
        kinds = self._kinds()
        chosen = self.resource.currentData() or 0
        columns = tuple(
            r
            for r in self._full.resources
            if (kinds is None or r.kind in kinds) and (not chosen or r.id == chosen)
        )
        return dataclasses.replace(self._full, resources=columns)

    def _apply_filter(self) -> None:
        shown = self.shown_board()
        if shown is None or self._full is None:
            return
        self.view.set_board(shown, names={r.id: r.name for r in self._full.resources})

    # -- the side panel and the status ----------------------------------------------------------
    def _show_free(self, free: FreeNow) -> None:
        self.free_title.setText(_("空闲（{time}）").format(time=free.at.strftime("%H:%M")))
        self.free_list.clear()

        def section(title: str, rows: tuple[FreeResource, ...]) -> None:
            head = QListWidgetItem(title)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: readable, not selectable
            font = head.font()
            font.setBold(True)
            head.setFont(font)
            head.setBackground(QColor("#e3f4f1"))
            head.setForeground(QColor("#0f172a"))
            self.free_list.addItem(head)
            if not rows:
                none = QListWidgetItem(_("（无）"))
                none.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.free_list.addItem(none)
            for row in rows:
                until = (
                    _("空闲至 {time}").format(time=row.free_until.strftime("%H:%M"))
                    if row.free_until is not None
                    else _("空闲至打烊")
                )
                item = QListWidgetItem(f"{row.resource.name}\n　{until}")
                item.setData(Qt.ItemDataRole.UserRole, row.resource.id)
                item.setToolTip(
                    _("{name}（{kind}）{until}").format(
                        name=row.resource.name, kind=label(row.resource.kind), until=until
                    )
                )
                self.free_list.addItem(item)

        section(_("房间/包间"), free.rooms)
        section(_("技师/教练"), free.staff)

    def _free_activated(self, item: QListWidgetItem) -> None:
        resource_id = item.data(Qt.ItemDataRole.UserRole)
        if not resource_id:
            return
        start = next_slot(self.clock())
        end = start + timedelta(minutes=60)
        if self._full is not None:
            day = booking_slots.business_day(start, self._full.opens, self._full.closes)
            end = min(end, self._full.window(day)[1])
        self.create_requested.emit(int(resource_id), start, end)

    def counts(self) -> dict[BookingState, int]:
        """Bookings by state on the selected day (one per booking, not per column)."""
        if self._full is None:
            return {}
        day = self.current_day()
        if day not in self._full.days:
            return {}
        start, end = self._full.window(day)
        states: dict[int, BookingState] = {}
        for block in self._full.blocks:
            if start <= block.start_at < end:
                states[block.booking_id] = block.state
        result: dict[BookingState, int] = {}
        for state in states.values():
            result[state] = result.get(state, 0) + 1
        return result

    def summary(self) -> str:
        counts = self.counts()
        total = sum(counts.values())
        parts = [
            _("{state} {n}").format(state=label(s), n=counts[s])
            for s in COUNTED_STATES
            if counts.get(s)
        ]
        head = _("{day}：共 {n} 个预约").format(day=self.current_day().isoformat(), n=total)
        return "　".join([head, *parts])

    def say(self, text: str, *, error: bool = False) -> None:
        """A line above the status: refusals in red, waitlist notices in teal."""
        if not text:
            self.message.clear()
            self.message.hide()
            return
        colour = ERROR_COLOUR if error else NOTICE_COLOUR
        self.message.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.message.setText(text)
        self.message.show()

    # -- creating ------------------------------------------------------------------------------
    def new_booking(self) -> None:
        """Ctrl+Shift+N: a booking in the selected cells, or from the cursor for an hour."""
        view = self.view
        chosen = view.selection()
        if chosen is None:
            start = next_slot(self.clock())
            self.create_requested.emit(0, start, start + timedelta(minutes=60))
            return
        resource_id, start, end = chosen
        if view.anchor_slot == view.cursor_slot and view.board_layout is not None:
            layout = view.board_layout
            day = layout.columns[view.cursor_column].day
            end = min(start + timedelta(minutes=60), layout.window(day)[1])
        view.collapse_selection()  # saved, the new block is under the cursor: Enter opens it
        self.create_requested.emit(resource_id, start, end)

    # -- moving --------------------------------------------------------------------------------
    def _move(self, request: MoveRequest) -> None:
        db, user, now = self.db, self.user, self.clock()
        self.say("")

        def work() -> Change:
            return bookings.reschedule(
                db, user, request.booking_id, start_at=request.start_at,
                end_at=request.end_at, resource_ids=request.resource_ids,
                expected_version=request.version, at=now,
            )  # fmt: skip

        self.runner.submit(work, self._moved, lambda exc: self._move_failed(request, exc))

    def _moved(self, change: Change) -> None:
        self.view.pending = None
        if change.notices:
            self.say("　".join(change.notices))
            self.notices.emit(change.notices)
        self.changed.emit(change.booking_id)
        self.refresh()

    def _move_failed(self, request: MoveRequest, exc: BaseException) -> None:
        self.view.snap_back()
        text, bug = user_message(exc)
        if bug:
            show_error(self, exc)
            return
        self.say(text, error=True)
        self.view.show_refusal(text, request.booking_id)
        if isinstance(exc, BookingConflict):
            self.refresh()  # someone else changed it: show their board

    # -- the life cycle ----------------------------------------------------------------------------
    def on_action(self, booking_id: int, target: object) -> None:
        """A menu action or Delete on a block: arrive and start here, the rest by signal."""
        assert isinstance(target, BookingState)
        self.action_requested.emit(booking_id, target)
        if target in (S.ARRIVED, S.IN_SERVICE):
            self.advance(booking_id, target)
        elif target is S.NO_SHOW:
            answer = QMessageBox.question(
                self,
                _("标记爽约"),
                _("确定把这个预约标记为爽约吗？爽约会记在会员名下，并释放房间和人员。"),
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.advance(booking_id, target)
        elif target is S.CANCELLED:
            if self.isSignalConnected(QMetaMethod.fromSignal(self.cancel_requested)):
                self.cancel_requested.emit(booking_id)
            else:
                self._ask_cancel(booking_id)
        elif target is S.FINISHED:
            if self.isSignalConnected(QMetaMethod.fromSignal(self.finish_requested)):
                self.finish_requested.emit(booking_id)
            else:
                self.advance(booking_id, target)
        elif target is S.SETTLED:
            self.checkout_requested.emit(booking_id)

    def _ask_cancel(self, booking_id: int) -> None:
        """Until a cancel dialog is wired: the reason in a plain input box."""
        reason, ok = QInputDialog.getText(self, _("取消预约"), _("取消原因（必填）："))
        if ok and reason.strip():
            self.advance(booking_id, S.CANCELLED, reason=reason.strip())

    def advance(self, booking_id: int, target: BookingState, *, reason: str | None = None) -> None:
        """One life-cycle step through the runner; a refusal goes to the message line."""
        db, user, now = self.db, self.user, self.clock()
        self.say("")

        def work() -> Change:
            return bookings.transition(db, user, booking_id, target, reason=reason, at=now)

        self.runner.submit(work, self._moved, lambda exc: self._action_failed(booking_id, exc))

    def _action_failed(self, booking_id: int, exc: BaseException) -> None:
        text, bug = user_message(exc)
        if bug:
            show_error(self, exc)
            return
        self.say(text, error=True)
        self.view.show_refusal(text, booking_id)
        self.refresh()


def next_slot(now: datetime) -> datetime:
    """The next quarter hour from ``now`` (``now`` itself when it is one)."""
    start = now.replace(second=0, microsecond=0)
    if start < now:
        start += timedelta(minutes=1)
    return start + timedelta(minutes=(-start.minute) % (SLOT.seconds // 60))

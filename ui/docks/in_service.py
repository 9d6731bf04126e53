"""服务中: the guests in the house — waiting in the lounge, and in service.

The lounge lists the guests received and not yet seated, with how long they have been
waiting: 安排入座 opens the walk-in wizard at its second step, 客人离开 records them as
gone (with a reason).  Below, the bookings in service (and arrived, and finished but not
yet settled) with the elapsed time and the time left, red when overrunning: 开始服务,
加钟 (30 or 60 minutes), 服务结束 (asks the guest's satisfaction) and 结账.

The lists reload every 30 seconds while the dock is shown, and after every change;
``changed()`` tells the window (the board) that something was written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.models.enums import BookingState, Satisfaction
from clubdesk.services import bookings, reception
from clubdesk.services.labels import label
from clubdesk.services.reception import InServiceRow, LoungeRow
from clubdesk.services.staff import StaffMember
from ui.dialogs.walk_in import WalkInWizard, ask_leave_reason
from ui.errors import show_error
from ui.models.rows import CENTER, RIGHT, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner
Clock = Callable[[], datetime]

REFRESH_MS = 30_000
ADD_TIME_CHOICES = (30, 60)
OVERRUN_FG = "#b91c1c"
OVERRUN_BG = "#fee2e2"
SOON_BG = "#fef3c7"  # less than 10 minutes left
ARRIVED_BG = "#dbeafe"
FINISHED_BG = "#dcfce7"
LONG_WAIT_MIN = 15


def _minutes_text(minutes: int) -> str:
    if minutes < 60:
        return _("{m} 分钟").format(m=minutes)
    return _("{h} 小时 {m} 分").format(h=minutes // 60, m=minutes % 60)


def left_text(row: InServiceRow) -> str:
    if row.state is BookingState.FINISHED:
        return _("待结账")
    if row.state is BookingState.ARRIVED:
        return _("未开始")
    if row.overrun:
        return _("超时 {t}").format(t=_minutes_text(row.overrun_min))
    return _("剩余 {t}").format(t=_minutes_text(row.minutes_left))


def _left_background(row: InServiceRow) -> str | None:
    if row.state is BookingState.FINISHED:
        return FINISHED_BG
    if row.state is BookingState.ARRIVED:
        return ARRIVED_BG
    if row.overrun:
        return OVERRUN_BG
    if row.minutes_left < 10:
        return SOON_BG
    return None


def _guest_text(row: InServiceRow) -> str:
    walk_in = _("散客")
    if row.member_id is None and walk_in not in row.guest:
        return _("{guest}（散客）").format(guest=row.guest)
    return row.guest


def _lounge_columns() -> list[Column[LoungeRow]]:
    return [
        Column(_("客人"), lambda r: r.guest),
        Column(_("需求"), lambda r: r.need or "—", tooltip=lambda r: r.need or None),
        Column(_("到店"), lambda r: r.received_at.strftime("%H:%M"), CENTER),
        Column(
            _("已等候"),
            lambda r: _minutes_text(r.waited_min),
            RIGHT,
            foreground=lambda r: OVERRUN_FG if r.waited_min >= LONG_WAIT_MIN else None,
        ),
        Column(_("接待人"), lambda r: r.received_by),
    ]


def _service_columns() -> list[Column[InServiceRow]]:
    def red(row: InServiceRow) -> str | None:
        return OVERRUN_FG if row.overrun else None

    return [
        Column(
            _("客人"),
            _guest_text,
            foreground=red,
            tooltip=lambda r: r.notes or None,
        ),
        Column(_("服务项目"), lambda r: r.service, foreground=red),
        Column(_("房间"), lambda r: _("、").join(r.rooms) or "—", foreground=red),
        Column(_("技师"), lambda r: _("、").join(r.staff) or "—", foreground=red),
        Column(
            _("开始"),
            lambda r: (r.started_at or r.start_at).strftime("%H:%M"),
            CENTER,
            foreground=red,
        ),
        Column(
            _("已服务"),
            lambda r: _minutes_text(r.elapsed_min) if r.elapsed_min is not None else "—",
            RIGHT,
            foreground=red,
        ),
        Column(_("结束"), lambda r: r.end_at.strftime("%H:%M"), CENTER, foreground=red),
        Column(
            _("剩余/超时"),
            left_text,
            CENTER,
            foreground=red,
            background=_left_background,
        ),
        Column(
            _("加钟"),
            lambda r: _("{n} 分钟").format(n=r.added_minutes) if r.added_minutes else "",
            RIGHT,
            foreground=red,
        ),
    ]


class FinishDialog(QDialog):
    """服务结束: the guest's satisfaction (one must be chosen), and whether to settle now."""

    CHOICES = (
        (Satisfaction.SATISFIED, "1"),
        (Satisfaction.AVERAGE, "2"),
        (Satisfaction.DISSATISFIED, "3"),
    )

    def __init__(self, row: InServiceRow, parent: QWidget | None = None, *, checkout: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("服务结束"))
        layout = QVBoxLayout(self)
        text = _("结束“{guest}”的“{service}”（{rooms}）。请问客人对这次服务满意吗？").format(
            guest=row.guest, service=row.service, rooms=_("、").join(row.rooms + row.staff) or "—"
        )
        prompt = QLabel(text, self)
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.group = QButtonGroup(self)
        self.buttons_by_value: dict[Satisfaction | None, QRadioButton] = {}
        row_layout = QHBoxLayout()
        for value, key in self.CHOICES:
            button = QRadioButton(f"{label(value)}(&{key})", self)
            self.group.addButton(button)
            self.buttons_by_value[value] = button
            row_layout.addWidget(button)
        unrated = QRadioButton(_("客人未评价(&0)"), self)
        self.group.addButton(unrated)
        self.buttons_by_value[None] = unrated
        row_layout.addWidget(unrated)
        layout.addLayout(row_layout)
        self.settle = QCheckBox(_("结束后立即结账(&C)"), self)
        self.settle.setChecked(True)
        self.settle.setVisible(not checkout)
        layout.addWidget(self.settle)
        self.box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.box.button(QDialogButtonBox.StandardButton.Ok).setText(_("结束服务"))
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        layout.addWidget(self.box)
        self.group.buttonToggled.connect(lambda *_a: self._update())
        self._update()
        self.buttons_by_value[Satisfaction.SATISFIED].setFocus()
        self._checkout = checkout
        self.setMinimumWidth(460)

    def _update(self) -> None:
        self.box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            self.group.checkedButton() is not None
        )

    def choose(self, value: Satisfaction | None) -> None:
        self.buttons_by_value[value].setChecked(True)

    def satisfaction(self) -> Satisfaction | None:
        for value, button in self.buttons_by_value.items():
            if button.isChecked():
                return value
        return None

    def settle_now(self) -> bool:
        return self._checkout or self.settle.isChecked()

    def accept(self) -> None:
        if self.group.checkedButton() is not None:
            super().accept()


def ask_finish(
    parent: QWidget, row: InServiceRow, *, checkout: bool
) -> tuple[Satisfaction | None, bool] | None:
    """(satisfaction, settle now), or None when cancelled."""
    dialog = FinishDialog(row, parent, checkout=checkout)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.satisfaction(), dialog.settle_now()
    finally:
        dialog.deleteLater()


class InServiceDock(QDockWidget):
    changed = Signal()
    checkout_requested = Signal(int)  # booking id
    loaded = Signal(int)  # guests in the lounge and in service, like the other docks

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: StaffMember | None,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(_("服务中"), parent)
        self.setObjectName("in_service_dock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.db = db
        self.runner = runner
        self.actor = actor
        self.now: Clock = clock or datetime.now
        self._loading = False
        self._stale = False
        self._busy = False

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)

        header = QHBoxLayout()
        self.new_button = QPushButton(_("接待散客(&J)…"), body)
        self.new_button.setToolTip(_("带客：识别客人、了解需求、安排房间和技师"))
        self.new_button.clicked.connect(self.new_walk_in)
        self.refresh_button = QPushButton(_("刷新"), body)
        self.refresh_button.clicked.connect(self.refresh)
        header.addWidget(self.new_button)
        header.addWidget(self.refresh_button)
        header.addStretch(1)
        layout.addLayout(header)

        splitter = QSplitter(Qt.Orientation.Vertical, body)
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)

        top = QWidget(splitter)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.lounge_title = QLabel(top)
        self.lounge_title.setObjectName("sectionTitle")
        self.lounge_title.setStyleSheet("font-weight: bold;")
        top_layout.addWidget(self.lounge_title)
        self.lounge_model: RowsModel[LoungeRow] = RowsModel(_lounge_columns(), self)
        self.lounge_table = self._table(self.lounge_model, top, stretch=1)  # the need
        self.lounge_table.setObjectName("loungeTable")
        top_layout.addWidget(self.lounge_table, 1)
        lounge_buttons = QHBoxLayout()
        self.seat_button = QPushButton(_("安排入座(&S)…"), top)
        self.seat_button.clicked.connect(self.seat_selected)
        self.leave_button = QPushButton(_("客人离开(&L)…"), top)
        self.leave_button.clicked.connect(self.leave_selected)
        lounge_buttons.addWidget(self.seat_button)
        lounge_buttons.addWidget(self.leave_button)
        lounge_buttons.addStretch(1)
        top_layout.addLayout(lounge_buttons)

        bottom = QWidget(splitter)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.service_title = QLabel(bottom)
        self.service_title.setObjectName("sectionTitle")
        self.service_title.setStyleSheet("font-weight: bold;")
        bottom_layout.addWidget(self.service_title)
        self.service_model: RowsModel[InServiceRow] = RowsModel(_service_columns(), self)
        # Many columns in a narrow dock: each as wide as its text, scrolling sideways,
        # rather than a stretched guest column squeezed to nothing.
        self.service_table = self._table(self.service_model, bottom, stretch=None)
        self.service_table.setObjectName("inServiceTable")
        bottom_layout.addWidget(self.service_table, 1)
        service_buttons = QHBoxLayout()
        self.start_button = QPushButton(_("开始服务(&K)"), bottom)
        self.start_button.clicked.connect(self.start_selected)
        self.add_button = QPushButton(_("加钟(&A)"), bottom)
        menu = QMenu(self.add_button)
        for minutes in ADD_TIME_CHOICES:
            action = QAction(_("加钟 {n} 分钟").format(n=minutes), menu)
            action.triggered.connect(lambda _c=False, m=minutes: self.add_time(m))
            menu.addAction(action)
        self.add_button.setMenu(menu)
        self.finish_button = QPushButton(_("服务结束(&E)…"), bottom)
        self.finish_button.clicked.connect(self.finish_selected)
        self.checkout_button = QPushButton(_("结账(&P)…"), bottom)
        self.checkout_button.clicked.connect(self.checkout_selected)
        for button in (
            self.start_button,
            self.add_button,
            self.finish_button,
            self.checkout_button,
        ):
            service_buttons.addWidget(button)
        service_buttons.addStretch(1)
        bottom_layout.addLayout(service_buttons)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        # The lounge rarely holds more than a few guests; the rest goes to the service list.
        self.lounge_table.setMaximumHeight(30 + 4 * 26)

        self.status = QLabel(body)
        self.status.setObjectName("dockStatus")
        layout.addWidget(self.status)
        self.setWidget(body)

        self.lounge_table.selectionModel().currentRowChanged.connect(lambda *_a: self._update())
        self.service_table.selectionModel().currentRowChanged.connect(lambda *_a: self._update())
        self.lounge_table.activated.connect(lambda _i: self.seat_selected())
        self.service_table.activated.connect(lambda _i: self._service_activated())
        for keys, slot in (("Delete", self.leave_selected),):
            shortcut = QShortcut(QKeySequence(keys), self.lounge_table, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)

        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._show_titles()
        self._update()

    def _table(self, model: RowsModel[Any], parent: QWidget, *, stretch: int | None) -> QTableView:
        table = QTableView(parent)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(26)
        header = table.horizontalHeader()
        header.setStretchLastSection(stretch is None)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        table.setWordWrap(False)
        return table

    # -- loading -------------------------------------------------------------------------
    def _tick(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        if self._loading:
            self._stale = True
            return
        self._loading = True
        self._stale = False
        db, now = self.db, self.now()

        def work() -> tuple[list[LoungeRow], list[InServiceRow]]:
            return reception.lounge(db, at=now), reception.in_service(db, at=now, unsettled=True)

        self.runner.submit(work, self._loaded, self._load_failed)

    def _loaded(self, result: tuple[list[LoungeRow], list[InServiceRow]]) -> None:
        self._loading = False
        if self._stale:
            self.refresh()
            return
        lounge_rows, service_rows = result
        lounge_id = self._selected_id(self.lounge_table, self.lounge_model, "reception_id")
        booking_id = self._selected_id(self.service_table, self.service_model, "booking_id")
        self.lounge_model.set_rows(lounge_rows)
        self.service_model.set_rows(service_rows)
        self._reselect(self.lounge_table, lounge_rows, "reception_id", lounge_id)
        self._reselect(self.service_table, service_rows, "booking_id", booking_id)
        self._show_titles()
        overrun = sum(r.overrun for r in service_rows)
        text = _("{time} 更新：休息区 {w} 人，服务中 {s} 人").format(
            time=self.now().strftime("%H:%M"),
            w=len(lounge_rows),
            s=sum(r.state is BookingState.IN_SERVICE for r in service_rows),
        )
        if overrun:
            text += _("，{n} 人超时").format(n=overrun)
        self.status.setText(text)
        self._update()
        self.loaded.emit(len(lounge_rows) + len(service_rows))

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._stale = False
        self.status.setText(_("加载失败"))
        show_error(self, exc)

    @staticmethod
    def _selected_id(table: QTableView, model: RowsModel[Any], key: str) -> int | None:
        row = model.row_at(table.currentIndex().row())
        return getattr(row, key) if row is not None else None

    @staticmethod
    def _reselect(table: QTableView, rows: list[Any], key: str, wanted: int | None) -> None:
        if not rows:
            return
        index = next((n for n, r in enumerate(rows) if getattr(r, key) == wanted), 0)
        table.selectRow(index)

    def _show_titles(self) -> None:
        self.lounge_title.setText(_("休息区等候（{n} 人）").format(n=self.lounge_model.rowCount()))
        self.service_title.setText(
            _("服务中与待结账（{n}）").format(n=self.service_model.rowCount())
        )

    # -- selection -----------------------------------------------------------------------
    def selected_lounge(self) -> LoungeRow | None:
        return self.lounge_model.row_at(self.lounge_table.currentIndex().row())

    def selected_booking(self) -> InServiceRow | None:
        return self.service_model.row_at(self.service_table.currentIndex().row())

    def _update(self) -> None:
        waiting = self.selected_lounge() is not None and not self._busy
        self.seat_button.setEnabled(waiting)
        self.leave_button.setEnabled(waiting)
        row = None if self._busy else self.selected_booking()
        state = row.state if row is not None else None
        self.start_button.setEnabled(state is BookingState.ARRIVED)
        self.add_button.setEnabled(state in (BookingState.ARRIVED, BookingState.IN_SERVICE))
        self.finish_button.setEnabled(state is BookingState.IN_SERVICE)
        self.checkout_button.setEnabled(state in (BookingState.IN_SERVICE, BookingState.FINISHED))

    def _service_activated(self) -> None:
        row = self.selected_booking()
        if row is None:
            return
        if row.state is BookingState.ARRIVED:
            self.start_selected()
        elif row.state is BookingState.IN_SERVICE:
            self.finish_selected()
        else:
            self.checkout_selected()

    # -- actions -------------------------------------------------------------------------
    def _write(self, work: Callable[[], Any], done: Callable[[Any], None] | None = None) -> None:
        self._busy = True
        self._update()

        def ok(result: Any) -> None:
            self._busy = False
            self.changed.emit()
            self.refresh()
            if done is not None:
                done(result)

        def failed(exc: BaseException) -> None:
            self._busy = False
            self._update()
            show_error(self, exc)
            self.refresh()  # another counter may have changed it: show what is true now

        self.runner.submit(work, ok, failed)

    def wizard(self, waiting: LoungeRow | None = None) -> WalkInWizard:
        dialog = WalkInWizard(
            self.db, self.runner, self.actor, self, waiting=waiting, clock=self.now
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for signal in (dialog.seated, dialog.received, dialog.left):
            signal.connect(self._wizard_changed)
        return dialog

    def _wizard_changed(self, _id: int) -> None:
        self.changed.emit()
        self.refresh()

    def new_walk_in(self) -> WalkInWizard:
        dialog = self.wizard()
        dialog.open()
        return dialog

    def seat_selected(self) -> WalkInWizard | None:
        row = self.selected_lounge()
        if row is None or self._busy:
            return None
        dialog = self.wizard(row)
        dialog.open()
        return dialog

    def leave_selected(self) -> None:
        row = self.selected_lounge()
        if row is None or self._busy:
            return
        reason = ask_leave_reason(self, row.guest)
        if reason is None:
            return
        db, actor, now = self.db, self.actor, self.now()
        self._write(lambda: reception.leave(db, actor, row.reception_id, reason, at=now))

    def start_selected(self) -> None:
        row = self.selected_booking()
        if row is None or row.state is not BookingState.ARRIVED or self._busy:
            return
        db, actor, now = self.db, self.actor, self.now()
        self._write(
            lambda: bookings.transition(db, actor, row.booking_id, BookingState.IN_SERVICE, at=now)
        )

    def add_time(self, minutes: int) -> None:
        row = self.selected_booking()
        if row is None or self._busy:
            return
        db, actor, now = self.db, self.actor, self.now()
        self._write(lambda: bookings.add_time(db, actor, row.booking_id, minutes, at=now))

    def finish_selected(self, *, checkout: bool = False) -> None:
        row = self.selected_booking()
        if row is None or row.state is not BookingState.IN_SERVICE or self._busy:
            return
        answer = ask_finish(self, row, checkout=checkout)
        if answer is None:
            return
        satisfaction, settle = answer
        db, actor, now = self.db, self.actor, self.now()
        booking_id = row.booking_id

        def done(_change: Any) -> None:
            if settle:
                self.checkout_requested.emit(booking_id)

        self._write(
            lambda: bookings.transition(
                db, actor, booking_id, BookingState.FINISHED, satisfaction=satisfaction, at=now
            ),
            done,
        )

    def checkout_selected(self) -> None:
        row = self.selected_booking()
        if row is None or self._busy:
            return
        if row.state is BookingState.IN_SERVICE:
            self.finish_selected(checkout=True)
        elif row.state is BookingState.FINISHED:
            self.checkout_requested.emit(row.booking_id)

    def focus_table(self) -> None:
        self.raise_()
        target = self.lounge_table if self.lounge_model.rowCount() else self.service_table
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

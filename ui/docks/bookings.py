"""预约看板: the day's bookings with their state; day navigation from the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDateEdit, QPushButton, QWidget

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.models.enums import BookingState
from clubdesk.services import bookings
from clubdesk.services.bookings import BookingRow
from clubdesk.services.labels import label
from ui.docks.base import TableDock
from ui.models.rows import CENTER, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner

STATE_COLOURS = {
    BookingState.BOOKED: "#dbeafe",
    BookingState.ARRIVED: "#fef3c7",
    BookingState.IN_SERVICE: "#fde68a",
    BookingState.FINISHED: "#dcfce7",
    BookingState.SETTLED: "#e5e7eb",
    BookingState.CANCELLED: "#f3f4f6",
    BookingState.NO_SHOW: "#fee2e2",
}


def _columns() -> list[Column[BookingRow]]:
    return [
        Column(_("开始"), lambda r: r.start_at.strftime("%H:%M"), CENTER),
        Column(_("结束"), lambda r: r.end_at.strftime("%H:%M"), CENTER),
        Column(_("客人"), lambda r: r.guest, tooltip=lambda r: _("散客") if r.walk_in else None),
        Column(_("服务项目"), lambda r: r.service),
        Column(_("房间/技师"), lambda r: r.resources),
        Column(
            _("状态"),
            lambda r: label(r.state),
            CENTER,
            background=lambda r: STATE_COLOURS.get(r.state),
        ),
    ]


class BookingsDock(TableDock):
    def __init__(
        self, db: Database, runner: TaskRunner | SyncRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__("bookings_dock", _("预约看板"), db, runner, RowsModel(_columns()), parent)
        self.day = QDateEdit(QDate.currentDate(), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd dddd")
        self.day.dateChanged.connect(lambda _d: self.refresh())
        prev_btn = QPushButton(_("前一天"), self)
        today_btn = QPushButton(_("今天"), self)
        next_btn = QPushButton(_("后一天"), self)
        prev_btn.setToolTip(_("前一天（Alt+←）"))
        next_btn.setToolTip(_("后一天（Alt+→）"))
        prev_btn.clicked.connect(lambda: self.shift(-1))
        next_btn.clicked.connect(lambda: self.shift(1))
        today_btn.clicked.connect(lambda: self.day.setDate(QDate.currentDate()))
        for widget in (prev_btn, today_btn, next_btn, self.day):
            self.header.addWidget(widget)
        self.header.addStretch(1)
        QShortcut(QKeySequence("Alt+Left"), self, lambda: self.shift(-1))
        QShortcut(QKeySequence("Alt+Right"), self, lambda: self.shift(1))
        self.column_widths([60, 60, 120, 120, 160, 80])

    def shift(self, days: int) -> None:
        self.day.setDate(self.day.date().addDays(days))

    def current_day(self) -> date:
        return self.day.date().toPython()  # type: ignore[no-any-return]

    def loader(self) -> Callable[[], list[BookingRow]]:
        db, day = self.db, self.current_day()  # read the widget here, on the GUI thread
        return lambda: bookings.day_bookings(db, day)

    def summary(self) -> str:
        rows: list[BookingRow] = self.model.rows()
        active = sum(
            r.state in (BookingState.BOOKED, BookingState.ARRIVED, BookingState.IN_SERVICE)
            for r in rows
        )
        return _("{day}：共 {n} 个预约，其中 {a} 个进行中或待到店").format(
            day=self.current_day().isoformat(), n=len(rows), a=active
        )

    def show_rows(self, result: Any) -> None:
        self.model.set_rows(result)

"""回访: the return visits to make — overdue ones in red on top, then by due date —
with the do-not-disturb banner, a filter (近期待回访 / 逾期 / 全部未完成), 回访 for the
selected visit (Enter or a double click) and 覆盖率… for the members nobody called.

The dock opens the return-visit dialog itself and passes its 转为投诉 on through
``complaint_requested``; the window turns that into the complaint registration form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QVBoxLayout, QWidget

from clubdesk.db.engine import Database
from clubdesk.errors import PermissionDenied
from clubdesk.i18n import N_, _
from clubdesk.services import return_visits
from clubdesk.services.return_visits import VisitCall, VisitCalls
from clubdesk.services.staff import StaffMember
from ui.dialogs.return_visit import OVERDUE_COLOUR, QUIET_STYLE, quiet_text
from ui.docks.base import TableDock
from ui.models.rows import CENTER, Column, RowsModel
from ui.shortcuts import widget_shortcut
from ui.tasks import SyncRunner, TaskRunner

if TYPE_CHECKING:
    from ui.dialogs.return_visit import ReturnVisitDialog
    from ui.dialogs.visit_coverage import VisitCoverageDialog

Clock = Callable[[], datetime]


class VisitFilter(IntEnum):
    DUE = 0  # due today or overdue
    OVERDUE = 1
    ALL = 2  # every visit not done, later ones too


FILTER_TEXTS = {
    VisitFilter.DUE: N_("近期待回访"),
    VisitFilter.OVERDUE: N_("逾期"),
    VisitFilter.ALL: N_("全部未完成"),
}


def _due(r: VisitCall) -> str:
    day = r.due_on.strftime("%m-%d")
    if r.days_overdue:
        return _("{day} 逾期 {n} 天").format(day=day, n=r.days_overdue)
    return day


def _columns() -> list[Column[VisitCall]]:
    def red(r: VisitCall) -> str | None:
        return OVERDUE_COLOUR if r.overdue else None

    return [
        Column(_("期限"), _due, CENTER, foreground=red),
        Column(_("回访对象"), lambda r: r.who, foreground=red),
        Column(_("电话"), lambda r: r.phone or "—"),
        Column(_("来源"), lambda r: r.source_label, CENTER),
        Column(_("回访内容"), lambda r: r.about, tooltip=lambda r: r.about),
        Column(_("客服专员"), lambda r: r.specialist or "—"),
    ]


class ReturnVisitsDock(TableDock):
    """``ReturnVisitsDock(db, runner, user, parent)``: refresh(), focus_table(), loaded."""

    complaint_requested = Signal(int)  # a dissatisfied visit's id: register a complaint
    recorded = Signal(int)  # a visit's outcome was saved
    planned = Signal(int)  # periodic visits planned from the coverage dialog (how many)
    overdue_changed = Signal(int)  # overdue visits not done, for the status bar

    def __init__(
        self,
        db: Database,
        runner: TaskRunner | SyncRunner,
        user: StaffMember | None,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__("visits_dock", _("回访"), db, runner, RowsModel(_columns()), parent)
        self.user = user
        self.clock: Clock = clock or datetime.now
        self.calls: VisitCalls | None = None
        self.denied: str | None = None
        # The dialogs opened last (tests and the window's wiring look at them).
        self.dialog: ReturnVisitDialog | None = None
        self.coverage_dialog: VisitCoverageDialog | None = None

        show = QLabel(_("显示(&F)："), self)
        self.filter = QComboBox(self)
        self.filter.setObjectName("visitFilter")
        for value, text in FILTER_TEXTS.items():
            self.filter.addItem(_(text), int(value))
        show.setBuddy(self.filter)
        self.visit_button = QPushButton(_("回访(&H)…"), self)
        self.visit_button.setToolTip(_("回访选中的顾客（Enter 或双击）"))
        self.coverage_button = QPushButton(_("覆盖率(&G)…"), self)
        self.coverage_button.setToolTip(_("本月还没有回访过的会员，可为他们安排定期回访"))
        self.header.addWidget(show)
        self.header.addWidget(self.filter)
        self.header.addStretch(1)
        self.header.addWidget(self.visit_button)
        self.header.addWidget(self.coverage_button)

        self.banner = QLabel(self)
        self.banner.setObjectName("visitQuietBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(QUIET_STYLE)
        self.banner.hide()
        body = self.widget().layout()
        assert isinstance(body, QVBoxLayout)
        body.insertWidget(1, self.banner)  # between the header and the table

        self.column_widths([110, 90, 110, 70, 220, 80])
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.visit_button.clicked.connect(self.open_selected)
        self.coverage_button.clicked.connect(self.open_coverage)
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        widget_shortcut(self.table, Qt.Key.Key_Return, self.open_selected)
        widget_shortcut(self.table, Qt.Key.Key_Enter, self.open_selected)

    # -- loading ------------------------------------------------------------------------
    def current_filter(self) -> VisitFilter:
        return VisitFilter(int(self.filter.currentData()))

    def set_filter(self, value: VisitFilter) -> None:
        self.filter.setCurrentIndex(self.filter.findData(int(value)))

    def loader(self) -> Callable[[], VisitCalls]:
        db, user, now, chosen = self.db, self.user, self.clock(), self.current_filter()
        return lambda: return_visits.calls_to_make(
            db, user, now,
            include_later=chosen is VisitFilter.ALL,
            overdue_only=chosen is VisitFilter.OVERDUE,
        )  # fmt: skip

    def show_rows(self, result: VisitCalls) -> None:
        self.calls = result
        self.denied = None
        self.model.set_rows(result.rows)
        self.overdue_changed.emit(result.overdue)
        if result.quiet and result.callable_from is not None:
            self.banner.setText(quiet_text(result.callable_from, self.clock()))
            self.banner.show()
        else:
            self.banner.hide()
        if result.rows and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def summary(self) -> str:
        if self.denied is not None:
            return self.denied
        calls = self.calls
        if calls is None:
            return ""
        text = _("待回访 {total} 条，其中逾期 {overdue} 条").format(
            total=calls.total, overdue=calls.overdue
        )
        if len(calls.rows) < calls.total:
            text += _("（显示最早到期的 {n} 条）").format(n=len(calls.rows))
        return text

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, PermissionDenied):
            # A role that makes no return visits: say so here, not in a box at every F5.
            self._loading = False
            self._stale = False
            self.calls = None
            self.denied = exc.message
            self.model.set_rows([])
            self.banner.hide()
            self.status.setText(exc.message)
            self.loaded.emit(0)
            return
        super()._on_failed(exc)

    # -- requests -----------------------------------------------------------------------
    def selected_visit(self) -> int | None:
        row = self.selected_row()
        return row.id if isinstance(row, VisitCall) else None

    def open_selected(self) -> None:
        visit_id = self.selected_visit()
        if visit_id is None:
            self.status.setText(_("请先在列表中选中一条回访。"))
            self.focus_table()
            return
        self.open_visit(visit_id)

    def open_visit(self, visit_id: int) -> None:
        from ui.dialogs.return_visit import ReturnVisitDialog

        dialog = ReturnVisitDialog(
            self.db, self.runner, self.user, visit_id, self.window(), clock=self.clock
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.recorded.connect(self._recorded)
        dialog.complaint_requested.connect(self.complaint_requested)
        self.dialog = dialog
        dialog.show()

    def _recorded(self, visit_id: int) -> None:
        self.refresh()
        self.recorded.emit(visit_id)

    def open_coverage(self) -> None:
        from ui.dialogs.visit_coverage import VisitCoverageDialog

        dialog = VisitCoverageDialog(
            self.db, self.runner, self.user, self.window(), clock=self.clock
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.planned.connect(self._planned)
        self.coverage_dialog = dialog
        dialog.show()

    def _planned(self, count: int) -> None:
        self.refresh()
        self.planned.emit(count)

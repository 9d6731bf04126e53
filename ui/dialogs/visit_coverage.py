"""回访覆盖率: every member gets return visits (domain.md section 4).  For a period (this
month by default): how many members were visited, the rate, and page by page the
members nobody called — those whose last time at the club lies furthest back first —
with 为选中会员安排回访 / 为本页全部安排 planning periodic visits due in the settings'
``visit.due_days``.  The pages come from the service 50 at a time (a million members
never reach the GUI)."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError
from clubdesk.i18n import _
from clubdesk.services import return_visits
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.return_visits import Coverage, UncoveredMember
from clubdesk.services.staff import StaffMember
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, confirm
from ui.dialogs.writing import WritingDialog
from ui.errors import show_error
from ui.models.rows import CENTER, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner
Clock = Callable[[], datetime]
PAGE_SIZE = 50


def month_span(day: date, months_back: int = 0) -> tuple[date, date]:
    """The first and last day of ``day``'s month, or of a month before it."""
    year, month = day.year, day.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True, slots=True)
class Planned:
    count: int
    asked: int
    due_on: date


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else "—"


def _columns() -> list[Column[UncoveredMember]]:
    return [
        Column(_("姓名"), lambda r: r.name),
        Column(_("手机"), lambda r: r.phone),
        Column(_("等级"), lambda r: r.tier, CENTER),
        Column(_("入会日期"), lambda r: r.joined_on.strftime("%Y-%m-%d"), CENTER),
        Column(
            _("最近到店"),
            lambda r: _when(r.last_visit_at) if r.last_visit_at else _("从未到店"),
            CENTER,
        ),
        Column(_("上次回访"), lambda r: _when(r.last_return_visit), CENTER),
        Column(
            _("待办回访"),
            lambda r: (
                _("{day} 到期").format(day=r.open_visit_due.strftime("%m-%d"))
                if r.open_visit_due
                else "—"
            ),
            CENTER,
            foreground=lambda r: OK_COLOUR if r.open_visit_due else None,
        ),
        Column(_("客服专员"), lambda r: r.specialist or "—"),
    ]


class VisitCoverageDialog(WritingDialog):
    """``VisitCoverageDialog(db, runner, user, parent)``.  It writes (plans visits), so
    it stays open until the runner answers: the confirmation is never lost."""

    planned = Signal(int)  # how many periodic visits were planned

    def __init__(
        self,
        db: Database,
        runner: Runner,
        user: StaffMember | None,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.user = user
        self.clock: Clock = clock or datetime.now
        self.coverage: Coverage | None = None
        self.offset = 0
        self.busy = False
        self._after_load: tuple[str, str] | None = None  # a message the next page keeps
        self.setWindowTitle(_("回访覆盖率"))
        self.resize(960, 620)

        first, last = month_span(self.clock().date())
        self.start = self._date_edit(first)
        self.end = self._date_edit(last)
        start_label = QLabel(_("从(&S)："), self)
        start_label.setBuddy(self.start)
        end_label = QLabel(_("到(&E)："), self)
        end_label.setBuddy(self.end)
        self.this_month = QPushButton(_("本月"), self)
        self.last_month = QPushButton(_("上月"), self)
        self.query = QPushButton(_("查询(&Q)"), self)
        self.query.setDefault(True)
        period = QHBoxLayout()
        for widget in (start_label, self.start, end_label, self.end):
            period.addWidget(widget)
        period.addSpacing(8)
        for button in (self.this_month, self.last_month, self.query):
            period.addWidget(button)
        period.addStretch(1)

        self.gauge = QProgressBar(self)
        self.gauge.setObjectName("coverageGauge")
        self.gauge.setRange(0, 1000)
        self.gauge.setTextVisible(True)
        self.gauge.setFixedWidth(220)
        self.gauge.setFormat("—")
        self.gauge.setValue(0)
        self.figures = QLabel(self)
        self.figures.setObjectName("coverageFigures")
        self.figures.setWordWrap(True)
        figures = QHBoxLayout()
        rate_caption = QLabel(_("覆盖率："), self)
        rate_caption.setStyleSheet("font-weight: bold;")
        figures.addWidget(rate_caption)
        figures.addWidget(self.gauge)
        figures.addSpacing(12)
        figures.addWidget(self.figures, 1)

        self.note = QLabel(
            _(
                "下表是这段时间内还没有完成过回访的会员（统计在结束日期前入会的全部会员），"
                "最久没到店的排在前面。选中后可为他们安排定期回访。"
            ),
            self,
        )
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #4b5563;")

        self.model: RowsModel[UncoveredMember] = RowsModel(_columns())
        self.table = QTableView(self)
        self.table.setObjectName("coverageTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(False)
        for column, width in enumerate((90, 110, 80, 95, 95, 95, 90, 80)):
            self.table.setColumnWidth(column, width)

        self.previous = QPushButton(_("上一页(&P)"), self)
        self.next = QPushButton(_("下一页(&N)"), self)
        self.page = QLabel(self)
        paging = QHBoxLayout()
        paging.addWidget(self.previous)
        paging.addWidget(self.page)
        paging.addWidget(self.next)
        paging.addStretch(1)

        self.status = QLabel(self)
        self.status.setObjectName("coverageStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(22)
        self.plan_selected = QPushButton(_("为选中会员安排回访(&A)"), self)
        self.plan_page = QPushButton(_("为本页全部安排(&L)"), self)
        close = QPushButton(_("关闭"), self)
        close.setAutoDefault(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.plan_selected)
        bottom.addWidget(self.plan_page)
        bottom.addWidget(close)
        may_plan = allowed(user, Permission.RETURN_VISIT)
        for button in (self.plan_selected, self.plan_page):
            button.setAutoDefault(False)
            if not may_plan:
                button.setToolTip(_("您的账号没有“回访”权限，请联系前台或主管安排。"))

        layout = QVBoxLayout(self)
        layout.addLayout(period)
        layout.addLayout(figures)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(paging)
        layout.addLayout(bottom)

        self.may_plan = may_plan
        self.query.clicked.connect(lambda: self.load(0))
        self.this_month.clicked.connect(lambda: self.set_period(*month_span(self.clock().date())))
        self.last_month.clicked.connect(
            lambda: self.set_period(*month_span(self.clock().date(), 1))
        )
        self.previous.clicked.connect(lambda: self.load(max(0, self.offset - PAGE_SIZE)))
        self.next.clicked.connect(lambda: self.load(self.offset + PAGE_SIZE))
        self.plan_selected.clicked.connect(self.plan_for_selection)
        self.plan_page.clicked.connect(self.plan_for_page)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        close.clicked.connect(self.reject)
        self._update_buttons()
        self.load(0)

    def _date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("2026-11-23") + 48)
        return edit

    def period(self) -> tuple[date, date]:
        start, end = self.start.date(), self.end.date()
        return (
            date(start.year(), start.month(), start.day()),
            date(end.year(), end.month(), end.day()),
        )

    def set_period(self, start: date, end: date) -> None:
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))
        self.load(0)

    # -- loading ------------------------------------------------------------------------
    def load(self, offset: int) -> None:
        if self.busy:
            return
        start, end = self.period()
        db, user = self.db, self.user
        self.busy = True
        self._update_buttons()
        self.say(_("正在统计…"))
        self.runner.submit(
            lambda: return_visits.uncovered(
                db, start, end, offset=offset, limit=PAGE_SIZE, actor=user
            ),
            self._show,
            self._failed,
        )

    def _show(self, coverage: Coverage) -> None:
        if not self.alive():
            return
        self.busy = False
        self.coverage = coverage
        self.offset = coverage.offset
        self.model.set_rows(coverage.rows)
        if coverage.rate is None:
            self.gauge.setValue(0)
            self.gauge.setFormat("—")
        else:
            self.gauge.setValue(round(coverage.rate * 1000))
            self.gauge.setFormat(f"{coverage.rate:.1%}")
        self.figures.setText(
            _(
                "截至 {end} 入会的会员 {members:,} 位，这段时间已回访 {covered:,} 位，"
                "未回访 {uncovered:,} 位。"
            ).format(
                end=coverage.end.strftime("%Y-%m-%d"),
                members=coverage.members,
                covered=coverage.covered,
                uncovered=coverage.uncovered,
            )
        )
        pages = max(1, -(-coverage.uncovered // PAGE_SIZE))
        self.page.setText(
            _("第 {page:,} / {pages:,} 页").format(page=self.offset // PAGE_SIZE + 1, pages=pages)
        )
        if self._after_load is not None:
            self.say(*self._after_load)
            self._after_load = None
        elif coverage.uncovered == 0 and coverage.members:
            self.say(_("这段时间每位会员都回访过了。"), OK_COLOUR)
        else:
            self.say("")
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._writing = False
        self.busy = False
        self._after_load = None
        self._update_buttons()
        if isinstance(exc, ClubDeskError):
            self.say(exc.message, ERROR_COLOUR)
        else:
            self.say(_("统计失败。"), ERROR_COLOUR)
            show_error(self, exc)

    def _update_buttons(self) -> None:
        c = self.coverage
        idle = not self.busy
        self.previous.setEnabled(idle and c is not None and self.offset > 0)
        self.next.setEnabled(idle and c is not None and c.has_more)
        chosen = bool(self.table.selectionModel().selectedRows())
        self.plan_selected.setEnabled(idle and self.may_plan and chosen)
        self.plan_page.setEnabled(idle and self.may_plan and bool(self.model.rowCount()))

    # -- planning -----------------------------------------------------------------------
    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [r.member_id for i in rows if (r := self.model.row_at(i)) is not None]

    def plan_for_selection(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.say(_("请先在表中选中会员（可按住 Ctrl 或 Shift 多选）。"), ERROR_COLOUR)
            return
        self._plan(ids)

    def plan_for_page(self) -> None:
        ids = [r.member_id for r in self.model.rows()]
        if not ids:
            return
        if not confirm(
            self,
            _("安排回访"),
            _("为本页 {n} 位会员安排定期回访？已有待办回访的会员不会重复安排。").format(n=len(ids)),
        ):
            return
        self._plan(ids)

    def _plan(self, ids: list[int]) -> None:
        if self.busy:
            return
        db, user, now = self.db, self.user, self.clock()

        def work() -> Planned:
            days = int(settings.get_value(db, "visit.due_days"))
            due = now.date() + timedelta(days=days)
            count = return_visits.plan_periodic(db, user, ids, due, now)
            return Planned(count, len(ids), due)

        self.busy = True
        self._writing = True
        self._update_buttons()
        self.say(_("正在安排…"))
        self.runner.submit(work, self._planned, self._failed)

    def _planned(self, done: Planned) -> None:
        if not self.alive():
            return
        self._writing = False
        self.busy = False
        text = _("已为 {n} 位会员安排定期回访，{day} 前完成。").format(
            n=done.count, day=done.due_on.strftime("%Y-%m-%d")
        )
        if done.asked > done.count:
            text += _("另有 {n} 位已有待办回访，没有重复安排。").format(n=done.asked - done.count)
        self.planned.emit(done.count)
        self._after_load = (text, OK_COLOUR)
        self.load(self.offset)  # the 待办回访 column now shows the new visits

    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

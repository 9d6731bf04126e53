"""投诉: the complaints to act on, overdue ones first and in red.

Filters: 未结 (every open complaint, by deadline), 超时 (past the next step's
deadline), 我的 (those the logged-in user handles, or registered and nobody took on
yet) and 全部 (open ones plus those closed in the last 30 days).  Enter or a double
click opens a case (``open_requested``); 登记投诉 asks for the registration form
(``register_requested``).  ``overdue_changed`` carries the number of overdue
complaints in the whole club, for the status bar.

The columns start with what the front desk looks for in a dock about 520 px wide:
the number, who complained, about what, the next step and its deadline (the row is
red when it is late); the rest is to the right.  A refresh keeps the selected
complaint selected; ``reveal(id)`` selects and scrolls to one (a new registration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QButtonGroup, QPushButton, QWidget

from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.models.enums import ComplaintStepKind
from clubdesk.services import complaints
from clubdesk.services.complaint_rules import next_step
from clubdesk.services.complaints import ComplaintRow
from clubdesk.services.labels import label
from clubdesk.services.staff import StaffMember
from ui.dialogs.complaint_steps import todo_name
from ui.docks.base import TableDock
from ui.models.rows import CENTER, Column, RowsModel
from ui.shortcuts import widget_shortcut
from ui.tasks import SyncRunner, TaskRunner

OVERDUE = "#b91c1c"
CLOSED = "#6b7280"
Clock = Callable[[], datetime]
REFRESH_MS = 5 * 60 * 1000


class Filter(Enum):
    OPEN = N_("未结")
    OVERDUE = N_("超时")
    MINE = N_("我的")
    ALL = N_("全部（近30天）")


@dataclass(frozen=True, slots=True)
class _Loaded:
    rows: list[ComplaintRow]
    overdue_total: int


def _colour(r: ComplaintRow) -> str | None:
    if r.overdue:
        return OVERDUE
    return CLOSED if r.step is ComplaintStepKind.CLOSED else None


def _due(r: ComplaintRow) -> str:
    """ "11-10 21:37", and "超时" after it when late (the row is red as well)."""
    if r.step is ComplaintStepKind.CLOSED:
        return "—"
    text = r.due_at.strftime("%m-%d %H:%M")
    return _("{due} 超时").format(due=text) if r.overdue else text


def _due_tip(r: ComplaintRow) -> str | None:
    if r.step is ComplaintStepKind.CLOSED:
        return None
    due = r.due_at.strftime("%Y-%m-%d %H:%M")
    upcoming = _next(r)
    if r.overdue:
        return _("“{step}”应在 {due} 前完成，已超时").format(step=upcoming, due=due)
    return _("“{step}”应在 {due} 前完成").format(step=upcoming, due=due)


def _next(r: ComplaintRow) -> str:
    upcoming = next_step(r.step)
    return todo_name(upcoming) if upcoming is not None else "—"


def _number_tip(r: ComplaintRow) -> str:
    return _("{number}　受理于 {at}").format(
        number=r.number, at=r.received_at.strftime("%Y-%m-%d %H:%M")
    )


COLUMN_WIDTHS = [112, 64, 72, 84, 104, 60, 72, 84, 40, 60]


def _columns() -> list[Column[ComplaintRow]]:
    def plain(title: str, text: Callable[[ComplaintRow], str], **kw: Any) -> Column[ComplaintRow]:
        return Column(title, text, foreground=_colour, **kw)

    return [
        plain(_("编号"), lambda r: r.number, tooltip=_number_tip),
        plain(_("投诉人"), lambda r: r.complainant + (_("（敏感）") if r.sensitive else "")),
        plain(_("类别"), lambda r: r.category),
        plain(_("下一步"), _next, align=CENTER),
        plain(_("期限"), _due, align=CENTER, tooltip=_due_tip),
        plain(_("处理人"), lambda r: r.handler or "—", align=CENTER),
        plain(_("当前步骤"), lambda r: label(r.step), align=CENTER),
        plain(_("受理时间"), lambda r: r.received_at.strftime("%m-%d %H:%M"), align=CENTER),
        plain(_("渠道"), lambda r: label(r.channel), align=CENTER),
        plain(_("严重程度"), lambda r: label(r.severity), align=CENTER),
    ]


class ComplaintsDock(TableDock):
    overdue_changed = Signal(int)  # overdue complaints in the whole club
    open_requested = Signal(int)  # a complaint id
    register_requested = Signal()

    def __init__(
        self,
        db: Database,
        runner: TaskRunner | SyncRunner,
        parent: QWidget | None = None,
        *,
        user: StaffMember | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            "complaints_dock", _("投诉登记"), db, runner, RowsModel(_columns()), parent
        )
        self.user = user
        self.clock: Clock = clock or datetime.now
        self.filter = Filter.OPEN
        self.overdue_total = 0
        self._reveal: int | None = None  # a complaint to select once the rows are read
        self.filters = QButtonGroup(self)
        self.filters.setExclusive(True)
        self.filter_buttons: dict[Filter, QPushButton] = {}
        for choice in Filter:
            button = QPushButton(_(choice.value), self)
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(lambda _c=False, f=choice: self.set_filter(f))
            self.filters.addButton(button)
            self.filter_buttons[choice] = button
            self.header.addWidget(button)
        self.filter_buttons[Filter.OPEN].setChecked(True)
        mine = self.filter_buttons[Filter.MINE]
        mine.setEnabled(user is not None)
        mine.setToolTip(_("我处理的投诉，以及我登记、还没有人接手的投诉"))
        self.header.addStretch(1)
        self.register_button = QPushButton(_("登记投诉…"), self)
        self.register_button.setToolTip(_("登记新的投诉（快捷键 Ctrl+Shift+C）"))
        self.register_button.setAutoDefault(False)
        self.register_button.clicked.connect(lambda _c=False: self.register_requested.emit())
        self.open_button = QPushButton(_("打开"), self)
        self.open_button.setAutoDefault(False)
        self.open_button.setToolTip(_("打开选中的投诉（回车或双击）"))
        self.open_button.clicked.connect(lambda _c=False: self.open_current())
        self.header.addWidget(self.register_button)
        self.header.addWidget(self.open_button)
        self.column_widths(COLUMN_WIDTHS)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(self.table, key, self.open_current)
        # Deadlines pass while nobody touches anything: read again now and then, so a
        # complaint turns red (and the status bar counts it) when it becomes late.
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    # -- filters -----------------------------------------------------------------------
    def set_filter(self, choice: Filter) -> None:
        self.filter_buttons[choice].setChecked(True)
        if choice != self.filter:
            self.filter = choice
            self.refresh()

    def set_user(self, user: StaffMember | None) -> None:
        self.user = user
        self.filter_buttons[Filter.MINE].setEnabled(user is not None)

    # -- loading -----------------------------------------------------------------------
    def loader(self) -> Callable[[], _Loaded]:
        db, now, user, choice = self.db, self.clock(), self.user, self.filter

        def work() -> _Loaded:
            rows = complaints.recent(
                db,
                now,
                user,
                mine=choice is Filter.MINE,
                overdue_only=choice is Filter.OVERDUE,
                open_only=choice in (Filter.OPEN, Filter.OVERDUE),
            )
            return _Loaded(rows, complaints.overdue_count(db, now, user))

        return work

    def show_rows(self, result: Any) -> None:
        assert isinstance(result, _Loaded)
        self.overdue_total = result.overdue_total
        kept = self.selected_id()
        self.model.set_rows(result.rows)
        self.open_button.setEnabled(bool(result.rows))
        wanted = self._reveal if self._reveal is not None else kept
        self._reveal = None
        ids = [r.id for r in result.rows]
        if wanted in ids:
            self.select_row(ids.index(wanted))
        elif result.rows:
            self.select_row(0)
        self.overdue_changed.emit(result.overdue_total)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))

    def reveal(self, complaint_id: int) -> None:
        """Read the rows again and select ``complaint_id`` (just registered): in the
        超时 view a new complaint is not there, so the view turns to 未结."""
        self._reveal = complaint_id
        if self.filter is Filter.OVERDUE:
            self.set_filter(Filter.OPEN)
        else:
            self.refresh()

    def summary(self) -> str:
        """ "未结 27 宗，其中超时 25 宗", "超时 25 宗", "我的 5 宗，其中未结 3 宗、超时 1 宗"."""
        rows: list[ComplaintRow] = self.model.rows()
        shown = len(rows)
        open_rows = sum(r.step is not ComplaintStepKind.CLOSED for r in rows)
        overdue = sum(r.overdue for r in rows)
        if self.filter is Filter.OVERDUE:
            text = _("超时 {n} 宗").format(n=shown) if shown else _("没有超时的投诉")
        elif not shown:
            text = {
                Filter.OPEN: _("没有未结的投诉"),
                Filter.MINE: _("没有我的投诉"),
                Filter.ALL: _("近30天没有投诉"),
            }[self.filter]
        else:
            what = {
                Filter.OPEN: _("未结 {n} 宗"),
                Filter.MINE: _("我的 {n} 宗"),
                Filter.ALL: _("全部 {n} 宗"),
            }[self.filter].format(n=shown)
            if open_rows < shown:
                text = _("{what}，其中未结 {open} 宗、超时 {overdue} 宗").format(
                    what=what, open=open_rows, overdue=overdue
                )
            elif overdue:
                text = _("{what}，其中超时 {overdue} 宗").format(what=what, overdue=overdue)
            else:
                text = _("{what}，没有超时").format(what=what)
        if self.overdue_total != overdue:
            # Others' complaints, or sensitive ones the user may not see, are late too.
            text += _("；全店超时 {total} 宗").format(total=self.overdue_total)
        return text

    # -- opening -----------------------------------------------------------------------
    def open_current(self) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            self._open_row(current.row())

    def _open_row(self, row: int) -> None:
        complaint = self.model.row_at(row)
        if complaint is not None:
            self.open_requested.emit(complaint.id)

    def selected_id(self) -> int | None:
        row = self.selected_row()
        return row.id if isinstance(row, ComplaintRow) else None

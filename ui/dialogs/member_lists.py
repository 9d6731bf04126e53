"""Derived member lists: birthdays with greetings to copy, the churn warning, and
the period dialog for printing a member's statement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.services import derived
from clubdesk.services.derived import (
    BirthdayList,
    BirthdayPeriod,
    BirthdayRow,
    ChurnList,
    ChurnRow,
)
from clubdesk.services.staff import StaffMember
from ui.errors import show_error
from ui.models.rows import CENTER, RIGHT, Column, RowsModel
from ui.shortcuts import widget_shortcut
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner


def _table(parent: QWidget, model: RowsModel[object]) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(False)
    return table


class BirthdaysDialog(QDialog):
    """生日提醒: today, this week, this month; copy the greeting of the chosen members."""

    open_member = Signal(int)
    PERIODS = (BirthdayPeriod.TODAY, BirthdayPeriod.WEEK, BirthdayPeriod.MONTH)

    def __init__(self, db: Database, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("生日提醒"))
        self.resize(920, 560)
        self.db, self.runner = db, runner
        self.model: RowsModel[BirthdayRow] = RowsModel(
            [
                Column(_("姓名"), lambda r: r.name),
                Column(_("手机"), lambda r: r.phone_masked),
                Column(_("生日"), lambda r: r.birthday.strftime("%m-%d"), CENTER),
                Column(_("周岁"), lambda r: str(r.turning), RIGHT),
                Column(_("等级"), lambda r: r.tier_name),
                Column(_("祝福语"), lambda r: r.greeting, tooltip=lambda r: r.greeting),
            ]
        )
        self.tabs = QTabBar(self)
        for text in (_("今天"), _("本周（7 天内）"), _("本月")):
            self.tabs.addTab(text)
        self.table = _table(self, self.model)  # type: ignore[arg-type]
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        for column, width in enumerate((90, 110, 60, 50, 90)):
            self.table.setColumnWidth(column, width)
        self.status = QLabel(self)
        copy = QPushButton(_("复制祝福语(&C)"), self)
        copy.setToolTip(_("复制所选会员的祝福语（Ctrl+C），可粘贴到短信或微信"))
        close = QPushButton(_("关闭"), self)

        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(copy)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self.tabs.currentChanged.connect(lambda _i: self.load())
        copy.clicked.connect(self.copy_greetings)
        close.clicked.connect(self.close)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        widget_shortcut(
            self.table, Qt.Key.Key_Return, lambda: self._open(self.table.currentIndex().row())
        )
        widget_shortcut(self.table, QKeySequence.StandardKey.Copy, self.copy_greetings)
        self.load()

    def load(self) -> None:
        period = self.PERIODS[self.tabs.currentIndex()]
        self.status.setText(_("正在加载…"))
        db = self.db
        self.runner.submit(
            lambda: derived.birthdays(db, period), self._show, lambda e: show_error(self, e)
        )

    def _show(self, found: BirthdayList) -> None:
        self.model.set_rows(found.rows)
        if len(found.rows) < found.total:
            self.status.setText(
                _("共 {total:,} 位会员过生日，显示前 {n:,} 位").format(
                    total=found.total, n=len(found.rows)
                )
            )
        else:
            self.status.setText(_("共 {total:,} 位会员过生日").format(total=found.total))
        if found.rows:
            self.table.selectRow(0)

    def _open(self, row: int) -> None:
        found = self.model.row_at(row) if row >= 0 else None
        if found is not None:
            self.open_member.emit(found.member_id)

    def copy_greetings(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        texts = [r.greeting for i in rows if (r := self.model.row_at(i)) is not None]
        if texts:
            QGuiApplication.clipboard().setText("\n".join(texts))
            self.status.setText(_("已复制 {n} 条祝福语").format(n=len(texts)))


class ChurnDialog(QDialog):
    """流失预警: members whose visits stopped, for their specialist to call."""

    open_member = Signal(int)

    def __init__(
        self,
        db: Database,
        runner: Runner,
        parent: QWidget | None = None,
        actor: StaffMember | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("流失预警"))
        self.resize(860, 520)
        self.db, self.runner = db, runner
        self.model: RowsModel[ChurnRow] = RowsModel(
            [
                Column(_("姓名"), lambda r: r.name),
                Column(_("手机"), lambda r: r.phone),
                Column(_("最近到店"), lambda r: r.last_visit_at.strftime("%Y-%m-%d"), CENTER),
                Column(_("未到店天数"), lambda r: f"{r.days_away:,}", RIGHT),
                Column(_("累计到店"), lambda r: f"{r.visits:,}", RIGHT),
                Column(_("客服专员"), lambda r: r.specialist or "—"),
            ]
        )
        self.table = _table(self, self.model)  # type: ignore[arg-type]
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.status = QLabel(self)
        open_button = QPushButton(_("打开会员(&O)"), self)
        close = QPushButton(_("关闭"), self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(open_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        open_button.clicked.connect(self._open)
        close.clicked.connect(self.close)
        self.table.doubleClicked.connect(lambda _i: self._open())
        widget_shortcut(self.table, Qt.Key.Key_Return, self._open)
        self.status.setText(_("正在加载…"))
        self.runner.submit(
            lambda: derived.churn_list(db, actor=actor), self._show, lambda e: show_error(self, e)
        )

    def _show(self, found: ChurnList) -> None:
        self.model.set_rows(found.rows)
        self.note.setText(
            _(
                "到店至少数次、之后超过 {days} 天未再到店的会员，最近流失的排在前面，"
                "请客服专员回访。天数和次数是系统设置（member.churn_days、member.churn_min_visits）。"
            ).format(days=found.churn_days)
        )
        if found.more:
            self.status.setText(
                _("列出最近流失的 {n:,} 位；更早流失的会员未列出").format(n=len(found.rows))
            )
        else:
            self.status.setText(_("共 {n:,} 位流失预警会员").format(n=len(found.rows)))
        if found.rows:
            self.table.selectRow(0)

    def _open(self) -> None:
        index = self.table.currentIndex()
        row = self.model.row_at(index.row()) if index.isValid() else None
        if row is not None:
            self.open_member.emit(row.member_id)


class PeriodDialog(QDialog):
    """From and to dates for a statement or a report; the last three months unless
    the caller says otherwise."""

    def __init__(
        self,
        title: str,
        parent: QWidget | None = None,
        *,
        start: date | None = None,
        end: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        today = date.today()
        self.start = QDateEdit(QDate(start or today - timedelta(days=90)), self)
        self.end = QDateEdit(QDate(end or today), self)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        form = QFormLayout(self)
        form.addRow(_("开始日期"), self.start)
        form.addRow(_("结束日期"), self.end)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def period(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()  # type: ignore[return-value]

    def _check(self) -> None:
        start, end = self.period()
        if start > end:
            self.error.setText(_("开始日期不能晚于结束日期。"))
            self.start.setFocus()
            return
        self.accept()


def print_statement(
    parent: QWidget,
    db: Database,
    runner: Runner,
    member_id: int,
    name: str,
    on_ready: Callable[[Path], None],
) -> None:
    """Ask for the period and the file, then render the statement in a worker."""
    from clubdesk.pdf.registry import PrintOptions, render_form

    dialog = PeriodDialog(_("打印会员对账单"), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    start, end = dialog.period()
    suggested = Path.home() / _("会员对账单-{name}-{start}至{end}.pdf").format(
        name=name, start=start.isoformat(), end=end.isoformat()
    )
    path, _filter = QFileDialog.getSaveFileName(
        parent, _("保存会员对账单"), str(suggested), _("PDF 文件 (*.pdf)")
    )
    if not path:
        return
    options = PrintOptions(start=start, end=end)
    runner.submit(
        lambda: render_form(db, "member-statement", member_id, Path(path), options),
        on_ready,
        lambda exc: show_error(parent, exc),
    )

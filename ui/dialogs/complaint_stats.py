"""顾客投诉分类统计表 on screen: a month (or a range of months), the table by category and
department with subtotals and the total, a chart, the improvement measures, and the
same table printed (PDF ``complaint-stats``) or exported to Excel.

Read-only: nothing here writes to the database.  The statistics are counted in a
worker (``runner``); a newer query wins over an older one still running.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.money import format_fen
from clubdesk.services import complaint_stats as cs
from clubdesk.services.complaint_stats import Classification, RowKind, StatsRow
from clubdesk.services.staff import StaffMember
from ui.errors import show_error, user_message
from ui.models.rows import RIGHT, Column, RowsModel
from ui.pdf_output import open_pdf
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.chart import ChartWidget, Series

Runner = TaskRunner | SyncRunner
Index = QModelIndex | QPersistentModelIndex
SUBTOTAL_FILL = "#eef2f7"
TOTAL_FILL = "#dde2e8"
ERROR_COLOUR = "#b42318"


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def hours_text(hours: float | None) -> str:
    return "—" if hours is None else f"{hours:.1f}"


def _rate_tip(row: StatsRow) -> str:
    f = row.figures
    return _("属实 {justified} 宗 ÷ 已判断 {judged} 宗（共 {count} 宗）").format(
        justified=f.justified, judged=f.judged, count=f.count
    )


def _hours_tip(row: StatsRow) -> str:
    return _("已结案 {closed} 宗，从受理到结案平均所用小时数").format(closed=row.figures.closed)


def _department_text(row: StatsRow) -> str:
    if row.kind is RowKind.SUBTOTAL:
        return _("小计")
    return row.department_name


def _columns() -> list[Column[StatsRow]]:
    return [
        Column(_("类别"), lambda r: _("合计") if r.kind is RowKind.TOTAL else r.category),
        Column(_("部门"), _department_text),
        Column(_("投诉数"), lambda r: str(r.figures.count), RIGHT),
        Column(
            _("属实率"), lambda r: rate_text(r.figures.justified_rate), RIGHT, tooltip=_rate_tip
        ),
        Column(
            _("平均结案时长(小时)"),
            lambda r: hours_text(r.figures.mean_close_hours),
            RIGHT,
            tooltip=_hours_tip,
        ),
        Column(_("超时数"), lambda r: str(r.figures.overdue), RIGHT),
        Column(_("补偿金额"), lambda r: format_fen(r.figures.compensation_fen), RIGHT),
    ]


class StatsModel(RowsModel[StatsRow]):
    """The table's rows, subtotals and the total in bold on a tint."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(_columns(), parent)
        self._bold = QFont()
        self._bold.setBold(True)
        self._fills = {
            RowKind.SUBTOTAL: QBrush(QColor(SUBTOTAL_FILL)),
            RowKind.TOTAL: QBrush(QColor(TOTAL_FILL)),
        }

    def data(self, index: Index, role: int = 0) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is not None and row.kind is not RowKind.DETAIL:
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.BackgroundRole:
                return self._fills[row.kind]
        return super().data(index, role)


MONTHS_LISTED = 60  # five years back: older statistics are printed from the command line


class MonthBox(QComboBox):
    """A month, newest first: this month and the ``MONTHS_LISTED`` - 1 before it."""

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        month = cs.month_start(today)
        for _n in range(MONTHS_LISTED):
            self.addItem(cs.month_label(month), month)
            month = cs.month_start(month - timedelta(days=1))
        self.setMaxVisibleItems(13)

    def month(self) -> date:
        value = self.currentData()
        assert isinstance(value, date)
        return value

    def set_month(self, value: date) -> None:
        """Choose ``value``'s month if it is listed (findData cannot match a date)."""
        wanted = cs.month_start(value)
        for index in range(self.count()):
            if self.itemData(index) == wanted:
                self.setCurrentIndex(index)
                return


class ComplaintStatsDialog(QDialog):
    """The classification statistics of the chosen months.  ``clock`` gives "now" (the
    open complaints past their deadline count as overdue)."""

    loaded = Signal()

    def __init__(
        self,
        db: Database,
        runner: Runner,
        user: StaffMember | None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.user = user
        self.clock = clock
        self.stats: Classification | None = None
        self._generation = 0
        self.setWindowTitle(_("顾客投诉分类统计表"))
        self.setObjectName("complaintStats")
        today = clock().date()

        # -- the period ------------------------------------------------------------
        self.start = MonthBox(today, self)
        self.start.setObjectName("startMonth")
        self.end = MonthBox(today, self)
        self.end.setObjectName("endMonth")
        start_label = QLabel(_("统计月份(&M)："), self)
        start_label.setBuddy(self.start)
        end_label = QLabel(_("至(&T)"), self)
        end_label.setBuddy(self.end)
        self.this_month = QPushButton(_("本月"), self)
        self.this_month.clicked.connect(lambda: self.set_months(today, today))
        self.last_month = QPushButton(_("上月"), self)
        previous = cs.month_start(today.replace(day=1) - timedelta(days=1))
        self.last_month.clicked.connect(lambda: self.set_months(previous, previous))
        self.query_button = QPushButton(_("统计(&Q)"), self)
        self.query_button.setDefault(True)
        self.query_button.clicked.connect(self.reload)
        self.status = QLabel(self)
        self.status.setObjectName("statsStatus")
        period = QHBoxLayout()
        for widget in (
            start_label, self.start, end_label, self.end, self.this_month, self.last_month,
            self.query_button,
        ):  # fmt: skip
            period.addWidget(widget)
        period.addSpacing(12)
        period.addWidget(self.status, 1)

        # -- the table -------------------------------------------------------------
        self.model = StatsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("statsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(72)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("statsSummary")

        # -- the chart and the measures --------------------------------------------
        self.chart = ChartWidget(self)
        self.chart.setObjectName("statsChart")
        self.chart.set_empty_text(_("本期没有投诉。"))
        self.chart.setMinimumHeight(240)
        self.measures = QListWidget(self)
        self.measures.setObjectName("improvements")
        self.measures.setWordWrap(True)
        self.measures.setAlternatingRowColors(True)
        measures_box = QGroupBox(_("改进措施"), self)
        measures_layout = QVBoxLayout(measures_box)
        measures_layout.setContentsMargins(6, 6, 6, 6)
        measures_layout.addWidget(self.measures)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        lower.addWidget(self.chart)
        lower.addWidget(measures_box)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setChildrenCollapsible(False)
        upper = QWidget(self)
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.summary)
        upper_layout.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(upper)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)

        note = QLabel(
            _(
                "部门：判断属实后为责任部门，否则为登记时的部门。属实率 = 属实 ÷ 已判断；"
                "超时数含处理中有步骤逾期的和已过期限仍未处理的。敏感投诉计入数字。"
            ),
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #6b7280;")

        # -- buttons ---------------------------------------------------------------
        self.print_button = QPushButton(_("打印(&P)…"), self)
        self.print_button.setToolTip(_("生成 PDF 并打开，可在阅读器中打印（Ctrl+P）"))
        self.print_button.clicked.connect(self.print_pdf)
        self.export_button = QPushButton(_("导出Excel(&E)…"), self)
        self.export_button.clicked.connect(self.export_excel)
        self.close_button = QPushButton(_("关闭"), self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        for button in (self.print_button, self.export_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_pdf)

        layout = QVBoxLayout(self)
        layout.addLayout(period)
        layout.addWidget(split, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)
        for first, second in (
            (self.start, self.end), (self.end, self.this_month),
            (self.this_month, self.last_month), (self.last_month, self.query_button),
            (self.query_button, self.table), (self.table, self.measures),
            (self.measures, self.print_button), (self.print_button, self.export_button),
            (self.export_button, self.close_button),
        ):  # fmt: skip
            QWidget.setTabOrder(first, second)
        self.resize(1060, 720)
        self.reload()

    # -- period ------------------------------------------------------------------------

    def months(self) -> tuple[date, date]:
        """The first day of the first month and the last day of the last one."""
        return self.start.month(), cs.month_end(self.end.month())

    def set_months(self, first: date, last: date) -> None:
        self.start.set_month(first)
        self.end.set_month(last)
        self.reload()

    # -- loading -----------------------------------------------------------------------

    def reload(self) -> None:
        start, end = self.months()
        self._generation += 1
        generation = self._generation
        if end < start:
            self._refuse(_("结束月份不能早于开始月份。"))
            self.end.setFocus()
            return
        self._set_status(_("正在统计…"))
        db, user, now = self.db, self.user, self.clock()
        self.runner.submit(
            lambda: cs.classification(db, start, end, now, actor=user),
            lambda stats: self._loaded(stats, generation),
            lambda exc: self._failed(exc, generation),
        )

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "color: #4b5563;")

    def _refuse(self, message: str) -> None:
        self.stats = None
        self.model.set_rows([])
        self.table.clearSpans()
        self.chart.clear()
        self.measures.clear()
        self.summary.clear()
        self.print_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self._set_status(message, error=True)

    def _loaded(self, stats: Classification, generation: int) -> None:
        if not shiboken6.isValid(self):  # closed (and deleted) while the worker ran
            return
        if generation != self._generation:
            return
        self.stats = stats
        rows = stats.table()
        self.table.clearSpans()
        self.model.set_rows(rows)
        self._span_categories(rows)
        self._fill_chart(stats)
        self._fill_measures(stats)
        total = stats.total
        self.summary.setText(
            _(
                "{period}：共受理投诉 {count} 宗，属实率 {rate}，已结案 {closed} 宗，"
                "平均结案时长 {hours} 小时，超时 {overdue} 宗，补偿 {fen}。"
            ).format(
                period=cs.period_text(stats.start, stats.end),
                count=total.count,
                rate=rate_text(total.justified_rate),
                closed=total.closed,
                hours=hours_text(total.mean_close_hours),
                overdue=total.overdue,
                fen=format_fen(total.compensation_fen),
            )
        )
        self._set_status(_("统计于 {at}").format(at=stats.now.strftime("%H:%M")))
        self.print_button.setEnabled(True)
        self.export_button.setEnabled(True)
        self.loaded.emit()

    def _failed(self, exc: BaseException, generation: int) -> None:
        if not shiboken6.isValid(self):  # closed (and deleted) while the worker ran
            return
        if generation != self._generation:
            return
        text, bug = user_message(exc)
        if bug:
            show_error(self, exc)
            text = _("统计失败。")
        self._refuse(text)

    def _span_categories(self, rows: list[StatsRow]) -> None:
        """A category's name once, beside all its rows, as on the printed table."""
        first = 0
        for i, row in enumerate(rows):
            if row.kind is RowKind.SUBTOTAL:
                if i > first:
                    self.table.setSpan(first, 0, i - first + 1, 1)
                first = i + 1

    def _fill_chart(self, stats: Classification) -> None:
        categories, counts, stacked = stats.chart_series()
        self.chart.set_title(
            _("各类投诉数（按月分组）") if not stacked else _("各类投诉数（按部门分段）")
        )
        self.chart.set_bars(
            categories, [Series(name, values) for name, values in counts], stacked=stacked
        )

    def _fill_measures(self, stats: Classification) -> None:
        self.measures.clear()
        for item in stats.improvements:
            entry = QListWidgetItem(
                _("〔{category} · {department}〕{text}").format(
                    category=item.category, department=item.department, text=item.text
                )
            )
            entry.setToolTip(
                _("投诉编号：{numbers}\n最近填写：{at}").format(
                    numbers=_("、").join(item.numbers), at=item.last_at.strftime("%Y-%m-%d %H:%M")
                )
            )
            self.measures.addItem(entry)
        if not stats.improvements:
            self.measures.addItem(QListWidgetItem(_("本期没有填写改进措施。")))
        if stats.withheld_improvements:
            hidden = QListWidgetItem(
                _("另有 {n} 条属于敏感投诉，您的账号无权查看。").format(
                    n=stats.withheld_improvements
                )
            )
            hidden.setForeground(QBrush(QColor("#6b7280")))
            self.measures.addItem(hidden)

    # -- output ------------------------------------------------------------------------

    def _suggested(self, suffix: str) -> Path:
        start, end = self.months()
        return Path.home() / _("顾客投诉分类统计表-{period}{suffix}").format(
            period=cs.period_text(start, end), suffix=suffix
        )

    def print_pdf(self) -> None:
        if self.stats is None:
            return
        from clubdesk.pdf.registry import PrintOptions, render_form

        path, _filter = QFileDialog.getSaveFileName(
            self, _("保存顾客投诉分类统计表"), str(self._suggested(".pdf")), _("PDF 文件 (*.pdf)")
        )
        if not path:
            return
        start, end = self.stats.start, self.stats.end
        db = self.db
        options = PrintOptions(start=start, end=end)
        self._set_status(_("正在生成 PDF…"))
        self.runner.submit(
            lambda: render_form(db, "complaint-stats", cs.month_key(start), Path(path), options),
            self._printed,
            lambda exc: self._output_failed(exc),
        )

    def _printed(self, path: Path) -> None:
        if not shiboken6.isValid(self):  # closed meanwhile: the PDF is still wanted
            open_pdf(path)
            return
        self._set_status(_("已保存：{path}").format(path=path))
        open_pdf(path)

    def export_excel(self) -> None:
        stats = self.stats
        if stats is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("导出顾客投诉分类统计表"), str(self._suggested(".xlsx")),
            _("Excel 工作簿 (*.xlsx)"),
        )  # fmt: skip
        if not path:
            return
        out = Path(path) if path.lower().endswith(".xlsx") else Path(path + ".xlsx")
        self._set_status(_("正在导出…"))
        self.runner.submit(
            lambda: cs.write_xlsx(stats, out),
            self._exported,
            lambda exc: self._output_failed(exc),
        )

    def _exported(self, written: Path) -> None:
        if shiboken6.isValid(self):
            self._set_status(_("已导出：{path}").format(path=written))

    def _output_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):  # closed (and deleted) while the worker ran
            return
        self._set_status(_("未能保存。"), error=True)
        show_error(self, exc)

    # -- reading back (tests) ------------------------------------------------------------

    def cell(self, row: int, column: int) -> str:
        return str(self.model.index(row, column).data())

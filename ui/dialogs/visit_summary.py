"""回访总结 on screen: a period, the coverage of the members as a gauge, the answers as a
pie, the visits by source, by caller and by channel, the dissatisfied ones and the
complaints they became, the customers' suggestions, and the report printed (PDF
``visit-summary``).

Read-only; the figures are counted in a worker (``runner``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.models.enums import Satisfaction
from clubdesk.services import complaint_stats as cs
from clubdesk.services import visit_stats as vs
from clubdesk.services.labels import label
from clubdesk.services.staff import StaffMember
from clubdesk.services.visit_stats import (
    Answers,
    ChannelRow,
    Dissatisfied,
    SourceRow,
    StaffRow,
    Suggestion,
    VisitSummary,
)
from ui.dialogs import complaint_stats as stats_dialog
from ui.dialogs.complaint_stats import rate_text
from ui.errors import show_error, user_message
from ui.models.rows import RIGHT, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.chart import ChartWidget, Slice

Runner = TaskRunner | SyncRunner
ERROR_COLOUR = "#b42318"
SATISFACTION_COLOURS = {
    Satisfaction.SATISFIED: "#0f766e",
    Satisfaction.AVERAGE: "#e69f00",
    Satisfaction.DISSATISFIED: "#d55e00",
}
UNCOVERED_COLOUR = "#e5e7eb"


R = TypeVar("R")


def _answer_columns(answers: Callable[[R], Answers]) -> list[Column[R]]:
    """Done, the three answers and the satisfaction rate of each row's ``answers``."""

    def column(title: str, text: Callable[[Answers], str]) -> Column[R]:
        return Column(title, lambda row: text(answers(row)), RIGHT)

    return [
        column(_("完成"), lambda a: str(a.done)),
        column(_("满意"), lambda a: str(a.satisfied)),
        column(_("基本满意"), lambda a: str(a.average)),
        column(_("不满意"), lambda a: str(a.dissatisfied)),
        column(_("满意率"), lambda a: rate_text(a.satisfaction_rate)),
    ]


def _source_columns() -> list[Column[SourceRow]]:
    return [
        Column(_("回访来源"), lambda r: r.name),
        Column(_("本期应回访"), lambda r: str(r.planned), RIGHT),
        Column(_("超期未回访"), lambda r: str(r.overdue), RIGHT),
        *_answer_columns(lambda r: r.answers),
    ]


def _staff_columns() -> list[Column[StaffRow]]:
    return [Column(_("回访人员"), lambda r: r.name), *_answer_columns(lambda r: r.answers)]


def _channel_columns() -> list[Column[ChannelRow]]:
    return [Column(_("回访方式"), lambda r: r.name), *_answer_columns(lambda r: r.answers)]


def _followed(d: Dissatisfied) -> str:
    if d.complaint_number is None:
        return _("未转投诉")
    step = label(d.complaint_step) if d.complaint_step is not None else ""
    return _("已转投诉 {number}（{step}）").format(number=d.complaint_number, step=step)


def _unhappy_columns() -> list[Column[Dissatisfied]]:
    return [
        Column(_("回访时间"), lambda d: d.done_at.strftime("%Y-%m-%d %H:%M")),
        Column(_("顾客"), lambda d: d.who),
        Column(_("来源"), lambda d: label(d.source)),
        Column(_("回访人"), lambda d: d.staff or "—"),
        Column(_("顾客意见"), lambda d: d.suggestions or "—", tooltip=lambda d: d.suggestions),
        Column(
            _("处理"),
            _followed,
            foreground=lambda d: "#b42318" if d.complaint_number is None else None,
        ),
    ]


def _suggestion_columns() -> list[Column[Suggestion]]:
    return [
        Column(_("回访时间"), lambda x: x.done_at.strftime("%Y-%m-%d %H:%M")),
        Column(_("顾客"), lambda x: x.who),
        Column(_("评价"), lambda x: label(x.outcome) if x.outcome else "—"),
        Column(_("回访人"), lambda x: x.staff or "—"),
        Column(_("建议"), lambda x: x.text, tooltip=lambda x: x.text),
    ]


def _table(
    model: RowsModel[Any], parent: QWidget, name: str, *, stretch: int | None = None
) -> QTableView:
    """A read-only table; ``stretch`` is the text column that takes the spare width
    (None: the figures share it)."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    header = table.horizontalHeader()
    header.setMinimumSectionSize(64)
    if stretch is not None:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    return table


class _Figure(QFrame):
    """A caption over a big number, as in the printed report's strip."""

    def __init__(self, caption: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("figure")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 6)
        layout.setSpacing(0)
        self.caption = QLabel(caption, self)
        self.caption.setStyleSheet("color: #6b7280;")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.value = QLabel("—", self)
        font = self.value.font()
        font.setPointSizeF(max(font.pointSizeF(), 9.0) + 6)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setStyleSheet("color: #0f766e;")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)

    def set(self, text: str, tooltip: str = "") -> None:
        self.value.setText(text)
        self.setToolTip(tooltip)


class VisitSummaryDialog(QDialog):
    """The return-visit summary of a period (this month by default)."""

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
        self.summary: VisitSummary | None = None
        self._generation = 0
        self.setWindowTitle(_("回访总结"))
        self.setObjectName("visitSummary")
        today = clock().date()

        # -- the period ------------------------------------------------------------
        self.start = self._date_edit(cs.month_start(today))
        self.start.setObjectName("startDate")
        self.end = self._date_edit(cs.month_end(today))
        self.end.setObjectName("endDate")
        start_label = QLabel(_("从(&F)："), self)
        start_label.setBuddy(self.start)
        end_label = QLabel(_("到(&T)："), self)
        end_label.setBuddy(self.end)
        self.this_month = QPushButton(_("本月"), self)
        self.this_month.clicked.connect(
            lambda: self.set_period(cs.month_start(today), cs.month_end(today))
        )
        previous = cs.month_start(today.replace(day=1) - timedelta(days=1))
        self.last_month = QPushButton(_("上月"), self)
        self.last_month.clicked.connect(lambda: self.set_period(previous, cs.month_end(previous)))
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

        # -- figures and charts ----------------------------------------------------
        self.coverage_chart = ChartWidget(self)
        self.coverage_chart.setObjectName("coverageChart")
        self.coverage_chart.set_title(_("回访覆盖率"))
        self.coverage_chart.set_empty_text(_("还没有会员。"))
        self.coverage_chart.setMinimumSize(300, 200)
        self.satisfaction_chart = ChartWidget(self)
        self.satisfaction_chart.setObjectName("satisfactionChart")
        self.satisfaction_chart.set_title(_("满意度分布"))
        self.satisfaction_chart.set_empty_text(_("本期没有回访结果。"))
        self.satisfaction_chart.setMinimumSize(300, 200)
        self.figures: dict[str, _Figure] = {}
        grid = QGridLayout()
        grid.setSpacing(6)
        captions = (
            ("members", _("会员总数")),
            ("covered", _("已回访会员")),
            ("planned", _("本期应回访")),
            ("planned_done", _("其中已完成")),
            ("overdue", _("超期未回访")),
            ("done", _("本期完成回访")),
            ("on_time", _("按时完成率")),
            ("escalated", _("不满意转投诉")),
        )
        for n, (key, caption) in enumerate(captions):
            figure = _Figure(caption, self)
            self.figures[key] = figure
            grid.addWidget(figure, n // 2, n % 2)
        top = QHBoxLayout()
        top.addWidget(self.coverage_chart, 3)
        top.addLayout(grid, 3)
        top.addWidget(self.satisfaction_chart, 4)

        # -- the breakdowns --------------------------------------------------------
        self.source_model: RowsModel[SourceRow] = RowsModel(_source_columns(), self)
        self.staff_model: RowsModel[StaffRow] = RowsModel(_staff_columns(), self)
        self.channel_model: RowsModel[ChannelRow] = RowsModel(_channel_columns(), self)
        self.unhappy_model: RowsModel[Dissatisfied] = RowsModel(_unhappy_columns(), self)
        self.suggestion_model: RowsModel[Suggestion] = RowsModel(_suggestion_columns(), self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("breakdowns")
        self.source_table = _table(self.source_model, self, "bySource")
        self.staff_table = _table(self.staff_model, self, "byStaff")
        self.channel_table = _table(self.channel_model, self, "byChannel")
        self.unhappy_table = _table(self.unhappy_model, self, "dissatisfied", stretch=4)
        self.suggestion_table = _table(self.suggestion_model, self, "suggestions", stretch=4)
        self.tabs.addTab(self.source_table, _("按来源(&1)"))
        self.tabs.addTab(self.staff_table, _("按回访人员(&2)"))
        self.tabs.addTab(self.channel_table, _("按回访方式(&3)"))
        self.tabs.addTab(self.unhappy_table, _("不满意及转投诉(&4)"))
        self.tabs.addTab(self.suggestion_table, _("顾客建议(&5)"))
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #6b7280;")
        self.note.setText(
            _(
                "覆盖率 = 本期有回访记录的会员 ÷ 期末会员总数（目标 100%）。"
                "本期应回访为到期日在期间内的；本期完成为期间内完成的；"
                "按时 = 在到期日当天或之前完成。"
            )
        )

        # -- buttons ---------------------------------------------------------------
        self.print_button = QPushButton(_("打印(&P)…"), self)
        self.print_button.setToolTip(_("生成回访总结报告 PDF 并打开（Ctrl+P）"))
        self.print_button.setAutoDefault(False)
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_pdf)
        self.close_button = QPushButton(_("关闭"), self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_pdf)

        layout = QVBoxLayout(self)
        layout.addLayout(period)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        for first, second in (
            (self.start, self.end), (self.end, self.this_month),
            (self.this_month, self.last_month), (self.last_month, self.query_button),
            (self.query_button, self.tabs), (self.tabs, self.print_button),
            (self.print_button, self.close_button),
        ):  # fmt: skip
            QWidget.setTabOrder(first, second)
        self.resize(1100, 760)
        self.reload()

    def _date_edit(self, value: date) -> QDateEdit:
        edit = QDateEdit(QDate(value.year, value.month, value.day), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    # -- period ------------------------------------------------------------------------

    def period(self) -> tuple[date, date]:
        start: date = self.start.date().toPython()  # type: ignore[assignment]
        end: date = self.end.date().toPython()  # type: ignore[assignment]
        return start, end

    def set_period(self, start: date, end: date) -> None:
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))
        self.reload()

    # -- loading -----------------------------------------------------------------------

    def reload(self) -> None:
        start, end = self.period()
        self._generation += 1
        generation = self._generation
        if end < start:
            self._refuse(_("结束日期不能早于开始日期。"))
            self.end.setFocus()
            return
        self._set_status(_("正在统计…"))
        db, now = self.db, self.clock()
        self.runner.submit(
            lambda: vs.visit_summary(db, start, end, now=now),
            lambda summary: self._loaded(summary, generation),
            lambda exc: self._failed(exc, generation),
        )

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "color: #4b5563;")

    def _refuse(self, message: str) -> None:
        self.summary = None
        for model in (
            self.source_model, self.staff_model, self.channel_model, self.unhappy_model,
            self.suggestion_model,
        ):  # fmt: skip
            model.set_rows([])
        self.coverage_chart.clear()
        self.satisfaction_chart.clear()
        for figure in self.figures.values():
            figure.set("—")
        self.print_button.setEnabled(False)
        self._set_status(message, error=True)

    def _loaded(self, s: VisitSummary, generation: int) -> None:
        if not shiboken6.isValid(self):  # closed (and deleted) while the worker ran
            return
        if generation != self._generation:
            return
        self.summary = s
        covered_rate = rate_text(s.coverage)
        self.coverage_chart.set_pie(
            [
                Slice(_("已回访会员"), s.covered, "#0f766e"),
                Slice(_("未回访会员"), s.members - s.covered, UNCOVERED_COLOUR),
            ],
            donut=True,
            centre_text=covered_rate,
            centre_caption=_("覆盖率"),
        )
        a = s.answers
        self.satisfaction_chart.set_pie(
            [Slice(label(o), a.count(o), SATISFACTION_COLOURS[o]) for o in Satisfaction],
            donut=True,
            centre_text=rate_text(a.satisfaction_rate),
            centre_caption=_("满意率"),
        )
        self.figures["members"].set(f"{s.members:,}", _("入会日期在期末或之前的会员"))
        self.figures["covered"].set(f"{s.covered:,}", _("本期至少完成一次回访的会员"))
        self.figures["planned"].set(f"{s.planned:,}", _("到期日在本期内的回访"))
        self.figures["planned_done"].set(
            f"{s.planned_done:,}", _("完成率 {rate}").format(rate=rate_text(s.completion_rate))
        )
        self.figures["overdue"].set(f"{s.overdue:,}", _("已过到期日仍未回访"))
        self.figures["done"].set(f"{s.done:,}", _("在本期内完成的回访"))
        self.figures["on_time"].set(
            rate_text(s.on_time_rate),
            _("按时完成 {n} 次 ÷ 本期完成 {done} 次").format(n=s.on_time, done=s.done),
        )
        unhappy_note = _("不满意 {n} 次，其中转为投诉 {m} 次").format(
            n=a.dissatisfied, m=s.escalated
        )
        if s.withheld:
            unhappy_note += _("；涉及敏感投诉的 {n} 次不列出").format(n=s.withheld)
        self.figures["escalated"].set(
            f"{s.escalated:,}",
            unhappy_note,
        )
        self.source_model.set_rows(list(s.by_source))
        self.staff_model.set_rows(list(s.by_staff))
        self.channel_model.set_rows(list(s.by_channel))
        self.unhappy_model.set_rows(list(s.dissatisfied))
        self.suggestion_model.set_rows(list(s.suggestions))
        self.tabs.setTabText(
            4,
            _("顾客建议（{n}）(&5)").format(n=s.suggestions_total)
            if s.suggestions_total
            else _("顾客建议(&5)"),
        )
        self._set_status(_("统计于 {at}").format(at=s.now.strftime("%H:%M")))
        self.print_button.setEnabled(True)
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

    # -- printing ----------------------------------------------------------------------

    def print_pdf(self) -> None:
        if self.summary is None:
            return
        from clubdesk.pdf.registry import PrintOptions, render_form

        start, end = self.summary.start, self.summary.end
        suggested = Path.home() / _("回访总结报告-{start}至{end}.pdf").format(
            start=start.isoformat(), end=end.isoformat()
        )
        path, _filter = QFileDialog.getSaveFileName(
            self, _("保存回访总结报告"), str(suggested), _("PDF 文件 (*.pdf)")
        )
        if not path:
            return
        db = self.db
        options = PrintOptions(start=start, end=end)
        self._set_status(_("正在生成 PDF…"))
        self.runner.submit(
            lambda: render_form(db, "visit-summary", cs.month_key(start), Path(path), options),
            self._printed,
            self._print_failed,
        )

    def _printed(self, path: Path) -> None:
        if not shiboken6.isValid(self):  # closed meanwhile: the PDF is still wanted
            stats_dialog.open_pdf(path)
            return
        self._set_status(_("已保存：{path}").format(path=path))
        stats_dialog.open_pdf(path)

    def _print_failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):  # closed (and deleted) while the worker ran
            return
        self._set_status(_("未能保存。"), error=True)
        show_error(self, exc)

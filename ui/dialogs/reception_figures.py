"""接待业绩: per staff member, guests received and seated (带客成功率) and satisfaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.services import reception
from clubdesk.services.reception import StaffFigures
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _columns() -> list[tuple[str, Callable[[StaffFigures], str | int | float | None]]]:
    return [
        (_("员工"), lambda f: f.name),
        (_("接待人数"), lambda f: f.received),
        (_("成功入座"), lambda f: f.seated),
        (_("未入座离开"), lambda f: f.left),
        (_("带客成功率"), lambda f: f.success_rate),
        (_("服务完成"), lambda f: f.served),
        (_("满意"), lambda f: f.satisfied),
        (_("基本满意"), lambda f: f.average),
        (_("不满意"), lambda f: f.dissatisfied),
        (_("满意率"), lambda f: f.satisfaction_rate),
    ]


RATE_COLUMNS = (4, 9)


class ReceptionFiguresDialog(QDialog):
    loaded = Signal()

    def __init__(
        self,
        db: Database,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.setWindowTitle(_("接待业绩"))
        self.setObjectName("receptionFigures")
        self.rows: list[StaffFigures] = []
        self._generation = 0
        first, last = reception.this_month(today or date.today())

        layout = QVBoxLayout(self)
        period = QHBoxLayout()
        self.start = self._date_edit(first)
        self.end = self._date_edit(last)
        start_label = QLabel(_("从(&F)："), self)
        start_label.setBuddy(self.start)
        end_label = QLabel(_("到(&T)："), self)
        end_label.setBuddy(self.end)
        self.query_button = QPushButton(_("查询(&Q)"), self)
        self.query_button.setDefault(True)
        self.query_button.clicked.connect(self.reload)
        for widget in (start_label, self.start, end_label, self.end, self.query_button):
            period.addWidget(widget)
        period.addStretch(1)
        layout.addLayout(period)

        self.columns = _columns()
        self.model = QStandardItemModel(0, len(self.columns), self)
        self.model.setHorizontalHeaderLabels([title for title, _get in self.columns])
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setObjectName("figuresTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setMinimumSectionSize(70)
        layout.addWidget(self.table, 1)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        note = QLabel(
            _(
                "带客成功率 = 成功入座 ÷ 接待人数；满意率 = 满意 ÷ 作出评价的客人。"
                "服务完成与满意度按该员工经手、已结束或已结账的预约统计。"
            ),
            self,
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #6b7280;")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(980, 460)
        self.reload()

    def _date_edit(self, value: date) -> QDateEdit:
        edit = QDateEdit(QDate(value.year, value.month, value.day), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def period(self) -> tuple[date, date]:
        start: date = self.start.date().toPython()  # type: ignore[assignment]
        end: date = self.end.date().toPython()  # type: ignore[assignment]
        return start, end

    def set_period(self, start: date, end: date) -> None:
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))
        self.reload()

    def reload(self) -> None:
        start, end = self.period()
        self._generation += 1
        generation = self._generation
        self.summary.setText(_("正在统计…"))
        db = self.db
        self.runner.submit(
            lambda: reception.figures(db, start, end),
            lambda rows: self._loaded(rows, generation),
            lambda exc: self._failed(exc, generation),
        )

    def _loaded(self, rows: list[StaffFigures], generation: int) -> None:
        if generation != self._generation:
            return
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        for figures in rows:
            items = []
            for column, (_title, get) in enumerate(self.columns):
                value = get(figures)
                if column in RATE_COLUMNS:
                    rate = value if isinstance(value, float) else None
                    item = QStandardItem(percent(rate))
                    item.setData(-1.0 if rate is None else rate, SORT_ROLE)
                else:
                    item = QStandardItem(str(value))
                    item.setData(value, SORT_ROLE)
                if column:
                    item.setTextAlignment(RIGHT)
                items.append(item)
            self.model.appendRow(items)
        received = sum(f.received for f in rows)
        seated = sum(f.seated for f in rows)
        rated = sum(f.rated for f in rows)
        good = sum(f.satisfied for f in rows)
        start, end = self.period()
        self.summary.setText(
            _(
                "{start} 至 {end}：共接待 {r} 人，成功入座 {s} 人，带客成功率 {rate}；"
                "{n} 位客人作出评价，满意率 {srate}。"
            ).format(
                start=start.isoformat(),
                end=end.isoformat(),
                r=received,
                s=seated,
                rate=percent(seated / received if received else None),
                n=rated,
                srate=percent(good / rated if rated else None),
            )
        )
        self.loaded.emit()

    def _failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self.summary.setText(_("统计失败"))
        show_error(self, exc)

    def cell(self, row: int, column: int) -> str:
        """The text shown at (row, column) in the current sort order."""
        return str(self.proxy.index(row, column).data())

"""A dock holding a header line, a table and a status line, loaded in the background."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from ui.errors import show_error
from ui.models.rows import RowsModel
from ui.tasks import SyncRunner, TaskRunner


class TableDock(QDockWidget):
    """Subclasses build ``self.model`` and implement ``load()`` returning rows."""

    loaded = Signal(int)  # rows now shown

    def __init__(
        self,
        object_name: str,
        title: str,
        db: Database,
        runner: TaskRunner | SyncRunner,
        model: RowsModel[Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.setObjectName(object_name)  # saveState() keys the layout by object name
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.db = db
        self.runner = runner
        self.model = model
        self._loading = False
        self._stale = False

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self.header = QHBoxLayout()
        self.header.setSpacing(6)
        layout.addLayout(self.header)

        self.table = QTableView(body)
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)
        # Size columns from the first rows only: the roster may hold a million.
        self.table.horizontalHeader().setResizeContentsPrecision(50)
        self._sized = False
        self._min_widths: list[int] = []
        layout.addWidget(self.table, 1)

        self.status = QLabel(body)
        self.status.setObjectName("dockStatus")
        layout.addWidget(self.status)
        self.setWidget(body)

    @property
    def is_loading(self) -> bool:
        return self._loading

    def column_widths(self, widths: list[int], *, keep_as_minimum: bool = False) -> None:
        """Widths until the first rows arrive and size the columns to their text.

        ``keep_as_minimum``: sizing to the first page never makes a column narrower,
        for tables whose later pages may hold wider values (balances in the roster)."""
        self._min_widths = list(widths) if keep_as_minimum else []
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, width)

    def refresh(self) -> None:
        if self._loading:
            self._stale = True  # asked again mid-load (another day, F5): reload after
            return
        self._loading = True
        self._stale = False
        self.status.setText(self.tr_loading())
        self.runner.submit(self.loader(), self._on_loaded, self._on_failed)

    def loader(self) -> Callable[[], Any]:
        """Called on the GUI thread: read the widgets, return the work for a worker."""
        raise NotImplementedError

    def show_rows(self, result: Any) -> None:
        self.model.set_rows(result)

    def summary(self) -> str:
        raise NotImplementedError

    def tr_loading(self) -> str:
        from clubdesk.i18n import _

        return _("正在加载…")

    def _on_loaded(self, result: Any) -> None:
        self._loading = False
        if self._stale:  # the rows answer a question nobody is asking any more
            self.refresh()
            return
        self.show_rows(result)
        if not self._sized and self.model.rowCount():
            self._sized = True
            self.table.resizeColumnsToContents()
            for column, least in enumerate(self._min_widths):
                if self.table.columnWidth(column) < least:
                    self.table.setColumnWidth(column, least)
        self.status.setText(self.summary())
        self.loaded.emit(self.model.rowCount())

    def _on_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._stale = False
        from clubdesk.i18n import _

        self.status.setText(_("加载失败"))
        show_error(self, exc)

    def selected_row(self) -> Any:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def focus_table(self) -> None:
        self.raise_()
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

"""会员: the member roster, newest first, fetching the next page as the user scrolls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import QLabel, QWidget

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.money import format_fen
from clubdesk.services import roster
from clubdesk.services.labels import label
from clubdesk.services.roster import MemberRow
from ui.docks.base import TableDock
from ui.errors import show_error
from ui.models.rows import CENTER, RIGHT, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner


def _columns() -> list[Column[MemberRow]]:
    return [
        Column(_("卡号"), lambda r: r.card_number or "—"),
        Column(_("姓名"), lambda r: r.name),
        Column(_("手机"), lambda r: r.phone_masked),
        Column(_("等级"), lambda r: r.tier_name),
        Column(_("客户分类"), lambda r: label(r.category)),
        Column(_("余额"), lambda r: format_fen(r.balance_fen), RIGHT),
        Column(_("积分"), lambda r: f"{r.points:,}", RIGHT),
        Column(
            _("最近到店"),
            lambda r: r.last_visit_at.strftime("%Y-%m-%d") if r.last_visit_at else "—",
            CENTER,
        ),
    ]


class RosterModel(RowsModel[MemberRow]):
    """Asks for the next keyset page when the view scrolls to the end."""

    def __init__(self, db: Database, runner: TaskRunner | SyncRunner, parent: Any = None) -> None:
        super().__init__(_columns(), parent)
        self._db = db
        self._runner = runner
        self._exhausted = False
        self._fetching = False
        self._generation = 0

    def reset_pages(self, first_page: list[MemberRow]) -> None:
        self._fetching = False
        self._generation += 1  # a page still in flight belongs to the old list
        self._exhausted = len(first_page) < roster.PAGE_SIZE
        self.set_rows(first_page)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted and self.rowCount() > 0

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self._fetching or not self.canFetchMore(parent):
            return
        last = self.row_at(self.rowCount() - 1)
        assert last is not None
        self._fetching = True
        db, after, generation = self._db, last.id, self._generation
        self._runner.submit(
            lambda: roster.page(db, after_id=after),
            lambda rows: self._append(rows, generation),
            self._fetch_failed,
        )

    def _fetch_failed(self, exc: BaseException) -> None:
        self._fetching = False  # the next scroll tries again
        show_error(None, exc)

    def _append(self, rows: list[MemberRow], generation: int) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self._exhausted = len(rows) < roster.PAGE_SIZE
        self.append_rows(rows)


class RosterDock(TableDock):
    def __init__(
        self, db: Database, runner: TaskRunner | SyncRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__("roster_dock", _("会员"), db, runner, RosterModel(db, runner), parent)
        self.count_label = QLabel(self)
        self.header.addWidget(QLabel(_("会员名单（最新入会在前）"), self))
        self.header.addStretch(1)
        self.header.addWidget(self.count_label)
        self.column_widths([100, 70, 110, 80, 80, 95, 60, 90])
        self.model.rowsInserted.connect(lambda *_args: self.status.setText(self.summary()))
        self._total = 0

    def loader(self) -> Callable[[], tuple[list[MemberRow], int]]:
        db = self.db
        return lambda: (roster.page(db), roster.count(db))

    def show_rows(self, result: Any) -> None:
        rows, self._total = result
        assert isinstance(self.model, RosterModel)
        self.model.reset_pages(rows)
        self.count_label.setText(_("共 {n:,} 名会员").format(n=self._total))

    def summary(self) -> str:
        if self.model.rowCount() >= self._total:
            return _("已显示全部 {total:,} 名会员").format(total=self._total)
        return _("已显示 {shown:,} / {total:,} 名，向下滚动加载更多").format(
            shown=self.model.rowCount(), total=self._total
        )

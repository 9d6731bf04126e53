"""会员: the roster with instant search, fetching the next page as the user scrolls.

Each keystroke asks the service for the first page of the new text in a worker; a
reply for text that has changed since is dropped (the dock's stale flag), so typing
fast never shows rows of an older query.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.money import format_fen
from clubdesk.search_terms import QueryKind, parse_query
from clubdesk.services import member_search, roster
from clubdesk.services.labels import label
from clubdesk.services.member_search import MatchCount, SearchPage
from clubdesk.services.roster import MemberRow
from ui.docks.base import TableDock
from ui.errors import show_error
from ui.models.rows import CENTER, RIGHT, Column, RowsModel
from ui.shortcuts import widget_shortcut
from ui.tasks import SyncRunner, TaskRunner

CHURN_DAYS_DEFAULT = 90

_KIND_HINTS = {
    QueryKind.ALL: N_("全部会员（最新入会在前）"),
    QueryKind.PHONE_FULL: N_("按手机号查找"),
    QueryKind.PHONE_LAST4: N_("按手机尾号查找"),
    QueryKind.PHONE_PREFIX: N_("按手机号开头查找"),
    QueryKind.CARD: N_("按卡号查找"),
    QueryKind.NAME: N_("按姓名查找"),
    QueryKind.INITIALS: N_("按拼音首字母查找"),
}


def _columns(churn_days: Callable[[], int]) -> list[Column[MemberRow]]:
    def lapsed(r: MemberRow) -> bool:
        return (
            r.last_visit_at is not None
            and (date.today() - r.last_visit_at.date()).days > churn_days()
        )

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
            foreground=lambda r: "#c0392b" if lapsed(r) else None,
            tooltip=lambda r: (
                _("已超过 {days} 天未到店（流失预警）").format(days=churn_days())
                if lapsed(r)
                else None
            ),
        ),
    ]


def _nothing_found_hint(db: Database, typed: str) -> str | None:
    """Why a search found no one, when there is more to say than "nothing"."""
    query = parse_query(typed)
    if query is None:
        return _("无法识别：请输入手机号、尾号4位、卡号、姓名或拼音首字母。")
    if query.kind is QueryKind.CARD:
        from clubdesk.errors import DomainError, NotFound
        from clubdesk.services.cards import member_for_card

        try:
            member_for_card(db, query.text)
        except NotFound:
            return None
        except DomainError as refused:  # a reissued card's old number
            return refused.message
    return None


class RosterModel(RowsModel[MemberRow]):
    """Asks for the next keyset page of the current search when the view scrolls to the end."""

    def __init__(self, db: Database, runner: TaskRunner | SyncRunner, parent: Any = None) -> None:
        self.churn_days = CHURN_DAYS_DEFAULT
        super().__init__(_columns(lambda: self.churn_days), parent)
        self._db = db
        self._runner = runner
        self._typed = ""
        self._cursor: Any = None
        self._fetching = False
        self._generation = 0

    def reset_pages(self, typed: str, first: SearchPage) -> None:
        self._fetching = False
        self._generation += 1  # a page still in flight belongs to the old list
        self._typed = typed
        self._cursor = first.cursor
        self.set_rows(first.rows)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if self._fetching or not self.canFetchMore(parent):
            return
        self._fetching = True
        db, typed, after, generation = self._db, self._typed, self._cursor, self._generation
        self._runner.submit(
            lambda: member_search.search(db, typed, after=after),
            lambda page: self._append(page, generation),
            self._fetch_failed,
        )

    def _fetch_failed(self, exc: BaseException) -> None:
        self._fetching = False  # the next scroll tries again
        show_error(None, exc)

    def _append(self, page: SearchPage, generation: int) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        self._cursor = page.cursor
        self.append_rows(page.rows)


class SearchBox(QLineEdit):
    """Down moves into the results; Esc clears; Enter opens the first or chosen member."""

    down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class RosterDock(TableDock):
    open_requested = Signal(int)  # a member id: open the profile

    def __init__(
        self, db: Database, runner: TaskRunner | SyncRunner, parent: QWidget | None = None
    ) -> None:
        self.roster_model = RosterModel(db, runner)
        super().__init__("roster_dock", _("会员"), db, runner, self.roster_model, parent)
        self.search = SearchBox(self)
        self.search.setObjectName("rosterSearch")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(
            _("搜索：手机号 / 尾号4位 / 卡号 / 姓名 / 拼音首字母（Ctrl+F）")
        )
        self.search.setMinimumWidth(320)
        self.count_label = QLabel(self)
        self.count_label.setMinimumWidth(self.count_label.fontMetrics().horizontalAdvance("0") * 18)
        self.header.addWidget(self.search, 1)
        self.header.addWidget(self.count_label)
        self.column_widths([100, 70, 110, 80, 80, 105, 60, 90], keep_as_minimum=True)
        self.model.rowsInserted.connect(lambda *_args: self.status.setText(self.summary()))
        self._total = 0  # all members, counted on a full refresh only
        self._count = MatchCount(0, False)
        self._shown_text = ""
        self._hint: str | None = None

        self.search.textChanged.connect(self._search_changed)
        self.search.returnPressed.connect(self._open_first)
        self.search.down.connect(self._into_results)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        QShortcut(QKeySequence("Ctrl+F"), self, self.focus_search)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(self.table, key, self._open_current)

    # -- loading ---------------------------------------------------------------------
    def loader(self) -> Callable[[], dict[str, Any]]:
        db, typed = self.db, self.search.text()
        full_refresh = self._total == 0

        def work() -> dict[str, Any]:
            result: dict[str, Any] = {"typed": typed, "page": member_search.search(db, typed)}
            result["found"] = (
                member_search.count(db, typed) if typed.strip() else MatchCount(0, False)
            )
            if full_refresh:
                result["total"] = roster.count(db)
                result["churn_days"] = int(settings.get_value(db, "member.churn_days"))
            if not result["page"].rows:
                result["hint"] = _nothing_found_hint(db, typed)
            return result

        return work

    def show_rows(self, result: Any) -> None:
        typed = result["typed"]
        if "total" in result:
            self._total = result["total"]
            self.roster_model.churn_days = result["churn_days"]
        self._count = result["found"]
        self._shown_text = typed
        self._hint = result.get("hint")
        self.roster_model.reset_pages(typed, result["page"])
        if typed.strip():
            more = "+" if self._count.more else ""
            self.count_label.setText(_("找到 {n:,}{more} 名").format(n=self._count.n, more=more))
        else:
            self.count_label.setText(_("共 {n:,} 名会员").format(n=self._total))
        if typed.strip() and self.model.rowCount():
            self.table.selectRow(0)  # Enter in the search box opens this one

    def summary(self) -> str:
        shown = self.model.rowCount()
        query = parse_query(self._shown_text)
        kind = _(_KIND_HINTS[query.kind]) if query is not None else ""
        text = self._counts_text(shown)
        return f"{kind} · {text}" if kind and self._shown_text.strip() else text

    def _counts_text(self, shown: int) -> str:
        if self._shown_text.strip():
            if shown == 0:
                return self._hint or _("没有找到匹配的会员。可按 Ctrl+N 登记新会员。")
            if self.roster_model.canFetchMore():
                return _("已显示 {shown:,} 名，向下滚动加载更多").format(shown=shown)
            return _("已显示全部 {shown:,} 名匹配的会员").format(shown=shown)
        if shown >= self._total:
            return _("已显示全部 {total:,} 名会员").format(total=self._total)
        return _("已显示 {shown:,} / {total:,} 名，向下滚动加载更多").format(
            shown=shown, total=self._total
        )

    def refresh(self) -> None:
        self._total = 0  # F5 recounts the roster
        super().refresh()

    def _search_changed(self, _text: str) -> None:
        super().refresh()  # coalesced: one query in flight, the newest text next

    # -- opening members -------------------------------------------------------------
    def focus_search(self) -> None:
        self.raise_()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _into_results(self) -> None:
        if self.model.rowCount():
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)

    def _open_first(self) -> None:
        if self._loading:
            return  # Enter before the rows of this text arrived: nothing to open yet
        if self.model.rowCount():
            current = self.table.currentIndex()
            self._open_row(current.row() if current.isValid() else 0)

    def _open_current(self) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            self._open_row(current.row())

    def _open_row(self, row: int) -> None:
        member = self.model.row_at(row)
        if member is not None:
            self.open_requested.emit(member.id)

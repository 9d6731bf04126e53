"""VIP礼遇: the week's VIP arrivals with their level colour and checklist progress."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import QLabel, QWidget

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.money import format_fen
from clubdesk.services import vip
from clubdesk.services.labels import label
from clubdesk.services.vip import VipRow
from ui.docks.base import TableDock
from ui.models.rows import CENTER, RIGHT, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner


def _arrival(r: VipRow) -> str:
    day = r.arrival_date.strftime("%m-%d")
    if r.arrival_time:
        return f"{day} {r.arrival_time.strftime('%H:%M')}"
    return _("{day} 时间待定").format(day=day)


def _columns() -> list[Column[VipRow]]:
    return [
        Column(_("抵达"), _arrival, CENTER),
        Column(_("级别"), lambda r: r.level_code, CENTER, foreground=lambda r: r.level_color),
        Column(_("贵宾"), lambda r: r.guest),
        Column(_("房间/区域"), lambda r: r.room or "—"),
        Column(_("状态"), lambda r: label(r.status), CENTER),
        Column(_("准备进度"), lambda r: f"{r.done}/{r.total}" if r.total else "—", CENTER),
        Column(_("礼遇成本"), lambda r: format_fen(r.cost_fen), RIGHT),
    ]


class VipDock(TableDock):
    def __init__(
        self, db: Database, runner: TaskRunner | SyncRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__("vip_dock", _("VIP礼遇"), db, runner, RowsModel(_columns()), parent)
        self.header.addWidget(QLabel(_("今天起 7 天内抵达的贵宾"), self))
        self.header.addStretch(1)
        self.column_widths([110, 45, 90, 90, 70, 70, 90])

    def loader(self) -> Callable[[], list[VipRow]]:
        db, today = self.db, date.today()
        return lambda: vip.upcoming(db, today)

    def summary(self) -> str:
        rows: list[VipRow] = self.model.rows()
        today = sum(r.arrival_date == date.today() for r in rows)
        return _("今天抵达 {today} 位，7 天内共 {n} 位").format(today=today, n=len(rows))

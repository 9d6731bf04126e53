"""投诉登记: open complaints by due time, overdue ones in red, then the month's closed ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.models.enums import ComplaintStepKind
from clubdesk.services import complaints
from clubdesk.services.complaints import ComplaintRow
from clubdesk.services.labels import label
from ui.docks.base import TableDock
from ui.models.rows import CENTER, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner

OVERDUE = "#b91c1c"


def _columns() -> list[Column[ComplaintRow]]:
    def overdue(r: ComplaintRow) -> str | None:
        return OVERDUE if r.overdue else None

    return [
        Column(_("编号"), lambda r: r.number),
        Column(  # second: overdue rows come first and must read as such at a glance
            _("响应期限"),
            lambda r: (
                "—"
                if r.step == ComplaintStepKind.CLOSED
                else r.due_at.strftime("%m-%d %H:%M") + (_("（已超时）") if r.overdue else "")
            ),
            CENTER,
            foreground=overdue,
        ),
        Column(_("当前步骤"), lambda r: label(r.step), CENTER),
        Column(_("受理时间"), lambda r: r.received_at.strftime("%m-%d %H:%M"), CENTER),
        Column(_("投诉人"), lambda r: r.complainant + (_("（敏感）") if r.sensitive else "")),
        Column(_("类别"), lambda r: r.category),
        Column(_("渠道"), lambda r: label(r.channel), CENTER),
        Column(_("严重程度"), lambda r: label(r.severity), CENTER),
    ]


class ComplaintsDock(TableDock):
    overdue_changed = Signal(int)

    def __init__(
        self, db: Database, runner: TaskRunner | SyncRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "complaints_dock", _("投诉登记"), db, runner, RowsModel(_columns()), parent
        )
        self.header.addWidget(
            QLabel(_("超时投诉置顶并标红，其余未结投诉按响应期限排序；另列近 30 天已结案"), self)
        )
        self.header.addStretch(1)
        self.column_widths([130, 150, 100, 95, 90, 90, 50, 70])

    def loader(self) -> Callable[[], list[ComplaintRow]]:
        db, now = self.db, datetime.now()
        return lambda: complaints.recent(db, now)

    def summary(self) -> str:
        rows: list[ComplaintRow] = self.model.rows()
        open_rows = [r for r in rows if r.step != ComplaintStepKind.CLOSED]
        overdue = sum(r.overdue for r in rows)
        self.overdue_changed.emit(overdue)
        return _("未结 {open} 宗，其中超时 {overdue} 宗").format(
            open=len(open_rows), overdue=overdue
        )

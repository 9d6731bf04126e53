"""The 回访 menu, and the return-visit dock's requests turned into dialogs.

``VisitActions(window)`` expects ``window.visits`` (the ReturnVisitsDock).  A
dissatisfied visit's 转为投诉 reads the prefilled complaint (return_visits.
complaint_draft) in the runner and hands it to the complaint module's registration
form (``window.complaint_actions.register``); once registered the dock is read again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from clubdesk.i18n import _
from clubdesk.services import return_visits
from clubdesk.services.complaints import ComplaintDraft
from clubdesk.services.permissions import Permission, allowed
from ui.errors import show_error

if TYPE_CHECKING:
    from ui.docks.return_visits import ReturnVisitsDock
    from ui.main_window import MainWindow

Clock = Callable[[], datetime]


class VisitActions(QObject):
    def __init__(self, window: MainWindow, *, clock: Clock | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.clock: Clock = clock or datetime.now
        self.dock: ReturnVisitsDock = window.visits  # type: ignore[attr-defined]
        self.dock.complaint_requested.connect(self.escalate)
        self.dock.recorded.connect(lambda _id: self._recorded())

    # -- the menu ---------------------------------------------------------------------
    def build_menu(self, menu: QMenu) -> list[QAction]:
        """The 回访 menu; returns the actions worth a toolbar button."""
        window = self.window
        calls = _action(window, _("待回访列表(&L)"), self.show_calls, "Ctrl+Shift+L")
        visit = _action(window, _("回访选中的顾客(&H)…"), self.dock.open_selected, "Ctrl+Shift+H")
        coverage = _action(window, _("回访覆盖率(&G)…"), self.dock.open_coverage, None)
        summary = _action(window, _("回访总结(&S)…"), self.show_summary, None)
        if not allowed(window.user, Permission.COMPLAINT_APPROVE):
            summary.setEnabled(False)
            summary.setToolTip(_("回访总结报告由客服主管及以上查看"))
        menu.setToolTipsVisible(True)
        record = _action(window, _("打印回访记录表(&P)…"), self.print_record, None)
        blank = _action(window, _("打印空白回访记录表(&B)…"), self.print_blank, None)
        menu.addAction(calls)
        menu.addAction(visit)
        menu.addSeparator()
        menu.addAction(coverage)
        menu.addAction(summary)
        menu.addSeparator()
        menu.addAction(record)
        menu.addAction(blank)
        self.summary_action = summary
        self.calls_action = calls
        self.visit_action = visit
        self.coverage_action = coverage
        return [calls]

    # -- requests ---------------------------------------------------------------------
    def print_record(self) -> None:
        """The 回访记录表 of a period: this month so far unless the user picks another."""
        from clubdesk.pdf.registry import PrintOptions
        from ui.dialogs.member_lists import PeriodDialog
        from ui.pdf_output import save_form

        w = self.window
        today = self.clock().date()
        dialog = PeriodDialog(_("打印回访记录表"), w, start=today.replace(day=1), end=today)
        if dialog.exec() != PeriodDialog.DialogCode.Accepted:
            return
        start, end = dialog.period()
        save_form(
            w, w.runner, w.db, "visit-record", None,
            title=_("保存回访记录表"),
            suggested_name=_("回访记录表-{start}至{end}.pdf").format(
                start=start.isoformat(), end=end.isoformat()
            ),
            options=PrintOptions(start=start, end=end),
        )  # fmt: skip

    def print_blank(self) -> None:
        from ui.pdf_output import save_form

        w = self.window
        save_form(
            w, w.runner, w.db, "visit-record", None,
            title=_("保存空白回访记录表"), suggested_name=_("回访记录表（空白）.pdf"),
        )  # fmt: skip

    def show_summary(self) -> None:
        from PySide6.QtCore import Qt

        from ui.dialogs.visit_summary import VisitSummaryDialog

        w = self.window
        dialog = VisitSummaryDialog(w.db, w.runner, w.user, w, clock=self.clock)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def show_calls(self) -> None:
        """Bring the dock forward with today's calls and the keyboard in its table."""
        self.dock.show()
        self.dock.refresh()
        self.dock.focus_table()

    def _recorded(self) -> None:
        self.window.statusBar().showMessage(_("回访记录已保存。"), 5000)

    def escalate(self, visit_id: int) -> None:
        """转为投诉: the registration form, prefilled from the dissatisfied visit."""
        w = self.window
        db, now = w.db, self.clock()
        w.runner.submit(
            lambda: return_visits.complaint_draft(db, visit_id, now),
            self._open_register,
            lambda exc: show_error(w, exc),
        )

    def _open_register(self, draft: ComplaintDraft) -> None:
        actions = getattr(self.window, "complaint_actions", None)
        register = getattr(actions, "register", None)
        if register is None:  # the complaint module is not wired in this window
            self.window.statusBar().showMessage(_("请在投诉菜单中登记投诉。"), 8000)
            return
        dialog = register(prefill=draft)
        registered = getattr(dialog, "registered", None)
        if registered is not None:
            registered.connect(lambda _id: self.dock.refresh())


def _action(
    parent: QWidget, text: str, slot: Callable[[], object], shortcut: str | None
) -> QAction:
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    return action

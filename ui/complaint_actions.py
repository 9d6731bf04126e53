"""The 投诉 menu, and the complaints dock's requests turned into dialogs.

Registering, opening a case and maintaining the categories all end here; after any
change the dock is read again (and with it the overdue count in the status bar).
``register(...)`` takes the prefill a dissatisfied return visit brings.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QWidget

from clubdesk.i18n import _
from clubdesk.models.enums import ComplaintChannel
from clubdesk.services.complaint_links import find_by_number
from clubdesk.services.complaints import ComplaintDraft
from clubdesk.services.permissions import Permission, allowed
from ui.errors import show_error

if TYPE_CHECKING:
    from ui.dialogs.complaint import ComplaintDialog
    from ui.dialogs.complaint_categories import ComplaintCategoriesDialog
    from ui.dialogs.complaint_register import ComplaintRegisterDialog
    from ui.main_window import MainWindow

Clock = Callable[[], datetime]


class ComplaintActions(QObject):
    def __init__(self, window: MainWindow, *, clock: Clock | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.clock: Clock = clock or datetime.now
        # The dialogs opened last (tests and the return-visit module look at them).
        self.register_dialog: ComplaintRegisterDialog | None = None
        self.case_dialog: ComplaintDialog | None = None
        self.categories_dialog: ComplaintCategoriesDialog | None = None
        self._open_cases: dict[int, ComplaintDialog] = {}
        dock = window.complaints
        dock.open_requested.connect(self.open_complaint)
        dock.register_requested.connect(lambda: self.register())

    # -- the menu ---------------------------------------------------------------------
    def build_menu(self, menu: QMenu) -> list[QAction]:
        """The 投诉 menu; returns the actions worth a toolbar button."""
        window = self.window
        register = _action(window, _("登记投诉(&R)…"), lambda: self.register(), "Ctrl+Shift+C")
        opening = _action(window, _("打开投诉(&O)…"), self.open_selected, None)
        overdue = _action(window, _("查看超时投诉"), self.show_overdue, None)
        categories = _action(window, _("投诉类别(&G)…"), self.categories, None)
        stats = _action(window, _("投诉分类统计(&S)…"), self.show_stats, None)
        if not allowed(window.user, Permission.COMPLAINT_APPROVE):
            stats.setEnabled(False)
            stats.setToolTip(_("投诉分类统计由客服主管及以上填写和查看"))
        blank = _action(window, _("打印空白投诉登记表(&B)…"), self.print_blank, None)
        if not allowed(window.user, Permission.COMPLAINT_REGISTER):
            register.setEnabled(False)
            register.setToolTip(_("您的账号没有登记投诉的权限"))
        may_edit = allowed(window.user, Permission.COMPLAINT_CATEGORIES)
        categories.setEnabled(may_edit)
        if not may_edit:
            categories.setToolTip(_("投诉类别由经理维护"))
        menu.setToolTipsVisible(True)
        for action in (register, opening, overdue):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(stats)
        menu.addAction(blank)
        menu.addAction(categories)
        self.stats_action = stats
        self.register_action = register
        self.open_action = opening
        self.categories_action = categories
        return [register]

    # -- requests ---------------------------------------------------------------------
    def print_blank(self) -> None:
        """The registration form to fill in by hand, for a counter without a PC at hand."""
        from ui.pdf_output import save_form

        w = self.window
        save_form(
            w, w.runner, w.db, "complaint-form", None,
            title=_("保存空白投诉登记表"), suggested_name=_("顾客投诉登记表（空白）.pdf"),
        )  # fmt: skip

    def show_stats(self) -> None:
        from ui.dialogs.complaint_stats import ComplaintStatsDialog

        w = self.window
        dialog = ComplaintStatsDialog(w.db, w.runner, w.user, w, clock=self.clock)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def refresh(self) -> None:
        self.window.complaints.refresh()

    def _changed(self, *_args: object) -> None:
        self.refresh()

    def register(
        self,
        member_id: int | None = None,
        booking_id: int | None = None,
        content: str = "",
        channel: ComplaintChannel | None = None,
        from_visit_id: int | None = None,
        prefill: ComplaintDraft | None = None,
    ) -> ComplaintRegisterDialog:
        """The registration form, prefilled (a dissatisfied return visit: the member, the
        booking, channel phone, what the customer said, the visit)."""
        from ui.dialogs.complaint_register import ComplaintRegisterDialog

        w = self.window
        dialog = ComplaintRegisterDialog(
            w.db, w.runner, w.user, w, member_id=member_id, booking_id=booking_id,
            content=content, channel=channel, from_visit_id=from_visit_id, prefill=prefill,
            clock=self.clock,
        )  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.registered.connect(self._registered)
        self.register_dialog = dialog
        dialog.show()
        return dialog

    def _registered(self, complaint_id: int) -> None:
        dock = self.window.complaints
        dock.show()
        dock.raise_()
        dock.reveal(complaint_id)  # read again, the new complaint selected and in view
        form = self.register_dialog
        hidden = (
            form is not None
            and shiboken6.isValid(form)
            and form.sensitive.isChecked()
            and not allowed(self.window.user, Permission.COMPLAINT_SENSITIVE)
        )
        text = (
            _("敏感投诉已登记，将由客服主管及以上处理，您的列表中不会显示。")
            if hidden
            else _("投诉已登记，可在“投诉登记”面板中打开处理。")
        )
        self.window.statusBar().showMessage(text, 8000)

    def open_complaint(self, complaint_id: int) -> None:
        """The case dialog, unless the user may not open it (then the reason)."""
        from ui.dialogs.complaint import open_complaint

        w = self.window
        already = self._open_cases.get(complaint_id)
        if already is not None and shiboken6.isValid(already) and already.isVisible():
            already.raise_()  # the same case twice would let two forms race each other
            already.activateWindow()
            return

        def opened(dialog: ComplaintDialog) -> None:
            dialog.changed.connect(self._changed)
            self.case_dialog = dialog
            self._open_cases[complaint_id] = dialog

        open_complaint(w, w.db, w.runner, w.user, complaint_id, opened, clock=self.clock)

    def open_selected(self) -> None:
        """The complaint selected in the dock, or one found by its number."""
        selected = self.window.complaints.selected_id()
        if selected is not None:
            self.open_complaint(selected)
            return
        number, ok = QInputDialog.getText(
            self.window,
            _("打开投诉"),
            _("投诉编号（如 TS20310314-001）："),
            QLineEdit.EchoMode.Normal,
        )
        if not ok or not number.strip():
            return
        w = self.window
        w.runner.submit(
            lambda: find_by_number(w.db, number, w.user),
            self.open_complaint,
            lambda exc: show_error(w, exc),
        )

    def show_overdue(self) -> None:
        from ui.docks.complaints import Filter

        dock = self.window.complaints
        dock.show()
        dock.raise_()
        dock.set_filter(Filter.OVERDUE)
        dock.focus_table()

    def categories(self) -> ComplaintCategoriesDialog:
        from ui.dialogs.complaint_categories import ComplaintCategoriesDialog

        w = self.window
        dialog = ComplaintCategoriesDialog(w.db, w.runner, w.user, w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._changed)
        self.categories_dialog = dialog
        dialog.show()
        return dialog


def _action(
    parent: QWidget, text: str, slot: Callable[[], object], shortcut: str | None
) -> QAction:
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    return action

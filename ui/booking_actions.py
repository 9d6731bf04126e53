"""The booking board's menu, and its docks' requests turned into dialogs.

The board, the in-service dock and the menus only say what the counter wants (open
this booking, settle that one, receive a walk-in); this object opens the dialog and
refreshes every view a change touches, so no dock needs to know another.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QWidget

from clubdesk.i18n import _
from clubdesk.models.enums import BookingState, Satisfaction
from clubdesk.services import bookings
from ui.errors import show_error

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class BookingActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        board = window.bookings
        board.open_requested.connect(self.open_booking)
        board.create_requested.connect(self.new_booking)
        board.cancel_requested.connect(self.cancel)
        board.finish_requested.connect(self.finish)
        board.checkout_requested.connect(self.checkout)
        board.walk_in_requested.connect(self.walk_in)
        board.waitlist_requested.connect(self.waitlist)
        board.notices.connect(self.show_notices)
        service = window.in_service
        service.changed.connect(self.refresh)
        service.checkout_requested.connect(self.checkout)
        board.changed.connect(lambda _id: service.refresh())

    # -- the menu ---------------------------------------------------------------------
    def build_menu(self, menu: QMenu) -> list[QAction]:
        """The 预约 menu; returns the actions worth a toolbar button."""
        window = self.window
        new = _action(window, _("新预约(&N)…"), window.bookings.new_booking, "Ctrl+Shift+N")
        walk_in = _action(window, _("带客接待(&W)…"), self.walk_in, "Ctrl+Shift+W")
        waitlist = _action(window, _("候补名单(&L)…"), self.waitlist, None)
        today = _action(window, _("看板回到今天"), window.bookings.go_today, None)
        figures = _action(window, _("带客与满意度统计…"), self.reception_figures, None)
        catalog = _action(window, _("服务项目与房间技师…"), self.catalog, None)
        for action in (new, walk_in, waitlist, today):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(figures)
        menu.addAction(catalog)
        return [new, walk_in]

    # -- requests ---------------------------------------------------------------------
    def refresh(self) -> None:
        self.window.bookings.refresh()
        self.window.in_service.refresh()

    def _changed(self, *_args: object) -> None:
        self.refresh()

    def open_booking(self, booking_id: int) -> None:
        from ui.dialogs.booking import BookingDialog

        w = self.window
        dialog = BookingDialog(w.db, w.runner, w.user, w, booking_id=booking_id)
        self._show(dialog)

    def new_booking(
        self, resource_id: int, start_at: datetime | None, end_at: datetime | None
    ) -> None:
        from ui.dialogs.booking import BookingDialog

        w = self.window
        dialog = BookingDialog(
            w.db, w.runner, w.user, w, resource_id=resource_id or None, start_at=start_at,
            end_at=end_at,
        )  # fmt: skip
        self._show(dialog)

    def _show(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        changed = getattr(dialog, "changed", None)
        if changed is not None:
            changed.connect(self._changed)
        checkout = getattr(dialog, "checkout_requested", None)
        if checkout is not None:
            checkout.connect(self.checkout)
        dialog.show()

    def cancel(self, booking_id: int) -> None:
        from ui.dialogs.booking import CANCEL_REASONS, ask_reason

        reason = ask_reason(
            self.window, _("取消预约"), _("请填写取消原因："), [_(r) for r in CANCEL_REASONS]
        )
        if reason is not None:
            self._advance(booking_id, BookingState.CANCELLED, reason=reason)

    def finish(self, booking_id: int) -> None:
        from ui.dialogs.booking import ask_satisfaction

        go_on, satisfaction = ask_satisfaction(self.window)
        if go_on:
            self._advance(booking_id, BookingState.FINISHED, satisfaction=satisfaction)

    def _advance(
        self, booking_id: int, target: BookingState, *, reason: str | None = None,
        satisfaction: Satisfaction | None = None,
    ) -> None:  # fmt: skip
        w = self.window

        def work() -> bookings.Change:
            return bookings.transition(
                w.db, w.user, booking_id, target, reason=reason, satisfaction=satisfaction
            )

        def done(change: bookings.Change) -> None:
            self.refresh()
            self.show_notices(change.notices)

        w.runner.submit(work, done, lambda exc: self._failed(exc))

    def _failed(self, exc: BaseException) -> None:
        show_error(self.window, exc)
        self.refresh()

    def checkout(self, booking_id: int) -> None:
        from ui.dialogs.checkout import CheckoutDialog

        w = self.window
        dialog = CheckoutDialog(w.db, w.runner, w.user, booking_id, w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.settled.connect(self._changed)
        dialog.show()

    def walk_in(self) -> None:
        from ui.dialogs.walk_in import WalkInWizard

        w = self.window
        wizard = WalkInWizard(w.db, w.runner, w.user, w)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.seated.connect(self._seated)
        wizard.finished.connect(lambda _r: self.refresh())
        wizard.show()

    def _seated(self, booking_id: int) -> None:
        self.refresh()
        self.window.in_service.raise_()
        text = _("散客已入座（预约号 {id}），可在“服务中”面板跟进、加钟和结账。")
        self.window.statusBar().showMessage(text.format(id=booking_id), 8000)

    def waitlist(self) -> None:
        from ui.dialogs.waitlist import WaitlistDialog

        w = self.window
        dialog = WaitlistDialog(w.db, w.runner, w.user, w, w.bookings.current_day())
        self._show(dialog)

    def reception_figures(self) -> None:
        from ui.dialogs.reception_figures import ReceptionFiguresDialog

        w = self.window
        dialog = ReceptionFiguresDialog(w.db, w.runner, w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def catalog(self) -> None:
        from ui.dialogs.catalog import CatalogDialog

        w = self.window
        dialog = CatalogDialog(w.db, w.runner, w.user, w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._changed)
        dialog.show()

    def show_notices(self, notices: object) -> None:
        """Waitlisted guests a change made room for: the counter should call them now."""
        from ui.dialogs.booking import show_notices

        texts = [str(n) for n in notices] if isinstance(notices, (tuple, list)) else []
        if texts:
            show_notices(self.window, texts)
            self.window.statusBar().showMessage(texts[0], 10000)


def _action(
    parent: QWidget, text: str, slot: Callable[[], object], shortcut: str | None
) -> QAction:
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    return action

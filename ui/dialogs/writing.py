"""A dialog that stays open while its write is in flight.

Esc, 取消 and the window's × are ignored (with a word in the status line) until the
runner answers: closing earlier would delete the dialog under the answer, losing the
result of a checkout or a save that did happen.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QWidget

from clubdesk.i18n import N_, _

WAIT_TEXT = N_("正在保存，请稍候…")


class WritingDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._writing = False

    def writing(self) -> bool:
        return self._writing

    def alive(self) -> bool:
        """False once Qt has deleted the dialog (a late answer from the runner)."""
        return shiboken6.isValid(self)

    def say(self, text: str, colour: str | None = None) -> None:
        """Show ``text`` in the dialog's status line."""
        raise NotImplementedError

    def reject(self) -> None:
        if self.writing():
            self.say(_(WAIT_TEXT))
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.writing():
            self.say(_(WAIT_TEXT))
            event.ignore()
            return
        super().closeEvent(event)

"""A card reader that types the card number and Enter (a keyboard wedge).

Readers type far faster than people: the filter watches every key press in the
application, and when at least ``MIN_DIGITS`` digits arrived with no gap longer than
``MAX_GAP`` and Enter follows, it reports the number and eats the Enter.  The digits
the reader typed into whatever field had the focus are taken out again, so a scan
while writing a note does not leave a card number in the note.
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit

MOBILE = re.compile(r"1[3-9]\d{9}")
MIN_DIGITS = 8
MAX_GAP = 0.05  # seconds between two keys of a reader; people need ~0.1 s or more


class CardWedge(QObject):
    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, clock: object = None) -> None:
        super().__init__(parent)
        self._clock = clock or time.monotonic
        self._digits = ""
        self._last = 0.0
        self.enabled = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not self.enabled or kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        assert isinstance(event, QKeyEvent)
        # A key press travels through the window and up the parents: count it once,
        # where it is delivered first.
        if watched is not (QApplication.focusWidget() or QApplication.activeWindow()):
            return False
        now = self._clock()  # type: ignore[operator]
        key = event.key()
        text = event.text()
        if kind == QEvent.Type.ShortcutOverride:
            # A reader's Enter must reach us as a key press, not trigger a shortcut
            # (a default button, a window-wide Enter): claim it when a scan is pending.
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._scan_pending(now):
                event.accept()
                return True
            return False
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            number, self._digits = self._digits, ""
            if self._is_scan(number, now):
                self._take_back(number)
                self.scanned.emit(number)
                return True
            return False
        if len(text) == 1 and text.isdigit():
            if self._digits and now - self._last > MAX_GAP:
                self._digits = ""
            self._digits += text
            self._last = now
        else:
            self._digits = ""
        return False

    def _scan_pending(self, now: float) -> bool:
        return self._is_scan(self._digits, now)

    def _is_scan(self, digits: str, now: float) -> bool:
        # A mainland mobile number typed fast (an auto-typer, a pasted number) is a
        # phone, not a card: phones and card numbers never share a pattern.
        return (
            len(digits) >= MIN_DIGITS
            and now - self._last <= MAX_GAP
            and not MOBILE.fullmatch(digits)
        )

    def _take_back(self, number: str) -> None:
        widget = QApplication.focusWidget()
        if isinstance(widget, QLineEdit) and widget.objectName() != "rosterSearch":
            if widget.text().endswith(number):
                widget.setText(widget.text()[: -len(number)])
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            cursor = widget.textCursor()
            for _ in number:
                cursor.deletePreviousChar()

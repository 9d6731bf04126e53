"""Keyboard shortcuts that act only while one widget has the focus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def widget_shortcut(
    widget: QWidget,
    key: QKeySequence | QKeySequence.StandardKey | Qt.Key,
    slot: Callable[[], object],
) -> QShortcut:
    """``key`` runs ``slot`` only while ``widget`` has the focus: a QShortcut's default
    context is the whole window, where Enter belongs to other widgets (and to a card
    reader)."""
    shortcut = QShortcut(QKeySequence(key), widget)
    shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
    shortcut.activated.connect(slot)
    return shortcut

"""A form label's Alt+letter reaches the input inside a FieldBox, and Tab still runs
through the inputs in order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QFormLayout, QLineEdit
from pytestqt.qtbot import QtBot

from ui.dialogs.card_actions import FieldBox


def test_mnemonics_and_tab_reach_the_inputs(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    form = QFormLayout(dialog)
    name, kind, notes = QLineEdit(), QComboBox(), QLineEdit()
    kind.addItems(["房间", "技师"])
    form.addRow("姓名(&A)", FieldBox(name))
    form.addRow("类型(&B)", FieldBox(kind))
    form.addRow("备注(&C)", FieldBox(notes))
    dialog.show()
    dialog.activateWindow()
    qtbot.waitExposed(dialog)
    name.setFocus()
    qtbot.waitUntil(name.hasFocus)
    order = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [kind, notes, name]
    qtbot.keyClick(name, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is notes
    qtbot.keyClick(notes, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is kind

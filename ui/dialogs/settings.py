"""Settings of this counter PC: the interface language."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QWidget,
)

from clubdesk import i18n, prefs
from clubdesk.i18n import _


class SettingsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("设置"))
        self._prefs = prefs.load()
        form = QFormLayout(self)
        self.language = QComboBox(self)
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(self._prefs.language)))
        form.addRow(_("界面语言："), self.language)
        form.addRow(QLabel(_("更改语言后需重新启动 ClubDesk 才能生效。"), self))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        chosen = self.language.currentData()
        if chosen != self._prefs.language:
            self._prefs.language = chosen
            prefs.save(self._prefs)
            QMessageBox.information(self, _("设置"), _("语言已保存，重新启动 ClubDesk 后生效。"))
        super().accept()

"""The settings dialog: 本机 (this PC's interface language) and 店铺设置 (the club
settings every counter shares: domain.md's numbers, which a manager may change).

店铺设置 lists the settings by group (店铺, 会员, 投诉, 回访, VIP, 员工, 备份), each
with its Chinese label, an input suited to it (a spin box with its unit, a time, an
amount in yuan, a percentage, a list of days, the top-up bonus tiers, a message with
buttons that insert its placeholders) and 恢复默认.  A setting that differs from its
default has a tinted label; one edited but not yet saved is bold and blue, and so is
its group in the list on the left.

确定 and 应用 send the edited settings through the task runner as one
``club_settings.set_values`` call; a refusal puts the service's sentence under the
setting it names (its group is opened and the input focused) and nothing is saved.
Without ``Permission.SETTINGS_EDIT`` the settings are shown read-only with a note.
Esc or 取消 with unsaved edits asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QDate, QPoint, QSignalBlocker, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clubdesk import i18n, prefs, settings
from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError
from clubdesk.i18n import N_, _
from clubdesk.services import club_settings
from clubdesk.services.club_settings import Change, ClubSettings
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from clubdesk.settings import Form, SettingDef
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, FieldBox, confirm
from ui.dialogs.writing import WritingDialog
from ui.errors import show_error
from ui.shortcuts import widget_shortcut
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.money_edit import MoneyEdit

Runner = TaskRunner | SyncRunner

LABEL_WIDTH = 236
DIRTY_COLOUR = "#1d4ed8"
NAV_WIDTH = 110
STYLE = """
QLabel#settingLabel { padding: 3px 6px; border-radius: 3px; }
QLabel#settingLabel[differs="true"] { background: #fef3c7; }
QLabel#settingLabel[dirty="true"] { color: #1d4ed8; font-weight: bold; }  /* DIRTY_COLOUR */
QLabel#groupTitle { font-size: 12pt; font-weight: bold; padding: 2px 0 6px 0; }
QLabel#settingHint { color: #6b7280; }
QLabel#readOnlyNote {
    background: #fef9c3; color: #713f12; border: 1px solid #facc15;
    border-radius: 3px; padding: 4px 6px;
}
QPushButton#placeholder { padding: 1px 6px; font-family: monospace; }
QListWidget#groupNav::item { padding: 5px 8px; }
"""
DISCARD_TEXT = N_("有尚未保存的修改，确定放弃这些修改吗？")
TIME_FORMAT = "HH:mm"
HOLIDAY_FORMAT = "MM-dd"
LEAP_YEAR = 2000  # holidays are days of any year: 02-29 must be choosable


# -- the inputs, one per kind of setting ----------------------------------------------------
class SettingEditor(QWidget):
    """One setting's input.  ``value()`` is what would be saved, or ValueError with a
    Chinese sentence when the input cannot be read (an incomplete amount)."""

    edited = Signal()

    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition = definition
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(4)
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(6)
        self.column.addLayout(self.row)

    def finish(self, *, stretch: bool = True) -> None:
        """Close the input row (packed left unless the input fills it) and add the hint."""
        if stretch:
            self.row.addStretch(1)
        if self.definition.hint:
            self.add_hint(_(self.definition.hint))

    def add_hint(self, text: str) -> QLabel:
        hint = QLabel(text, self)
        hint.setObjectName("settingHint")
        hint.setWordWrap(True)
        self.column.addWidget(hint)
        return hint

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_widget(self) -> QWidget:
        raise NotImplementedError

    def inputs(self) -> list[QWidget]:
        """The widgets that take the keyboard, in reading order (for the tab chain)."""
        return [self.focus_widget()]

    def set_editable(self, editable: bool) -> None:
        """Read-only inputs stay readable (not greyed out); buttons that only edit go."""
        for child in self.findChildren(QWidget):
            if isinstance(child, QAbstractSpinBox):
                child.setReadOnly(not editable)
                child.setButtonSymbols(
                    QAbstractSpinBox.ButtonSymbols.UpDownArrows
                    if editable
                    else QAbstractSpinBox.ButtonSymbols.NoButtons
                )
            elif isinstance(child, QLineEdit | QPlainTextEdit):
                child.setReadOnly(not editable)
            elif isinstance(child, QPushButton):
                child.setVisible(editable)
            elif isinstance(child, QComboBox):
                child.setEnabled(editable)


class TextEditor(SettingEditor):
    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.edit = QLineEdit(self)
        if definition.limit:
            self.edit.setMaxLength(definition.limit)
        if definition.form is Form.PHONE:
            self.edit.setPlaceholderText(_("例如 0571-8888 6666"))
            self.edit.setMaximumWidth(260)
        self.edit.textEdited.connect(lambda _text: self.edited.emit())
        self.row.addWidget(self.edit, 1)
        self.finish(stretch=definition.form is Form.PHONE)

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: Any) -> None:
        self.edit.setText(str(value))

    def focus_widget(self) -> QWidget:
        return self.edit


class TimeEditor(SettingEditor):
    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.edit = QTimeEdit(self)
        self.edit.setDisplayFormat(TIME_FORMAT)
        self.edit.timeChanged.connect(lambda _time: self.edited.emit())
        self.row.addWidget(self.edit)
        self.finish()

    def value(self) -> str:
        return self.edit.time().toString(TIME_FORMAT)

    def set_value(self, value: Any) -> None:
        parsed = QTime.fromString(str(value), TIME_FORMAT)
        if not parsed.isValid():
            parsed = QTime.fromString(str(value), "H:mm")
        with QSignalBlocker(self.edit):
            self.edit.setTime(parsed if parsed.isValid() else QTime(0, 0))

    def focus_widget(self) -> QWidget:
        return self.edit


class NumberEditor(SettingEditor):
    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.spin = QSpinBox(self)
        low, high = definition.minimum or 0, definition.maximum or 999_999
        self.spin.setRange(low, high)
        self.spin.setSuffix(" " + _(definition.unit) if definition.unit else "")
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.spin.setMinimumWidth(110)
        self.spin.valueChanged.connect(lambda _n: self.edited.emit())
        self.row.addWidget(self.spin)
        self.range = QLabel(_("（{low}–{high}）").format(low=low, high=high), self)
        self.range.setObjectName("settingHint")
        self.row.addWidget(self.range)
        self.finish()

    def value(self) -> int:
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.spin):
            self.spin.setValue(int(value))

    def focus_widget(self) -> QWidget:
        return self.spin


class FenEditor(SettingEditor):
    """An amount typed in yuan (``MoneyEdit``), saved in fen."""

    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.edit = MoneyEdit(self, maximum_fen=definition.maximum or settings.MONEY_MAX_FEN)
        self.edit.setMaximumWidth(160)
        self.edit.textEdited.connect(lambda _text: self.edited.emit())
        self.row.addWidget(self.edit)
        self.row.addWidget(QLabel(_("元"), self))
        self.finish()

    def value(self) -> int:
        fen = self.edit.fen()
        if fen is None:
            raise ValueError(self.edit.problem() or _("请输入金额。"))
        return fen

    def set_value(self, value: Any) -> None:
        self.edit.set_fen(int(value))

    def focus_widget(self) -> QWidget:
        return self.edit


class RateEditor(SettingEditor):
    """Basis points of the list price as a percentage with two decimals: 8800 → 88.00 %,
    with the Chinese way of saying it next to it (八八折 → "即 8.8 折")."""

    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.spin = QDoubleSpinBox(self)
        self.spin.setDecimals(2)
        self.spin.setRange(0.01, 100.0)
        self.spin.setSingleStep(0.5)
        self.spin.setPrefix(_("原价的 "))
        self.spin.setSuffix(" %")
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.spin.setMinimumWidth(150)
        self.spin.valueChanged.connect(lambda _v: self._changed())
        self.row.addWidget(self.spin)
        self.said = QLabel(self)
        self.said.setObjectName("settingHint")
        self.row.addWidget(self.said)
        self.finish()

    def _changed(self) -> None:
        self._say()
        self.edited.emit()

    def _say(self) -> None:
        bp = self.value()
        if bp >= 10_000:
            self.said.setText(_("即不打折"))
        else:
            self.said.setText(
                _("即 {rate} 折").format(rate=f"{bp / 1000:.3f}".rstrip("0").rstrip("."))
            )

    def value(self) -> int:
        return round(self.spin.value() * 100)

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.spin):
            self.spin.setValue(int(value) / 100)
        self._say()

    def focus_widget(self) -> QWidget:
        return self.spin


class TierEditor(SettingEditor):
    """A membership tier by name; the setting stores its rank."""

    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.combo = QComboBox(self)
        self.combo.setMinimumWidth(140)
        self.combo.currentIndexChanged.connect(lambda _i: self.edited.emit())
        self.row.addWidget(self.combo)
        self.finish()

    def set_tiers(self, tiers: list[tuple[int, str]]) -> None:
        with QSignalBlocker(self.combo):
            self.combo.clear()
            for rank, name in tiers:
                self.combo.addItem(_("{name}及以上").format(name=name), rank)

    def value(self) -> int:
        data = self.combo.currentData()
        return -1 if data is None else int(data)

    def set_value(self, value: Any) -> None:
        rank = int(value)
        with QSignalBlocker(self.combo):
            index = self.combo.findData(rank)
            if index < 0:
                self.combo.addItem(_("等级序号 {rank}").format(rank=rank), rank)
                index = self.combo.count() - 1
            self.combo.setCurrentIndex(index)

    def focus_widget(self) -> QWidget:
        return self.combo


class DatesEditor(SettingEditor):
    """Days of the year ("MM-DD"): a list, a day to add and 删除所选 (or Delete)."""

    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.days = QListWidget(self)
        self.days.setFlow(QListView.Flow.LeftToRight)
        self.days.setWrapping(True)
        self.days.setResizeMode(QListView.ResizeMode.Adjust)
        self.days.setSpacing(3)
        self.days.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.days.setFixedHeight(self.days.fontMetrics().height() * 4 + 16)
        self.days.setAccessibleName(_(definition.label))
        widget_shortcut(self.days, QKeySequence.StandardKey.Delete, self.remove_selected)
        self.row.addWidget(self.days, 1)
        adding = QHBoxLayout()
        adding.setSpacing(6)
        self.day = QDateEdit(self)
        self.day.setDisplayFormat(HOLIDAY_FORMAT)
        self.day.setDateRange(QDate(LEAP_YEAR, 1, 1), QDate(LEAP_YEAR, 12, 31))
        self.day.setDate(QDate(LEAP_YEAR, 1, 1))
        self.day.setToolTip(_("月-日"))
        self.add_button = QPushButton(_("添加"), self)
        self.add_button.clicked.connect(self.add_day)
        widget_shortcut(self.day, Qt.Key.Key_Return, self.add_day)
        widget_shortcut(self.day, Qt.Key.Key_Enter, self.add_day)
        self.remove_button = QPushButton(_("删除所选"), self)
        self.remove_button.clicked.connect(self.remove_selected)
        for widget in (self.day, self.add_button, self.remove_button):
            adding.addWidget(widget)
        adding.addStretch(1)
        self.column.addLayout(adding)
        self.finish(stretch=False)

    def add_day(self) -> None:
        text = self.day.date().toString(HOLIDAY_FORMAT)
        found = self.days.findItems(text, Qt.MatchFlag.MatchExactly)
        if found:
            self.days.setCurrentItem(found[0])
            return
        limit = self.definition.maximum or settings.HOLIDAYS_MAX
        if self.days.count() >= limit:
            return
        self._fill([*self.value(), text])
        self.days.setCurrentItem(self.days.findItems(text, Qt.MatchFlag.MatchExactly)[0])
        self.edited.emit()

    def remove_selected(self) -> None:
        chosen = {item.text() for item in self.days.selectedItems()}
        if not chosen:
            return
        self._fill([day for day in self.value() if day not in chosen])
        self.edited.emit()

    def _fill(self, days: list[str]) -> None:
        self.days.clear()
        for day in sorted(set(days)):
            self.days.addItem(QListWidgetItem(day))

    def value(self) -> list[str]:
        return [self.days.item(row).text() for row in range(self.days.count())]

    def set_value(self, value: Any) -> None:
        self._fill([str(day) for day in value])

    def focus_widget(self) -> QWidget:
        return self.days

    def inputs(self) -> list[QWidget]:
        return [self.days, self.day, self.add_button, self.remove_button]

    def set_editable(self, editable: bool) -> None:
        self.day.setVisible(editable)
        self.add_button.setVisible(editable)
        self.remove_button.setVisible(editable)


class _BonusRow(QWidget):
    def __init__(self, parent: QWidget, remove: Callable[[_BonusRow], None]) -> None:
        super().__init__(parent)
        line = QHBoxLayout(self)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(6)
        self.pay = MoneyEdit(self)
        self.bonus = MoneyEdit(self)
        for edit in (self.pay, self.bonus):
            edit.setMinimumWidth(100)
            edit.setMaximumWidth(130)
        self.remove = QPushButton(_("删除"), self)
        self.remove.clicked.connect(lambda: remove(self))
        line.addWidget(QLabel(_("充值满"), self))
        line.addWidget(self.pay)
        line.addWidget(QLabel(_("元，送"), self))
        line.addWidget(self.bonus)
        line.addWidget(QLabel(_("元"), self))
        line.addWidget(self.remove)
        line.addStretch(1)


class BonusEditor(SettingEditor):
    """The top-up bonus tiers: one line per tier (pay at least …, get … on top)."""

    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.lines: list[_BonusRow] = []
        self.list = QVBoxLayout()
        self.list.setSpacing(4)
        self.column.insertLayout(0, self.list)
        self.add_button = QPushButton(_("添加一档"), self)
        self.add_button.clicked.connect(self._add_clicked)
        self.row.addWidget(self.add_button)
        self.empty = QLabel(_("（没有赠送规则：充值不送金额）"), self)
        self.empty.setObjectName("settingHint")
        self.row.addWidget(self.empty)
        self.editable = True
        self.finish()

    def _add_clicked(self) -> None:
        line = self._add(None, None)
        line.pay.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edited.emit()

    def _add(self, pay: int | None, bonus: int | None) -> _BonusRow:
        line = _BonusRow(self, self._remove)
        line.pay.set_fen(pay)
        line.bonus.set_fen(bonus)
        for edit in (line.pay, line.bonus):
            edit.textEdited.connect(lambda _text: self.edited.emit())
            edit.setReadOnly(not self.editable)
        line.remove.setVisible(self.editable)
        self.list.addWidget(line)
        self.lines.append(line)
        self._update()
        return line

    def _remove(self, line: _BonusRow) -> None:
        self.lines.remove(line)
        self.list.removeWidget(line)
        line.deleteLater()
        self._update()
        self.add_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.edited.emit()

    def _update(self) -> None:
        limit = self.definition.maximum or settings.BONUS_RULES_MAX
        self.add_button.setEnabled(self.editable and len(self.lines) < limit)
        self.empty.setVisible(not self.lines)

    def value(self) -> list[list[int]]:
        rules = []
        for number, line in enumerate(self.lines, start=1):
            pay, bonus = line.pay.fen(), line.bonus.fen()
            if pay is None:
                raise ValueError(
                    _("第 {n} 档的充值金额：{problem}").format(n=number, problem=line.pay.problem())
                )
            if bonus is None:
                raise ValueError(
                    _("第 {n} 档的赠送金额：{problem}").format(
                        n=number, problem=line.bonus.problem()
                    )
                )
            rules.append([pay, bonus])
        return rules

    def set_value(self, value: Any) -> None:
        for line in self.lines:
            self.list.removeWidget(line)
            line.deleteLater()
        self.lines = []
        for pay, bonus in value:
            self._add(int(pay), int(bonus))
        self._update()

    def focus_widget(self) -> QWidget:
        return self.lines[0].pay if self.lines else self.add_button

    def inputs(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for line in self.lines:
            chain += [line.pay, line.bonus, line.remove]
        return [*chain, self.add_button]

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        for line in self.lines:
            line.pay.setReadOnly(not editable)
            line.bonus.setReadOnly(not editable)
            line.remove.setVisible(editable)
        self.add_button.setVisible(editable)
        self._update()


class ThresholdsEditor(SettingEditor):
    """The cumulative spend (yuan) from which a member has 2, 3, 4 and 5 stars."""

    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        self.spins: list[QSpinBox] = []
        count = definition.minimum or settings.STAR_THRESHOLDS
        for index in range(count):
            spin = QSpinBox(self)
            spin.setRange(1, definition.maximum or 10_000_000)
            spin.setGroupSeparatorShown(True)
            spin.setSuffix(" " + _(definition.unit))
            spin.setAlignment(Qt.AlignmentFlag.AlignRight)
            spin.setMinimumWidth(130)
            spin.valueChanged.connect(lambda _n: self.edited.emit())
            caption = QLabel(_("{n} 星起：").format(n=index + 2), self)
            caption.setBuddy(spin)
            grid.addWidget(caption, index // 2, (index % 2) * 2)
            grid.addWidget(spin, index // 2, (index % 2) * 2 + 1)
            self.spins.append(spin)
        grid.setColumnStretch(4, 1)
        self.column.insertLayout(0, grid)
        self.finish()

    def value(self) -> list[int]:
        return [spin.value() for spin in self.spins]

    def set_value(self, value: Any) -> None:
        for spin, amount in zip(self.spins, value, strict=False):
            with QSignalBlocker(spin):
                spin.setValue(int(amount))

    def focus_widget(self) -> QWidget:
        return self.spins[0]

    def inputs(self) -> list[QWidget]:
        return list(self.spins)


class TemplateEditor(SettingEditor):
    """A message with placeholders: the text, a button per placeholder that inserts it
    at the cursor, what each one stands for, and the length against the limit."""

    def __init__(self, definition: SettingDef, parent: QWidget | None = None) -> None:
        super().__init__(definition, parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setTabChangesFocus(True)
        self.edit.setAccessibleName(_(definition.label))
        lines = 4
        self.edit.setFixedHeight(
            self.edit.fontMetrics().lineSpacing() * lines
            + 2 * int(self.edit.document().documentMargin())
            + 2 * self.edit.frameWidth()
            + 4
        )
        self.edit.textChanged.connect(self._changed)
        self.row.addWidget(self.edit, 1)
        tools = QHBoxLayout()
        tools.setSpacing(4)
        self.insert_label = QLabel(_("插入："), self)
        tools.addWidget(self.insert_label)
        self.buttons: list[QPushButton] = []
        for name, meaning in definition.placeholders:
            button = QPushButton("{" + name + "}", self)
            button.setObjectName("placeholder")
            button.setToolTip(_(meaning))
            button.setAutoDefault(False)
            button.clicked.connect(lambda _on=False, n=name: self.insert(n))
            tools.addWidget(button)
            self.buttons.append(button)
        tools.addStretch(1)
        self.count = QLabel(self)
        self.count.setObjectName("settingHint")
        tools.addWidget(self.count)
        self.column.addLayout(tools)
        self.add_hint(
            _("可用的占位符：{list}").format(
                list=_("、").join(
                    "{" + name + "} " + _(meaning) for name, meaning in definition.placeholders
                )
            )
        )
        self.finish(stretch=False)

    def insert(self, name: str) -> None:
        self.edit.insertPlainText("{" + name + "}")
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _changed(self) -> None:
        self._count()
        self.edited.emit()

    def _count(self) -> None:
        n, limit = len(self.edit.toPlainText()), self.definition.limit
        self.count.setText(_("{n}/{limit} 字").format(n=n, limit=limit))
        self.count.setStyleSheet(f"color: {ERROR_COLOUR};" if n > limit else "")

    def value(self) -> str:
        return self.edit.toPlainText()

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setPlainText(str(value))
        self._count()

    def focus_widget(self) -> QWidget:
        return self.edit

    def inputs(self) -> list[QWidget]:
        return [self.edit, *self.buttons]

    def set_editable(self, editable: bool) -> None:
        self.edit.setReadOnly(not editable)
        self.insert_label.setVisible(editable)
        for button in self.buttons:
            button.setVisible(editable)


EDITORS: dict[Form, type[SettingEditor]] = {
    Form.TEXT: TextEditor,
    Form.PHONE: TextEditor,
    Form.TIME: TimeEditor,
    Form.NUMBER: NumberEditor,
    Form.FEN: FenEditor,
    Form.RATE: RateEditor,
    Form.TIER: TierEditor,
    Form.DATES: DatesEditor,
    Form.BONUS: BonusEditor,
    Form.THRESHOLDS: ThresholdsEditor,
    Form.TEMPLATE: TemplateEditor,
}


# -- one setting: label, input with its message line, 恢复默认 -------------------------------
class SettingRow:
    def __init__(
        self, definition: SettingDef, page: QWidget, on_change: Callable[[], None]
    ) -> None:
        self.definition = definition
        self.key = definition.key
        self.loaded: Any = definition.default
        self.editable = False
        self._on_change = on_change
        self.label = QLabel(_(definition.label) + _("："), page)
        self.label.setObjectName("settingLabel")
        self.label.setWordWrap(True)
        self.label.setFixedWidth(LABEL_WIDTH)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.editor = EDITORS[definition.form](definition, page)
        self.box = FieldBox(self.editor, page)
        self.box.setFocusProxy(self.editor.focus_widget())
        self.label.setBuddy(self.editor.focus_widget())
        self.reset_button = QPushButton(_("恢复默认"), page)
        self.reset_button.setAutoDefault(False)
        self.reset_button.setToolTip(
            _("恢复为默认值：{value}").format(
                value=club_settings.describe(self.key, definition.default)
            )
        )
        self.reset_button.clicked.connect(self.reset)
        self.editor.edited.connect(self._edited)
        self.editor.set_editable(False)
        self.reset_button.setEnabled(False)

    def _edited(self) -> None:
        self.box.clear_error()
        self.update()
        self._on_change()

    def reset(self) -> None:
        self.editor.set_value(self.definition.default)
        self.editor.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)
        self._edited()

    def load(self, value: Any, stored: club_settings.Stored | None, tiers: dict[int, str]) -> None:
        self.box.clear_error()
        try:
            self.editor.set_value(value)
            self.loaded = self.editor.value()
        except (TypeError, ValueError):
            # A value this input cannot show (typed into the database by hand): show the
            # default and say so, rather than failing the whole dialog.
            self.editor.set_value(self.definition.default)
            self.loaded = value
            self.box.show_error(_("数据库中保存的值无法识别，这里显示的是默认值，保存后生效。"))
        default = club_settings.describe(self.key, self.definition.default, tiers)
        tip = _("默认值：{value}").format(value=default)
        self.reset_button.setToolTip(_("恢复为默认值：{value}").format(value=default))
        if stored is not None:
            tip += "\n" + _("上次修改：{by}，{at}").format(
                by=stored.by or _("（未知）"), at=stored.at.strftime("%Y-%m-%d %H:%M")
            )
        self.label.setToolTip(tip)
        self.update()

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.editor.set_editable(editable)
        self.reset_button.setVisible(editable)
        self.update()

    def current(self) -> Any:
        """The input's value; ValueError with a sentence when it cannot be read."""
        return self.editor.value()

    def dirty(self) -> bool:
        try:
            return bool(self.current() != self.loaded)
        except ValueError:
            return True

    def differs(self) -> bool:
        try:
            return bool(self.current() != self.definition.default)
        except ValueError:
            return True

    def update(self) -> None:
        differs, dirty = self.differs(), self.dirty()
        _set_flag(self.label, "differs", differs)
        _set_flag(self.label, "dirty", dirty)
        self.reset_button.setEnabled(self.editable and differs)


def _set_flag(widget: QWidget, name: str, on: bool) -> None:
    if widget.property(name) == on:
        return
    widget.setProperty(name, on)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class GroupPage(QScrollArea):
    """One group's settings in a scroll area of its own."""

    def __init__(
        self, title: str, definitions: list[SettingDef], on_change: Callable[[], None]
    ) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Only up and down: the dialog is never narrower than the widest group.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget(self)
        column = QVBoxLayout(inner)
        column.setContentsMargins(8, 4, 12, 8)
        heading = QLabel(title, inner)
        heading.setObjectName("groupTitle")
        column.addWidget(heading)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(12)
        grid.setColumnStretch(1, 1)
        self.rows: list[SettingRow] = []
        for line, definition in enumerate(definitions):
            row = SettingRow(definition, inner, on_change)
            grid.addWidget(row.label, line, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(row.box, line, 1)
            grid.addWidget(row.reset_button, line, 2, Qt.AlignmentFlag.AlignTop)
            self.rows.append(row)
        column.addLayout(grid)
        column.addStretch(1)
        self.setWidget(inner)

    def needed_width(self) -> int:
        bar = self.verticalScrollBar().sizeHint().width()
        return self.widget().minimumSizeHint().width() + bar + 2 * self.frameWidth()

    def reveal(self, widget: QWidget) -> None:
        """Scroll ``widget`` into view vertically (the labels stay in sight)."""
        top = widget.mapTo(self.widget(), QPoint(0, 0)).y()
        half = widget.height() // 2
        self.ensureVisible(0, top + half, 0, half + 24)


# -- the dialog -----------------------------------------------------------------------------
class SettingsDialog(WritingDialog):
    saved = Signal(list)  # the keys of the club settings that changed

    def __init__(
        self,
        db: Database,
        runner: Runner,
        user: StaffMember | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.user = user
        self.may_edit = allowed(user, Permission.SETTINGS_EDIT)
        self.loaded = False
        self._closing = False
        self._then = ""
        self.setWindowTitle(_("设置"))
        self.setStyleSheet(STYLE)
        self._prefs = prefs.load()

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._local_tab(), _("本机(&L)"))
        self.tabs.addTab(self._club_tab(), _("店铺设置(&D)"))

        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton(_("确定"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply = self.buttons.addButton(_("应用(&A)"), QDialogButtonBox.ButtonRole.ApplyRole)
        self.cancel = self.buttons.addButton(_("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setDefault(True)
        self.ok.clicked.connect(lambda: self.save(close=True))
        self.apply.clicked.connect(lambda: self.save(close=False))
        self.cancel.clicked.connect(self.reject)
        self.apply.setEnabled(False)
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(lambda: self.save(close=False))

        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.resize(940, 660)  # fits a 1280×800 screen; each group scrolls up and down
        self.load()
        self._fit()

    def _fit(self) -> None:
        """Never narrower than the widest group (its inputs as loaded), so no group
        needs sideways scrolling."""
        self.ensurePolished()
        pages = [self.pages.widget(i) for i in range(self.pages.count())]
        widest = max(page.needed_width() for page in pages if isinstance(page, GroupPage))
        margins = self.layout().contentsMargins()
        frame = self.tabs.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth)
        # + the tab page's and the nav/page layout's margins and spacing
        width = widest + NAV_WIDTH + margins.left() + margins.right() + 2 * frame + 40
        self.setMinimumSize(max(width, self.minimumWidth()), 460)
        if self.width() < self.minimumWidth():
            self.resize(self.minimumWidth(), self.height())

    # -- building -----------------------------------------------------------------------
    def _local_tab(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget(scroll)
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        note = QLabel(_("这些设置只影响这台电脑。"), inner)
        note.setObjectName("settingHint")
        form.addRow(note)
        self.language = QComboBox(inner)
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(self._prefs.language)))
        caption = QLabel(_("界面语言(&J)："), inner)
        caption.setBuddy(self.language)
        form.addRow(caption, self.language)
        form.addRow(QLabel(_("更改语言后需重新启动 ClubDesk 才能生效。"), inner))
        scroll.setWidget(inner)
        return scroll

    def _club_tab(self) -> QWidget:
        tab = QWidget()
        column = QVBoxLayout(tab)
        self.note = QLabel(tab)
        self.note.setWordWrap(True)
        if self.may_edit:
            self.note.setObjectName("settingHint")
            self.note.setText(
                _(
                    "这些设置全店所有收银台共用。底色标出与默认值不同的设置，"
                    "蓝色粗体是尚未保存的修改；把鼠标停在名称上可看默认值。"
                )
            )
        else:
            self.note.setObjectName("readOnlyNote")
            self.note.setText(
                _(
                    "您的账号（{name}）没有“修改店铺设置”的权限，以下设置只能查看。"
                    "如需修改，请联系经理。"
                ).format(name=self.user.display_name if self.user else _("未登录"))
            )
        column.addWidget(self.note)
        body = QHBoxLayout()
        self.nav = QListWidget(tab)
        self.nav.setObjectName("groupNav")
        self.nav.setFixedWidth(NAV_WIDTH)
        self.nav.setAccessibleName(_("设置分组"))
        self.pages = QStackedWidget(tab)
        self.rows: dict[str, SettingRow] = {}
        self.page_of: dict[str, int] = {}
        for group, title in settings.GROUPS.items():
            definitions = [d for d in settings.DEFINITIONS.values() if d.group == group]
            page = GroupPage(_(title), definitions, self._changed)
            for row in page.rows:
                self.rows[row.key] = row
                self.page_of[row.key] = self.pages.count()
            self.pages.addWidget(page)
            self.nav.addItem(_(title))
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(0)
        body.addWidget(self.nav)
        body.addWidget(self.pages, 1)
        column.addLayout(body, 1)
        return tab

    # -- loading ------------------------------------------------------------------------
    def load(self, then: str = "") -> None:
        """Read the club settings; ``then``: what to say once they are shown."""
        self._then = then
        self.say(_("正在读取店铺设置…"))
        self.runner.submit(lambda: club_settings.overview(self.db), self._loaded, self._load_failed)

    def _loaded(self, data: ClubSettings) -> None:
        if not self.alive():
            return
        tier_row = self.rows.get("member.vip_tier_rank")
        if tier_row is not None and isinstance(tier_row.editor, TierEditor):
            tier_row.editor.set_tiers(data.tiers)
        for key, row in self.rows.items():
            row.load(data.values[key], data.stored.get(key), dict(data.tiers))
            row.set_editable(self.may_edit)
        self.loaded = True
        self._changed()
        self._fit()
        self.say(self._then, OK_COLOUR if self._then else None)

    def _load_failed(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self.say(_("没能读取店铺设置，请稍后再试。"), ERROR_COLOUR)
        show_error(self, exc)

    # -- state --------------------------------------------------------------------------
    def dirty_rows(self) -> list[SettingRow]:
        return [row for row in self.rows.values() if row.dirty()] if self.loaded else []

    def language_changed(self) -> bool:
        return bool(self.language.currentData() != self._prefs.language)

    def _changed(self) -> None:
        dirty = {self.page_of[row.key] for row in self.dirty_rows()}
        for index in range(self.nav.count()):
            item = self.nav.item(index)
            font = QFont(item.font())
            font.setBold(index in dirty)
            item.setFont(font)
            # Unsaved edits in blue, like their labels; otherwise the style's own colour.
            item.setData(
                Qt.ItemDataRole.ForegroundRole, QColor(DIRTY_COLOUR) if index in dirty else None
            )
        self.apply.setEnabled(bool(dirty) and not self.writing())
        self._chain()

    def _chain(self) -> None:
        """Tab goes down each group in reading order, whenever its inputs were created
        (a bonus tier added later included), then to the buttons."""
        chain: list[QWidget] = [self.tabs.tabBar(), self.language, self.nav]
        for index in range(self.pages.count()):
            page = self.pages.widget(index)
            if isinstance(page, GroupPage):
                for row in page.rows:
                    chain += [*row.editor.inputs(), row.reset_button]
        chain += [self.ok, self.cancel, self.apply]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def show_page_of(self, key: str) -> SettingRow:
        row = self.rows[key]
        self.tabs.setCurrentIndex(1)
        self.nav.setCurrentRow(self.page_of[key])
        page = self.pages.widget(self.page_of[key])
        if isinstance(page, GroupPage):
            page.reveal(row.box)
        return row

    # -- saving -------------------------------------------------------------------------
    def save(self, *, close: bool) -> None:
        if self.writing():
            self.say(_("正在保存，请稍候…"))
            return
        for row in self.rows.values():
            row.box.clear_error()
        changes: dict[str, Any] = {}
        for row in self.dirty_rows():
            try:
                changes[row.key] = row.current()
            except ValueError as exc:
                self._refused_at(row.key, str(exc))
                return
        if not changes:
            if close:
                self._finish()
            else:
                self.say(_("没有需要保存的修改。"))
            return
        self._writing = True
        self._closing = close
        for button in (self.ok, self.apply):
            button.setEnabled(False)
        self.tabs.setEnabled(False)  # what is typed now would be lost to the reload
        self.say(_("正在保存，请稍候…"))
        self.runner.submit(
            lambda: club_settings.set_values(self.db, self.user, changes),
            self._saved,
            self._save_failed,
        )

    def _saved(self, done: list[Change]) -> None:
        if not self.alive():
            return
        self._writing = False
        self.ok.setEnabled(True)
        self.tabs.setEnabled(True)
        keys = [change.key for change in done]
        if keys:
            self.saved.emit(keys)
        if self._closing:
            self._finish()
            return
        self.load(then=_("已保存 {n} 项设置。").format(n=len(keys)))

    def _save_failed(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._writing = False
        self.ok.setEnabled(True)
        self.tabs.setEnabled(True)
        self._changed()
        if isinstance(exc, ClubDeskError) and exc.field in self.rows:
            self._refused_at(exc.field, exc.message)
            return
        show_error(self, exc)
        self.say(_("没有保存任何设置。"), ERROR_COLOUR)

    def _refused_at(self, key: str, message: str) -> None:
        row = self.show_page_of(key)
        row.box.show_error(message)
        row.editor.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)
        # Once the message has its lines, scroll again so all of it is in sight.
        QTimer.singleShot(0, lambda: self.alive() and self.show_page_of(key))
        self.say(
            _("“{what}”填写有误，没有保存任何设置。").format(what=_(row.definition.label)),
            ERROR_COLOUR,
        )

    def _finish(self) -> None:
        """Keep this PC's choice (as before the club settings existed) and close."""
        chosen = self.language.currentData()
        if chosen != self._prefs.language:
            self._prefs.language = chosen
            prefs.save(self._prefs)
            QMessageBox.information(self, _("设置"), _("语言已保存，重新启动 ClubDesk 后生效。"))
        super().accept()

    def accept(self) -> None:
        self.save(close=True)

    def reject(self) -> None:
        if self.writing():
            super().reject()  # says "please wait" and stays open
            return
        if (self.dirty_rows() or self.language_changed()) and not confirm(
            self, _("设置"), _(DISCARD_TEXT)
        ):
            return
        super().reject()

    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

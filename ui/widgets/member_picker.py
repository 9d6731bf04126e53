"""A compact member search field for dialogs (bookings, the waitlist, walk-ins).

Type what the roster's search box takes — a phone number or its start, the last 4
digits, a card number, 1–3 characters of a name, pinyin initials — and a list of up to
eight matches drops down under the field; ↓/↑ move in it, Enter (or a click) picks.
The line under the field then shows the chosen member's name, masked phone and tier.
Ticking 散客 turns the field into a free-text guest name for someone without a profile.

Searches run through the task runner; an answer for text that has changed since is
dropped, so fast typing never shows the matches of an older query.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.models.enums import CardStatus
from clubdesk.services import member_search, roster
from clubdesk.services.member_search import SearchPage
from clubdesk.services.roster import MemberProfile, MemberRow
from ui.tasks import SyncRunner, TaskRunner

LIMIT = 8
NAME_MAX = 40
HINT_COLOUR = "#6b7280"
NOTE_COLOUR = "#c0392b"


@dataclass(frozen=True, slots=True)
class PickedMember:
    id: int
    name: str
    phone_masked: str
    tier_name: str
    card_number: str | None

    @classmethod
    def from_row(cls, row: MemberRow) -> PickedMember:
        return cls(row.id, row.name, row.phone_masked, row.tier_name, row.card_number)

    @classmethod
    def from_profile(cls, profile: MemberProfile) -> PickedMember:
        current = [c.number for c in profile.cards if c.status is not CardStatus.REPLACED]
        card = current[-1] if current else None  # the newest working card
        return cls(profile.id, profile.name, profile.phone_masked, profile.tier_name, card)

    def summary(self) -> str:
        parts = [self.name, self.phone_masked, self.tier_name]
        if self.card_number:
            parts.append(_("卡号 {number}").format(number=self.card_number))
        return " · ".join(parts)


class _SearchEdit(QLineEdit):
    """The text field: ↓/↑/Enter/Esc work the list of matches while it is open."""

    def __init__(self, picker: MemberPicker) -> None:
        super().__init__(picker)
        self._picker = picker

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._picker.navigate(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        # Tab, a click elsewhere, another window: the list goes, unless the click that
        # took the focus is on the list itself (it picks on release).
        if not self._picker.popup.underMouse():
            self._picker.hide_matches()


class MemberPicker(QWidget):
    """``member_changed(object)``: the chosen member id, or None (nobody / a walk-in)."""

    member_changed = Signal(object)
    # Enter with the list closed, when the picker was made with ``own_enter``: the
    # picker's own action (reserve a seat) instead of the dialog's default button.
    entered = Signal()

    def __init__(
        self,
        db: Database,
        runner: TaskRunner | SyncRunner,
        parent: QWidget | None = None,
        *,
        allow_walk_in: bool = True,
        limit: int = LIMIT,
        own_enter: bool = False,
    ) -> None:
        super().__init__(parent)
        self._own_enter = own_enter
        self._db = db
        self._runner = runner
        self._limit = limit
        self._picked: PickedMember | None = None
        self._generation = 0
        self._note = ""
        self._last_typed = ""
        self._found_nothing = False

        self.edit = _SearchEdit(self)
        self.edit.setObjectName("memberPickerEdit")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMinimumWidth(240)
        self.walk_in_box = QCheckBox(_("散客(&W)"), self)
        self.walk_in_box.setObjectName("memberPickerWalkIn")
        self.walk_in_box.setToolTip(_("没有会员档案的客人：勾选后直接填写客人姓名"))
        self.walk_in_box.setVisible(allow_walk_in)
        self.info = QLabel(self)
        self.info.setObjectName("memberPickerInfo")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.setFocusProxy(self.edit)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.edit, 1)
        row.addWidget(self.walk_in_box)
        column.addLayout(row)
        column.addWidget(self.info)

        # The list is a window of its own that never takes the focus (a tool-tip kind
        # of window): the keyboard stays in the field, which moves in the list.  A real
        # popup would grab the keyboard and need every key handed back.  As a child it
        # is deleted with the picker.
        self.popup = QListWidget(self)
        self.popup.setObjectName("memberPickerMatches")
        self.popup.setWindowFlags(Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.popup.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.setFrameShape(QFrame.Shape.Box)
        self.popup.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.popup.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.popup.setUniformItemSizes(True)
        self.popup.itemClicked.connect(self._item_chosen)
        self.popup.hide()

        self.edit.textEdited.connect(self._typed)
        self.walk_in_box.toggled.connect(self._walk_in_toggled)
        self._update_placeholder()
        self._show_info()

    # -- reading ---------------------------------------------------------------------
    def member_id(self) -> int | None:
        return self._picked.id if self._picked is not None else None

    def picked(self) -> PickedMember | None:
        return self._picked

    def is_walk_in(self) -> bool:
        return self.walk_in_box.isChecked()

    def guest_name(self) -> str | None:
        """The walk-in's name (散客 mode), or None."""
        if not self.is_walk_in():
            return None
        return self.edit.text().strip() or None

    def typed_unpicked(self) -> bool:
        """Text typed in member mode without a member picked from the matches."""
        return not self.is_walk_in() and self._picked is None and bool(self.edit.text().strip())

    def matches(self) -> list[str]:
        return [self.popup.item(i).text() for i in range(self.popup.count())]

    # -- setting ---------------------------------------------------------------------
    def set_member(self, member: PickedMember | MemberRow | None) -> None:
        if isinstance(member, MemberRow):
            member = PickedMember.from_row(member)
        changed = (member.id if member else None) != self.member_id()
        self._picked = member
        self.hide_matches()
        if member is not None and self.walk_in_box.isChecked():
            self.walk_in_box.blockSignals(True)
            self.walk_in_box.setChecked(False)
            self.walk_in_box.blockSignals(False)
            self._update_placeholder()
        self.edit.setText(member.name if member is not None else "")
        self._note = ""
        self._show_info()
        if changed:
            self.member_changed.emit(self.member_id())

    def load_member(self, member_id: int) -> None:
        """Show member ``member_id`` as chosen (read through the runner)."""
        db = self._db
        self._runner.submit(
            lambda: roster.profile(db, member_id),
            lambda profile: self.set_member(PickedMember.from_profile(profile)),
            lambda exc: self._show_info(str(getattr(exc, "message", exc))),
        )

    def set_walk_in(self, name: str) -> None:
        self.walk_in_box.setChecked(True)
        self.edit.setText(name)
        self._show_info()

    def clear(self) -> None:
        had = self._picked is not None
        self._picked = None
        self._note = ""
        self.edit.clear()
        self.hide_matches()
        self._show_info()
        if had:
            self.member_changed.emit(None)

    def set_note(self, text: str) -> None:
        """A remark after the chosen member (a red warning, e.g. past no-shows)."""
        self._note = text
        self._show_info()

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.edit.setClearButtonEnabled(not read_only)
        self.walk_in_box.setEnabled(not read_only)
        if read_only:
            self.hide_matches()

    # -- searching -------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        if self.is_walk_in():
            self._show_info()
            return
        if self._picked is not None:
            self._picked = None
            self._note = ""
            self.member_changed.emit(None)
        self._generation += 1
        generation = self._generation
        typed = text.strip()
        self._last_typed = typed
        self._found_nothing = False
        if not typed:
            self.hide_matches()
            self._show_info()
            return
        db, limit = self._db, self._limit
        self._runner.submit(
            lambda: member_search.search(db, typed, limit=limit),
            lambda page: self._found(page, generation),
            lambda exc: self._search_failed(exc, generation),
        )

    def _found(self, page: SearchPage, generation: int) -> None:
        if generation != self._generation or self.is_walk_in():
            return  # the text changed since this search was asked
        self.popup.clear()
        for row in page.rows:
            card = row.card_number or "—"
            text = _("{name}　{phone}　{tier}　{card}").format(
                name=_pad(row.name, 4),
                phone=row.phone_masked,
                tier=_pad(row.tier_name, 4),
                card=card,
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, PickedMember.from_row(row))
            self.popup.addItem(item)
        self._found_nothing = not page.rows
        if page.rows:
            self.popup.setCurrentRow(0)
            self.show_matches()
        else:
            self.hide_matches()
        self._show_info()

    def _search_failed(self, exc: BaseException, generation: int) -> None:
        if generation == self._generation:
            self.hide_matches()
            self._show_info(str(getattr(exc, "message", exc)))

    def show_matches(self) -> None:
        if not self.popup.count() or not self.isVisible() or self.edit.isReadOnly():
            return
        rows = min(self.popup.count(), self._limit)
        height = self.popup.sizeHintForRow(0) * rows + 2 * self.popup.frameWidth() + 2
        width = max(self.edit.width(), 380)
        self.popup.setFixedSize(width, height)
        self.popup.move(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        if not self.popup.isVisible():
            self.popup.show()

    def hide_matches(self) -> None:
        if self.popup.isVisible():
            self.popup.hide()

    def _item_chosen(self, item: QListWidgetItem) -> None:
        member = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(member, PickedMember):
            self.set_member(member)
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def navigate(self, event: QKeyEvent) -> bool:
        """Handle a list key typed into the field; True when it was used."""
        key = event.key()
        open_ = self.popup.isVisible()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            if not self.popup.count() or self.is_walk_in():
                return False
            if not open_:
                self.show_matches()
                return True
            step = {
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: self._limit,
                Qt.Key.Key_PageUp: -self._limit,
            }[Qt.Key(key)]
            row = max(0, min(self.popup.count() - 1, self.popup.currentRow() + step))
            self.popup.setCurrentRow(row)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and open_:
            item = self.popup.currentItem()
            if item is not None:
                self._item_chosen(item)
            else:
                self.hide_matches()
            return True
        if key == Qt.Key.Key_Escape and open_:
            self.hide_matches()
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._own_enter:
            self.entered.emit()
            return True
        return False

    # -- walk-in mode ----------------------------------------------------------------
    def _walk_in_toggled(self, on: bool) -> None:
        self._generation += 1  # a search in flight no longer matters
        self.hide_matches()
        had = self._picked is not None
        self._picked = None
        self._note = ""
        if had or not on:
            self.edit.clear()
        self._found_nothing = False
        self._update_placeholder()
        self._show_info()
        if had:
            self.member_changed.emit(None)
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_placeholder(self) -> None:
        if self.is_walk_in():
            self.edit.setMaxLength(NAME_MAX)
            self.edit.setPlaceholderText(_("散客姓名，如：王先生"))
        else:
            self.edit.setMaxLength(32767)
            self.edit.setPlaceholderText(_("手机号 / 尾号4位 / 卡号 / 姓名 / 拼音首字母"))

    def _show_info(self, problem: str | None = None) -> None:
        if problem is not None:
            self.info.setText(_coloured(problem, NOTE_COLOUR))
            return
        if self._picked is not None:
            text = _escape(self._picked.summary())
            if self._note:
                text += "　" + _coloured(self._note, NOTE_COLOUR)
            self.info.setText(text)
        elif self.is_walk_in():
            self.info.setText(_coloured(_("散客：不关联会员档案"), HINT_COLOUR))
        elif self._found_nothing:
            self.info.setText(
                _coloured(_("没有找到会员；没有档案的客人请勾选“散客”。"), NOTE_COLOUR)
            )
        elif self.edit.text().strip():
            self.info.setText(_coloured(_("按 ↓ 在列表中选择，回车确定。"), HINT_COLOUR))
        else:
            self.info.setText(_coloured(_("未选择会员"), HINT_COLOUR))


def _pad(text: str, width: int) -> str:
    """Chinese names and tiers padded with full-width spaces so the columns line up."""
    return text.ljust(width, "\u3000") if all(ord(c) > 0x2E80 for c in text) else text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _coloured(text: str, colour: str) -> str:
    return f'<span style="color:{colour}">{_escape(text)}</span>'

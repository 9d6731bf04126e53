"""顾客投诉登记表: register a complaint (step 1, 投诉受理).

The complainant is a member picked from the roster or a walk-in's name (散客); then
the contact phone, when it was received (now by default, to the minute), the channel,
category and severity, optionally the booking it is about (the member's recent ones),
the staff member and department complained about, what happened, what the customer
asks for, and whether it is sensitive.

登记 (or Ctrl+Enter) runs ``complaints.register`` through the task runner; Enter in a
one-line field does not (it picks a member in the search, and otherwise does nothing),
so a half-filled form is never registered by accident.  Tab goes through the fields in
reading order and ends at 登记.  A refusal puts the service's sentence under the field
it names and focuses it; nothing is saved.  A dissatisfied return visit opens the form
prefilled (member, booking, phone channel, what the customer said, and the visit it
follows up).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from PySide6.QtCore import QDate, QDateTime, QEvent, Qt, QTime, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, PermissionDenied
from clubdesk.i18n import _
from clubdesk.models.enums import ComplaintChannel, Department, Severity
from clubdesk.services import complaints
from clubdesk.services.complaint_links import (
    BookingOption,
    StaffOption,
    recent_bookings,
    staff_options,
)
from clubdesk.services.complaints import CategoryInfo, ComplaintDraft
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from clubdesk.services.text_fields import CONTENT_MAX, TEXT_MAX
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, FieldBox, FieldErrors, confirm
from ui.dialogs.writing import WritingDialog
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.member_picker import MemberPicker

Runner = TaskRunner | SyncRunner
Clock = Callable[[], datetime]

HINT_COLOUR = "#6b7280"
DATETIME_FORMAT = "yyyy-MM-dd HH:mm"


# -- pieces the case dialog's step forms share ---------------------------------------------
class TextArea(QPlainTextEdit):
    """A few lines of text: Tab leaves it (Ctrl+Tab would be needed otherwise) and its
    height fits ``rows`` lines, so a form of several stays compact."""

    def __init__(
        self, parent: QWidget | None, placeholder: str = "", rows: int = 3, limit: int = TEXT_MAX
    ) -> None:
        super().__init__(parent)
        self.limit = limit
        self.setTabChangesFocus(True)
        self.setPlaceholderText(placeholder)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.set_rows(rows)

    def set_rows(self, rows: int) -> None:
        self.ensurePolished()
        line = self.fontMetrics().lineSpacing()
        margins = self.contentsMargins()
        frame = 2 * self.frameWidth() + margins.top() + margins.bottom()
        self.setFixedHeight(line * rows + frame + 2 * int(self.document().documentMargin()))

    def text(self) -> str:
        return self.toPlainText()


def caption(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    """A form row's label whose Alt+letter lands in ``buddy``."""
    widget = QLabel(text, parent)
    widget.setBuddy(buddy)
    return widget


def hint_label(text: str, parent: QWidget) -> QLabel:
    widget = QLabel(text, parent)
    widget.setWordWrap(True)
    widget.setStyleSheet(f"color: {HINT_COLOUR};")
    return widget


def radio_row(
    parent: QWidget, choices: list[tuple[object, str]], chosen: object
) -> tuple[QWidget, QButtonGroup, dict[object, QRadioButton]]:
    """Radio buttons in a row; the group's ids follow ``choices``."""
    holder = QWidget(parent)
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(12)
    group = QButtonGroup(holder)
    buttons: dict[object, QRadioButton] = {}
    for n, (value, text) in enumerate(choices):
        button = QRadioButton(text, holder)
        group.addButton(button, n)
        buttons[value] = button
        row.addWidget(button)
        if value == chosen:
            button.setChecked(True)
    row.addStretch(1)
    holder.setFocusProxy(buttons[chosen] if chosen in buttons else next(iter(buttons.values())))
    group.buttonToggled.connect(lambda _b, _on: tab_to_checked(buttons))
    tab_to_checked(buttons)
    return holder, group, buttons


def tab_to_checked(buttons: dict[object, QRadioButton]) -> None:
    """Tab lands on the chosen button of a row (the arrow keys move in the row), as
    Qt does once a button of the group had the focus, and also before that."""
    if not any(button.isChecked() for button in buttons.values()):
        return
    for button in buttons.values():
        policy = button.focusPolicy()
        if button.isChecked():
            button.setFocusPolicy(policy | Qt.FocusPolicy.TabFocus)
        else:
            button.setFocusPolicy(Qt.FocusPolicy(policy.value & ~Qt.FocusPolicy.TabFocus.value))


def checked_value(buttons: dict[object, QRadioButton]) -> object | None:
    return next((value for value, button in buttons.items() if button.isChecked()), None)


class DateTimeEdit(QDateTimeEdit):
    """Tab leaves the field, as in every other field of the form; ←/→ move between the
    year, month, day, hour and minute (Qt's own Tab would step through them first)."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


def tab_order(chain: Sequence[QWidget]) -> None:
    """Qt's focus chain in the order of ``chain`` (what ``focus_next`` follows)."""
    for first, second in pairwise(chain):
        QWidget.setTabOrder(first, second)


def takes_tab(widget: QWidget, window: QWidget) -> bool:
    """Tab may stop here: shown, enabled, and taking Tab (of a radio row, only the
    chosen button does once the row had the focus)."""
    return (
        widget.isVisibleTo(window)
        and widget.isEnabled()
        and bool(widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value)
    )


def focus_next(window: QWidget, chain: Sequence[QWidget], forward: bool) -> QWidget | None:
    """Tab (``forward``) or Shift+Tab in ``window``: the focus goes to the next widget of
    ``chain`` that takes it, round to the first after the last; the widget, or None when
    the focus is not in the chain (Qt's own order then decides).

    Qt's focus chain cannot be trusted with these forms: a container that hands its
    focus to a child (a FieldBox to its input) but was made after it sits behind it in
    the chain, so Tab from the widgets beside the input lands on the container and goes
    back to the input, round and round."""
    current = window.focusWidget()
    if current is None:
        return None
    at = next((n for n, w in enumerate(chain) if w is current or w.isAncestorOf(current)), None)
    if at is None:
        return None
    step = 1 if forward else -1
    for k in range(1, len(chain) + 1):
        candidate = chain[(at + step * k) % len(chain)]
        if takes_tab(candidate, window):
            reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
            candidate.setFocus(reason)
            return candidate
    return None


def submit_shortcuts(dialog: QWidget, slot: Callable[[], object]) -> list[QShortcut]:
    """Ctrl+Enter (main keyboard or keypad) runs ``slot`` from anywhere in ``dialog``,
    even inside a multi-line field where Enter starts a new line."""
    shortcuts = []
    for key in ("Ctrl+Return", "Ctrl+Enter"):
        shortcut = QShortcut(QKeySequence(key), dialog)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)
        shortcuts.append(shortcut)
    return shortcuts


# -- the form ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Lists:
    categories: list[CategoryInfo]
    staff: list[StaffOption]


def _load_lists(db: Database) -> _Lists:
    return _Lists(complaints.categories(db), staff_options(db))


class ComplaintRegisterDialog(WritingDialog):
    """``registered(int)``: the new complaint's id, after which the dialog closes."""

    registered = Signal(int)

    def __init__(
        self,
        db: Database,
        runner: Runner,
        user: StaffMember | None,
        parent: QWidget | None = None,
        *,
        member_id: int | None = None,
        booking_id: int | None = None,
        content: str = "",
        channel: ComplaintChannel | None = None,
        from_visit_id: int | None = None,
        prefill: ComplaintDraft | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``prefill``: a whole draft (a dissatisfied return visit's), which wins over
        the single fields: a non-member's name and number, the category, staff,
        department and the sensitive mark come with it."""
        if prefill is not None:
            member_id, booking_id = prefill.member_id, prefill.booking_id
            content, channel = prefill.content, prefill.channel
            from_visit_id = prefill.from_visit_id
        super().__init__(parent)
        self._prefill = prefill
        self.db = db
        self.runner = runner
        self.user = user
        self.clock: Clock = clock or datetime.now
        self.from_visit_id = from_visit_id
        self.complaint_id: int | None = None
        self._preset_booking = booking_id
        self._bookings_for: int | None = None
        self.errors = FieldErrors()
        self.setWindowTitle(_("顾客投诉登记表"))
        self.setMinimumWidth(640)
        self._build(channel or ComplaintChannel.IN_PERSON)
        self.content.setPlainText(content)
        self._pristine = (content, member_id)
        self.say(_("正在读取投诉类别…"))
        self.runner.submit(lambda: _load_lists(db), self._lists_loaded, self._lists_failed)
        if member_id is not None:
            self.picker.load_member(member_id)
        elif prefill is not None and prefill.complainant_name:
            self.picker.set_walk_in(prefill.complainant_name)
        if prefill is not None:
            self.contact.setText(prefill.contact or "")
            self.choose_severity(prefill.severity)
            if prefill.sensitive:
                # Follows a sensitive complaint: it stays sensitive (the service
                # insists too), so the box is ticked and locked.
                self.sensitive.setChecked(True)
                self.sensitive.setEnabled(False)
        if from_visit_id is not None:
            self.heading.setText(_("回访中顾客表示不满意，登记为投诉跟进。"))
            self.heading.show()
        self.picker.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- building ----------------------------------------------------------------------
    def _build(self, channel: ComplaintChannel) -> None:
        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        self.heading = QLabel(self)
        self.heading.setObjectName("complaintRegisterHeading")
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet(
            "background: #fef9c3; color: #713f12; border: 1px solid #facc15; "
            "border-radius: 3px; padding: 4px 6px;"
        )
        self.heading.hide()
        outer.addWidget(self.heading)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(6)
        outer.addLayout(form)

        self.picker = MemberPicker(self.db, self.runner, self)
        self.picker.walk_in_box.setToolTip(_("投诉人没有会员档案：勾选后直接填写姓名"))
        self.complainant_box = self._box("complainant_name", self.picker)
        form.addRow(caption(_("投诉人(&N)："), self.picker.edit, self), self.complainant_box)

        self.contact = QLineEdit(self)
        self.contact.setMaxLength(40)
        self.contact.setPlaceholderText(_("手机号或带区号的固话；会员可留空"))
        self.contact_box = self._box("contact", self.contact)
        form.addRow(caption(_("联系电话(&P)："), self.contact, self), self.contact_box)

        self.received = DateTimeEdit(self)
        self.received.setDisplayFormat(DATETIME_FORMAT)
        self.received.setCalendarPopup(True)
        self.set_received_at(_minute(self.clock()))
        self.received.setMinimumWidth(170)
        channel_row, self.channel_group, self.channel_buttons = radio_row(
            self, [(c, label(c)) for c in ComplaintChannel], channel
        )
        channel_caption = QLabel(_("渠道："), self)
        self.received_box = self._box("received_at", self.received, [channel_caption, channel_row])
        form.addRow(caption(_("受理时间(&T)："), self.received, self), self.received_box)

        self.category = QComboBox(self)
        self.category.setMinimumContentsLength(12)
        severity_row, self.severity_group, self.severity_buttons = radio_row(
            self, [(s, label(s)) for s in Severity], Severity.MEDIUM
        )
        severity_caption = QLabel(_("严重程度："), self)
        self.category_box = self._box(
            "category_id", self.category, [severity_caption, severity_row]
        )
        form.addRow(caption(_("投诉类别(&G)："), self.category, self), self.category_box)

        self.booking = QComboBox(self)
        self.booking.setMinimumContentsLength(24)
        self.booking.addItem(_("不关联预约"), None)
        self.booking.setEnabled(False)
        self.booking.setToolTip(_("选择会员后可关联其近 30 天的预约"))
        self.booking_box = self._box("booking_id", self.booking)
        form.addRow(caption(_("关联预约(&B)："), self.booking, self), self.booking_box)

        self.staff = QComboBox(self)
        self.staff.setMinimumContentsLength(10)
        self.staff.addItem(_("不指定"), None)
        self.department = QComboBox(self)
        self.department.setMinimumContentsLength(6)
        self.department.addItem(_("不指定"), None)
        for department in Department:
            self.department.addItem(label(department), department.value)
        department_caption = caption(_("涉及部门(&D)："), self.department, self)
        self.staff_box = self._box("staff_id", self.staff, [department_caption, self.department])
        form.addRow(caption(_("被投诉员工(&E)："), self.staff, self), self.staff_box)

        self.content = TextArea(
            self, _("顾客反映的问题：时间、地点、经过（必填）"), rows=5, limit=CONTENT_MAX
        )
        self.content_box = self._box("content", self.content)
        form.addRow(caption(_("投诉内容(&C)："), self.content, self), self.content_box)

        self.remedy = TextArea(self, _("如：退还部分费用、重新安排服务（选填）"), rows=2)
        self.remedy_box = self._box("requested_remedy", self.remedy)
        form.addRow(caption(_("顾客要求(&R)："), self.remedy, self), self.remedy_box)

        self.sensitive = QCheckBox(_("敏感投诉(&S)"), self)
        who = _("勾选后只有客服主管、经理及以上可以查看和处理这宗投诉。")
        if not allowed(self.user, Permission.COMPLAINT_SENSITIVE):
            who += _("您登记后在投诉列表中也将看不到它。")
        self.sensitive_hint = hint_label(who, self)
        sensitive_holder = QWidget(self)
        sensitive_row = QVBoxLayout(sensitive_holder)
        sensitive_row.setContentsMargins(0, 0, 0, 0)
        sensitive_row.setSpacing(0)
        sensitive_row.addWidget(self.sensitive)
        sensitive_row.addWidget(self.sensitive_hint)
        form.addRow("", sensitive_holder)

        self.status = QLabel(self)
        self.status.setObjectName("complaintRegisterStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(22)
        outer.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addWidget(hint_label(_("Ctrl+Enter 登记，Esc 取消"), self))
        buttons.addStretch(1)
        self.ok = QPushButton(_("登记(&O)"), self)
        self.ok.setObjectName("complaintRegisterOk")
        # Not the default button: Enter in a one-line field must not register a form
        # half filled in.  Ctrl+Enter does, from anywhere; Enter on the focused button too.
        self.ok.setAutoDefault(False)
        self.ok.setDefault(False)
        self.ok.setToolTip(_("快捷键 Ctrl+Enter"))
        self.cancel = QPushButton(_("取消"), self)
        self.cancel.setAutoDefault(False)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.cancel)
        outer.addLayout(buttons)

        self.ok.clicked.connect(self.submit)
        self.cancel.clicked.connect(self.reject)
        self.shortcuts = submit_shortcuts(self, self.submit)
        self.picker.member_changed.connect(self._member_changed)
        self.staff.activated.connect(lambda _i: self._staff_chosen())
        self.ok.setEnabled(False)  # until the categories are read

        tab_order(self.tab_chain())

    def focusNextPrevChild(self, next: bool) -> bool:
        if focus_next(self, self.tab_chain(), next) is not None:
            return True
        return super().focusNextPrevChild(next)

    def tab_chain(self) -> list[QWidget]:
        """The form's inputs in reading order, left to right and top to bottom, then
        the buttons: where Tab goes."""
        return [
            self.picker.edit,
            self.picker.walk_in_box,
            self.contact,
            self.received,
            *self.channel_buttons.values(),
            self.category,
            *self.severity_buttons.values(),
            self.booking,
            self.staff,
            self.department,
            self.content,
            self.remedy,
            self.sensitive,
            self.ok,
            self.cancel,
        ]

    def _box(self, field: str, widget: QWidget, extra: list[QWidget] | None = None) -> FieldBox:
        return self.errors.add(field, FieldBox(widget, self, extra or []))

    # -- loading ----------------------------------------------------------------------
    def _lists_loaded(self, lists: _Lists) -> None:
        if not self.alive():
            return
        self.category.clear()
        for category in lists.categories:
            self.category.addItem(category.name, category.id)
        self.category.setCurrentIndex(0 if lists.categories else -1)
        for person in lists.staff:
            self.staff.addItem(person.text(), person.id)
            self.staff.setItemData(
                self.staff.count() - 1, person.department.value if person.department else None,
                Qt.ItemDataRole.UserRole + 1,
            )  # fmt: skip
        if self._prefill is not None:
            self._apply_prefill_lists(self._prefill)
        if not lists.categories:
            self.say(_("还没有可用的投诉类别，请经理在“投诉类别”中添加。"), ERROR_COLOUR)
            return
        self.ok.setEnabled(allowed(self.user, Permission.COMPLAINT_REGISTER))
        if not self.ok.isEnabled():
            self.say(_("您的账号没有登记投诉的权限。"), ERROR_COLOUR)
        else:
            self.say("")

    def _lists_failed(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self.say(_("投诉类别读取失败。"), ERROR_COLOUR)
        show_error(self, exc)

    def _member_changed(self, member_id: object) -> None:
        self.booking.clear()
        self.booking.addItem(_("不关联预约"), None)
        self.booking.setEnabled(False)
        self._bookings_for = member_id if isinstance(member_id, int) else None
        if self._bookings_for is None:
            return
        db, now, wanted = self.db, self.clock(), self._bookings_for
        self.runner.submit(
            lambda: recent_bookings(db, wanted, now),
            lambda rows: self._bookings_loaded(wanted, rows),
            lambda exc: self._bookings_failed(wanted, exc),
        )

    def _bookings_loaded(self, member_id: int, rows: list[BookingOption]) -> None:
        if not self.alive() or member_id != self._bookings_for:
            return  # another member was chosen meanwhile
        for row in rows:
            self.booking.addItem(row.text(), row.id)
        self.booking.setEnabled(bool(rows))
        self.booking.setToolTip("" if rows else _("该会员近 30 天没有预约"))
        if self._preset_booking is not None:
            index = self.booking.findData(self._preset_booking)
            if index >= 0:
                self.booking.setCurrentIndex(index)
            self._preset_booking = None

    def _bookings_failed(self, member_id: int, exc: BaseException) -> None:
        if self.alive() and member_id == self._bookings_for:
            self.booking_box.show_error(str(getattr(exc, "message", exc)))

    def _staff_chosen(self) -> None:
        """The staff member's department, when no department was chosen yet."""
        department = self.staff.currentData(Qt.ItemDataRole.UserRole + 1)
        if department and self.department.currentData() is None:
            index = self.department.findData(department)
            if index >= 0:
                self.department.setCurrentIndex(index)

    # -- reading the form ---------------------------------------------------------------
    def received_at(self) -> datetime:
        value = self.received.dateTime().toPython()
        assert isinstance(value, datetime)
        return value.replace(second=0, microsecond=0)

    def set_received_at(self, at: datetime) -> None:
        self.received.setDateTime(qt_datetime(at))

    def channel(self) -> ComplaintChannel:
        value = checked_value(self.channel_buttons)
        return ComplaintChannel(str(value)) if value else ComplaintChannel.IN_PERSON

    def _apply_prefill_lists(self, prefill: ComplaintDraft) -> None:
        """The choices that need the lists: category, staff member, department."""
        for combo, value in (
            (self.category, prefill.category_id),
            (self.staff, prefill.staff_id),
            (self.department, prefill.department.value if prefill.department else None),
        ):
            index = combo.findData(value) if value is not None else -1
            if index >= 0:
                combo.setCurrentIndex(index)

    def severity(self) -> Severity:
        value = checked_value(self.severity_buttons)
        return Severity(str(value)) if value else Severity.MEDIUM

    def choose_channel(self, channel: ComplaintChannel) -> None:
        self.channel_buttons[channel].setChecked(True)

    def choose_severity(self, severity: Severity) -> None:
        self.severity_buttons[severity].setChecked(True)

    def draft(self) -> ComplaintDraft | None:
        """The form as a draft, or None after putting a message under the field that
        cannot become one (a name typed but no member picked, no category)."""
        if self.picker.typed_unpicked():
            self.errors.show(
                "complainant_name",
                _("请在列表中选择会员（↓ 回车），或勾选“散客”直接填写投诉人姓名。"),
            )
            return None
        category = self.category.currentData()
        if category is None:
            self.errors.show("category_id", _("请选择投诉类别。"))
            return None
        department = self.department.currentData()
        return ComplaintDraft(
            complainant_name=self.picker.guest_name() or "",
            contact=self.contact.text(),
            received_at=self.received_at(),
            channel=self.channel(),
            category_id=int(category),
            severity=self.severity(),
            content=self.content.toPlainText(),
            requested_remedy=self.remedy.toPlainText(),
            member_id=self.picker.member_id(),
            booking_id=self.booking.currentData(),
            staff_id=self.staff.currentData(),
            department=Department(department) if department else None,
            sensitive=self.sensitive.isChecked(),
            from_visit_id=self.from_visit_id,
        )

    def is_dirty(self) -> bool:
        """Something typed or chosen beyond what the form was opened with."""
        pristine_content, pristine_member = self._pristine
        who = self.picker.member_id() or self.picker.guest_name()
        return (
            self.content.toPlainText().strip() != pristine_content.strip()
            or who not in (None, pristine_member)
            or bool(self.contact.text().strip() or self.remedy.toPlainText().strip())
        )

    # -- registering --------------------------------------------------------------------
    def submit(self) -> None:
        if self.writing() or not self.ok.isEnabled() or self.complaint_id is not None:
            return
        self.errors.clear()
        draft = self.draft()
        if draft is None:
            self.say(_("没有登记，请按提示修改。"), ERROR_COLOUR)
            return
        self._busy(True)
        db, user, now = self.db, self.user, self.clock()
        self.runner.submit(
            lambda: complaints.register(db, user, draft, now=now), self._done, self._refused
        )

    def _busy(self, busy: bool) -> None:
        self._writing = busy
        self.ok.setEnabled(not busy)
        if busy:
            self.say(_("正在登记…"))

    def _done(self, complaint_id: int) -> None:
        if not self.alive():
            return
        self._busy(False)
        self.complaint_id = complaint_id
        self.ok.setEnabled(False)
        self.say(_("投诉已登记。"), OK_COLOUR)
        self.registered.emit(complaint_id)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._busy(False)
        if isinstance(exc, ClubDeskError) and not isinstance(exc, PermissionDenied):
            field = "complainant_name" if exc.field == "member_id" else exc.field
            if self.errors.show(field, exc.message):
                self.say(_("没有登记，请按提示修改。"), ERROR_COLOUR)
            else:
                self.say(exc.message, ERROR_COLOUR)
            return
        self.say(_("没有登记。"), ERROR_COLOUR)
        show_error(self, exc)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            # The window's minimum height does not count a message that appeared under
            # a field: grow to what the form needs, or the message covers the field.
            need = self.heightForWidth(self.width())
            if need > self.height():
                self.resize(self.width(), need)
        return handled

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter registers only on the focused 登记 button (any focused button is
        pressed); in a field it does nothing.  Ctrl+Enter is the form's shortcut."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and focused.isEnabled():
                focused.click()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- closing -----------------------------------------------------------------------
    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

    def reject(self) -> None:
        if (
            not self.writing()
            and self.complaint_id is None
            and self.is_dirty()
            and not confirm(self, _("顾客投诉登记表"), _("放弃这份投诉登记？填写的内容不会保存。"))
        ):
            return
        super().reject()


def qt_datetime(at: datetime) -> QDateTime:
    return QDateTime(QDate(at.year, at.month, at.day), QTime(at.hour, at.minute, at.second))


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)

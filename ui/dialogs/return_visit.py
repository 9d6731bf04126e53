"""回访: one return visit — who to call and about what, the filled-in script, and the
return-visit record (回访记录表): channel, the customer's answer, suggestions.

The answer is required and recorded once (the service refuses a second time).  After
a dissatisfied answer, 转为投诉 sends the visit on (``complaint_requested``) to the
complaint registration form, prefilled.  In the do-not-disturb hours a banner says no
calls now and from when; recording a visit already made stays possible.  The dialog
stays open while the record is being written (WritingDialog).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError
from clubdesk.i18n import N_, _
from clubdesk.models.enums import ReturnVisitSource, Satisfaction, VisitChannel
from clubdesk.services import return_visits
from clubdesk.services.labels import label
from clubdesk.services.return_visits import (
    Recorded,
    VisitCall,
    VisitDetail,
    VisitOutcome,
)
from clubdesk.services.staff import StaffMember
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, FieldBox, FieldErrors
from ui.dialogs.checkout import click_at_once
from ui.dialogs.writing import WritingDialog
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner
Clock = Callable[[], datetime]

OVERDUE_COLOUR = "#b91c1c"
QUIET_STYLE = (
    "background: #fef9c3; color: #713f12; border: 1px solid #facc15; "
    "border-radius: 3px; padding: 4px 6px;"
)
SCRIPT_STYLE = "QPlainTextEdit { background: #f0fdfa; border: 1px solid #99f6e4; }"
CHANNEL_KEYS = {VisitChannel.PHONE: "P", VisitChannel.SMS: "M", VisitChannel.EMAIL: "E"}
OUTCOME_KEYS = {
    Satisfaction.SATISFIED: "1",
    Satisfaction.AVERAGE: "2",
    Satisfaction.DISSATISFIED: "3",
}
OUTCOME_COLOURS = {Satisfaction.DISSATISFIED: OVERDUE_COLOUR}
SUGGESTIONS_PLACEHOLDER = N_("顾客的意见与建议（选填，最多 500 字）")


def quiet_text(callable_from: datetime, now: datetime) -> str:
    """The do-not-disturb banner: no calls now, and from when."""
    at = callable_from.strftime("%H:%M")
    if callable_from.date() > now.date():
        at = _("明天 {time}").format(time=at)
    return _(
        "现在是免打扰时段，顾客在休息，请勿致电；{at} 起可以回访。已完成的回访仍可记录。"
    ).format(at=at)


def about_text(call: VisitCall) -> str:
    """ "服务后回访：中式按摩（2031-03-14）"; a periodic visit is about nothing more."""
    if call.source in (ReturnVisitSource.PERIODIC, ReturnVisitSource.SPECIAL):
        return call.about
    return _("{source}回访：{about}").format(source=call.source_label, about=call.about)


def due_text(detail: VisitDetail) -> str:
    call = detail.call
    day = call.due_on.strftime("%Y-%m-%d")
    if call.days_overdue:
        return _("{day}（已逾期 {n} 天）").format(day=day, n=call.days_overdue)
    return day


def _value(parent: QWidget) -> QLabel:
    value = QLabel(parent)
    value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    value.setWordWrap(True)
    return value


class ReturnVisitDialog(WritingDialog):
    """``ReturnVisitDialog(db, runner, user, visit_id, parent)``."""

    recorded = Signal(int)  # the visit id: its outcome was saved
    complaint_requested = Signal(int)  # the visit id: open a complaint from it

    def __init__(
        self,
        db: Database,
        runner: Runner,
        user: StaffMember | None,
        visit_id: int,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.user = user
        self.visit_id = visit_id
        self.clock: Clock = clock or datetime.now
        self.detail: VisitDetail | None = None
        self.saved: Recorded | None = None
        self.errors = FieldErrors()
        self.setWindowTitle(_("回访"))
        self.setMinimumWidth(560)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.quiet = QLabel(self)
        self.quiet.setObjectName("visitQuiet")
        self.quiet.setWordWrap(True)
        self.quiet.setStyleSheet(QUIET_STYLE)
        self.quiet.hide()
        layout.addWidget(self.quiet)

        facts = QFormLayout()
        facts.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.who = _value(self)
        self.who.setStyleSheet("font-weight: bold;")
        self.about = _value(self)
        self.due = _value(self)
        self.specialist = _value(self)
        who_row = QHBoxLayout()
        who_row.addWidget(self.who, 1)
        self.dial_button = QPushButton(_("显示完整号码(&D)"), self)
        self.dial_button.setToolTip(_("拨打电话时显示这位顾客的完整号码（记入操作日志）"))
        self.dial_button.clicked.connect(self.reveal_number)
        self.dial_button.hide()
        who_row.addWidget(self.dial_button)
        facts.addRow(_("回访对象："), who_row)
        facts.addRow(_("回访内容："), self.about)
        facts.addRow(_("回访期限："), self.due)
        facts.addRow(_("客服专员："), self.specialist)
        layout.addLayout(facts)

        script_box = QGroupBox(_("回访话术"), self)
        script_layout = QVBoxLayout(script_box)
        self.script = QPlainTextEdit(script_box)
        self.script.setObjectName("visitScript")
        self.script.setReadOnly(True)
        self.script.setTabChangesFocus(True)
        self.script.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.script.setStyleSheet(SCRIPT_STYLE)
        self.script.setFixedHeight(self.script.fontMetrics().lineSpacing() * 4 + 16)
        script_layout.addWidget(self.script)
        layout.addWidget(script_box)

        record_box = QGroupBox(_("回访记录"), self)
        form = QFormLayout(record_box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.channels = QButtonGroup(self)
        self.channel_buttons: dict[VisitChannel, QRadioButton] = {}
        channel_row = QWidget(record_box)
        row = QHBoxLayout(channel_row)
        row.setContentsMargins(0, 0, 0, 0)
        for channel in VisitChannel:
            button = QRadioButton(f"{label(channel)}(&{CHANNEL_KEYS[channel]})", channel_row)
            click_at_once(button)
            self.channels.addButton(button)
            self.channel_buttons[channel] = button
            row.addWidget(button)
        row.addStretch(1)
        self.channel_buttons[VisitChannel.PHONE].setChecked(True)
        channel_row.setFocusProxy(self.channel_buttons[VisitChannel.PHONE])
        self.channel_box = self.errors.add("channel", FieldBox(channel_row, record_box))
        form.addRow(_("回访方式："), self.channel_box)

        self.outcomes = QButtonGroup(self)
        self.outcome_buttons: dict[Satisfaction, QRadioButton] = {}
        outcome_row = QWidget(record_box)
        row = QHBoxLayout(outcome_row)
        row.setContentsMargins(0, 0, 0, 0)
        for outcome in Satisfaction:
            button = QRadioButton(f"{label(outcome)}(&{OUTCOME_KEYS[outcome]})", outcome_row)
            click_at_once(button)
            self.outcomes.addButton(button)
            self.outcome_buttons[outcome] = button
            row.addWidget(button)
            button.toggled.connect(lambda _on: self._outcome_changed())
        row.addStretch(1)
        outcome_row.setFocusProxy(self.outcome_buttons[Satisfaction.SATISFIED])
        self.outcome_box = self.errors.add("outcome", FieldBox(outcome_row, record_box))
        outcome_label = QLabel(_("回访结果（必选）："), record_box)
        form.addRow(outcome_label, self.outcome_box)

        self.suggestions = QPlainTextEdit(record_box)
        self.suggestions.setObjectName("visitSuggestions")
        self.suggestions.setTabChangesFocus(True)
        self.suggestions.setPlaceholderText(_(SUGGESTIONS_PLACEHOLDER))
        self.suggestions.setFixedHeight(self.suggestions.fontMetrics().lineSpacing() * 4 + 16)
        self.count = QLabel(record_box)
        self.count.setStyleSheet("color: #6b7280;")
        self.suggestions_box = self.errors.add(
            "suggestions", FieldBox(self.suggestions, record_box)
        )
        suggestions_label = QLabel(_("意见与建议(&Y)："), record_box)
        suggestions_label.setBuddy(self.suggestions)
        form.addRow(suggestions_label, self.suggestions_box)
        form.addRow("", self.count)
        layout.addWidget(record_box)
        self.record_box = record_box

        self.status = QLabel(self)
        self.status.setObjectName("visitStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(22)
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save = QPushButton(_("保存回访记录"), self)
        self.save.setToolTip(_("Ctrl+Enter 保存"))
        self.save.setDefault(True)
        self.save.setEnabled(False)
        self.escalate = QPushButton(_("转为投诉(&C)"), self)
        self.escalate.setObjectName("visitEscalate")
        self.escalate.setToolTip(_("顾客不满意：打开投诉登记表，已填好顾客、服务和意见"))
        self.escalate.hide()
        self.close_button = QPushButton(_("关闭"), self)
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.save)
        buttons.addWidget(self.escalate)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

        self.save.clicked.connect(self.submit)
        self.escalate.clicked.connect(self.request_complaint)
        self.close_button.clicked.connect(self.reject)
        self.suggestions.textChanged.connect(self._count)
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(key), self, self.submit)
        self._count()
        self._set_editable(False)
        self.load()

    # -- loading ----------------------------------------------------------------------
    def load(self) -> None:
        self.say(_("正在读取回访…"))
        db, user, visit_id, now = self.db, self.user, self.visit_id, self.clock()
        self.runner.submit(
            lambda: return_visits.visit_detail(db, user, visit_id, now),
            self._show,
            self._load_failed,
        )

    def _load_failed(self, exc: BaseException) -> None:
        if not self.alive():
            return
        if isinstance(exc, ClubDeskError):
            self.say(exc.message, ERROR_COLOUR)
        else:
            from ui.errors import show_error

            self.say(_("回访读取失败。"), ERROR_COLOUR)
            show_error(self, exc)

    def _show(self, d: VisitDetail) -> None:
        if not self.alive():
            return
        self.detail = d
        call = d.call
        self.setWindowTitle(_("回访 — {who}").format(who=call.who))
        who = call.who if not call.phone else f"{call.who}    {call.phone}"
        self.who.setText(who)
        self.about.setText(about_text(call))
        self.due.setText(due_text(d))
        self.due.setStyleSheet(f"color: {OVERDUE_COLOUR};" if call.days_overdue else "")
        self.specialist.setText(call.specialist or _("未指定"))
        self.script.setPlainText(d.script)
        if d.quiet and d.callable_from is not None and not d.done:
            self.quiet.setText(quiet_text(d.callable_from, self.clock()))
            self.quiet.show()
        else:
            self.quiet.hide()
        if d.done:
            self._show_done(d)
            return
        masked = bool(call.phone) and "*" in (call.phone or "")
        self.dial_button.setVisible(masked)
        self._set_editable(True)
        self.say(_("拨通后按话术询问，选择回访结果（Alt+1/2/3），按 Ctrl+Enter 保存。"))
        self.outcome_buttons[Satisfaction.SATISFIED].setFocus(Qt.FocusReason.OtherFocusReason)

    def reveal_number(self) -> None:
        """The full number of the guest being called (masked everywhere else)."""
        if self.detail is None:
            return
        db, user, visit_id, now = self.db, self.user, self.visit_id, self.clock()
        self.runner.submit(
            lambda: return_visits.number_to_dial(db, user, visit_id, now),
            self._number_shown,
            lambda exc: show_error(self, exc) if self.alive() else None,
        )

    def _number_shown(self, number: str) -> None:
        if not self.alive() or self.detail is None:
            return
        self.who.setText(f"{self.detail.call.who}    {number}")
        self.dial_button.hide()

    def _show_done(self, d: VisitDetail) -> None:
        """A visit already recorded (here or at another counter): its record, read-only."""
        if d.channel is not None:
            self.channel_buttons[d.channel].setChecked(True)
        if d.outcome is not None:
            self.outcome_buttons[d.outcome].setChecked(True)
        self.suggestions.setPlainText(d.suggestions or "")
        self._set_editable(False)
        self.save.hide()
        at = d.done_at.strftime("%Y-%m-%d %H:%M") if d.done_at else ""
        text = _("这次回访已于 {at} 由{who}记录。").format(at=at, who=d.recorded_by or _("同事"))
        if d.follow_up_complaint_id is not None:
            text += _("已转为投诉。")
        self.say(text, OK_COLOUR)
        self._offer_escalation(d.can_escalate)

    def _set_editable(self, on: bool) -> None:
        for button in (*self.channel_buttons.values(), *self.outcome_buttons.values()):
            button.setEnabled(on)
        self.suggestions.setReadOnly(not on)
        self.save.setEnabled(on)

    # -- input --------------------------------------------------------------------------
    def chosen_channel(self) -> VisitChannel | None:
        for channel, button in self.channel_buttons.items():
            if button.isChecked():
                return channel
        return None

    def chosen_outcome(self) -> Satisfaction | None:
        for outcome, button in self.outcome_buttons.items():
            if button.isChecked():
                return outcome
        return None

    def choose(self, outcome: Satisfaction, channel: VisitChannel | None = None) -> None:
        self.outcome_buttons[outcome].setChecked(True)
        if channel is not None:
            self.channel_buttons[channel].setChecked(True)

    def _outcome_changed(self) -> None:
        self.outcome_box.clear_error()
        outcome = self.chosen_outcome()
        colour = OUTCOME_COLOURS.get(outcome) if outcome is not None else None
        for value, button in self.outcome_buttons.items():
            button.setStyleSheet(
                f"color: {colour}; font-weight: bold;" if value is outcome and colour else ""
            )

    def _count(self) -> None:
        n = len(self.suggestions.toPlainText().strip())
        limit = return_visits.SUGGESTIONS_MAX
        self.count.setText(_("{n}/{limit} 字").format(n=n, limit=limit))
        self.count.setStyleSheet(f"color: {ERROR_COLOUR};" if n > limit else "color: #6b7280;")

    # -- saving -------------------------------------------------------------------------
    def submit(self) -> None:
        if self.detail is None or self.saved is not None or self.writing():
            return
        if not self.save.isEnabled():
            return
        self.errors.clear()
        outcome = self.chosen_outcome()
        channel = self.chosen_channel()
        if outcome is None:
            self.errors.show("outcome", _("请选择回访结果：满意、基本满意或不满意。"))
            self.say(_("没有保存。"), ERROR_COLOUR)
            return
        if channel is None:
            self.errors.show("channel", _("请选择回访方式：电话、短信或邮件。"))
            self.say(_("没有保存。"), ERROR_COLOUR)
            return
        record = VisitOutcome(channel, outcome, self.suggestions.toPlainText())
        db, user, visit_id, now = self.db, self.user, self.visit_id, self.clock()
        self._writing = True
        self.save.setEnabled(False)
        self.say(_("正在保存…"))
        self.runner.submit(
            lambda: return_visits.record(db, user, visit_id, record, now),
            self._saved,
            self._refused,
        )

    def _saved(self, result: Recorded) -> None:
        if not self.alive():
            return
        self._writing = False
        self.saved = result
        self._set_editable(False)
        self.save.hide()
        self.close_button.setText(_("关闭"))
        text = _("已记录：{outcome}（{channel}）。").format(
            outcome=label(result.outcome),
            channel=label(self.chosen_channel() or VisitChannel.PHONE),
        )
        if result.dissatisfied:
            text += _("顾客不满意，请按“转为投诉”登记投诉并跟进处理。")
            self.say(text, ERROR_COLOUR)
        else:
            self.say(text, OK_COLOUR)
            self.close_button.setDefault(True)
            self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._offer_escalation(result.dissatisfied)
        self.recorded.emit(self.visit_id)

    def _refused(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._writing = False
        self.save.setEnabled(True)
        if isinstance(exc, ClubDeskError):
            if not self.errors.show(exc.field, exc.message):
                self.say(exc.message, ERROR_COLOUR)
            else:
                self.say(_("没有保存。"), ERROR_COLOUR)
            if exc.field == "visit":  # recorded at another counter meanwhile
                self.load()
            return
        from ui.errors import show_error

        self.say(_("没有保存。"), ERROR_COLOUR)
        show_error(self, exc)

    def _offer_escalation(self, on: bool) -> None:
        self.escalate.setVisible(on)
        if on:
            self.escalate.setDefault(True)
            self.escalate.setFocus(Qt.FocusReason.OtherFocusReason)

    def request_complaint(self) -> None:
        """One click: the complaint form opens prefilled from this visit."""
        if not self.escalate.isVisible() or self.writing():
            return
        self.escalate.setEnabled(False)
        self.complaint_requested.emit(self.visit_id)
        self.accept()

    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

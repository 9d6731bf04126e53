"""The form for a complaint's next step, one class per step (domain.md section 3).

Each form reads what it needs from the complaint (the solutions to approve, the
approved compensation), builds the step's action for ``complaint_steps.advance`` and
says whether to ask first (an unjustified judgement closes the case; compensation
credits the member's card).  Before asking, the form checks what the service would
refuse (a required text left empty) and puts the service's sentence under the field:
nobody confirms something that is then refused.  The case dialog runs the action and,
on a refusal, hands the message back: ``errors.show(field, message)`` puts it under
the field the service named.  A form whose step the user may not record is shown
disabled with the reason.  ``tab_chain()`` lists the form's inputs in reading order
and then its buttons, for the dialog to set where Tab goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.models.enums import ComplaintRemedy, ComplaintStepKind, Department
from clubdesk.money import format_fen
from clubdesk.services.complaint_links import StaffOption
from clubdesk.services.complaint_rules import STEP_PERMISSION
from clubdesk.services.complaint_steps import (
    COMPENSATION_MAX_FEN,
    SOLUTIONS_MAX,
    Acceptance,
    Approval,
    Closing,
    Implementation,
    Investigation,
    Judgement,
    Proposal,
    Reopening,
    Solution,
    StepAction,
    Summary,
)
from clubdesk.services.complaints import ComplaintDetail
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from clubdesk.services.text_fields import TEXT_MAX, optional_text, required_text
from ui.dialogs.card_actions import ERROR_COLOUR, FieldBox, FieldErrors
from ui.dialogs.complaint_register import (
    TextArea,
    caption,
    focus_next,
    hint_label,
    submit_shortcuts,
    tab_order,
)
from ui.widgets.money_edit import MoneyEdit
from ui.widgets.signature_pad import SignaturePad

S = ComplaintStepKind


def todo_name(kind: ComplaintStepKind) -> str:
    """A step as something to do: "结案" rather than the state's "已结案"."""
    return _("结案") if kind is S.CLOSED else label(kind)


def solution_name(n: int) -> str:
    """0 → "方案1", as the printed form numbers them."""
    return _("方案{n}").format(n=n + 1)


def solution_text(solution: dict[str, Any]) -> str:
    """ "书面道歉" or "补偿 100 元（补偿 ¥100.00 到储值卡）"."""
    text = str(solution.get("text") or "")
    amount = int(solution.get("compensation_fen") or 0)
    if amount:
        return _("{text}（补偿 {amount} 到储值卡）").format(text=text, amount=format_fen(amount))
    return text


@dataclass(frozen=True, slots=True)
class CaseContext:
    detail: ComplaintDetail
    staff: list[StaffOption]
    user: StaffMember | None


@dataclass(frozen=True, slots=True)
class Submission:
    """What a form's button asks the dialog to record."""

    action: StepAction
    done: str  # the status line after it was recorded
    question: str | None = None  # asked (Yes/No, No default) before recording


def denied_text(kind: ComplaintStepKind) -> str:
    if STEP_PERMISSION[kind] is Permission.COMPLAINT_APPROVE:
        if kind is S.APPROVAL:
            return _("处理方案须由客服主管或经理审批，请联系主管。")
        return _("“{step}”须由客服主管或经理办理，请联系主管。").format(step=label(kind))
    return _("您的账号没有处理投诉的权限，请联系主管。")


class StepForm(QWidget):
    """A step's inputs over its buttons.  ``submitted(Submission)`` when a button's
    action is ready; ``problem(message, shown)`` when the form itself refused it (shown:
    the message is under its field); ``chain_changed`` when inputs came or went (Tab's
    order is set again).  ``errors`` maps the services' field names to the boxes."""

    kind: ComplaintStepKind = S.INTAKE
    submitted = Signal(object)
    problem = Signal(str, bool)
    chain_changed = Signal()

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.errors = FieldErrors()
        self.may = allowed(ctx.user, STEP_PERMISSION[self.kind])
        self.dirty = False
        self.buttons: list[QPushButton] = []
        self._may_press: dict[int, bool] = {}  # id(button) → the user may press it
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(6)
        self.denied = QLabel(denied_text(self.kind), self)
        self.denied.setObjectName("stepDenied")
        self.denied.setWordWrap(True)
        self.denied.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.denied.setVisible(not self.may)
        outer.addWidget(self.denied)
        self.body = QWidget(self)
        outer.addWidget(self.body)
        self.form = QFormLayout(self.body)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(6)
        outer.addStretch(1)
        self.button_row = QHBoxLayout()
        self.button_row.addStretch(1)
        outer.addLayout(self.button_row)

    # -- building helpers --------------------------------------------------------------
    def row(
        self, field: str, text: str, widget: QWidget, extra: list[QWidget] | None = None
    ) -> FieldBox:
        box = self.errors.add(field, FieldBox(widget, self.body, extra or []))
        self.form.addRow(caption(text, widget, self.body), box)
        self._watch(widget)
        return box

    def text_area(self, placeholder: str, rows: int = 3) -> TextArea:
        return TextArea(self.body, placeholder, rows)

    def _watch(self, widget: QWidget) -> None:
        if isinstance(widget, TextArea):
            widget.textChanged.connect(self._touched)
        elif isinstance(widget, QLineEdit):
            widget.textEdited.connect(lambda _t: self._touched())

    def _touched(self) -> None:
        self.dirty = True

    def add_button(
        self,
        text: str,
        build: Callable[[], Submission | None],
        *,
        primary: bool = False,
        permission: Permission | None = None,
        leading: bool = False,
    ) -> QPushButton:
        """A button that submits what ``build`` makes.  ``permission``: the one it
        needs when not the step's own; ``leading``: on the left, apart from the others."""
        button = QPushButton(text, self)
        button.setAutoDefault(False)
        may = self.may if permission is None else allowed(self.ctx.user, permission)
        self._may_press[id(button)] = may
        button.clicked.connect(lambda _c=False: self._submit(build, may))
        if primary:
            button.setToolTip(_("快捷键 Ctrl+Enter"))
            button.setObjectName("stepPrimary")
            button.setStyleSheet("font-weight: bold;")
        if leading:
            self.button_row.insertWidget(0, button)
        else:
            self.button_row.addWidget(button)
        self.buttons.append(button)  # the first added is the main one (Ctrl+Enter)
        return button

    def finish(self) -> None:
        """Called by subclasses at the end of building: lock what the user may not do."""
        if not self.may:
            self.body.setEnabled(False)
        for button in self.buttons:
            if not self._may_press[id(button)]:
                button.setEnabled(False)
                button.setToolTip(denied_text(self.kind))

    def _submit(self, build: Callable[[], Submission | None], may: bool) -> None:
        if not may:
            return
        self.errors.clear()
        try:
            submission = build()
        except DomainError as exc:
            # What the service would refuse, found before asking anything.
            self.problem.emit(exc.message, self.errors.show(exc.field, exc.message))
            return
        if submission is not None:
            self.submitted.emit(submission)

    # -- used by the dialog ------------------------------------------------------------
    def primary(self) -> QPushButton | None:
        return self.buttons[0] if self.buttons else None

    def set_busy(self, busy: bool) -> None:
        for button in self.buttons:
            button.setEnabled(not busy and self._may_press[id(button)])

    def first_input(self) -> QWidget | None:
        return None

    def inputs(self) -> list[QWidget]:
        """The inputs in reading order: left to right, top to bottom."""
        return []

    def tab_chain(self) -> list[QWidget]:
        """Where Tab goes: the inputs, then the buttons as they stand in their row (the
        main one, on the right, last)."""
        placed = [
            item.widget()
            for item in (self.button_row.itemAt(i) for i in range(self.button_row.count()))
            if item is not None and isinstance(item.widget(), QPushButton)
        ]
        return [*self.inputs(), *(w for w in placed if w is not None)]

    def show_error(self, field: str | None, message: str) -> bool:
        return self.errors.show(field, message)


def staff_combo(
    parent: QWidget, options: list[StaffOption], empty: str, chosen: int | None
) -> QComboBox:
    combo = QComboBox(parent)
    combo.setMinimumContentsLength(12)
    combo.addItem(empty, None)
    for person in options:
        combo.addItem(person.text(), person.id)
    if chosen is not None:
        index = combo.findData(chosen)
        if index >= 0:
            combo.setCurrentIndex(index)
    return combo


# -- 2 投诉判断 ----------------------------------------------------------------------------------
class JudgementForm(StepForm):
    kind = S.JUDGEMENT

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        holder = QWidget(self.body)
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        self.justified = QRadioButton(_("属实(&Y)"), holder)
        self.unjustified = QRadioButton(_("不属实(&U)"), holder)
        self.decision = QButtonGroup(holder)
        self.decision.addButton(self.justified)
        self.decision.addButton(self.unjustified)
        row.addWidget(self.justified)
        row.addWidget(self.unjustified)
        row.addStretch(1)
        holder.setFocusProxy(self.justified)
        justified_box = self.row("justified", _("判断："), holder)
        self.decision.buttonToggled.connect(lambda _b, _on: justified_box.clear_error())
        self.department = QComboBox(self.body)
        self.department.addItem(_("请选择"), None)
        for department in Department:
            self.department.addItem(label(department), department.value)
        preset = ctx.detail.department
        if preset is not None:
            self.department.setCurrentIndex(self.department.findData(preset.value))
        self.department_box = self.row("department", _("责任部门(&D)："), self.department)
        self.note = self.text_area(_("如：已向顾客致歉，请顾客给我们两天时间处理"), rows=4)
        self.note_box = self.row("note", _("处理说明(&M)："), self.note)
        self.note_caption = self.form.labelForField(self.note_box)
        self.ok = self.add_button(_("完成判断"), self.build, primary=True)
        self.decision.buttonToggled.connect(lambda _b, _on: self._decided())
        self._decided()
        self.finish()

    def _decided(self) -> None:
        justified = not self.unjustified.isChecked()
        self.form.setRowVisible(self.department_box, justified)
        widget = self.note_caption
        if isinstance(widget, QLabel):
            widget.setText(_("处理说明(&M)：") if justified else _("给顾客的解释(&M)："))
        self.note.setPlaceholderText(
            _("如：已向顾客致歉，请顾客给我们两天时间处理")
            if justified
            else _("向顾客说明不属实的理由（必填），判定后即结案")
        )
        self.ok.setText(_("判定属实") if justified else _("判定不属实并结案…"))

    def first_input(self) -> QWidget | None:
        return self.justified

    def inputs(self) -> list[QWidget]:
        return [self.justified, self.unjustified, self.department, self.note]

    def build(self) -> Submission | None:
        if not self.justified.isChecked() and not self.unjustified.isChecked():
            raise DomainError(_("请先判断投诉是否属实。"), field="justified")
        if self.justified.isChecked():
            value = self.department.currentData()
            return Submission(
                Judgement(True, self.note.text(), Department(value) if value else None),
                _("已判定属实，转{department}处理。").format(
                    department=label(Department(value)) if value else ""
                ),
            )
        # The service's own check, before asking to close.
        required_text(self.note.text(), TEXT_MAX, "note", _("答复顾客的解释"))
        return Submission(
            Judgement(False, self.note.text()),
            _("已判定不属实并结案。"),
            _("判定不属实会立即结案（之后主管仍可重新处理）。\n确定已向顾客解释清楚并结案吗？"),
        )


# -- 3 调查分析 ----------------------------------------------------------------------------------
class InvestigationForm(StepForm):
    kind = S.INVESTIGATION

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.cause = self.text_area(_("调查到的原因（必填）"), rows=4)
        self.row("cause", _("原因(&Y)："), self.cause)
        self.staff = staff_combo(self.body, ctx.staff, _("未查明/不涉及员工"), ctx.detail.staff_id)
        self.row("responsible_staff_id", _("责任人(&W)："), self.staff)
        self.note = self.text_area(_("选填"), rows=2)
        self.row("note", _("备注(&M)："), self.note)
        self.add_button(_("完成调查"), self.build, primary=True)
        self.finish()

    def first_input(self) -> QWidget | None:
        return self.cause

    def inputs(self) -> list[QWidget]:
        return [self.cause, self.staff, self.note]

    def build(self) -> Submission | None:
        return Submission(
            Investigation(self.cause.text(), self.staff.currentData(), self.note.text()),
            _("调查分析已记录。"),
        )


# -- 4 提出处理方案 -------------------------------------------------------------------------------
class SolutionRow(QWidget):
    removed = Signal(object)

    def __init__(self, parent: QWidget, member: bool) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.name = QLabel(self)
        self.text = QLineEdit(self)
        self.text.setMaxLength(200)
        self.text.setPlaceholderText(_("方案内容，如：赔礼道歉并免费重做一次"))
        self.amount = MoneyEdit(self, maximum_fen=COMPENSATION_MAX_FEN)
        self.amount.setMinimumWidth(90)
        self.amount.setMaximumWidth(110)
        self.amount.setPlaceholderText(_("补偿（元）"))
        self.amount.setEnabled(member)
        self.amount.setToolTip(
            _("补偿金额存入会员储值卡；不补偿请留空")
            if member
            else _("投诉人不是会员，不能补偿到储值卡")
        )
        self.remove = QPushButton(_("删除"), self)
        self.remove.setAutoDefault(False)
        self.remove.clicked.connect(lambda _c=False: self.removed.emit(self))
        row.addWidget(self.name)
        row.addWidget(self.text, 1)
        row.addWidget(self.amount)
        row.addWidget(self.remove)

    def solution(self) -> Solution:
        return Solution(self.text.text(), self.amount.fen() or 0)


class ProposalForm(StepForm):
    kind = S.PROPOSAL

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.member = ctx.detail.member_id is not None
        self.returned = QLabel(self.body)
        self.returned.setWordWrap(True)
        self.returned.setStyleSheet("color: #92400e;")
        rejection = _last_rejection(ctx.detail)
        if rejection is None:
            self.returned.setText("")
        elif rejection[0]:
            self.returned.setText(
                _("已批准的方案被撤回：{note}　请修改后重新提交。").format(note=rejection[1])
            )
        else:
            self.returned.setText(
                _("上次的方案被退回：{note}　请修改后重新提交。").format(note=rejection[1])
            )
        self.returned.setVisible(bool(rejection))
        self.form.addRow(self.returned)
        self.list = QWidget(self.body)
        self.rows_layout = QVBoxLayout(self.list)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(4)
        self.rows: list[SolutionRow] = []
        self.add = QPushButton(_("添加方案(&A)"), self.body)
        self.add.setAutoDefault(False)
        self.add.clicked.connect(lambda _c=False: self.add_row())
        add_row = QHBoxLayout()
        add_row.addWidget(self.add)
        hint = _("最多 {n} 个方案；补偿金额选填，存入会员储值卡。").format(n=SOLUTIONS_MAX)
        if not self.member:
            hint = _("最多 {n} 个方案；投诉人不是会员，不能补偿到储值卡。").format(n=SOLUTIONS_MAX)
        add_row.addWidget(hint_label(hint, self.body), 1)
        self.rows_layout.addLayout(add_row)
        box = self.row("solutions", _("处理方案(&F)："), self.list)
        self.solutions_box = box
        self.list_caption = self.form.labelForField(box)
        self.errors.add("compensation", box)
        self.note = self.text_area(_("选填"), rows=2)
        self.row("note", _("备注(&M)："), self.note)
        self.add_button(_("提交方案"), self.build, primary=True)
        for solution in ctx.detail.solutions[:SOLUTIONS_MAX]:  # a returned proposal, to edit
            row = self.add_row()
            row.text.setText(str(solution.get("text") or ""))
            amount = int(solution.get("compensation_fen") or 0)
            if amount and self.member:
                row.amount.set_fen(amount)
        if not self.rows:
            self.add_row()
        self.finish()

    def add_row(self) -> SolutionRow:
        row = SolutionRow(self.list, self.member)
        row.removed.connect(self._remove)
        row.text.textEdited.connect(lambda _t: self._touched())
        row.text.textEdited.connect(lambda _t: self.solutions_box.clear_error())
        row.amount.textEdited.connect(lambda _t: self.solutions_box.clear_error())
        row.amount.textEdited.connect(lambda _t: self._touched())
        self.rows_layout.insertWidget(len(self.rows), row)
        row.show()  # at once, not when the layout gets round to it: Tab may go there now
        self.rows.append(row)
        self._renumber()
        self.chain_changed.emit()
        if self.isVisible():
            row.text.setFocus(Qt.FocusReason.OtherFocusReason)
        return row

    def _remove(self, row: object) -> None:
        if not isinstance(row, SolutionRow) or len(self.rows) <= 1:
            return
        self.rows.remove(row)
        row.hide()
        row.deleteLater()
        self._renumber()
        self.chain_changed.emit()
        self.rows[0].text.setFocus(Qt.FocusReason.OtherFocusReason)

    def _renumber(self) -> None:
        for n, row in enumerate(self.rows):
            row.name.setText(solution_name(n) + _("："))
            row.remove.setEnabled(len(self.rows) > 1)
        self.add.setEnabled(len(self.rows) < SOLUTIONS_MAX)
        if self.rows:
            self.list.setFocusProxy(self.rows[0].text)
            # Alt+F: a label's mnemonic passes over a buddy that takes no focus itself.
            if isinstance(self.list_caption, QLabel):
                self.list_caption.setBuddy(self.rows[0].text)

    def first_input(self) -> QWidget | None:
        return self.rows[0].text if self.rows else None

    def inputs(self) -> list[QWidget]:
        chain: list[QWidget] = []
        for row in self.rows:
            chain += [row.text, row.amount, row.remove]
        return [*chain, self.add, self.note]

    def build(self) -> Submission | None:
        for n, row in enumerate(self.rows):
            if row.amount.text().strip() and row.amount.problem() is not None:
                self.errors.show(
                    "compensation",
                    _("{name}的补偿金额：{problem}").format(
                        name=solution_name(n), problem=row.amount.problem()
                    ),
                )
                row.amount.setFocus(Qt.FocusReason.OtherFocusReason)
                self.problem.emit(str(row.amount.problem()), True)
                return None
        solutions = tuple(row.solution() for row in self.rows)
        return Submission(
            Proposal(solutions, self.note.text()), _("处理方案已提交，等待主管审批。")
        )


def _last_rejection(detail: ComplaintDetail) -> tuple[bool, str] | None:
    """(withdrawn, note) of the approval that sent the proposal back, when that is the
    latest; withdrawn: an approval taken back before it was carried out."""
    for step in reversed(detail.steps):
        if step.kind is S.APPROVAL:
            if step.data.get("approved") is not False:
                return None
            return bool(step.data.get("withdrawn")), step.note or _("（未写原因）")
        if step.kind in (S.PROPOSAL, S.REOPENED):
            return None
    return None


class _ClickLabel(QLabel):
    clicked = Signal()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.isEnabled():
            self.clicked.emit()
        super().mousePressEvent(event)


class WrappedRadio(QWidget):
    """A radio button whose long text wraps (a QRadioButton's never does); a click on
    the text chooses it too."""

    def __init__(self, name: str, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.radio = QRadioButton(_("{name}：").format(name=name), self)
        self.text = _ClickLabel(text, self)
        self.text.setWordWrap(True)
        self.text.clicked.connect(lambda: self.radio.setChecked(True))
        row.addWidget(self.radio, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        self.setFocusProxy(self.radio)


# -- 4 方案审批 -----------------------------------------------------------------------------------
class ApprovalForm(StepForm):
    kind = S.APPROVAL

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        holder = QWidget(self.body)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        self.choices = QButtonGroup(holder)
        self.radios: list[QRadioButton] = []
        for n, solution in enumerate(ctx.detail.solutions):
            choice = WrappedRadio(solution_name(n), solution_text(solution), holder)
            self.choices.addButton(choice.radio, n)
            self.radios.append(choice.radio)
            column.addWidget(choice)
        if len(self.radios) == 1:
            self.radios[0].setChecked(True)
        if self.radios:
            holder.setFocusProxy(self.radios[0])
        chosen_box = self.row("chosen", _("批准方案："), holder)
        self.choices.buttonToggled.connect(lambda _b, _on: chosen_box.clear_error())
        self.errors.add("compensation", chosen_box)  # the card cannot take the compensation
        self.note = self.text_area(_("审批意见；退回时必填，写明原因"), rows=3)
        self.row("note", _("审批意见(&M)："), self.note)
        self.add_button(_("批准所选方案"), self.approve, primary=True)
        self.add_button(_("退回重新提方案"), self.send_back)
        self.finish()

    def first_input(self) -> QWidget | None:
        return self.radios[0] if self.radios else self.note

    def inputs(self) -> list[QWidget]:
        return [*self.radios, self.note]

    def approve(self) -> Submission | None:
        chosen = self.choices.checkedId()
        return Submission(
            Approval(True, chosen=chosen, note=self.note.text()),
            _("已批准{name}。").format(name=solution_name(max(chosen, 0))),
        )

    def send_back(self) -> Submission | None:
        return Submission(
            Approval(False, note=self.note.text()), _("方案已退回，请处理人重新提出方案。")
        )


# -- 5 实施处理方案 -------------------------------------------------------------------------------
class ImplementationForm(StepForm):
    """Carry out the approved solution.  A supervisor (who may approve) can also take
    the approval back before it is carried out: 退回重新审批… asks why, then the
    complaint goes back to 提出处理方案."""

    kind = S.IMPLEMENTATION

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        approved = ctx.detail.approved or {}
        self.amount = int(approved.get("compensation_fen") or 0)
        plan = QLabel(solution_text(approved) if approved else _("（无）"), self.body)
        plan.setWordWrap(True)
        self.form.addRow(QLabel(_("批准的方案："), self.body), plan)
        holder = QWidget(self.body)
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 0, 0, 0)
        self.remedies: dict[ComplaintRemedy, QCheckBox] = {}
        for n, remedy in enumerate(ComplaintRemedy):
            box = QCheckBox(label(remedy), holder)
            self.remedies[remedy] = box
            grid.addWidget(box, n // 3, n % 3)
        money = self.remedies[ComplaintRemedy.COMPENSATION]
        if self.amount:
            money.setChecked(True)
            money.setEnabled(False)
            money.setText(_("补偿 {amount} 到储值卡").format(amount=format_fen(self.amount)))
            money.setToolTip(_("批准的方案含补偿，实施时存入会员储值卡，不能取消"))
        else:
            money.setEnabled(False)
            money.setToolTip(_("批准的方案没有补偿金额"))
        holder.setFocusProxy(self.remedies[ComplaintRemedy.APOLOGY])
        remedies_box = self.row("remedies", _("处理措施："), holder)
        self.errors.add("compensation", remedies_box)
        for box in self.remedies.values():
            box.toggled.connect(lambda _on: remedies_box.clear_error())
        if self.amount:
            self.form.addRow(
                "",
                hint_label(
                    _("确认后 {amount} 将立即存入{name}的储值卡。").format(
                        amount=format_fen(self.amount), name=ctx.detail.complainant
                    ),
                    self.body,
                ),
            )
        self.discipline = QLineEdit(self.body)
        self.discipline.setMaxLength(1000)
        self.discipline.setPlaceholderText(_("勾选“处分责任员工”后填写处分内容"))
        self.discipline.setEnabled(False)
        self.discipline_box = self.row("discipline", _("处分内容(&K)："), self.discipline)
        self.remedies[ComplaintRemedy.DISCIPLINE].toggled.connect(self._discipline_toggled)
        self.note = self.text_area(_("实施经过（必填）"), rows=3)
        self.row("note", _("处理经过(&M)："), self.note)
        self.add_button(_("完成实施"), self.build, primary=True)
        self.withdraw: QPushButton | None = None
        if allowed(ctx.user, Permission.COMPLAINT_APPROVE):
            self.withdraw = self.add_button(
                _("退回重新审批(&W)…"),
                self.withdraw_approval,
                permission=Permission.COMPLAINT_APPROVE,
                leading=True,
            )
            self.withdraw.setToolTip(
                _("撤回对这个方案的批准（如会员卡已不能补偿、顾客改变了要求），退回重新提出方案")
            )
        self.finish()

    def _discipline_toggled(self, on: bool) -> None:
        self.discipline.setEnabled(on)
        if on:
            self.discipline.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.discipline_box.clear_error()

    def first_input(self) -> QWidget | None:
        return self.remedies[ComplaintRemedy.APOLOGY]

    def inputs(self) -> list[QWidget]:
        return [*self.remedies.values(), self.discipline, self.note]

    def chosen(self) -> frozenset[ComplaintRemedy]:
        return frozenset(r for r, box in self.remedies.items() if box.isChecked())

    def build(self) -> Submission | None:
        # The service's checks, top to bottom, before asking to move money.
        chosen = self.chosen()
        if not chosen:
            raise DomainError(_("请勾选实际采取的处理措施。"), field="remedies")
        discipline = self.discipline.text() if self.discipline.isEnabled() else ""
        if ComplaintRemedy.DISCIPLINE in chosen and (
            optional_text(discipline, TEXT_MAX, "discipline", _("处分说明")) is None
        ):
            raise DomainError(_("处分责任员工时请写明处分内容。"), field="discipline")
        required_text(self.note.text(), TEXT_MAX, "note", _("处理经过"))
        action = Implementation(chosen, self.note.text(), discipline)
        if not self.amount:
            return Submission(action, _("处理方案已实施，请顾客确认。"))
        amount = format_fen(self.amount)
        return Submission(
            action,
            _("处理方案已实施，{amount} 已存入储值卡，请顾客确认。").format(amount=amount),
            _("将向{name}的储值卡存入补偿 {amount}，存入后不能撤回。\n确定吗？").format(
                name=self.ctx.detail.complainant, amount=amount
            ),
        )

    def withdraw_approval(self) -> Submission | None:
        """Ask why (required), then whether to send it back; the dialog records it."""
        approved = self.ctx.detail.approved or {}
        reason = ask_reason(
            self,
            _("退回重新审批"),
            _(
                "撤回对已批准方案的批准：{plan}\n投诉将退回“提出处理方案”，重新提出方案并审批。"
            ).format(plan=solution_text(approved) if approved else _("（无）")),
            _("撤回批准的原因（必填），如：会员卡已注销，无法补偿"),
            _withdrawal_problem,
        )
        if reason is None:
            return None
        return Submission(
            Approval(False, note=reason),
            _("已撤回批准，请重新提出处理方案。"),
            _("撤回批准后，已批准的方案作废，投诉退回“提出处理方案”。\n确定撤回吗？"),
        )


def _withdrawal_problem(reason: str) -> None:
    """The service's check of an approval sent back: a reason, not too long."""
    if optional_text(reason, TEXT_MAX, "note", _("审批意见")) is None:
        raise DomainError(_("退回方案请写明原因。"), field="note")


class ReasonDialog(QDialog):
    """One required reason, checked by ``check`` (a DomainError's sentence shows under
    the field) before the dialog closes with 确定; Ctrl+Enter is 确定, Esc cancels."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        intro: str,
        placeholder: str,
        check: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.check = check
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        column = QVBoxLayout(self)
        column.addWidget(hint_label(intro, self))
        self.text = TextArea(self, placeholder, rows=3)
        self.box = FieldBox(self.text, self)
        reason_caption = caption(_("原因(&Y)："), self.text, self)
        column.addWidget(reason_caption)
        column.addWidget(self.box)
        buttons = QHBoxLayout()
        buttons.addWidget(hint_label(_("Ctrl+Enter 确定，Esc 取消"), self))
        buttons.addStretch(1)
        self.ok = QPushButton(_("确定"), self)
        self.ok.setAutoDefault(False)
        self.cancel = QPushButton(_("取消"), self)
        self.cancel.setAutoDefault(False)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.cancel)
        column.addLayout(buttons)
        self.ok.clicked.connect(lambda _c=False: self.try_accept())
        self.cancel.clicked.connect(self.reject)
        self.shortcuts = submit_shortcuts(self, self.try_accept)
        tab_order([self.text, self.ok, self.cancel])
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)

    def focusNextPrevChild(self, next: bool) -> bool:
        if focus_next(self, [self.text, self.ok, self.cancel], next) is not None:
            return True
        return super().focusNextPrevChild(next)

    def reason(self) -> str:
        return self.text.toPlainText().strip()

    def try_accept(self) -> None:
        try:
            self.check(self.text.toPlainText())
        except DomainError as exc:
            self.box.show_error(exc.message)
            self.text.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.accept()


def ask_reason(
    parent: QWidget, title: str, intro: str, placeholder: str, check: Callable[[str], None]
) -> str | None:
    """The reason typed and checked, or None when cancelled."""
    dialog = ReasonDialog(parent, title, intro, placeholder, check)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason()
    finally:
        dialog.deleteLater()


# -- 5 顾客确认 -----------------------------------------------------------------------------------
class AcceptanceForm(StepForm):
    kind = S.ACCEPTANCE

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.pad = SignaturePad(self.body)
        self.clear = QPushButton(_("清除签名(&L)"), self.body)
        self.clear.setAutoDefault(False)
        self.clear.clicked.connect(lambda _c=False: self.pad.clear())
        holder = QWidget(self.body)
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.pad)
        under = QHBoxLayout()
        self.paper = QCheckBox(_("顾客已在纸质登记表上签字(&P)"), holder)
        under.addWidget(self.paper)
        under.addStretch(1)
        under.addWidget(self.clear)
        column.addLayout(under)
        holder.setFocusProxy(self.paper)
        self.signature_box = self.row("signature", _("顾客签名："), holder)
        self.note = self.text_area(_("选填，如：顾客表示满意"), rows=2)
        self.row("note", _("备注(&M)："), self.note)
        self.pad.changed.connect(self._touched)
        # "请让顾客在屏幕上签名…" goes once the customer signs (or it is ticked paper).
        self.pad.changed.connect(self.signature_box.clear_error)
        self.paper.toggled.connect(self._paper_toggled)
        self.add_button(_("顾客已确认"), self.build, primary=True)
        self.finish()

    def _paper_toggled(self, on: bool) -> None:
        self.pad.setEnabled(not on)
        self.clear.setEnabled(not on)
        self.pad.update()
        self.signature_box.clear_error()

    def first_input(self) -> QWidget | None:
        return self.paper

    def inputs(self) -> list[QWidget]:
        return [self.paper, self.clear, self.note]

    def build(self) -> Submission | None:
        on_paper = self.paper.isChecked()
        png = None if on_paper or self.pad.is_empty() else self.pad.to_png()
        return Submission(
            Acceptance(signature_png=png, on_paper=on_paper, note=self.note.text()),
            _("顾客已确认并签字。"),
        )


# -- 6 总结评价 / 结案 / 重新处理 ---------------------------------------------------------------
class SummaryForm(StepForm):
    kind = S.SUMMARY

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.evaluation = self.text_area(_("处理是否及时、顾客是否满意（必填）"), rows=3)
        self.row("evaluation", _("总结评价(&E)："), self.evaluation)
        self.improvement = self.text_area(_("今后如何避免（必填，计入投诉分类统计表）"), rows=3)
        self.row("improvement", _("改进措施(&G)："), self.improvement)
        self.close_case = QCheckBox(_("同时结案(&J)"), self.body)
        self.close_case.setChecked(True)
        self.form.addRow("", self.close_case)
        self.add_button(_("完成总结"), self.build, primary=True)
        self.finish()

    def first_input(self) -> QWidget | None:
        return self.evaluation

    def inputs(self) -> list[QWidget]:
        return [self.evaluation, self.improvement, self.close_case]

    def build(self) -> Submission | None:
        close = self.close_case.isChecked()
        return Submission(
            Summary(self.evaluation.text(), self.improvement.text(), close),
            _("已总结并结案。") if close else _("总结已记录，可稍后结案。"),
        )


class ClosingForm(StepForm):
    kind = S.CLOSED

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.note = self.text_area(_("选填"), rows=2)
        self.row("note", _("备注(&M)："), self.note)
        self.add_button(_("结案"), self.build, primary=True)
        self.finish()

    def first_input(self) -> QWidget | None:
        return self.note

    def inputs(self) -> list[QWidget]:
        return [self.note]

    def build(self) -> Submission | None:
        return Submission(Closing(self.note.text()), _("已结案。"))


class ReopenForm(StepForm):
    kind = S.REOPENED

    def __init__(self, ctx: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.form.addRow(
            hint_label(
                _("投诉已结案。如顾客仍不满意或处理有误，可重新处理：从“投诉判断”重新开始。"),
                self.body,
            )
        )
        self.reason = self.text_area(_("重新处理的原因（必填）"), rows=3)
        self.row("reason", _("原因(&Y)："), self.reason)
        self.reopen = self.add_button(_("重新处理…"), self.build, primary=True)
        self.finish()

    def first_input(self) -> QWidget | None:
        return self.reason

    def inputs(self) -> list[QWidget]:
        return [self.reason]

    def build(self) -> Submission | None:
        required_text(self.reason.text(), TEXT_MAX, "reason", _("重新处理的原因"))
        return Submission(
            Reopening(self.reason.text()),
            _("投诉已重新打开，请重新判断。"),
            _("重新处理会把这宗投诉退回到“投诉判断”，从头处理。\n确定吗？"),
        )


FORMS: dict[ComplaintStepKind, type[StepForm]] = {
    S.JUDGEMENT: JudgementForm,
    S.INVESTIGATION: InvestigationForm,
    S.PROPOSAL: ProposalForm,
    S.APPROVAL: ApprovalForm,
    S.IMPLEMENTATION: ImplementationForm,
    S.ACCEPTANCE: AcceptanceForm,
    S.SUMMARY: SummaryForm,
    S.CLOSED: ClosingForm,
    S.REOPENED: ReopenForm,
}


def form_for(ctx: CaseContext, parent: QWidget | None = None) -> StepForm:
    """The form of the complaint's next step; a closed complaint's is 重新处理."""
    kind = ctx.detail.next_step or S.REOPENED
    return FORMS[kind](ctx, parent)

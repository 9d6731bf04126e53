"""The small dialogs of a member's card business: issue, top up, settle a counter sale,
refund, reissue, annual fee, freeze, manual adjustment, points redemption, downgrade.

Each is keyboard-first (Enter performs, Esc closes), runs the service through the
task runner, puts a refused field's message under that field, asks before an action
that cannot be taken back, and after success shows a one-line result in its status
area, locks its inputs (so a second Enter cannot repeat the payment) and tells the
member's detail to refresh.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, PermissionDenied
from clubdesk.i18n import N_, _
from clubdesk.models.enums import CardKind, CardStatus, PaymentMethod
from clubdesk.money import format_fen
from clubdesk.services import cards, settlement, tiers
from clubdesk.services.cards import OUTSIDE_METHODS, RewardInfo
from clubdesk.services.labels import label
from clubdesk.services.ledger import Movement
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.roster import CardInfo
from clubdesk.services.settlement import Settlement
from clubdesk.services.staff import StaffMember
from clubdesk.services.tiers import Discount, TierInfo
from clubdesk.settings import get_value
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.money_edit import MoneyEdit

Runner = TaskRunner | SyncRunner

ERROR_COLOUR = "#c0392b"
OK_COLOUR = "#0f766e"


# -- shared pieces (the member editor uses them too) ------------------------------------
class FieldBox(QWidget):
    """An input (and optional widgets beside it) with a red message line under it."""

    def __init__(
        self, field: QWidget, parent: QWidget | None = None, extra: Iterable[QWidget] = ()
    ) -> None:
        super().__init__(parent)
        self.field = field
        self.extras = list(extra)
        self.setFocusProxy(field)  # a form label's buddy (Alt+letter) lands in the input
        self._buddies_checked = False
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(field, 1)
        for widget in self.extras:
            row.addWidget(widget)
        column.addLayout(row)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.setWordWrap(True)
        self.error.hide()
        column.addWidget(self.error)
        for widget in (field, *self.extras):
            _on_edit(widget, self.clear_error)  # a corrected field loses its old message

    def showEvent(self, event: QShowEvent) -> None:
        # QLabel's mnemonic skips a buddy that takes no focus, proxy or not: a form
        # row's label (QFormLayout.addRow) names this box, so point it at the input.
        if not self._buddies_checked:
            self._buddies_checked = True
            for label in self.window().findChildren(QLabel):
                if label.buddy() is self:
                    label.setBuddy(self.field)
        super().showEvent(event)

    def inputs(self) -> list[QWidget]:
        """The widgets of this box that take the keyboard, in reading order."""
        return [w for w in (self.field, *self.extras) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self._fit_error()

    def clear_error(self) -> None:
        if self.error.isHidden() and not self.error.text():
            return
        self.error.clear()
        self.error.hide()
        self.error.setMinimumHeight(0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_error()

    def _fit_error(self) -> None:
        # A wrapped label inside a form gets the height of one line unless told: give it
        # the height its text needs at the box's width, so a long message is never cut.
        if self.error.isHidden():
            return
        # Laid out, the label is as wide as the box; before that, a guess the first
        # resize corrects.
        width = self.width() if self.isVisible() else self.sizeHint().width()
        self.error.setMinimumHeight(self.error.heightForWidth(max(width, 120)))

    def error_text(self) -> str:
        return "" if self.error.isHidden() else self.error.text()


def _on_edit(widget: QWidget, slot: Callable[[], None]) -> None:
    """Call ``slot`` when the user changes ``widget`` (typing, choosing, ticking)."""
    if isinstance(widget, QLineEdit):
        widget.textEdited.connect(lambda _text: slot())
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(slot)
    elif isinstance(widget, QComboBox):
        widget.activated.connect(lambda _index: slot())
        if widget.isEditable():
            widget.editTextChanged.connect(lambda _text: slot())
    elif isinstance(widget, QSpinBox):
        widget.valueChanged.connect(lambda _value: slot())
    elif isinstance(widget, QDateEdit):
        widget.dateChanged.connect(lambda _date: slot())
    elif isinstance(widget, QAbstractButton) and widget.isCheckable():
        widget.toggled.connect(lambda _on: slot())


class FieldErrors:
    """Field name (as the services name it) → the box that shows its message."""

    def __init__(self) -> None:
        self.boxes: dict[str, FieldBox] = {}

    def add(self, name: str, box: FieldBox) -> FieldBox:
        self.boxes[name] = box
        return box

    def clear(self) -> None:
        for box in self.boxes.values():
            box.clear_error()

    def show(self, field: str | None, message: str) -> bool:
        """Put ``message`` under its field and focus it; False when there is no such field."""
        box = self.boxes.get(field or "")
        if box is None or not box.isVisibleTo(box.window()):
            return False
        box.show_error(message)
        box.field.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(box.field, QLineEdit):
            box.field.selectAll()
        return True


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask before something that cannot be taken back; No is the default button."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def method_combo(parent: QWidget, methods: Iterable[PaymentMethod]) -> QComboBox:
    combo = QComboBox(parent)
    for method in methods:
        combo.addItem(label(method), method)
    return combo


def chosen_method(combo: QComboBox) -> PaymentMethod:
    """Qt hands a StrEnum back as its plain string: make it a PaymentMethod again."""
    return PaymentMethod(combo.currentData())


def denied_tip(permission: Permission) -> str:
    del permission  # every refusal reads the same at the button; the service names the right
    return _("您的账号没有此项权限，请联系经理办理。")


# -- the context every action works in ------------------------------------------------
@dataclass(frozen=True)
class ActionContext:
    db: Database
    actor: StaffMember | None
    runner: Runner
    member_id: int
    member_name: str
    card: CardInfo | None  # the working card (active or frozen), if any
    points: int
    tier: TierInfo | None
    on_changed: Callable[[], None]

    @property
    def stored_value(self) -> bool:
        return self.card is not None and self.card.kind == CardKind.STORED_VALUE

    @property
    def card_active(self) -> bool:
        return self.card is not None and self.card.status == CardStatus.ACTIVE

    def allowed(self, permission: Permission) -> bool:
        return allowed(self.actor, permission)


class ActionDialog(QDialog):
    """A form, a status line, 办理/关闭.  Subclasses implement ``work`` and ``describe``."""

    title = ""
    ok_text = ""

    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.errors = FieldErrors()
        self.completed = False
        self.result_value: Any = None
        self.title_text = _(self.title)
        self.setWindowTitle(
            _("{action} — {name}").format(action=self.title_text, name=ctx.member_name)
        )
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)
        self.preview = QLabel(self)
        self.preview.setObjectName("actionPreview")
        self.preview.setWordWrap(True)
        self.preview.setStyleSheet("color: #374151; padding: 2px 0;")
        layout.addWidget(self.preview)
        self.status = QLabel(self)
        self.status.setObjectName("actionStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(22)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok = QPushButton(_(self.ok_text) if self.ok_text else _("办理"), self)
        self.ok.setDefault(True)
        self.ok.setAutoDefault(True)
        self.close_button = QPushButton(_("关闭"), self)
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.ok.clicked.connect(self.submit)
        self.close_button.clicked.connect(self.reject)
        self._shown_once = False

    # -- keyboard and size -----------------------------------------------------------
    def inputs(self) -> list[QWidget]:
        """The form's inputs that take the keyboard, top to bottom."""
        found: list[QWidget] = []
        for row in range(self.form.rowCount()):
            for role in (QFormLayout.ItemRole.FieldRole, QFormLayout.ItemRole.SpanningRole):
                item = self.form.itemAt(row, role)
                widget = item.widget() if item is not None else None
                if isinstance(widget, FieldBox):
                    found.extend(widget.inputs())
                elif widget is not None and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                    found.append(widget)
        return found

    def first_input(self) -> QWidget | None:
        """Where typing starts: the first enabled input."""
        return next((w for w in self.inputs() if w.isEnabled()), None)

    def showEvent(self, event: QShowEvent) -> None:
        if not self._shown_once:
            # The buttons were made before the subclass added its fields, so Qt would
            # start in 办理: put the inputs first, then 办理, then 关闭, and start typing
            # in the first input (the amount, where there is one).
            self._shown_once = True
            chain = [*self.inputs(), self.ok, self.close_button]
            for first, second in pairwise(chain):
                QWidget.setTabOrder(first, second)
            start = self.first_input()
            if start is not None:
                start.setFocus(Qt.FocusReason.TabFocusReason)
                if isinstance(start, QLineEdit):
                    start.selectAll()  # a preset amount is replaced by what is typed
        super().showEvent(event)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            self._fit_height()
        return handled

    def _fit_height(self) -> None:
        # The window's minimum height does not count wrapped lines (a long red message
        # under a field, a two-line preview): grow to what the text needs at this width
        # instead of squeezing the inputs.
        need = self.heightForWidth(self.width())
        if need > self.height():
            self.resize(self.width(), need)

    # -- building ------------------------------------------------------------------
    def add_field(
        self, name: str, caption: str, widget: QWidget, extra: Iterable[QWidget] = ()
    ) -> FieldBox:
        box = self.errors.add(name, FieldBox(widget, self, extra))
        self.form.addRow(caption, box)
        return box

    def add_info(self, caption: str, text: str) -> QLabel:
        value = QLabel(text, self)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow(caption, value)
        return value

    def money(self, name: str, caption: str, fen: int | None = None) -> MoneyEdit:
        edit = MoneyEdit(self, fen=fen)
        box = self.add_field(name, caption, edit)
        edit.refused.connect(box.show_error)
        edit.textEdited.connect(lambda _t: box.clear_error())
        return edit

    def reason_edit(self, default: str = "") -> QLineEdit:
        edit = QLineEdit(default, self)
        edit.setMaxLength(200)
        edit.setPlaceholderText(_("必填，会记入流水和操作日志"))
        self.add_field("reason", _("原因："), edit)
        return edit

    # -- what subclasses provide ---------------------------------------------------
    def work(self) -> Callable[[], Any] | None:
        """The service call to run, or None after showing why the form is not ready."""
        raise NotImplementedError

    def confirmation(self) -> str | None:
        """A question to ask first, or None."""
        return None

    def describe(self, result: Any) -> str:
        raise NotImplementedError

    # -- running -------------------------------------------------------------------
    def need_amount(self, edit: MoneyEdit, name: str = "amount") -> int | None:
        """The amount, or None after putting the reason under the field."""
        fen = edit.fen()
        if fen is None:
            self.errors.show(name, edit.problem() or _("请输入金额。"))
        return fen

    def submit(self) -> None:
        if self.completed or not self.ok.isEnabled():
            return
        self.errors.clear()
        self.set_status("")
        fn = self.work()
        if fn is None:
            return
        question = self.confirmation()
        if question is not None and not confirm(self, self.title_text, question):
            self.set_status(_("已取消，没有办理。"))
            return
        self.ok.setEnabled(False)
        self.set_status(_("正在办理…"))
        self.ctx.runner.submit(fn, self._succeeded, self._failed)

    def can_submit(self) -> bool:
        """False while the form shows that the action cannot be done (OK disabled)."""
        return True

    def update_ok(self) -> None:
        self.ok.setEnabled(not self.completed and self.can_submit())

    def after_success(self, result: Any) -> None:
        """Bring the form's facts (a balance shown) up to date after the action."""

    def _succeeded(self, result: Any) -> None:
        self.completed = True
        self.result_value = result
        self.set_status(self.describe(result), OK_COLOUR)
        self.after_success(result)
        for child in self.findChildren(QWidget):
            if isinstance(child, QLineEdit | QComboBox | QSpinBox | QCheckBox):
                child.setEnabled(False)
        self.ok.setEnabled(False)
        self.close_button.setDefault(True)
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ctx.on_changed()

    def _failed(self, exc: BaseException) -> None:
        self.update_ok()
        if isinstance(exc, ClubDeskError) and not isinstance(exc, PermissionDenied):
            if self.errors.show(exc.field, exc.message):
                self.set_status(_("没有办理：请按红字提示修改。"), ERROR_COLOUR)
                return
            self.set_status(exc.message, ERROR_COLOUR)
            return
        if isinstance(exc, ClubDeskError):
            self.set_status(exc.message, ERROR_COLOUR)
        else:
            self.set_status(_("没有办理。"), ERROR_COLOUR)
        show_error(self, exc)

    def set_status(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

    def balance_after(self, change_fen: int) -> str:
        card = self.ctx.card
        if card is None:
            return ""
        return _("卡内余额 {old} → {new}").format(
            old=format_fen(card.balance_fen), new=format_fen(card.balance_fen + change_fen)
        )


# -- the actions --------------------------------------------------------------------
class IssueCardDialog(ActionDialog):
    title = N_("发卡")
    ok_text = N_("发卡(&I)")

    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.kind = QComboBox(self)
        for kind in (CardKind.STORED_VALUE, CardKind.DISCOUNT):
            self.kind.addItem(label(kind), kind)
        self.add_field("kind", _("卡类型："), self.kind)
        self.preview.setText(
            _(
                "储值卡可充值、从余额扣款；折扣卡出示即享等级折扣，不能储值。一人只能持一张在用的卡。"
            )
        )

    def work(self) -> Callable[[], str]:
        ctx, kind = self.ctx, CardKind(self.kind.currentData())
        return lambda: cards.issue(ctx.db, ctx.actor, ctx.member_id, kind)

    def describe(self, result: Any) -> str:
        return _("已发卡：卡号 {number}（{kind}）。").format(
            number=result, kind=label(CardKind(self.kind.currentData()))
        )


class TopUpDialog(ActionDialog):
    title = N_("充值")
    ok_text = N_("充值(&T)")

    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        assert ctx.card is not None
        self.add_info(_("卡号："), ctx.card.number)
        self.balance = self.add_info(_("当前余额："), format_fen(ctx.card.balance_fen))
        self.amount = self.money("amount", _("充值金额（元）："))
        self.method = method_combo(self, OUTSIDE_METHODS)
        self.add_field("method", _("付款方式："), self.method)
        self.with_bonus = QCheckBox(_("按充值赠送规则赠送"), self)
        self.with_bonus.setChecked(True)
        self.form.addRow("", self.with_bonus)
        self.bonus_fen = 0
        self._asked = 0
        self.amount.fen_changed.connect(self._amount_changed)
        self.with_bonus.toggled.connect(lambda _on: self._show_preview())
        self._show_preview()

    def _amount_changed(self, fen: int | None) -> None:
        self._asked += 1
        asked, db = self._asked, self.ctx.db
        if not fen:
            self.bonus_fen = 0
            self._show_preview()
            return

        def shown(bonus: int) -> None:
            if asked == self._asked:
                self.bonus_fen = bonus
                self._show_preview()

        self.ctx.runner.submit(lambda: cards.top_up_bonus(db, fen), shown, lambda _e: None)

    def _show_preview(self) -> None:
        fen = self.amount.fen() or 0
        if not fen:
            self.preview.setText(_("输入金额后显示赠送金额和充值后余额。"))
            return
        bonus = self.bonus_fen if self.with_bonus.isChecked() else 0
        parts = []
        if self.bonus_fen:
            if self.with_bonus.isChecked():
                parts.append(_("赠送 {bonus}").format(bonus=format_fen(bonus)))
            else:
                parts.append(
                    _("不赠送（规则可送 {bonus}）").format(bonus=format_fen(self.bonus_fen))
                )
        else:
            parts.append(_("此金额没有赠送"))
        parts.append(self.balance_after(fen + bonus))
        self.preview.setText(_("，").join(parts))

    def work(self) -> Callable[[], Movement] | None:
        fen = self.need_amount(self.amount)
        if fen is None:
            return None
        ctx, card = self.ctx, self.ctx.card
        assert card is not None
        method, bonus = chosen_method(self.method), self.with_bonus.isChecked()
        return lambda: cards.top_up(ctx.db, ctx.actor, card.number, fen, method, with_bonus=bonus)

    def describe(self, result: Any) -> str:
        return _("充值成功：卡 {number} 余额 {balance}。").format(
            number=result.card_number, balance=format_fen(result.balance_fen)
        )

    def after_success(self, result: Any) -> None:
        self.balance.setText(format_fen(result.balance_fen))


class SettleDialog(ActionDialog):
    """消费结账: a counter sale at list price, the member's discount, paid from the card or
    outside it; points and an upgrade follow in the same transaction."""

    title = N_("消费结账")
    ok_text = N_("结账(&P)")

    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.amount = self.money("amount", _("标价（元）："))
        methods: list[PaymentMethod] = []
        if ctx.stored_value and ctx.card_active:
            methods.append(PaymentMethod.STORED_VALUE)
        methods.extend(OUTSIDE_METHODS)
        self.method = method_combo(self, methods)
        self.add_field("method", _("付款方式："), self.method)
        self.reason = QLineEdit(_("前台消费"), self)
        self.reason.setMaxLength(200)
        self.add_field("reason", _("消费内容："), self.reason)
        self.discount: Discount | None = None
        self._asked = 0
        self.amount.fen_changed.connect(self._amount_changed)
        self.method.currentIndexChanged.connect(lambda _i: self._show_preview())
        self._amount_changed(None)

    def _amount_changed(self, fen: int | None) -> None:
        self._asked += 1
        asked, ctx = self._asked, self.ctx

        def shown(deal: Discount) -> None:
            if asked == self._asked:
                self.discount = deal
                self._show_preview()

        list_fen = fen or 10_000
        self.ctx.runner.submit(
            lambda: settlement.quote(ctx.db, ctx.member_id, list_fen), shown, lambda _e: None
        )

    def due(self) -> int | None:
        fen = self.amount.fen()
        if not fen or self.discount is None:
            return None
        return self.discount.apply(fen)

    def _show_preview(self) -> None:
        due = self.due()
        deal = self.discount.reason if self.discount else ""
        if due is None:
            self.preview.setText(_("本次折扣：{deal}。输入标价后显示应付金额。").format(deal=deal))
            return
        text = _("{deal}，应付 {due}").format(deal=deal, due=format_fen(due))
        short = False
        if chosen_method(self.method) == PaymentMethod.STORED_VALUE and self.ctx.card:
            if due > self.ctx.card.balance_fen:
                short = True
                text += _("。卡内余额 {balance} 不足，请先充值或改用其他付款方式").format(
                    balance=format_fen(self.ctx.card.balance_fen)
                )
            else:
                text += _("，") + self.balance_after(-due)
        self.preview.setText(text)
        self.preview.setStyleSheet(f"color: {ERROR_COLOUR};" if short else "color: #374151;")

    def work(self) -> Callable[[], Settlement] | None:
        fen = self.need_amount(self.amount)
        if fen is None:
            return None
        ctx, method = self.ctx, chosen_method(self.method)
        reason = self.reason.text().strip() or _("前台消费")
        return lambda: settlement.settle(
            ctx.db, ctx.actor, ctx.member_id, fen, method, reason=reason
        )

    def describe(self, result: Any) -> str:
        done: Settlement = result
        text = _("结账成功：应付 {due}（{method}），获得积分 {earned}").format(
            due=format_fen(done.due_fen), method=label(done.method), earned=done.points_earned
        )
        if done.method == PaymentMethod.STORED_VALUE:
            text += _("，卡内余额 {balance}").format(balance=format_fen(done.balance_fen))
        if done.new_tier:
            text += _("，已升级为{tier}").format(tier=done.new_tier)
        return text + _("。")


class RefundDialog(ActionDialog):
    title = N_("退款")
    ok_text = N_("退款(&R)")

    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        assert ctx.card is not None
        self.add_info(_("卡号："), ctx.card.number)
        self.balance = self.add_info(_("当前余额："), format_fen(ctx.card.balance_fen))
        self.amount = self.money("amount", _("退款金额（元）："))
        self.method = method_combo(self, OUTSIDE_METHODS)
        self.add_field("method", _("退回方式："), self.method)
        self.reason = self.reason_edit()
        self.amount.fen_changed.connect(self._show_preview)
        self._show_preview(None)

    def _show_preview(self, fen: int | None) -> None:
        self.preview.setText(self.balance_after(-(fen or 0)) if fen else "")

    def work(self) -> Callable[[], Movement] | None:
        fen = self.need_amount(self.amount)
        if fen is None:
            return None
        ctx, card = self.ctx, self.ctx.card
        assert card is not None
        method, reason = chosen_method(self.method), self.reason.text()
        return lambda: cards.refund(ctx.db, ctx.actor, card.number, fen, method, reason)

    def confirmation(self) -> str:
        fen = self.amount.fen() or 0
        return _("确认从卡 {number} 退款 {amount}，以{method}退还给会员？退款不能撤销。").format(
            number=self.ctx.card.number if self.ctx.card else "",
            amount=format_fen(fen),
            method=self.method.currentText(),
        )

    def describe(self, result: Any) -> str:
        return _("退款成功：卡 {number} 余额 {balance}。").format(
            number=result.card_number, balance=format_fen(result.balance_fen)
        )

    def after_success(self, result: Any) -> None:
        self.balance.setText(format_fen(result.balance_fen))


class ReissueDialog(ActionDialog):
    title = N_("补卡")
    ok_text = N_("补卡(&B)")

    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        assert ctx.card is not None
        self.add_info(_("原卡号："), ctx.card.number)
        fee = int(get_value(ctx.db, "member.reissue_fee_fen"))
        self.fee = self.money("amount", _("工本费（元）："), fee)
        methods: list[PaymentMethod] = []
        if ctx.stored_value:
            methods.append(PaymentMethod.STORED_VALUE)
        methods.extend(OUTSIDE_METHODS)
        self.method = method_combo(self, methods)
        self.add_field("method", _("工本费付款："), self.method)
        self.preview.setText(
            _("补卡后原卡立即停用，余额 {balance} 转入新卡。").format(
                balance=format_fen(ctx.card.balance_fen)
            )
        )

    def work(self) -> Callable[[], str] | None:
        fee = self.fee.fen()
        if fee is None and self.fee.text().strip():
            self.errors.show("amount", self.fee.problem() or "")
            return None
        ctx, card, method = self.ctx, self.ctx.card, chosen_method(self.method)
        assert card is not None
        return lambda: cards.reissue(ctx.db, ctx.actor, card.number, method, fee_fen=fee or 0)

    def confirmation(self) -> str:
        return _("确认为会员补办新卡？原卡 {number} 将立即停用，无法再使用。").format(
            number=self.ctx.card.number if self.ctx.card else ""
        )

    def describe(self, result: Any) -> str:
        return _("补卡成功：新卡号 {new}，原卡 {old} 已停用。").format(
            new=result, old=self.ctx.card.number if self.ctx.card else ""
        )


class AnnualFeeDialog(ActionDialog):
    title = N_("缴纳年费")
    ok_text = N_("收年费(&Y)")

    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        assert ctx.card is not None
        self.add_info(_("卡号："), ctx.card.number)
        fee = int(get_value(ctx.db, "member.annual_fee_fen"))
        self.add_info(_("年费："), format_fen(fee))
        methods: list[PaymentMethod] = []
        if ctx.stored_value:
            methods.append(PaymentMethod.STORED_VALUE)
        methods.extend(OUTSIDE_METHODS)
        self.method = method_combo(self, methods)
        self.add_field("method", _("付款方式："), self.method)
        self.preview.setText(_("缴费后有效期顺延一年。"))

    def work(self) -> Callable[[], Any]:
        ctx, card, method = self.ctx, self.ctx.card, chosen_method(self.method)
        assert card is not None
        return lambda: cards.pay_annual_fee(ctx.db, ctx.actor, card.number, method)

    def describe(self, result: Any) -> str:
        return _("年费已收，有效期至 {until}。").format(until=result.isoformat())


class FreezeDialog(ActionDialog):
    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        assert ctx.card is not None
        self.freeze = ctx.card.status != CardStatus.FROZEN
        self.title = N_("冻结会员卡") if self.freeze else N_("解冻会员卡")
        self.ok_text = N_("冻结(&F)") if self.freeze else N_("解冻(&F)")
        super().__init__(ctx, parent)
        self.add_info(_("卡号："), ctx.card.number)
        self.add_info(_("当前状态："), label(ctx.card.status))
        self.reason = self.reason_edit(_("会员挂失") if self.freeze else "")
        self.preview.setText(
            _("冻结后不能用此卡充值、消费或补卡，直到解冻。")
            if self.freeze
            else _("解冻后此卡恢复正常使用。")
        )

    def work(self) -> Callable[[], None]:
        ctx, card, frozen, reason = self.ctx, self.ctx.card, self.freeze, self.reason.text()
        assert card is not None
        return lambda: cards.set_frozen(ctx.db, ctx.actor, card.number, frozen, reason)

    def confirmation(self) -> str | None:
        if not self.freeze:
            return None
        return _("确认冻结会员卡 {number}？冻结期间此卡不能使用。").format(
            number=self.ctx.card.number if self.ctx.card else ""
        )

    def describe(self, result: Any) -> str:
        number = self.ctx.card.number if self.ctx.card else ""
        if self.freeze:
            return _("会员卡 {number} 已冻结。").format(number=number)
        return _("会员卡 {number} 已解冻。").format(number=number)


class AdjustDialog(ActionDialog):
    """A manager's correction: money on the stored-value card and/or points, with a reason."""

    title = N_("手工调整")
    ok_text = N_("调整(&A)")

    def __init__(self, ctx: ActionContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.direction = QComboBox(self)
        self.direction.addItem(_("增加"), 1)
        self.direction.addItem(_("扣减"), -1)
        self.direction.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.amount = MoneyEdit(self)
        box = self.add_field("amount", _("余额调整（元）："), self.direction, [self.amount])
        self.amount.refused.connect(box.show_error)
        if not ctx.stored_value:
            self.direction.setEnabled(False)
            self.amount.setEnabled(False)
            self.amount.setPlaceholderText(_("无储值卡"))
        self.points = QSpinBox(self)
        self.points.setRange(-10_000_000, 10_000_000)
        self.points.setSingleStep(100)
        self.points.setSuffix(_(" 分"))
        self.add_field("points", _("积分调整："), self.points)
        self.reason = self.reason_edit()
        self.amount.fen_changed.connect(lambda _f: self._show_preview())
        self.direction.currentIndexChanged.connect(lambda _i: self._show_preview())
        self.points.valueChanged.connect(lambda _v: self._show_preview())
        self._show_preview()

    def first_input(self) -> QWidget | None:
        # Typing starts in the amount; 增加/扣减 before it is one Shift+Tab away.
        return self.amount if self.amount.isEnabled() else self.points

    def change_fen(self) -> int:
        return (self.amount.fen() or 0) * int(self.direction.currentData())

    def _show_preview(self) -> None:
        parts = []
        if self.ctx.stored_value:
            parts.append(self.balance_after(self.change_fen()))
        points = self.ctx.points
        parts.append(
            _("积分 {old:,} → {new:,}").format(old=points, new=points + self.points.value())
        )
        self.preview.setText(_("，").join(parts))

    def work(self) -> Callable[[], Movement] | None:
        if self.amount.text().strip() and self.amount.fen() is None:
            self.errors.show("amount", self.amount.problem() or "")
            return None
        ctx, fen, points = self.ctx, self.change_fen(), self.points.value()
        reason = self.reason.text()
        return lambda: cards.adjust(
            ctx.db, ctx.actor, ctx.member_id, amount_fen=fen, points=points, reason=reason
        )

    def confirmation(self) -> str:
        parts = []
        if self.change_fen():
            parts.append(_("余额 {amount}").format(amount=format_fen(self.change_fen())))
        if self.points.value():
            parts.append(_("积分 {points:+,}").format(points=self.points.value()))
        return _("确认为会员“{name}”手工调整{what}？调整会记入流水和操作日志。").format(
            name=self.ctx.member_name, what=_("、").join(parts) or _("（无变化）")
        )

    def describe(self, result: Any) -> str:
        text = _("调整完成：积分 {points:,}").format(points=result.points)
        if result.card_number and self.ctx.stored_value:
            text += _("，卡内余额 {balance}").format(balance=format_fen(result.balance_fen))
        return text + _("。")


class RedeemDialog(ActionDialog):
    title = N_("积分兑换")
    ok_text = N_("兑换(&R)")

    def __init__(
        self,
        ctx: ActionContext,
        rewards: list[RewardInfo],
        chosen: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.points_info = self.add_info(_("现有积分："), f"{ctx.points:,}")
        self.reward = QComboBox(self)
        for reward in rewards:
            self.reward.addItem(
                _("{name}（{cost:,} 分）").format(name=reward.name, cost=reward.points_cost),
                reward,
            )
        # The item chosen in the catalogue; otherwise the first the member can afford.
        start = next((i for i, r in enumerate(rewards) if r.id == chosen), None)
        if start is None:
            start = next((i for i, r in enumerate(rewards) if r.points_cost <= ctx.points), 0)
        if rewards:
            self.reward.setCurrentIndex(start)
        self.add_field("reward", _("兑换项目："), self.reward)
        self.quantity = QSpinBox(self)
        self.quantity.setRange(1, 99)
        self.add_field("quantity", _("数量："), self.quantity)
        self.reward.currentIndexChanged.connect(lambda _i: self._show_preview())
        self.quantity.valueChanged.connect(lambda _v: self._show_preview())
        self._show_preview()

    def cost(self) -> int:
        reward = self.reward.currentData()
        return reward.points_cost * self.quantity.value() if reward else 0

    def can_submit(self) -> bool:
        return self.reward.currentData() is not None and self.cost() <= self.ctx.points

    def _show_preview(self) -> None:
        if self.reward.currentData() is None:
            self.preview.setText(_("没有可兑换的项目。"))
            self.update_ok()
            return
        after = self.ctx.points - self.cost()
        text = _("需要 {cost:,} 分，兑换后剩余 {after:,} 分").format(cost=self.cost(), after=after)
        if after < 0:
            text = _("需要 {cost:,} 分，现有 {points:,} 分，积分不足，不能兑换。").format(
                cost=self.cost(), points=self.ctx.points
            )
        self.preview.setText(text)
        self.preview.setStyleSheet(f"color: {ERROR_COLOUR};" if after < 0 else "color: #374151;")
        self.update_ok()

    def work(self) -> Callable[[], Movement] | None:
        reward = self.reward.currentData()
        if reward is None:
            self.errors.show("reward", _("请选择兑换项目。"))
            return None
        ctx, quantity = self.ctx, self.quantity.value()
        return lambda: cards.redeem(ctx.db, ctx.actor, ctx.member_id, reward.id, quantity=quantity)

    def describe(self, result: Any) -> str:
        return _("兑换成功：{item}，剩余积分 {points:,}。").format(
            item=self.reward.currentText(), points=result.points
        )

    def after_success(self, result: Any) -> None:
        self.points_info.setText(f"{result.points:,}")


class DowngradeDialog(ActionDialog):
    title = N_("会员降级")
    ok_text = N_("降级(&D)")

    def __init__(
        self, ctx: ActionContext, all_tiers: list[TierInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        current = ctx.tier
        self.add_info(_("当前等级："), current.name if current else "—")
        self.target = QComboBox(self)
        for tier in sorted(all_tiers, key=lambda t: -t.rank):
            if current is None or tier.rank < current.rank:
                self.target.addItem(tier.name, tier)
        self.add_field("tier", _("降为："), self.target)
        self.reason = self.reason_edit()
        self.preview.setText(_("降级由经理决定，会记入等级历史；之后满足规则仍会自动升级。"))

    def work(self) -> Callable[[], None] | None:
        target = self.target.currentData()
        if target is None:
            self.errors.show("tier", _("已是最低等级，不能再降。"))
            return None
        ctx, reason = self.ctx, self.reason.text()
        return lambda: tiers.downgrade(ctx.db, ctx.actor, ctx.member_id, target.id, reason)

    def confirmation(self) -> str:
        return _("确认把会员“{name}”从{old}降为{new}？").format(
            name=self.ctx.member_name,
            old=self.ctx.tier.name if self.ctx.tier else "",
            new=self.target.currentText(),
        )

    def describe(self, result: Any) -> str:
        return _("已降为{tier}。").format(tier=self.target.currentText())

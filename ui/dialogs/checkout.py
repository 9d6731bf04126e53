"""结账 and 反结账 of a booking.

``CheckoutDialog`` shows the bill (list price, 加钟, the member's discount and why, what
is due, the stored-value balance, the points the guest earns), lets the cashier pick the
payment method (stored value preselected when the card can pay; Alt+letter or the
arrow keys, both choosing at once), settles on Enter and then offers the receipt: Enter
again prints it.

``ReverseDialog`` is the manager's 反结账: the receipt's facts, a reason, a
confirmation, then compensating ledger entries.

Both run the service through the task runner and emit the booking id
(``settled`` / ``reversed``) so the board can refresh.  While the payment or the
reversal is in flight neither dialog closes (Esc, 取消 and the window's × wait, with a
word in the status line), so its result is never lost; every answer from the runner
first checks that the dialog still exists.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QShortcutEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError
from clubdesk.i18n import _
from clubdesk.models.enums import PaymentMethod
from clubdesk.money import format_fen
from clubdesk.paths import data_dir
from clubdesk.pdf.text import fmt_datetime
from clubdesk.services import checkout as co
from clubdesk.services.checkout import CheckoutQuote, CheckoutResult, ReceiptData, Reversal
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, FieldBox, confirm
from ui.dialogs.writing import WritingDialog
from ui.errors import show_error
from ui.pdf_output import open_pdf
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner

# Alt+letter for each payment method (the labels are Chinese, the accelerators Latin).
ACCELERATORS = {
    PaymentMethod.STORED_VALUE: "S",
    PaymentMethod.CASH: "C",
    PaymentMethod.BANK_CARD: "B",
    PaymentMethod.WECHAT: "W",
    PaymentMethod.ALIPAY: "A",
}


class _ClickAtOnce(QObject):
    """A button's Alt+letter clicks it now.  Qt "animates" a mnemonic's click: the
    button is drawn pressed and clicked 100 ms later, so a quick Enter after Alt+W
    would still settle with the method chosen before."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() != QEvent.Type.Shortcut
            or not isinstance(event, QShortcutEvent)
            or not isinstance(watched, QAbstractButton)
            or event.isAmbiguous()  # Qt moves the focus between the buttons that share it
            or event.key() != watched.shortcut()
        ):
            return super().eventFilter(watched, event)
        if watched.isEnabled():
            if watched.isCheckable() and watched.focusPolicy() & Qt.FocusPolicy.ClickFocus:
                watched.setFocus(Qt.FocusReason.ShortcutFocusReason)
            watched.click()
        return True


def click_at_once(*buttons: QAbstractButton) -> None:
    """Make each button's Alt+letter (its "&" mnemonic) click it at once, so a key
    pressed right after it already sees the choice."""
    for button in buttons:
        button.installEventFilter(_ClickAtOnce(button))


def receipts_folder() -> Path:
    """Where printed receipts are kept: beside the logs in the user data folder."""
    folder = data_dir() / "receipts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def print_receipt(
    parent: QWidget,
    db: Database,
    runner: Runner,
    checkout_id: int,
    on_ready: Callable[[Path], None] | None = None,
) -> None:
    """Render the receipt in a worker, then open it."""
    from clubdesk.pdf.registry import render_form

    out = receipts_folder() / _("小票-{number}.pdf").format(number=co.receipt_number(checkout_id))

    def ready(path: Path) -> None:
        open_pdf(path)
        if on_ready is not None:
            on_ready(path)

    def failed(exc: BaseException) -> None:
        show_error(parent if shiboken6.isValid(parent) else None, exc)

    runner.submit(lambda: render_form(db, "receipt", checkout_id, out), ready, failed)


def _value(parent: QWidget, text: str = "") -> QLabel:
    value = QLabel(text, parent)
    value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    value.setWordWrap(True)
    return value


class CheckoutDialog(WritingDialog):
    """结账: the bill, the payment method, Enter to settle, Enter again for the receipt."""

    settled = Signal(int)  # the booking id
    receipt_ready = Signal(object)  # the receipt's Path

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: StaffMember | None,
        booking_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.actor = actor
        self.booking_id = booking_id
        self.quote: CheckoutQuote | None = None
        self.outcome: CheckoutResult | None = None
        self.checkout_id: int | None = None
        self.setWindowTitle(_("结账"))
        self.setMinimumWidth(460)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.guest = _value(self)
        self.card = _value(self)
        self.service = _value(self)
        self.when = _value(self)
        self.resources = _value(self)
        self.list_line = _value(self)
        self.discount = _value(self)
        self.due = _value(self)
        self.due.setObjectName("checkoutDue")
        self.due.setStyleSheet("font-size: 20px; font-weight: bold; color: #1f3a5f;")
        self.points = _value(self)
        form.addRow(_("客人："), self.guest)
        form.addRow(_("会员卡："), self.card)
        form.addRow(_("服务项目："), self.service)
        form.addRow(_("服务时间："), self.when)
        form.addRow(_("房间/技师："), self.resources)
        form.addRow(_("标价："), self.list_line)
        form.addRow(_("折扣："), self.discount)
        form.addRow(_("应收："), self.due)
        form.addRow(_("积分："), self.points)
        layout.addLayout(form)

        box = QGroupBox(_("付款方式"), self)
        row = QHBoxLayout(box)
        self.methods = QButtonGroup(self)
        self.method_buttons: dict[PaymentMethod, QRadioButton] = {}
        for method in PaymentMethod:
            button = QRadioButton(f"{label(method)}(&{ACCELERATORS[method]})", box)
            button.setEnabled(False)
            click_at_once(button)  # Alt+W then Enter at once settles by WeChat
            self.methods.addButton(button)
            self.method_buttons[method] = button
            row.addWidget(button)
            button.toggled.connect(lambda _on: self._update_preview())
        row.addStretch(1)
        layout.addWidget(box)
        self.notes = QLabel(self)
        self.notes.setObjectName("checkoutNotes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #6b7280;")
        self.notes.hide()
        layout.addWidget(self.notes)
        self.preview = QLabel(self)
        self.preview.setObjectName("checkoutPreview")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        self.status = QLabel(self)
        self.status.setObjectName("checkoutStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(22)
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok = QPushButton(_("结账"), self)
        self.ok.setDefault(True)
        self.ok.setAutoDefault(True)
        self.ok.setEnabled(False)
        self.print_button = QPushButton(_("打印小票(&P)"), self)
        self.print_button.setAutoDefault(True)
        self.print_button.hide()
        self.close_button = QPushButton(_("取消"), self)
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.ok.clicked.connect(self.settle)
        self.print_button.clicked.connect(self.print_receipt)
        self.close_button.clicked.connect(self.reject)

        self.load()

    # -- the bill --------------------------------------------------------------------
    def load(self) -> None:
        self.say(_("正在读取账单…"))
        self.runner.submit(
            lambda: co.quote(self.db, self.booking_id), self._show, self._load_failed
        )

    def _load_failed(self, exc: BaseException) -> None:
        if not self.alive():
            return
        if isinstance(exc, ClubDeskError):
            self.say(exc.message, ERROR_COLOUR)
        else:
            self.say(_("账单读取失败。"), ERROR_COLOUR)
            show_error(self, exc)

    def _show(self, q: CheckoutQuote) -> None:
        if not self.alive():
            return
        self.quote = q
        self.setWindowTitle(_("结账 — {guest}").format(guest=q.guest))
        guest = q.guest
        if q.tier:
            guest = _("{name}（{tier}）").format(name=q.guest, tier=q.tier)
        if q.phone_masked:
            guest = f"{guest}  {q.phone_masked}"
        if q.member_id is None:
            guest = _("{name}（散客，按原价）").format(name=q.guest)
        self.guest.setText(guest)
        if q.card_number is None:
            self.card.setText(_("无") if q.member_id is not None else _("散客无会员卡"))
        elif q.balance_fen is not None:
            self.card.setText(
                _("{number}  {kind}  余额 {balance}").format(
                    number=q.card_number,
                    kind=label(q.card_kind) if q.card_kind else "",
                    balance=format_fen(q.balance_fen),
                )
            )
        else:
            kind = label(q.card_kind) if q.card_kind else ""
            self.card.setText(f"{q.card_number}  {kind}")
        service = q.service
        if q.guest_count > 1:
            service = _("{service} × {n} 位").format(service=q.service, n=q.guest_count)
        self.service.setText(service)
        self.when.setText(f"{fmt_datetime(q.start_at)} – {q.end_at:%H:%M}")
        self.resources.setText(_("、").join(q.resources) or _("未分配"))
        if q.added_fen:
            self.list_line.setText(
                _("{base} + 加钟 {minutes} 分钟 {added} = {total}").format(
                    base=format_fen(q.base_fen),
                    minutes=q.added_minutes,
                    added=format_fen(q.added_fen),
                    total=format_fen(q.list_fen),
                )
            )
        else:
            self.list_line.setText(format_fen(q.list_fen))
        self.discount.setText(
            _("{reason}  −{amount}").format(
                reason=q.discount.reason, amount=format_fen(q.discount_fen)
            )
        )
        self.due.setText(format_fen(q.due_fen))
        if q.member_id is None:
            self.points.setText(_("散客不积分"))
        else:
            self.points.setText(
                _("本次 +{earned}，现有 {have} 分").format(
                    earned=q.points_earned, have=q.points or 0
                )
            )
        for method, button in self.method_buttons.items():
            button.setEnabled(method in q.methods and q.can_settle)
        self.method_buttons[q.preferred].setChecked(True)
        self.notes.setText("\n".join(q.notes))
        self.notes.setVisible(bool(q.notes))
        may = allowed(self.actor, Permission.CHECKOUT)
        self.ok.setEnabled(q.can_settle and may and self.outcome is None)
        if q.problem is not None and q.checkout_id is not None and self.outcome is None:
            # Settled already (here or at another counter): the receipt can be reprinted.
            self.checkout_id = q.checkout_id
            self._offer_receipt()
            self.say(q.problem + _("按 Enter 打印小票。"), ERROR_COLOUR)
        elif q.problem is not None:
            self.say(q.problem, ERROR_COLOUR)
        elif may:
            self.say(_("选择付款方式后按 Enter 结账。"))
        else:
            self.say(_("您的账号没有结账权限，请联系前台或经理办理。"), ERROR_COLOUR)
        self._update_preview()
        self._focus_method()

    def _focus_method(self) -> None:
        checked = self.methods.checkedButton()
        if checked is not None and checked.isEnabled():
            checked.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.ok.isEnabled():
            self.ok.setFocus(Qt.FocusReason.OtherFocusReason)

    def chosen_method(self) -> PaymentMethod | None:
        for method, button in self.method_buttons.items():
            if button.isChecked() and button.isEnabled():
                return method
        return None

    def choose(self, method: PaymentMethod) -> None:
        self.method_buttons[method].setChecked(True)

    def _update_preview(self) -> None:
        q = self.quote
        method = self.chosen_method()
        if q is None or method is None or self.outcome is not None:
            return
        if method == PaymentMethod.STORED_VALUE and q.balance_fen is not None:
            self.preview.setText(
                _("从储值卡扣 {due}，付款后余额 {after}。").format(
                    due=format_fen(q.due_fen), after=format_fen(q.balance_fen - q.due_fen)
                )
            )
        else:
            self.preview.setText(
                _("以{method}收取 {due}。").format(method=label(method), due=format_fen(q.due_fen))
            )

    # -- settling --------------------------------------------------------------------
    def settle(self) -> None:
        q = self.quote
        method = self.chosen_method()
        if q is None or self.outcome is not None or not self.ok.isEnabled():
            return
        if method is None:
            self.say(_("请选择付款方式。"), ERROR_COLOUR)
            return
        self.ok.setEnabled(False)
        self._writing = True
        self.say(_("正在结账…"))
        version, due = q.version, q.due_fen
        self.runner.submit(
            lambda: co.checkout(
                self.db, self.actor, self.booking_id, method,
                expected_version=version, expected_due_fen=due,
            ),
            self._settled,
            self._refused,
        )  # fmt: skip

    def _settled(self, result: CheckoutResult) -> None:
        if not self.alive():
            return
        self._writing = False
        self.outcome = result
        self.checkout_id = result.checkout_id
        text = _("已结账：{method} {due}，小票号 {number}。").format(
            method=label(result.method),
            due=format_fen(result.due_fen),
            number=co.receipt_number(result.checkout_id),
        )
        if result.balance_fen is not None:
            text += _("储值余额 {balance}。").format(balance=format_fen(result.balance_fen))
        if result.points is not None:
            text += _("积分 +{earned}，共 {points} 分。").format(
                earned=result.points_earned, points=result.points
            )
        if result.new_tier:
            text += _("会员已升级为{tier}。").format(tier=result.new_tier)
        self.preview.clear()
        self.say(text + _("按 Enter 打印小票。"), OK_COLOUR)
        self._offer_receipt()
        self.settled.emit(self.booking_id)

    def _offer_receipt(self) -> None:
        """Settled: the methods are locked and Enter now prints the receipt."""
        for button in self.method_buttons.values():
            button.setEnabled(False)
        self.ok.setEnabled(False)
        self.ok.hide()
        self.print_button.show()
        self.print_button.setDefault(True)
        self.print_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self.close_button.setText(_("关闭"))

    def _refused(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._writing = False
        show_error(self, exc)
        self.say(_("没有结账。"), ERROR_COLOUR)
        self.load()  # the booking may have moved on (settled elsewhere, 加钟)

    def print_receipt(self) -> None:
        if self.checkout_id is None:
            return
        self.say(_("正在生成小票…"), OK_COLOUR)
        print_receipt(self, self.db, self.runner, self.checkout_id, self._printed)

    def _printed(self, path: Path) -> None:
        if not self.alive():
            return
        self.say(_("小票已保存：{path}").format(path=path), OK_COLOUR)
        self.receipt_ready.emit(path)

    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")


class ReverseDialog(WritingDialog):
    """反结账: a manager undoes a checkout with a reason, after a confirmation."""

    reversed = Signal(int)  # the booking id

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: StaffMember | None,
        checkout_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.actor = actor
        self.checkout_id = checkout_id
        self.data: ReceiptData | None = None
        self.outcome: Reversal | None = None
        self.setWindowTitle(
            _("反结账 — 小票 {number}").format(number=co.receipt_number(checkout_id))
        )
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.guest = _value(self)
        self.service = _value(self)
        self.paid = _value(self)
        self.settled_at = _value(self)
        form.addRow(_("客人："), self.guest)
        form.addRow(_("服务项目："), self.service)
        form.addRow(_("实收："), self.paid)
        form.addRow(_("结账："), self.settled_at)
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(co.REASON_MAX)
        self.reason.setPlaceholderText(_("必填，会记入流水和操作日志"))
        self.reason_box = FieldBox(self.reason, self)
        reason_label = QLabel(_("原因(&R)："), self)
        reason_label.setBuddy(self.reason)
        form.addRow(reason_label, self.reason_box)
        layout.addLayout(form)
        self.status = QLabel(self)
        self.status.setObjectName("reverseStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(22)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.ok = QPushButton(_("反结账"), self)
        self.ok.setDefault(True)
        self.ok.setAutoDefault(True)
        self.ok.setEnabled(False)
        self.close_button = QPushButton(_("取消"), self)
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.ok.clicked.connect(self.submit)
        self.close_button.clicked.connect(self.reject)
        QWidget.setTabOrder(self.reason, self.ok)
        QWidget.setTabOrder(self.ok, self.close_button)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
        self.runner.submit(lambda: co.receipt(self.db, checkout_id), self._show, self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        if self.alive():
            show_error(self, exc)

    def _show(self, data: ReceiptData) -> None:
        if not self.alive():
            return
        self.data = data
        self.guest.setText(
            data.guest if data.card_number is None else f"{data.guest}  {data.card_number}"
        )
        self.service.setText(data.service)
        paid = _("{due}（{method}）").format(
            due=format_fen(data.due_fen), method=label(data.method)
        )
        if data.member_id is not None and data.points_earned:
            paid += _("，积分 +{points}").format(points=data.points_earned)
        self.paid.setText(paid)
        self.settled_at.setText(
            _("{when}，收银员 {cashier}").format(
                when=fmt_datetime(data.settled_at), cashier=data.cashier or _("未知")
            )
        )
        may = allowed(self.actor, Permission.CHECKOUT_REVERSE)
        if data.reversed:
            self.say(
                _("该小票已于 {when} 反结账。").format(when=fmt_datetime(data.reversed_at)),
                ERROR_COLOUR,
            )
        elif not may:
            self.say(_("只有经理可以反结账。"), ERROR_COLOUR)
        else:
            self.say(_("反结账会退回款项、扣回积分，预约回到“已完成”。"))
        self.ok.setEnabled(may and not data.reversed)

    def submit(self) -> None:
        data = self.data
        if data is None or self.outcome is not None or not self.ok.isEnabled():
            return
        reason = self.reason.text().strip()
        self.reason_box.clear_error()
        if not reason:
            self.reason_box.show_error(_("反结账必须填写原因。"))
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        back = _("退回 {due}（{method}）").format(
            due=format_fen(data.due_fen), method=label(data.method)
        )
        if data.member_id is not None and data.points_earned:
            back += _("，扣回积分 {points} 分").format(points=data.points_earned)
        question = _("确定反结账小票 {number}（{guest}）吗？\n将{back}，预约回到“已完成”。").format(
            number=data.number, guest=data.guest, back=back
        )
        if not confirm(self, _("反结账"), question):
            self.say(_("已取消，没有反结账。"))
            return
        self.ok.setEnabled(False)
        self._writing = True
        self.say(_("正在反结账…"))
        self.runner.submit(
            lambda: co.reverse(self.db, self.actor, self.checkout_id, reason),
            self._done,
            self._refused,
        )

    def _done(self, result: Reversal) -> None:
        if not self.alive():
            return
        self._writing = False
        self.outcome = result
        self.reversed.emit(result.booking_id)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._writing = False
        self.ok.setEnabled(True)
        if isinstance(exc, ClubDeskError) and exc.field == "reason":
            self.reason_box.show_error(exc.message)
            self.reason.setFocus(Qt.FocusReason.OtherFocusReason)
            self.say("")
            return
        show_error(self, exc)
        self.say(_("没有反结账。"), ERROR_COLOUR)

    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

"""The checkout and reversal dialogs, driven from the keyboard with a synchronous runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.models import Checkout, LedgerEntry
from clubdesk.models.enums import BookingState, PaymentMethod, Role
from clubdesk.money import format_fen
from clubdesk.services import checkout as co
from tests.core.roster_helpers import staff
from tests.core.test_checkout import (
    add_booking,
    add_resource,
    add_service,
    balance,
    booking_row,
    funded_member,
    points,
)
from ui.dialogs import checkout as dialogs
from ui.dialogs.checkout import CheckoutDialog, ReverseDialog
from ui.tasks import SyncRunner


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes' texts instead of modal windows; questions answered Yes."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    return shown


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """PDFs the dialog would open in the viewer."""
    paths: list[Path] = []
    monkeypatch.setattr(dialogs, "open_pdf", paths.append)
    return paths


def checkouts(db: Database) -> list[tuple[int, PaymentMethod, bool]]:
    with db.read() as s:
        return [
            (c.booking_id, c.method, c.reversed_at is None)
            for c in s.scalars(select(Checkout).order_by(Checkout.id))
        ]


def ledger_count(db: Database) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(LedgerEntry)).scalar_one()


def open_checkout(qtbot: QtBot, db: Database, actor: object, booking_id: int) -> CheckoutDialog:
    dialog = CheckoutDialog(db, SyncRunner(), actor, booking_id)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def type_chinese(widget: QWidget, text: str) -> None:
    """Chinese arrives from an input method (QTest cannot press keys not on a keyboard)."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def press_enter(qtbot: QtBot, dialog: QWidget) -> None:
    target = dialog.focusWidget() or dialog
    qtbot.keyClick(target, Qt.Key.Key_Return)


def test_enter_settles_from_the_preselected_stored_value_card(
    qtbot: QtBot, db: Database, boxes: list[str], opened: list[Path]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    room = add_resource(db, "牡丹厅")
    bid = add_booking(db, add_service(db), member_id=mid, added_minutes=30, resource_ids=(room,))
    quote = co.quote(db, bid)
    start = balance(db, mid)
    dialog = open_checkout(qtbot, db, desk, bid)

    assert dialog.method_buttons[PaymentMethod.STORED_VALUE].isChecked()
    assert dialog.due.text() == format_fen(quote.due_fen)
    assert quote.discount.reason in dialog.discount.text()
    assert "牡丹厅" in dialog.resources.text()
    assert format_fen(start - quote.due_fen) in dialog.preview.text()
    with qtbot.waitSignal(dialog.settled, timeout=1000) as signal:
        press_enter(qtbot, dialog)

    assert signal.args == [bid]
    assert checkouts(db) == [(bid, PaymentMethod.STORED_VALUE, True)]
    assert balance(db, mid) == start - quote.due_fen
    assert points(db, mid) == quote.points_earned
    assert booking_row(db, bid).state is BookingState.SETTLED
    assert co.receipt_number(dialog.checkout_id or 0) in dialog.status.text()
    assert boxes == []

    # Enter again: the receipt, saved in the user data folder and opened.
    with qtbot.waitSignal(dialog.receipt_ready, timeout=2000):
        press_enter(qtbot, dialog)
    assert len(opened) == 1 and opened[0].read_bytes().startswith(b"%PDF")
    assert opened[0].parent == dialogs.receipts_folder()
    assert checkouts(db) == [(bid, PaymentMethod.STORED_VALUE, True)]  # not settled twice


def test_cash_chosen_from_the_keyboard_is_recorded(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    start = balance(db, mid)
    dialog = open_checkout(qtbot, db, desk, bid)

    assert dialog.focusWidget() is dialog.method_buttons[PaymentMethod.STORED_VALUE]
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Right)  # the arrows walk the methods
    assert dialog.method_buttons[PaymentMethod.CASH].isChecked()
    # Alt+letter chooses at once (no "animated" click landing a moment later).
    qtbot.keyClick(dialog, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    assert dialog.method_buttons[PaymentMethod.WECHAT].isChecked()
    qtbot.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert dialog.method_buttons[PaymentMethod.CASH].isChecked()
    assert dialog.focusWidget() is dialog.method_buttons[PaymentMethod.CASH]
    assert "现金" in dialog.preview.text()
    press_enter(qtbot, dialog)

    assert checkouts(db) == [(bid, PaymentMethod.CASH, True)]
    assert balance(db, mid) == start  # paid outside the card
    assert boxes == []


def test_enter_right_after_alt_letter_settles_by_that_method(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    """A fast cashier: Alt+W and Enter within a tenth of a second take WeChat Pay, not the
    method that was selected before (the stored-value card here)."""
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    start = balance(db, mid)
    dialog = open_checkout(qtbot, db, desk, bid)
    assert dialog.method_buttons[PaymentMethod.STORED_VALUE].isChecked()

    qtbot.keyClick(dialog, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)
    press_enter(qtbot, dialog)  # no wait

    assert checkouts(db) == [(bid, PaymentMethod.WECHAT, True)]
    assert balance(db, mid) == start
    assert "微信" in dialog.status.text()
    qtbot.wait(250)  # nothing lands late and changes the settled dialog
    assert checkouts(db) == [(bid, PaymentMethod.WECHAT, True)]
    assert boxes == []


def test_refusal_shows_the_message_and_saves_nothing(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    other = staff(db, Role.FRONT_DESK, "desk2")
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    dialog = open_checkout(qtbot, db, desk, bid)
    # Meanwhile the guest paid at the other counter.
    co.checkout(db, other, bid, PaymentMethod.WECHAT)
    after_other = (checkouts(db), ledger_count(db), balance(db, mid))

    press_enter(qtbot, dialog)

    assert len(boxes) == 1 and "其他收银台" in boxes[0]
    assert (checkouts(db), ledger_count(db), balance(db, mid)) == after_other
    assert dialog.outcome is None
    # The bill was read again: settled, and the receipt can be reprinted.
    assert "已结账" in dialog.status.text() and dialog.print_button.isVisible()


def test_a_booking_in_service_cannot_be_settled(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid, state=BookingState.IN_SERVICE)
    dialog = open_checkout(qtbot, db, desk, bid)

    assert not dialog.ok.isEnabled()
    assert "服务中" in dialog.status.text()
    press_enter(qtbot, dialog)
    dialog.settle()

    assert checkouts(db) == [] and boxes == []
    assert booking_row(db, bid).state is BookingState.IN_SERVICE


def test_walk_in_is_offered_only_payment_outside_a_card(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    bid = add_booking(db, add_service(db), guest_name="王先生")
    dialog = open_checkout(qtbot, db, desk, bid)

    assert not dialog.method_buttons[PaymentMethod.STORED_VALUE].isEnabled()
    assert dialog.method_buttons[PaymentMethod.CASH].isChecked()
    assert "散客" in dialog.guest.text()
    press_enter(qtbot, dialog)
    assert checkouts(db) == [(bid, PaymentMethod.CASH, True)]


def test_staff_without_the_checkout_right_cannot_settle(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    therapist = staff(db, Role.THERAPIST)
    bid = add_booking(db, add_service(db), member_id=funded_member(db, desk))
    dialog = open_checkout(qtbot, db, therapist, bid)

    assert not dialog.ok.isEnabled() and "权限" in dialog.status.text()
    press_enter(qtbot, dialog)
    assert checkouts(db) == [] and boxes == []


# -- 反结账 ------------------------------------------------------------------------------


def open_reverse(qtbot: QtBot, db: Database, actor: object, checkout_id: int) -> ReverseDialog:
    dialog = ReverseDialog(db, SyncRunner(), actor, checkout_id)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def test_manager_reverses_with_a_reason_after_confirming(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    start = balance(db, mid)
    done = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE)
    dialog = open_reverse(qtbot, db, manager, done.checkout_id)
    assert dialog.ok.isEnabled() and format_fen(done.due_fen) in dialog.paid.text()

    press_enter(qtbot, dialog)  # no reason yet
    assert "原因" in dialog.reason_box.error_text()
    assert booking_row(db, bid).state is BookingState.SETTLED

    type_chinese(dialog.reason, "收错了项目")
    with qtbot.waitSignal(dialog.reversed, timeout=1000) as signal:
        press_enter(qtbot, dialog)

    assert signal.args == [bid]
    assert booking_row(db, bid).state is BookingState.FINISHED
    assert balance(db, mid) == start and points(db, mid) == 0
    assert checkouts(db) == [(bid, PaymentMethod.STORED_VALUE, False)]
    assert boxes == []


def test_reversal_not_confirmed_changes_nothing(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    bid = add_booking(db, add_service(db), guest_name="王先生")
    done = co.checkout(db, desk, bid, PaymentMethod.CASH)
    asked: list[object] = []

    def no(*args: object, **_kw: object) -> QMessageBox.StandardButton:
        asked.append(args)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    dialog = open_reverse(qtbot, db, manager, done.checkout_id)
    type_chinese(dialog.reason, "试一下")
    press_enter(qtbot, dialog)

    assert len(asked) == 1
    assert checkouts(db) == [(bid, PaymentMethod.CASH, True)]
    assert "已取消" in dialog.status.text()


def test_front_desk_cannot_reverse_from_the_dialog(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    bid = add_booking(db, add_service(db), guest_name="王先生")
    done = co.checkout(db, desk, bid, PaymentMethod.CASH)
    dialog = open_reverse(qtbot, db, desk, done.checkout_id)

    assert not dialog.ok.isEnabled() and "经理" in dialog.status.text()
    type_chinese(dialog.reason, "收错了")
    press_enter(qtbot, dialog)
    dialog.submit()

    assert checkouts(db) == [(bid, PaymentMethod.CASH, True)] and boxes == []


# -- closing while the money is in flight --------------------------------------------------


def held_dialog(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)


def test_esc_during_a_checkout_keeps_the_dialog_and_the_result_arrives(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    from tests.ui.test_board import HeldRunner

    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    runner = HeldRunner()
    dialog = CheckoutDialog(db, runner, desk, bid)
    held_dialog(qtbot, dialog)
    settled: list[int] = []
    dialog.settled.connect(settled.append)

    runner.hold = True
    press_enter(qtbot, dialog)
    assert len(runner.queue) == 1 and checkouts(db) == []
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.status.text() == "正在保存，请稍候…"
    dialog.close_button.click()
    assert not dialog.close() and dialog.isVisible()

    runner.release()
    assert settled == [bid]
    assert checkouts(db) == [(bid, PaymentMethod.STORED_VALUE, True)]
    assert dialog.isVisible() and "已结账" in dialog.status.text()
    assert dialog.print_button.isVisible()
    # Settled: now Esc closes.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and boxes == []


def test_esc_during_a_reversal_waits_for_it(qtbot: QtBot, db: Database, boxes: list[str]) -> None:
    from tests.ui.test_board import HeldRunner

    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    bid = add_booking(db, add_service(db), guest_name="王先生")
    done = co.checkout(db, desk, bid, PaymentMethod.CASH)
    runner = HeldRunner()
    dialog = ReverseDialog(db, runner, manager, done.checkout_id)
    held_dialog(qtbot, dialog)
    reversed_: list[int] = []
    dialog.reversed.connect(reversed_.append)

    runner.hold = True
    type_chinese(dialog.reason, "收错了")
    press_enter(qtbot, dialog)
    assert len(runner.queue) == 1
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.status.text() == "正在保存，请稍候…"
    assert not dialog.close() and dialog.isVisible()

    runner.release()
    assert reversed_ == [bid] and not dialog.isVisible()
    assert checkouts(db) == [(bid, PaymentMethod.CASH, False)]
    assert booking_row(db, bid).state is BookingState.FINISHED


def test_an_answer_for_a_deleted_dialog_is_dropped_quietly(
    qtbot: QtBot, db: Database, boxes: list[str]
) -> None:
    import shiboken6

    from tests.ui.test_board import HeldRunner

    desk = staff(db, Role.FRONT_DESK)
    bid = add_booking(db, add_service(db), guest_name="王先生")
    runner = HeldRunner()
    owner = QWidget()
    dialog = CheckoutDialog(db, runner, desk, bid, owner)
    held_dialog(qtbot, dialog)
    runner.hold = True
    press_enter(qtbot, dialog)
    assert len(runner.queue) == 1
    shiboken6.delete(owner)  # the window that owned it went away (the dialog with it)
    assert not shiboken6.isValid(dialog)

    runner.release()  # no "C++ object already deleted" from the callback
    assert checkouts(db) == [(bid, PaymentMethod.CASH, True)]
    assert boxes == []

"""The member editor, the member detail window and the card action dialogs, driven by
the keyboard on the seeded database with a synchronous runner."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QMessageBox, QTableView, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.models import LedgerEntry, Member, MembershipCard, Staff, Tier
from clubdesk.models.enums import CardKind, CardStatus, LedgerKind, PaymentMethod, Role
from clubdesk.money import format_fen
from clubdesk.services import cards, members, settlement, staff
from clubdesk.services.staff import StaffMember
from ui.dialogs import member_detail
from ui.dialogs.card_actions import (
    ActionDialog,
    AdjustDialog,
    RedeemDialog,
    RefundDialog,
    ReissueDialog,
    SettleDialog,
    TopUpDialog,
)
from ui.dialogs.member_detail import MemberDetailDialog, new_member, open_member
from ui.dialogs.member_editor import PENDING, MemberEditor, parse_birthday
from ui.tasks import SyncRunner
from ui.widgets.money_edit import MoneyEdit, parse_yuan


@pytest.fixture(autouse=True)
def _app_configured() -> None:
    from ui.app import configure

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    configure(app)


@pytest.fixture
def owner(qtbot: QtBot) -> Iterator[QWidget]:
    """Stands in for the main window: parent of the dialogs, closed after the test."""
    widget = QWidget()
    qtbot.addWidget(widget)
    yield widget
    for dialog in widget.findChildren(QWidget):
        if dialog.isWindow():
            dialog.hide()


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes never block: their text is collected; questions answer Yes."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    return shown


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like the counter does: ASCII as key presses, Chinese and full-width text as
    an input method commits it (QTest cannot press keys that are not on the keyboard)."""
    widget.setFocus()
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def unused_phone(db: Database, start: int = 13900139000) -> str:
    with db.read() as session:
        taken = set(session.scalars(select(Member.phone)))
    number = start
    while str(number) in taken:
        number += 1
    return str(number)


def stored_value_member(db: Database) -> tuple[int, str]:
    """A member whose working card is an active stored-value card with some history."""
    with db.read() as session:
        row = session.execute(
            select(MembershipCard.member_id, MembershipCard.number)
            .join(LedgerEntry, LedgerEntry.card_id == MembershipCard.id)
            .where(
                MembershipCard.kind == CardKind.STORED_VALUE,
                MembershipCard.status == CardStatus.ACTIVE,
            )
            .group_by(MembershipCard.member_id, MembershipCard.number)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    assert row is not None, "the seeded database has stored-value members"
    return int(row[0]), str(row[1])


def front_desk(db: Database) -> StaffMember:
    with db.read() as session:
        person = session.scalars(select(Staff).where(Staff.active.is_(True))).first()
        assert person is not None
        return StaffMember(person.id, "u", "前台小王", Role.FRONT_DESK)


def balance_of(db: Database, number: str) -> int:
    with db.read() as session:
        card = session.scalars(select(MembershipCard).where(MembershipCard.number == number)).one()
        value = session.execute(
            select(LedgerEntry.balance_after_fen)
            .where(LedgerEntry.card_id == card.id)
            .order_by(LedgerEntry.id.desc())
            .limit(1)
        ).scalar()
        return int(value or 0)


def detail_for(owner: QWidget, member_id: int) -> MemberDetailDialog | None:
    for dialog in owner.findChildren(MemberDetailDialog):
        if dialog.member_id == member_id and dialog.isVisible():
            return dialog
    return None


# -- the money field ----------------------------------------------------------------
def test_money_edit_reads_yuan_as_fen_and_refuses_what_is_not_money(qtbot: QtBot) -> None:
    edit = MoneyEdit()
    qtbot.addWidget(edit)
    refused: list[str] = []
    edit.refused.connect(refused.append)

    type_text(qtbot, edit, "１２３．５")  # a Chinese input method in full-width mode
    assert edit.text() == "123.5"
    assert edit.fen() == 12350

    qtbot.keyClicks(edit, "67")  # a third decimal is refused on the keystroke
    assert edit.text() == "123.56"
    assert refused and "两位小数" in refused[-1]

    edit.clear()
    qtbot.keyClicks(edit, "-")
    assert edit.text() == ""
    assert "负数" in refused[-1]
    qtbot.keyClicks(edit, "5")
    assert edit.fen() == 500

    edit.setText("abc")  # setText bypasses the validator: fen() still refuses
    assert edit.fen() is None
    assert edit.problem()

    assert parse_yuan("¥1,234.50") == 123450
    assert parse_yuan("８８元") == 8800
    assert parse_yuan(".5") == 50
    for bad in ("", "-1", "1.234", "1e3", "１,２３４.５６７"):
        with pytest.raises(ValueError):
            parse_yuan(bad)


def test_birthday_accepts_the_formats_people_type() -> None:
    from datetime import date

    day = date(1990, 3, 15)
    for typed in (
        "1990-03-15",
        "1990/3/15",
        "1990.3.15",
        "19900315",
        "1990年3月15日",
        "１９９０-３-１５",
    ):
        assert parse_birthday(typed) == day
    assert parse_birthday("  ") is None
    for bad in ("1990-02-30", "15/3/90", "明天"):
        with pytest.raises(members.DomainError) as caught:
            parse_birthday(bad)
        assert caught.value.field == "birthday"


# -- registering ---------------------------------------------------------------------
def test_register_a_member_by_typing(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    actor = staff.counter_user(seeded_db)
    saved: list[int] = []
    new_member(owner, seeded_db, actor, SyncRunner(), on_saved=saved.append)
    editor = owner.findChild(MemberEditor)
    assert editor is not None and editor.isVisible()

    type_text(qtbot, editor.name_edit, "林小雨")
    type_text(qtbot, editor.phone_edit, "12345")
    type_text(qtbot, editor.birthday_edit, "1990/3/15")
    qtbot.keyClick(editor.birthday_edit, Qt.Key.Key_Return)  # Enter saves

    phone_box = editor.errors.boxes["phone"]
    assert not phone_box.error.isHidden()
    assert "不是有效的大陆手机号" in phone_box.error_text()
    assert editor.focusWidget() is editor.phone_edit
    assert saved == [] and editor.isVisible()

    phone = unused_phone(seeded_db)
    editor.phone_edit.clear()
    full_width = phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    type_text(qtbot, editor.phone_edit, full_width)
    type_text(qtbot, editor.needs_edit, "水温40度、按摩力度轻")
    editor.card_combo.setCurrentIndex(editor.card_combo.findData(CardKind.STORED_VALUE))
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Return)

    assert len(saved) == 1
    assert not editor.isVisible()
    with seeded_db.read() as session:
        member = session.get(Member, saved[0])
        assert member is not None
        assert (member.name, member.phone) == ("林小雨", phone)
        assert member.birthday is not None and member.birthday.isoformat() == "1990-03-15"
        assert member.special_needs == "水温40度、按摩力度轻"
        card = session.scalars(
            select(MembershipCard).where(MembershipCard.member_id == member.id)
        ).one()
        assert card.kind == CardKind.STORED_VALUE
        card_number = card.number
    detail = detail_for(owner, saved[0])
    assert detail is not None
    assert detail.name_label.text() == "林小雨"
    assert card_number in detail.card_fact.text()
    assert boxes == []  # field errors stay in the form, no message box


def test_birthday_error_is_shown_under_the_field(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    editor = MemberEditor(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner())
    editor.show()
    type_text(qtbot, editor.name_edit, "周一")
    type_text(qtbot, editor.phone_edit, unused_phone(seeded_db))
    type_text(qtbot, editor.birthday_edit, "1990-02-30")
    editor.save()
    assert "不是有效日期" in editor.errors.boxes["birthday"].error_text()
    assert editor.errors.boxes["phone"].error_text() == ""
    assert editor.isVisible()


def test_a_duplicate_phone_offers_the_existing_member(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    with seeded_db.read() as session:
        other = session.scalars(select(Member).order_by(Member.id).limit(1)).one()
        other_id, other_name, other_phone = other.id, other.name, other.phone
    saved: list[int] = []
    new_member(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), on_saved=saved.append)
    editor = owner.findChild(MemberEditor)
    assert editor is not None
    type_text(qtbot, editor.name_edit, "重号测试")
    type_text(qtbot, editor.phone_edit, other_phone)
    editor.save()

    assert saved == []
    assert other_name in editor.errors.boxes["phone"].error_text()
    assert not editor.open_duplicate.isHidden()
    qtbot.mouseClick(editor.open_duplicate, Qt.MouseButton.LeftButton)
    detail = detail_for(owner, other_id)
    assert detail is not None and detail.name_label.text() == other_name


# -- the detail window ---------------------------------------------------------------
def test_open_member_reuses_the_open_window(
    qtbot: QtBot, seeded_db: Database, owner: QWidget
) -> None:
    member_id, number = stored_value_member(seeded_db)
    actor, runner = staff.counter_user(seeded_db), SyncRunner()
    first = open_member(owner, seeded_db, actor, runner, member_id)
    assert first.isVisible() and not first.isModal()
    assert open_member(owner, seeded_db, actor, runner, member_id) is first
    assert number in first.card_fact.text()
    assert first.ledger_model.rowCount() > 0
    newest = first.ledger_model.row_at(0)
    oldest = first.ledger_model.row_at(first.ledger_model.rowCount() - 1)
    assert newest is not None and oldest is not None and newest.id > oldest.id
    first.close()
    assert member_detail._open_details.get(member_id) is None
    again = open_member(owner, seeded_db, actor, runner, member_id)
    assert again is not first


def test_edit_and_save_updates_the_detail(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    member_id, _number = stored_value_member(seeded_db)
    actor = staff.counter_user(seeded_db)
    detail = open_member(owner, seeded_db, actor, SyncRunner(), member_id)
    changed: list[int] = []
    detail.changed.connect(changed.append)
    _data, version = members.load_input(seeded_db, member_id)

    editor = detail.edit()
    assert editor is not None and editor.member_id == member_id
    editor.wechat_edit.clear()
    type_text(qtbot, editor.wechat_edit, "wx_counter_01")
    editor.notes_edit.clear()
    type_text(qtbot, editor.notes_edit, "喜欢靠窗的包间")
    with qtbot.waitActive(editor):
        editor.activateWindow()
    qtbot.keyClick(editor.notes_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert not editor.isVisible()
    assert changed == [member_id]
    data, new_version = members.load_input(seeded_db, member_id)
    assert (data.wechat, data.notes) == ("wx_counter_01", "喜欢靠窗的包间")
    assert new_version == version + 1
    assert detail.fields["wechat"].text() == "wx_counter_01"
    assert detail.fields["notes"].text() == "喜欢靠窗的包间"


def test_an_edit_saved_elsewhere_first_is_a_conflict_with_reload(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    member_id, _number = stored_value_member(seeded_db)
    actor = staff.counter_user(seeded_db)
    editor = MemberEditor(owner, seeded_db, actor, SyncRunner(), member_id)
    editor.show()
    # Another counter saves the same member in the meantime.
    data, version = members.load_input(seeded_db, member_id)
    members.update(seeded_db, actor, member_id, replace(data, email="other@club.cn"),
                   expected_version=version)  # fmt: skip

    asked: list[str] = []

    def answer_reload(box: QMessageBox) -> int:
        asked.append(box.text())
        box.defaultButton().click()  # 重新载入
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer_reload)
    editor.wechat_edit.setText("mine")
    editor.save()
    assert asked and "另一台收银台" in asked[0]
    assert editor.isVisible()
    assert editor.email_edit.text() == "other@club.cn"  # reloaded
    assert editor.wechat_edit.text() == (data.wechat or "")
    assert not editor.dirty()


def test_escape_asks_before_discarding_changes(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = MemberEditor(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner())
    editor.show()
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Escape)  # nothing typed: closes at once
    assert not editor.isVisible()

    editor = MemberEditor(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner())
    editor.show()
    type_text(qtbot, editor.name_edit, "未保存")
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[str] = []

    def question(_parent: QWidget, _title: str, text: str, *_a: object) -> object:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Escape)
    assert editor.isVisible() and len(asked) == 1
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Escape)
    assert not editor.isVisible() and len(asked) == 2


# -- card business -------------------------------------------------------------------
def test_top_up_with_bonus_changes_the_balance_shown(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    member_id, number = stored_value_member(seeded_db)
    before = balance_of(seeded_db, number)
    detail = open_member(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), member_id)
    assert detail.balance_fact.text() == format_fen(before)
    assert detail.card_buttons["top_up"].isEnabled()

    dialog = detail.open_top_up()
    assert isinstance(dialog, TopUpDialog)
    bonus = cards.top_up_bonus(seeded_db, 100_000)
    assert bonus > 0, "the default rules give a bonus on 1,000 yuan"
    type_text(qtbot, dialog.amount, "1000")
    assert format_fen(bonus) in dialog.preview.text()
    assert format_fen(before + 100_000 + bonus) in dialog.preview.text()
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)

    assert dialog.completed
    assert "充值成功" in dialog.status.text()
    assert format_fen(before + 100_000 + bonus) in dialog.status.text()
    assert balance_of(seeded_db, number) == before + 100_000 + bonus
    assert dialog.balance.text() == format_fen(before + 100_000 + bonus)  # 当前余额 too
    assert detail.balance_fact.text() == format_fen(before + 100_000 + bonus)
    kinds = [detail.ledger_model.row_at(i).kind for i in range(2)]  # type: ignore[union-attr]
    assert kinds == [LedgerKind.BONUS, LedgerKind.TOP_UP]
    # A second Enter cannot repeat the payment: the dialog is done.
    qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
    assert balance_of(seeded_db, number) == before + 100_000 + bonus
    assert boxes == []


def test_settle_a_counter_sale_from_the_card(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    member_id, number = stored_value_member(seeded_db)
    actor = staff.counter_user(seeded_db)
    cards.top_up(seeded_db, actor, number, 50_000, cards.PaymentMethod.CASH, with_bonus=False)
    before = balance_of(seeded_db, number)
    detail = open_member(owner, seeded_db, actor, SyncRunner(), member_id)
    dialog = detail.open_settle()
    assert isinstance(dialog, SettleDialog)
    assert dialog.method.currentData() == cards.PaymentMethod.STORED_VALUE
    type_text(qtbot, dialog.amount, "200")
    assert dialog.discount is not None
    due = dialog.discount.apply(20_000)
    assert format_fen(due) in dialog.preview.text()
    dialog.submit()
    assert dialog.completed, dialog.status.text()
    assert balance_of(seeded_db, number) == before - due
    assert detail.balance_fact.text() == format_fen(before - due)

    # More than the balance: the service's refusal goes under the amount.
    again = detail.open_settle()
    assert isinstance(again, SettleDialog)
    type_text(qtbot, again.amount, "99999")
    again.submit()
    assert not again.completed
    assert "余额不足" in again.errors.boxes["amount"].error_text()
    assert boxes == []


def test_front_desk_cannot_refund(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    member_id, number = stored_value_member(seeded_db)
    actor = front_desk(seeded_db)
    before = balance_of(seeded_db, number)
    detail = open_member(owner, seeded_db, actor, SyncRunner(), member_id)
    assert not detail.card_buttons["refund"].isEnabled()
    assert not detail.card_buttons["adjust"].isEnabled()
    assert not detail.downgrade_button.isEnabled()
    assert detail.card_buttons["top_up"].isEnabled()  # the counter's own business
    assert "****" in detail.phone_fact.text()  # front desk sees masked phones

    dialog = detail.open_refund()  # called anyway
    assert isinstance(dialog, RefundDialog)
    type_text(qtbot, dialog.amount, "10")
    type_text(qtbot, dialog.reason, "会员要求")
    dialog.submit()
    assert not dialog.completed
    assert len(boxes) == 1 and "办理退款" in boxes[0] and "权限" in boxes[0]
    assert "权限" in dialog.status.text()
    assert balance_of(seeded_db, number) == before


def test_front_desk_editor_keeps_the_phone_masked(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    member_id, _number = stored_value_member(seeded_db)
    data, _version = members.load_input(seeded_db, member_id)
    editor = MemberEditor(owner, seeded_db, front_desk(seeded_db), SyncRunner(), member_id)
    editor.show()
    assert data.phone not in editor.phone_edit.text() and "****" in editor.phone_edit.text()
    assert editor.phone_edit.isReadOnly()
    type_text(qtbot, editor.email_edit, "")
    editor.email_edit.setText("desk@club.cn")
    editor.save()
    saved, _v = members.load_input(seeded_db, member_id)
    assert (saved.phone, saved.email) == (data.phone, "desk@club.cn")


def test_the_detail_loads_through_the_thread_pool(
    qtbot: QtBot, seeded_db: Database, owner: QWidget
) -> None:
    from ui.tasks import TaskRunner

    member_id, number = stored_value_member(seeded_db)
    runner = TaskRunner(owner)
    detail = MemberDetailDialog(owner, seeded_db, staff.counter_user(seeded_db), runner, member_id)
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        pass
    assert number in detail.card_fact.text()
    assert detail.balance_fact.text() == format_fen(balance_of(seeded_db, number))
    detail.close()
    runner.wait()


# -- what a new user ran into ---------------------------------------------------------
@pytest.fixture
def english() -> Iterator[None]:
    from clubdesk import i18n

    assert i18n.set_language("en") == "en"
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def tab_chain(start: QWidget, among: list[QWidget]) -> list[QWidget]:
    """The order Tab visits ``among``, from ``start`` round once."""
    seen: list[QWidget] = [start]
    widget: QWidget | None = start.nextInFocusChain()
    while widget is not None and widget is not start and len(seen) < len(among):
        if widget in among and widget not in seen:
            seen.append(widget)
        widget = widget.nextInFocusChain()
    return seen


ACTIONS = (
    "open_issue",
    "open_top_up",
    "open_settle",
    "open_refund",
    "open_reissue",
    "open_annual_fee",
    "open_freeze",
    "open_adjust",
    "open_redeem",
    "open_downgrade",
)


@pytest.mark.parametrize("opener", ACTIONS)
def test_a_card_action_opens_with_the_focus_in_its_first_input(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str], opener: str
) -> None:
    member_id, _number = stored_value_member(seeded_db)
    detail = open_member(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), member_id)
    dialog = getattr(detail, opener)()
    assert isinstance(dialog, ActionDialog) and dialog.isVisible()
    start = dialog.focusWidget()
    assert start is not None and start not in (dialog.ok, dialog.close_button)
    inputs = dialog.inputs()
    assert start in inputs
    # Tab goes through the inputs top to bottom, then 办理, then 关闭, then round.
    order = [*inputs, dialog.ok, dialog.close_button]
    at = order.index(start)
    assert tab_chain(start, order) == order[at:] + order[:at]
    amount = {
        TopUpDialog: "amount",
        SettleDialog: "amount",
        RefundDialog: "amount",
        ReissueDialog: "fee",
        AdjustDialog: "amount",
    }.get(type(dialog))
    if amount is not None:
        edit = getattr(dialog, amount)
        assert isinstance(edit, MoneyEdit) and start is edit
        qtbot.keyClicks(edit, "500")  # typed at once, over a preset fee
        assert edit.fen() == 50_000
    dialog.close()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_short_balance_message_wraps_without_squeezing_the_form(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str], language: str
) -> None:
    from clubdesk import i18n

    i18n.set_language(language)
    try:
        member_id, number = stored_value_member(seeded_db)
        detail = open_member(
            owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), member_id
        )
        dialog = detail.open_settle()
        assert isinstance(dialog, SettleDialog)
        qtbot.waitExposed(dialog)
        height = dialog.height()
        type_text(qtbot, dialog.amount, "500000")
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Return)
        box = dialog.errors.boxes["amount"]
        assert format_fen(balance_of(seeded_db, number)) in box.error_text()

        def laid_out() -> None:
            assert box.error.height() >= box.error.heightForWidth(box.error.width())
            assert dialog.amount.height() >= dialog.amount.minimumSizeHint().height()
            assert dialog.height() >= dialog.heightForWidth(dialog.width())

        qtbot.waitUntil(laid_out, timeout=2_000)
        assert dialog.height() > height  # the window grew to make room
        # Typing a new amount takes the message away at once.
        qtbot.keyClick(dialog.amount, Qt.Key.Key_Backspace)
        assert box.error_text() == ""
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)


def set_points(db: Database, member_id: int, points: int) -> None:
    actor = staff.counter_user(db)
    with db.read() as session:
        from clubdesk.services import ledger

        now = ledger.member_points(session, member_id)
    if points != now:
        cards.adjust(db, actor, member_id, amount_fen=0, points=points - now, reason="测试")


def test_redeem_is_not_offered_for_a_reward_the_member_cannot_afford(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    member_id, _number = stored_value_member(seeded_db)
    rewards = cards.rewards(seeded_db)
    cheapest = min(r.points_cost for r in rewards)
    set_points(seeded_db, member_id, cheapest - 1)
    detail = open_member(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), member_id)
    assert not detail.rewards_table.currentIndex().isValid()  # nothing affordable chosen

    dialog = detail.open_redeem()
    assert isinstance(dialog, RedeemDialog)
    assert "积分不足" in dialog.preview.text()
    assert not dialog.ok.isEnabled()
    qtbot.keyClick(dialog.quantity, Qt.Key.Key_Return)
    assert not dialog.completed and detail.points_fact.text() == f"{cheapest - 1:,}"
    dialog.close()

    # Enough for the cheapest: it is preselected and can be redeemed, not two of it.
    set_points(seeded_db, member_id, cheapest)
    detail.refresh()
    current = detail.rewards_model.row_at(detail.rewards_table.currentIndex().row())
    assert current is not None and current.points_cost == cheapest
    dialog = detail.open_redeem()
    assert isinstance(dialog, RedeemDialog)
    assert dialog.ok.isEnabled()
    dialog.quantity.setValue(2)
    assert not dialog.ok.isEnabled() and "积分不足" in dialog.preview.text()
    dialog.quantity.setValue(1)
    assert dialog.ok.isEnabled()
    qtbot.keyClick(dialog.quantity, Qt.Key.Key_Return)
    assert dialog.completed, dialog.status.text()
    assert dialog.points_info.text() == "0"


def cash_sale_member(db: Database) -> tuple[int, int]:
    member_id, _number = stored_value_member(db)
    sale = settlement.settle(
        db, staff.counter_user(db), member_id, 10_800, PaymentMethod.CASH, reason="现金消费"
    )
    return member_id, sale.due_fen


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_ledger_columns_fit_their_text_and_a_cash_sale_shows_its_amount(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, language: str
) -> None:
    from clubdesk import i18n

    member_id, due = cash_sale_member(seeded_db)
    i18n.set_language(language)
    try:
        detail = open_member(
            owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), member_id
        )
        for index in range(detail.tabs.count()):
            detail.tabs.setCurrentIndex(index)
            for table in detail.tabs.currentWidget().findChildren(QTableView):
                if not table.isVisibleTo(detail):
                    continue
                header = table.horizontalHeader()
                last = table.model().columnCount() - 1
                assert header.stretchLastSection()
                for column in range(last):
                    if table.isColumnHidden(column):
                        continue
                    title = table.model().headerData(column, Qt.Orientation.Horizontal)
                    width = table.columnWidth(column)
                    assert width >= header.sectionSizeHint(column), (language, title)
                    assert width >= table.sizeHintForColumn(column), (language, title)
        paid = format_fen(due)
        sale = detail.recent_model.row_at(1)  # newest first: points earned, then the sale
        assert sale is not None and sale.kind == LedgerKind.PURCHASE and sale.amount_fen == 0
        assert paid in detail.recent_model.index(1, 2).data()
        if language == "zh_CN":
            assert detail.recent_model.index(1, 2).data() == "现付 " + paid
        titles = [
            detail.ledger_model.headerData(c, Qt.Orientation.Horizontal)
            for c in range(detail.ledger_model.columnCount())
        ]
        paid_column = titles.index(i18n._("现付"))
        assert detail.ledger_model.index(1, paid_column).data() == paid
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)


def test_english_counts_of_one_are_singular(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, english: None
) -> None:
    member_id, _number = stored_value_member(seeded_db)
    with seeded_db.write() as session:
        # A tier earning one point per yuan, whatever tier the demo gave this member.
        one = session.scalars(select(Tier).where(Tier.points_per_yuan == 1)).first()
        member = session.get(Member, member_id)
        assert one is not None and member is not None
        member.tier_id = one.id
    detail = open_member(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), member_id)
    assert detail.data is not None and detail.data.tier is not None
    assert detail.data.insights.stars == 1 and detail.data.tier.points_per_yuan == 1
    # Word-bounded: "21 transactions" is a correct plural that contains "1 transactions".
    for text in (detail.tier_summary.text(), detail.stars_label.toolTip()):
        assert not re.search(r"\b1 (stars|points)\b", text), text
    assert not re.search(r"\b1 transactions\b", detail.ledger_status.text())


def test_many_referrer_matches_are_shown_and_one_must_be_chosen(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    popups: list[QComboBox] = []
    monkeypatch.setattr(QComboBox, "showPopup", lambda combo: popups.append(combo))
    saved: list[int] = []
    new_member(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), on_saved=saved.append)
    editor = owner.findChild(MemberEditor)
    assert editor is not None
    type_text(qtbot, editor.name_edit, "推荐测试")
    type_text(qtbot, editor.phone_edit, unused_phone(seeded_db))
    with seeded_db.read() as session:
        surname = session.scalars(
            select(func.substr(Member.name, 1, 1))
            .group_by(func.substr(Member.name, 1, 1))
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    type_text(qtbot, editor.referrer_search, surname)
    qtbot.keyClick(editor.referrer_search, Qt.Key.Key_Return)  # searches, does not save
    combo = editor.referrer_combo
    assert combo.count() > 3, "a common surname matches several members"
    assert combo.currentData() == PENDING  # none of them taken for the counter
    assert popups == [combo] and editor.focusWidget() is combo

    qtbot.keyClick(combo, Qt.Key.Key_Return)  # saving now asks for a choice
    assert saved == []
    assert "选择" in editor.errors.boxes["referred_by"].error_text()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # （无推荐人）
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the first match
    assert editor.errors.boxes["referred_by"].error_text() == ""
    chosen = combo.currentData()
    assert isinstance(chosen, int) and chosen > 0
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    assert len(saved) == 1
    with seeded_db.read() as session:
        member = session.get(Member, saved[0])
        assert member is not None and member.referred_by_id == chosen


def test_a_full_phone_preselects_its_one_member_as_referrer(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QComboBox, "showPopup", lambda _combo: None)
    with seeded_db.read() as session:
        other = session.scalars(select(Member).order_by(Member.id.desc()).limit(1)).one()
        other_id, phone = other.id, other.phone
    editor = MemberEditor(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner())
    editor.show()
    type_text(qtbot, editor.referrer_search, phone)
    qtbot.keyClick(editor.referrer_search, Qt.Key.Key_Return)
    assert editor.referrer_combo.currentData() == other_id
    assert editor.referrer_combo.findData(PENDING) == -1


def test_a_corrected_field_loses_its_error_at_once(
    qtbot: QtBot, seeded_db: Database, owner: QWidget, boxes: list[str]
) -> None:
    editor = MemberEditor(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner())
    editor.show()
    type_text(qtbot, editor.name_edit, "改错")
    type_text(qtbot, editor.phone_edit, "12345")
    editor.save()
    phone = editor.errors.boxes["phone"]
    assert phone.error_text()
    qtbot.keyClick(editor.phone_edit, Qt.Key.Key_Backspace)
    assert phone.error_text() == "" and phone.error.isHidden()

    editor.phone_edit.setText(unused_phone(seeded_db))
    type_text(qtbot, editor.birthday_edit, "1990-02-30")
    editor.save()
    birthday = editor.errors.boxes["birthday"]
    assert birthday.error_text()
    type_text(qtbot, editor.birthday_edit, "1")
    assert birthday.error_text() == ""
    # A choice clears its field's message too.
    gender = editor.errors.boxes["gender"]
    gender.show_error("测试")
    qtbot.keyClick(editor.gender_combo, Qt.Key.Key_Down)
    assert gender.error_text() == ""


def test_the_edit_window_names_the_member(
    qtbot: QtBot, seeded_db: Database, owner: QWidget
) -> None:
    member_id, _number = stored_value_member(seeded_db)
    data, _version = members.load_input(seeded_db, member_id)
    editor = MemberEditor(owner, seeded_db, staff.counter_user(seeded_db), SyncRunner(), member_id)
    assert editor.windowTitle() == f"修改会员资料 — {data.name}"

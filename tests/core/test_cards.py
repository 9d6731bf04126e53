"""Cards and the ledger: every movement an entry, balances the sum of their ledger."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.errors import DomainError, NotFound, PermissionDenied
from clubdesk.models import LedgerEntry, MembershipCard
from clubdesk.models.enums import CardKind, CardStatus, LedgerKind, PaymentMethod, Role
from clubdesk.services import cards, roster
from tests.core.roster_helpers import member, staff


def _card(db: Database, member_id: int) -> str:
    with db.read() as s:
        card = cards.current_card(s, member_id)
        assert card is not None
        return card.number


def test_top_up_with_the_bonus_rule_pays_1000_gets_1100(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    number = _card(db, member(db, actor))
    move = cards.top_up(db, actor, number, 100_000, PaymentMethod.WECHAT)
    assert move.balance_fen == 110_000
    plain = cards.top_up(db, actor, number, 50_000, PaymentMethod.CASH, with_bonus=False)
    assert plain.balance_fen == 160_000
    with db.read() as s:
        kinds = s.execute(
            select(LedgerEntry.kind, LedgerEntry.paid_fen).order_by(LedgerEntry.id)
        ).all()
    assert kinds == [
        (LedgerKind.TOP_UP, 100_000),
        (LedgerKind.BONUS, 0),
        (LedgerKind.TOP_UP, 50_000),
    ]


def test_no_negative_balance_and_no_top_up_on_a_discount_card(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    number = _card(db, member(db, actor))
    cards.top_up(db, actor, number, 10_000, PaymentMethod.CASH)
    with pytest.raises(DomainError, match="余额不足"):
        cards.purchase(db, actor, number, 10_001, "零售")
    discount = _card(db, member(db, actor, "李四", "13900001111", card=CardKind.DISCOUNT))
    with pytest.raises(DomainError, match="折扣卡"):
        cards.top_up(db, actor, discount, 10_000, PaymentMethod.CASH)


def test_the_database_itself_refuses_a_negative_balance(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor)
    with (
        pytest.raises(Exception, match=r"(?i)check constraint|balance_not_negative"),
        db.write() as s,
    ):
        s.execute(
            text(
                "INSERT INTO ledger (member_id, kind, amount_fen, balance_after_fen, points,"
                " points_after, paid_fen, at) VALUES (:m, 'adjustment', -1, -1, 0, 0, 0, :at)"
            ),
            {"m": mid, "at": datetime.now()},
        )


def test_reissue_moves_the_balance_charges_the_fee_and_kills_the_old_number(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor)
    old = _card(db, mid)
    cards.top_up(db, actor, old, 30_000, PaymentMethod.CASH)
    new = cards.reissue(db, actor, old, PaymentMethod.STORED_VALUE)
    assert new != old
    with pytest.raises(DomainError, match="已挂失补办"):
        cards.member_for_card(db, old)
    with pytest.raises(DomainError):
        cards.top_up(db, actor, old, 100, PaymentMethod.CASH)
    assert cards.member_for_card(db, new) == mid
    profile = roster.profile(db, mid)
    assert profile.balance_fen == 30_000 - 2_000  # the settings' default material fee
    with pytest.raises(NotFound):
        cards.member_for_card(db, "8000000000")


def test_freeze_stops_payments_until_unfrozen(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    number = _card(db, member(db, actor))
    cards.top_up(db, actor, number, 10_000, PaymentMethod.CASH)
    cards.set_frozen(db, actor, number, True, "会员电话挂失")
    with pytest.raises(DomainError, match="冻结"):
        cards.purchase(db, actor, number, 100, "零售")
    with pytest.raises(DomainError):
        cards.set_frozen(db, actor, number, True, "再次冻结")
    cards.set_frozen(db, actor, number, False, "会员找回卡片")
    assert cards.purchase(db, actor, number, 100, "零售").balance_fen == 9_900


def test_annual_fee_extends_a_year_from_today_or_the_paid_date(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    number = _card(db, member(db, actor, card=CardKind.DISCOUNT))
    until = cards.pay_annual_fee(
        db, actor, number, PaymentMethod.CASH, at=datetime(2026, 2, 28, 10)
    )
    assert until == date(2027, 2, 28)
    again = cards.pay_annual_fee(db, actor, number, PaymentMethod.CASH, at=datetime(2026, 3, 1, 10))
    assert again == date(2028, 2, 28)
    with db.read() as s:
        fees = s.scalars(
            select(LedgerEntry.paid_fen).where(LedgerEntry.kind == LedgerKind.ANNUAL_FEE)
        ).all()
    assert fees == [18_000, 18_000]


def test_refund_and_adjustment_need_a_manager(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = member(db, desk)
    number = _card(db, mid)
    cards.top_up(db, desk, number, 10_000, PaymentMethod.CASH)
    with pytest.raises(PermissionDenied):
        cards.refund(db, desk, number, 5_000, PaymentMethod.CASH, "会员退卡")
    with pytest.raises(PermissionDenied):
        cards.adjust(db, desk, mid, amount_fen=100, reason="补偿")
    assert (
        cards.refund(db, manager, number, 5_000, PaymentMethod.CASH, "会员退卡").balance_fen
        == 5_000
    )
    assert cards.adjust(db, manager, mid, points=50, reason="活动补录").points == 50


def test_redeem_points_against_the_catalogue(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = member(db, actor)
    towel = cards.rewards(db)[0]
    with pytest.raises(DomainError, match="积分不足"):
        cards.redeem(db, actor, mid, towel.id)
    cards.adjust(db, manager, mid, points=towel.points_cost * 2, reason="积分补录")
    assert cards.redeem(db, actor, mid, towel.id, quantity=2).points == 0


# --- the property: any sequence keeps balances equal to their ledger, never negative ---

_OPS = st.lists(
    st.tuples(
        st.sampled_from(["top_up", "purchase", "refund", "reissue", "redeem", "earn", "fee"]),
        st.integers(min_value=1, max_value=300_000),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=_OPS)
def test_any_sequence_keeps_every_balance_equal_to_its_ledger(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]]
) -> None:
    db = open_database(tmp_path_factory.mktemp("prop") / "p.sqlite3")
    try:
        _run(db, ops)
    finally:
        db.dispose()


def _run(db: Database, ops: list[tuple[str, int]]) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = member(db, desk)
    reward = cards.rewards(db)[0]
    for op, amount in ops:
        number = _card(db, mid)
        try:
            if op == "top_up":
                cards.top_up(db, desk, number, amount, PaymentMethod.WECHAT)
            elif op == "purchase":
                cards.purchase(db, desk, number, amount, "零售")
            elif op == "refund":
                cards.refund(db, manager, number, amount, PaymentMethod.CASH, "退款")
            elif op == "reissue":
                cards.reissue(db, desk, number, PaymentMethod.STORED_VALUE, fee_fen=amount % 5_000)
            elif op == "redeem":
                cards.redeem(db, desk, mid, reward.id)
            elif op == "earn":
                cards.adjust(db, manager, mid, points=amount % 2_000 + 1, reason="积分")
            else:
                cards.pay_annual_fee(db, desk, number, PaymentMethod.STORED_VALUE)
        except DomainError:
            pass  # refused as a whole: the invariants below must still hold
        _check_invariants(db)


def _check_invariants(db: Database) -> None:
    with db.read() as s:
        for card_id in s.scalars(select(MembershipCard.id)):
            total = s.scalar(
                select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(
                    LedgerEntry.card_id == card_id
                )
            )
            latest = s.scalar(
                select(LedgerEntry.balance_after_fen)
                .where(LedgerEntry.card_id == card_id)
                .order_by(LedgerEntry.id.desc())
                .limit(1)
            )
            assert total == (latest or 0)
            assert total >= 0
        points = s.scalar(select(func.coalesce(func.sum(LedgerEntry.points), 0)))
        latest_points = s.scalar(
            select(LedgerEntry.points_after).order_by(LedgerEntry.id.desc()).limit(1)
        )
        assert points == (latest_points or 0) >= 0
        lowest = s.scalar(select(func.min(LedgerEntry.balance_after_fen)))
        assert lowest is None or lowest >= 0
        working = s.scalar(select(func.count()).where(MembershipCard.status != CardStatus.REPLACED))
        assert working == 1


def test_a_frozen_lost_card_can_be_reissued(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor)
    old = _card(db, mid)
    cards.top_up(db, actor, old, 10_000, PaymentMethod.CASH)
    cards.set_frozen(db, actor, old, True, "会员电话挂失")
    new = cards.reissue(db, actor, old, PaymentMethod.CASH)
    assert cards.member_for_card(db, new) == mid
    assert roster.profile(db, mid).balance_fen == 10_000

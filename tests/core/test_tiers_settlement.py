"""Discounts, settlement, automatic upgrades, manager downgrades, stars, derived views."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, PermissionDenied
from clubdesk.models import LedgerEntry, Member, Setting, Tier, TierChange
from clubdesk.models.enums import CardKind, CustomerCategory, LedgerKind, PaymentMethod, Role
from clubdesk.services import cards, derived, settlement, tiers
from tests.core.roster_helpers import member, staff

NOW = datetime(2026, 11, 23, 15, 0)


def _number(db: Database, mid: int) -> str:
    with db.read() as s:
        card = cards.current_card(s, mid)
        assert card is not None
        return card.number


def test_discount_is_the_tier_rate_times_the_birthday_offer(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor, birthday=date(1990, 11, 23))
    other = member(db, actor, "李四", "13900001111")
    assert settlement.quote(db, other, 10_000, NOW).apply(10_000) == 9_500  # ordinary 95 %
    birthday = settlement.quote(db, mid, 10_000, NOW)
    assert birthday.bp == 8_360  # 95 % × 88 %
    assert "生日" in birthday.reason
    holiday = settlement.quote(db, other, 10_000, datetime(2026, 10, 1, 12))
    assert holiday.bp == 9_025  # 95 % × 95 %


def test_settlement_by_card_deducts_earns_points_and_records_the_visit(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor)
    number = _number(db, mid)
    cards.top_up(db, actor, number, 100_000, PaymentMethod.CASH)
    done = settlement.settle(
        db, actor, mid, 29_800, PaymentMethod.STORED_VALUE, reason="足疗", at=NOW
    )
    assert done.due_fen == 28_310
    assert done.balance_fen == 110_000 - 28_310
    assert done.points_earned == 283
    with db.read() as s:
        m = s.get(Member, mid)
        assert m is not None and m.last_visit_at == NOW
        assert m.version == 1  # bookkeeping does not make an open edit conflict


def test_cash_settlement_counts_as_spend_and_upgrades_automatically(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor, card=CardKind.DISCOUNT)
    done = settlement.settle(db, actor, mid, 1_100_000, PaymentMethod.CASH, reason="年卡", at=NOW)
    assert done.new_tier == "银卡会员"  # 10,450 yuan ≥ the 10,000 yuan silver rule
    with db.read() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.PURCHASE)).one()
        assert (entry.amount_fen, entry.paid_fen) == (0, 1_045_000)
        change = s.scalars(select(TierChange)).one()
        assert "自动升级" in change.reason
        assert tiers.cumulative_spend(s, mid) == 1_045_000


def test_stored_value_payment_without_money_is_refused_whole(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor)
    with pytest.raises(DomainError, match="余额不足"):
        settlement.settle(db, actor, mid, 10_000, PaymentMethod.STORED_VALUE, reason="足疗")
    with db.read() as s:
        assert s.scalars(select(LedgerEntry)).all() == []
        m = s.get(Member, mid)
        assert m is not None and m.last_visit_at is None


def test_downgrade_only_by_a_manager_with_a_reason(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = member(db, desk, card=CardKind.DISCOUNT)
    settlement.settle(db, desk, mid, 1_100_000, PaymentMethod.CASH, reason="年卡", at=NOW)
    with db.read() as s:
        ordinary = s.scalars(select(Tier).where(Tier.rank == 0)).one().id
    with pytest.raises(PermissionDenied):
        tiers.downgrade(db, desk, mid, ordinary, "违规")
    with pytest.raises(DomainError):
        tiers.downgrade(db, manager, mid, ordinary, "  ")
    tiers.downgrade(db, manager, mid, ordinary, "转让会员卡，违反会员章程")
    lines = tiers.history(db, mid)
    assert [line.to_tier for line in lines] == ["普通会员", "银卡会员"]
    assert lines[0].staff == manager.display_name


def test_stars_follow_domain_thresholds() -> None:
    limits = [10_000, 50_000, 100_000, 500_000]
    spends = (0, 9_999, 10_000, 49_999, 50_000, 100_000, 500_000)
    assert [tiers.stars(y * 100, limits) for y in spends] == [1, 1, 2, 2, 3, 4, 5]


def test_category_long_term_after_three_consecutive_months(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor, card=CardKind.DISCOUNT)
    for month in (9, 10, 11):
        settlement.settle(
            db, actor, mid, 10_000, PaymentMethod.CASH, reason="足疗", at=datetime(2026, month, 5)
        )
    with db.read() as s:
        m = s.get(Member, mid)
        assert m is not None and m.category == CustomerCategory.LONG_TERM


def test_churn_flag_and_list_use_the_threshold_in_settings(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor, card=CardKind.DISCOUNT)
    for day in (1, 2):
        settlement.settle(
            db, actor, mid, 10_000, PaymentMethod.CASH, reason="足疗", at=datetime(2026, 6, day)
        )
    today = date(2026, 11, 23)
    assert derived.insights(db, mid, today).churned
    listed = derived.churn_list(db, today, actor=actor)
    assert [r.member_id for r in listed.rows] == [mid] and not listed.more
    assert "****" in listed.rows[0].phone  # the front desk sees it masked
    manager = staff(db, Role.MANAGER)
    assert "****" not in derived.churn_list(db, today, actor=manager).rows[0].phone
    with db.write() as s:
        s.add(Setting(key="member.churn_days", value="365"))
    assert not derived.insights(db, mid, today).churned
    assert derived.churn_list(db, today).rows == []


def test_birthdays_today_week_month_with_greeting(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    a = member(db, actor, "生日今天", "13900000001", birthday=date(1990, 11, 23))
    b = member(db, actor, "生日下周", "13900000002", birthday=date(1985, 11, 28))
    c = member(db, actor, "月初", "13900000003", birthday=date(2000, 11, 1))
    member(db, actor, "十二月", "13900000004", birthday=date(2000, 12, 1))
    today = date(2026, 11, 23)
    assert [
        r.member_id for r in derived.birthdays(db, derived.BirthdayPeriod.TODAY, today).rows
    ] == [a]
    week = derived.birthdays(db, derived.BirthdayPeriod.WEEK, today)
    assert [r.member_id for r in week.rows] == [a, b] and week.total == 2
    month = derived.birthdays(db, derived.BirthdayPeriod.MONTH, today)
    assert [r.member_id for r in month.rows] == [c, a, b]
    assert "生日今天" in month.rows[1].greeting and "8.8折" in month.rows[1].greeting
    assert month.rows[1].turning == 36


def test_referrals_are_counted(db: Database) -> None:
    from clubdesk.services import members

    actor = staff(db, Role.FRONT_DESK)
    ambassador = member(db, actor)
    for k in range(3):
        members.create(
            db,
            actor,
            members.MemberInput(name=f"朋友{k}", phone=f"1390000100{k}", referred_by_id=ambassador),
        )
    assert derived.insights(db, ambassador).referrals == 3


def test_a_managers_downgrade_is_not_undone_by_the_next_settlement(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = member(db, desk, card=CardKind.DISCOUNT)
    before = datetime.now() - timedelta(days=1)  # the downgrade is stamped with the clock
    settlement.settle(db, desk, mid, 1_100_000, PaymentMethod.CASH, reason="年卡", at=before)
    with db.read() as s:
        ordinary = s.scalars(select(Tier).where(Tier.rank == 0)).one().id
    tiers.downgrade(db, manager, mid, ordinary, "违反会员章程")
    later = datetime.now() + timedelta(minutes=1)
    assert (
        settlement.settle(db, desk, mid, 100, PaymentMethod.CASH, reason="茶水", at=later).new_tier
        is None
    )
    # Spending enough again after the downgrade earns the tier back.
    again = settlement.settle(db, desk, mid, 1_100_000, PaymentMethod.CASH, reason="年卡", at=later)
    assert again.new_tier == "银卡会员"


def test_a_29_february_birthday_is_kept_on_28_february_in_common_years(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    leap = member(db, actor, "闰日生", "13900000009", birthday=date(2000, 2, 29))
    other = member(db, actor, "二八生", "13900000008", birthday=date(2001, 2, 28))
    common = derived.birthdays(db, derived.BirthdayPeriod.TODAY, date(2027, 2, 28))
    assert [r.member_id for r in common.rows] == [other, leap] and common.total == 2
    leap_year = derived.birthdays(db, derived.BirthdayPeriod.WEEK, date(2028, 2, 25))
    assert [r.member_id for r in leap_year.rows] == [other, leap] and leap_year.total == 2
    assert "生日" in settlement.quote(db, leap, 10_000, datetime(2027, 2, 28, 12)).reason
    assert "生日" not in settlement.quote(db, leap, 10_000, datetime(2028, 2, 28, 12)).reason

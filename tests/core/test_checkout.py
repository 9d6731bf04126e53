"""Checkout of a booking: the bill (list price, 加钟, tier, birthday and holiday offers),
payment from the stored-value card or outside it, points, walk-ins, refusals, two
counters, 反结账 through compensating entries, and the receipt PDF read back."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clubdesk import cli
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, PermissionDenied
from clubdesk.models import (
    AuditEntry,
    Booking,
    BookingResource,
    Checkout,
    LedgerEntry,
    Member,
    Resource,
    Service,
    Setting,
    Tier,
)
from clubdesk.models.enums import (
    BookingState,
    CardKind,
    LedgerKind,
    PaymentMethod,
    ResourceKind,
    Role,
    ServiceCategory,
)
from clubdesk.pdf.registry import FORMS, render_form
from clubdesk.services import cards, ledger, tiers
from clubdesk.services import checkout as co
from clubdesk.services.booking_rules import IllegalTransition
from clubdesk.services.staff import StaffMember
from tests.core.roster_helpers import member, staff

NOW = datetime(2026, 11, 23, 15, 0)
FOOT = 29_800  # 足疗 60 minutes at ¥298

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (Debian package poppler-utils)"
)


# -- set-up: services, rooms and finished bookings built with the models ---------------


def add_service(
    db: Database,
    name: str = "足疗",
    price: int = FOOT,
    minutes: int = 60,
    capacity: int | None = None,
) -> int:
    with db.write() as s:
        row = Service(
            name=name,
            category=ServiceCategory.FOOT,
            duration_min=minutes,
            list_price_fen=price,
            capacity=capacity,
        )
        s.add(row)
        s.flush()
        return row.id


def add_resource(db: Database, name: str, kind: ResourceKind = ResourceKind.SUITE) -> int:
    with db.write() as s:
        row = Resource(name=name, kind=kind)
        s.add(row)
        s.flush()
        return row.id


def add_booking(
    db: Database,
    service_id: int,
    *,
    member_id: int | None = None,
    guest_name: str | None = None,
    guest_count: int = 1,
    added_minutes: int = 0,
    state: BookingState = BookingState.FINISHED,
    resource_ids: tuple[int, ...] = (),
    session_id: int | None = None,
) -> int:
    start = NOW - timedelta(hours=2)
    with db.write() as s:
        service = s.get(Service, service_id)
        assert service is not None
        end = start + timedelta(minutes=service.duration_min + added_minutes)
        finished = state in (BookingState.FINISHED, BookingState.SETTLED)
        booking = Booking(
            member_id=member_id,
            guest_name=guest_name,
            guest_count=guest_count,
            service_id=service_id,
            start_at=start,
            end_at=end,
            state=state,
            added_minutes=added_minutes,
            session_id=session_id,
            arrived_at=start - timedelta(minutes=5),
            service_started_at=start if state != BookingState.BOOKED else None,
            finished_at=end if finished else None,
        )
        s.add(booking)
        s.flush()
        for rid in resource_ids:
            s.add(
                BookingResource(
                    booking_id=booking.id,
                    resource_id=rid,
                    start_at=start,
                    end_at=end,
                    active=not finished,
                )
            )
        return booking.id


def funded_member(
    db: Database,
    actor: StaffMember,
    top_up: int = 100_000,
    *,
    name: str = "张晓明",
    phone: str = "13800138000",
    birthday: date | None = None,
) -> int:
    """A member with a stored-value card holding ``top_up`` plus its bonus."""
    mid = member(db, actor, name, phone, birthday=birthday)
    if top_up:
        cards.top_up(db, actor, card_number(db, mid), top_up, PaymentMethod.CASH)
    return mid


def card_number(db: Database, mid: int) -> str:
    with db.read() as s:
        card = cards.current_card(s, mid)
        assert card is not None
        return card.number


def balance(db: Database, mid: int) -> int:
    with db.read() as s:
        card = cards.current_card(s, mid)
        assert card is not None
        return ledger.card_balance(s, card.id)


def points(db: Database, mid: int) -> int:
    with db.read() as s:
        return ledger.member_points(s, mid)


@dataclass(frozen=True)
class BookingFacts:
    state: BookingState
    settled_at: datetime | None
    version: int


def booking_row(db: Database, booking_id: int) -> BookingFacts:
    with db.read() as s:
        row = s.get(Booking, booking_id)
        assert row is not None
        return BookingFacts(row.state, row.settled_at, row.version)


def counts(db: Database) -> tuple[int, int, int]:
    """Checkouts, ledger entries, audit entries: to see that a refusal wrote nothing."""
    with db.read() as s:
        return (
            s.execute(select(func.count()).select_from(Checkout)).scalar_one(),
            s.execute(select(func.count()).select_from(LedgerEntry)).scalar_one(),
            s.execute(select(func.count()).select_from(AuditEntry)).scalar_one(),
        )


def set_setting(db: Database, key: str, value: object) -> None:
    with db.write() as s:
        s.merge(Setting(key=key, value=json.dumps(value)))


# -- the bill ---------------------------------------------------------------------------


def test_list_price_adds_time_pro_rata_per_guest_rounded_half_up() -> None:
    service = Service(name="x", duration_min=60, list_price_fen=29_900)
    assert co.list_price(service, 1, 0) == (29_900, 0)
    assert co.list_price(service, 1, 5) == (29_900, 2_492)  # 2,491.67 → up
    assert co.list_price(service, 2, 30) == (59_800, 29_900)
    service.list_price_fen = FOOT
    assert co.list_price(service, 1, 5) == (FOOT, 2_483)  # 2,483.33 → down
    service.duration_min, service.list_price_fen = 45, 1_000
    assert co.list_price(service, 1, 20) == (1_000, 444)  # 444.44


def test_stored_value_checkout_deducts_the_discounted_bill_and_earns_points(
    db: Database,
) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)  # ¥1,000 paid, ¥100 bonus: ¥1,100 on the card
    suite = add_resource(db, "牡丹厅")
    therapist = add_resource(db, "12号技师 李娜", ResourceKind.THERAPIST)
    bid = add_booking(
        db, add_service(db), member_id=mid, added_minutes=30, resource_ids=(suite, therapist)
    )

    q = co.quote(db, bid, NOW)
    assert q.can_settle and q.problem is None
    assert (q.base_fen, q.added_fen, q.list_fen) == (FOOT, 14_900, 44_700)
    assert q.discount.bp == 9_500 and "普通会员" in q.discount.reason  # ordinary 95 %
    assert q.due_fen == 42_465 and q.discount_fen == 2_235
    assert q.points_earned == 424  # ¥424.65 → 424 yuan × 1 point
    assert q.methods[0] is PaymentMethod.STORED_VALUE and q.preferred is PaymentMethod.STORED_VALUE
    assert q.balance_fen == 110_000
    assert q.resources == ("牡丹厅", "12号技师 李娜")
    assert q.card_number is not None and "****" in q.card_number

    done = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)

    assert done.due_fen == 42_465 and done.balance_fen == 110_000 - 42_465
    assert done.points_earned == 424 and done.points == 424
    assert balance(db, mid) == 110_000 - 42_465
    assert points(db, mid) == 424
    booking = booking_row(db, bid)
    assert booking.state is BookingState.SETTLED and booking.settled_at == NOW
    with db.read() as s:
        row = s.get(Checkout, done.checkout_id)
        assert row is not None
        assert (row.list_fen, row.discount_bp, row.due_fen) == (44_700, 9_500, 42_465)
        assert row.method is PaymentMethod.STORED_VALUE and row.points_earned == 424
        assert row.member_id == mid and row.card_id is not None
        assert row.settled_by_id == desk.id and row.reversed_at is None
        purchase = s.scalars(
            select(LedgerEntry).where(
                LedgerEntry.booking_id == bid, LedgerEntry.kind == LedgerKind.PURCHASE
            )
        ).one()
        assert (purchase.amount_fen, purchase.paid_fen) == (-42_465, 0)
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "booking.checkout")).one()
        m = s.get(Member, mid)
        assert m is not None and m.last_visit_at == NOW


def test_birthday_offer_applies_on_the_members_birthday(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk, birthday=date(1990, NOW.month, NOW.day))
    bid = add_booking(db, add_service(db), member_id=mid)

    q = co.quote(db, bid, NOW)
    assert q.discount.bp == 8_360  # 95 % × the birthday 88 %
    assert "生日" in q.discount.reason
    done = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    assert done.due_fen == 24_913  # 29,800 × 0.836 = 24,912.8
    with db.read() as s:
        row = s.get(Checkout, done.checkout_id)
        assert row is not None and row.discount_bp == 8_360
        assert row.discount_reason is not None and "生日" in row.discount_reason

    other = member(db, desk, "李四", "13900001111")
    next_day = add_booking(db, add_service(db, "按摩"), member_id=other)
    assert co.quote(db, next_day, NOW).discount.bp == 9_500  # not their birthday


def test_holiday_offer_comes_from_the_settings(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    assert co.quote(db, bid, NOW).discount.bp == 9_500  # 23 November: no holiday by default

    set_setting(db, "member.holidays", [NOW.strftime("%m-%d")])
    set_setting(db, "member.holiday_discount_bp", 9_000)

    q = co.quote(db, bid, NOW)
    assert q.discount.bp == 8_550  # 95 % × 90 %
    assert "节假日" in q.discount.reason
    assert co.checkout(db, desk, bid, PaymentMethod.WECHAT, at=NOW).due_fen == 25_479  # 25,479.0


def test_higher_tier_discount_and_points_per_yuan(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    with db.write() as s:
        gold = s.scalars(select(Tier).where(Tier.rank == 2)).one()
        m = s.get(Member, mid)
        assert m is not None
        m.tier_id = gold.id
        rate, per_yuan = gold.discount_bp, gold.points_per_yuan
    bid = add_booking(db, add_service(db), member_id=mid)

    q = co.quote(db, bid, NOW)
    due = (FOOT * rate + 5_000) // 10_000
    assert q.discount.bp == rate and q.due_fen == due
    assert q.points_earned == (due // 100) * per_yuan
    done = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    assert done.points == (due // 100) * per_yuan


def test_discount_card_pays_cash_recorded_as_paid_outside_the_card(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = member(db, desk, card=CardKind.DISCOUNT)
    bid = add_booking(db, add_service(db), member_id=mid, guest_count=2)

    q = co.quote(db, bid, NOW)
    assert PaymentMethod.STORED_VALUE not in q.methods and q.preferred is PaymentMethod.CASH
    assert q.list_fen == 2 * FOOT and q.due_fen == 56_620  # 59,600 × 95 %
    before = counts(db)
    with pytest.raises(DomainError, match="储值卡"):
        co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    assert counts(db) == before

    done = co.checkout(db, desk, bid, PaymentMethod.CASH, at=NOW)

    assert done.balance_fen is None and done.points_earned == 566
    with db.read() as s:
        entry = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.PURCHASE)).one()
        assert (entry.amount_fen, entry.paid_fen, entry.payment_method) == (0, 56_620, "cash")
        assert tiers.cumulative_spend(s, mid) == 56_620


def test_stored_value_is_not_offered_when_the_balance_is_short(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk, top_up=10_000)  # ¥100, below the bonus threshold
    bid = add_booking(db, add_service(db), member_id=mid)

    q = co.quote(db, bid, NOW)
    assert PaymentMethod.STORED_VALUE not in q.methods
    assert q.balance_fen == 10_000 and any("不足" in n for n in q.notes)
    before = counts(db)
    with pytest.raises(DomainError, match="余额不足"):
        co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    assert counts(db) == before
    assert booking_row(db, bid).state is BookingState.FINISHED


def test_walk_in_pays_list_price_with_no_ledger_entry(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    bid = add_booking(db, add_service(db), guest_name="王先生", added_minutes=15)

    q = co.quote(db, bid, NOW)
    assert q.member_id is None and q.guest == "王先生"
    assert q.methods == co.OUTSIDE_METHODS and q.points_earned == 0
    assert q.list_fen == q.due_fen == FOOT + 7_450  # 15 minutes = a quarter of ¥298
    with pytest.raises(DomainError, match="散客"):
        co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)

    done = co.checkout(db, desk, bid, PaymentMethod.ALIPAY, at=NOW)

    assert done.due_fen == FOOT + 7_450 and done.discount_bp == 10_000
    assert done.points_earned == 0 and done.points is None
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == 0
        row = s.get(Checkout, done.checkout_id)
        assert row is not None and row.member_id is None and row.method is PaymentMethod.ALIPAY
    assert booking_row(db, bid).state is BookingState.SETTLED


# -- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [BookingState.BOOKED, BookingState.ARRIVED, BookingState.IN_SERVICE, BookingState.CANCELLED],
)
def test_only_a_finished_booking_can_be_settled(db: Database, state: BookingState) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid, state=state)

    q = co.quote(db, bid, NOW)
    assert not q.can_settle and q.problem is not None
    before = counts(db)
    with pytest.raises(IllegalTransition):
        co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    assert counts(db) == before
    assert booking_row(db, bid).state is state


def test_a_session_host_is_settled_seat_by_seat(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    yoga = add_service(db, "瑜伽课", price=8_000, capacity=12)
    host = add_booking(db, yoga, guest_name="瑜伽课")
    seat = add_booking(db, yoga, member_id=mid, session_id=host)

    assert co.quote(db, host, NOW).problem is not None
    with pytest.raises(DomainError, match="座位"):
        co.checkout(db, desk, host, PaymentMethod.CASH, at=NOW)
    done = co.checkout(db, desk, seat, PaymentMethod.STORED_VALUE, at=NOW)
    assert done.due_fen == 7_600
    assert booking_row(db, host).state is BookingState.FINISHED


def test_a_therapist_cannot_settle(db: Database) -> None:
    therapist = staff(db, Role.THERAPIST)
    desk = staff(db, Role.FRONT_DESK)
    bid = add_booking(db, add_service(db), member_id=funded_member(db, desk))
    with pytest.raises(PermissionDenied):
        co.checkout(db, therapist, bid, PaymentMethod.STORED_VALUE, at=NOW)


def test_second_checkout_from_another_counter_is_refused(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    other = staff(db, Role.FRONT_DESK, "desk2")
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    q = co.quote(db, bid, NOW)  # both counters show the bill
    co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW, expected_version=q.version)
    before, paid = counts(db), balance(db, mid)

    with pytest.raises(DomainError, match="其他收银台结账"):
        co.checkout(db, other, bid, PaymentMethod.STORED_VALUE, at=NOW, expected_version=q.version)

    assert counts(db) == before and balance(db, mid) == paid


@pytest.fixture(params=["sqlite", "postgresql"])
def two_counters(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Database, Database]]:
    """Two counters on one database: two engines on one SQLite file, or on one
    PostgreSQL server (skipped without CLUBDESK_TEST_PG, see ``pg_url``)."""
    from clubdesk.db.open import open_database

    if request.param == "sqlite":
        target: str | Path = tmp_path / "shared.sqlite3"
    else:
        target = request.getfixturevalue("pg_url")
    first = open_database(target)
    second = open_database(target, create=False)
    yield first, second
    first.dispose()
    second.dispose()


def test_two_counters_settling_at_the_same_moment_charge_once(
    two_counters: tuple[Database, Database],
) -> None:
    one, two = two_counters
    desk = staff(one, Role.FRONT_DESK)
    other = staff(one, Role.FRONT_DESK, "desk2")
    mid = funded_member(one, desk, top_up=500_000)
    service = add_service(one)
    start = balance(one, mid)
    for _round in range(5):
        bid = add_booking(one, service, member_id=mid)
        gate = threading.Barrier(2)

        def settle(
            db: Database, actor: StaffMember, bid: int = bid, gate: threading.Barrier = gate
        ) -> object:
            gate.wait()
            try:
                return co.checkout(db, actor, bid, PaymentMethod.STORED_VALUE, at=NOW)
            except Exception as exc:  # handed back to the test, never lost in the thread
                return exc

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(settle, (one, two), (desk, other)))
        paid = [o for o in outcomes if isinstance(o, co.CheckoutResult)]
        refused = [o for o in outcomes if not isinstance(o, co.CheckoutResult)]
        assert len(paid) == 1, outcomes
        assert isinstance(refused[0], DomainError), refused
        assert "其他收银台" in refused[0].message
    assert balance(one, mid) == start - 5 * 28_310
    with one.read() as s:
        assert s.execute(select(func.count()).select_from(Checkout)).scalar_one() == 5
        purchases = select(func.count()).where(LedgerEntry.kind == LedgerKind.PURCHASE)
        assert s.execute(purchases).scalar_one() == 5


def test_the_live_checkout_index_turns_into_the_same_message(db: Database) -> None:
    """A live checkout row the booking's state does not show (another counter's commit
    racing this one) is caught by ux_checkouts_booking_live."""
    desk = staff(db, Role.FRONT_DESK)
    bid = add_booking(db, add_service(db), guest_name="王先生")
    with db.write() as s:
        s.add(
            Checkout(
                booking_id=bid,
                list_fen=FOOT,
                due_fen=FOOT,
                method=PaymentMethod.CASH,
                settled_at=NOW,
            )
        )
    with pytest.raises(DomainError, match="其他收银台结账"):
        co.checkout(db, desk, bid, PaymentMethod.CASH, at=NOW)
    assert booking_row(db, bid).state is BookingState.FINISHED


def test_a_bill_changed_after_the_quote_is_refused(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    q = co.quote(db, bid, NOW)
    with db.write() as s:  # a colleague adds 30 minutes meanwhile
        row = s.get(Booking, bid)
        assert row is not None
        row.added_minutes = 30
    before = counts(db)

    with pytest.raises(DomainError, match="重新核对"):
        co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW, expected_version=q.version)
    with pytest.raises(DomainError, match="重新核对"):
        co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW, expected_due_fen=q.due_fen)

    assert counts(db) == before
    fresh = co.quote(db, bid, NOW)
    done = co.checkout(
        db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW,
        expected_version=fresh.version, expected_due_fen=fresh.due_fen,
    )  # fmt: skip
    assert done.list_fen == FOOT + 14_900


# -- 反结账 ------------------------------------------------------------------------------


def test_manager_reversal_restores_balance_and_points_exactly(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    balance_before, points_before = balance(db, mid), points(db, mid)
    done = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    assert balance(db, mid) == balance_before - 28_310 and points(db, mid) == 283

    undone = co.reverse(db, manager, done.checkout_id, "收错了项目", at=NOW + timedelta(minutes=5))

    assert balance(db, mid) == balance_before and points(db, mid) == points_before
    assert undone.balance_fen == balance_before and undone.points == points_before
    booking = booking_row(db, bid)
    assert booking.state is BookingState.FINISHED and booking.settled_at is None
    with db.read() as s:
        row = s.get(Checkout, done.checkout_id)
        assert row is not None
        assert row.reversed_at == NOW + timedelta(minutes=5)
        assert row.reversed_by_id == manager.id and row.reverse_reason == "收错了项目"
        reversals = s.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.REVERSAL)
        ).all()
        originals = {
            e.id: e
            for e in s.scalars(
                select(LedgerEntry).where(
                    LedgerEntry.booking_id == bid,
                    LedgerEntry.kind.in_((LedgerKind.PURCHASE, LedgerKind.POINTS_EARNED)),
                )
            )
        }
        assert len(reversals) == 2 and {r.reverses_id for r in reversals} == set(originals)
        for r in reversals:
            original = originals[r.reverses_id or 0]
            assert r.amount_fen == -original.amount_fen and r.points == -original.points
            assert r.paid_fen == -original.paid_fen and r.booking_id == bid
            assert r.staff_id == manager.id and "收错了项目" in (r.reason or "")
        assert tiers.cumulative_spend(s, mid) == 0
        # A reversed sale is no visit and earned no points when the tier rules look.
        since = NOW - timedelta(days=1)
        assert tiers.visits_since(s, mid, since) == 0
        assert tiers.points_earned_since(s, mid, since) == 0
        assert s.scalars(
            select(AuditEntry).where(AuditEntry.action == "booking.checkout_reverse")
        ).one()


def test_reversal_of_a_cash_payment_pays_the_money_back_outside(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = member(db, desk, card=CardKind.DISCOUNT)
    bid = add_booking(db, add_service(db), member_id=mid)
    done = co.checkout(db, desk, bid, PaymentMethod.WECHAT, at=NOW)

    co.reverse(db, manager, done.checkout_id, "客人改用储值卡", at=NOW)

    with db.read() as s:
        back = s.scalars(
            select(LedgerEntry).where(
                LedgerEntry.kind == LedgerKind.REVERSAL, LedgerEntry.paid_fen != 0
            )
        ).one()
        assert (back.amount_fen, back.paid_fen, back.payment_method) == (0, -28_310, "wechat")
        assert tiers.cumulative_spend(s, mid) == 0
    assert points(db, mid) == 0


def test_front_desk_cannot_reverse(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    done = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    before = counts(db)

    with pytest.raises(PermissionDenied):
        co.reverse(db, desk, done.checkout_id, "收错了")

    assert counts(db) == before
    assert booking_row(db, bid).state is BookingState.SETTLED


def test_reversal_needs_a_reason_and_happens_once(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    bid = add_booking(db, add_service(db), guest_name="王先生")
    done = co.checkout(db, desk, bid, PaymentMethod.CASH, at=NOW)
    with pytest.raises(DomainError, match="原因") as blank:
        co.reverse(db, manager, done.checkout_id, "   ")
    assert blank.value.field == "reason"
    with pytest.raises(DomainError, match="200"):
        co.reverse(db, manager, done.checkout_id, "长" * 201)

    co.reverse(db, manager, done.checkout_id, "收银员按错付款方式", at=NOW)
    with pytest.raises(DomainError, match="已经反结账"):
        co.reverse(db, manager, done.checkout_id, "再来一次")
    with db.read() as s:  # a walk-in's reversal touches no ledger
        assert s.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == 0


def test_reversal_is_refused_when_the_points_were_spent(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    done = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    cards.adjust(db, manager, mid, points=-200, reason="兑换礼品（手工）")  # 83 points left
    before, paid = counts(db), balance(db, mid)

    with pytest.raises(DomainError, match="用掉了本次结账获得的积分") as refused:
        co.reverse(db, manager, done.checkout_id, "客人投诉")

    assert "83" in refused.value.message and "283" in refused.value.message
    assert counts(db) == before and balance(db, mid) == paid and points(db, mid) == 83
    assert booking_row(db, bid).state is BookingState.SETTLED


def test_checkout_after_a_reversal_settles_again(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    mid = funded_member(db, desk)
    bid = add_booking(db, add_service(db), member_id=mid)
    start = balance(db, mid)
    first = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    co.reverse(db, manager, first.checkout_id, "付款方式选错", at=NOW + timedelta(minutes=1))

    second = co.checkout(db, desk, bid, PaymentMethod.CASH, at=NOW + timedelta(minutes=2))

    assert second.checkout_id != first.checkout_id and second.due_fen == 28_310
    assert balance(db, mid) == start and points(db, mid) == 283
    assert booking_row(db, bid).state is BookingState.SETTLED
    lines = co.checkouts_for_booking(db, bid)
    assert [(c.id, c.live) for c in lines] == [
        (first.checkout_id, False),
        (second.checkout_id, True),
    ]
    assert co.latest_id(db) == second.checkout_id
    assert co.quote(db, bid, NOW).checkout_id == second.checkout_id
    # Each receipt reads its own ledger entries.
    assert co.receipt(db, first.checkout_id).balance_after_fen == start - 28_310
    assert co.receipt(db, second.checkout_id).balance_after_fen == start
    assert co.receipt(db, second.checkout_id).points_after == 283
    # ... and a second reversal undoes only the second checkout's entries.
    co.reverse(db, manager, second.checkout_id, "再次更正", at=NOW + timedelta(minutes=3))
    assert balance(db, mid) == start and points(db, mid) == 0


# -- the receipt --------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    assert path.read_bytes().startswith(b"%PDF")
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    )
    return done.stdout.decode("utf-8")


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_pdftotext
def test_receipt_prints_the_bill_payment_points_and_cashier(db: Database, tmp_path: Path) -> None:
    desk = staff(db, Role.FRONT_DESK)
    mid = funded_member(db, desk, birthday=date(1990, NOW.month, NOW.day))
    suite = add_resource(db, "牡丹厅")
    bid = add_booking(
        db, add_service(db), member_id=mid, guest_count=2, added_minutes=30, resource_ids=(suite,)
    )
    done = co.checkout(db, desk, bid, PaymentMethod.STORED_VALUE, at=NOW)
    number = card_number(db, mid)

    out = render_form(db, "receipt", done.checkout_id, tmp_path / "receipt.pdf")

    text = pdf_text(out)
    flat = compact(text)
    assert text.count("\f") == 1  # one slip
    for caption in (
        "结账小票", "小票号", "结账时间", "收银员", "客人", "会员卡", "会员等级", "服务项目",
        "服务时间", "房间/技师", "标价合计", "折扣", "应收", "付款方式", "储值余额",
        "本次积分", "积分余额",
    ):  # fmt: skip
        assert caption in flat, caption
    due = 89_400 * 8_360 // 10_000 + (1 if 89_400 * 8_360 % 10_000 >= 5_000 else 0)
    assert done.due_fen == due
    assert co.receipt_number(done.checkout_id) in flat
    assert "ClubDesk示范会所" in flat and "张晓明" in flat and "牡丹厅" in flat
    assert "足疗¥298.00×2位" in flat and "¥596.00" in flat and "加钟30分钟" in flat
    assert "¥298.00" in flat and "¥894.00" in flat  # 加钟 for two, and the list total
    assert "生日" in flat and f"-¥{(89_400 - due) / 100:,.2f}" in flat
    assert f"¥{due / 100:,.2f}" in flat and "储值卡" in flat
    assert f"¥{(110_000 - due) / 100:,.2f}" in flat  # the balance after
    assert f"+{due // 100}" in flat and desk.display_name in flat
    assert number not in flat and number[-4:] in flat  # the card number is masked
    assert "已反结账" not in flat


@needs_pdftotext
def test_reversed_receipt_carries_the_stamp_and_the_reason(db: Database, tmp_path: Path) -> None:
    desk = staff(db, Role.FRONT_DESK)
    manager = staff(db, Role.MANAGER)
    bid = add_booking(db, add_service(db), guest_name="王先生")
    done = co.checkout(db, desk, bid, PaymentMethod.WECHAT, at=NOW)
    co.reverse(db, manager, done.checkout_id, "重复收款", at=NOW + timedelta(minutes=10))

    flat = compact(pdf_text(render_form(db, "receipt", done.checkout_id, tmp_path / "r.pdf")))

    assert "已反结账" in flat and "重复收款" in flat and manager.display_name in flat
    assert "王先生" in flat and "散客" in flat and "微信支付" in flat and "¥298.00" in flat
    assert "积分余额" not in flat  # a walk-in earns no points


@needs_pdftotext
def test_command_line_prints_a_receipt_by_id_and_latest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from clubdesk.db.open import open_database

    path = tmp_path / "cli.sqlite3"
    db = open_database(path)
    desk = staff(db, Role.FRONT_DESK)
    first = co.checkout(
        db, desk, add_booking(db, add_service(db), guest_name="甲先生"), PaymentMethod.CASH, at=NOW
    )
    co.checkout(
        db, desk, add_booking(db, add_service(db, "按摩"), guest_name="乙女士"),
        PaymentMethod.CASH, at=NOW,
    )  # fmt: skip
    db.dispose()
    assert not FORMS["receipt"].blank_allowed
    by_id, latest = tmp_path / "first.pdf", tmp_path / "latest.pdf"

    assert cli.main(["print", "receipt", "--db", str(path), "--id", str(first.checkout_id),
                     "-o", str(by_id)]) == 0  # fmt: skip
    assert cli.main(["print", "receipt", "--db", str(path), "--id", "latest",
                     "-o", str(latest)]) == 0  # fmt: skip

    assert "甲先生" in pdf_text(by_id) and "乙女士" in pdf_text(latest)
    assert cli.main(["print", "--list"]) == 0
    assert "receipt" in capsys.readouterr().out


def test_the_receipt_shows_the_time_the_guest_actually_had(db: Database) -> None:
    desk = staff(db, Role.FRONT_DESK)
    bid = add_booking(db, add_service(db), guest_name="散客李先生")
    with db.write() as s:
        booking = s.get(Booking, bid)
        assert booking is not None
        booking.service_started_at = booking.start_at + timedelta(minutes=7)
        booking.finished_at = booking.end_at + timedelta(minutes=4)
        planned = (booking.start_at, booking.end_at)
    done = co.checkout(db, desk, bid, PaymentMethod.CASH, at=NOW)
    shown = co.receipt(db, done.checkout_id)
    assert (shown.start_at, shown.end_at) == (
        planned[0] + timedelta(minutes=7),
        planned[1] + timedelta(minutes=4),
    )

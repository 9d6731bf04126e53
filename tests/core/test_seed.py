"""The demo seeder: realistic, deterministic, and consistent wherever the rules say so."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.errors import DomainError
from clubdesk.models.enums import ComplaintStepKind, VipVisitStatus
from clubdesk.search_terms import member_terms
from clubdesk.seed import catalog
from clubdesk.seed.demo import SeedReport, seed_demo
from clubdesk.seed.names import name_initials
from clubdesk.seed.people import MAINLAND_PREFIXES
from clubdesk.services import complaint_rules
from clubdesk.settings import DEFINITIONS

MEMBERS = 2_000
SEED = 7
# Not the real today, so "now" is frozen at 15:00 and two seeds give the same data.
TODAY = date(2025, 3, 14)
NOW_TEXT = "2025-03-14 15:00:00.000000"  # as SQLAlchemy stores it, for text comparison


def _open(path: Path) -> Database:
    return open_database(path)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, SeedReport]]:
    path = tmp_path_factory.mktemp("seed") / "demo.sqlite3"
    db = _open(path)
    try:
        report = seed_demo(db, MEMBERS, seed=SEED, today=TODAY)
    finally:
        db.dispose()
    yield path, report


@pytest.fixture
def conn(seeded: tuple[Path, SeedReport]) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{seeded[0]}?mode=ro", uri=True)
    yield connection
    connection.close()


def _one(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def test_name_initials() -> None:
    assert name_initials("张晓明") == "zxm"
    assert name_initials("曾晓明") == "zxm cxm"  # zeng as a surname, ceng as people misread it
    assert name_initials("单田芳") == "stf dtf"
    assert name_initials("朴树") == "ps"  # piao / pu: one initial, stored once
    assert name_initials("欧阳娜娜") == "oynn"
    assert name_initials("司马光") == "smg"
    assert name_initials("阿不都·热合曼") == "abdrhm"
    assert name_initials("Tom Li") == "tl"
    assert name_initials("") == ""


def test_report_matches_the_tables(
    seeded: tuple[Path, SeedReport], conn: sqlite3.Connection
) -> None:
    report = seeded[1]
    assert report.members == MEMBERS == _one(conn, "SELECT COUNT(*) FROM members")
    assert report.cards == _one(conn, "SELECT COUNT(*) FROM cards") > MEMBERS
    assert report.ledger_entries == _one(conn, "SELECT COUNT(*) FROM ledger")
    assert report.bookings == _one(conn, "SELECT COUNT(*) FROM bookings")
    assert report.complaints == _one(conn, "SELECT COUNT(*) FROM complaints") == 40
    assert report.vip_visits == _one(conn, "SELECT COUNT(*) FROM vip_visits") == 20
    assert report.seconds > 0


def test_staff_accounts_and_club(conn: sqlite3.Connection) -> None:
    users = {u for (u,) in conn.execute("SELECT username FROM staff")}
    assert {"admin", "frontdesk", "supervisor", "manager", "director"} <= users
    roles = dict(conn.execute("SELECT role, COUNT(*) FROM staff GROUP BY role").fetchall())
    assert roles["therapist"] == 30 and roles["coach"] == 6 and roles["front_desk"] >= 3
    assert _one(conn, "SELECT COUNT(*) FROM staff WHERE password_hash IS NOT NULL") == 0
    assert 55 <= _one(conn, "SELECT COUNT(*) FROM resources") <= 65
    assert _one(conn, "SELECT COUNT(*) FROM resources WHERE staff_id IS NOT NULL") == 36
    assert 10 <= _one(conn, "SELECT COUNT(*) FROM services") <= 14
    assert _one(conn, "SELECT capacity FROM services WHERE name = '瑜伽团课'") == 20
    assert _one(conn, "SELECT capacity FROM services WHERE name = '观影'") == 60
    # Every therapist does some services; nobody is linked to a service twice.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM resources r WHERE r.kind = 'therapist' AND NOT EXISTS"
            " (SELECT 1 FROM resource_services rs WHERE rs.resource_id = r.id)",
        )
        == 0
    )


def test_phones_are_unique_valid_mainland_mobiles(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT phone, phone_last4, foreign_phone FROM members").fetchall()
    phones = [p for p, _, _ in rows]
    assert len(set(phones)) == len(phones) == MEMBERS
    for phone, last4, foreign in rows:
        assert re.fullmatch(r"1[3-9]\d{9}", phone), phone
        assert int(phone[:3]) in MAINLAND_PREFIXES
        assert last4 == phone[-4:]
        assert foreign == 0


def test_stored_initials_follow_the_names(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT name, name_initials FROM members").fetchall()
    assert all(initials == name_initials(name) for name, initials in rows)
    assert any(" " in initials for _, initials in rows)  # some 曾, 单, 覃 … surnames
    assert any(name[:2] in ("欧阳", "司马", "上官", "司徒") for name, _ in rows)


def test_members_look_like_a_club(conn: sqlite3.Connection) -> None:
    tiers = dict(conn.execute("SELECT tier_id, COUNT(*) FROM members GROUP BY tier_id").fetchall())
    assert set(tiers) == {1, 2, 3, 4, 5}
    assert tiers[1] > tiers[2] > tiers[3] > tiers[5]  # weighted toward ordinary
    categories = {c for (c,) in conn.execute("SELECT DISTINCT category FROM members")}
    assert categories == {"walk_in", "booked", "long_term", "vip"}
    first, last = conn.execute("SELECT MIN(joined_on), MAX(joined_on) FROM members").fetchone()
    assert date.fromisoformat(first) < TODAY - timedelta(days=4 * 365)
    assert date.fromisoformat(last) < TODAY
    assert _one(conn, "SELECT COUNT(*) FROM members WHERE birthday IS NULL") > 0
    assert _one(conn, "SELECT COUNT(*) FROM members WHERE referred_by_id >= id") == 0
    assert _one(conn, "SELECT COUNT(*) FROM members WHERE referred_by_id IS NOT NULL") > 100
    assert _one(conn, "SELECT COUNT(*) FROM members WHERE special_needs IS NOT NULL") > 50
    assert _one(conn, f"SELECT COUNT(*) FROM members WHERE last_visit_at > '{NOW_TEXT}'") == 0


def test_cards_one_current_per_member_and_reissues(conn: sqlite3.Connection) -> None:
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM members m WHERE (SELECT COUNT(*) FROM cards c"
            " WHERE c.member_id = m.id AND c.status != 'replaced') != 1",
        )
        == 0
    )
    assert _one(conn, "SELECT COUNT(*) FROM cards WHERE number NOT GLOB '8[0-9]*'") == 0
    assert _one(conn, "SELECT COUNT(*) FROM cards WHERE length(number) != 10") == 0
    replaced = _one(conn, "SELECT COUNT(*) FROM cards WHERE status = 'replaced'")
    assert replaced > 0
    assert replaced == _one(
        conn,
        "SELECT COUNT(*) FROM cards n JOIN cards o ON o.id = n.replaces_id"
        " WHERE o.status = 'replaced' AND o.member_id = n.member_id AND o.kind = n.kind",
    )
    share = _one(conn, "SELECT COUNT(*) FROM cards WHERE kind = 'stored_value'") / MEMBERS
    assert 0.3 < share < 0.5
    assert _one(conn, "SELECT COUNT(*) FROM cards WHERE status = 'frozen'") > 0


def test_card_balances_are_their_ledger(conn: sqlite3.Connection) -> None:
    bad = conn.execute(
        """
        SELECT c.id FROM cards c
        WHERE COALESCE((SELECT l.balance_after_fen FROM ledger l WHERE l.card_id = c.id
                        ORDER BY l.id DESC LIMIT 1), 0)
           != COALESCE((SELECT SUM(l.amount_fen) FROM ledger l WHERE l.card_id = c.id), 0)
        """
    ).fetchall()
    assert bad == []
    assert _one(conn, "SELECT COUNT(*) FROM ledger WHERE balance_after_fen < 0") == 0
    # A replaced card's balance went over to the new card.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM cards c WHERE c.status = 'replaced' AND COALESCE("
            "(SELECT SUM(amount_fen) FROM ledger l WHERE l.card_id = c.id), 0) != 0",
        )
        == 0
    )


def test_points_are_their_ledger(conn: sqlite3.Connection) -> None:
    bad = conn.execute(
        """
        SELECT m.id FROM members m
        WHERE COALESCE((SELECT l.points_after FROM ledger l WHERE l.member_id = m.id
                        ORDER BY l.id DESC LIMIT 1), 0)
           != COALESCE((SELECT SUM(l.points) FROM ledger l WHERE l.member_id = m.id), 0)
        """
    ).fetchall()
    assert bad == []
    assert _one(conn, "SELECT COUNT(*) FROM ledger WHERE points_after < 0") == 0


def test_running_totals_entry_by_entry(conn: sqlite3.Connection) -> None:
    balances: dict[int, int] = {}
    points: dict[int, int] = {}
    last_at = ""
    rows = conn.execute(
        "SELECT member_id, card_id, amount_fen, balance_after_fen, points, points_after, at"
        " FROM ledger ORDER BY id"
    )
    for member, card, amount, balance_after, pts, points_after, at in rows:
        if card is not None:
            balances[card] = balances.get(card, 0) + amount
            assert balance_after == balances[card]
        points[member] = points.get(member, 0) + pts
        assert points_after == points[member]
        assert at >= last_at  # ids follow time, as an append-only ledger's do
        last_at = at
    assert last_at <= NOW_TEXT


def test_ledger_kinds_and_details(conn: sqlite3.Connection) -> None:
    kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM ledger GROUP BY kind").fetchall())
    for kind in ("top_up", "bonus", "purchase", "points_earned", "points_redeemed"):
        assert kinds.get(kind, 0) > 0, kind
    assert kinds.get("transfer_in") == kinds.get("transfer_out")
    methods = {
        m
        for (m,) in conn.execute("SELECT DISTINCT payment_method FROM ledger WHERE kind = 'top_up'")
    }
    assert methods == set(catalog.PAYMENT_METHODS)
    # Money taken outside the card comes with how it was paid, and only a top-up (all of
    # it) or a purchase on a discount card takes any.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM ledger WHERE (payment_method IS NOT NULL) != (paid_fen > 0)",
        )
        == 0
    )
    assert _one(conn, "SELECT COUNT(*) FROM ledger WHERE paid_fen < 0") == 0
    assert (
        _one(conn, "SELECT COUNT(*) FROM ledger WHERE kind = 'top_up' AND paid_fen != amount_fen")
        == 0
    )
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM ledger l JOIN cards c ON c.id = l.card_id WHERE l.paid_fen > 0"
            " AND NOT (l.kind = 'top_up' OR (l.kind = 'purchase' AND c.kind = 'discount'))",
        )
        == 0
    )
    assert _one(conn, "SELECT COUNT(*) FROM ledger WHERE staff_id IS NULL") == 0
    assert _one(conn, "SELECT COUNT(*) FROM ledger WHERE reason IS NULL") == 0
    # Discount cards hold no money: only points move on them.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM ledger l JOIN cards c ON c.id = l.card_id"
            " WHERE c.kind = 'discount' AND (l.amount_fen != 0 OR l.balance_after_fen != 0)",
        )
        == 0
    )
    # Settled bookings were paid: from the card or, on a discount card, at the counter.
    assert _one(conn, "SELECT COUNT(*) FROM ledger WHERE booking_id IS NOT NULL") > 0


def test_every_paid_visit_has_its_purchase(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        """
        SELECT c.kind, l.amount_fen, l.paid_fen, l.payment_method, l.balance_after_fen,
               l.reason, (SELECT COUNT(*) FROM ledger p WHERE p.booking_id = b.id
                          AND p.kind = 'purchase'),
               s.list_price_fen * t.discount_bp / 10000 / 100 * 100, s.name
        FROM bookings b
        JOIN services s ON s.id = b.service_id
        JOIN members m ON m.id = b.member_id
        JOIN tiers t ON t.id = m.tier_id
        LEFT JOIN ledger l ON l.booking_id = b.id AND l.kind = 'purchase'
            AND l.member_id = b.member_id
        LEFT JOIN cards c ON c.id = l.card_id
        WHERE b.state = 'settled'
        """
    ).fetchall()
    kinds = {row[0] for row in rows}
    assert kinds == {"discount", "stored_value"}  # None: a settled visit without purchase
    for kind, amount, paid, method, balance, reason, purchases, price, service in rows:
        assert purchases == 1
        assert reason == f"消费：{service}"
        if kind == "discount":
            assert (amount, balance, paid) == (0, 0, price)
            assert method in catalog.PAYMENT_METHODS
        else:
            assert (amount, paid, method) == (-price, 0, None)


def test_discount_card_members_pay_at_the_counter(conn: sqlite3.Connection) -> None:
    """Every visit of a discount-card member earns points and takes money outside the card."""
    purchases = conn.execute(
        "SELECT l.amount_fen, l.balance_after_fen, l.paid_fen, l.payment_method, l.reason"
        " FROM ledger l JOIN cards c ON c.id = l.card_id"
        " WHERE c.kind = 'discount' AND l.kind = 'purchase'"
    ).fetchall()
    assert len(purchases) > MEMBERS // 2
    assert all(a == 0 and b == 0 and paid > 0 for a, b, paid, _, _ in purchases)
    assert {m for _, _, _, m, _ in purchases} == set(catalog.PAYMENT_METHODS)
    assert all(r.startswith("消费：") for *_, r in purchases)
    # Each purchase earns points (every tier earns at least a point a yuan), and points
    # are earned only on purchases: the two counts agree card by card.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM cards c WHERE c.kind = 'discount' AND"
            " (SELECT COUNT(*) FROM ledger l WHERE l.card_id = c.id AND l.kind = 'purchase')"
            " != (SELECT COUNT(*) FROM ledger l WHERE l.card_id = c.id"
            " AND l.kind = 'points_earned')",
        )
        == 0
    )
    visited = _one(
        conn,
        "SELECT COUNT(DISTINCT l.member_id) FROM ledger l JOIN cards c ON c.id = l.card_id"
        " WHERE c.kind = 'discount' AND l.kind = 'purchase'",
    )
    assert visited > _one(conn, "SELECT COUNT(*) FROM cards WHERE kind = 'discount'") // 2


def test_search_terms_follow_the_names(conn: sqlite3.Connection) -> None:
    stored: dict[int, list[str]] = {}
    for member_id, term in conn.execute(
        "SELECT member_id, term FROM member_search WHERE member_id % 10 = 3"
        " ORDER BY member_id, term"
    ):
        stored.setdefault(member_id, []).append(term)
    sample = conn.execute(
        "SELECT id, name, name_initials FROM members WHERE id % 10 = 3 ORDER BY id"
    ).fetchall()
    assert len(sample) == MEMBERS // 10
    assert {member_id: member_terms(name, initials) for member_id, name, initials in sample} == (
        stored
    )
    assert _one(conn, "SELECT COUNT(DISTINCT member_id) FROM member_search") == MEMBERS
    # The roster finds a member by a name fragment: "n" + the surname.
    member_id, name = conn.execute("SELECT id, name FROM members WHERE id = 1234").fetchone()
    assert (
        _one(
            conn,
            f"SELECT COUNT(*) FROM member_search WHERE term = 'n{name[0]}'"
            f" AND member_id = {member_id}",
        )
        == 1
    )


def test_birthday_month_day_follows_the_birthday(conn: sqlite3.Connection) -> None:
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM members WHERE birthday_mmdd IS NOT"
            " substr(birthday, 6, 2) || substr(birthday, 9, 2)",
        )
        == 0
    )
    assert _one(conn, "SELECT COUNT(*) FROM members WHERE birthday_mmdd IS NULL") > 0
    assert _one(conn, "SELECT COUNT(DISTINCT birthday_mmdd) FROM members") > 300


def test_redemptions_are_the_rewards_catalogue(conn: sqlite3.Connection) -> None:
    rewards = dict(conn.execute("SELECT name, points_cost FROM rewards").fetchall())
    for cost, reason in catalog.REDEMPTIONS:
        assert reason.startswith("积分兑换：")
        assert rewards[reason.removeprefix("积分兑换：")] == cost
    redeemed = conn.execute(
        "SELECT DISTINCT reason, -points FROM ledger WHERE kind = 'points_redeemed'"
    ).fetchall()
    assert redeemed and set(redeemed) <= {(r, c) for c, r in catalog.REDEMPTIONS}


def test_top_up_bonus_follows_the_rules(conn: sqlite3.Connection) -> None:
    from clubdesk.settings import DEFINITIONS

    rules = [list(rule) for rule in catalog.TOP_UP_BONUS]
    assert rules == DEFINITIONS["member.top_up_bonus"].default
    bonuses = conn.execute(
        """
        SELECT b.amount_fen, (SELECT t.amount_fen FROM ledger t WHERE t.card_id = b.card_id
                              AND t.kind = 'top_up' AND t.id < b.id ORDER BY t.id DESC LIMIT 1)
        FROM ledger b WHERE b.kind = 'bonus'
        """
    ).fetchall()
    assert bonuses
    for bonus, paid in bonuses:
        assert bonus == max(b for pay, b in rules if paid >= pay)


def _overlaps(conn: sqlite3.Connection, where: str) -> int:
    return _one(
        conn,
        f"""
        SELECT COUNT(*) FROM booking_resources a JOIN booking_resources b
          ON a.resource_id = b.resource_id AND a.id < b.id
        WHERE {where} AND a.start_at < b.end_at AND b.start_at < a.end_at
        """,
    )


def test_no_resource_is_double_booked(conn: sqlite3.Connection) -> None:
    assert _one(conn, "SELECT COUNT(*) FROM booking_resources WHERE active") > 100
    assert _overlaps(conn, "a.active AND b.active") == 0
    # Nor was anything ever used twice at once (加钟 only where the slot was free);
    # cancelled and no-show bookings hold nothing.
    held = "(SELECT state NOT IN ('cancelled', 'no_show') FROM bookings WHERE id = {}.booking_id)"
    assert _overlaps(conn, f"{held.format('a')} AND {held.format('b')}") == 0
    # Allocations span their booking.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM booking_resources br JOIN bookings b ON b.id = br.booking_id"
            " WHERE br.start_at != b.start_at OR br.end_at != b.end_at",
        )
        == 0
    )


def _business_hours(at: str) -> float:
    """Hours since the midnight that starts the business day of ``at`` (10:00 to 02:00)."""
    moment = datetime.fromisoformat(at)
    hours = moment.hour + moment.minute / 60
    return hours + 24 if hours < catalog.OPEN_HOUR else hours


def _shift(works_from: str, works_until: str) -> tuple[float, float]:
    start = _business_hours(f"2000-01-01 {works_from}")
    end = _business_hours(f"2000-01-01 {works_until}")
    return start, end if end > start else end + 24


def test_staff_work_their_shifts_and_rooms_the_opening_hours(conn: sqlite3.Connection) -> None:
    rooms = conn.execute(
        "SELECT works_from, works_until FROM resources WHERE staff_id IS NULL"
    ).fetchall()
    assert rooms and set(rooms) == {(None, None)}
    shifts = {
        (f[:5], u[:5])
        for f, u in conn.execute(
            "SELECT works_from, works_until FROM resources WHERE kind = 'therapist'"
        )
    }
    assert shifts == {("10:00", "18:00"), ("16:00", "02:00")}  # the late one past midnight
    rows = conn.execute(
        "SELECT r.works_from, r.works_until, br.start_at, br.end_at FROM booking_resources br"
        " JOIN resources r ON r.id = br.resource_id WHERE r.staff_id IS NOT NULL"
    ).fetchall()
    assert len(rows) > 500
    for works_from, works_until, start, end in rows:
        first, last = _shift(works_from, works_until)
        begins = _business_hours(start)
        length = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).seconds / 3600
        assert first <= begins and begins + length <= last, (works_from, works_until, start, end)
    # Every booking starts in opening hours and ends by 02:00.
    for start, end in conn.execute("SELECT start_at, end_at FROM bookings"):
        begins = _business_hours(start)
        length = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).seconds / 3600
        assert begins >= catalog.OPEN_HOUR and begins + length <= catalog.CLOSE_HOUR


def test_late_foot_massages_run_past_midnight(conn: sqlite3.Connection) -> None:
    for k in range(0, 4):  # today and the days ahead
        day = TODAY + timedelta(days=k)
        late = _one(
            conn,
            "SELECT COUNT(*) FROM bookings b JOIN services s ON s.id = b.service_id"
            f" WHERE s.category = 'foot' AND b.start_at >= '{day} 23:00'"
            f" AND b.start_at < '{day + timedelta(days=1)}'"
            f" AND b.end_at = '{day + timedelta(days=1)} 00:30:00.000000'",
        )
        assert late >= 1, day
    # The board of today shows bookings that end after midnight, still booked.
    assert (
        _one(
            conn,
            f"SELECT COUNT(*) FROM bookings WHERE start_at LIKE '{TODAY}%'"
            f" AND end_at > '{TODAY + timedelta(days=1)}' AND state = 'booked'",
        )
        > 0
    )


def test_sessions_hold_the_room_and_seats_hold_nothing(conn: sqlite3.Connection) -> None:
    hosts = conn.execute(
        "SELECT b.id, s.name, s.capacity, b.start_at, b.end_at, b.state, b.walk_in,"
        " b.settled_at, (SELECT group_concat(r.kind, ',') FROM (SELECT r.kind FROM"
        " booking_resources br JOIN resources r ON r.id = br.resource_id"
        " WHERE br.booking_id = b.id ORDER BY r.kind) r)"
        " FROM bookings b JOIN services s ON s.id = b.service_id"
        " WHERE b.member_id IS NULL AND b.guest_name IS NULL"
    ).fetchall()
    assert len(hosts) == 7 * len(catalog.SESSIONS)
    for _, name, capacity, start, end, state, walk_in, settled, kinds in hosts:
        assert capacity is not None and not walk_in and settled is None
        expected = (
            "finished" if end <= NOW_TEXT else "in_service" if start <= NOW_TEXT else "booked"
        )
        assert state == expected
        assert kinds == {"瑜伽团课": "area,coach", "观影": "area"}[name]
    assert {state for *_, state, _, _, _ in hosts} == {"booked", "in_service", "finished"}
    # The room is the service's own.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings b JOIN booking_resources br ON br.booking_id = b.id"
            " JOIN resources r ON r.id = br.resource_id WHERE b.session_id IS NULL"
            " AND b.member_id IS NULL AND b.guest_name IS NULL AND r.kind = 'area'"
            " AND NOT EXISTS (SELECT 1 FROM resource_services rs WHERE rs.resource_id = r.id"
            " AND rs.service_id = b.service_id)",
        )
        == 0
    )
    # A seat is a member's, of its session's service and time, and holds no resource.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings seat JOIN bookings host ON host.id = seat.session_id"
            " WHERE seat.member_id IS NULL OR host.session_id IS NOT NULL"
            " OR host.member_id IS NOT NULL OR host.guest_name IS NOT NULL"
            " OR seat.service_id != host.service_id OR seat.start_at != host.start_at"
            " OR seat.end_at != host.end_at OR seat.id < host.id",
        )
        == 0
    )
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM booking_resources br JOIN bookings b ON b.id = br.booking_id"
            " WHERE b.session_id IS NOT NULL",
        )
        == 0
    )
    # Every booking of a class or screening is a session or a seat in one.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings b JOIN services s ON s.id = b.service_id"
            " WHERE s.capacity IS NOT NULL AND b.session_id IS NULL"
            " AND (b.member_id IS NOT NULL OR b.guest_name IS NOT NULL)",
        )
        == 0
    )
    taken = conn.execute(
        "SELECT host.id, host.start_at, s.name, s.capacity, COUNT(*) FROM bookings seat"
        " JOIN bookings host ON host.id = seat.session_id"
        " JOIN services s ON s.id = host.service_id WHERE seat.state != 'cancelled'"
        " GROUP BY host.id"
    ).fetchall()
    assert len(taken) == len(hosts)
    assert all(seats <= capacity for *_, capacity, seats in taken)
    days, key, hour, minute = catalog.FULL_SESSION
    full = [(i, start, name) for i, start, name, capacity, seats in taken if seats == capacity]
    name = next(spec.name for spec in catalog.SERVICES if spec.key == key)
    assert [(start, n) for _, start, n in full] == [
        (f"{TODAY + timedelta(days=days)} {hour:02d}:{minute:02d}:00.000000", name)
    ]
    waiting = conn.execute(
        "SELECT state, wanted_from FROM waitlist WHERE session_id = ?", (full[0][0],)
    ).fetchall()
    assert waiting and all(w == ("waiting", full[0][1]) for w in waiting)


def test_every_settled_booking_has_its_checkout(conn: sqlite3.Connection) -> None:
    settled = _one(conn, "SELECT COUNT(*) FROM bookings WHERE state = 'settled'")
    assert settled > 200
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings b WHERE b.state = 'settled' AND (SELECT COUNT(*)"
            " FROM checkouts c WHERE c.booking_id = b.id AND c.reversed_at IS NULL) != 1",
        )
        == 0
    )
    assert _one(conn, "SELECT COUNT(*) FROM checkouts") == settled
    assert _one(conn, "SELECT COUNT(*) FROM checkouts WHERE reversed_at IS NOT NULL") == 0
    # A member's bill is the ledger's purchase: same charge, method, card, staff, time and
    # points; the price is the list price with the tier's discount, in whole yuan.
    rows = conn.execute(
        """
        SELECT c.member_id = b.member_id, c.list_fen, s.list_price_fen, c.discount_bp,
               t.discount_bp, c.discount_reason, t.name, c.due_fen,
               CASE WHEN l.amount_fen < 0 THEN -l.amount_fen ELSE l.paid_fen END,
               c.method, CASE WHEN l.amount_fen < 0 THEN 'stored_value'
                              ELSE l.payment_method END,
               c.card_id IS l.card_id, c.settled_by_id IS l.staff_id, c.settled_at, l.at,
               c.points_earned, (SELECT COALESCE(SUM(p.points), 0) FROM ledger p
                                 WHERE p.booking_id = b.id AND p.kind = 'points_earned')
        FROM checkouts c
        JOIN bookings b ON b.id = c.booking_id
        JOIN services s ON s.id = b.service_id
        JOIN members m ON m.id = b.member_id
        JOIN tiers t ON t.id = m.tier_id
        JOIN ledger l ON l.booking_id = b.id AND l.kind = 'purchase'
        """
    ).fetchall()
    assert len(rows) == _one(conn, "SELECT COUNT(*) FROM checkouts WHERE member_id IS NOT NULL")
    assert len(rows) > 200
    methods = set()
    for (same, list_fen, price, bp, tier_bp, reason, tier, due, charged, method, ledger_method,
         same_card, same_staff, at, ledger_at, points, ledger_points) in rows:  # fmt: skip
        assert same and same_card and same_staff
        assert (list_fen, bp, due, method, at, points) == (
            price, tier_bp, charged, ledger_method, ledger_at, ledger_points
        )  # fmt: skip
        assert due == price * bp // 10_000 // 100 * 100 and due > 0
        assert reason.startswith(tier) and "折" in reason
        assert points > 0
        methods.add(method)
    assert methods == {"stored_value", *catalog.PAYMENT_METHODS}
    # A walk-in guest paid the list price at the counter, without a card or points.
    walk_ins = conn.execute(
        "SELECT c.list_fen, c.due_fen, s.list_price_fen, c.discount_bp, c.method, c.card_id,"
        " c.points_earned, c.settled_at = b.settled_at, c.settled_by_id = b.received_by_id"
        " FROM checkouts c JOIN bookings b ON b.id = c.booking_id"
        " JOIN services s ON s.id = b.service_id WHERE c.member_id IS NULL"
    ).fetchall()
    assert walk_ins and len(walk_ins) == _one(
        conn, "SELECT COUNT(*) FROM bookings WHERE state = 'settled' AND member_id IS NULL"
    )
    for list_fen, due, price, bp, method, card, points, same_time, same_staff in walk_ins:
        assert (list_fen, due, bp, card, points) == (price, price, 10_000, None, 0)
        assert method in catalog.PAYMENT_METHODS and same_time and same_staff
    # Ids follow the time the bills were settled.
    times = [at for (at,) in conn.execute("SELECT settled_at FROM checkouts ORDER BY id")]
    assert times == sorted(times) and times[-1] <= NOW_TEXT


def test_walk_ins_were_received_at_the_door(conn: sqlite3.Connection) -> None:
    walk_ins = _one(conn, "SELECT COUNT(*) FROM bookings WHERE walk_in")
    assert walk_ins > 30
    # Seated ↔ a walk-in booking: each walk-in booking has exactly one reception.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings b WHERE b.walk_in AND (SELECT COUNT(*) FROM"
            " receptions r WHERE r.booking_id = b.id AND r.outcome = 'seated') != 1",
        )
        == 0
    )
    seated = conn.execute(
        "SELECT b.walk_in, r.staff_id = b.received_by_id, r.guest_name = b.guest_name,"
        " r.received_at < b.created_at AND b.created_at <= b.arrived_at, r.closed_at, r.need,"
        " r.left_reason, s.name FROM receptions r JOIN bookings b ON b.id = r.booking_id"
        " JOIN services s ON s.id = b.service_id"
    ).fetchall()
    assert (
        len(seated)
        == walk_ins
        == _one(conn, "SELECT COUNT(*) FROM receptions WHERE outcome = 'seated'")
    )
    needs = {spec.name: catalog.RECEPTION_NEEDS[spec.key] for spec in catalog.SERVICES
             if spec.key in catalog.RECEPTION_NEEDS}  # fmt: skip
    for walk_in, same_staff, same_guest, in_order, closed, need, left_reason, service in seated:
        assert walk_in and same_staff and same_guest and in_order
        assert closed is not None and left_reason is None and need in needs[service]
    # About a tenth as many again left without a booking, and said why.
    left = conn.execute(
        "SELECT booking_id, left_reason, received_at, closed_at FROM receptions"
        " WHERE outcome = 'left'"
    ).fetchall()
    assert 0.05 * walk_ins <= len(left) <= 0.12 * walk_ins
    for booking_id, reason, received, closed in left:
        assert booking_id is None and reason in catalog.LEFT_REASONS
        assert received < closed <= NOW_TEXT
    # One or two guests are in the lounge right now, received in the last ten minutes.
    lounge = conn.execute(
        "SELECT received_at, closed_at, booking_id, left_reason, staff_id FROM receptions"
        " WHERE outcome IS NULL"
    ).fetchall()
    assert 1 <= len(lounge) <= 2
    ten_minutes_ago = str(datetime.fromisoformat(NOW_TEXT) - timedelta(minutes=10))
    for received, closed, booking_id, reason, staff in lounge:
        assert ten_minutes_ago <= received < NOW_TEXT
        assert (closed, booking_id, reason) == (None, None, None) and staff is not None
    assert _one(conn, "SELECT COUNT(*) FROM receptions WHERE member_id IS NOT NULL") == 0


def test_some_massages_went_on_longer(conn: sqlite3.Connection) -> None:
    added = conn.execute(
        "SELECT b.added_minutes, (julianday(b.end_at) - julianday(b.start_at)) * 1440,"
        " s.duration_min, s.category, b.state,"
        " (julianday(b.finished_at) - julianday(b.end_at)) * 1440"
        " FROM bookings b JOIN services s ON s.id = b.service_id WHERE b.added_minutes != 0"
    ).fetchall()
    eligible = _one(
        conn,
        "SELECT COUNT(*) FROM bookings b JOIN services s ON s.id = b.service_id"
        " WHERE s.category IN ('massage', 'foot') AND b.state IN ('finished', 'settled')",
    )
    assert 0.04 * eligible <= len(added) <= 0.06 * eligible
    for minutes, length, duration, category, state, finished_late in added:
        assert minutes == 30 and round(length) == duration + 30
        assert category in ("massage", "foot") and state in ("finished", "settled")
        assert round(finished_late) == 0
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings b JOIN services s ON s.id = b.service_id"
            " WHERE b.added_minutes = 0"
            " AND round((julianday(b.end_at) - julianday(b.start_at)) * 1440) != s.duration_min",
        )
        == 0
    )


def test_waitlist_for_busy_evenings_and_the_full_class(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT member_id, guest_name, contact, state, notified_at, wanted_from, wanted_until,"
        " created_at, resource_id, session_id FROM waitlist"
    ).fetchall()
    assert 5 <= len(rows) <= 10
    states = [state for _, _, _, state, *_ in rows]
    assert states.count("notified") == 1 and set(states) == {"waiting", "notified"}
    days = set()
    for member, guest, contact, state, notified, wanted_from, until, created, _, _ in rows:
        assert (member is None) == (guest is not None) == (contact is not None)
        assert (notified is not None) == (state == "notified")
        assert created < (notified or NOW_TEXT) <= NOW_TEXT < wanted_from < until
        assert "18:00" <= wanted_from[11:16] <= "20:00"
        days.add(wanted_from[:10])
    assert days == {str(TODAY), str(TODAY + timedelta(days=1))}
    # A preferred therapist is one who is booked then.
    preferred = conn.execute(
        "SELECT w.resource_id, (SELECT COUNT(*) FROM booking_resources br"
        " WHERE br.resource_id = w.resource_id AND br.active"
        " AND br.start_at < w.wanted_until AND w.wanted_from < br.end_at)"
        " FROM waitlist w WHERE w.resource_id IS NOT NULL"
    ).fetchall()
    assert preferred and all(busy > 0 for _, busy in preferred)


def test_bookings_fit_the_week_and_the_clock(conn: sqlite3.Connection) -> None:
    # Per day: 125 to 170 bookings with a room and a therapist or coach, plus one to three
    # late foot massages (a few may not find a free member or room); each class or
    # screening of the timetable once; its seats.
    per_day = conn.execute(
        "SELECT substr(start_at, 1, 10), SUM(session_id IS NULL AND (member_id IS NOT NULL"
        " OR guest_name IS NOT NULL)), SUM(member_id IS NULL AND guest_name IS NULL),"
        " SUM(session_id IS NOT NULL) FROM bookings GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [d for d, *_ in per_day] == [str(TODAY + timedelta(days=k)) for k in range(-3, 4)]
    assert all(120 <= n <= 173 for _, n, _, _ in per_day), per_day
    assert all(hosts == len(catalog.SESSIONS) for _, _, hosts, _ in per_day), per_day
    assert all(seats >= len(catalog.SESSIONS) * 4 for *_, seats in per_day), per_day
    now = NOW_TEXT
    states = dict(conn.execute("SELECT state, COUNT(*) FROM bookings GROUP BY state").fetchall())
    assert set(states) == {
        "booked", "arrived", "in_service", "finished", "settled", "cancelled", "no_show"
    }  # fmt: skip
    assert (
        _one(
            conn,
            f"SELECT COUNT(*) FROM bookings WHERE end_at <= '{now}'"
            " AND state IN ('booked', 'arrived', 'in_service')",
        )
        == 0
    )
    assert (
        _one(
            conn,
            f"SELECT COUNT(*) FROM bookings WHERE start_at > '{now}'"
            " AND state IN ('finished', 'settled', 'no_show', 'in_service')",
        )
        == 0
    )
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM booking_resources br JOIN bookings b ON b.id = br.booking_id"
            " WHERE br.active != (b.state IN ('booked', 'arrived', 'in_service'))",
        )
        == 0
    )
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings WHERE state = 'cancelled' AND cancel_reason IS NULL",
        )
        == 0
    )
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings WHERE walk_in"
            " AND (member_id IS NOT NULL OR guest_name NOT LIKE '散客%')",
        )
        == 0
    )
    assert _one(conn, "SELECT COUNT(*) FROM bookings WHERE walk_in AND member_id IS NULL") > 0
    assert _one(conn, "SELECT COUNT(*) FROM bookings WHERE satisfaction IS NOT NULL") > 0
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings WHERE satisfaction IS NOT NULL"
            " AND state NOT IN ('finished', 'settled')",
        )
        == 0
    )
    # A massage or foot booking holds a room and a therapist.
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM bookings b JOIN services s ON s.id = b.service_id"
            " WHERE s.capacity IS NULL AND (SELECT COUNT(*) FROM booking_resources br"
            " WHERE br.booking_id = b.id) != 2",
        )
        == 0
    )


def test_complaints_at_every_step(conn: sqlite3.Connection) -> None:
    steps = {s for (s,) in conn.execute("SELECT DISTINCT step FROM complaints")}
    assert steps == {k.value for k in complaint_rules.WORKFLOW}
    order = [k.value for k in complaint_rules.WORKFLOW]
    for cid, step, justified, received, due, closed in conn.execute(
        "SELECT id, step, justified, received_at, due_at, closed_at FROM complaints"
    ).fetchall():
        history = [
            (s, at)
            for s, at in conn.execute(
                "SELECT step, at FROM complaint_steps WHERE complaint_id = ? ORDER BY id", (cid,)
            )
        ]
        assert history[0] == ("intake", received)
        assert history[-1][0] == step
        assert [at for _, at in history] == sorted(at for _, at in history)
        assert history[-1][1] <= NOW_TEXT
        if justified == 0:
            assert [s for s, _ in history] == ["intake", "judgement", "closed"]
        else:
            assert [s for s, _ in history] == order[: order.index(step) + 1]
        # The deadline is the next step's, counted from the last step done.
        following = complaint_rules.next_step(ComplaintStepKind(step))
        allowance = (
            timedelta(hours=DEFINITIONS[complaint_rules.DUE_SETTING[following]].default)
            if following
            else timedelta(0)
        )
        assert datetime.fromisoformat(due) - datetime.fromisoformat(history[-1][1]) == allowance
        assert (closed is not None) == (step == "closed")
    numbers = [n for (n,) in conn.execute("SELECT number FROM complaints")]
    assert all(re.fullmatch(r"TS\d{8}-\d{3}", n) for n in numbers)
    assert _one(conn, "SELECT COUNT(*) FROM complaints WHERE sensitive") >= 2
    assert _one(conn, "SELECT COUNT(*) FROM complaints WHERE justified = 0") >= 2
    assert _one(conn, "SELECT COUNT(*) FROM complaints WHERE compensation_fen > 0") > 0
    overdue = _one(
        conn, f"SELECT COUNT(*) FROM complaints WHERE step = 'intake' AND due_at < '{NOW_TEXT}'"
    )
    assert overdue > 0


def test_return_visits_planned_and_done(conn: sqlite3.Connection) -> None:
    planned = conn.execute(
        "SELECT due_on FROM return_visits WHERE done_at IS NULL AND due_on >= ?", (str(TODAY),)
    ).fetchall()
    assert planned and all(d <= str(TODAY + timedelta(days=3)) for (d,) in planned)
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM return_visits WHERE done_at IS NOT NULL"
            " AND outcome IS NOT NULL AND channel IS NOT NULL AND staff_id IS NOT NULL",
        )
        > 0
    )
    assert _one(conn, f"SELECT COUNT(*) FROM return_visits WHERE done_at > '{NOW_TEXT}'") == 0
    sources = {s for (s,) in conn.execute("SELECT DISTINCT source FROM return_visits")}
    assert {"service", "complaint", "periodic"} <= sources


def test_vip_visits_at_every_status_with_checklists(conn: sqlite3.Connection) -> None:
    statuses = {s for (s,) in conn.execute("SELECT DISTINCT status FROM vip_visits")}
    assert statuses == {s.value for s in VipVisitStatus}
    arrivals = {d for (d,) in conn.execute("SELECT DISTINCT arrival_date FROM vip_visits")}
    assert {str(TODAY), str(TODAY + timedelta(days=1))} <= arrivals
    for visit_id, status, level_id in conn.execute(
        "SELECT id, status, level_id FROM vip_visits"
    ).fetchall():
        items = conn.execute(
            "SELECT kind, name, unit_cost_fen FROM vip_checklist_items WHERE visit_id = ?",
            (visit_id,),
        ).fetchall()
        if status in ("requested", "cancelled"):
            assert items == []
            continue
        amenities = _one(conn, f"SELECT COUNT(*) FROM amenity_items WHERE level_id = {level_id}")
        assert sum(kind == "amenity" for kind, _, _ in items) == amenities
        assert [name for kind, name, _ in items if kind == "step"] == [
            "预订确认", "准备工作（通知各部门）", "抵达迎接", "个性化服务", "沟通与反馈",
            "欢送（赠送礼品）", "跟进回访（感谢信或电话）",
        ]  # fmt: skip
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM vip_checklist_items"
            " WHERE (done_at IS NULL) != (done_by_id IS NULL)",
        )
        == 0
    )
    assert _one(conn, "SELECT COUNT(*) FROM vip_checklist_items WHERE done_at IS NOT NULL") > 0
    assert _one(conn, f"SELECT COUNT(*) FROM vip_checklist_items WHERE done_at > '{NOW_TEXT}'") == 0
    assert (
        _one(
            conn,
            "SELECT COUNT(*) FROM vip_visits WHERE status IN ('approved', 'arrived', 'departed')"
            " AND (approved_by_id IS NULL OR approved_at IS NULL)",
        )
        == 0
    )


def test_schema_and_connection_settings_are_left_as_migrations_made_them(
    seeded: tuple[Path, SeedReport], tmp_path: Path
) -> None:
    fresh = _open(tmp_path / "fresh.sqlite3")
    fresh.dispose()
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as a, sqlite3.connect(seeded[0]) as b:
        assert a.execute(schema).fetchall() == b.execute(schema).fetchall()
        assert b.execute("PRAGMA foreign_key_check").fetchall() == []
        assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    a.close()
    b.close()

    db = _open(tmp_path / "again.sqlite3")
    try:
        seed_demo(db, 50, seed=SEED, today=TODAY)
        raw = db.raw_sqlite_connection()  # the pooled connection the seeder used
        try:
            assert raw.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert raw.execute("PRAGMA threads").fetchone()[0] == 0
        finally:
            raw.close()
    finally:
        db.dispose()


def test_orm_reads_the_seeded_rows(seeded: tuple[Path, SeedReport]) -> None:
    from clubdesk.services import bookings, roster

    db = _open(seeded[0])
    try:
        today = bookings.day_bookings(db, TODAY)
        assert today and all(row.start_at.date() == TODAY for row in today)
        page = roster.page(db)
        assert len(page) == roster.PAGE_SIZE and page[0].id == MEMBERS
        assert all(row.card_number for row in page)
    finally:
        db.dispose()


def test_seeding_twice_is_refused(seeded: tuple[Path, SeedReport]) -> None:
    db = _open(seeded[0])
    try:
        with pytest.raises(DomainError) as info:
            seed_demo(db, 10, today=TODAY)
        assert "会员" in info.value.message
    finally:
        db.dispose()


def test_same_seed_same_data(seeded: tuple[Path, SeedReport], tmp_path: Path) -> None:
    db = _open(tmp_path / "twin.sqlite3")
    try:
        seed_demo(db, MEMBERS, seed=SEED, today=TODAY)
    finally:
        db.dispose()
    tables = (
        "staff", "members", "member_search", "cards", "ledger", "bookings", "booking_resources",
        "checkouts", "receptions", "waitlist", "complaints", "complaint_steps", "return_visits",
        "vip_visits", "vip_checklist_items",
    )  # fmt: skip
    with sqlite3.connect(seeded[0]) as a, sqlite3.connect(tmp_path / "twin.sqlite3") as b:
        for table in tables:
            query = f"SELECT * FROM {table} ORDER BY 1"
            assert a.execute(query).fetchall() == b.execute(query).fetchall(), table
    a.close()
    b.close()


def test_another_seed_other_data(tmp_path: Path) -> None:
    db = _open(tmp_path / "other.sqlite3")
    try:
        seed_demo(db, 100, seed=SEED + 1, today=TODAY)
        with db.read() as session:
            from sqlalchemy import text

            names = session.execute(text("SELECT name FROM members ORDER BY id")).scalars().all()
    finally:
        db.dispose()
    twin = _open(tmp_path / "twin.sqlite3")
    try:
        seed_demo(twin, 100, seed=SEED, today=TODAY)
        with twin.read() as session:
            from sqlalchemy import text

            others = session.execute(text("SELECT name FROM members ORDER BY id")).scalars().all()
    finally:
        twin.dispose()
    assert names != others


def test_progress_reports_every_stage(tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        seen.append((stage, done, total))

    db = _open(tmp_path / "p.sqlite3")
    try:
        seed_demo(db, 300, seed=SEED, today=TODAY, progress=progress)
    finally:
        db.dispose()
    assert seen[-1] == ("完成", 1, 1)
    assert all(0 <= done <= total for _, done, total in seen)
    assert any(stage.startswith("生成会员") for stage, _, _ in seen)


class Cancelled(Exception):
    pass


@pytest.mark.parametrize("stage", ["生成会员", "写入储值", "建立索引", "生成投诉"])
def test_a_cancel_removes_the_half_written_demo(stage: str, tmp_path: Path) -> None:
    def cancel(label: str, done: int, total: int) -> None:
        if label.startswith(stage) and done > 0:
            raise Cancelled

    path = tmp_path / "c.sqlite3"
    db = _open(path)
    try:
        with pytest.raises(Cancelled):
            seed_demo(db, 3_000, seed=SEED, today=TODAY, progress=cancel)
        seed_demo(db, 20, seed=SEED, today=TODAY)  # nothing of the first try is left
    finally:
        db.dispose()
    fresh = _open(tmp_path / "fresh.sqlite3")
    fresh.dispose()
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as a, sqlite3.connect(path) as b:
        assert a.execute(schema).fetchall() == b.execute(schema).fetchall()
        assert b.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 20
        assert b.execute("SELECT COUNT(*) FROM staff").fetchone()[0] == 46
    a.close()
    b.close()


def test_an_installation_admin_account_is_reused(tmp_path: Path) -> None:
    db = _open(tmp_path / "admin.sqlite3")
    try:
        with db.write() as session:
            from clubdesk.models import Staff
            from clubdesk.models.enums import Role

            session.add(Staff(username="admin", display_name="店长", role=Role.ADMIN))
        seed_demo(db, 10, seed=SEED, today=TODAY)
        with db.read() as session:
            from sqlalchemy import text

            admins = session.execute(
                text("SELECT display_name FROM staff WHERE username = 'admin'")
            ).all()
    finally:
        db.dispose()
    assert admins == [("店长",)]


@pytest.mark.parametrize("hour, minute", [(0, 40), (1, 55), (9, 0), (10, 5), (23, 50)])
def test_the_demo_is_consistent_at_any_hour(
    hour: int, minute: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeding for the real today uses the wall clock: after midnight, before opening,
    just after opening and late in the evening the rules hold just the same."""
    from clubdesk.seed import demo

    now = datetime.combine(TODAY, datetime.min.time()).replace(hour=hour, minute=minute)
    monkeypatch.setattr(demo, "_today_and_now", lambda today: (TODAY, now))
    path = tmp_path / "hour.sqlite3"
    db = _open(path)
    try:
        seed_demo(db, 400, seed=SEED, today=TODAY)
    finally:
        db.dispose()
    now_text = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert _overlaps(conn, "a.active AND b.active") == 0
        assert (
            _one(
                conn,
                "SELECT COUNT(*) FROM bookings WHERE"
                f" (end_at <= '{now_text}' AND state IN ('booked', 'arrived', 'in_service'))"
                f" OR (start_at > '{now_text}' AND state IN ('finished', 'settled', 'no_show',"
                " 'in_service')) OR settled_at > "
                f"'{now_text}' OR arrived_at > '{now_text}' OR created_at > '{now_text}'",
            )
            == 0
        )
        hosts = conn.execute(
            "SELECT start_at, end_at, state FROM bookings"
            " WHERE member_id IS NULL AND guest_name IS NULL"
        ).fetchall()
        assert len(hosts) == 7 * len(catalog.SESSIONS)
        for start, end, state in hosts:
            expected = (
                "finished" if end <= now_text else "in_service" if start <= now_text else "booked"
            )
            assert state == expected
        assert (
            _one(
                conn,
                "SELECT COUNT(*) FROM (SELECT COUNT(*) AS n, MAX(s.capacity) AS capacity"
                " FROM bookings seat JOIN services s ON s.id = seat.service_id"
                " WHERE seat.session_id IS NOT NULL AND seat.state != 'cancelled'"
                " GROUP BY seat.session_id) WHERE n > capacity",
            )
            == 0
        )
        assert (
            _one(
                conn,
                "SELECT COUNT(*) FROM bookings b WHERE b.state = 'settled' AND (SELECT COUNT(*)"
                " FROM checkouts c WHERE c.booking_id = b.id) != 1",
            )
            == 0
        )
        assert _one(conn, "SELECT COUNT(*) FROM checkouts") > 0
        assert (
            _one(
                conn,
                "SELECT COUNT(*) FROM checkouts c JOIN ledger l ON l.booking_id = c.booking_id"
                " AND l.kind = 'purchase' WHERE c.due_fen != CASE WHEN l.amount_fen < 0"
                " THEN -l.amount_fen ELSE l.paid_fen END",
            )
            == 0
        )
        assert _one(conn, f"SELECT COUNT(*) FROM checkouts WHERE settled_at > '{now_text}'") == 0
        assert (
            _one(
                conn,
                "SELECT COUNT(*) FROM bookings b WHERE b.walk_in != EXISTS (SELECT 1"
                " FROM receptions r WHERE r.booking_id = b.id AND r.outcome = 'seated')",
            )
            == 0
        )
        assert (
            _one(
                conn,
                f"SELECT COUNT(*) FROM receptions WHERE received_at > '{now_text}'"
                f" OR closed_at > '{now_text}'",
            )
            == 0
        )
        lounge = _one(conn, "SELECT COUNT(*) FROM receptions WHERE outcome IS NULL")
        assert (1 <= lounge <= 2) if hour >= 10 or hour < 2 else lounge == 0
        waiting = conn.execute(
            "SELECT wanted_from, created_at, notified_at FROM waitlist"
        ).fetchall()
        assert len(waiting) >= 5
        for wanted_from, created, notified in waiting:
            assert created < now_text < wanted_from and (notified or now_text) <= now_text
        for works_from, works_until, start, end in conn.execute(
            "SELECT r.works_from, r.works_until, br.start_at, br.end_at FROM booking_resources br"
            " JOIN resources r ON r.id = br.resource_id WHERE r.staff_id IS NOT NULL"
        ):
            first, last = _shift(works_from, works_until)
            begins = _business_hours(start)
            length = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).seconds / 3600
            assert first <= begins and begins + length <= last
    conn.close()


def test_a_demo_without_members_refers_to_nobody(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    db = _open(path)
    try:
        report = seed_demo(db, 0, seed=SEED, today=TODAY)
    finally:
        db.dispose()
    assert (report.members, report.cards, report.ledger_entries) == (0, 0, 0)
    with sqlite3.connect(path) as conn:
        for table in ("members", "member_search", "cards", "ledger"):
            assert _one(conn, f"SELECT COUNT(*) FROM {table}") == 0, table
        # Walk-in guests and anonymous complaints only.
        assert report.bookings > 0
        assert _one(conn, "SELECT COUNT(*) FROM bookings WHERE walk_in") > 0
        tables = (
            "bookings", "checkouts", "receptions", "waitlist", "complaints", "return_visits",
            "vip_visits",
        )  # fmt: skip
        for table in tables:
            assert _one(conn, f"SELECT COUNT(*) FROM {table} WHERE member_id IS NOT NULL") == 0
        # The walk-ins' bills, paid at the counter.
        assert _one(conn, "SELECT COUNT(*) FROM checkouts") == _one(
            conn, "SELECT COUNT(*) FROM bookings WHERE state = 'settled'"
        )
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_negative_count_is_refused(tmp_path: Path) -> None:
    db = _open(tmp_path / "n.sqlite3")
    try:
        with pytest.raises(DomainError):
            seed_demo(db, -1, today=TODAY)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_postgres_gets_the_same_kind_of_demo(pg_url: str) -> None:
    from sqlalchemy import text

    db = open_database(pg_url)
    try:
        report = seed_demo(db, 200, seed=SEED, today=TODAY)
        assert report.members == 200
        with db.read() as session:
            assert session.execute(text("SELECT COUNT(*) FROM members")).scalar() == 200
            bad = session.execute(
                text(
                    "SELECT COUNT(*) FROM cards c WHERE COALESCE((SELECT l.balance_after_fen"
                    " FROM ledger l WHERE l.card_id = c.id ORDER BY l.id DESC LIMIT 1), 0)"
                    " != COALESCE((SELECT SUM(l.amount_fen) FROM ledger l"
                    " WHERE l.card_id = c.id), 0)"
                )
            ).scalar()
            assert bad == 0
            members = session.execute(text("SELECT id, name, name_initials FROM members")).all()
            terms: dict[int, list[str]] = {}
            for member_id, term in session.execute(
                text("SELECT member_id, term FROM member_search ORDER BY member_id, term")
            ):
                terms.setdefault(member_id, []).append(term)
            assert terms == {i: member_terms(name, initials) for i, name, initials in members}
            assert (
                session.execute(
                    text(
                        "SELECT COUNT(*) FROM members WHERE birthday_mmdd IS DISTINCT FROM"
                        " to_char(birthday, 'MMDD')"
                    )
                ).scalar()
                == 0
            )
            counter = session.execute(
                text(
                    "SELECT COUNT(*), MIN(l.paid_fen), MAX(ABS(l.amount_fen)) FROM ledger l"
                    " JOIN cards c ON c.id = l.card_id"
                    " WHERE c.kind = 'discount' AND l.kind = 'purchase'"
                )
            ).one()
            assert counter[0] > 0 and counter[1] > 0 and counter[2] == 0
            # The bookings went in past the exclusion constraint on overlapping active
            # allocations; every settled one has its bill; walk-ins their reception.
            assert session.execute(text("SELECT COUNT(*) FROM booking_resources")).scalar()
            settled = session.execute(
                text("SELECT COUNT(*) FROM bookings WHERE state = 'settled'")
            ).scalar()
            assert (
                settled
                and settled == session.execute(text("SELECT COUNT(*) FROM checkouts")).scalar()
            )
            assert (
                session.execute(
                    text("SELECT COUNT(*) FROM receptions WHERE outcome = 'seated'")
                ).scalar()
                == session.execute(text("SELECT COUNT(*) FROM bookings WHERE walk_in")).scalar()
            )
            assert session.execute(text("SELECT COUNT(*) FROM waitlist")).scalar()
            assert session.execute(
                text("SELECT COUNT(*) FROM resources WHERE kind = 'room' AND works_from IS NULL")
            ).scalar()
        # Sequences were moved past the explicit ids: the next insert gets a fresh id.
        with db.write() as session:
            from clubdesk.models import Staff
            from clubdesk.models.enums import Role

            staff = Staff(username="newcomer", display_name="新同事", role=Role.FRONT_DESK)
            session.add(staff)
            session.flush()
            assert staff.id > 40
        with pytest.raises(DomainError):
            seed_demo(db, 10, today=TODAY)
    finally:
        db.dispose()


@pytest.mark.parametrize("cancel_at_done", [0, 1])
def test_a_cancel_never_removes_staff_the_demo_did_not_add(
    cancel_at_done: int, tmp_path: Path
) -> None:
    """Regression: a cancel before the staff stage deleted every existing account."""

    def cancel(label: str, done: int, total: int) -> None:
        if done >= cancel_at_done:
            raise Cancelled

    db = _open(tmp_path / "keep.sqlite3")
    try:
        with db.write() as session:
            from clubdesk.models import Staff
            from clubdesk.models.enums import Role

            session.add(Staff(id=7, username="boss", display_name="老板", role=Role.DIRECTOR))
        with pytest.raises(Cancelled):
            seed_demo(db, 500, seed=SEED, today=TODAY, progress=cancel)
        with db.read() as session:
            from sqlalchemy import text

            rows = session.execute(text("SELECT id, username FROM staff")).all()
    finally:
        db.dispose()
    assert [tuple(r) for r in rows] == [(7, "boss")]


def test_every_complaint_compensation_is_in_the_ledger(conn: sqlite3.Connection) -> None:
    """The statistics' compensation total is money that reached a stored-value card."""
    rows = conn.execute(
        "SELECT c.number, c.compensation_fen, "
        "  (SELECT COALESCE(SUM(l.amount_fen), 0) FROM ledger l "
        "   WHERE l.kind = 'compensation' AND l.reason LIKE '%' || c.number || '%') "
        "FROM complaints c WHERE c.compensation_fen > 0"
    ).fetchall()
    assert rows
    assert [(n, paid) for n, paid, _ in rows] == [(n, ledger) for n, _, ledger in rows]

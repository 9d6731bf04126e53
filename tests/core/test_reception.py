"""Walk-in reception (带客): receive, seat, leave; the guests in service; the figures."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound, PermissionDenied
from clubdesk.models import AuditEntry, Booking, BookingResource, Member, Reception, Staff, Tier
from clubdesk.models.enums import (
    BookingState,
    ReceptionOutcome,
    ResourceKind,
    Role,
    Satisfaction,
    ServiceCategory,
)
from clubdesk.services import bookings, catalog, reception
from clubdesk.services.booking_rules import BookingConflict, IllegalTransition
from clubdesk.services.bookings import BookingDraft
from clubdesk.services.catalog import ResourceInput, ServiceInput
from clubdesk.services.staff import StaffMember

NOW = datetime(2026, 11, 23, 15, 0)


def _staff(db: Database, role: Role, username: str, name: str) -> StaffMember:
    with db.write() as session:
        row = Staff(username=username, display_name=name, role=role)
        session.add(row)
        session.flush()
        return StaffMember(row.id, row.username, row.display_name, row.role)


@dataclass
class Club:
    desk: StaffMember
    desk2: StaffMember
    massage: int
    foot: int
    room1: int
    room2: int
    li: int  # therapist 李娜
    wang: int  # therapist 王芳


@pytest.fixture
def club(db: Database) -> Club:
    manager = _staff(db, Role.MANAGER, "manager", "周经理")
    desk = _staff(db, Role.FRONT_DESK, "desk", "陈静")
    desk2 = _staff(db, Role.FRONT_DESK, "desk2", "王婷")
    massage = catalog.save_service(
        db, manager, ServiceInput("中式按摩60分钟", ServiceCategory.MASSAGE, 60, 19_800)
    )
    foot = catalog.save_service(
        db, manager, ServiceInput("足疗60分钟", ServiceCategory.FOOT, 60, 12_800)
    )

    def resource(name: str, kind: ResourceKind, order: int) -> int:
        data = ResourceInput(name, kind, sort_order=order, service_ids=(massage, foot))
        return catalog.save_resource(db, manager, data, at=NOW)

    return Club(
        desk=desk,
        desk2=desk2,
        massage=massage,
        foot=foot,
        room1=resource("按摩房 101", ResourceKind.ROOM, 1),
        room2=resource("按摩房 102", ResourceKind.ROOM, 2),
        li=resource("李娜", ResourceKind.THERAPIST, 10),
        wang=resource("王芳", ResourceKind.THERAPIST, 11),
    )


def _member(db: Database, name: str = "张晓明") -> int:
    with db.write() as session:
        tier = session.scalars(select(Tier).order_by(Tier.id)).first()
        assert tier is not None
        row = Member(
            name=name,
            phone="13800138000",
            phone_last4="8000",
            tier_id=tier.id,
            joined_on=NOW.date(),
        )
        session.add(row)
        session.flush()
        return row.id


def _reception(db: Database, reception_id: int) -> Reception:
    with db.read() as session:
        row = session.get(Reception, reception_id)
        assert row is not None
        session.expunge(row)
        return row


def _booking(db: Database, booking_id: int) -> Booking:
    with db.read() as session:
        row = session.get(Booking, booking_id)
        assert row is not None
        held = sorted(
            (a.resource_id, a.active)
            for a in session.scalars(
                select(BookingResource).where(BookingResource.booking_id == booking_id)
            )
        )
        session.expunge(row)
        row.held = held  # type: ignore[attr-defined]
        return row


def _count_bookings(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Booking)) or 0


# -- receive ------------------------------------------------------------------------------


def test_receive_a_walk_in_and_see_them_waiting_in_the_lounge(db: Database, club: Club) -> None:
    rid = reception.receive(
        db, club.desk, guest_name="  王先生 ", need="足疗，怕痒", at=NOW - timedelta(minutes=7)
    )
    row = _reception(db, rid)
    assert (row.guest_name, row.need, row.staff_id, row.outcome) == (
        "王先生",
        "足疗，怕痒",
        club.desk.id,
        None,
    )
    waiting = reception.lounge(db, at=NOW)
    assert [(r.reception_id, r.guest, r.waited_min, r.received_by) for r in waiting] == [
        (rid, "王先生", 7, "陈静")
    ]
    with db.read() as session:
        entry = session.execute(
            select(AuditEntry.entity_id, AuditEntry.staff_id).where(
                AuditEntry.action == "reception.receive"
            )
        ).one()
    assert tuple(entry) == (rid, club.desk.id)


def test_receive_a_member_shows_the_member_name(db: Database, club: Club) -> None:
    member = _member(db)
    rid = reception.receive(db, club.desk, member_id=member, at=NOW)
    assert _reception(db, rid).member_id == member
    assert [r.guest for r in reception.lounge(db, at=NOW)] == ["张晓明"]


def test_receive_needs_a_member_or_a_name_and_the_permission(db: Database, club: Club) -> None:
    with pytest.raises(DomainError, match="请选择会员或填写散客姓名") as info:
        reception.receive(db, club.desk, guest_name="   ", at=NOW)
    assert info.value.field == "guest"
    with pytest.raises(NotFound, match="会员"):
        reception.receive(db, club.desk, member_id=99_999, at=NOW)
    with pytest.raises(DomainError, match="40"):
        reception.receive(db, club.desk, guest_name="长" * 41, at=NOW)
    therapist = StaffMember(club.desk.id, "t", "技师", Role.THERAPIST)
    with pytest.raises(PermissionDenied):
        reception.receive(db, therapist, guest_name="王先生", at=NOW)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Reception)) == 0


# -- seat ---------------------------------------------------------------------------------


def test_seat_starts_an_in_service_walk_in_booking_holding_the_resources(
    db: Database, club: Club
) -> None:
    rid = reception.receive(db, club.desk, guest_name="王先生", need="肩颈酸", at=NOW)
    at = NOW + timedelta(minutes=3, seconds=20)
    change = reception.seat(
        db, club.desk, rid, service_id=club.massage, resource_ids=(club.room1, club.li), at=at
    )
    booking = _booking(db, change.booking_id)
    assert booking.state is BookingState.IN_SERVICE
    assert booking.walk_in and booking.guest_name == "王先生" and booking.member_id is None
    assert booking.notes == "肩颈酸"
    assert booking.start_at == datetime(2026, 11, 23, 15, 3)
    assert booking.end_at == datetime(2026, 11, 23, 16, 3)
    assert booking.service_started_at == at
    assert booking.held == sorted([(club.room1, True), (club.li, True)])  # type: ignore[attr-defined]
    assert booking.version == change.version
    row = _reception(db, rid)
    assert (row.outcome, row.booking_id, row.closed_at) == (
        ReceptionOutcome.SEATED,
        change.booking_id,
        at,
    )
    assert reception.lounge(db, at=at) == []
    with db.read() as session:
        after = session.scalars(
            select(AuditEntry.after).where(AuditEntry.action == "reception.seat")
        ).one()
    assert json.loads(after or "{}")["booking_id"] == change.booking_id


def test_seat_with_a_later_start_leaves_the_booking_arrived(db: Database, club: Club) -> None:
    member = _member(db)
    rid = reception.receive(db, club.desk, member_id=member, at=NOW)
    later = NOW + timedelta(minutes=30)
    change = reception.seat(
        db, club.desk, rid, service_id=club.foot, resource_ids=[club.wang], start_at=later,
        minutes=90, notes="要男技师", at=NOW,
    )  # fmt: skip
    booking = _booking(db, change.booking_id)
    assert booking.state is BookingState.ARRIVED
    assert booking.notes == "要男技师"  # given notes win over the need noted at the door
    assert (booking.start_at, booking.end_at) == (later, later + timedelta(minutes=90))
    assert booking.member_id == member and booking.guest_name is None
    assert booking.service_started_at is None and booking.arrived_at == NOW


def test_a_busy_therapist_is_refused_and_the_reception_stays_open(db: Database, club: Club) -> None:
    bookings.create(
        db, club.desk,
        BookingDraft(club.massage, NOW + timedelta(minutes=30), NOW + timedelta(minutes=90),
                     (club.room2, club.li), guest_name="刘女士"),
        at=NOW,
    )  # fmt: skip
    before = _count_bookings(db)
    rid = reception.receive(db, club.desk, guest_name="王先生", at=NOW)
    with pytest.raises(BookingConflict, match=r"李娜.*15:30–16:30.*刘女士"):
        reception.seat(
            db, club.desk, rid, service_id=club.massage, resource_ids=(club.room1, club.li), at=NOW
        )
    assert _reception(db, rid).outcome is None
    assert [r.reception_id for r in reception.lounge(db, at=NOW)] == [rid]
    assert _count_bookings(db) == before
    # Another therapist is free: the same guest is seated.
    change = reception.seat(
        db, club.desk, rid, service_id=club.massage, resource_ids=(club.room1, club.wang), at=NOW
    )
    assert _reception(db, rid).booking_id == change.booking_id


def test_seating_a_left_guest_and_leaving_a_seated_one_are_refused(
    db: Database, club: Club
) -> None:
    gone = reception.receive(db, club.desk, guest_name="王先生", at=NOW)
    with pytest.raises(DomainError, match="原因"):
        reception.leave(db, club.desk, gone, "  ", at=NOW)
    assert _reception(db, gone).outcome is None
    reception.leave(db, club.desk, gone, "等候时间太长", at=NOW + timedelta(minutes=20))
    row = _reception(db, gone)
    assert (row.outcome, row.left_reason, row.closed_at) == (
        ReceptionOutcome.LEFT,
        "等候时间太长",
        NOW + timedelta(minutes=20),
    )
    before = _count_bookings(db)
    with pytest.raises(IllegalTransition, match="已经登记离开"):
        reception.seat(db, club.desk, gone, service_id=club.massage, resource_ids=(club.room1,))
    with pytest.raises(IllegalTransition, match="已经登记离开"):
        reception.leave(db, club.desk, gone, "又走了一次", at=NOW)
    assert _count_bookings(db) == before

    seated = reception.receive(db, club.desk, guest_name="李先生", at=NOW)
    reception.seat(db, club.desk, seated, service_id=club.massage, resource_ids=(club.room1,),
                   at=NOW)  # fmt: skip
    with pytest.raises(IllegalTransition, match="已经入座"):
        reception.leave(db, club.desk, seated, "价格原因", at=NOW)
    assert _reception(db, seated).outcome is ReceptionOutcome.SEATED
    with pytest.raises(NotFound):
        reception.leave(db, club.desk, 12_345, "价格原因", at=NOW)


def test_a_reception_closed_by_another_counter_mid_seating_leaves_no_booking(
    db: Database, club: Club, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = reception.receive(db, club.desk, guest_name="王先生", at=NOW)
    check = reception._require_open

    def other_counter_closes_after_the_check(row: object) -> None:
        check(row)  # type: ignore[arg-type]
        reception.leave(db, club.desk2, rid, "等不及走了", at=NOW)

    monkeypatch.setattr(reception, "_require_open", other_counter_closes_after_the_check)
    with pytest.raises(IllegalTransition, match="已经登记离开"):
        reception.seat(
            db, club.desk, rid, service_id=club.massage, resource_ids=(club.room1, club.li), at=NOW
        )
    # The booking and the close of the reception were one transaction: nothing is left.
    assert _count_bookings(db) == 0
    row = _reception(db, rid)
    assert (row.outcome, row.booking_id) == (ReceptionOutcome.LEFT, None)


def test_classes_cannot_be_seated_from_reception(db: Database, club: Club) -> None:
    manager = StaffMember(club.desk.id, "m", "经理", Role.MANAGER)
    yoga = catalog.save_service(
        db, manager, ServiceInput("瑜伽团课", ServiceCategory.FITNESS, 60, 8_000, capacity=20)
    )
    rid = reception.receive(db, club.desk, guest_name="王先生", at=NOW)
    with pytest.raises(DomainError, match="课程/场次"):
        reception.seat(db, club.desk, rid, service_id=yoga, resource_ids=(club.room1,), at=NOW)
    assert _reception(db, rid).outcome is None


# -- in service ---------------------------------------------------------------------------


def test_in_service_shows_elapsed_time_time_left_and_overrun(db: Database, club: Club) -> None:
    rid = reception.receive(db, club.desk, guest_name="王先生", at=NOW)
    change = reception.seat(
        db, club.desk, rid, service_id=club.massage, resource_ids=(club.li, club.room1), at=NOW
    )
    member = _member(db)
    other = reception.receive(db, club.desk, member_id=member, at=NOW)
    waiting = reception.seat(
        db, club.desk, other, service_id=club.foot, resource_ids=(club.room2, club.wang),
        start_at=NOW + timedelta(hours=2), at=NOW,
    )  # fmt: skip

    rows = {r.booking_id: r for r in reception.in_service(db, at=NOW + timedelta(minutes=25))}
    row = rows[change.booking_id]
    assert (row.guest, row.service, row.rooms, row.staff) == (
        "王先生",
        "中式按摩60分钟",
        ("按摩房 101",),
        ("李娜",),
    )
    assert (row.elapsed_min, row.minutes_left, row.overrun, row.added_minutes) == (25, 35, False, 0)
    assert row.started_at == NOW and row.end_at == NOW + timedelta(hours=1)
    arrived = rows[waiting.booking_id]
    assert (arrived.state, arrived.guest, arrived.elapsed_min) == (
        BookingState.ARRIVED,
        "张晓明",
        None,
    )
    assert arrived.overrun is False

    late = reception.in_service(db, at=NOW + timedelta(minutes=72))
    row = next(r for r in late if r.booking_id == change.booking_id)
    assert (row.elapsed_min, row.minutes_left, row.overrun, row.overrun_min) == (72, -12, True, 12)

    # 加钟 30 minutes: no longer overrunning, the added minutes are shown.
    bookings.add_time(db, club.desk, change.booking_id, 30, at=NOW + timedelta(minutes=72))
    row = next(
        r
        for r in reception.in_service(db, at=NOW + timedelta(minutes=72))
        if r.booking_id == change.booking_id
    )
    assert (row.minutes_left, row.overrun, row.added_minutes) == (18, False, 30)


def test_finished_bookings_leave_the_list_unless_unsettled_ones_are_asked_for(
    db: Database, club: Club
) -> None:
    rid = reception.receive(db, club.desk, guest_name="王先生", at=NOW)
    change = reception.seat(
        db, club.desk, rid, service_id=club.massage, resource_ids=(club.room1,), at=NOW
    )
    end = NOW + timedelta(minutes=58)
    bookings.transition(
        db, club.desk, change.booking_id, BookingState.FINISHED,
        satisfaction=Satisfaction.SATISFIED, at=end,
    )  # fmt: skip
    assert reception.in_service(db, at=end) == []
    rows = reception.in_service(db, at=end, unsettled=True)
    assert [(r.booking_id, r.state, r.elapsed_min) for r in rows] == [
        (change.booking_id, BookingState.FINISHED, 58)
    ]
    assert reception.in_service(db, at=end + timedelta(hours=13), unsettled=True) == []


# -- figures ------------------------------------------------------------------------------


def _hand_reception(
    db: Database, staff: StaffMember, at: datetime, outcome: ReceptionOutcome | None
) -> None:
    with db.write() as session:
        session.add(Reception(staff_id=staff.id, guest_name="客", received_at=at, outcome=outcome))


def _hand_booking(
    db: Database, club: Club, staff: StaffMember, start: datetime, state: BookingState,
    satisfaction: Satisfaction | None = None,
) -> None:  # fmt: skip
    with db.write() as session:
        session.add(
            Booking(
                guest_name="客", service_id=club.massage, start_at=start,
                end_at=start + timedelta(hours=1), state=state, satisfaction=satisfaction,
                received_by_id=staff.id, walk_in=True,
            )
        )  # fmt: skip


def test_figures_per_staff_member(db: Database, club: Club) -> None:
    day = NOW.replace(hour=12)
    # 陈静: 4 received (3 seated, 1 left) in the period, one more outside it.
    for outcome in (ReceptionOutcome.SEATED,) * 3 + (ReceptionOutcome.LEFT,):
        _hand_reception(db, club.desk, day, outcome)
    _hand_reception(db, club.desk, day - timedelta(days=30), ReceptionOutcome.LEFT)
    # 01:00 after the 30th belongs to the business day of the 30th (closing at 02:00).
    _hand_reception(db, club.desk, datetime(2026, 12, 1, 1, 0), ReceptionOutcome.SEATED)
    # 王婷: 2 received, none seated yet (one still in the lounge).
    _hand_reception(db, club.desk2, day, ReceptionOutcome.LEFT)
    _hand_reception(db, club.desk2, day, None)
    # Bookings 陈静 took: 2 satisfied, 1 dissatisfied, 1 unrated served; one still in
    # service and one cancelled do not count.
    S = Satisfaction
    for state, satisfaction in (
        (BookingState.SETTLED, S.SATISFIED),
        (BookingState.FINISHED, S.SATISFIED),
        (BookingState.SETTLED, S.DISSATISFIED),
        (BookingState.SETTLED, None),
        (BookingState.IN_SERVICE, None),
        (BookingState.CANCELLED, S.DISSATISFIED),
    ):
        _hand_booking(db, club, club.desk, day, state, satisfaction)
    # 王婷: one average outside the period only.
    _hand_booking(db, club, club.desk2, day + timedelta(days=30), BookingState.SETTLED, S.AVERAGE)

    figures = reception.figures(db, date(2026, 11, 1), date(2026, 11, 30))
    assert [f.name for f in figures] == ["陈静", "王婷"]
    chen, wang = figures
    assert (chen.received, chen.seated, chen.left, chen.waiting) == (5, 4, 1, 0)
    assert chen.success_rate == pytest.approx(4 / 5)
    assert (chen.served, chen.satisfied, chen.average, chen.dissatisfied) == (4, 2, 0, 1)
    assert chen.satisfaction_rate == pytest.approx(2 / 3)
    assert (wang.received, wang.seated, wang.left, wang.waiting) == (2, 0, 1, 1)
    assert wang.success_rate == 0.0
    assert (wang.served, wang.satisfaction_rate) == (0, None)

    # The day alone: 4 received, 3 seated → 75%.
    chen_day = reception.figures(db, NOW.date(), NOW.date())[0]
    assert (chen_day.received, chen_day.seated) == (4, 3)
    assert chen_day.success_rate == pytest.approx(0.75)

    # December: 王婷 has only a served booking, no reception → no success rate.
    december = {f.name: f for f in reception.figures(db, date(2026, 12, 1), date(2026, 12, 31))}
    assert december["王婷"].received == 0 and december["王婷"].success_rate is None
    assert december["王婷"].satisfaction_rate == 0.0
    assert "陈静" not in december  # 01:00 on the 1st belongs to November

    with pytest.raises(DomainError):
        reception.figures(db, date(2026, 12, 1), date(2026, 11, 1))


def test_this_month() -> None:
    assert reception.this_month(date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert reception.this_month(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_walk_in_services_leave_out_classes_area_only_and_inactive_ones(
    db: Database, club: Club
) -> None:
    manager = StaffMember(club.desk.id, "m", "经理", Role.MANAGER)

    def service(name: str, category: ServiceCategory, capacity: int | None = None) -> int:
        return catalog.save_service(
            db, manager, ServiceInput(name, category, 60, 5_000, capacity=capacity)
        )

    bath = service("洗浴", ServiceCategory.BATH)
    yoga = service("瑜伽团课", ServiceCategory.FITNESS, capacity=20)
    ear = service("采耳", ServiceCategory.LEISURE)
    catalog.save_resource(
        db, manager, ResourceInput("洗浴区", ResourceKind.AREA, capacity=80, service_ids=(bath,)),
        at=NOW,
    )  # fmt: skip
    catalog.save_resource(
        db, manager, ResourceInput("瑜伽教室", ResourceKind.AREA, service_ids=(yoga,)), at=NOW
    )
    catalog.save_resource(
        db, manager, ResourceInput("采耳师", ResourceKind.TECHNICIAN, service_ids=(ear,)), at=NOW
    )
    assert [s.name for s in reception.walk_in_services(db)] == [
        "中式按摩60分钟", "足疗60分钟", "采耳",
    ]  # fmt: skip
    catalog.set_service_active(db, manager, ear, False)
    offered = reception.walk_in_services(db)
    assert [(s.id, s.duration_min) for s in offered] == [(club.massage, 60), (club.foot, 60)]

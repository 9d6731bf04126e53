"""The waitlist: what an entry needs, who is told when a booking or a seat frees its slot
(and who is not), and closing an entry once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound, PermissionDenied
from clubdesk.models import AuditEntry, Staff, WaitlistEntry
from clubdesk.models.enums import BookingState, ResourceKind, Role, ServiceCategory, WaitlistState
from clubdesk.services import bookings, catalog, waitlist
from clubdesk.services.booking_rules import SessionFull
from clubdesk.services.bookings import BookingDraft
from clubdesk.services.catalog import ResourceInput, ServiceInput
from clubdesk.services.staff import StaffMember
from clubdesk.services.waitlist import WaitlistInput

DAY = date(2031, 5, 14)
NOW = datetime(2031, 5, 14, 9, 0)  # before opening: every slot of DAY is still ahead


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute))


@dataclass(frozen=True)
class Club:
    actor: StaffMember
    massage: int
    foot: int
    yoga: int  # a class with 2 seats
    room_a: int
    room_b: int
    therapist: int
    yoga_room: int


@pytest.fixture
def club(db: Database) -> Club:
    with db.write() as session:
        row = Staff(username="mgr", display_name="周经理", role=Role.MANAGER)
        session.add(row)
        session.flush()
        actor = StaffMember(row.id, row.username, row.display_name, row.role)
    massage = catalog.save_service(
        db, actor, ServiceInput("中式按摩60分钟", ServiceCategory.MASSAGE, 60, 19_800)
    )
    foot = catalog.save_service(
        db, actor, ServiceInput("足疗60分钟", ServiceCategory.FOOT, 60, 12_800)
    )
    yoga = catalog.save_service(
        db, actor, ServiceInput("瑜伽团课", ServiceCategory.FITNESS, 60, 8_000, capacity=2)
    )

    def resource(name: str, kind: ResourceKind, *services: int) -> int:
        return catalog.save_resource(
            db, actor, ResourceInput(name, kind, service_ids=services), at=NOW
        )

    return Club(
        actor=actor,
        massage=massage,
        foot=foot,
        yoga=yoga,
        room_a=resource("按摩房 101", ResourceKind.ROOM, massage, foot),
        room_b=resource("按摩房 102", ResourceKind.ROOM, massage, foot),
        therapist=resource("01号技师 李娜", ResourceKind.THERAPIST, massage, foot),
        yoga_room=resource("瑜伽教室", ResourceKind.AREA, yoga),
    )


def book(db: Database, club: Club, resource: int, start: datetime, end: datetime) -> int:
    draft = BookingDraft(
        club.massage, start, end, resource_ids=(resource,), guest_name="散客张先生"
    )
    return bookings.create(db, club.actor, draft, at=NOW).booking_id


def wait(db: Database, club: Club, **changes: object) -> int:
    fields: dict[str, object] = {
        "service_id": club.massage,
        "wanted_from": at(13),
        "wanted_until": at(16),
        "guest_name": "候补王女士",
        "contact": "13800001111",
    }
    fields.update(changes)
    return waitlist.add(db, club.actor, WaitlistInput(**fields))  # type: ignore[arg-type]


def state_of(db: Database, entry_id: int) -> tuple[WaitlistState, datetime | None, int | None]:
    with db.read() as session:
        row = session.get(WaitlistEntry, entry_id)
        assert row is not None
        return row.state, row.notified_at, row.booking_id


# -- adding ------------------------------------------------------------------------------
def test_add_keeps_the_entry_and_lists_it_on_its_day(db: Database, club: Club) -> None:
    entry_id = wait(db, club, resource_id=club.therapist, notes="  指定技师  ")
    rows = waitlist.entries(db, DAY)
    assert [r.id for r in rows] == [entry_id]
    row = rows[0]
    assert (row.guest, row.contact, row.service) == ("候补王女士", "13800001111", "中式按摩60分钟")
    assert row.resource == "01号技师 李娜"
    assert (row.wanted_from, row.wanted_until) == (at(13), at(16))
    assert row.state is WaitlistState.WAITING
    assert row.notes == "指定技师"
    assert waitlist.entries(db, date(2031, 5, 16)) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"guest_name": "  "}, "guest"),
        ({"wanted_until": at(13)}, "wanted_until"),
        ({"wanted_from": at(16), "wanted_until": at(15)}, "wanted_until"),
        ({"contact": "1" * 41}, "contact"),
    ],
)
def test_add_refuses_incomplete_entries(
    db: Database, club: Club, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        wait(db, club, **changes)
    assert refused.value.field == field
    assert refused.value.message.endswith("。")
    assert waitlist.entries(db, DAY, open_only=False) == []


def test_add_refuses_an_unknown_service_and_a_counter_without_the_right(
    db: Database, club: Club
) -> None:
    with pytest.raises(NotFound):
        wait(db, club, service_id=9999)
    therapist = StaffMember(club.actor.id, "t", "技师", Role.THERAPIST)
    with pytest.raises(PermissionDenied):
        waitlist.add(
            db, therapist, WaitlistInput(club.massage, at(13), at(14), guest_name="王女士")
        )
    assert waitlist.entries(db, DAY, open_only=False) == []


# -- notices -----------------------------------------------------------------------------
def test_cancelling_a_booking_notifies_the_matching_entry(db: Database, club: Club) -> None:
    booking_id = book(db, club, club.room_a, at(14), at(15))
    entry_id = wait(db, club)
    cancelled_at = datetime(2031, 5, 14, 11, 30)

    change = bookings.transition(
        db, club.actor, booking_id, BookingState.CANCELLED, reason="临时有事", at=cancelled_at
    )

    assert len(change.notices) == 1
    assert "候补王女士" in change.notices[0] and "13800001111" in change.notices[0]
    assert "05-14 14:00" in change.notices[0]
    assert state_of(db, entry_id) == (WaitlistState.NOTIFIED, cancelled_at, None)
    assert [r.state for r in waitlist.entries(db, DAY)] == [WaitlistState.NOTIFIED]


def test_only_entries_the_freed_slot_can_serve_are_notified(db: Database, club: Club) -> None:
    booking_id = book(db, club, club.room_a, at(14), at(15))
    same_room = wait(db, club, guest_name="要101的客人", resource_id=club.room_a)
    other_room = wait(db, club, guest_name="要102的客人", resource_id=club.room_b)
    other_service = wait(db, club, guest_name="做足疗的客人", service_id=club.foot)
    too_late = wait(db, club, guest_name="晚上的客人", wanted_from=at(18), wanted_until=at(20))

    change = bookings.transition(
        db, club.actor, booking_id, BookingState.CANCELLED, reason="行程变更", at=NOW
    )

    assert len(change.notices) == 1 and "要101的客人" in change.notices[0]
    assert state_of(db, same_room)[0] is WaitlistState.NOTIFIED
    for untouched in (other_room, other_service, too_late):
        assert state_of(db, untouched) == (WaitlistState.WAITING, None, None)


def test_a_notified_entry_is_not_told_twice(db: Database, club: Club) -> None:
    first = book(db, club, club.room_a, at(14), at(15))
    second = book(db, club, club.room_b, at(14), at(15))
    entry_id = wait(db, club)
    told = bookings.transition(db, club.actor, first, BookingState.CANCELLED, reason="a", at=NOW)
    again = bookings.transition(db, club.actor, second, BookingState.CANCELLED, reason="b", at=NOW)
    assert len(told.notices) == 1
    assert again.notices == ()
    assert state_of(db, entry_id)[0] is WaitlistState.NOTIFIED


def test_a_cancelled_seat_notifies_the_sessions_waitlist(db: Database, club: Club) -> None:
    host = bookings.create(
        db,
        club.actor,
        BookingDraft(club.yoga, at(19), at(20), resource_ids=(club.yoga_room,)),
        at=NOW,
    ).booking_id
    seats = [
        bookings.reserve_seat(db, club.actor, host, guest_name=name, at=NOW).booking_id
        for name in ("学员甲", "学员乙")
    ]
    with pytest.raises(SessionFull):
        bookings.reserve_seat(db, club.actor, host, guest_name="学员丙", at=NOW)
    entry_id = wait(
        db,
        club,
        service_id=club.yoga,
        guest_name="学员丙",
        wanted_from=at(19),
        wanted_until=at(20),
        session_id=host,
    )
    # A massage waiting for the same hour has nothing to do with the class's seats.
    massage_entry = wait(db, club, wanted_from=at(19), wanted_until=at(20))

    change = bookings.transition(
        db, club.actor, seats[0], BookingState.CANCELLED, reason="身体不适", at=NOW
    )

    assert len(change.notices) == 1 and "学员丙" in change.notices[0]
    assert state_of(db, entry_id)[0] is WaitlistState.NOTIFIED
    assert state_of(db, massage_entry)[0] is WaitlistState.WAITING
    seat = bookings.reserve_seat(db, club.actor, host, guest_name="学员丙", at=NOW)
    waitlist.close(db, club.actor, entry_id, WaitlistState.BOOKED, booking_id=seat.booking_id)
    assert state_of(db, entry_id) == (WaitlistState.BOOKED, NOW, seat.booking_id)


# -- closing -----------------------------------------------------------------------------
def test_close_booked_and_withdrawn_leave_the_open_list(db: Database, club: Club) -> None:
    booked = wait(db, club, guest_name="约上的客人")
    withdrawn = wait(db, club, guest_name="不等了的客人")
    booking_id = book(db, club, club.room_a, at(15), at(16))

    waitlist.close(db, club.actor, booked, WaitlistState.BOOKED, booking_id=booking_id)
    waitlist.close(db, club.actor, withdrawn, WaitlistState.WITHDRAWN)

    assert waitlist.entries(db, DAY) == []
    closed = {r.id: r.state for r in waitlist.entries(db, DAY, open_only=False)}
    assert closed == {booked: WaitlistState.BOOKED, withdrawn: WaitlistState.WITHDRAWN}
    assert state_of(db, booked)[2] == booking_id
    assert state_of(db, withdrawn)[2] is None
    with db.read() as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.entity_id).where(
                AuditEntry.entity == "waitlist", AuditEntry.action != "waitlist.add"
            )
        ).all()
    audited = {(action, entity_id) for action, entity_id in rows}
    assert audited == {("waitlist.booked", booked), ("waitlist.withdrawn", withdrawn)}


def test_close_is_refused_twice_and_for_other_states(db: Database, club: Club) -> None:
    entry_id = wait(db, club)
    waitlist.close(db, club.actor, entry_id, WaitlistState.WITHDRAWN)
    with pytest.raises(DomainError, match="已经处理过"):
        waitlist.close(db, club.actor, entry_id, WaitlistState.BOOKED)
    assert state_of(db, entry_id)[0] is WaitlistState.WITHDRAWN

    other = wait(db, club)
    for state in (WaitlistState.WAITING, WaitlistState.NOTIFIED):
        with pytest.raises(DomainError):
            waitlist.close(db, club.actor, other, state)
    assert state_of(db, other)[0] is WaitlistState.WAITING
    with pytest.raises(NotFound):
        waitlist.close(db, club.actor, 9999, WaitlistState.WITHDRAWN)


def test_a_notified_entry_can_still_be_booked(db: Database, club: Club) -> None:
    booking_id = book(db, club, club.room_a, at(14), at(15))
    entry_id = wait(db, club)
    bookings.transition(db, club.actor, booking_id, BookingState.CANCELLED, reason="x", at=NOW)
    rebooked = book(db, club, club.room_a, at(14), at(15))
    waitlist.close(db, club.actor, entry_id, WaitlistState.BOOKED, booking_id=rebooked)
    assert state_of(db, entry_id)[0] is WaitlistState.BOOKED

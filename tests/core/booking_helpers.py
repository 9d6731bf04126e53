"""Shared set-up for the booking tests: a small catalogue built from the models, a fixed
future day, and the worker the concurrency test runs in several processes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.models import (
    AuditEntry,
    Booking,
    Member,
    Resource,
    Service,
    Staff,
    Tier,
)
from clubdesk.models.enums import BookingState, ResourceKind, Role, ServiceCategory
from clubdesk.services import bookings
from clubdesk.services.staff import StaffMember

# A Friday far enough ahead that no clock on a test machine reaches it; every call gets
# at= so the tests never depend on today's date.
DAY = date(2031, 3, 14)
NOW = datetime(2031, 3, 14, 9, 0)  # before the club opens at 10:00


def at(hhmm: str, days: int = 0) -> datetime:
    """``hhmm`` on DAY (``days`` later for the hours after midnight)."""
    hours, minutes = hhmm.split(":")
    return datetime.combine(DAY + timedelta(days=days), time(int(hours), int(minutes)))


@dataclass(frozen=True, slots=True)
class Catalogue:
    desk: StaffMember  # 前台, may book
    therapist_login: StaffMember  # a therapist's own login: may not book
    room: int  # 按摩房 101: massage, foot bath
    suite: int  # 豪华包间 8: massage, foot bath
    hall: int  # 瑜伽室 (area): yoga sessions
    closed_room: int  # 旧按摩房 (inactive)
    day_therapist: int  # 技师小王 10:00–22:00: massage, foot bath
    night_therapist: int  # 技师小李 20:00–02:00 (crosses midnight): massage only
    massage: int  # 60 min
    foot: int  # 45 min
    yoga: int  # a session with 3 seats
    members: tuple[int, ...]


def _staff(session: Session, username: str, name: str, role: Role) -> Staff:
    row = Staff(username=username, display_name=name, role=role)
    session.add(row)
    session.flush()
    return row


def catalogue(db: Database) -> Catalogue:
    with db.write() as s:
        desk = _staff(s, "desk", "前台小陈", Role.FRONT_DESK)
        wang = _staff(s, "wang", "小王", Role.THERAPIST)
        li = _staff(s, "li", "小李", Role.THERAPIST)
        massage = Service(
            name="中式按摩60分钟", category=ServiceCategory.MASSAGE, duration_min=60,
            list_price_fen=19_800,
        )  # fmt: skip
        foot = Service(
            name="足浴45分钟", category=ServiceCategory.FOOT, duration_min=45,
            list_price_fen=12_800,
        )  # fmt: skip
        yoga = Service(
            name="瑜伽团课", category=ServiceCategory.FITNESS, duration_min=60,
            list_price_fen=8_000, capacity=3,
        )  # fmt: skip
        s.add_all([massage, foot, yoga])
        s.flush()
        room = Resource(name="按摩房 101", kind=ResourceKind.ROOM, sort_order=1)
        suite = Resource(name="豪华包间 8", kind=ResourceKind.SUITE, sort_order=2)
        hall = Resource(name="瑜伽室", kind=ResourceKind.AREA, capacity=20, sort_order=3)
        closed = Resource(name="旧按摩房", kind=ResourceKind.ROOM, sort_order=4, active=False)
        day_t = Resource(
            name="技师小王", kind=ResourceKind.THERAPIST, staff_id=wang.id, sort_order=5,
            works_from=time(10, 0), works_until=time(22, 0),
        )  # fmt: skip
        night_t = Resource(
            name="技师小李", kind=ResourceKind.THERAPIST, staff_id=li.id, sort_order=6,
            works_from=time(20, 0), works_until=time(2, 0),
        )  # fmt: skip
        room.services = [massage, foot]
        suite.services = [massage, foot]
        hall.services = [yoga]
        closed.services = [massage, foot]
        day_t.services = [massage, foot]
        night_t.services = [massage]
        s.add_all([room, suite, hall, closed, day_t, night_t])
        tier = s.scalars(select(Tier).order_by(Tier.id)).first()
        assert tier is not None, "the db fixture carries the reference tiers"
        people = []
        for k, name in enumerate(("张晓明", "李娜", "王芳", "赵磊")):
            phone = f"1380013800{k}"
            person = Member(
                name=name, phone=phone, phone_last4=phone[-4:], joined_on=date(2030, 1, 1),
                tier_id=tier.id,
            )  # fmt: skip
            s.add(person)
            people.append(person)
        s.flush()
        return Catalogue(
            desk=StaffMember(desk.id, desk.username, desk.display_name, desk.role),
            therapist_login=StaffMember(wang.id, wang.username, wang.display_name, wang.role),
            room=room.id, suite=suite.id, hall=hall.id, closed_room=closed.id,
            day_therapist=day_t.id, night_therapist=night_t.id,
            massage=massage.id, foot=foot.id, yoga=yoga.id,
            members=tuple(p.id for p in people),
        )  # fmt: skip


def draft(
    service: int,
    start: datetime,
    minutes: int = 60,
    resources: tuple[int, ...] = (),
    *,
    member: int | None = None,
    guest: str | None = "散客王先生",
) -> bookings.BookingDraft:
    return bookings.BookingDraft(
        service_id=service,
        start_at=start,
        end_at=start + timedelta(minutes=minutes),
        resource_ids=resources,
        member_id=member,
        guest_name=None if member is not None else guest,
    )


def book(
    db: Database,
    cat: Catalogue,
    start: datetime,
    minutes: int = 60,
    resources: tuple[int, ...] | None = None,
    *,
    service: int | None = None,
    member: int | None = None,
) -> int:
    """A massage (by default) on the room and the day therapist, booked at NOW."""
    ids = resources if resources is not None else (cat.room, cat.day_therapist)
    change = bookings.create(
        db, cat.desk, draft(service or cat.massage, start, minutes, ids, member=member), at=NOW
    )
    return change.booking_id


def force_state(db: Database, booking_id: int, state: BookingState, when: datetime) -> None:
    """Put a booking in ``state`` behind the services' back (settling is checkout's job)."""
    with db.write() as s:
        booking = s.get(Booking, booking_id)
        assert booking is not None
        booking.state = state
        if state is BookingState.SETTLED:
            booking.settled_at = when
        for allocation in booking.allocations:
            allocation.active = state in (
                BookingState.BOOKED,
                BookingState.ARRIVED,
                BookingState.IN_SERVICE,
            )


@dataclass(frozen=True, slots=True)
class Stored:
    """Everything a refused change must leave as it was."""

    state: BookingState
    version: int
    start_at: datetime
    end_at: datetime
    added_minutes: int
    arrived_at: datetime | None
    service_started_at: datetime | None
    finished_at: datetime | None
    settled_at: datetime | None
    cancel_reason: str | None
    allocations: tuple[tuple[int, datetime, datetime, bool], ...]
    audit_entries: int


def stored(db: Database, booking_id: int) -> Stored:
    with db.read() as s:
        b = s.get(Booking, booking_id)
        assert b is not None
        allocations = tuple(
            sorted((a.resource_id, a.start_at, a.end_at, a.active) for a in b.allocations)
        )
        audits = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity == "booking", AuditEntry.entity_id == booking_id)
        )
        return Stored(
            b.state, b.version, b.start_at, b.end_at, b.added_minutes, b.arrived_at,
            b.service_started_at, b.finished_at, b.settled_at, b.cancel_reason, allocations,
            int(audits or 0),
        )  # fmt: skip


def count_bookings(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Booking)) or 0)


# The rule the whole issue is about, checked straight in the tables: no two active
# allocations of one resource overlap.  Plain SQL that runs on SQLite and PostgreSQL.
OVERLAPS_SQL = text(
    "SELECT a.resource_id, a.booking_id, b.booking_id, a.start_at, a.end_at, b.start_at,"
    " b.end_at FROM booking_resources a JOIN booking_resources b"
    " ON a.resource_id = b.resource_id AND a.id < b.id"
    " WHERE a.active AND b.active AND a.start_at < b.end_at AND b.start_at < a.end_at"
)


def overlaps(db: Database) -> list[tuple[object, ...]]:
    with db.read() as s:
        return [tuple(row) for row in s.execute(OVERLAPS_SQL)]


# -- the concurrency test's counters ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class RaceSetup:
    url: str
    staff_id: int
    service_id: int
    resource_ids: tuple[int, ...]


def race_catalogue(db: Database, url: str) -> RaceSetup:
    """Three resources that can all do one service at any hour the club is open."""
    with db.write() as s:
        desk = Staff(username="race", display_name="并发前台", role=Role.FRONT_DESK)
        service = Service(
            name="推拿", category=ServiceCategory.MASSAGE, duration_min=60,
            list_price_fen=10_000,
        )  # fmt: skip
        s.add_all([desk, service])
        s.flush()
        ids = []
        for k, (name, kind) in enumerate(
            (("包间 A", ResourceKind.SUITE), ("包间 B", ResourceKind.SUITE),
             ("技师 C", ResourceKind.THERAPIST))
        ):  # fmt: skip
            resource = Resource(name=name, kind=kind, sort_order=k)
            resource.services = [service]
            s.add(resource)
            s.flush()
            ids.append(resource.id)
        return RaceSetup(url, desk.id, service.id, tuple(ids))


RACE_FIRST = at("14:00")
RACE_SLOTS = 16  # 15-minute starts from 14:00 to 17:45
RACE_MINUTES = (30, 45, 60, 90)


def race_worker(
    setup: RaceSetup, worker: int, attempts: int, barrier: object
) -> list[tuple[str, str, str]]:
    """One counter: ``attempts`` random creates, moves and cancellations on the same
    three resources and the same four hours.  Every attempt is valid in shape (opening
    hours, a service the resources do, a future time, a reason to cancel), so the only
    right refusal is a BookingConflict.  Cancellations (of the counter's own bookings)
    keep freeing cells, so the counters keep racing for them to the end.

    Returns per attempt (kind, outcome, detail): outcome "ok", "conflict", or the
    exception's type name; the detail is the booking id, or the message (and the
    driver's text for a database problem).
    """
    from clubdesk.db.open import open_database
    from clubdesk.errors import DatabaseEnvironmentError
    from clubdesk.services.booking_rules import BookingConflict

    rng = random.Random(1000 + worker)
    actor = StaffMember(setup.staff_id, "race", "并发前台", Role.FRONT_DESK)
    db = open_database(setup.url)
    mine: list[int] = []
    results: list[tuple[str, str, str]] = []
    try:
        barrier.wait(timeout=120)  # type: ignore[attr-defined]
        for k in range(attempts):
            start = RACE_FIRST + timedelta(minutes=15 * rng.randrange(RACE_SLOTS))
            end = start + timedelta(minutes=rng.choice(RACE_MINUTES))
            # Any order: one counter picks the room first, another the therapist.
            ids = tuple(rng.sample(setup.resource_ids, rng.choice((1, 1, 2, 2, 3))))
            roll = rng.random()
            kind = "create" if k < 10 or roll < 0.65 else "move" if roll < 0.9 else "cancel"
            if kind == "cancel" and not mine:
                kind = "create"
            try:
                if kind == "create":
                    change = bookings.create(
                        db, actor,
                        bookings.BookingDraft(
                            setup.service_id, start, end, ids, guest_name=f"客人{worker}-{k}"
                        ),
                        at=NOW,
                    )  # fmt: skip
                    mine.append(change.booking_id)
                    results.append((kind, "ok", str(change.booking_id)))
                elif kind == "move":
                    with db.read() as s:
                        target = s.execute(
                            select(Booking.id, Booking.version)
                            .where(Booking.state == BookingState.BOOKED)
                            .order_by(Booking.id)
                        ).all()
                    booking_id, version = rng.choice(target)
                    bookings.reschedule(
                        db, actor, booking_id, start_at=start, end_at=end,
                        resource_ids=ids if rng.random() < 0.5 else None,
                        expected_version=version, at=NOW,
                    )  # fmt: skip
                    results.append((kind, "ok", str(booking_id)))
                else:
                    booking_id = mine.pop(rng.randrange(len(mine)))
                    bookings.transition(
                        db, actor, booking_id, BookingState.CANCELLED, reason="客人改期", at=NOW
                    )
                    results.append((kind, "ok", str(booking_id)))
            except BookingConflict as exc:
                results.append((kind, "conflict", exc.message))
            except DatabaseEnvironmentError as exc:
                results.append((kind, type(exc).__name__, f"{exc.message} | {exc.detail}"))
            except Exception as exc:  # every other failure is what the test reports
                results.append((kind, type(exc).__name__, f"{exc!s}"[:2000]))
    finally:
        db.dispose()
    return results


def race_process(
    setup: RaceSetup, worker: int, attempts: int, barrier: object, out: object
) -> None:
    """Process entry point: the results go back through the ``out`` queue, a crash as
    a ("crash", type, message) row."""
    try:
        rows = race_worker(setup, worker, attempts, barrier)
    except BaseException as exc:
        out.put((worker, [("crash", type(exc).__name__, str(exc)[:2000])]))  # type: ignore[attr-defined]
        raise
    out.put((worker, rows))  # type: ignore[attr-defined]

"""What the booking board paints: the resources as columns and the bookings as blocks,
for one day or a week, and who is free right now for a walk-in.

One Core query per load (no ORM objects): the board of a busy day has 60 columns and
1,500 blocks and must load and paint within a tenth of a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.models import Booking, BookingResource, Member, Resource, Service, resource_services
from clubdesk.models.enums import BookingState, ResourceKind
from clubdesk.services import booking_slots
from clubdesk.services.bookings import SEAT_STATES

PEOPLE = (ResourceKind.THERAPIST, ResourceKind.COACH, ResourceKind.TECHNICIAN)
PLACES = (ResourceKind.ROOM, ResourceKind.SUITE, ResourceKind.AREA)
# Cancelled bookings and no-shows free their cells; the board leaves them out.
SHOWN_STATES = (
    BookingState.BOOKED,
    BookingState.ARRIVED,
    BookingState.IN_SERVICE,
    BookingState.FINISHED,
    BookingState.SETTLED,
)


@dataclass(frozen=True, slots=True)
class BoardResource:
    id: int
    name: str
    kind: ResourceKind
    capacity: int
    works_from: time | None
    works_until: time | None
    service_ids: frozenset[int]

    @property
    def is_person(self) -> bool:
        return self.kind in PEOPLE

    def shift_end(self, at: datetime) -> datetime | None:
        """When the shift that ``at`` falls in ends (None: no set hours, or off duty)."""
        shift = booking_slots.shift_at(self.works_from, self.works_until, at)
        return shift[1] if shift else None

    def works(self, start_at: datetime, end_at: datetime) -> bool:
        return booking_slots.works_during(self.works_from, self.works_until, start_at, end_at)


@dataclass(frozen=True, slots=True)
class BoardBlock:
    booking_id: int
    resource_id: int
    start_at: datetime
    end_at: datetime
    state: BookingState
    guest: str
    member_id: int | None
    service_id: int
    service: str
    walk_in: bool
    version: int
    has_notes: bool
    capacity: int | None  # a session's seats
    seats_taken: int


@dataclass(frozen=True, slots=True)
class Board:
    days: tuple[date, ...]
    opens: time
    closes: time
    resources: tuple[BoardResource, ...]
    blocks: tuple[BoardBlock, ...]

    def window(self, day: date) -> tuple[datetime, datetime]:
        return booking_slots.span(day, self.opens, self.closes)


@dataclass(frozen=True, slots=True)
class FreeResource:
    resource: BoardResource
    free_until: datetime | None  # the next booking's start; None: free to closing


@dataclass(frozen=True, slots=True)
class FreeNow:
    at: datetime
    rooms: tuple[FreeResource, ...]
    staff: tuple[FreeResource, ...]


def resources(session: Session, kinds: Iterable[ResourceKind] | None = None) -> list[BoardResource]:
    query = select(
        Resource.id, Resource.name, Resource.kind, Resource.capacity, Resource.works_from,
        Resource.works_until,
    ).where(Resource.active.is_(True)).order_by(Resource.sort_order, Resource.id)  # fmt: skip
    if kinds is not None:
        query = query.where(Resource.kind.in_(list(kinds)))
    skills: dict[int, set[int]] = {}
    for resource_id, service_id in session.execute(
        select(resource_services.c.resource_id, resource_services.c.service_id)
    ):
        skills.setdefault(resource_id, set()).add(service_id)
    return [
        BoardResource(rid, name, kind, capacity, start, end, frozenset(skills.get(rid, ())))
        for rid, name, kind, capacity, start, end in session.execute(query)
    ]


def load(
    db: Database, first_day: date, days: int = 1, kinds: Iterable[ResourceKind] | None = None
) -> Board:
    """The board from ``first_day`` for ``days`` days (1 or 7)."""
    with db.read() as session:
        opens, closes = booking_slots.opening_hours(session)
        shown = tuple(first_day + timedelta(days=n) for n in range(days))
        start, _ = booking_slots.span(shown[0], opens, closes)
        _, end = booking_slots.span(shown[-1], opens, closes)
        columns = resources(session, kinds)
        ids = [r.id for r in columns]
        return Board(shown, opens, closes, tuple(columns), tuple(_blocks(session, start, end, ids)))


def _blocks(session: Session, start: datetime, end: datetime, ids: list[int]) -> list[BoardBlock]:
    if not ids:
        return []
    seats = (
        select(Booking.session_id, func.count().label("taken"))
        .where(
            Booking.session_id.is_not(None),
            Booking.start_at >= start - timedelta(hours=12),
            Booking.start_at < end,
            Booking.state.in_(SEAT_STATES),
        )
        .group_by(Booking.session_id)
        .subquery()
    )
    query = (
        select(
            Booking.id, BookingResource.resource_id, BookingResource.start_at,
            BookingResource.end_at, Booking.state, Member.name, Booking.guest_name,
            Booking.member_id, Booking.service_id, Service.name, Booking.walk_in,
            Booking.version, Booking.notes.is_not(None), Service.capacity, seats.c.taken,
        )
        .select_from(Booking)
        .join(BookingResource, BookingResource.booking_id == Booking.id)
        .join(Service, Service.id == Booking.service_id)
        .outerjoin(Member, Member.id == Booking.member_id)
        .outerjoin(seats, seats.c.session_id == Booking.id)
        # The start_at range uses ix_bookings_start; no booking lasts 12 hours.
        .where(
            Booking.start_at >= start - timedelta(hours=12),
            Booking.start_at < end,
            Booking.end_at > start,
            Booking.state.in_(SHOWN_STATES),
        )
        .order_by(BookingResource.start_at, Booking.id)
    )  # fmt: skip
    wanted = set(ids)
    return [
        BoardBlock(
            booking_id=bid,
            resource_id=rid,
            start_at=first,
            end_at=last,
            state=state,
            guest=member or guest or "",
            member_id=member_id,
            service_id=service_id,
            service=service,
            walk_in=bool(walk_in),
            version=version,
            has_notes=bool(notes),
            capacity=capacity,
            seats_taken=int(taken or 0),
        )
        for (
            bid,
            rid,
            first,
            last,
            state,
            member,
            guest,
            member_id,
            service_id,
            service,
            walk_in,
            version,
            notes,
            capacity,
            taken,
        ) in session.execute(query)
        if rid in wanted
    ]


def free_now(
    db: Database, at: datetime | None = None, service_id: int | None = None,
    minutes: int | None = None,
) -> FreeNow:  # fmt: skip
    """Rooms, suites and staff with no active booking now who are on duty; with a
    service, only those who can do it and are free for its duration."""
    now = at or datetime.now()
    with db.read() as session:
        need = minutes
        if service_id is not None and need is None:
            need = session.scalar(select(Service.duration_min).where(Service.id == service_id))
        until = now + timedelta(minutes=need or 15)
        columns = [
            r
            for r in resources(session)
            if r.kind is not ResourceKind.AREA
            and (service_id is None or service_id in r.service_ids)
            and r.works(now, until)
        ]
        opens, closes = booking_slots.opening_hours(session)
        closing = booking_slots.span(booking_slots.business_day(now, opens, closes), opens, closes)[
            1
        ]
        if opens == closes:
            closing = now + timedelta(days=1)
        # The next booking before closing time; none: free until closing (None).
        busy = dict(
            session.execute(
                select(BookingResource.resource_id, func.min(BookingResource.start_at))
                .where(BookingResource.active.is_(True), BookingResource.end_at > now)
                .where(BookingResource.resource_id.in_([r.id for r in columns]))
                .where(BookingResource.start_at < closing)
                .group_by(BookingResource.resource_id)
            ).all()
        )
        # A service running past its planned end still holds its room and therapist.
        occupied = set(
            session.scalars(
                select(BookingResource.resource_id)
                .join(Booking, Booking.id == BookingResource.booking_id)
                .where(
                    BookingResource.active.is_(True),
                    BookingResource.exclusive.is_(True),
                    BookingResource.start_at < until,
                    or_(BookingResource.end_at > now, Booking.state == BookingState.IN_SERVICE),
                )
            )
        )
    free = [
        FreeResource(r, _earliest(busy.get(r.id), r.shift_end(now), closing))
        for r in columns
        if r.id not in occupied
    ]
    free.sort(key=lambda f: (f.free_until is not None, -(f.free_until or now).timestamp()))
    return FreeNow(
        now,
        tuple(f for f in free if not f.resource.is_person),
        tuple(f for f in free if f.resource.is_person),
    )


def _earliest(
    booking: datetime | None, shift_end: datetime | None, closing: datetime
) -> datetime | None:
    """The first of the next booking and the end of the shift; None when that is
    closing time or later (free for the rest of the evening)."""
    ends = [t for t in (booking, shift_end) if t is not None and t < closing]
    return min(ends) if ends else None

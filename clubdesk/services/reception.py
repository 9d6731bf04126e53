"""Walk-in reception (带客, domain.md section 2) and the reception figures per staff.

A guest at the door is *received* (a ``Reception`` row: who received them, member or
walk-in name, the need) and waits in the lounge until they are *seated* — a walk-in
booking holding a suite and a therapist, in service at once or arrived for a later
start — or *leave* (with a reason).  The reception success rate (带客成功率) of a staff
member is seated / received.

``in_service`` lists the guests in the house: arrived, in service and (on request)
finished but not yet settled, with the elapsed time and the time left or overrun.

Every write needs ``Permission.BOOKING_EDIT``, is one transaction and leaves an audit
entry; ``at`` is the clock (now when None).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import (
    Booking,
    BookingResource,
    Member,
    Reception,
    Resource,
    Service,
    Staff,
    resource_services,
)
from clubdesk.models.enums import (
    BookingState,
    ReceptionOutcome,
    ResourceKind,
    Satisfaction,
    ServiceCategory,
)
from clubdesk.services import audit, booking_slots, bookings
from clubdesk.services.booking_rules import IllegalTransition
from clubdesk.services.bookings import BookingDraft, Change
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember

log = logging.getLogger(__name__)

GUEST_MAX = 40
NEED_MAX = 200
REASON_MAX = 200
PEOPLE = (ResourceKind.THERAPIST, ResourceKind.COACH, ResourceKind.TECHNICIAN)
# A booking left "in service" for longer than this is not a guest in the house any
# more (someone forgot to finish it); the board still shows it.  The bound lets the
# query use the start-time index instead of reading every booking ever made.
IN_HOUSE_LOOKBACK = timedelta(days=2)
# Finished bookings waiting for checkout are listed for this long after they finished.
UNSETTLED_LOOKBACK = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class LoungeRow:
    """A guest waiting in the lounge (a reception still open)."""

    reception_id: int
    member_id: int | None
    guest: str  # the member's name or the walk-in name
    need: str
    received_at: datetime
    received_by: str
    waited_min: int


@dataclass(frozen=True, slots=True)
class InServiceRow:
    booking_id: int
    version: int
    state: BookingState
    guest: str
    member_id: int | None
    walk_in: bool
    service_id: int
    service: str
    rooms: tuple[str, ...]
    staff: tuple[str, ...]
    start_at: datetime  # the booking's planned start
    end_at: datetime  # planned end, 加钟 included
    arrived_at: datetime | None
    started_at: datetime | None  # when the service really started
    finished_at: datetime | None
    added_minutes: int
    elapsed_min: int | None  # since the service started; None before it started
    minutes_left: int  # until the planned end; negative: overrun by that much
    notes: str

    @property
    def overrun(self) -> bool:
        return self.state is BookingState.IN_SERVICE and self.minutes_left < 0

    @property
    def overrun_min(self) -> int:
        return -self.minutes_left if self.overrun else 0


@dataclass(frozen=True, slots=True)
class WalkInService:
    id: int
    name: str
    duration_min: int
    list_price_fen: int


@dataclass(frozen=True, slots=True)
class StaffFigures:
    """Reception figures of one staff member over a period."""

    staff_id: int
    name: str
    received: int  # guests received at the door (receptions)
    seated: int
    left: int
    served: int  # bookings they took that were finished or settled
    satisfied: int
    average: int
    dissatisfied: int

    @property
    def waiting(self) -> int:
        return self.received - self.seated - self.left

    @property
    def success_rate(self) -> float | None:
        """带客成功率: seated / received; None when nobody was received."""
        return self.seated / self.received if self.received else None

    @property
    def rated(self) -> int:
        return self.satisfied + self.average + self.dissatisfied

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率: satisfied / guests who gave a rating; None when nobody did."""
        return self.satisfied / self.rated if self.rated else None


# -- writing ------------------------------------------------------------------------------


def _clean(text: str | None, limit: int, message: str, field: str) -> str | None:
    value = (text or "").strip() or None
    if value is not None and len(value) > limit:
        raise DomainError(message.format(n=limit), field=field)
    return value


def receive(
    db: Database, actor: StaffMember | None, *, member_id: int | None = None,
    guest_name: str | None = None, need: str | None = None, at: datetime | None = None,
) -> int:  # fmt: skip
    """A guest at the door, seated in the lounge: the reception's id."""
    require(actor, Permission.BOOKING_EDIT)
    now = at or datetime.now()
    guest = _clean(guest_name, GUEST_MAX, _("客人姓名不能超过 {n} 个字。"), "guest")
    text = _clean(need, NEED_MAX, _("需求不能超过 {n} 个字。"), "need")
    if member_id is None and guest is None:
        raise DomainError(_("请选择会员或填写散客姓名。"), field="guest")
    with db.write() as session:
        if member_id is not None and session.get(Member, member_id) is None:
            raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
        row = Reception(
            staff_id=actor.id if actor else None,
            member_id=member_id,
            guest_name=None if member_id is not None else guest,
            need=text,
            received_at=now,
        )
        session.add(row)
        session.flush()
        audit.record(
            session, actor, "reception.receive", "reception", row.id,
            after={"member_id": member_id, "guest_name": row.guest_name, "need": text},
            at=now,
        )  # fmt: skip
        return row.id


def _load(session: Session, reception_id: int) -> Reception:
    row = session.get(Reception, reception_id)
    if row is None:
        raise NotFound(_("找不到编号为 {id} 的接待记录。").format(id=reception_id))
    return row


def _require_open(row: Reception) -> None:
    if row.outcome is ReceptionOutcome.SEATED:
        raise IllegalTransition(_("这位客人已经入座，不能再登记入座或离开。"), field="reception")
    if row.outcome is ReceptionOutcome.LEFT:
        raise IllegalTransition(_("这位客人已经登记离开，不能再入座。"), field="reception")


def _close(
    session: Session, reception_id: int, outcome: ReceptionOutcome, now: datetime,
    **values: Any,
) -> None:  # fmt: skip
    """Close the reception if it is still open; another counter may have closed it a
    moment ago (the conditional UPDATE is the check that cannot race)."""
    done = session.execute(
        update(Reception)
        .where(Reception.id == reception_id, Reception.outcome.is_(None))
        .values(outcome=outcome, closed_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(done, "rowcount", 0) != 1:
        session.expire_all()
        _require_open(_load(session, reception_id))
        raise AssertionError("reception neither open nor closed")  # pragma: no cover


def seat(
    db: Database, actor: StaffMember | None, reception_id: int, *, service_id: int,
    resource_ids: tuple[int, ...] | list[int], start_at: datetime | None = None,
    minutes: int | None = None, notes: str | None = None, at: datetime | None = None,
) -> Change:  # fmt: skip
    """Seat a received guest: a walk-in booking of ``service_id`` on ``resource_ids``
    from ``start_at`` (now when None or past) for ``minutes`` (the service's duration
    when None) — in service when it starts now, arrived when it starts later — and the
    reception marked seated with that booking.  The booking's notes are ``notes``, or
    the need noted at the door when None.

    The booking and the close of the reception are one transaction: a guest is never
    seated twice, nor a booking left behind for a reception another counter closed.
    """
    require(actor, Permission.BOOKING_EDIT)
    now = at or datetime.now()
    with db.read() as session:
        row = _load(session, reception_id)
        _require_open(row)
        service = session.get(Service, service_id)
        if service is None or not service.active:
            raise DomainError(_("请选择一个在售的服务项目。"), field="service")
        if service.capacity is not None:
            raise DomainError(
                _("“{service}”是课程/场次，请在预约看板上为客人订座。").format(
                    service=service.name
                ),
                field="service",
            )
        member_id, guest, need = row.member_id, row.guest_name, row.need
        duration = service.duration_min
    length = duration if minutes is None else minutes
    if length <= 0:
        raise DomainError(_("服务时长必须大于 0 分钟。"), field="minutes")
    later = start_at is not None and start_at > now
    start = start_at if start_at is not None and later else now.replace(second=0, microsecond=0)
    draft = BookingDraft(
        service_id=service_id, start_at=start, end_at=start + timedelta(minutes=length),
        resource_ids=tuple(resource_ids), member_id=member_id, guest_name=guest,
        notes=need if notes is None else notes,
        walk_in=True,
    )  # fmt: skip
    state = BookingState.ARRIVED if later else BookingState.IN_SERVICE

    def work() -> Change:
        with bookings.booking_write(db) as session:
            booking = bookings.create_in(session, actor, draft, at=now, state=state)
            _close(session, reception_id, ReceptionOutcome.SEATED, now, booking_id=booking.id)
            audit.record(
                session, actor, "reception.seat", "reception", reception_id,
                after={"outcome": ReceptionOutcome.SEATED.value, "booking_id": booking.id},
                at=now,
            )  # fmt: skip
            return Change(booking.id, booking.version)

    return bookings.retrying(work)


def leave(
    db: Database, actor: StaffMember | None, reception_id: int, reason: str,
    at: datetime | None = None,
) -> None:  # fmt: skip
    """The guest left without being seated, for ``reason``."""
    require(actor, Permission.BOOKING_EDIT)
    now = at or datetime.now()
    text = _clean(reason, REASON_MAX, _("离开原因不能超过 {n} 个字。"), "reason")
    if text is None:
        raise DomainError(_("请填写客人离开的原因。"), field="reason")
    with db.write() as session:
        _close(session, reception_id, ReceptionOutcome.LEFT, now, left_reason=text)
        audit.record(
            session, actor, "reception.leave", "reception", reception_id,
            after={"outcome": ReceptionOutcome.LEFT.value}, detail=text, at=now,
        )  # fmt: skip


# -- reading ------------------------------------------------------------------------------


def _minutes(delta: timedelta) -> int:
    """Whole minutes, rounded down (also below zero: 30 s late is 1 minute over)."""
    return math.floor(delta.total_seconds() / 60)


def walk_in_services(db: Database) -> list[WalkInService]:
    """Services a walk-in can be seated for: on sale, not a class or screening (those
    are seats on the board), and done by at least one active room, suite or person
    (``board.free_now`` offers no areas).  In catalogue order."""
    able = (
        select(resource_services.c.service_id)
        .join(Resource, Resource.id == resource_services.c.resource_id)
        .where(Resource.active.is_(True), Resource.kind != ResourceKind.AREA)
    )
    query = select(
        Service.id, Service.name, Service.duration_min, Service.list_price_fen, Service.category
    ).where(Service.active.is_(True), Service.capacity.is_(None), Service.id.in_(able))
    order = list(ServiceCategory)
    with db.read() as session:
        rows = sorted(session.execute(query).all(), key=lambda r: (order.index(r[4]), r[1], r[0]))
    return [WalkInService(sid, name, minutes, price) for sid, name, minutes, price, _c in rows]


def lounge(db: Database, at: datetime | None = None) -> list[LoungeRow]:
    """Guests received and not yet seated or gone, longest waiting first."""
    return _lounge(db, at or datetime.now(), reception_id=None, open_only=True)


def _lounge(
    db: Database, now: datetime, *, reception_id: int | None, open_only: bool
) -> list[LoungeRow]:
    query = (
        select(
            Reception.id, Reception.member_id, Member.name, Reception.guest_name,
            Reception.need, Reception.received_at, Staff.display_name,
        )
        .outerjoin(Member, Member.id == Reception.member_id)
        .outerjoin(Staff, Staff.id == Reception.staff_id)
        .order_by(Reception.received_at, Reception.id)
    )  # fmt: skip
    if open_only:
        query = query.where(Reception.outcome.is_(None))
    if reception_id is not None:
        query = query.where(Reception.id == reception_id)
    with db.read() as session:
        rows = session.execute(query).all()
    return [
        LoungeRow(
            reception_id=rid,
            member_id=member_id,
            guest=member or guest or "",
            need=need or "",
            received_at=received_at,
            received_by=staff or "",
            waited_min=max(0, _minutes(now - received_at)),
        )
        for rid, member_id, member, guest, need, received_at, staff in rows
    ]


def in_service(
    db: Database, at: datetime | None = None, *, unsettled: bool = False
) -> list[InServiceRow]:
    """Guests in the house now: bookings in service and arrived (and, with
    ``unsettled``, those finished in the last hours and not settled yet), earliest
    first.  Classes and screenings are left out: their seats hold no room or staff."""
    now = at or datetime.now()
    states = [BookingState.IN_SERVICE, BookingState.ARRIVED]
    if unsettled:
        states.append(BookingState.FINISHED)
    query = (
        select(
            Booking.id, Booking.version, Booking.state, Member.name, Booking.guest_name,
            Booking.member_id, Booking.walk_in, Booking.service_id, Service.name,
            Booking.start_at, Booking.end_at, Booking.arrived_at, Booking.service_started_at,
            Booking.finished_at, Booking.added_minutes, Booking.notes,
        )
        .join(Service, Service.id == Booking.service_id)
        .outerjoin(Member, Member.id == Booking.member_id)
        .where(
            Booking.start_at >= now - IN_HOUSE_LOOKBACK,
            Booking.state.in_(states),
            Service.capacity.is_(None),
            Booking.session_id.is_(None),
            or_(
                Booking.state != BookingState.FINISHED,
                Booking.finished_at >= now - UNSETTLED_LOOKBACK,
            ),
        )
        .order_by(Booking.start_at, Booking.id)
    )  # fmt: skip
    with db.read() as session:
        rows = session.execute(query).all()
        held: dict[int, tuple[list[str], list[str]]] = {r[0]: ([], []) for r in rows}
        if held:
            for booking_id, name, kind in session.execute(
                select(BookingResource.booking_id, Resource.name, Resource.kind)
                .join(Resource, Resource.id == BookingResource.resource_id)
                .where(BookingResource.booking_id.in_(list(held)))
                .order_by(Resource.sort_order, Resource.id)
            ):
                held[booking_id][1 if kind in PEOPLE else 0].append(name)
    result: list[InServiceRow] = []
    for (
        bid, version, state, member, guest, member_id, walk_in, service_id, service,
        start_at, end_at, arrived_at, started_at, finished_at, added, notes,
    ) in rows:  # fmt: skip
        rooms, staff = held[bid]
        running = state is BookingState.IN_SERVICE and started_at is not None
        if running:
            elapsed: int | None = max(0, _minutes(now - started_at))
        elif state is BookingState.FINISHED and started_at is not None and finished_at:
            elapsed = max(0, _minutes(finished_at - started_at))
        else:
            elapsed = None
        result.append(
            InServiceRow(
                booking_id=bid, version=version, state=state, guest=member or guest or "",
                member_id=member_id, walk_in=bool(walk_in), service_id=service_id,
                service=service, rooms=tuple(dict.fromkeys(rooms)),
                staff=tuple(dict.fromkeys(staff)), start_at=start_at, end_at=end_at,
                arrived_at=arrived_at, started_at=started_at, finished_at=finished_at,
                added_minutes=added or 0, elapsed_min=elapsed,
                minutes_left=_minutes(end_at - now), notes=notes or "",
            )
        )  # fmt: skip
    return result


def period_bounds(session: Session, start: date, end: date) -> tuple[datetime, datetime]:
    """From the opening on ``start`` to the opening the day after ``end``: business days,
    so a guest at 01:00 counts for the evening before when the club closes at 02:00."""
    opens, _closes = booking_slots.opening_hours(session)
    return datetime.combine(start, opens), datetime.combine(end + timedelta(days=1), opens)


def figures(db: Database, start: date, end: date) -> list[StaffFigures]:
    """Per staff member, for the business days ``start``..``end``: guests received at
    the door and how many were seated or left (receptions they made), and the bookings
    they took that were served (finished or settled) with the satisfaction given.
    Most guests received first."""
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), field="end")
    seated = ReceptionOutcome.SEATED
    served_states = (BookingState.FINISHED, BookingState.SETTLED)

    def count_when(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    with db.read() as session:
        first, last = period_bounds(session, start, end)
        received = session.execute(
            select(
                Reception.staff_id,
                func.count(),
                count_when(Reception.outcome == seated),
                count_when(Reception.outcome == ReceptionOutcome.LEFT),
            )
            .where(
                Reception.staff_id.is_not(None),
                Reception.received_at >= first,
                Reception.received_at < last,
            )
            .group_by(Reception.staff_id)
        ).all()
        served = session.execute(
            select(
                Booking.received_by_id,
                func.count(),
                count_when(Booking.satisfaction == Satisfaction.SATISFIED),
                count_when(Booking.satisfaction == Satisfaction.AVERAGE),
                count_when(Booking.satisfaction == Satisfaction.DISSATISFIED),
            )
            .where(
                Booking.received_by_id.is_not(None),
                Booking.state.in_(served_states),
                Booking.start_at >= first,
                Booking.start_at < last,
                or_(Booking.member_id.is_not(None), Booking.guest_name.is_not(None)),
            )
            .group_by(Booking.received_by_id)
        ).all()
        ids = {r[0] for r in received} | {r[0] for r in served}
        names = dict(
            session.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(ids))).all()
        )
    counts: dict[int, list[int]] = {i: [0] * 7 for i in ids}
    for staff_id, n, n_seated, n_left in received:
        counts[staff_id][0:3] = [int(n), int(n_seated), int(n_left)]
    for staff_id, n, good, middling, bad in served:
        counts[staff_id][3:7] = [int(n), int(good), int(middling), int(bad)]
    result = [
        StaffFigures(staff_id, names.get(staff_id, ""), *values)
        for staff_id, values in counts.items()
    ]
    result.sort(key=lambda f: (-f.received, -f.served, f.name, f.staff_id))
    return result


def this_month(today: date | None = None) -> tuple[date, date]:
    """The first and last day of the month of ``today``."""
    day = today or date.today()
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)

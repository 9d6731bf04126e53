"""Whether a booking may hold its rooms and staff for a time: opening hours, working
hours, what each resource can do, and the overlap rule.

Called inside the write transaction that then inserts or moves the allocations.  On
SQLite that transaction began with BEGIN IMMEDIATE, so no other counter can write
between this check and the insert; on PostgreSQL the exclusion constraint
``ex_booking_resources_no_overlap`` catches the race this check cannot see, and
``conflict_from`` turns its error into the same message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.models import Booking, BookingResource, Member, Resource, Service
from clubdesk.models.enums import BookingState, ResourceKind
from clubdesk.services.booking_rules import BookingConflict
from clubdesk.settings import session_value

NO_OVERLAP = "ex_booking_resources_no_overlap"
MIN_MINUTES = 15
MAX_MINUTES = 12 * 60


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours) % 24, int(minutes))


def span(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """The interval from ``start`` on ``day`` to ``end``, the next day if it is not later
    (10:00–02:00 runs past midnight; equal times mean round the clock)."""
    first = datetime.combine(day, start)
    last = datetime.combine(day, end)
    if last <= first:
        last += timedelta(days=1)
    return first, last


def opening_hours(session: Session) -> tuple[time, time]:
    opens = parse_hhmm(str(session_value(session, "club.opening_time")))
    closes = parse_hhmm(str(session_value(session, "club.closing_time")))
    return opens, closes


def business_day(at: datetime, opens: time, closes: time) -> date:
    """The day whose opening hours contain ``at``: 01:00 belongs to yesterday when the
    club closes at 02:00."""
    day = at.date()
    first, last = span(day - timedelta(days=1), opens, closes)
    return day - timedelta(days=1) if first <= at < last else day


def check_times(session: Session, start_at: datetime, end_at: datetime) -> None:
    if end_at <= start_at:
        raise DomainError(_("结束时间必须晚于开始时间。"), field="end_at")
    minutes = (end_at - start_at).total_seconds() / 60
    if minutes < MIN_MINUTES:
        raise DomainError(_("预约至少 {n} 分钟。").format(n=MIN_MINUTES), field="end_at")
    if minutes > MAX_MINUTES:
        raise DomainError(
            _("一次预约不能超过 {n} 小时。").format(n=MAX_MINUTES // 60), field="end_at"
        )
    opens, closes = opening_hours(session)
    if opens == closes:
        return  # open round the clock (a 24-hour bath centre)
    first, last = span(business_day(start_at, opens, closes), opens, closes)
    if not (first <= start_at and end_at <= last):
        raise DomainError(
            _("预约时间必须在营业时间 {opens}–{closes} 之内。").format(
                opens=opens.strftime("%H:%M"), closes=closes.strftime("%H:%M")
            ),
            field="start_at",
        )


def check_resources(
    session: Session, service: Service, resources: Sequence[Resource], start_at: datetime,
    end_at: datetime,
) -> None:  # fmt: skip
    """Each resource is in use, can do the service and works at that time."""
    seen: set[int] = set()
    for resource in resources:
        if resource.id in seen:
            raise DomainError(_("同一个房间或技师不能选两次。"), field="resources")
        seen.add(resource.id)
        if not resource.active:
            raise DomainError(
                _("“{name}”已停用，不能预约。").format(name=resource.name), field="resources"
            )
        if all(s.id != service.id for s in resource.services):
            raise DomainError(
                _("“{name}”不能做“{service}”，请换一个房间或技师。").format(
                    name=resource.name, service=service.name
                ),
                field="resources",
            )
        if not works_during(resource.works_from, resource.works_until, start_at, end_at):
            assert resource.works_from is not None and resource.works_until is not None
            raise DomainError(
                _("“{name}”的上班时间是 {start}–{end}，这个时间不在班上。").format(
                    name=resource.name,
                    start=resource.works_from.strftime("%H:%M"),
                    end=resource.works_until.strftime("%H:%M"),
                ),
                field="resources",
            )


def shift_at(
    works_from: time | None, works_until: time | None, at: datetime
) -> tuple[datetime, datetime] | None:
    """The shift (which may cross midnight) that ``at`` falls in; None when off duty or
    when no hours are set."""
    if works_from is None or works_until is None:
        return None
    for day in (at.date() - timedelta(days=1), at.date()):
        first, last = span(day, works_from, works_until)
        if first <= at < last:
            return first, last
    return None


def works_during(
    works_from: time | None, works_until: time | None, start_at: datetime, end_at: datetime
) -> bool:
    """On duty for the whole span; always, for a resource with no set hours."""
    if works_from is None or works_until is None:
        return True
    shift = shift_at(works_from, works_until, start_at)
    return shift is not None and end_at <= shift[1]


def check_free(
    session: Session, resource_ids: Sequence[int], start_at: datetime, end_at: datetime,
    *, ignore_booking_id: int | None = None, now: datetime | None = None, guests: int = 1,
    session_host: bool = False,
) -> None:  # fmt: skip
    """Refuse when a resource cannot take the booking in the span.

    A room or a person (capacity 1) holds one active booking at a time; an area with a
    capacity (the bath, the gym floor) takes guests up to it, unless a session (a class,
    a screening) holds it whole.  A service still going past its planned end keeps its
    room and therapist until it is finished, so a walk-in is not seated on top of it.
    """
    if not resource_ids:
        return
    # Only an area is shared; a suite for two is still one party's booking.  The rows
    # are locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers) in id
    # order: the exclusion constraint covers exclusive holds only, so two counters
    # filling the same bath must queue here.
    names: dict[int, str] = {}
    capacity: dict[int, int] = {}
    for rid, name, cap, kind in session.execute(
        select(Resource.id, Resource.name, Resource.capacity, Resource.kind)
        .where(Resource.id.in_(resource_ids))
        .order_by(Resource.id)
        .with_for_update()
    ):
        names[rid] = name
        capacity[rid] = cap if kind is ResourceKind.AREA and not session_host else 1
        if capacity[rid] > 1 and guests > capacity[rid]:
            raise BookingConflict(
                _("“{name}”最多容纳 {cap} 位客人，这个预约有 {n} 位。").format(
                    name=name, cap=cap, n=guests
                ),
                field="guest_count",
            )
    overlapping = or_(BookingResource.end_at > start_at, Booking.state == BookingState.IN_SERVICE)
    # An overrun blocks what starts within the next slot; later it will likely be over.
    if now is None or start_at >= now + timedelta(minutes=MIN_MINUTES):
        overlapping = BookingResource.end_at > start_at
    query = (
        select(
            BookingResource.resource_id,
            BookingResource.exclusive,
            Booking.guest_count,
            BookingResource.start_at,
            BookingResource.end_at,
            Member.name,
            Booking.guest_name,
            Service.name,
        )
        .select_from(BookingResource)
        .join(Booking, Booking.id == BookingResource.booking_id)
        .join(Service, Service.id == Booking.service_id)
        .outerjoin(Member, Member.id == Booking.member_id)
        .where(
            BookingResource.resource_id.in_(resource_ids),
            BookingResource.active.is_(True),
            BookingResource.start_at < end_at,
            overlapping,
        )
        .order_by(BookingResource.start_at)
    )
    if ignore_booking_id is not None:
        query = query.where(BookingResource.booking_id != ignore_booking_id)
    sharing: dict[int, list[tuple[datetime, datetime, int]]] = {}
    for rid, exclusive, count, first, last, member, guest, service in session.execute(query):
        if capacity.get(rid, 1) > 1 and not exclusive:
            sharing.setdefault(rid, []).append((max(first, start_at), last, count))
            continue
        clash = _(
            "“{name}”在 {start}–{end} 已有预约（{guest}，{service}），请换一个时间或房间/技师。"
        )
        raise BookingConflict(
            clash.format(
                name=names.get(rid, ""),
                start=first.strftime("%H:%M"),
                end=last.strftime("%H:%M"),
                guest=member or guest or _("课程/场次"),
                service=service,
            ),
            field="resources",
        )
    for rid, spans in sharing.items():
        peak = _peak(spans)
        if peak + guests > capacity[rid]:
            raise BookingConflict(
                _("“{name}”在这个时间已有 {n} 位客人，容量 {cap} 位，坐不下了。").format(
                    name=names[rid], n=peak, cap=capacity[rid]
                ),
                field="resources",
            )


def _peak(spans: list[tuple[datetime, datetime, int]]) -> int:
    """The most guests present at once: guests of 10–11 and of 11–12 never meet."""
    return max(sum(n for first, last, n in spans if first <= t < last) for t, _e, _n in spans)


def is_exclusive(resource: Resource, service: Service) -> bool:
    """Whether a booking holds the resource alone (see check_free)."""
    shared = resource.kind is ResourceKind.AREA and resource.capacity > 1
    return not shared or service.capacity is not None


def conflict_from(exc: BaseException) -> BookingConflict | None:
    """The exclusion constraint's refusal (PostgreSQL) as the board's conflict message."""
    if isinstance(exc, IntegrityError) and NO_OVERLAP in str(exc.orig):
        return BookingConflict(
            _("另一台收银台刚刚预约了同一时间的房间或技师，看板已刷新，请换一个时间或房间/技师。"),
            field="resources",
        )
    return None

"""Bookings: create, move and resize, the life cycle, 加钟, session seats.

Every change is one write transaction that checks the slot and writes the allocations
together (see booking_slots for why that holds across counters), records an audit
entry, and hands back the notices of waitlisted guests the change made room for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from clubdesk.db.engine import Database
from clubdesk.errors import DatabaseEnvironmentError, DbProblem, DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import Booking, BookingResource, Checkout, Member, Resource, Service
from clubdesk.models.enums import BookingState, Satisfaction
from clubdesk.services import audit, booking_slots, return_visits, waitlist
from clubdesk.services.booking_rules import (
    BookingConflict,
    IllegalTransition,
    SessionFull,
    holds_resources,
    is_session_host,
    require_transition,
)
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember

T = TypeVar("T")
LOCK_RETRIES = 3
NOTES_MAX = 500
GUEST_MAX = 40

# Seats that still count against a session's capacity.
SEAT_STATES = (
    BookingState.BOOKED,
    BookingState.ARRIVED,
    BookingState.IN_SERVICE,
    BookingState.FINISHED,
    BookingState.SETTLED,
)


@dataclass(frozen=True, slots=True)
class BookingDraft:
    service_id: int
    start_at: datetime
    end_at: datetime
    resource_ids: tuple[int, ...] = ()
    member_id: int | None = None
    guest_name: str | None = None
    guest_count: int = 1
    notes: str | None = None
    walk_in: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    booking_id: int
    version: int
    notices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SeatRow:
    booking_id: int
    guest: str
    member_id: int | None
    state: BookingState


@dataclass(frozen=True, slots=True)
class BookingDetail:
    id: int
    version: int
    state: BookingState
    member_id: int | None
    member_name: str | None
    guest_name: str | None
    guest_count: int
    walk_in: bool
    service_id: int
    service: str
    duration_min: int
    list_price_fen: int
    capacity: int | None
    start_at: datetime
    end_at: datetime
    resource_ids: tuple[int, ...]
    resources: tuple[str, ...]
    notes: str
    cancel_reason: str | None
    satisfaction: Satisfaction | None
    arrived_at: datetime | None
    service_started_at: datetime | None
    finished_at: datetime | None
    settled_at: datetime | None
    added_minutes: int
    session_id: int | None
    seats: tuple[SeatRow, ...]
    checkout_id: int | None
    member_no_shows: int

    @property
    def guest(self) -> str:
        return self.member_name or self.guest_name or ""

    @property
    def is_session(self) -> bool:
        return self.capacity is not None and self.session_id is None


@dataclass(frozen=True, slots=True)
class BookingRow:
    id: int
    start_at: datetime
    end_at: datetime
    guest: str
    service: str
    resources: str
    state: BookingState
    walk_in: bool


# -- writing ----------------------------------------------------------------------------


class _Deadlock(Exception):
    """PostgreSQL broke a lock cycle between two counters by aborting this transaction."""


@contextmanager
def booking_write(db: Database) -> Iterator[Session]:
    """db.write() with the exclusion constraint and stale versions as board messages."""
    try:
        with db.write() as session:
            yield session
    except OperationalError as exc:
        if "deadlock detected" in str(exc.orig).lower():
            raise _Deadlock from exc
        raise
    except IntegrityError as exc:
        conflict = booking_slots.conflict_from(exc)
        if conflict is not None:
            raise conflict from exc
        raise
    except StaleDataError as exc:
        raise BookingConflict(
            _("该预约刚被其他收银台修改，看板已刷新，请重新操作。"), field="version"
        ) from exc


def retrying(work: Callable[[], T]) -> T:
    """Run a write again when another counter held the SQLite file past the busy
    timeout, or PostgreSQL chose this transaction to end a deadlock: the caller sees a
    conflict or a success, never "database is locked" or "deadlock detected"."""
    for attempt in range(LOCK_RETRIES):
        last = attempt == LOCK_RETRIES - 1
        try:
            return work()
        except DatabaseEnvironmentError as exc:
            if exc.problem is not DbProblem.LOCKED or last:
                raise
        except _Deadlock as exc:
            if last:
                raise BookingConflict(
                    _("另一台收银台正在预约同一房间或技师，请刷新看板后再试。"), field="resources"
                ) from exc
    raise AssertionError("unreachable")


def _load(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id, options=[selectinload(Booking.allocations)])
    if booking is None:
        raise NotFound(_("找不到编号为 {id} 的预约，可能已被删除。").format(id=booking_id))
    return booking


def _resources(session: Session, ids: tuple[int, ...]) -> list[Resource]:
    found = {
        r.id: r
        for r in session.scalars(
            select(Resource).where(Resource.id.in_(ids)).options(selectinload(Resource.services))
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(_("找不到编号为 {id} 的房间或技师。").format(id=missing[0]))
    return [found[i] for i in ids]


def _clean_guest(draft: BookingDraft) -> str | None:
    guest = (draft.guest_name or "").strip() or None
    if guest is not None and len(guest) > GUEST_MAX:
        raise DomainError(_("客人姓名不能超过 {n} 个字。").format(n=GUEST_MAX), field="guest")
    return guest


def _clean_notes(notes: str | None) -> str | None:
    text = (notes or "").strip() or None
    if text is not None and len(text) > NOTES_MAX:
        raise DomainError(_("备注不能超过 {n} 个字。").format(n=NOTES_MAX), field="notes")
    return text


def create(
    db: Database, actor: StaffMember | None, draft: BookingDraft, *, at: datetime | None = None,
    state: BookingState = BookingState.BOOKED,
) -> Change:  # fmt: skip
    """A new booking holding its rooms and staff; ``state`` ARRIVED or IN_SERVICE for a
    walk-in who is seated at once."""
    now = at or datetime.now()

    def work() -> Change:
        with booking_write(db) as session:
            booking = create_in(session, actor, draft, at=now, state=state)
            return Change(booking.id, booking.version)

    return retrying(work)


def create_in(
    session: Session, actor: StaffMember | None, draft: BookingDraft, *, at: datetime,
    state: BookingState = BookingState.BOOKED,
) -> Booking:  # fmt: skip
    """``create`` inside the caller's write transaction (a walk-in seated together with
    the close of its reception).  The caller maps a PostgreSQL exclusion error with
    ``booking_slots.conflict_from``."""
    require(actor, Permission.BOOKING_EDIT)
    if state not in (BookingState.BOOKED, BookingState.ARRIVED, BookingState.IN_SERVICE):
        raise IllegalTransition(_("新预约只能是已预约、已到店或服务中。"), field="state")
    guest = _clean_guest(draft)
    notes = _clean_notes(draft.notes)
    if not 1 <= draft.guest_count <= 50:
        raise DomainError(_("人数应在 1 到 50 之间。"), field="guest_count")
    if draft.end_at <= at:
        raise DomainError(_("不能预约已经过去的时间。"), field="start_at")
    service = session.get(Service, draft.service_id)
    if service is None or not service.active:
        raise DomainError(_("请选择一个在售的服务项目。"), field="service")
    if service.capacity is not None and (draft.member_id is not None or guest is not None):
        raise DomainError(
            _("“{service}”按场次订座：请先在看板上建场次，再为客人订座。").format(
                service=service.name
            ),
            field="service",
        )
    if draft.member_id is None and guest is None and service.capacity is None:
        raise DomainError(_("请选择会员或填写散客姓名。"), field="guest")
    if draft.member_id is not None and session.get(Member, draft.member_id) is None:
        raise NotFound(_("找不到编号为 {id} 的会员。").format(id=draft.member_id))
    if not draft.resource_ids:
        raise DomainError(_("请至少选择一个房间或技师。"), field="resources")
    booking_slots.check_times(session, draft.start_at, draft.end_at)
    resources = _resources(session, draft.resource_ids)
    booking_slots.check_resources(session, service, resources, draft.start_at, draft.end_at)
    booking_slots.check_free(
        session, draft.resource_ids, draft.start_at, draft.end_at, now=at,
        guests=draft.guest_count, session_host=service.capacity is not None,
    )  # fmt: skip
    booking = Booking(
        member_id=draft.member_id, guest_name=guest, guest_count=draft.guest_count,
        service_id=service.id, start_at=draft.start_at, end_at=draft.end_at,
        state=state, walk_in=draft.walk_in, notes=notes,
        received_by_id=actor.id if actor else None, created_at=at,
        arrived_at=at if state is not BookingState.BOOKED else None,
        service_started_at=at if state is BookingState.IN_SERVICE else None,
    )  # fmt: skip
    # Rows in resource-id order, so two counters taking the same two resources lock
    # them in the same order on PostgreSQL.
    by_id = {r.id: r for r in resources}
    booking.allocations = [
        BookingResource(
            resource_id=r,
            start_at=draft.start_at,
            end_at=draft.end_at,
            exclusive=booking_slots.is_exclusive(by_id[r], service),
        )
        for r in sorted(draft.resource_ids)
    ]
    session.add(booking)
    session.flush()
    audit.record(
        session, actor, "booking.create", "booking", booking.id,
        after=_snapshot(booking), at=at,
    )  # fmt: skip
    return booking


def reschedule(
    db: Database, actor: StaffMember | None, booking_id: int, *, start_at: datetime,
    end_at: datetime, resource_ids: tuple[int, ...] | None = None,
    expected_version: int | None = None, at: datetime | None = None,
) -> Change:  # fmt: skip
    """Move, resize, or change the rooms and staff of a booking that still holds them."""
    require(actor, Permission.BOOKING_EDIT)
    now = at or datetime.now()

    def work() -> Change:
        with booking_write(db) as session:
            booking = _load_version(session, booking_id, expected_version)
            notices = _reschedule_in(
                session, actor, booking, start_at, end_at, resource_ids, now,
                guests=booking.guest_count,
            )  # fmt: skip
            return Change(booking.id, booking.version, notices)

    return retrying(work)


def edit(
    db: Database, actor: StaffMember | None, booking_id: int, *, expected_version: int,
    start_at: datetime, end_at: datetime, resource_ids: tuple[int, ...],
    member_id: int | None, guest_name: str | None, notes: str | None, guest_count: int = 1,
    at: datetime | None = None,
) -> Change:  # fmt: skip
    """The booking dialog's save: times, rooms, guest and notes in one transaction, so
    an edit is kept whole or not at all."""
    require(actor, Permission.BOOKING_EDIT)
    now = at or datetime.now()
    guest, text = _clean_edit(guest_name, notes, guest_count)

    def work() -> Change:
        with booking_write(db) as session:
            booking = _load_version(session, booking_id, expected_version)
            notices: tuple[str, ...] = ()
            moved = (start_at, end_at, tuple(sorted(resource_ids))) != (
                booking.start_at, booking.end_at, tuple(sorted(_held(booking))),
            )  # fmt: skip
            if moved:
                notices = _reschedule_in(
                    session, actor, booking, start_at, end_at, resource_ids, now,
                    guests=guest_count,
                )  # fmt: skip
            _update_guest_in(session, actor, booking, member_id, guest, text, guest_count, now)
            return Change(booking.id, booking.version, notices)

    return retrying(work)


def _load_version(session: Session, booking_id: int, expected_version: int | None) -> Booking:
    booking = _load(session, booking_id)
    if expected_version is not None and booking.version != expected_version:
        raise BookingConflict(
            _("该预约刚被其他收银台修改，看板已刷新，请重新操作。"), field="version"
        )
    return booking


def _reschedule_in(
    session: Session, actor: StaffMember | None, booking: Booking, start_at: datetime,
    end_at: datetime, resource_ids: tuple[int, ...] | None, now: datetime, *, guests: int,
) -> tuple[str, ...]:  # fmt: skip
    if booking.session_id is not None:
        raise DomainError(_("座位跟随场次，请移动场次本身。"), field="start_at")
    if not holds_resources(booking.state):
        raise IllegalTransition(_("只有未完成的预约可以改时间或房间。"), field="state")
    started = booking.state is BookingState.IN_SERVICE
    if started and start_at != booking.start_at:
        raise DomainError(_("服务已经开始，不能改开始时间，只能延长或缩短。"), field="start_at")
    if end_at <= now:
        if started:
            raise DomainError(_("服务中的预约，结束时间不能早于现在。"), field="end_at")
        raise DomainError(_("不能把预约改到已经过去的时间。"), field="start_at")
    ids = resource_ids if resource_ids is not None else _held(booking)
    if not ids:
        raise DomainError(_("请至少选择一个房间或技师。"), field="resources")
    before = _snapshot(booking)
    old = (booking.start_at, booking.end_at, _held(booking))
    booking_slots.check_times(session, start_at, end_at)
    service = booking.service
    resources = _resources(session, ids)
    booking_slots.check_resources(session, service, resources, start_at, end_at)
    booking_slots.check_free(
        session, ids, start_at, end_at, ignore_booking_id=booking.id, now=now,
        guests=guests, session_host=service.capacity is not None,
    )  # fmt: skip
    if started or booking.added_minutes:
        # Lengthening or shortening a service in progress (or one with 加钟) is 加钟 by
        # another name: the bill follows the time beyond the length first booked.
        # The service's own length is the floor, so shrinking and lengthening again
        # bills the same as lengthening once.
        had = int((booking.end_at - booking.start_at).total_seconds() // 60)
        booked = max(service.duration_min, had - booking.added_minutes)
        length = int((end_at - start_at).total_seconds() // 60)
        booking.added_minutes = max(0, length - booked)
    _place(session, booking, start_at, end_at, ids)
    session.flush()
    audit.record(
        session, actor, "booking.reschedule", "booking", booking.id,
        before=before, after=_snapshot(booking), at=now,
    )  # fmt: skip
    return _freed(session, booking, old[0], old[1], old[2], now)


def _held(booking: Booking) -> tuple[int, ...]:
    return tuple(a.resource_id for a in booking.allocations)


def _place(
    session: Session, booking: Booking, start_at: datetime, end_at: datetime,
    ids: tuple[int, ...],
) -> None:  # fmt: skip
    booking.start_at, booking.end_at = start_at, end_at
    # A change of rooms alone must still be a new version of the booking, or a second
    # counter's stale drag would silently undo it.
    flag_modified(booking, "end_at")
    by_resource = {a.resource_id: a for a in booking.allocations}
    for resource_id, dropped in list(by_resource.items()):
        if resource_id not in ids:
            booking.allocations.remove(dropped)
    # Deleting before inserting: PostgreSQL checks the exclusion constraint per row.
    session.flush()
    exclusive = {
        r.id: booking_slots.is_exclusive(r, booking.service) for r in _resources(session, ids)
    }
    for resource_id in sorted(ids):
        allocation = by_resource.get(resource_id)
        if allocation is None:
            booking.allocations.append(
                BookingResource(
                    resource_id=resource_id,
                    start_at=start_at,
                    end_at=end_at,
                    exclusive=exclusive[resource_id],
                )
            )
        else:
            allocation.start_at, allocation.end_at = start_at, end_at
    for seat in _seats(session, booking.id):
        seat.start_at, seat.end_at = start_at, end_at


def _freed(
    session: Session, booking: Booking, start_at: datetime, end_at: datetime,
    ids: tuple[int, ...], now: datetime,
) -> tuple[str, ...]:  # fmt: skip
    """Waitlist notices for the part of the old slot the booking no longer holds."""
    if end_at <= now:
        return ()
    still = set(_held(booking)) if holds_resources(booking.state) else set()
    gone = tuple(r for r in ids if r not in still)
    spans: list[tuple[datetime, datetime, tuple[int, ...]]] = []
    if gone:
        spans.append((start_at, end_at, gone))
    kept = tuple(r for r in ids if r in still)
    if kept and start_at < booking.start_at:
        spans.append((start_at, min(end_at, booking.start_at), kept))
    if kept and end_at > booking.end_at:
        spans.append((max(start_at, booking.end_at), end_at, kept))
    notices: list[str] = []
    for first, last, resource_ids in spans:
        notices.extend(
            waitlist.notify_freed(
                session, service_id=booking.service_id, resource_ids=resource_ids,
                start_at=max(first, now), end_at=last, session_id=None, at=now,
            )
        )  # fmt: skip
    return tuple(notices)


def transition(
    db: Database, actor: StaffMember | None, booking_id: int, target: BookingState,
    *, reason: str | None = None, satisfaction: Satisfaction | None = None,
    at: datetime | None = None,
) -> Change:  # fmt: skip
    """Arrive, start, finish, cancel (with a reason) or mark a no-show."""
    require(actor, Permission.BOOKING_EDIT)
    now = at or datetime.now()
    if target is BookingState.SETTLED:
        raise IllegalTransition(_("结账请使用“结账”功能。"), field="state")
    text = (reason or "").strip()
    if target is BookingState.CANCELLED and not text:
        raise DomainError(_("取消预约请填写原因。"), field="reason")
    if len(text) > 200:
        raise DomainError(_("原因不能超过 200 个字。"), field="reason")

    def work() -> Change:
        with booking_write(db) as session:
            booking = _load(session, booking_id)
            if booking.state is BookingState.SETTLED and target is BookingState.FINISHED:
                raise IllegalTransition(_("已结账的预约只能由经理反结账后改回。"), field="state")
            require_transition(booking.state, target)
            if target is BookingState.NO_SHOW and now < booking.start_at:
                raise IllegalTransition(_("预约时间还没到，不能标记爽约。"), field="state")
            is_session = is_session_host(booking)
            if is_session and target is BookingState.NO_SHOW:
                raise IllegalTransition(_("场次不能标记爽约，请标记座位。"), field="state")
            before = _snapshot(booking)
            booking.state = target
            if target is BookingState.ARRIVED:
                booking.arrived_at = now
            elif target is BookingState.IN_SERVICE:
                booking.service_started_at = now
                booking.arrived_at = booking.arrived_at or now
            elif target is BookingState.FINISHED:
                booking.finished_at = now
                if satisfaction is not None:
                    booking.satisfaction = satisfaction
                return_visits.plan_after_service(session, booking, now)
            elif target is BookingState.CANCELLED or (target is BookingState.NO_SHOW and text):
                booking.cancel_reason = text
            for allocation in booking.allocations:
                allocation.active = holds_resources(target)
            if is_session and target is BookingState.CANCELLED:
                for seat in _seats(session, booking.id):
                    if seat.state in (BookingState.BOOKED, BookingState.ARRIVED):
                        seat.state = BookingState.CANCELLED
                        seat.cancel_reason = text
            session.flush()
            audit.record(
                session, actor, "booking." + target.value, "booking", booking.id,
                before=before, after=_snapshot(booking), detail=text or None, at=now,
            )  # fmt: skip
            notices: tuple[str, ...] = ()
            if target in (BookingState.CANCELLED, BookingState.NO_SHOW):
                if booking.session_id is not None:
                    notices = waitlist.notify_freed(
                        session, service_id=booking.service_id, resource_ids=(),
                        start_at=booking.start_at, end_at=booking.end_at,
                        session_id=booking.session_id, at=now,
                    )  # fmt: skip
                else:
                    notices = _freed(
                        session, booking, booking.start_at, booking.end_at,
                        _held(booking), now,
                    )  # fmt: skip
            return Change(booking.id, booking.version, notices)

    return retrying(work)


def add_time(
    db: Database, actor: StaffMember | None, booking_id: int, minutes: int,
    *, at: datetime | None = None,
) -> Change:  # fmt: skip
    """加钟: extend a booking in progress, if its room and staff are free that long."""
    require(actor, Permission.BOOKING_EDIT)
    if minutes <= 0 or minutes > 240 or minutes % 5:
        raise DomainError(_("加钟时长应为 5 到 240 分钟之间 5 的倍数。"), field="minutes")
    now = at or datetime.now()

    def work() -> Change:
        with booking_write(db) as session:
            booking = _load(session, booking_id)
            if booking.state not in (BookingState.ARRIVED, BookingState.IN_SERVICE):
                raise IllegalTransition(_("只有到店或服务中的预约可以加钟。"), field="state")
            if booking.session_id is not None or booking.service.capacity is not None:
                raise DomainError(_("课程和场次按场次时间进行，不能加钟。"), field="minutes")
            before = _snapshot(booking)
            end_at = booking.end_at + timedelta(minutes=minutes)
            booking_slots.check_times(session, booking.start_at, end_at)
            ids = _held(booking)
            booking_slots.check_resources(
                session, booking.service, _resources(session, ids), booking.start_at, end_at
            )
            booking_slots.check_free(
                session,
                ids,
                booking.start_at,
                end_at,
                ignore_booking_id=booking.id,
                now=now,
                guests=booking.guest_count,
                session_host=booking.service.capacity is not None,
            )
            _place(session, booking, booking.start_at, end_at, ids)
            booking.added_minutes += minutes
            session.flush()
            audit.record(
                session, actor, "booking.add_time", "booking", booking.id,
                before=before, after=_snapshot(booking), at=now,
            )  # fmt: skip
            return Change(booking.id, booking.version)

    return retrying(work)


def set_satisfaction(
    db: Database, actor: StaffMember | None, booking_id: int, satisfaction: Satisfaction
) -> Change:
    require(actor, Permission.BOOKING_EDIT)

    def work() -> Change:
        with booking_write(db) as session:
            booking = _load(session, booking_id)
            if booking.state not in (BookingState.FINISHED, BookingState.SETTLED):
                raise IllegalTransition(_("服务结束后才能登记满意度。"), field="satisfaction")
            booking.satisfaction = satisfaction
            session.flush()
            audit.record(
                session, actor, "booking.satisfaction", "booking", booking.id,
                detail=satisfaction.value,
            )  # fmt: skip
            return Change(booking.id, booking.version)

    return retrying(work)


def update_guest(
    db: Database, actor: StaffMember | None, booking_id: int, *, member_id: int | None,
    guest_name: str | None, notes: str | None, guest_count: int = 1,
    expected_version: int | None = None,
) -> Change:  # fmt: skip
    """Who the booking is for, and its notes (times and rooms go through reschedule)."""
    require(actor, Permission.BOOKING_EDIT)
    guest, text = _clean_edit(guest_name, notes, guest_count)

    def work() -> Change:
        with booking_write(db) as session:
            booking = _load_version(session, booking_id, expected_version)
            _update_guest_in(
                session, actor, booking, member_id, guest, text, guest_count, datetime.now()
            )
            return Change(booking.id, booking.version)

    return retrying(work)


def _clean_edit(
    guest_name: str | None, notes: str | None, guest_count: int
) -> tuple[str | None, str | None]:
    guest = (guest_name or "").strip() or None
    if guest is not None and len(guest) > GUEST_MAX:
        raise DomainError(_("客人姓名不能超过 {n} 个字。").format(n=GUEST_MAX), field="guest")
    if not 1 <= guest_count <= 50:
        raise DomainError(_("人数应在 1 到 50 之间。"), field="guest_count")
    return guest, _clean_notes(notes)


def _update_guest_in(
    session: Session, actor: StaffMember | None, booking: Booking, member_id: int | None,
    guest: str | None, notes: str | None, guest_count: int, now: datetime,
) -> None:  # fmt: skip
    if booking.state in (BookingState.SETTLED, BookingState.CANCELLED, BookingState.NO_SHOW):
        raise IllegalTransition(_("已结束的预约不能再修改。"), field="state")
    is_session = is_session_host(booking)
    if is_session and (member_id is not None or guest is not None):
        raise DomainError(_("场次本身没有客人，请为客人订座。"), field="guest")
    if member_id is None and guest is None and not is_session:
        raise DomainError(_("请选择会员或填写散客姓名。"), field="guest")
    if member_id is not None and session.get(Member, member_id) is None:
        raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
    if guest_count > booking.guest_count and holds_resources(booking.state):
        # More guests in a shared area (the bath) must still fit in it.
        booking_slots.check_free(
            session, _held(booking), booking.start_at, booking.end_at,
            ignore_booking_id=booking.id, now=now, guests=guest_count,
            session_host=booking.service.capacity is not None,
        )  # fmt: skip
    if (member_id, guest, notes, guest_count) == (
        booking.member_id, booking.guest_name, booking.notes, booking.guest_count,
    ):  # fmt: skip
        return
    before = _snapshot(booking)
    booking.member_id, booking.guest_name = member_id, guest
    booking.notes, booking.guest_count = notes, guest_count
    session.flush()
    audit.record(
        session, actor, "booking.update", "booking", booking.id,
        before=before, after=_snapshot(booking),
    )  # fmt: skip


def reserve_seat(
    db: Database, actor: StaffMember | None, session_id: int, *, member_id: int | None = None,
    guest_name: str | None = None, at: datetime | None = None,
) -> Change:  # fmt: skip
    """A seat in a class or screening, while seats are left."""
    require(actor, Permission.BOOKING_EDIT)
    guest = (guest_name or "").strip() or None
    if member_id is None and guest is None:
        raise DomainError(_("请选择会员或填写散客姓名。"), field="guest")
    if guest is not None and len(guest) > GUEST_MAX:
        raise DomainError(_("客人姓名不能超过 {n} 个字。").format(n=GUEST_MAX), field="guest")
    now = at or datetime.now()

    def work() -> Change:
        with booking_write(db) as session:
            host = session.get(Booking, session_id, with_for_update=True)
            if host is None or host.service.capacity is None or host.session_id is not None:
                raise NotFound(_("找不到这个课程或场次。"))
            if not holds_resources(host.state) or host.end_at <= now:
                raise DomainError(_("这个场次已经结束或取消，不能再订座。"), field="session")
            taken = _seat_count(session, host.id)
            capacity = host.service.capacity or 0
            if taken >= capacity:
                raise SessionFull(
                    _("“{service}” {start} 的 {n} 个座位已满，可以登记候补。").format(
                        service=host.service.name, start=host.start_at.strftime("%m-%d %H:%M"),
                        n=capacity,
                    ),
                    field="session",
                )  # fmt: skip
            if member_id is not None:
                if session.get(Member, member_id) is None:
                    raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
                dup = session.scalar(
                    select(func.count()).select_from(Booking).where(
                        Booking.session_id == host.id, Booking.member_id == member_id,
                        Booking.state.in_(SEAT_STATES),
                    )
                )  # fmt: skip
                if dup:
                    raise DomainError(_("这位会员已经订了这个场次的座位。"), field="guest")
            seat = Booking(
                member_id=member_id, guest_name=guest, service_id=host.service_id,
                start_at=host.start_at, end_at=host.end_at, state=BookingState.BOOKED,
                session_id=host.id, received_by_id=actor.id if actor else None,
                created_at=now,
            )  # fmt: skip
            session.add(seat)
            session.flush()
            audit.record(
                session, actor, "booking.seat", "booking", seat.id,
                detail=str(host.id), at=now,
            )  # fmt: skip
            return Change(seat.id, seat.version)

    return retrying(work)


def _seats(session: Session, host_id: int) -> list[Booking]:
    return list(session.scalars(select(Booking).where(Booking.session_id == host_id)))


def _seat_count(session: Session, host_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Booking).where(
                Booking.session_id == host_id, Booking.state.in_(SEAT_STATES)
            )
        ) or 0
    )  # fmt: skip


def _snapshot(booking: Booking) -> dict[str, object]:
    return {
        "state": booking.state.value,
        "start_at": booking.start_at.isoformat(timespec="minutes"),
        "end_at": booking.end_at.isoformat(timespec="minutes"),
        "resources": sorted(a.resource_id for a in booking.allocations),
        "member_id": booking.member_id,
        "guest_name": booking.guest_name,
    }


# -- reading ----------------------------------------------------------------------------


def detail(db: Database, booking_id: int) -> BookingDetail:
    with db.read() as session:
        booking = session.get(
            Booking,
            booking_id,
            options=[
                selectinload(Booking.service),
                selectinload(Booking.allocations).selectinload(BookingResource.resource),
            ],
        )
        if booking is None:
            raise NotFound(_("找不到编号为 {id} 的预约，可能已被删除。").format(id=booking_id))
        member = session.get(Member, booking.member_id) if booking.member_id else None
        seats = session.execute(
            select(Booking.id, Member.name, Booking.guest_name, Booking.member_id, Booking.state)
            .outerjoin(Member, Member.id == Booking.member_id)
            .where(Booking.session_id == booking.id)
            .order_by(Booking.id)
        ).all()
        checkout_id = session.scalar(
            select(Checkout.id).where(
                Checkout.booking_id == booking.id, Checkout.reversed_at.is_(None)
            )
        )
        allocations = sorted(booking.allocations, key=lambda a: a.resource.sort_order)
        return BookingDetail(
            id=booking.id, version=booking.version, state=booking.state,
            member_id=booking.member_id, member_name=member.name if member else None,
            guest_name=booking.guest_name, guest_count=booking.guest_count,
            walk_in=booking.walk_in, service_id=booking.service_id,
            service=booking.service.name, duration_min=booking.service.duration_min,
            list_price_fen=booking.service.list_price_fen, capacity=booking.service.capacity,
            start_at=booking.start_at, end_at=booking.end_at,
            resource_ids=tuple(a.resource_id for a in allocations),
            resources=tuple(a.resource.name for a in allocations),
            notes=booking.notes or "", cancel_reason=booking.cancel_reason,
            satisfaction=booking.satisfaction, arrived_at=booking.arrived_at,
            service_started_at=booking.service_started_at, finished_at=booking.finished_at,
            settled_at=booking.settled_at, added_minutes=booking.added_minutes,
            session_id=booking.session_id,
            seats=tuple(
                SeatRow(sid, name or guest or "", mid, state)
                for sid, name, guest, mid, state in seats
            ),
            checkout_id=checkout_id,
            member_no_shows=_no_shows(session, booking.member_id),
        )  # fmt: skip


def no_show_count(db: Database, member_id: int) -> int:
    with db.read() as session:
        return _no_shows(session, member_id)


def _no_shows(session: Session, member_id: int | None) -> int:
    if member_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count()).select_from(Booking).where(
                Booking.member_id == member_id, Booking.state == BookingState.NO_SHOW
            )
        ) or 0
    )  # fmt: skip


def day_bookings(db: Database, day: date) -> list[BookingRow]:
    """Bookings starting on ``day``, earliest first."""
    start = datetime.combine(day, time.min)
    with db.read() as session:
        rows = session.execute(
            select(Booking, Member.name)
            .outerjoin(Member, Member.id == Booking.member_id)
            .where(Booking.start_at >= start, Booking.start_at < start + timedelta(days=1))
            .options(
                selectinload(Booking.service),
                selectinload(Booking.allocations).selectinload(BookingResource.resource),
            )
            .order_by(Booking.start_at, Booking.id)
        ).all()
        return [
            BookingRow(
                id=b.id,
                start_at=b.start_at,
                end_at=b.end_at,
                guest=member_name or b.guest_name or "",
                service=b.service.name,
                resources=_("、").join(a.resource.name for a in b.allocations),
                state=b.state,
                walk_in=b.walk_in,
            )
            for b, member_name in rows
        ]

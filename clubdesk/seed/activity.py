"""The demo week around ``today``: bookings, complaints, return visits and VIP visits.

These are small (hundreds of rows) and written for clarity.  Bookings and complaints
are planned before the members are generated, because they decide some ledger
entries (a settled booking is paid from the card, a compensation is paid onto it);
the texts that need a member's name are filled in once the members are written.

The booking grid runs from 10:00 to 02:00 the next morning (the club's opening hours);
a booking belongs to the business day it starts on.  A class or screening is one
booking that holds the room (and the coach), and its seats are bookings pointing at it
without resources of their own.  Settled bookings get their bill (checkout) once the
ledger is written, from the purchase the ledger recorded; walk-in guests get their
reception at the door (带客), and a few who left without a booking are recorded too.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import time

from clubdesk import settings
from clubdesk.models.enums import (
    ACTIVE_BOOKING_STATES,
    BookingState,
    ChecklistKind,
    ComplaintChannel,
    ComplaintStepKind,
    Department,
    PaymentMethod,
    ReceptionOutcome,
    ResourceKind,
    ReturnVisitSource,
    Role,
    Satisfaction,
    ServiceCategory,
    Severity,
    VipVisitStatus,
    VisitChannel,
    WaitlistState,
)
from clubdesk.seed import catalog
from clubdesk.seed.clock import DAY, HOUR, MINUTE, Clock, time_text
from clubdesk.seed.people import LEDGER_COLUMNS, Compensation, People, Visit
from clubdesk.services import complaint_rules

Row = tuple[object, ...]
# received, staff, guest, need, closed, outcome, booking, left reason
_Reception = tuple[int, int | None, str, str, int | None, str | None, int | None, str | None]

SLOT = 15 * MINUTE  # booking grid: quarter hours from opening to closing
SLOTS = (catalog.CLOSE_HOUR - catalog.OPEN_HOUR) * 4  # 10:00 … 02:00: 64 slots
DEMO_DAYS = range(-3, 4)  # today - 3 … today + 3
COMPLAINTS = 40
ADD_TIME = 30 * MINUTE  # 加钟
ADD_TIME_SHARE = 0.05  # of finished massages and foot massages, where the slot is free
LEFT_SHARE = 0.1  # walk-ins who left without a booking, per walk-in seated

BOOKING_COLUMNS = (
    "id", "member_id", "guest_name", "guest_count", "service_id", "start_at", "end_at",
    "state", "walk_in", "notes", "cancel_reason", "satisfaction", "received_by_id",
    "arrived_at", "service_started_at", "finished_at", "settled_at", "session_id",
    "added_minutes", "version", "created_at",
)  # fmt: skip
ALLOCATION_COLUMNS = ("id", "booking_id", "resource_id", "start_at", "end_at", "active")
CHECKOUT_COLUMNS = (
    "id", "booking_id", "member_id", "card_id", "list_fen", "discount_bp", "discount_reason",
    "due_fen", "method", "points_earned", "settled_at", "settled_by_id",
)  # fmt: skip
RECEPTION_COLUMNS = (
    "id", "staff_id", "member_id", "guest_name", "need", "received_at", "outcome",
    "closed_at", "left_reason", "booking_id",
)  # fmt: skip
WAITLIST_COLUMNS = (
    "id", "member_id", "guest_name", "contact", "service_id", "resource_id", "session_id",
    "wanted_from", "wanted_until", "state", "notified_at", "booking_id", "created_by_id",
    "notes", "created_at",
)  # fmt: skip
COMPLAINT_COLUMNS = (
    "id", "number", "member_id", "complainant_name", "contact", "received_at", "channel",
    "category_id", "severity", "booking_id", "staff_id", "department", "content",
    "requested_remedy", "sensitive", "step", "justified", "responsible_department",
    "handler_id", "due_at", "closed_at", "compensation_fen", "registered_by_id", "version",
    "created_at",
)  # fmt: skip
STEP_COLUMNS = ("id", "complaint_id", "step", "staff_id", "at", "note", "data")
RETURN_VISIT_COLUMNS = (
    "id", "member_id", "source", "booking_id", "complaint_id", "vip_visit_id", "due_on",
    "done_at", "staff_id", "channel", "outcome", "suggestions", "created_at",
)  # fmt: skip
VIP_COLUMNS = (
    "id", "member_id", "guest_name", "foreign_guest", "level_id", "arrival_date",
    "arrival_time", "departure_date", "room", "purpose", "preferences", "requested_by_id",
    "status", "approved_by_id", "approved_at", "notes", "version", "created_at",
)  # fmt: skip
CHECKLIST_COLUMNS = (
    "id", "visit_id", "kind", "name", "department", "quantity", "unit_cost_fen", "due_at",
    "done_by_id", "done_at", "added_reason", "removed_reason", "sort_order",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ResourceRef:
    id: int
    kind: ResourceKind
    services: frozenset[str]
    allowed: int  # bit mask of the slots the resource works


@dataclass(frozen=True, slots=True)
class Amenity:
    name: str
    unit_cost_fen: int
    quantity: int
    department: str
    foreign_substitute: str | None
    foreign_substitute_cost_fen: int | None


@dataclass(frozen=True, slots=True)
class VipLevelRef:
    id: int
    approving_role: Role
    amenities: tuple[Amenity, ...]


@dataclass
class Refs:
    """Ids of what the seed made or the migrations shipped."""

    staff_by_role: dict[Role, list[int]]
    service_ids: dict[str, int]
    resources: list[ResourceRef]
    vip_levels: list[VipLevelRef]
    categories: list[tuple[int, str]]
    staff_of_resource: dict[int, int]

    def staff(self, role: Role) -> list[int]:
        return self.staff_by_role.get(role, [])


@dataclass
class _Booking:
    member_id: int | None
    guest_name: str | None
    service: str
    start: int
    end: int
    state: BookingState
    walk_in: bool
    notes: str | None
    cancel_reason: str | None
    satisfaction: Satisfaction | None
    received_by: int | None
    arrived: int | None
    started: int | None
    finished: int | None
    settled: int | None
    created: int
    resources: list[int] = field(default_factory=list)
    session: _Booking | None = None  # the class or screening this is a seat of
    added: int = 0  # seconds of 加钟
    id: int = 0


@dataclass
class _Complaint:
    number: str
    member_id: int | None
    outsider: tuple[str, str] | None  # name and phone of a complainant without a profile
    received: int
    channel: ComplaintChannel
    category: tuple[int, str]
    severity: Severity
    booking_id: int | None
    staff_id: int | None
    content: str
    remedy: str
    sensitive: bool
    step: ComplaintStepKind
    justified: bool | None
    department: Department
    handler: int
    steps: list[tuple[ComplaintStepKind, int, int, str, str | None]]  # kind, staff, ts, note, data
    compensation_fen: int
    registered_by: int
    id: int = 0


class Activity:
    def __init__(self, rng: random.Random, clock: Clock, people: People, refs: Refs) -> None:
        self.rng = rng
        self.clock = clock
        self.people = people
        self.refs = refs
        self.bookings: list[_Booking] = []
        self.complaints: list[_Complaint] = []
        self.front_desk = refs.staff(Role.FRONT_DESK)
        self.handlers = refs.staff(Role.SUPERVISOR) + refs.staff(Role.MANAGER)
        self.specs = {s.key: s for s in catalog.SERVICES}
        self.allowed = {r.id: r.allowed for r in refs.resources}
        # (resource, business day) → bit mask of the slots it is held (or was used).
        self.busy: defaultdict[tuple[int, int], int] = defaultdict(int)
        self.full_session: _Booking | None = None
        self._able: dict[tuple[str, bool], list[tuple[int, int]]] = {}

    # -- bookings ---------------------------------------------------------------------

    def plan_bookings(self) -> None:
        rng = self.rng
        clock = self.clock
        member_busy: defaultdict[tuple[int, int], int] = defaultdict(int)
        drafts: list[_Booking] = []
        allocated = list(catalog.ALLOCATED_BOOKINGS)
        weights = list(catalog.ALLOCATED_BOOKINGS.values())
        starts = range(len(_START_WEIGHTS))
        for offset in DEMO_DAYS:
            day = clock.today_day + offset
            # Classes and screenings first: they are on the timetable before anyone books.
            drafts.extend(self._sessions(day, member_busy))
            for _ in range(rng.randint(1, 3)):
                key, hour, minute = rng.choice(catalog.LATE_BOOKINGS)
                first = ((hour - catalog.OPEN_HOUR) * HOUR + minute * MINUTE) // SLOT
                draft = self._place(key, day, first, member_busy)
                if draft is not None:
                    drafts.append(draft)
            target = rng.randint(125, 170)
            placed = attempts = 0
            while placed < target and attempts < target * 6:
                attempts += 1
                key = rng.choices(allocated, weights)[0]
                first = 2 * rng.choices(starts, _START_WEIGHTS)[0]
                draft = self._place(key, day, first, member_busy)
                if draft is None:
                    continue
                drafts.append(draft)
                placed += 1
        self._add_time(drafts, member_busy)
        # Ids in the order the bookings were made, as the counter would have given them.
        drafts.sort(key=lambda b: (b.created, b.start))
        for n, draft in enumerate(drafts, start=1):
            draft.id = n
        self.bookings = drafts
        visits = self.people.plan.visits
        for b in drafts:
            if b.member_id is None:
                continue
            if b.settled is not None:
                visits.setdefault(b.member_id, []).append(
                    Visit(b.settled, _SERVICE_INDEX[b.service], b.id, True)
                )
            elif b.arrived is not None:
                visits.setdefault(b.member_id, []).append(
                    Visit(b.arrived, _SERVICE_INDEX[b.service], b.id, False)
                )
        for planned in visits.values():
            planned.sort(key=lambda v: v.ts)

    def _place(
        self, key: str, day: int, first: int, member_busy: defaultdict[tuple[int, int], int]
    ) -> _Booking | None:
        """A booking of ``key`` from slot ``first`` of ``day`` with a room and a person
        who work then and are free (None when there are none, or no member is)."""
        length = self.specs[key].duration_min * MINUTE // SLOT
        if first + length > SLOTS:
            return None
        mask = ((1 << length) - 1) << first
        start = day * DAY + catalog.OPEN_HOUR * HOUR + first * SLOT
        draft = self._draft(key, start, start + length * SLOT, member_busy, day, mask)
        if draft is None:
            return None
        holds = draft.state not in (BookingState.CANCELLED, BookingState.NO_SHOW)
        room = self._pick(key, day, mask, people=False, check=holds)
        person = self._pick(key, day, mask, people=True, check=holds)
        if room is None or person is None:
            return None
        if holds:
            self.busy[room, day] |= mask
            self.busy[person, day] |= mask
            if draft.member_id is not None:
                member_busy[draft.member_id, day] |= mask
        draft.resources = [room, person]
        return draft

    def _sessions(self, day: int, member_busy: defaultdict[tuple[int, int], int]) -> list[_Booking]:
        """Each class or screening of ``day``: the session itself, holding its room and
        coach, and the seats members reserved in it (no more than its capacity)."""
        rng = self.rng
        out: list[_Booking] = []
        for key, hour, minute, low, high in catalog.SESSIONS:
            spec = self.specs[key]
            capacity = spec.capacity or high
            start = day * DAY + hour * HOUR + minute * MINUTE
            end = start + spec.duration_min * MINUTE
            first = (start - day * DAY - catalog.OPEN_HOUR * HOUR) // SLOT
            mask = ((1 << ((end - start) // SLOT)) - 1) << first
            holders = [self._pick(key, day, mask, people=False, check=True)]
            if self._staffed(key):
                holders.append(self._pick(key, day, mask, people=True, check=True))
            resources = [r for r in holders if r is not None]
            if len(resources) != len(holders):
                continue
            host = self._host(key, start, end, resources)
            for resource_id in resources:
                self.busy[resource_id, day] |= mask
            out.append(host)
            full = (day - self.clock.today_day, key, hour, minute) == catalog.FULL_SESSION
            wanted = capacity if full else min(capacity, rng.randint(low, high))
            taken = 0
            for _ in range(wanted * 4):
                if taken >= wanted:
                    break
                seat = self._draft(key, start, end, member_busy, day, mask, walk_ins=False)
                if seat is None:
                    continue
                seat.session = host
                out.append(seat)
                if seat.state is not BookingState.CANCELLED:
                    taken += 1
                if seat.member_id is not None:
                    member_busy[seat.member_id, day] |= mask
            if full and taken == capacity:
                self.full_session = host
        return out

    def _staffed(self, key: str) -> bool:
        """Whether a session of ``key`` needs a person (a class its coach; a screening
        nobody)."""
        staff_kinds = (ResourceKind.THERAPIST, ResourceKind.COACH)
        return any(r.kind in staff_kinds and key in r.services for r in self.refs.resources)

    def _host(self, key: str, start: int, end: int, resources: list[int]) -> _Booking:
        """The session's own booking: no guest, its state only follows the clock."""
        now = self.clock.now_ts
        arrived = started = finished = None
        if end <= now:
            state = BookingState.FINISHED
            arrived = started = start
            finished = end
        elif start <= now:
            state = BookingState.IN_SERVICE
            arrived = started = start
        else:
            state = BookingState.BOOKED
        return _Booking(
            member_id=None,
            guest_name=None,
            service=key,
            start=start,
            end=end,
            state=state,
            walk_in=False,
            notes=None,
            cancel_reason=None,
            satisfaction=None,
            received_by=None,
            arrived=arrived,
            started=started,
            finished=finished,
            settled=None,
            # On the timetable five days ahead, before any seat is reserved.
            created=(start // DAY - 5) * DAY + catalog.OPEN_HOUR * HOUR,
            resources=resources,
        )

    def _add_time(
        self, drafts: list[_Booking], member_busy: defaultdict[tuple[int, int], int]
    ) -> None:
        """加钟: a twentieth of the finished massages and foot massages went on half an
        hour longer, tried in random order where the room, the therapist (in their shift)
        and the guest were free."""
        now = self.clock.now_ts
        busy = self.busy
        eligible = [
            b
            for b in drafts
            if b.state in (BookingState.FINISHED, BookingState.SETTLED)
            and self.specs[b.service].category in _ADD_TIME_CATEGORIES
            and b.end + ADD_TIME <= now
        ]
        wanted = round(len(eligible) * ADD_TIME_SHARE)
        for b in self.rng.sample(eligible, len(eligible)):
            if wanted == 0:
                break
            day = b.start // DAY
            first = (b.end - day * DAY - catalog.OPEN_HOUR * HOUR) // SLOT
            length = ADD_TIME // SLOT
            if first + length > SLOTS:
                continue
            mask = ((1 << length) - 1) << first
            if any(busy[r, day] & mask or self.allowed[r] & mask != mask for r in b.resources):
                continue
            if b.member_id is not None and member_busy[b.member_id, day] & mask:
                continue
            for r in b.resources:
                busy[r, day] |= mask
            if b.member_id is not None:
                member_busy[b.member_id, day] |= mask
            wanted -= 1
            b.added = ADD_TIME
            b.end += ADD_TIME
            if b.finished is not None:
                b.finished += ADD_TIME
            if b.settled is not None:
                b.settled += ADD_TIME
                if b.settled > now:
                    b.settled = None
                    b.state = BookingState.FINISHED

    def _pick(self, key: str, day: int, mask: int, *, people: bool, check: bool) -> int | None:
        """A room (or with ``people`` a therapist or coach) for ``key`` that works during
        ``mask`` and, with ``check``, is free then; chosen at random among those."""
        fits = self._able.get((key, people))
        if fits is None:
            staff_kinds = (ResourceKind.THERAPIST, ResourceKind.COACH)
            fits = [
                (r.id, r.allowed)
                for r in self.refs.resources
                if key in r.services and (r.kind in staff_kinds) == people
            ]
            self._able[key, people] = fits
        busy = self.busy
        free = [
            resource_id
            for resource_id, allowed in fits
            if mask & allowed == mask and not (check and busy[resource_id, day] & mask)
        ]
        return self.rng.choice(free) if free else None

    def _draft(
        self, key: str, start: int, end: int, member_busy: defaultdict[tuple[int, int], int],
        day: int, mask: int, *, walk_ins: bool = True,
    ) -> _Booking | None:  # fmt: skip
        """A booking of ``key`` from ``start`` to ``end`` in the state it has by now."""
        rng = self.rng
        now = self.clock.now_ts
        # A walk-in is someone standing at the counter: never in the future.
        walk_in = walk_ins and start <= now and rng.random() < 0.15
        member_id: int | None = None
        guest_name: str | None = None
        if walk_in:
            guest_name = rng.choice(_WALK_IN_NAMES)
            created = start - rng.randrange(0, 10 * MINUTE)
        else:
            created = min(start - rng.randrange(30 * MINUTE, 72 * HOUR), now - MINUTE)
            last = self.people.last_member_joined_by(created)
            if last == 0:
                return None
            for _ in range(3):
                candidate = rng.randint(1, last)
                if not member_busy[candidate, day] & mask:
                    member_id = candidate
                    break
            if member_id is None:
                return None
        r = rng.random()
        arrived = started = finished = settled = None
        cancel_reason = None
        if end <= now:
            state = BookingState.SETTLED
            if not walk_in and r < 0.08:
                state = BookingState.CANCELLED
            elif not walk_in and r < 0.14:
                state = BookingState.NO_SHOW
            elif end > now - 45 * MINUTE and r < 0.5:
                state = BookingState.FINISHED
        elif start <= now:
            state = BookingState.IN_SERVICE if r < 0.85 else BookingState.ARRIVED
        else:
            state = BookingState.BOOKED
            if not walk_in and r < 0.07:
                state = BookingState.CANCELLED
            elif start - now <= 30 * MINUTE and r < 0.4:
                state = BookingState.ARRIVED
        if state is BookingState.CANCELLED:
            cancel_reason = rng.choice(catalog.CANCEL_REASONS)
        if state in _ARRIVED_STATES:
            arrived = start if walk_in else start - rng.randrange(0, 15 * MINUTE)
            arrived = min(arrived, now)
        if state in _STARTED_STATES:
            started = start + rng.randrange(0, 5 * MINUTE)
            if state is BookingState.IN_SERVICE:
                started = min(started, now)
        if state in (BookingState.FINISHED, BookingState.SETTLED):
            finished = end
            if state is BookingState.SETTLED:
                settled = end + rng.randrange(3 * MINUTE, 15 * MINUTE)
                if settled > now:
                    settled = None
                    state = BookingState.FINISHED
        satisfaction = None
        if finished is not None and rng.random() < 0.7:
            satisfaction = rng.choices(_SATISFACTION, (80, 15, 5))[0]
        return _Booking(
            member_id=member_id,
            guest_name=guest_name,
            service=key,
            start=start,
            end=end,
            state=state,
            walk_in=walk_in,
            notes=rng.choice(catalog.BOOKING_NOTES) if rng.random() < 0.12 else None,
            cancel_reason=cancel_reason,
            satisfaction=satisfaction,
            received_by=rng.choice(self.front_desk),
            arrived=arrived,
            started=started,
            finished=finished,
            settled=settled,
            created=created,
        )

    def booking_rows(self) -> tuple[list[Row], list[Row]]:
        text = self.clock.text
        service_ids = self.refs.service_ids
        bookings: list[Row] = []
        allocations: list[Row] = []
        for b in self.bookings:
            steps = sum(x is not None for x in (b.arrived, b.started, b.finished, b.settled))
            version = (
                1 + steps + (b.state in (BookingState.CANCELLED, BookingState.NO_SHOW))
                + (b.added > 0)
            )  # fmt: skip
            bookings.append(
                (b.id, b.member_id, b.guest_name, 1, service_ids[b.service], text(b.start),
                 text(b.end), b.state.value, int(b.walk_in), b.notes, b.cancel_reason,
                 b.satisfaction.value if b.satisfaction else None, b.received_by,
                 _opt(text, b.arrived), _opt(text, b.started), _opt(text, b.finished),
                 _opt(text, b.settled), b.session.id if b.session else None,
                 b.added // MINUTE, version, text(b.created))
            )  # fmt: skip
            active = int(b.state in ACTIVE_BOOKING_STATES)
            for resource_id in b.resources:
                allocations.append(
                    (len(allocations) + 1, b.id, resource_id, text(b.start), text(b.end), active)
                )
        return bookings, allocations

    # -- checkouts, receptions, waitlist ----------------------------------------------

    def checkout_rows(
        self, entries: Sequence[Row], member_tiers: dict[int, tuple[int, str]]
    ) -> list[Row]:
        """The bill of every settled booking.

        A member's is what the ledger recorded (``entries``: the ledger rows that carry
        a booking id): the purchase's charge, card and staff, the points it earned, the
        tier discount (``member_tiers``: member → discount bp, tier name) the price was
        worked out with.  A walk-in guest paid the list price at the counter.
        """
        purchases: dict[int, Row] = {}
        points: defaultdict[int, int] = defaultdict(int)
        for entry in entries:
            booking_id = entry[_L_BOOKING]
            assert isinstance(booking_id, int)
            if entry[_L_KIND] == "purchase":
                purchases.setdefault(booking_id, entry)
            elif entry[_L_KIND] == "points_earned":
                points[booking_id] += int(entry[_L_POINTS])  # type: ignore[call-overload]
        text = self.clock.text
        bills: list[Row] = []
        for b in self.bookings:
            if b.state is not BookingState.SETTLED:
                continue
            assert b.settled is not None
            list_fen = self.specs[b.service].price_fen
            if b.member_id is None:
                method = self.rng.choices(catalog.PAYMENT_METHODS, catalog.PAYMENT_WEIGHTS)[0]
                bills.append(
                    (text(b.settled), b.id, None, None, list_fen, _FULL_PRICE_BP, None, list_fen,
                     method, 0, b.received_by)
                )  # fmt: skip
                continue
            p = purchases[b.id]
            amount = int(p[_L_AMOUNT])  # type: ignore[call-overload]
            due = -amount if amount < 0 else int(p[_L_PAID])  # type: ignore[call-overload]
            method = PaymentMethod.STORED_VALUE.value if amount < 0 else str(p[_L_METHOD])
            bp, tier = member_tiers[b.member_id]
            reason = tier + _rate_text(bp)
            if due * _FULL_PRICE_BP != list_fen * bp:
                reason += "，抹零"  # the counter charges whole yuan
            bills.append(
                (p[_L_AT], b.id, b.member_id, p[_L_CARD], list_fen, bp, reason, due, method,
                 points[b.id], p[_L_STAFF])
            )  # fmt: skip
        bills.sort(key=lambda bill: (str(bill[0]), bill[1]))
        return [
            (n, booking_id, member_id, card_id, list_fen, bp, reason, due, method, earned, at, by)
            for n, (at, booking_id, member_id, card_id, list_fen, bp, reason, due, method, earned,
                    by) in enumerate(bills, start=1)
        ]  # fmt: skip

    def reception_rows(self) -> list[Row]:
        """带客: every walk-in booking was received at the door a few minutes before it
        was made; a tenth as many guests again left without one; one or two guests are
        still in the lounge right now (no outcome yet)."""
        rng = self.rng
        now = self.clock.now_ts
        text = self.clock.text
        keys = list(catalog.ALLOCATED_BOOKINGS)
        weights = list(catalog.ALLOCATED_BOOKINGS.values())
        found: list[_Reception] = []
        walk_ins = [b for b in self.bookings if b.walk_in]
        for b in walk_ins:
            assert b.guest_name is not None
            received = b.created - rng.randrange(2 * MINUTE, 8 * MINUTE)
            need = rng.choice(catalog.RECEPTION_NEEDS[b.service])
            found.append(
                (received, b.received_by, b.guest_name, need, b.created, _SEATED, b.id, None)
            )
        for _ in range(round(len(walk_ins) * LEFT_SHARE)):
            anchor = rng.choice(walk_ins)
            opening = anchor.start // DAY * DAY + catalog.OPEN_HOUR * HOUR
            received = max(opening, anchor.created + rng.randrange(-90 * MINUTE, 90 * MINUTE))
            received = min(received, now - rng.randrange(20 * MINUTE, 60 * MINUTE))
            if received < opening:
                continue
            if rng.random() < 0.3:
                need = rng.choice(catalog.RECEPTION_ASKS)
            else:
                need = rng.choice(catalog.RECEPTION_NEEDS[rng.choices(keys, weights)[0]])
            found.append(
                (received, rng.choice(self.front_desk), rng.choice(_WALK_IN_NAMES), need,
                 received + rng.randrange(3 * MINUTE, 20 * MINUTE), _LEFT, None,
                 rng.choice(catalog.LEFT_REASONS))
            )  # fmt: skip
        if _is_open(now):
            for _ in range(rng.randint(1, 2)):
                received = now - rng.randrange(MINUTE, 10 * MINUTE)
                need = rng.choice(catalog.RECEPTION_NEEDS[rng.choices(keys, weights)[0]])
                found.append(
                    (received, rng.choice(self.front_desk), rng.choice(_WALK_IN_NAMES), need,
                     None, None, None, None)
                )  # fmt: skip
        found.sort(key=lambda r: r[0])
        return [
            (n, staff, None, guest, need, text(received), outcome, _opt(text, closed), reason,
             booking_id)
            for n, (received, staff, guest, need, closed, outcome, booking_id, reason)
            in enumerate(found, start=1)
        ]  # fmt: skip

    def waitlist_rows(self) -> list[Row]:
        """A few guests waiting for busy evening slots today and tomorrow (one of them
        already told a slot freed up), and for the seats of the full class."""
        rng = self.rng
        clock = self.clock
        now = clock.now_ts
        today = clock.today_day
        text = clock.text
        last = self.people.last_member_joined_by(now)
        rows: list[Row] = []

        def add(
            key: str, start: int, minutes: int, state: WaitlistState, *,
            session: _Booking | None = None, prefer_staff: bool = False,
        ) -> None:  # fmt: skip
            if session is None:
                while start <= now:  # this evening has begun: ask for the next
                    start += DAY
            member_id = guest = contact = None
            if last and rng.random() < 0.7:
                member_id = rng.randint(1, last)
            else:
                guest = rng.choice(_WALK_IN_NAMES[2:])
                contact = f"13{rng.randrange(10**9):09d}"
            resource_id = self._busy_staff(key, start, minutes) if prefer_staff else None
            notified = None
            if state is WaitlistState.NOTIFIED:
                notified = now - rng.randrange(5 * MINUTE, 30 * MINUTE)
                created = notified - rng.randrange(HOUR, 4 * HOUR)
            else:
                created = now - rng.randrange(10 * MINUTE, 5 * HOUR)
            rows.append(
                (len(rows) + 1, member_id, guest, contact, self.refs.service_ids[key],
                 resource_id, session.id if session else None, text(start),
                 text(start + minutes * MINUTE), state.value, _opt(text, notified), None,
                 rng.choice(self.front_desk),
                 rng.choice(catalog.WAITLIST_NOTES) if rng.random() < 0.6 else None,
                 text(created))
            )  # fmt: skip

        evening = today * DAY + 19 * HOUR
        add("massage60", evening, 120, WaitlistState.WAITING, prefer_staff=True)
        add("foot90", evening + 30 * MINUTE, 150, WaitlistState.NOTIFIED)
        add("spa", evening + HOUR, 120, WaitlistState.WAITING)
        add("massage90", evening + DAY - 30 * MINUTE, 150, WaitlistState.WAITING, prefer_staff=True)
        add("foot60", evening + DAY + HOUR, 120, WaitlistState.WAITING)
        full = self.full_session
        if full is not None:
            for _ in range(2):
                add(full.service, full.start, (full.end - full.start) // MINUTE,
                    WaitlistState.WAITING, session=full)  # fmt: skip
        return rows

    def _busy_staff(self, key: str, start: int, minutes: int) -> int | None:
        """A therapist or coach who does ``key`` and is booked during the wanted time
        (the guest wants that one): None when every one of them is free then."""
        day = start // DAY
        first = (start - day * DAY - catalog.OPEN_HOUR * HOUR) // SLOT
        mask = ((1 << (minutes * MINUTE // SLOT)) - 1) << first
        staff_kinds = (ResourceKind.THERAPIST, ResourceKind.COACH)
        taken = [
            r.id
            for r in self.refs.resources
            if r.kind in staff_kinds and key in r.services and self.busy[r.id, day] & mask
        ]
        return self.rng.choice(taken) if taken else None

    # -- complaints -------------------------------------------------------------------

    def plan_complaints(self) -> None:
        rng = self.rng
        clock = self.clock
        now = clock.now_ts
        order = list(complaint_rules.WORKFLOW)
        # Two complaints at every step, the rest mostly finished; three closed as
        # unjustified at the judgement.
        finals = order * 2 + rng.choices(
            order, (2, 1, 2, 1, 1, 2, 1, 2, 10), k=COMPLAINTS - 2 * len(order)
        )
        closed = [n for n, step in enumerate(finals) if step is ComplaintStepKind.CLOSED]
        unjustified = set(rng.sample(closed, min(3, len(closed) - 1)))
        sensitive = set(rng.sample(range(COMPLAINTS), 2))
        settled = [b for b in self.bookings if b.settled is not None and b.member_id]
        drafts: list[_Complaint] = []
        for n, final in enumerate(finals):
            rejected = n in unjustified and final is ComplaintStepKind.CLOSED
            path = (
                [ComplaintStepKind.INTAKE, ComplaintStepKind.JUDGEMENT, ComplaintStepKind.CLOSED]
                if rejected
                else order[: order.index(final) + 1]
            )
            gaps = [0] + [rng.randrange(*_STEP_GAP[kind]) for kind in path[1:]]
            if final is ComplaintStepKind.INTAKE:
                # Half still within the 24-hour promise, half overdue.
                ago = (
                    rng.randrange(HOUR, 12 * HOUR) if n % 2 else rng.randrange(26 * HOUR, 60 * HOUR)
                )
            elif final is ComplaintStepKind.CLOSED:
                ago = sum(gaps) + rng.randrange(HOUR, 20 * DAY)
            else:
                # An open case was last worked on lately: most are within their step's
                # allowance, a few overdue, as at a counter that keeps up.
                ago = sum(gaps) + rng.randrange(HOUR, 2 * DAY)
            received, step_times = _step_times(_open_hours_before(now - ago), gaps, now)
            booking = None
            if settled and rng.random() < 0.4:
                candidates = [b for b in settled if b.settled is not None and b.settled < received]
                if candidates:
                    booking = rng.choice(candidates)
            category = rng.choice(self.refs.categories)
            content, remedy = rng.choice(
                catalog.COMPLAINT_TEXTS.get(category[1]) or catalog.COMPLAINT_TEXTS["其他"]
            )
            member_id: int | None = None
            outsider: tuple[str, str] | None = None
            if booking is not None:
                member_id = booking.member_id
            elif rng.random() < 0.75 and self.people.last_member_joined_by(received):
                member_id = rng.randint(1, self.people.last_member_joined_by(received))
            else:
                outsider = (
                    rng.choice(_OUTSIDER_SURNAMES) + rng.choice(("先生", "女士")),
                    f"1{rng.choice((36, 38, 39, 58, 86, 89))}{rng.randrange(10**8):08d}",
                )
            therapist = None
            if booking is not None and category[1] in ("服务态度", "技术与质量", "等候时间"):
                held = [r for r in booking.resources if r in self.refs.staff_of_resource]
                therapist = self.refs.staff_of_resource[held[0]] if held else None
            department = _CATEGORY_DEPARTMENT.get(category[1], Department.CUSTOMER_SERVICE)
            handler = rng.choice(self.handlers)
            registered = rng.choice(self.front_desk)
            steps: list[tuple[ComplaintStepKind, int, int, str, str | None]] = []
            # Decided up front so the proposal, the approval and the ledger agree.
            offered = rng.choice((50, 100, 200, 300)) * catalog.YUAN
            chosen = 1 if member_id is not None and rng.random() < 0.6 else 0
            solutions = [
                {"text": "书面道歉并赠送体验券", "compensation_fen": 0},
                {"text": "赔礼道歉并补偿到储值卡", "compensation_fen": offered},
            ]
            compensation = 0
            for kind, at in zip(path, step_times, strict=True):
                who = {
                    ComplaintStepKind.INTAKE: registered,
                    ComplaintStepKind.APPROVAL: self._one(Role.MANAGER, handler),
                    ComplaintStepKind.SUMMARY: self._one(Role.SUPERVISOR, handler),
                }.get(kind, handler)
                note_key = (
                    "judgement_unjustified"
                    if rejected and kind is ComplaintStepKind.JUDGEMENT
                    else kind.value
                )
                note = rng.choice(catalog.COMPLAINT_STEP_NOTES[note_key])
                data: dict[str, object] | None = None
                if kind is ComplaintStepKind.JUDGEMENT:
                    data = {"justified": not rejected, "department": department.value}
                elif kind is ComplaintStepKind.PROPOSAL:
                    data = {"solutions": solutions}
                elif kind is ComplaintStepKind.APPROVAL:
                    data = {"approved": True, "chosen": chosen, "solution": solutions[chosen]}
                elif kind is ComplaintStepKind.IMPLEMENTATION:
                    compensation = int(solutions[chosen]["compensation_fen"])  # type: ignore[call-overload]
                    remedies = ["apology", "compensation"] if compensation else ["apology", "redo"]
                    data = {"remedies": remedies, "compensation_fen": compensation}
                elif kind is ComplaintStepKind.ACCEPTANCE:
                    data = {"signature": "paper"}
                elif kind is ComplaintStepKind.SUMMARY:
                    data = {"improvement": "加强员工服务规范培训，每周抽查服务质量。"}
                steps.append(
                    (kind, who, at, note, json.dumps(data, ensure_ascii=False) if data else None)
                )
            drafts.append(
                _Complaint(
                    number="",
                    member_id=member_id,
                    outsider=outsider,
                    received=received,
                    channel=rng.choices(list(ComplaintChannel), (5, 4, 2))[0],
                    category=category,
                    severity=rng.choices(list(Severity), (3, 5, 2))[0],
                    booking_id=booking.id if booking else None,
                    staff_id=therapist,
                    content=content,
                    remedy=remedy,
                    sensitive=n in sensitive,
                    step=final,
                    justified=None if len(path) < 2 else not rejected,
                    department=department,
                    handler=handler,
                    steps=steps,
                    compensation_fen=compensation,
                    registered_by=registered,
                )
            )
        drafts.sort(key=lambda c: c.received)
        per_day: dict[int, int] = defaultdict(int)
        for n, c in enumerate(drafts, start=1):
            c.id = n
            day = c.received // DAY
            per_day[day] += 1
            c.number = f"TS{clock.dates[day].replace('-', '')}-{per_day[day]:03d}"
            if c.compensation_fen and c.member_id is not None:
                paid = next(s[2] for s in c.steps if s[0] is ComplaintStepKind.IMPLEMENTATION)
                self.people.plan.compensations.setdefault(c.member_id, []).append(
                    Compensation(paid, c.compensation_fen, f"投诉补偿（{c.number}）")
                )
        for comps in self.people.plan.compensations.values():
            comps.sort(key=lambda c: c.ts)
        self.complaints = drafts

    def _one(self, role: Role, fallback: int) -> int:
        ids = self.refs.staff(role)
        return self.rng.choice(ids) if ids else fallback

    def complaint_rows(self, members: dict[int, tuple[str, str]]) -> tuple[list[Row], list[Row]]:
        text = self.clock.text
        complaints: list[Row] = []
        steps: list[Row] = []
        for c in self.complaints:
            if c.member_id is not None and c.member_id in members:
                name, contact = members[c.member_id]
            else:
                name, contact = c.outsider or ("匿名顾客", "")
            closed = c.steps[-1][2] if c.step is ComplaintStepKind.CLOSED else None
            complaints.append(
                (c.id, c.number, c.member_id, name, contact, text(c.received), c.channel.value,
                 c.category[0], c.severity.value, c.booking_id, c.staff_id, c.department.value,
                 c.content, c.remedy, int(c.sensitive), c.step.value,
                 None if c.justified is None else int(c.justified),
                 c.department.value if c.justified else None, c.handler,
                 text(_next_due(c)), _opt(text, closed), c.compensation_fen,
                 c.registered_by, len(c.steps), text(c.received))
            )  # fmt: skip
            for kind, who, at, note, data in c.steps:
                steps.append((len(steps) + 1, c.id, kind.value, who, text(at), note, data))
        return complaints, steps

    # -- return visits ----------------------------------------------------------------

    def return_visit_rows(self, vip_departed: list[tuple[int, int | None, int]]) -> list[Row]:
        """Planned visits due within three days and done ones with their outcome."""
        rng = self.rng
        clock = self.clock
        now = clock.now_ts
        today = clock.today_day
        text = clock.text
        rows: list[Row] = []

        def add(
            member_id: int | None, source: ReturnVisitSource, due_day: int, after: int, *,
            booking_id: int | None = None, complaint_id: int | None = None,
            vip_visit_id: int | None = None,
        ) -> None:  # fmt: skip
            done_at = None
            if due_day <= today and rng.random() < 0.75:
                # Never while the customer rests: calls between 10:00 and 22:00.
                done_at = _open_hours_after(after + rng.randrange(2 * HOUR, 2 * DAY))
                if done_at > now:
                    done_at = None
            staff = rng.choice(self.front_desk)
            rows.append(
                (len(rows) + 1, member_id, source.value, booking_id, complaint_id, vip_visit_id,
                 clock.dates[due_day], _opt(text, done_at), staff if done_at else None,
                 rng.choice(_CHANNELS).value if done_at else None,
                 rng.choices(_SATISFACTION, (75, 18, 7))[0].value if done_at else None,
                 rng.choice(catalog.RETURN_VISIT_SUGGESTIONS)
                 if done_at and rng.random() < 0.5 else None,
                 text(min(after, now)))
            )  # fmt: skip

        settled = [b for b in self.bookings if b.settled is not None and b.member_id]
        for b in rng.sample(settled, min(len(settled), 45)):
            assert b.settled is not None
            add(b.member_id, ReturnVisitSource.SERVICE, b.settled // DAY + 3, b.settled,
                booking_id=b.id)  # fmt: skip
        for c in self.complaints:
            if c.step in (ComplaintStepKind.SUMMARY, ComplaintStepKind.CLOSED) and c.justified:
                done = c.steps[-1][2]
                add(c.member_id, ReturnVisitSource.COMPLAINT, done // DAY + 3, done,
                    complaint_id=c.id)  # fmt: skip
        for visit_id, member_id, departed in vip_departed:
            add(member_id, ReturnVisitSource.VIP, departed // DAY + 3, departed,
                vip_visit_id=visit_id)  # fmt: skip
        last = self.people.last_member_joined_by(now)
        for _ in range(20 if last else 0):
            due = today + rng.randint(-20, 3)
            add(rng.randint(1, last), ReturnVisitSource.PERIODIC, due, (due - 3) * DAY + 10 * HOUR)
        return rows

    # -- VIP visits -------------------------------------------------------------------

    def vip_rows(
        self, members: dict[int, tuple[str, str]], vip_members: list[int]
    ) -> tuple[list[Row], list[Row], list[tuple[int, int | None, int]]]:
        rng = self.rng
        clock = self.clock
        now = clock.now_ts
        today = clock.today_day
        text = clock.text
        plan: list[tuple[VipVisitStatus, int, int | None]] = [
            (VipVisitStatus.REQUESTED, 1, 15), (VipVisitStatus.REQUESTED, 3, None),
            (VipVisitStatus.REQUESTED, 5, 11), (VipVisitStatus.REQUESTED, 6, 18),
            (VipVisitStatus.APPROVED, 0, 20), (VipVisitStatus.APPROVED, 0, None),
            (VipVisitStatus.APPROVED, 1, 10), (VipVisitStatus.APPROVED, 1, 14),
            (VipVisitStatus.APPROVED, 2, None), (VipVisitStatus.APPROVED, 4, 16),
            (VipVisitStatus.ARRIVED, 0, -2), (VipVisitStatus.ARRIVED, 0, -5),
            (VipVisitStatus.ARRIVED, -1, 15), (VipVisitStatus.DEPARTED, -6, 11),
            (VipVisitStatus.DEPARTED, -4, 16), (VipVisitStatus.DEPARTED, -2, None),
            (VipVisitStatus.DEPARTED, -3, 13), (VipVisitStatus.CANCELLED, 2, 10),
            (VipVisitStatus.CANCELLED, -1, None), (VipVisitStatus.CANCELLED, 5, 19),
        ]  # fmt: skip
        visits: list[Row] = []
        items: list[Row] = []
        departed: list[tuple[int, int | None, int]] = []
        approvers = {
            Role.DIRECTOR: self.refs.staff(Role.DIRECTOR) or self.handlers,
            Role.MANAGER: self.refs.staff(Role.MANAGER) or self.handlers,
        }
        guests = list(catalog.VIP_GUESTS)
        rng.shuffle(guests)
        weights = range(len(self.refs.vip_levels), 0, -1)  # D-level guests are the most
        for n, (status, day_offset, hour) in enumerate(plan, start=1):
            level = rng.choices(self.refs.vip_levels, weights)[0]
            arrival_day, arrival_time = self._vip_arrival(status, today + day_offset, hour)
            arrival = arrival_day * DAY + (12 * HOUR if arrival_time is None else arrival_time)
            departure_day = arrival_day + rng.randint(1, 3)
            if status is VipVisitStatus.DEPARTED:
                # Guests check out at noon: before noon, today's leavers are still here.
                departure_day = min(departure_day, today if now % DAY >= 12 * HOUR else today - 1)
            elif status is VipVisitStatus.ARRIVED:
                departure_day = max(departure_day, today + 1)
            member_id: int | None = None
            if vip_members and rng.random() < 0.4:
                member_id = rng.choice(vip_members)
                guest, foreign = members[member_id][0], False
            else:
                guest, foreign = guests[n % len(guests)]
            requested = _open_hours_before(
                min(arrival - rng.randrange(2 * DAY, 6 * DAY), now - HOUR)
            )
            approved_by = approved_at = None
            if status in (VipVisitStatus.APPROVED, VipVisitStatus.ARRIVED, VipVisitStatus.DEPARTED):
                approved_by = rng.choice(approvers.get(level.approving_role) or self.handlers)
                approved_at = min(
                    _open_hours_after(requested + rng.randrange(HOUR, DAY)), now - 30 * MINUTE
                )
            visits.append(
                (n, member_id, guest, int(foreign), level.id, clock.dates[arrival_day],
                 None if arrival_time is None else time_text(_tod(arrival_time)),
                 clock.dates[departure_day], f"贵宾楼 {8800 + n:04d}",
                 rng.choice(catalog.VIP_PURPOSES),
                 rng.choice(catalog.VIP_PREFERENCES) if rng.random() < 0.6 else None,
                 rng.choice(self.front_desk), status.value, approved_by,
                 _opt(text, approved_at),
                 "客人临时取消行程" if status is VipVisitStatus.CANCELLED else None,
                 _VIP_VERSION[status], text(requested))
            )  # fmt: skip
            if approved_at is None:
                continue
            if status is VipVisitStatus.DEPARTED:
                departed.append((n, member_id, departure_day * DAY + 12 * HOUR))
            lines: list[tuple[ChecklistKind, str, str | None, int, int, int]] = []
            for amenity in level.amenities:
                name, cost = amenity.name, amenity.unit_cost_fen
                if foreign and amenity.foreign_substitute:
                    name = amenity.foreign_substitute
                    cost = amenity.foreign_substitute_cost_fen or cost
                lines.append(
                    (ChecklistKind.AMENITY, name, amenity.department, amenity.quantity, cost,
                     arrival - HOUR)
                )  # fmt: skip
            step_due = (
                approved_at, arrival - DAY, arrival, arrival + 2 * HOUR,
                departure_day * DAY + 9 * HOUR, departure_day * DAY + 12 * HOUR,
                departure_day * DAY + DAY + 10 * HOUR,
            )  # fmt: skip
            for (name, dept), due in zip(catalog.VIP_STEPS, step_due, strict=True):
                lines.append((ChecklistKind.STEP, name, dept.value, 1, 0, due))
            for order, (kind, name, department, quantity, cost, due) in enumerate(lines):
                done_at = done_by = None
                lagging = status is VipVisitStatus.APPROVED and rng.random() < 0.25
                if due <= now + 2 * HOUR and not lagging:
                    done_at = min(due - rng.randrange(0, 2 * HOUR), now - MINUTE)
                    done_at = max(done_at, approved_at)
                    done_by = rng.choice(self.front_desk + self.handlers)
                items.append(
                    (len(items) + 1, n, kind.value, name, department, quantity, cost,
                     text(due), done_by, _opt(text, done_at), None, None, order)
                )  # fmt: skip
        return visits, items, departed

    def _vip_arrival(
        self, status: VipVisitStatus, day: int, hour: int | None
    ) -> tuple[int, int | None]:
        """Arrival day and second of day (None: time unknown), consistent with now: an
        arrived guest came a few hours ago (``hour`` < 0), an approved one is still due."""
        now = self.clock.now_ts
        if hour is None:
            if status is VipVisitStatus.APPROVED and day * DAY + 12 * HOUR <= now:
                return day + 1, None
            return day, None
        if hour < 0:
            arrival = (now + hour * HOUR) // (30 * MINUTE) * (30 * MINUTE)
            if arrival % DAY < 7 * HOUR:
                return day - 1, 17 * HOUR
            return arrival // DAY, arrival % DAY
        at = hour * HOUR + self.rng.choice((0, 30)) * MINUTE
        if status is VipVisitStatus.APPROVED and day * DAY + at <= now:
            later = (now % DAY) // (30 * MINUTE) * (30 * MINUTE) + 2 * HOUR
            return (day, later) if later < 24 * HOUR else (day + 1, 10 * HOUR)
        return day, at


def _opt(text: Callable[[int], str], ts: int | None) -> str | None:
    return None if ts is None else text(ts)


def _tod(seconds: int) -> time:
    return time(seconds // HOUR, seconds // MINUTE % 60)


def _start_weight(hour: int) -> int:
    """Evenings are busy, mornings quiet, and a few guests come in late."""
    return 1 if hour < 13 else 2 if hour < 17 else 4 if hour < 22 else 2 if hour < 23 else 1


def _rate_text(bp: int) -> str:
    """A discount as the counter says it (as clubdesk.services.tiers words it)."""
    if bp >= _FULL_PRICE_BP:
        return "原价"
    return f"{bp / 1000:.2f}".rstrip("0").rstrip(".") + "折"


def _is_open(ts: int) -> bool:
    """Whether the club is open at ``ts`` (10:00 to 02:00)."""
    second = ts % DAY
    return second >= catalog.OPEN_HOUR * HOUR or second < (catalog.CLOSE_HOUR - 24) * HOUR


def _open_hours_before(ts: int) -> int:
    """``ts``, or the latest time before it between 10:00 and 22:00."""
    day, second = divmod(ts, DAY)
    if second < 10 * HOUR:
        return (day - 1) * DAY + 21 * HOUR + second // 20
    return day * DAY + min(second, 22 * HOUR)


def _step_times(received: int, gaps: list[int], now: int) -> tuple[int, list[int]]:
    """When each complaint step happened: ``gaps`` apart, in opening hours, the last one
    no later than ``now`` (the whole history moves back by days until it fits)."""
    while True:
        times: list[int] = []
        at = received
        for gap in gaps:
            at = _open_hours_after(at + gap)
            times.append(at)
        if times[-1] <= now:
            return received, times
        received -= DAY


def _open_hours_after(ts: int) -> int:
    """``ts``, or the earliest time after it between 10:00 and 22:00."""
    day, second = divmod(ts, DAY)
    if second > 22 * HOUR:
        return (day + 1) * DAY + 10 * HOUR + (second - 22 * HOUR) // 4
    return day * DAY + max(second, 10 * HOUR)


_SERVICE_INDEX = {spec.key: n for n, spec in enumerate(catalog.SERVICES)}
# Weights of the half-hour starts from opening to LAST_START_HOUR:30.
_START_WEIGHTS = [
    _start_weight(catalog.OPEN_HOUR + n // 2)
    for n in range((catalog.LAST_START_HOUR - catalog.OPEN_HOUR + 1) * 2)
]
_ADD_TIME_CATEGORIES = frozenset((ServiceCategory.MASSAGE, ServiceCategory.FOOT))
_FULL_PRICE_BP = 10_000
_SEATED = ReceptionOutcome.SEATED.value
_LEFT = ReceptionOutcome.LEFT.value
_L_CARD = LEDGER_COLUMNS.index("card_id")
_L_KIND = LEDGER_COLUMNS.index("kind")
_L_AMOUNT = LEDGER_COLUMNS.index("amount_fen")
_L_POINTS = LEDGER_COLUMNS.index("points")
_L_AT = LEDGER_COLUMNS.index("at")
_L_STAFF = LEDGER_COLUMNS.index("staff_id")
_L_METHOD = LEDGER_COLUMNS.index("payment_method")
_L_PAID = LEDGER_COLUMNS.index("paid_fen")
_L_BOOKING = LEDGER_COLUMNS.index("booking_id")
_SATISFACTION = list(Satisfaction)
_CHANNELS = (VisitChannel.PHONE, VisitChannel.PHONE, VisitChannel.PHONE, VisitChannel.SMS)
_ARRIVED_STATES = frozenset(
    (BookingState.ARRIVED, BookingState.IN_SERVICE, BookingState.FINISHED, BookingState.SETTLED)
)
_STARTED_STATES = frozenset((BookingState.IN_SERVICE, BookingState.FINISHED, BookingState.SETTLED))
_VIP_VERSION = {
    VipVisitStatus.REQUESTED: 1,
    VipVisitStatus.APPROVED: 2,
    VipVisitStatus.ARRIVED: 3,
    VipVisitStatus.DEPARTED: 4,
    VipVisitStatus.CANCELLED: 2,
}
_WALK_IN_NAMES = (
    "散客",
    "散客",
    "散客（王先生）",
    "散客（李女士）",
    "散客（张先生）",
    "散客（刘女士）",
)
_OUTSIDER_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄")


def _next_due(c: _Complaint) -> int:
    """The deadline of the complaint's next step under the default settings."""
    following = complaint_rules.next_step(c.step)
    if following is None:
        return c.steps[-1][2]
    key = complaint_rules.DUE_SETTING[following]
    return c.steps[-1][2] + int(settings.DEFINITIONS[key].default) * HOUR


_STEP_GAP: dict[ComplaintStepKind, tuple[int, int]] = {
    ComplaintStepKind.JUDGEMENT: (HOUR, 20 * HOUR),
    ComplaintStepKind.INVESTIGATION: (4 * HOUR, 24 * HOUR),
    ComplaintStepKind.PROPOSAL: (4 * HOUR, 24 * HOUR),
    ComplaintStepKind.APPROVAL: (HOUR, 6 * HOUR),
    ComplaintStepKind.IMPLEMENTATION: (4 * HOUR, 24 * HOUR),
    ComplaintStepKind.ACCEPTANCE: (HOUR, 12 * HOUR),
    ComplaintStepKind.SUMMARY: (12 * HOUR, 48 * HOUR),
    ComplaintStepKind.CLOSED: (HOUR, 4 * HOUR),
}
_CATEGORY_DEPARTMENT = {
    "服务态度": Department.CUSTOMER_SERVICE,
    "技术与质量": Department.SPA,
    "卫生": Department.HOUSEKEEPING,
    "设施设备": Department.HOUSEKEEPING,
    "价格与收费": Department.FRONT_OFFICE,
    "等候时间": Department.FRONT_OFFICE,
    "安全": Department.CUSTOMER_SERVICE,
}

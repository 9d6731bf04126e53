"""Bookings (issue 4): the life cycle, every legal and illegal transition, the rules a
new or moved booking must pass, 加钟, session seats, the waitlist notice and the board.

Everything happens on DAY (a fixed future date) with at= passed to every call.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound, PermissionDenied
from clubdesk.models.enums import BookingState, ResourceKind, Satisfaction, WaitlistState
from clubdesk.services import board, bookings, waitlist
from clubdesk.services.booking_rules import (
    TRANSITIONS,
    BookingConflict,
    IllegalTransition,
    SessionFull,
    holds_resources,
)
from clubdesk.services.labels import label
from tests.core.booking_helpers import (
    DAY,
    NOW,
    Catalogue,
    at,
    book,
    catalogue,
    count_bookings,
    draft,
    force_state,
    overlaps,
    stored,
)

S = BookingState
CHINESE = re.compile(r"[\u4e00-\u9fff]")
REASON = "客人临时有事"


@pytest.fixture
def cat(db: Database) -> Catalogue:
    return catalogue(db)


# -- the life cycle -----------------------------------------------------------------------

# domain.md section 2, written out: booked → arrived → in service → finished → settled;
# or cancelled; or no-show.  A guest who arrived may still leave; a reversal (反结账)
# takes a settled booking back to finished.
DOMAIN_LIFE_CYCLE = {
    (S.BOOKED, S.ARRIVED),
    (S.BOOKED, S.CANCELLED),
    (S.BOOKED, S.NO_SHOW),
    (S.ARRIVED, S.IN_SERVICE),
    (S.ARRIVED, S.CANCELLED),
    (S.IN_SERVICE, S.FINISHED),
    (S.FINISHED, S.SETTLED),
    (S.SETTLED, S.FINISHED),
}


def test_transition_table_is_the_domain_life_cycle() -> None:
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == DOMAIN_LIFE_CYCLE
    assert set(TRANSITIONS) == set(BookingState)
    assert [s for s in BookingState if holds_resources(s)] == [S.BOOKED, S.ARRIVED, S.IN_SERVICE]


# The way to each state through the service (SETTLED: the finished booking is then
# settled behind its back; checkout is another module's job).
PATH = {
    S.BOOKED: (),
    S.ARRIVED: (S.ARRIVED,),
    S.IN_SERVICE: (S.ARRIVED, S.IN_SERVICE),
    S.FINISHED: (S.ARRIVED, S.IN_SERVICE, S.FINISHED),
    S.SETTLED: (S.ARRIVED, S.IN_SERVICE, S.FINISHED),
    S.CANCELLED: (S.CANCELLED,),
    S.NO_SHOW: (S.NO_SHOW,),
}
START = at("14:00")
WHEN = at("14:10")  # the booking has started: a no-show may be marked


def _reach(db: Database, cat: Catalogue, state: BookingState) -> int:
    booking_id = book(db, cat, START, member=cat.members[0])
    for step in PATH[state]:
        reason = REASON if step is S.CANCELLED else None
        bookings.transition(db, cat.desk, booking_id, step, reason=reason, at=at("14:05"))
    if state is S.SETTLED:
        force_state(db, booking_id, S.SETTLED, at("15:05"))
    assert bookings.detail(db, booking_id).state is state
    return booking_id


PAIRS = [(a, b) for a in BookingState for b in BookingState]
THROUGH_TRANSITION = [
    (a, b)
    for a, b in PAIRS
    if b in TRANSITIONS[a] and b is not S.SETTLED and (a, b) != (S.SETTLED, S.FINISHED)
]
REFUSED = [p for p in PAIRS if p not in THROUGH_TRANSITION]


@pytest.mark.parametrize(("source", "target"), THROUGH_TRANSITION, ids=lambda s: s.value)
def test_legal_transition_succeeds(
    db: Database, cat: Catalogue, source: BookingState, target: BookingState
) -> None:
    booking_id = _reach(db, cat, source)
    before = stored(db, booking_id)
    change = bookings.transition(
        db, cat.desk, booking_id, target, reason=REASON if target is S.CANCELLED else None,
        satisfaction=Satisfaction.SATISFIED if target is S.FINISHED else None, at=WHEN,
    )  # fmt: skip
    after = stored(db, booking_id)
    assert after.state is target
    assert change.booking_id == booking_id and change.version == after.version > before.version
    assert after.audit_entries == before.audit_entries + 1
    # The allocations hold the room and staff exactly while the state does.
    assert [a[3] for a in after.allocations] == [holds_resources(target)] * 2
    assert [a[:3] for a in after.allocations] == [a[:3] for a in before.allocations]
    stamp = {
        S.ARRIVED: after.arrived_at,
        S.IN_SERVICE: after.service_started_at,
        S.FINISHED: after.finished_at,
    }
    if target in stamp:
        assert stamp[target] == WHEN
    if target is S.CANCELLED:
        assert after.cancel_reason == REASON
    if target is S.FINISHED:
        assert bookings.detail(db, booking_id).satisfaction is Satisfaction.SATISFIED


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=lambda s: s.value)
def test_illegal_transition_is_refused_and_changes_nothing(
    db: Database, cat: Catalogue, source: BookingState, target: BookingState
) -> None:
    booking_id = _reach(db, cat, source)
    before = stored(db, booking_id)
    with pytest.raises(IllegalTransition) as info:
        bookings.transition(
            db, cat.desk, booking_id, target,
            reason=REASON if target in (S.CANCELLED, S.NO_SHOW) else None, at=WHEN,
        )  # fmt: skip
    message = info.value.message
    assert CHINESE.search(message), message
    assert info.value.field == "state"
    if target is not S.SETTLED and source is not S.SETTLED:
        # The table's own refusal names where the booking stands and what it asked for.
        assert label(source) in message and label(target) in message, message
    assert stored(db, booking_id) == before


def test_settling_and_reversal_belong_to_checkout(db: Database, cat: Catalogue) -> None:
    finished = _reach(db, cat, S.FINISHED)
    with pytest.raises(IllegalTransition, match="结账"):
        bookings.transition(db, cat.desk, finished, S.SETTLED, at=WHEN)
    assert bookings.detail(db, finished).state is S.FINISHED


def test_cancel_needs_a_reason(db: Database, cat: Catalogue) -> None:
    booking_id = book(db, cat, START)
    before = stored(db, booking_id)
    for reason in (None, "", "   "):
        with pytest.raises(DomainError) as info:
            bookings.transition(db, cat.desk, booking_id, S.CANCELLED, reason=reason, at=NOW)
        assert info.value.field == "reason" and CHINESE.search(info.value.message)
    assert stored(db, booking_id) == before
    bookings.transition(db, cat.desk, booking_id, S.CANCELLED, reason="  " + REASON, at=NOW)
    detail = bookings.detail(db, booking_id)
    assert (detail.state, detail.cancel_reason) == (S.CANCELLED, REASON)


def test_no_show_only_once_the_time_has_come_and_counted_on_the_member(
    db: Database, cat: Catalogue
) -> None:
    member = cat.members[1]
    first = book(db, cat, START, member=member)
    before = stored(db, first)
    with pytest.raises(IllegalTransition, match="还没到"):
        bookings.transition(db, cat.desk, first, S.NO_SHOW, at=START - timedelta(minutes=1))
    assert stored(db, first) == before
    assert bookings.detail(db, first).member_no_shows == 0

    bookings.transition(db, cat.desk, first, S.NO_SHOW, at=START)
    assert bookings.detail(db, first).member_no_shows == 1
    second = book(db, cat, at("18:00"), member=member)
    cancelled = book(db, cat, at("19:00"), member=member)
    bookings.transition(db, cat.desk, cancelled, S.CANCELLED, reason=REASON, at=NOW)
    bookings.transition(db, cat.desk, second, S.NO_SHOW, reason="电话未接", at=at("18:30"))
    assert bookings.detail(db, second).member_no_shows == 2
    assert bookings.detail(db, second).cancel_reason == "电话未接"
    assert bookings.no_show_count(db, member) == 2
    assert bookings.no_show_count(db, cat.members[2]) == 0
    guest = book(db, cat, at("20:00"))
    bookings.transition(db, cat.desk, guest, S.NO_SHOW, at=at("20:15"))
    assert bookings.detail(db, guest).member_no_shows == 0


@pytest.mark.parametrize("target", [S.CANCELLED, S.NO_SHOW, S.FINISHED], ids=lambda s: s.value)
def test_ended_booking_frees_its_slot_for_another(
    db: Database, cat: Catalogue, target: BookingState
) -> None:
    booking_id = _reach(db, cat, S.IN_SERVICE if target is S.FINISHED else S.BOOKED)
    with pytest.raises(BookingConflict):
        book(db, cat, START)
    bookings.transition(
        db, cat.desk, booking_id, target, reason=REASON if target is S.CANCELLED else None,
        at=WHEN,
    )  # fmt: skip
    assert [a[3] for a in stored(db, booking_id).allocations] == [False, False]
    again = book(db, cat, START)
    assert bookings.detail(db, again).resource_ids == (cat.room, cat.day_therapist)
    assert overlaps(db) == []


def test_only_staff_who_may_book_can_change_bookings(db: Database, cat: Catalogue) -> None:
    with pytest.raises(PermissionDenied):
        bookings.create(db, cat.therapist_login, draft(cat.massage, START, 60, (cat.room,)), at=NOW)
    booking_id = book(db, cat, START)
    with pytest.raises(PermissionDenied):
        bookings.transition(db, None, booking_id, S.ARRIVED, at=WHEN)
    assert count_bookings(db) == 1 and bookings.detail(db, booking_id).state is S.BOOKED


# -- creating -------------------------------------------------------------------------------


def test_create_stores_what_the_counter_entered(db: Database, cat: Catalogue) -> None:
    change = bookings.create(
        db, cat.desk,
        replace(
            draft(cat.massage, START, 60, (cat.day_therapist, cat.room), member=cat.members[0]),
            notes=" 肩颈重点 ", guest_count=2,
        ),
        at=NOW,
    )  # fmt: skip
    d = bookings.detail(db, change.booking_id)
    assert (d.state, d.version, change.version) == (S.BOOKED, 1, 1)
    assert (d.start_at, d.end_at) == (START, START + timedelta(minutes=60))
    assert (d.member_id, d.member_name, d.guest) == (cat.members[0], "张晓明", "张晓明")
    assert (d.service, d.list_price_fen, d.notes, d.guest_count) == (
        "中式按摩60分钟",
        19_800,
        "肩颈重点",
        2,
    )
    assert d.resources == ("按摩房 101", "技师小王")  # board order, not the order picked
    assert change.notices == ()


def test_walk_in_seated_at_once(db: Database, cat: Catalogue) -> None:
    change = bookings.create(
        db, cat.desk, replace(draft(cat.foot, at("14:00"), 45, (cat.suite, cat.day_therapist)),
                              walk_in=True),
        at=at("13:58"), state=S.IN_SERVICE,
    )  # fmt: skip
    d = bookings.detail(db, change.booking_id)
    assert (d.state, d.walk_in, d.arrived_at, d.service_started_at) == (
        S.IN_SERVICE, True, at("13:58"), at("13:58"),
    )  # fmt: skip
    with pytest.raises(IllegalTransition):
        bookings.create(db, cat.desk, draft(cat.foot, at("16:00"), 45, (cat.suite,)), at=NOW,
                        state=S.FINISHED)  # fmt: skip


@pytest.mark.parametrize(
    ("start", "minutes", "resources"),
    [
        pytest.param(("15:00", 0), 60, ("room", "day_therapist"), id="right-after-the-first"),
        pytest.param(("13:00", 0), 60, ("room", "day_therapist"), id="right-before-the-first"),
        pytest.param(("14:00", 0), 60, ("suite",), id="another-room-same-time"),
        pytest.param(("23:30", 0), 60, ("suite", "night_therapist"), id="shift-across-midnight"),
        pytest.param(("00:30", 1), 60, ("suite", "night_therapist"), id="after-midnight"),
        pytest.param(("01:00", 1), 60, ("suite",), id="ending-at-closing"),
        pytest.param(("10:00", 0), 60, ("room", "day_therapist"), id="at-opening"),
        pytest.param(("21:00", 0), 60, ("room", "day_therapist"), id="ending-with-the-shift"),
    ],
)
def test_create_accepts(
    db: Database, cat: Catalogue, start: tuple[str, int], minutes: int,
    resources: tuple[str, ...],
) -> None:  # fmt: skip
    book(db, cat, START)  # 14:00–15:00 on the room and the day therapist
    ids = tuple(getattr(cat, r) for r in resources)
    booking_id = book(db, cat, at(*start), minutes, ids)
    d = bookings.detail(db, booking_id)
    assert (d.start_at, d.end_at, set(d.resource_ids)) == (
        at(*start), at(*start) + timedelta(minutes=minutes), set(ids),
    )  # fmt: skip
    assert overlaps(db) == []


# (start, minutes, resources, service, guest, error type, words in the message, field)
REFUSALS = {
    "room-taken": (("14:30", 0), 60, ("room",), "massage", "散客", BookingConflict,
                   ("按摩房 101", "14:00–15:00"), "resources"),
    "staff-taken": (("13:30", 0), 60, ("suite", "day_therapist"), "massage", "散客",
                    BookingConflict, ("技师小王",), "resources"),
    "inside-another": (("14:15", 0), 30, ("day_therapist",), "massage", "散客",
                       BookingConflict, ("技师小王",), "resources"),
    "service-staff-cannot-do": (("21:00", 0), 45, ("suite", "night_therapist"), "foot",
                                "散客", DomainError, ("技师小李", "足浴45分钟"), "resources"),
    "room-cannot-do": (("16:00", 0), 60, ("hall",), "massage", "散客", DomainError,
                       ("瑜伽室",), "resources"),
    "after-day-shift": (("21:30", 0), 60, ("day_therapist",), "massage", "散客", DomainError,
                        ("技师小王", "10:00–22:00"), "resources"),
    "before-night-shift": (("19:30", 0), 60, ("night_therapist",), "massage", "散客",
                           DomainError, ("技师小李", "20:00–02:00"), "resources"),
    "after-closing": (("02:00", 1), 60, ("suite",), "massage", "散客", DomainError,
                      ("营业时间", "10:00", "02:00"), "start_at"),
    "across-closing": (("01:30", 1), 60, ("suite",), "massage", "散客", DomainError,
                       ("营业时间",), "start_at"),
    "before-opening": (("09:30", 0), 60, ("suite",), "massage", "散客", DomainError,
                       ("营业时间",), "start_at"),
    "too-short": (("16:00", 0), 10, ("suite",), "massage", "散客", DomainError, ("15",),
                  "end_at"),
    "inactive-resource": (("16:00", 0), 60, ("closed_room",), "massage", "散客",
                          DomainError, ("旧按摩房", "停用"), "resources"),
    "same-resource-twice": (("16:00", 0), 60, ("suite", "suite"), "massage", "散客",
                            DomainError, (), "resources"),
    "no-resource": (("16:00", 0), 60, (), "massage", "散客", DomainError, (), "resources"),
    "no-guest": (("16:00", 0), 60, ("suite",), "massage", None, DomainError, (), "guest"),
    "blank-guest": (("16:00", 0), 60, ("suite",), "massage", "   ", DomainError, (), "guest"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSALS))
def test_create_refuses(db: Database, cat: Catalogue, case: str) -> None:
    start, minutes, resources, service, guest, error, words, field = REFUSALS[case]
    book(db, cat, START)  # 14:00–15:00 on the room and the day therapist
    before = count_bookings(db)
    ids = tuple(getattr(cat, r) for r in resources)  # type: ignore[union-attr]
    the_draft = draft(getattr(cat, service), at(*start), minutes, ids, guest=guest)  # type: ignore[arg-type]
    with pytest.raises(DomainError) as info:
        bookings.create(db, cat.desk, the_draft, at=NOW)
    assert type(info.value) is error, info.value.message
    assert CHINESE.search(info.value.message)
    for word in words:  # type: ignore[union-attr]
        assert word in info.value.message, info.value.message
    assert info.value.field == field
    assert count_bookings(db) == before


def test_create_refuses_end_before_start_and_the_past(db: Database, cat: Catalogue) -> None:
    backwards = bookings.BookingDraft(
        cat.massage, at("15:00"), at("14:00"), (cat.suite,), guest_name="散客"
    )
    with pytest.raises(DomainError) as info:
        bookings.create(db, cat.desk, backwards, at=NOW)
    assert info.value.field == "end_at" and CHINESE.search(info.value.message)
    past = draft(cat.massage, START, 60, (cat.suite,))
    with pytest.raises(DomainError, match="已经过去") as info:
        bookings.create(db, cat.desk, past, at=at("15:00"))
    assert not isinstance(info.value, BookingConflict)
    assert count_bookings(db) == 0
    # Still running at 14:30: a walk-in may be entered for the slot that has begun.
    bookings.create(db, cat.desk, past, at=at("14:30"))


def test_create_refuses_unknown_member_and_service(db: Database, cat: Catalogue) -> None:
    with pytest.raises(NotFound):
        bookings.create(
            db, cat.desk, draft(cat.massage, START, 60, (cat.suite,), member=9999), at=NOW
        )
    with pytest.raises(DomainError, match="服务项目"):
        bookings.create(db, cat.desk, draft(9999, START, 60, (cat.suite,)), at=NOW)
    assert count_bookings(db) == 0


# -- moving, resizing, changing room or staff --------------------------------------------------


def test_reschedule_moves_resizes_and_changes_resources(db: Database, cat: Catalogue) -> None:
    booking_id = book(db, cat, START)
    moved = bookings.reschedule(
        db, cat.desk, booking_id, start_at=at("16:00"), end_at=at("17:00"), expected_version=1,
        at=NOW,
    )  # fmt: skip
    assert moved.version == stored(db, booking_id).version > 1
    after = stored(db, booking_id)
    assert (after.start_at, after.end_at) == (at("16:00"), at("17:00"))
    assert {a[1:] for a in after.allocations} == {(at("16:00"), at("17:00"), True)}
    book(db, cat, START)  # the old slot is free again

    resized = bookings.reschedule(
        db, cat.desk, booking_id, start_at=at("16:00"), end_at=at("17:30"), at=NOW
    )
    assert resized.version > moved.version and stored(db, booking_id).end_at == at("17:30")

    bookings.reschedule(
        db, cat.desk, booking_id, start_at=at("16:00"), end_at=at("17:30"),
        resource_ids=(cat.suite, cat.day_therapist), expected_version=resized.version, at=NOW,
    )  # fmt: skip
    assert bookings.detail(db, booking_id).resource_ids == (cat.suite, cat.day_therapist)
    assert {a[0] for a in stored(db, booking_id).allocations} == {cat.suite, cat.day_therapist}
    book(db, cat, at("16:00"), 60, (cat.room,))  # the room it left is free
    assert overlaps(db) == []


def test_changing_only_the_room_is_a_new_version(db: Database, cat: Catalogue) -> None:
    """Counter A drags the block from the room to the suite (same times); counter B,
    whose board still shows the old version, then changes its room as well: B must get
    a conflict, not silently undo A's change."""
    booking_id = book(db, cat, START)
    a = bookings.reschedule(
        db, cat.desk, booking_id, start_at=START, end_at=at("15:00"),
        resource_ids=(cat.suite, cat.day_therapist), expected_version=1, at=NOW,
    )  # fmt: skip
    assert a.version == stored(db, booking_id).version > 1
    with pytest.raises(BookingConflict):
        bookings.reschedule(
            db, cat.desk, booking_id, start_at=START, end_at=at("15:00"),
            resource_ids=(cat.room, cat.day_therapist), expected_version=1, at=NOW,
        )  # fmt: skip
    assert bookings.detail(db, booking_id).resource_ids == (cat.suite, cat.day_therapist)


def test_reschedule_into_a_taken_slot_is_a_conflict(db: Database, cat: Catalogue) -> None:
    first = book(db, cat, START)
    book(db, cat, at("16:00"), 60, (cat.room,))
    before = stored(db, first)
    with pytest.raises(BookingConflict, match="按摩房 101"):
        bookings.reschedule(db, cat.desk, first, start_at=at("15:30"), end_at=at("16:30"), at=NOW)
    with pytest.raises(BookingConflict, match="按摩房 101"):
        bookings.reschedule(
            db, cat.desk, first, start_at=START, end_at=at("16:15"), at=NOW
        )  # a resize over the next booking
    with pytest.raises(DomainError, match="技师小李"):
        bookings.reschedule(
            db, cat.desk, first, start_at=START, end_at=at("15:00"),
            resource_ids=(cat.room, cat.night_therapist), at=NOW,
        )  # fmt: skip
    assert stored(db, first) == before


def test_reschedule_with_a_stale_version_is_a_conflict(db: Database, cat: Catalogue) -> None:
    booking_id = book(db, cat, START)
    # Another counter moves it first (version 1 → 2).
    bookings.reschedule(db, cat.desk, booking_id, start_at=at("15:00"), end_at=at("16:00"),
                        expected_version=1, at=NOW)  # fmt: skip
    before = stored(db, booking_id)
    with pytest.raises(BookingConflict) as info:
        bookings.reschedule(db, cat.desk, booking_id, start_at=at("17:00"), end_at=at("18:00"),
                            expected_version=1, at=NOW)  # fmt: skip
    assert info.value.field == "version" and CHINESE.search(info.value.message)
    assert stored(db, booking_id) == before


def test_reschedule_in_service_only_changes_the_end(db: Database, cat: Catalogue) -> None:
    booking_id = _reach(db, cat, S.IN_SERVICE)
    before = stored(db, booking_id)
    with pytest.raises(DomainError, match="开始时间") as info:
        bookings.reschedule(db, cat.desk, booking_id, start_at=at("14:15"), end_at=at("15:15"),
                            at=WHEN)  # fmt: skip
    assert not isinstance(info.value, BookingConflict)
    assert stored(db, booking_id) == before
    bookings.reschedule(db, cat.desk, booking_id, start_at=START, end_at=at("15:30"), at=WHEN)
    assert stored(db, booking_id).end_at == at("15:30")


def test_reschedule_of_an_ended_booking_is_refused(db: Database, cat: Catalogue) -> None:
    for state in (S.CANCELLED, S.FINISHED):
        booking_id = _reach(db, cat, state)
        before = stored(db, booking_id)
        with pytest.raises(IllegalTransition):
            bookings.reschedule(db, cat.desk, booking_id, start_at=at("18:00"),
                                end_at=at("19:00"), at=NOW)  # fmt: skip
        assert stored(db, booking_id) == before
    with pytest.raises(NotFound):
        bookings.reschedule(db, cat.desk, 9999, start_at=START, end_at=at("15:00"), at=NOW)


def test_reschedule_into_the_past_is_refused(db: Database, cat: Catalogue) -> None:
    booking_id = book(db, cat, at("18:00"))
    with pytest.raises(DomainError, match="过去"):
        bookings.reschedule(db, cat.desk, booking_id, start_at=at("12:00"), end_at=at("13:00"),
                            at=at("16:00"))  # fmt: skip
    assert stored(db, booking_id).start_at == at("18:00")


# -- 加钟 ---------------------------------------------------------------------------------------


def test_add_time_extends_and_accumulates(db: Database, cat: Catalogue) -> None:
    booking_id = _reach(db, cat, S.IN_SERVICE)
    first = bookings.add_time(db, cat.desk, booking_id, 30, at=at("14:50"))
    change = bookings.add_time(db, cat.desk, booking_id, 15, at=at("15:20"))
    d = bookings.detail(db, booking_id)
    assert (d.end_at, d.added_minutes) == (at("15:45"), 45)
    assert d.version == change.version > first.version > 3
    assert {a[2] for a in stored(db, booking_id).allocations} == {at("15:45")}

    book(db, cat, at("16:00"), 60, (cat.suite, cat.day_therapist))
    before = stored(db, booking_id)
    with pytest.raises(BookingConflict, match="技师小王"):
        bookings.add_time(db, cat.desk, booking_id, 30, at=at("15:40"))
    assert stored(db, booking_id) == before
    bookings.add_time(db, cat.desk, booking_id, 15, at=at("15:40"))  # up to 16:00 fits
    assert bookings.detail(db, booking_id).added_minutes == 60
    assert overlaps(db) == []


def test_add_time_refusals(db: Database, cat: Catalogue) -> None:
    booked = book(db, cat, START)
    with pytest.raises(IllegalTransition):
        bookings.add_time(db, cat.desk, booked, 30, at=WHEN)
    for minutes in (0, -15, 7, 245):
        with pytest.raises(DomainError) as info:
            bookings.add_time(db, cat.desk, booked, minutes, at=WHEN)
        assert info.value.field == "minutes"
    late = book(db, cat, at("01:00", 1), 60, (cat.suite, cat.night_therapist))
    bookings.transition(db, cat.desk, late, S.ARRIVED, at=at("01:00", 1))
    before = stored(db, late)
    with pytest.raises(DomainError, match="营业时间"):  # past 02:00 closing
        bookings.add_time(db, cat.desk, late, 30, at=at("01:30", 1))
    assert stored(db, late) == before
    assert stored(db, booked).added_minutes == 0


# -- sessions with seats ----------------------------------------------------------------------


def _session(db: Database, cat: Catalogue) -> int:
    """A yoga class 18:00–19:00 in the hall with three seats; the class has no guest."""
    return bookings.create(
        db, cat.desk, draft(cat.yoga, at("18:00"), 60, (cat.hall,), guest=None), at=NOW
    ).booking_id


def test_seats_up_to_capacity_then_full(db: Database, cat: Catalogue) -> None:
    host = _session(db, cat)
    seats = [
        bookings.reserve_seat(db, cat.desk, host, member_id=m, at=NOW).booking_id
        for m in cat.members[:2]
    ]
    seats.append(
        bookings.reserve_seat(db, cat.desk, host, guest_name="散客周女士", at=NOW).booking_id
    )
    d = bookings.detail(db, host)
    assert d.is_session and d.capacity == 3
    assert [(s.booking_id, s.guest) for s in d.seats] == list(
        zip(seats, ["张晓明", "李娜", "散客周女士"], strict=True)
    )
    seat = bookings.detail(db, seats[0])
    assert (seat.session_id, seat.start_at, seat.end_at, seat.resource_ids) == (
        host, at("18:00"), at("19:00"), (),
    )  # fmt: skip
    with pytest.raises(SessionFull) as info:
        bookings.reserve_seat(db, cat.desk, host, member_id=cat.members[3], at=NOW)
    assert "3" in info.value.message and CHINESE.search(info.value.message)
    assert len(bookings.detail(db, host).seats) == 3
    [block] = [b for b in board.load(db, DAY).blocks if b.booking_id == host]
    assert (block.capacity, block.seats_taken) == (3, 3)

    # A seat given back is free again, and a waiting guest is told.
    entry = waitlist.add(db, cat.desk, waitlist.WaitlistInput(
        cat.yoga, at("18:00"), at("19:00"), member_id=cat.members[3], session_id=host))  # fmt: skip
    change = bookings.transition(db, cat.desk, seats[1], S.CANCELLED, reason=REASON, at=NOW)
    assert len(change.notices) == 1 and "赵磊" in change.notices[0]
    assert [w.state for w in waitlist.entries(db, DAY) if w.id == entry] == [WaitlistState.NOTIFIED]
    bookings.reserve_seat(db, cat.desk, host, member_id=cat.members[3], at=NOW)
    assert len([s for s in bookings.detail(db, host).seats if s.state is S.BOOKED]) == 3


def test_same_member_cannot_take_two_seats(db: Database, cat: Catalogue) -> None:
    host = _session(db, cat)
    bookings.reserve_seat(db, cat.desk, host, member_id=cat.members[0], at=NOW)
    with pytest.raises(DomainError, match="已经订了") as info:
        bookings.reserve_seat(db, cat.desk, host, member_id=cat.members[0], at=NOW)
    assert not isinstance(info.value, SessionFull)
    assert len(bookings.detail(db, host).seats) == 1
    with pytest.raises(DomainError):
        bookings.reserve_seat(db, cat.desk, host, at=NOW)  # nobody named
    plain = book(db, cat, START)
    with pytest.raises(NotFound):
        bookings.reserve_seat(db, cat.desk, plain, member_id=cat.members[1], at=NOW)


def test_cancelling_the_session_cancels_its_booked_seats(db: Database, cat: Catalogue) -> None:
    host = _session(db, cat)
    seats = [
        bookings.reserve_seat(db, cat.desk, host, member_id=m, at=NOW).booking_id
        for m in cat.members[:2]
    ]
    bookings.transition(db, cat.desk, host, S.CANCELLED, reason="教练请假", at=NOW)
    assert [bookings.detail(db, s).state for s in seats] == [S.CANCELLED, S.CANCELLED]
    assert [bookings.detail(db, s).cancel_reason for s in seats] == ["教练请假"] * 2
    assert [a[3] for a in stored(db, host).allocations] == [False]
    with pytest.raises(DomainError, match="取消"):
        bookings.reserve_seat(db, cat.desk, host, member_id=cat.members[2], at=NOW)
    with pytest.raises(IllegalTransition):
        bookings.transition(db, cat.desk, _session(db, cat), S.NO_SHOW, at=at("18:30"))


# -- the waitlist -------------------------------------------------------------------------------


def test_cancellation_tells_the_waitlist_of_a_matching_slot(db: Database, cat: Catalogue) -> None:
    booking_id = book(db, cat, START)
    wish = waitlist.WaitlistInput
    early, late = at("13:30"), at("15:30")
    wanted = waitlist.add(
        db, cat.desk, wish(cat.massage, early, late, guest_name="刘女士", contact="13912345678")
    )
    other_service = waitlist.add(db, cat.desk, wish(cat.foot, early, late, guest_name="陈先生"))
    other_time = waitlist.add(
        db, cat.desk, wish(cat.massage, at("17:00"), at("18:00"), guest_name="孙先生")
    )
    other_room = waitlist.add(
        db, cat.desk, wish(cat.massage, early, late, guest_name="吴女士", resource_id=cat.suite)
    )

    change = bookings.transition(db, cat.desk, booking_id, S.CANCELLED, reason=REASON, at=NOW)
    assert len(change.notices) == 1
    assert "刘女士" in change.notices[0] and "13912345678" in change.notices[0]
    states = {w.id: w.state for w in waitlist.entries(db, DAY, open_only=False)}
    assert states == {
        wanted: WaitlistState.NOTIFIED,
        other_service: WaitlistState.WAITING,
        other_time: WaitlistState.WAITING,
        other_room: WaitlistState.WAITING,
    }


def test_moving_away_tells_the_waitlist_once(db: Database, cat: Catalogue) -> None:
    booking_id = book(db, cat, START)
    waitlist.add(
        db, cat.desk,
        waitlist.WaitlistInput(
            cat.massage, START, at("15:00"), guest_name="刘女士", resource_id=cat.room
        ),
    )  # fmt: skip
    change = bookings.reschedule(db, cat.desk, booking_id, start_at=at("17:00"),
                                 end_at=at("18:00"), at=NOW)  # fmt: skip
    assert len(change.notices) == 1 and "刘女士" in change.notices[0]
    again = bookings.reschedule(db, cat.desk, booking_id, start_at=at("19:00"),
                                end_at=at("20:00"), at=NOW)  # fmt: skip
    assert again.notices == ()  # already told


# -- the board ----------------------------------------------------------------------------------


def test_board_loads_the_business_day_past_midnight(db: Database, cat: Catalogue) -> None:
    morning = book(db, cat, at("11:00"))
    late = book(db, cat, at("23:30"), 60, (cat.suite, cat.night_therapist))
    after_midnight = book(db, cat, at("00:30", 1), 60, (cat.room, cat.night_therapist))
    cancelled = book(db, cat, at("12:00"))
    bookings.transition(db, cat.desk, cancelled, S.CANCELLED, reason=REASON, at=NOW)
    no_show = book(db, cat, at("16:00"))
    bookings.transition(db, cat.desk, no_show, S.NO_SHOW, at=at("16:20"))
    finished = _reach(db, cat, S.FINISHED)
    # The day before's small hours, and the next day: not this board.
    yesterday = bookings.create(
        db, cat.desk, draft(cat.massage, at("00:30"), 60, (cat.suite,)), at=NOW - timedelta(hours=9)
    ).booking_id
    tomorrow = book(db, cat, at("10:30", 1), 60, (cat.suite,))

    day = board.load(db, DAY)
    assert day.days == (DAY,)
    assert day.window(DAY) == (at("10:00"), at("02:00", 1))
    assert [r.name for r in day.resources] == [
        "按摩房 101",
        "豪华包间 8",
        "瑜伽室",
        "技师小王",
        "技师小李",
    ]  # by sort order, the inactive room left out
    shown = {(b.booking_id, b.resource_id) for b in day.blocks}
    assert shown == {
        (morning, cat.room), (morning, cat.day_therapist),
        (late, cat.suite), (late, cat.night_therapist),
        (after_midnight, cat.room), (after_midnight, cat.night_therapist),
        (finished, cat.room), (finished, cat.day_therapist),
    }  # fmt: skip
    assert not {cancelled, no_show, yesterday, tomorrow} & {b.booking_id for b in day.blocks}
    [block] = [
        b for b in day.blocks if b.booking_id == after_midnight and b.resource_id == cat.room
    ]
    assert (block.start_at, block.end_at, block.state, block.service) == (
        at("00:30", 1), at("01:30", 1), S.BOOKED, "中式按摩60分钟",
    )  # fmt: skip
    assert [b.start_at for b in day.blocks] == sorted(b.start_at for b in day.blocks)

    people = board.load(db, DAY, kinds=board.PEOPLE)
    assert {r.kind for r in people.resources} == {ResourceKind.THERAPIST}
    assert {b.resource_id for b in people.blocks} == {cat.day_therapist, cat.night_therapist}

    week = board.load(db, DAY, days=7)
    assert len(week.days) == 7
    assert tomorrow in {b.booking_id for b in week.blocks}


def test_free_now_lists_rooms_and_staff_free_on_duty(db: Database, cat: Catalogue) -> None:
    book(db, cat, START)  # room + day therapist 14:00–15:00
    book(db, cat, at("15:30"), 60, (cat.suite,))
    book(db, cat, at("20:00"), 60, (cat.room, cat.night_therapist))

    afternoon = board.free_now(db, at("14:30"))
    assert afternoon.at == at("14:30")
    assert [(f.resource.id, f.free_until) for f in afternoon.rooms] == [(cat.suite, at("15:30"))]
    assert afternoon.staff == ()  # the day therapist is busy, the night one not on duty

    evening = board.free_now(db, at("20:30"), service_id=cat.massage)
    assert [(f.resource.id, f.free_until) for f in evening.rooms] == [(cat.suite, None)]
    assert [f.resource.id for f in evening.staff] == [cat.day_therapist]

    # 21:30: a massage would run past the day shift; the night therapist is free again.
    late = board.free_now(db, at("21:30"), service_id=cat.massage)
    assert [f.resource.id for f in late.staff] == [cat.night_therapist]
    assert {f.resource.id for f in late.rooms} == {cat.room, cat.suite}
    assert board.free_now(db, at("21:30"), service_id=cat.foot).staff == ()


def test_detail_of_a_missing_booking(db: Database, cat: Catalogue) -> None:
    with pytest.raises(NotFound) as info:
        bookings.detail(db, 12345)
    assert "12345" in info.value.message and CHINESE.search(info.value.message)


# -- the bench's board database ------------------------------------------------------------


def test_board_bench_database_is_a_valid_busy_day(clubdesk_home: Path) -> None:
    """The day the board bench loads keeps the rules the services keep: 60 columns,
    1,500 bookings shown, no two shown bookings overlapping on a resource, each resource
    able to do its bookings' service; and the write cases run on a scratch copy."""
    from clubdesk.bench import board_cases
    from clubdesk.bench.cases import BenchContext

    db, path = board_cases.board_database()
    try:
        day = board.load(db, board_cases.BOARD_DAY)
        first, last = day.window(board_cases.BOARD_DAY)
        assert len(day.resources) == 60
        assert len({b.booking_id for b in day.blocks}) == 1_500
        assert all(first <= b.start_at < b.end_at <= last for b in day.blocks)
        skills = {r.id: r.service_ids for r in day.resources}
        assert all(b.service_id in skills[b.resource_id] for b in day.blocks)
        by_resource: dict[int, list[tuple[datetime, datetime]]] = {}
        for b in day.blocks:
            by_resource.setdefault(b.resource_id, []).append((b.start_at, b.end_at))
        for spans in by_resource.values():
            spans.sort()
            assert all(a[1] <= b[0] for a, b in pairwise(spans))
        assert overlaps(db) == []
        ctx = BenchContext(db=db, path=path, members=0, repeat=5)
        created, moved = board_cases.create_case(ctx), board_cases.move_case(ctx)
    finally:
        db.dispose()
    assert len(created.measured.values) == len(moved.measured.values) == 5
    assert created.floor.values and moved.floor.values
    built = path.stat().st_mtime_ns
    again, same = board_cases.board_database()  # reused, not rebuilt, and not written to
    again.dispose()
    assert same == path and path.stat().st_mtime_ns == built

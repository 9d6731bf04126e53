"""Edges a review of the board found: shared areas, services running over, offers after
midnight, a club open round the clock, seated services, and one-transaction edits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.models import Member, Resource, Service, Setting
from clubdesk.models.enums import BookingState, Role, ServiceCategory
from clubdesk.services import board, bookings, catalog, checkout
from clubdesk.services.booking_rules import BookingConflict
from clubdesk.services.staff import StaffMember
from tests.core.booking_helpers import NOW, Catalogue, at, book, catalogue, draft, stored


@pytest.fixture
def cat(db: Database) -> Catalogue:
    return catalogue(db)


def _bath(db: Database, cat: Catalogue, capacity: int = 3) -> int:
    """The bath: a service the hall (an area) takes several guests for at once."""
    with db.write() as s:
        bath = Service(
            name="洗浴", category=ServiceCategory.BATH, duration_min=120, list_price_fen=8_800
        )
        s.add(bath)
        hall = s.get(Resource, cat.hall)
        assert hall is not None
        hall.capacity = capacity
        hall.services.append(bath)
        s.flush()
        return bath.id


def test_an_area_takes_guests_up_to_its_capacity(db: Database, cat: Catalogue) -> None:
    bath = _bath(db, cat, capacity=3)
    for guest in range(3):
        bookings.create(
            db, cat.desk, draft(bath, at("12:00"), 120, (cat.hall,), guest=f"客{guest}"), at=NOW
        )
    with pytest.raises(BookingConflict, match="容量 3 位"):
        bookings.create(db, cat.desk, draft(bath, at("13:00"), 60, (cat.hall,)), at=NOW)
    # A class holds the hall alone, so it cannot start while bath guests are in it.
    with pytest.raises(BookingConflict, match="瑜伽室"):
        bookings.create(db, cat.desk, draft(cat.yoga, at("13:00"), 60, (cat.hall,), guest=None),
                        at=NOW)  # fmt: skip


def test_a_service_running_over_keeps_its_room_and_therapist(db: Database, cat: Catalogue) -> None:
    first = book(db, cat, at("14:00"))
    for step in (BookingState.ARRIVED, BookingState.IN_SERVICE):
        bookings.transition(db, cat.desk, first, step, at=at("14:00"))
    late = at("15:10")  # the hour is up, the guest is still on the table
    free = board.free_now(db, late)
    assert cat.room not in {f.resource.id for f in free.rooms}
    assert cat.day_therapist not in {f.resource.id for f in free.staff}
    with pytest.raises(BookingConflict):
        bookings.create(db, cat.desk, draft(cat.massage, late, 60, (cat.room,)), at=late)
    # Booking the room for later is still fine: the service will be over by then.
    bookings.create(db, cat.desk, draft(cat.massage, at("17:00"), 60, (cat.room,)), at=late)


def test_lengthening_a_service_in_progress_is_billed_as_added_time(
    db: Database, cat: Catalogue
) -> None:
    booking = book(db, cat, at("14:00"))
    for step in (BookingState.ARRIVED, BookingState.IN_SERVICE):
        bookings.transition(db, cat.desk, booking, step, at=at("14:00"))
    bookings.reschedule(db, cat.desk, booking, start_at=at("14:00"), end_at=at("15:30"),
                        at=at("14:30"))  # fmt: skip
    assert stored(db, booking).added_minutes == 30
    assert checkout.quote(db, booking, at=at("14:30")).list_fen == 19_800 + 9_900
    with pytest.raises(DomainError, match="不能早于现在"):
        bookings.reschedule(db, cat.desk, booking, start_at=at("14:00"), end_at=at("14:20"),
                            at=at("14:30"))  # fmt: skip
    bookings.reschedule(db, cat.desk, booking, start_at=at("14:00"), end_at=at("15:00"),
                        at=at("14:30"))  # fmt: skip
    assert stored(db, booking).added_minutes == 0


def test_a_club_open_round_the_clock_books_across_midnight(db: Database, cat: Catalogue) -> None:
    with db.write() as s:
        s.add(Setting(key="club.opening_time", value='"00:00"', updated_at=NOW))
        s.add(Setting(key="club.closing_time", value='"00:00"', updated_at=NOW))
    made = bookings.create(db, cat.desk, draft(cat.massage, at("23:30"), 60, (cat.room,)), at=NOW)
    assert stored(db, made.booking_id).end_at == at("00:30", days=1)


def test_guests_of_a_seated_service_book_seats_not_sessions(db: Database, cat: Catalogue) -> None:
    with pytest.raises(DomainError, match="订座"):
        bookings.create(
            db, cat.desk, draft(cat.yoga, at("18:00"), 60, (cat.hall,), member=cat.members[0]),
            at=NOW,
        )  # fmt: skip
    session = bookings.create(
        db, cat.desk, draft(cat.yoga, at("18:00"), 60, (cat.hall,), guest=None), at=NOW
    )
    seat = bookings.reserve_seat(db, cat.desk, session.booking_id, member_id=cat.members[0],
                                 at=NOW)  # fmt: skip
    bookings.transition(db, cat.desk, seat.booking_id, BookingState.ARRIVED, at=at("17:55"))
    with pytest.raises(DomainError, match="不能加钟"):
        bookings.add_time(db, cat.desk, seat.booking_id, 30, at=at("18:10"))


def test_a_service_with_bookings_keeps_its_kind(db: Database, cat: Catalogue) -> None:
    manager = StaffMember(cat.desk.id, "m", "经理", Role.MANAGER)
    book(db, cat, at("14:00"))
    rows = {r.id: r for r in catalog.list_services(db)}
    massage = rows[cat.massage].as_input()
    with pytest.raises(DomainError, match="切换"):
        catalog.save_service(db, manager, replace(massage, capacity=10), cat.massage)
    session = bookings.create(
        db, cat.desk, draft(cat.yoga, at("18:00"), 60, (cat.hall,), guest=None), at=NOW
    )
    for member in cat.members[:3]:
        bookings.reserve_seat(db, cat.desk, session.booking_id, member_id=member, at=NOW)
    yoga = rows[cat.yoga].as_input()
    with pytest.raises(DomainError, match="不能少于 3"):
        catalog.save_service(db, manager, replace(yoga, capacity=2), cat.yoga)
    catalog.save_service(db, manager, replace(yoga, capacity=5), cat.yoga)


def test_birthday_offers_follow_the_business_day_after_midnight(
    db: Database, cat: Catalogue
) -> None:
    member = cat.members[0]
    with db.write() as s:
        row = s.get(Member, member)
        assert row is not None
        row.birthday = at("00:00").date().replace(year=1990)
        row.birthday_mmdd = row.birthday.strftime("%m%d")
    booking = book(db, cat, at("23:00"), member=member, resources=(cat.room, cat.night_therapist))
    for step, when in (
        (BookingState.ARRIVED, at("23:00")), (BookingState.IN_SERVICE, at("23:00")),
        (BookingState.FINISHED, at("00:00", days=1)),
    ):  # fmt: skip
        bookings.transition(db, cat.desk, booking, step, at=when)
    after_midnight = at("00:40", days=1)
    quoted = checkout.quote(db, booking, at=after_midnight)
    assert "生日" in (quoted.discount.reason or "")


def test_an_edit_of_time_and_guest_is_one_change(db: Database, cat: Catalogue) -> None:
    booking = book(db, cat, at("14:00"))
    version = stored(db, booking).version
    with pytest.raises(DomainError, match="40"):
        # The new time is free but the guest's name is refused: neither part is kept.
        bookings.edit(
            db, cat.desk, booking, expected_version=version, start_at=at("16:00"),
            end_at=at("17:00"), resource_ids=(cat.room, cat.day_therapist), member_id=None,
            guest_name="王" * 41, notes=None, at=NOW,
        )  # fmt: skip
    with pytest.raises(BookingConflict):
        # The guest is fine but the suite is taken at the new time.
        book(db, cat, at("16:00"), resources=(cat.suite,))
        bookings.edit(
            db, cat.desk, booking, expected_version=version, start_at=at("16:00"),
            end_at=at("17:00"), resource_ids=(cat.suite, cat.day_therapist), member_id=None,
            guest_name="李先生", notes="靠窗", at=NOW,
        )  # fmt: skip
    unchanged = bookings.detail(db, booking)
    assert (unchanged.start_at, unchanged.guest_name) == (at("14:00"), "散客王先生")
    change = bookings.edit(
        db, cat.desk, booking, expected_version=version, start_at=at("18:00"),
        end_at=at("19:00"), resource_ids=(cat.suite, cat.day_therapist), member_id=None,
        guest_name="李先生", notes="靠窗", at=NOW,
    )  # fmt: skip
    after = bookings.detail(db, booking)
    assert (after.start_at, after.guest_name, after.notes) == (at("18:00"), "李先生", "靠窗")
    assert set(after.resource_ids) == {cat.suite, cat.day_therapist}
    with pytest.raises(BookingConflict):
        bookings.update_guest(db, cat.desk, booking, member_id=None, guest_name="王",
                              notes=None, expected_version=version)  # fmt: skip
    assert change.version > version


def test_free_until_is_the_next_booking_or_the_end_of_the_shift(
    db: Database, cat: Catalogue
) -> None:
    book(db, cat, at("21:00"), resources=(cat.room,))
    free = board.free_now(db, at("20:00"))
    until = {f.resource.id: f.free_until for f in (*free.rooms, *free.staff)}
    assert until[cat.room] == at("21:00")
    assert until[cat.suite] is None  # free until closing time
    assert until[cat.day_therapist] == at("22:00")  # her shift ends
    assert until[cat.night_therapist] is None  # works until 02:00, the closing time
    # Tomorrow's bookings do not make tonight look short.
    book(db, cat, at("11:00", days=1), resources=(cat.suite,))
    again = board.free_now(db, at("20:00"))
    assert {f.resource.id: f.free_until for f in again.rooms}[cat.suite] is None


def test_an_area_counts_guests_present_at_once_and_each_party_must_fit(
    db: Database, cat: Catalogue
) -> None:
    bath = _bath(db, cat, capacity=10)

    def party(start: str, minutes: int, guests: int) -> bookings.BookingDraft:
        made = draft(bath, at(start), minutes, (cat.hall,))
        return replace(made, guest_count=guests)

    bookings.create(db, cat.desk, party("10:00", 60, 8), at=NOW)
    bookings.create(db, cat.desk, party("11:00", 60, 8), at=NOW)
    # 8 + 2 at 10:00–11:00 and 8 + 2 at 11:00–12:00: never more than 10 at once.
    both = bookings.create(db, cat.desk, party("10:00", 120, 2), at=NOW)
    with pytest.raises(BookingConflict, match="容量 10 位"):
        bookings.create(db, cat.desk, party("10:30", 60, 1), at=NOW)
    with pytest.raises(BookingConflict, match="最多容纳 10 位"):
        bookings.create(db, cat.desk, party("15:00", 60, 11), at=NOW)
    with pytest.raises(BookingConflict, match="容量 10 位"):
        bookings.update_guest(db, cat.desk, both.booking_id, member_id=None,
                              guest_name="散客王先生", notes=None, guest_count=3)  # fmt: skip
    assert bookings.detail(db, both.booking_id).guest_count == 2


def test_added_time_follows_the_length_beyond_the_booking_in_any_order(
    db: Database, cat: Catalogue
) -> None:
    booking = book(db, cat, at("13:00"))
    bookings.transition(db, cat.desk, booking, BookingState.ARRIVED, at=at("12:55"))
    bookings.add_time(db, cat.desk, booking, 60, at=at("12:56"))
    assert stored(db, booking).added_minutes == 60
    # Dragged back to the hour booked before the service started: no extra time billed.
    bookings.reschedule(db, cat.desk, booking, start_at=at("13:00"), end_at=at("14:00"),
                        at=at("12:57"))  # fmt: skip
    assert stored(db, booking).added_minutes == 0
    bookings.transition(db, cat.desk, booking, BookingState.IN_SERVICE, at=at("13:00"))
    for end, added in (("14:30", 30), ("13:45", 0), ("14:30", 30)):
        bookings.reschedule(db, cat.desk, booking, start_at=at("13:00"), end_at=at(end),
                            at=at("13:10"))  # fmt: skip
        assert stored(db, booking).added_minutes == added, end

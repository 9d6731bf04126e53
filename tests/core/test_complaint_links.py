"""What the complaint forms link to: recent bookings, staff, a complaint by number."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from clubdesk.db.engine import Database
from clubdesk.errors import NotFound
from clubdesk.models import Booking, Staff
from clubdesk.models.enums import BookingState, Department, Role
from clubdesk.services import complaints
from clubdesk.services.complaint_links import (
    find_by_number,
    recent_bookings,
    staff_options,
)
from tests.core.booking_helpers import catalogue
from tests.core.complaint_helpers import people, register

NOW = datetime(2031, 3, 14, 15, 0)


def _booking(db: Database, member_id: int, service_id: int, start: datetime, **kw: object) -> int:
    with db.write() as s:
        row = Booking(
            member_id=member_id,
            service_id=service_id,
            start_at=start,
            end_at=start + timedelta(hours=1),
            **kw,
        )
        s.add(row)
        s.flush()
        return row.id


def test_recent_bookings_are_the_members_last_month_newest_first(db: Database) -> None:
    cat = catalogue(db)
    me, other = cat.members[0], cat.members[1]
    old = _booking(db, me, cat.massage, NOW - timedelta(days=31))
    week = _booking(db, me, cat.foot, NOW - timedelta(days=7), state=BookingState.SETTLED)
    today = _booking(db, me, cat.massage, NOW - timedelta(hours=2))
    tonight = _booking(db, me, cat.massage, NOW + timedelta(hours=5))
    next_week = _booking(db, me, cat.massage, NOW + timedelta(days=7))
    _booking(db, other, cat.massage, NOW - timedelta(hours=1))

    found = recent_bookings(db, me, NOW)

    assert [b.id for b in found] == [tonight, today, week]
    assert old not in [b.id for b in found] and next_week not in [b.id for b in found]
    assert found[2].text() == "03-07 15:00 足浴45分钟（已结账）"
    assert found[1].state is BookingState.BOOKED
    assert recent_bookings(db, me, NOW, limit=1)[0].id == tonight
    assert recent_bookings(db, other + 100, NOW) == []


def test_staff_options_are_active_staff_therapists_first(db: Database) -> None:
    with db.write() as s:
        s.add_all(
            [
                Staff(username="a", display_name="主管甲", role=Role.SUPERVISOR),
                Staff(
                    username="b",
                    display_name="技师乙",
                    role=Role.THERAPIST,
                    department=Department.SPA,
                ),
                Staff(username="c", display_name="离职丙", role=Role.THERAPIST, active=False),
            ]
        )
    options = staff_options(db)
    names = [o.name for o in options]
    assert "离职丙" not in names
    assert names.index("技师乙") < names.index("主管甲")
    spa = next(o for o in options if o.name == "技师乙")
    assert spa.department is Department.SPA
    assert spa.text() == "技师乙（技师）"
    with db.read() as s:
        gone = s.query(Staff).filter_by(username="c").one().id
    assert "离职丙" in [o.name for o in staff_options(db, include=[gone, None])]


def test_find_by_number_ignores_case_and_spaces(db: Database) -> None:
    p = people(db)
    complaint_id = register(db, p)
    number = complaints.detail(db, p.supervisor, complaint_id).number
    assert find_by_number(db, number) == complaint_id
    assert find_by_number(db, " " + number.lower() + " ") == complaint_id
    with pytest.raises(NotFound, match="找不到编号为 TS19990101-001 的投诉"):
        find_by_number(db, "ts19990101-001")
    with pytest.raises(NotFound, match="请输入投诉编号"):
        find_by_number(db, "  ")


def test_a_hidden_sensitive_number_reads_as_missing(db: Database) -> None:
    p = people(db)
    complaint_id = register(db, p, sensitive=True)
    number = complaints.detail(db, p.supervisor, complaint_id).number
    assert find_by_number(db, number, p.supervisor) == complaint_id
    with pytest.raises(NotFound, match=f"找不到编号为 {number} 的投诉"):
        find_by_number(db, number, p.desk)

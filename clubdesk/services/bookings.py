"""Bookings of one day, as the booking dock lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from clubdesk.db.engine import Database
from clubdesk.models import Booking, BookingResource, Member
from clubdesk.models.enums import BookingState


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
                resources="、".join(a.resource.name for a in b.allocations),
                state=b.state,
                walk_in=b.walk_in,
            )
            for b, member_name in rows
        ]

"""What a complaint form links to: the complainant's recent bookings, the staff who can
be named in it, and a complaint found by its number.

Read-only helpers for the registration form and the case dialog; the complaint itself
is written by ``complaints`` and ``complaint_steps``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from clubdesk.db.engine import Database
from clubdesk.errors import NotFound
from clubdesk.i18n import _
from clubdesk.models import Booking, Complaint, Service, Staff
from clubdesk.models.enums import BookingState, Department, Role
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember

RECENT_DAYS = 30
RECENT_LIMIT = 20
AHEAD = timedelta(hours=12)  # a booking later today can be complained about (rude booking)


@dataclass(frozen=True, slots=True)
class BookingOption:
    id: int
    start_at: datetime
    service: str
    state: BookingState

    def text(self) -> str:
        """ "03-14 15:00 中式按摩60分钟（已结账）" """
        return _("{at} {service}（{state}）").format(
            at=self.start_at.strftime("%m-%d %H:%M"), service=self.service, state=label(self.state)
        )


def recent_bookings(
    db: Database,
    member_id: int,
    now: datetime,
    *,
    days: int = RECENT_DAYS,
    limit: int = RECENT_LIMIT,
) -> list[BookingOption]:
    """The member's bookings of the last ``days`` days (and later today), newest first:
    the one a complaint is about is nearly always among them."""
    since = now - timedelta(days=days)
    query = (
        select(Booking.id, Booking.start_at, Service.name, Booking.state)
        .join(Service, Service.id == Booking.service_id)
        .where(
            Booking.member_id == member_id,
            Booking.start_at >= since,
            Booking.start_at <= now + AHEAD,
        )
        .order_by(Booking.start_at.desc(), Booking.id.desc())
        .limit(limit)
    )
    with db.read() as session:
        return [
            BookingOption(id=i, start_at=at, service=name, state=state)
            for i, at, name, state in session.execute(query)
        ]


@dataclass(frozen=True, slots=True)
class StaffOption:
    id: int
    name: str
    role: Role
    department: Department | None

    def text(self) -> str:
        """ "小王（技师）" """
        return _("{name}（{role}）").format(name=self.name, role=label(self.role))


# The people guests meet first: those most often named in a complaint.
_ROLE_ORDER = (
    Role.THERAPIST,
    Role.COACH,
    Role.FRONT_DESK,
    Role.SUPERVISOR,
    Role.MANAGER,
    Role.DIRECTOR,
    Role.ADMIN,
)


def staff_options(db: Database, *, include: Iterable[int | None] = ()) -> list[StaffOption]:
    """Active staff, therapists and coaches first, then by name; ``include`` keeps those
    a complaint already names even when they are no longer active."""
    keep = sorted({i for i in include if i is not None})
    condition = or_(Staff.active.is_(True), Staff.id.in_(keep)) if keep else Staff.active.is_(True)
    with db.read() as session:
        options = [
            StaffOption(s.id, s.display_name, s.role, s.department)
            for s in session.scalars(select(Staff).where(condition))
        ]
    options.sort(
        key=lambda o: (
            _ROLE_ORDER.index(o.role) if o.role in _ROLE_ORDER else len(_ROLE_ORDER),
            o.name,
            o.id,
        )
    )
    return options


def find_by_number(db: Database, text: str, actor: StaffMember | None = None) -> int:
    """The id of the complaint numbered ``text`` ("TS20310314-001", any case, spaces
    ignored), or NotFound with a sentence naming what was typed.  A sensitive complaint
    the ``actor`` may not open is answered exactly like a missing one, so its number
    does not tell the counter that it exists."""
    number = "".join(text.split()).upper()
    if not number:
        raise NotFound(_("请输入投诉编号，例如 TS20310314-001。"))
    query = select(Complaint.id).where(func.upper(Complaint.number) == number)
    if not allowed(actor, Permission.COMPLAINT_SENSITIVE):
        query = query.where(Complaint.sensitive.is_(False))
    with db.read() as session:
        found = session.execute(query).scalar()
    if found is None:
        raise NotFound(_("找不到编号为 {number} 的投诉。").format(number=number))
    return int(found)

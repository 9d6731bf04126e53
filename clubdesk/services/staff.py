"""Who is at the counter.  Logins arrive with the accounts issue; until then the
counter works as the account named in the preferences, or the first administrator."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from clubdesk.db.engine import Database
from clubdesk.models import Staff
from clubdesk.models.enums import Role


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    username: str
    display_name: str
    role: Role


def counter_user(db: Database, username: str | None = None) -> StaffMember | None:
    with db.read() as session:
        query = select(Staff).where(Staff.active.is_(True))
        if username:
            staff = session.scalars(query.where(Staff.username == username)).first()
            if staff is not None:
                return _member(staff)
        staff = session.scalars(query.order_by((Staff.role != Role.ADMIN), Staff.id)).first()
        return _member(staff) if staff else None


def _member(staff: Staff) -> StaffMember:
    return StaffMember(staff.id, staff.username, staff.display_name, staff.role)

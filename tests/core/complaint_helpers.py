"""Shared set-up for the complaint and return-visit tests: staff of every role that
handles complaints, a member with a stored-value card, and a registered complaint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from clubdesk.db.engine import Database
from clubdesk.models.enums import ComplaintChannel, Role, Severity
from clubdesk.services import complaints
from clubdesk.services.staff import StaffMember
from tests.core.roster_helpers import member, staff

NOW = datetime(2031, 3, 14, 15, 0)


@dataclass(frozen=True, slots=True)
class People:
    desk: StaffMember
    supervisor: StaffMember
    manager: StaffMember
    therapist: StaffMember
    member_id: int
    category_id: int


def people(db: Database) -> People:
    desk = staff(db, Role.FRONT_DESK)
    return People(
        desk=desk,
        supervisor=staff(db, Role.SUPERVISOR),
        manager=staff(db, Role.MANAGER),
        therapist=staff(db, Role.THERAPIST),
        member_id=member(db, desk),
        category_id=complaints.categories(db)[0].id,
    )


def draft(p: People, **changes: object) -> complaints.ComplaintDraft:
    values: dict[str, object] = {
        "complainant_name": "",
        "contact": "13800138000",
        "received_at": NOW - timedelta(minutes=30),
        "channel": ComplaintChannel.IN_PERSON,
        "category_id": p.category_id,
        "severity": Severity.MEDIUM,
        "content": "技师服务时间不足60分钟，态度冷淡。",
        "requested_remedy": "退还部分费用",
        "member_id": p.member_id,
    }
    values.update(changes)
    return complaints.ComplaintDraft(**values)  # type: ignore[arg-type]


def register(db: Database, p: People, **changes: object) -> int:
    return complaints.register(db, p.desk, draft(p, **changes), now=NOW)

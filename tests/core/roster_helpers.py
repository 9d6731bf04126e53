"""Shared set-up for the roster service tests: staff of each role and members."""

from __future__ import annotations

from datetime import date

from clubdesk.db.engine import Database
from clubdesk.models import Staff
from clubdesk.models.enums import CardKind, Role
from clubdesk.services import members
from clubdesk.services.staff import StaffMember


def staff(db: Database, role: Role, username: str | None = None) -> StaffMember:
    username = username or role.value
    with db.write() as s:
        row = Staff(username=username, display_name=f"测试{role.value}", role=role)
        s.add(row)
        s.flush()
        return StaffMember(row.id, row.username, row.display_name, row.role)


def member(
    db: Database,
    actor: StaffMember,
    name: str = "张晓明",
    phone: str = "13800138000",
    *,
    card: CardKind | None = CardKind.STORED_VALUE,
    birthday: date | None = None,
) -> int:
    return members.create(
        db, actor, members.MemberInput(name=name, phone=phone, birthday=birthday), card_kind=card
    )

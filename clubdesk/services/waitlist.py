"""The waitlist: guests who wanted a full slot or session, told when one frees up.

``notify_freed`` runs inside the transaction that frees the slot (a cancellation, a
no-show, a move, a seat given back), so the notice and the change commit together and
two counters never tell the same guest twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import Member, Resource, Service, WaitlistEntry
from clubdesk.models.enums import WaitlistState
from clubdesk.services import audit
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember

OPEN_STATES = (WaitlistState.WAITING, WaitlistState.NOTIFIED)


@dataclass(frozen=True, slots=True)
class WaitlistInput:
    service_id: int
    wanted_from: datetime
    wanted_until: datetime
    member_id: int | None = None
    guest_name: str | None = None
    contact: str | None = None
    resource_id: int | None = None
    session_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class WaitlistRow:
    id: int
    guest: str
    contact: str
    service: str
    resource: str
    wanted_from: datetime
    wanted_until: datetime
    state: WaitlistState
    notified_at: datetime | None
    notes: str
    member_id: int | None
    service_id: int
    resource_id: int | None
    session_id: int | None


def add(db: Database, actor: StaffMember | None, entry: WaitlistInput) -> int:
    require(actor, Permission.BOOKING_EDIT)
    guest = (entry.guest_name or "").strip() or None
    if entry.member_id is None and guest is None:
        raise DomainError(_("请选择会员或填写客人姓名。"), field="guest")
    if entry.wanted_until <= entry.wanted_from:
        raise DomainError(_("期望时间段的结束必须晚于开始。"), field="wanted_until")
    contact = (entry.contact or "").strip() or None
    if contact is not None and len(contact) > 40:
        raise DomainError(_("联系方式不能超过 40 个字。"), field="contact")
    with db.write() as session:
        if session.get(Service, entry.service_id) is None:
            raise NotFound(_("找不到这个服务项目。"))
        row = WaitlistEntry(
            member_id=entry.member_id, guest_name=guest, contact=contact,
            service_id=entry.service_id, resource_id=entry.resource_id,
            session_id=entry.session_id, wanted_from=entry.wanted_from,
            wanted_until=entry.wanted_until, state=WaitlistState.WAITING,
            created_by_id=actor.id if actor else None, notes=(entry.notes or "").strip() or None,
        )  # fmt: skip
        session.add(row)
        session.flush()
        audit.record(session, actor, "waitlist.add", "waitlist", row.id, detail=guest)
        return row.id


def entries(db: Database, day: date, *, open_only: bool = True) -> list[WaitlistRow]:
    """Entries wanting a time on ``day`` (and the early hours after it)."""
    first = datetime.combine(day, time.min)
    query = (
        select(WaitlistEntry, Member.name, Service.name, Resource.name)
        .join(Service, Service.id == WaitlistEntry.service_id)
        .outerjoin(Member, Member.id == WaitlistEntry.member_id)
        .outerjoin(Resource, Resource.id == WaitlistEntry.resource_id)
        .where(
            WaitlistEntry.wanted_from < first + timedelta(days=1, hours=6),
            WaitlistEntry.wanted_until > first,
        )
        .order_by(WaitlistEntry.wanted_from, WaitlistEntry.id)
    )
    if open_only:
        query = query.where(WaitlistEntry.state.in_(OPEN_STATES))
    with db.read() as session:
        return [
            WaitlistRow(
                id=w.id,
                guest=member or w.guest_name or "",
                contact=w.contact or "",
                service=service,
                resource=resource or "",
                wanted_from=w.wanted_from,
                wanted_until=w.wanted_until,
                state=w.state,
                notified_at=w.notified_at,
                notes=w.notes or "",
                member_id=w.member_id,
                service_id=w.service_id,
                resource_id=w.resource_id,
                session_id=w.session_id,
            )
            for w, member, service, resource in session.execute(query)
        ]


def close(
    db: Database, actor: StaffMember | None, entry_id: int, state: WaitlistState,
    *, booking_id: int | None = None,
) -> None:  # fmt: skip
    """Mark an entry booked (with the booking it became) or withdrawn."""
    require(actor, Permission.BOOKING_EDIT)
    if state not in (WaitlistState.BOOKED, WaitlistState.WITHDRAWN):
        raise DomainError(_("候补只能改为“已约上”或“已撤销”。"))
    with db.write() as session:
        row = session.get(WaitlistEntry, entry_id)
        if row is None:
            raise NotFound(_("找不到这条候补记录。"))
        if row.state not in OPEN_STATES:
            raise DomainError(_("这条候补已经处理过了。"))
        row.state = state
        row.booking_id = booking_id
        audit.record(session, actor, "waitlist." + state.value, "waitlist", entry_id)


def notify_freed(
    session: Session, *, service_id: int, resource_ids: tuple[int, ...], start_at: datetime,
    end_at: datetime, session_id: int | None, at: datetime,
) -> tuple[str, ...]:  # fmt: skip
    """Mark the waiting entries the freed slot could serve as notified; their notices."""
    query = (
        select(WaitlistEntry, Member.name)
        .outerjoin(Member, Member.id == WaitlistEntry.member_id)
        .where(
            WaitlistEntry.state == WaitlistState.WAITING,
            WaitlistEntry.wanted_from < end_at,
            WaitlistEntry.wanted_until > start_at,
            WaitlistEntry.wanted_until > at,
        )
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    if session_id is not None:
        query = query.where(WaitlistEntry.session_id == session_id)
    else:
        query = query.where(
            WaitlistEntry.service_id == service_id,
            WaitlistEntry.session_id.is_(None),
            or_(WaitlistEntry.resource_id.is_(None), WaitlistEntry.resource_id.in_(resource_ids)),
        )
    # Locked and skipped when another counter holds them: on PostgreSQL two counters
    # freeing slots at once must not both tell the same guest (SQLite serialises writes).
    query = query.limit(3).with_for_update(of=WaitlistEntry, skip_locked=True)
    notices: list[str] = []
    for entry, member in session.execute(query):
        entry.state = WaitlistState.NOTIFIED
        entry.notified_at = at
        notices.append(
            _("{start} 起有空位了：候补客人 {guest}{contact} 可以约上。").format(
                start=start_at.strftime("%m-%d %H:%M"),
                guest=member or entry.guest_name or "",
                contact=_("（{c}）").format(c=entry.contact) if entry.contact else "",
            )
        )
    return tuple(notices)

"""Return visits (回访, domain.md section 4): planned after a finished service and
after a closed complaint, due within ``visit.due_days`` days.

The planning functions run inside the caller's transaction, so a finished service or
a closed complaint and its return visit commit together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clubdesk import settings
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import Booking, Complaint, ReturnVisit
from clubdesk.models.enums import ReturnVisitSource


def due_on(session: Session, now: datetime) -> date:
    return now.date() + timedelta(days=int(settings.session_value(session, "visit.due_days")))


def plan_after_service(session: Session, booking: Booking, now: datetime) -> int | None:
    """One visit per finished member booking; none for a walk-in nobody can call, and
    none again when a reversed checkout finishes the booking a second time."""
    if booking.member_id is None:
        return None
    planned = session.execute(
        select(ReturnVisit.id).where(
            ReturnVisit.booking_id == booking.id,
            ReturnVisit.source == ReturnVisitSource.SERVICE,
        )
    ).first()
    if planned is not None:
        return None
    visit = ReturnVisit(
        member_id=booking.member_id,
        source=ReturnVisitSource.SERVICE,
        booking_id=booking.id,
        due_on=due_on(session, now),
        created_at=now,
    )
    session.add(visit)
    session.flush()
    return visit.id


def plan_after_complaint(session: Session, complaint: Complaint, now: datetime) -> int | None:
    """A visit after every closed complaint (reopened and closed again: a new one, as
    the customer has been through the handling again).  A non-member is called on the
    complaint's contact number."""
    if complaint.member_id is None and not complaint.contact:
        return None
    visit = ReturnVisit(
        member_id=complaint.member_id,
        source=ReturnVisitSource.COMPLAINT,
        complaint_id=complaint.id,
        due_on=due_on(session, now),
        created_at=now,
    )
    session.add(visit)
    session.flush()
    return visit.id


def link_follow_up(session: Session, visit_id: int, complaint_id: int) -> None:
    """Mark the dissatisfied visit a complaint was opened from, so it is opened once."""
    visit = session.get(ReturnVisit, visit_id)
    if visit is None:
        raise NotFound(_("找不到这条回访记录。"))
    if visit.follow_up_complaint_id is not None:
        raise DomainError(_("这次回访已经转为投诉，请在投诉列表中查看。"))
    visit.follow_up_complaint_id = complaint_id

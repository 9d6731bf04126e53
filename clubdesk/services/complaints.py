"""Complaints as the complaints dock lists them: open ones by due time, then recent closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from clubdesk.db.engine import Database
from clubdesk.models import Complaint, ComplaintCategory
from clubdesk.models.enums import ComplaintChannel, ComplaintStepKind, Severity

RECENT_CLOSED_DAYS = 30


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    id: int
    number: str
    received_at: datetime
    complainant: str
    category: str
    channel: ComplaintChannel
    severity: Severity
    step: ComplaintStepKind
    due_at: datetime
    sensitive: bool
    overdue: bool


def recent(db: Database, now: datetime) -> list[ComplaintRow]:
    closed_since = now - timedelta(days=RECENT_CLOSED_DAYS)
    with db.read() as session:
        rows = session.execute(
            select(Complaint, ComplaintCategory.name)
            .join(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
            .where(
                or_(
                    Complaint.step != ComplaintStepKind.CLOSED,
                    Complaint.closed_at >= closed_since,
                )
            )
        ).all()
        found = [
            ComplaintRow(
                id=c.id,
                number=c.number,
                received_at=c.received_at,
                complainant=c.complainant_name,
                category=category,
                channel=c.channel,
                severity=c.severity,
                step=c.step,
                due_at=c.due_at,
                sensitive=c.sensitive,
                overdue=is_overdue(c.step, c.due_at, now),
            )
            for c, category in rows
        ]
    # Sorted here, by the one overdue rule, rather than by a SQL copy of it: open
    # overdue complaints first (what the counter must act on now), then open ones by
    # deadline, then the recently closed.  The list is a month of complaints at most.
    return sorted(
        found, key=lambda r: (r.step == ComplaintStepKind.CLOSED, not r.overdue, r.due_at)
    )


def is_overdue(step: ComplaintStepKind, due_at: datetime, now: datetime) -> bool:
    """Past the first-response deadline while nobody has judged the complaint yet."""
    return step == ComplaintStepKind.INTAKE and due_at < now

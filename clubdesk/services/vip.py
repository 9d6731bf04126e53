"""VIP visits as the VIP dock lists them: arrivals from today on, with checklist progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import case, func, select

from clubdesk.db.engine import Database
from clubdesk.models import VipChecklistItem, VipLevel, VipVisit
from clubdesk.models.enums import VipVisitStatus


@dataclass(frozen=True, slots=True)
class VipRow:
    id: int
    arrival_date: date
    arrival_time: time | None
    guest: str
    level_code: str
    level_color: str
    room: str | None
    status: VipVisitStatus
    done: int
    total: int
    cost_fen: int


def upcoming(db: Database, today: date, days: int = 7) -> list[VipRow]:
    """Visits arriving from ``today`` through the next ``days`` days, soonest first."""
    live = VipChecklistItem.removed_reason.is_(None)
    progress = (
        select(
            VipChecklistItem.visit_id.label("visit_id"),
            func.count().label("total"),
            func.sum(case((VipChecklistItem.done_at.is_not(None), 1), else_=0)).label("done"),
            func.sum(VipChecklistItem.quantity * VipChecklistItem.unit_cost_fen).label("cost"),
        )
        .where(live)
        .group_by(VipChecklistItem.visit_id)
        .subquery()
    )
    with db.read() as session:
        rows = session.execute(
            select(VipVisit, VipLevel, progress.c.done, progress.c.total, progress.c.cost)
            .join(VipLevel, VipLevel.id == VipVisit.level_id)
            .outerjoin(progress, progress.c.visit_id == VipVisit.id)
            .where(
                VipVisit.arrival_date >= today,
                VipVisit.arrival_date <= today + timedelta(days=days),
            )
            .order_by(VipVisit.arrival_date, VipVisit.arrival_time, VipVisit.id)
        ).all()
        return [
            VipRow(
                id=v.id,
                arrival_date=v.arrival_date,
                arrival_time=v.arrival_time,
                guest=v.guest_name,
                level_code=level.code,
                level_color=level.color,
                room=v.room,
                status=v.status,
                done=int(done or 0),
                total=int(total or 0),
                cost_fen=int(cost or 0),
            )
            for v, level, done, total, cost in rows
        ]

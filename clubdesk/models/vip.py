"""VIP levels, their amenity standards, visits and checklists (domain.md section 5)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clubdesk.models.base import Base, CreatedAt, Fen, str_enum
from clubdesk.models.enums import ChecklistKind, Department, Role, VipVisitStatus


class VipLevel(Base):
    __tablename__ = "vip_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    qualifies: Mapped[str] = mapped_column(Text)
    approving_role: Mapped[Role] = mapped_column(str_enum(Role))
    approver_title: Mapped[str] = mapped_column(String(60))
    receivers: Mapped[str] = mapped_column(Text)
    color: Mapped[str] = mapped_column(String(9), default="#c9a227")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    amenities: Mapped[list[AmenityItem]] = relationship(
        back_populates="level", order_by="AmenityItem.sort_order"
    )


class AmenityItem(Base):
    """One line of a level's welcome-package standard."""

    __tablename__ = "amenity_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("vip_levels.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    unit_cost_fen: Mapped[int] = mapped_column(Fen)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    department: Mapped[Department] = mapped_column(str_enum(Department))
    foreign_substitute: Mapped[str | None] = mapped_column(String(60))
    foreign_substitute_cost_fen: Mapped[int | None] = mapped_column(Fen)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    level: Mapped[VipLevel] = relationship(back_populates="amenities")


class VipVisit(CreatedAt, Base):
    __tablename__ = "vip_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    guest_name: Mapped[str] = mapped_column(String(40))
    foreign_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    level_id: Mapped[int] = mapped_column(ForeignKey("vip_levels.id"))
    arrival_date: Mapped[date] = mapped_column(Date, index=True)
    arrival_time: Mapped[time | None] = mapped_column(Time)
    departure_date: Mapped[date | None] = mapped_column(Date)
    room: Mapped[str | None] = mapped_column(String(40))
    purpose: Mapped[str | None] = mapped_column(String(200))
    preferences: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[VipVisitStatus] = mapped_column(
        str_enum(VipVisitStatus), default=VipVisitStatus.REQUESTED
    )
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    level: Mapped[VipLevel] = relationship()
    items: Mapped[list[VipChecklistItem]] = relationship(
        back_populates="visit", order_by="VipChecklistItem.sort_order"
    )

    __mapper_args__ = {"version_id_col": version}


class VipChecklistItem(Base):
    __tablename__ = "vip_checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("vip_visits.id"), index=True)
    kind: Mapped[ChecklistKind] = mapped_column(str_enum(ChecklistKind))
    name: Mapped[str] = mapped_column(String(80))
    department: Mapped[Department | None] = mapped_column(str_enum(Department))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_cost_fen: Mapped[int] = mapped_column(Fen, default=0)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    added_reason: Mapped[str | None] = mapped_column(String(200))
    removed_reason: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    visit: Mapped[VipVisit] = relationship(back_populates="items")

"""Complaints with their six recorded steps, and return visits (domain.md sections 3-4)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from clubdesk.models.base import Base, CreatedAt, Fen, str_enum
from clubdesk.models.enums import (
    ComplaintChannel,
    ComplaintStepKind,
    Department,
    ReturnVisitSource,
    Satisfaction,
    Severity,
    VisitChannel,
)


class ComplaintCategory(Base):
    __tablename__ = "complaint_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Complaint(CreatedAt, Base):
    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_step_due", "step", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    complainant_name: Mapped[str] = mapped_column(String(40))
    contact: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    channel: Mapped[ComplaintChannel] = mapped_column(str_enum(ComplaintChannel))
    category_id: Mapped[int] = mapped_column(ForeignKey("complaint_categories.id"))
    severity: Mapped[Severity] = mapped_column(str_enum(Severity), default=Severity.MEDIUM)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # staff complained about
    department: Mapped[Department | None] = mapped_column(str_enum(Department))
    content: Mapped[str] = mapped_column(Text)
    requested_remedy: Mapped[str | None] = mapped_column(Text)
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    step: Mapped[ComplaintStepKind] = mapped_column(
        str_enum(ComplaintStepKind), default=ComplaintStepKind.INTAKE
    )
    justified: Mapped[bool | None] = mapped_column(Boolean)
    responsible_department: Mapped[Department | None] = mapped_column(str_enum(Department))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    responsible_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The deadline of the next step; the first is the 24-hour response promise.
    due_at: Mapped[datetime] = mapped_column(DateTime)
    # Steps recorded after their deadline: the statistics count a complaint with any.
    late_steps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    compensation_fen: Mapped[int] = mapped_column(Fen, default=0)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The customer's signature drawn on screen (PNG); deferred so lists never load it.
    signature_png: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    version: Mapped[int] = mapped_column(Integer, default=1)

    category: Mapped[ComplaintCategory] = relationship()
    steps: Mapped[list[ComplaintStep]] = relationship(
        back_populates="complaint", order_by="ComplaintStep.id"
    )

    __mapper_args__ = {"version_id_col": version}


class ComplaintStep(Base):
    """Who did which step, when and what (append-only history of the workflow)."""

    __tablename__ = "complaint_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    step: Mapped[ComplaintStepKind] = mapped_column(str_enum(ComplaintStepKind))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[str | None] = mapped_column(Text)  # JSON: decision, cause, solutions …

    complaint: Mapped[Complaint] = relationship(back_populates="steps")


class ReturnVisit(CreatedAt, Base):
    __tablename__ = "return_visits"
    __table_args__ = (
        Index("ix_return_visits_due", "done_at", "due_on"),
        Index("ix_return_visits_booking_id", "booking_id"),
        Index("ix_return_visits_complaint_id", "complaint_id"),
        # Coverage: "members with a visit done in the period" without touching the rows.
        Index("ix_return_visits_member_done", "member_id", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    source: Mapped[ReturnVisitSource] = mapped_column(str_enum(ReturnVisitSource))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))
    vip_visit_id: Mapped[int | None] = mapped_column(ForeignKey("vip_visits.id"))
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    channel: Mapped[VisitChannel | None] = mapped_column(str_enum(VisitChannel))
    outcome: Mapped[Satisfaction | None] = mapped_column(str_enum(Satisfaction))
    suggestions: Mapped[str | None] = mapped_column(Text)
    # The complaint a dissatisfied answer opened, so the visit is not escalated twice.
    follow_up_complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"))

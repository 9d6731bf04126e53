"""Services, rooms and staff as bookable resources, and bookings (domain.md section 2)."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clubdesk.models.base import Base, CreatedAt, Fen, str_enum
from clubdesk.models.enums import BookingState, ResourceKind, Satisfaction, ServiceCategory


class Service(Base):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[ServiceCategory] = mapped_column(str_enum(ServiceCategory))
    duration_min: Mapped[int] = mapped_column(Integer)
    list_price_fen: Mapped[int] = mapped_column(Fen)
    capacity: Mapped[int | None] = mapped_column(Integer)  # seats for classes and screenings
    active: Mapped[bool] = mapped_column(Boolean, default=True)


resource_services = Table(
    "resource_services",
    Base.metadata,
    Column("resource_id", ForeignKey("resources.id"), primary_key=True),
    Column("service_id", ForeignKey("services.id"), primary_key=True),
)


class Resource(Base):
    """A room, suite or area, or a person (therapist, coach, technician) who can be booked."""

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), unique=True)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    works_from: Mapped[time | None] = mapped_column(Time)
    works_until: Mapped[time | None] = mapped_column(Time)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    services: Mapped[list[Service]] = relationship(secondary=resource_services)


class Booking(CreatedAt, Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        Index("ix_bookings_start", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    guest_name: Mapped[str | None] = mapped_column(String(40))  # walk-in without a profile
    guest_count: Mapped[int] = mapped_column(Integer, default=1)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    start_at: Mapped[datetime] = mapped_column(DateTime)
    end_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[BookingState] = mapped_column(str_enum(BookingState), default=BookingState.BOOKED)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    satisfaction: Mapped[Satisfaction | None] = mapped_column(str_enum(Satisfaction))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime)
    service_started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    service: Mapped[Service] = relationship()
    allocations: Mapped[list[BookingResource]] = relationship(
        back_populates="booking", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class BookingResource(Base):
    """One resource held by a booking for a time span.

    ``active`` mirrors the booking's state (booked, arrived, in service) so that the
    overlap rule can be enforced per resource: in one BEGIN IMMEDIATE transaction on
    SQLite, by an exclusion constraint on PostgreSQL.
    """

    __tablename__ = "booking_resources"
    __table_args__ = (Index("ix_booking_resources_span", "resource_id", "start_at", "end_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    start_at: Mapped[datetime] = mapped_column(DateTime)
    end_at: Mapped[datetime] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    booking: Mapped[Booking] = relationship(back_populates="allocations")
    resource: Mapped[Resource] = relationship()

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
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clubdesk.models.base import Base, CreatedAt, Fen, str_enum
from clubdesk.models.enums import (
    BookingState,
    PaymentMethod,
    ReceptionOutcome,
    ResourceKind,
    Satisfaction,
    ServiceCategory,
    WaitlistState,
)


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
    # A seat in a session with a capacity (a class, a screening) points at the session's
    # own booking, which holds the room and the coach; seats hold no resources.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    added_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 加钟
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
    # False when the booking shares an area with others up to its capacity (the bath);
    # the PostgreSQL exclusion constraint covers exclusive allocations only.
    exclusive: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    booking: Mapped[Booking] = relationship(back_populates="allocations")
    resource: Mapped[Resource] = relationship()


class Checkout(Base):
    """The bill of one booking: what was charged, how it was paid, the receipt.

    A reversal (反结账) does not delete it: it is marked reversed, the ledger gets
    compensating entries and the booking goes back to finished, so a new checkout can
    follow.  At most one checkout per booking is not reversed.
    """

    __tablename__ = "checkouts"
    __table_args__ = (
        Index(
            "ux_checkouts_booking_live",
            "booking_id",
            unique=True,
            sqlite_where=text("reversed_at IS NULL"),
            postgresql_where=text("reversed_at IS NULL"),
        ),
        Index("ix_checkouts_settled_at", "settled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    list_fen: Mapped[int] = mapped_column(Fen)
    discount_bp: Mapped[int] = mapped_column(Integer, default=10000)
    discount_reason: Mapped[str | None] = mapped_column(String(200))
    due_fen: Mapped[int] = mapped_column(Fen)
    method: Mapped[PaymentMethod] = mapped_column(str_enum(PaymentMethod))
    points_earned: Mapped[int] = mapped_column(Integer, default=0)
    settled_at: Mapped[datetime] = mapped_column(DateTime)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reverse_reason: Mapped[str | None] = mapped_column(String(200))


class Reception(Base):
    """One walk-in guest received at the door (带客): seated for a service, or left.

    The reception success rate (带客成功率) of a staff member is seated / received.
    """

    __tablename__ = "receptions"
    __table_args__ = (Index("ix_receptions_staff_at", "staff_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    guest_name: Mapped[str | None] = mapped_column(String(40))
    need: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[ReceptionOutcome | None] = mapped_column(str_enum(ReceptionOutcome))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    left_reason: Mapped[str | None] = mapped_column(String(200))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))


class WaitlistEntry(CreatedAt, Base):
    """A guest waiting for a slot that was full, told when one frees up."""

    __tablename__ = "waitlist"
    __table_args__ = (Index("ix_waitlist_state_from", "state", "wanted_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    guest_name: Mapped[str | None] = mapped_column(String(40))
    contact: Mapped[str | None] = mapped_column(String(40))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))  # preferred
    session_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))  # a full session
    wanted_from: Mapped[datetime] = mapped_column(DateTime)
    wanted_until: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[WaitlistState] = mapped_column(
        str_enum(WaitlistState), default=WaitlistState.WAITING
    )
    notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    notes: Mapped[str | None] = mapped_column(String(200))

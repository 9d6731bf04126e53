"""Members, tiers, cards and the money/points ledger (domain.md section 1)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clubdesk.models.base import Base, CreatedAt, Fen, str_enum
from clubdesk.models.enums import (
    CardKind,
    CardStatus,
    CustomerCategory,
    Gender,
    LedgerKind,
    RewardKind,
    TierRuleKind,
)


class Tier(Base):
    """普通会员 … 钻石会员; ``rank`` orders them, discounts are in basis points of list price."""

    __tablename__ = "tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int] = mapped_column(Integer, unique=True)
    discount_bp: Mapped[int] = mapped_column(Integer, default=10000)  # 9500 = pay 95 %
    points_per_yuan: Mapped[int] = mapped_column(Integer, default=1)

    rules: Mapped[list[TierRule]] = relationship(back_populates="tier", cascade="all")


class TierRule(Base):
    """Reaching ``threshold`` of ``kind`` qualifies a member for the tier (any rule suffices)."""

    __tablename__ = "tier_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    kind: Mapped[TierRuleKind] = mapped_column(str_enum(TierRuleKind))
    threshold: Mapped[int] = mapped_column(Integer)
    period_days: Mapped[int | None] = mapped_column(Integer)

    tier: Mapped[Tier] = relationship(back_populates="rules")


class Member(CreatedAt, Base):
    __tablename__ = "members"
    __table_args__ = (
        # Roster search: last four digits, pinyin initials, name prefix; keyset paging by id.
        Index("ix_members_phone_last4", "phone_last4", "id"),
        Index("ix_members_initials", "name_initials", "id"),
        Index("ix_members_name", "name", "id"),
        Index("ix_members_birthday_mmdd", "birthday_mmdd", "id"),
        Index("ix_members_last_visit", "last_visit_at", "id"),  # churn list
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_initials: Mapped[str] = mapped_column(String(60), default="")  # "zxm" or "zxm cxm"
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # the account key
    phone_last4: Mapped[str] = mapped_column(String(4))
    foreign_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    gender: Mapped[Gender] = mapped_column(str_enum(Gender), default=Gender.UNKNOWN)
    birthday: Mapped[date | None] = mapped_column(Date)
    # "0315": birthdays today / this week / this month come from an index, not a scan.
    birthday_mmdd: Mapped[str | None] = mapped_column(String(4))
    age: Mapped[int | None] = mapped_column(Integer)
    wechat: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(120))
    preferences: Mapped[str | None] = mapped_column(Text)  # 消费偏好
    special_needs: Mapped[str | None] = mapped_column(Text)  # 特殊需求
    notes: Mapped[str | None] = mapped_column(Text)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    specialist_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    category: Mapped[CustomerCategory] = mapped_column(
        str_enum(CustomerCategory), default=CustomerCategory.WALK_IN
    )
    last_visit_at: Mapped[datetime | None] = mapped_column(DateTime)
    no_show_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    tier: Mapped[Tier] = relationship()
    cards: Mapped[list[MembershipCard]] = relationship(
        back_populates="member", foreign_keys="MembershipCard.member_id"
    )

    __mapper_args__ = {"version_id_col": version}


class TierChange(CreatedAt, Base):
    """Tier history: automatic upgrades and manager downgrades."""

    __tablename__ = "tier_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    from_tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    to_tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str] = mapped_column(String(200))


class MembershipCard(CreatedAt, Base):
    __tablename__ = "cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[CardKind] = mapped_column(str_enum(CardKind))
    status: Mapped[CardStatus] = mapped_column(str_enum(CardStatus), default=CardStatus.ACTIVE)
    issued_on: Mapped[date] = mapped_column(Date)
    annual_fee_paid_until: Mapped[date | None] = mapped_column(Date)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))

    member: Mapped[Member] = relationship(back_populates="cards", foreign_keys=[member_id])


class LedgerEntry(Base):
    """One movement of money or points.  Append-only: corrections are new entries.

    ``balance_after_fen`` and ``points_after`` carry the running totals so the database
    itself refuses a negative balance (CHECK), and a card's balance is its latest entry.
    """

    __tablename__ = "ledger"
    __table_args__ = (
        CheckConstraint("balance_after_fen >= 0", name="balance_not_negative"),
        CheckConstraint("points_after >= 0", name="points_not_negative"),
        Index("ix_ledger_card_latest", "card_id", "id"),
        Index("ix_ledger_member_latest", "member_id", "id"),
        # The tier rules skip sales a 反结账 undid: one lookup per sale, not a scan.
        Index("ix_ledger_reverses_id", "reverses_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    kind: Mapped[LedgerKind] = mapped_column(str_enum(LedgerKind))
    amount_fen: Mapped[int] = mapped_column(Fen, default=0)
    balance_after_fen: Mapped[int] = mapped_column(Fen, default=0)
    points: Mapped[int] = mapped_column(Integer, default=0)
    points_after: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(DateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    payment_method: Mapped[str | None] = mapped_column(String(20))
    # Money taken outside the card (cash, bank card, WeChat, Alipay): a top-up's payment,
    # a discount-card purchase, a fee paid in cash.  It never touches the card balance.
    paid_fen: Mapped[int] = mapped_column(Fen, default=0, server_default="0")
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger.id"))


class MemberSearchTerm(Base):
    """One search key of a member: a name fragment ("n晓明"), pinyin initials ("izx").

    Written by the service with the member, so a search is one index range read in
    member-id order, never a scan and never pinyin computed at query time.
    """

    __tablename__ = "member_search"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String(16), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )


class Reward(CreatedAt, Base):
    """The points catalogue published to members: gifts and services for points."""

    __tablename__ = "rewards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[RewardKind] = mapped_column(str_enum(RewardKind))
    points_cost: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

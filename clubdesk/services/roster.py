"""The member roster: pages of members and one member's profile.

Paging is keyset on ``members.id`` (newest first), so page 2,000 costs what page 1
costs; balances and points are the latest running totals in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import NotFound
from clubdesk.i18n import _
from clubdesk.models import Member, MembershipCard, Staff
from clubdesk.models.enums import CardKind, CardStatus, CustomerCategory, Gender
from clubdesk.privacy import mask_phone
from clubdesk.services import ledger

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: int
    card_number: str | None
    name: str
    phone_masked: str
    tier_name: str
    category: CustomerCategory
    balance_fen: int
    points: int
    last_visit_at: datetime | None


def page(db: Database, *, after_id: int | None = None, limit: int = PAGE_SIZE) -> list[MemberRow]:
    """Members newest first, the ``limit`` after ``after_id`` (None: the first page):
    the roster's empty search, one statement with each member's current card, balance
    and points (``member_search``)."""
    from clubdesk.services import member_search  # it builds on this module's rows

    return member_search.search(db, "", after=after_id, limit=limit).rows


def row_from_tuple(r: Any) -> MemberRow:
    return MemberRow(
        id=r[0],
        card_number=r[1],
        name=r[2],
        phone_masked=mask_phone(r[3]),
        tier_name=r[4],
        category=CustomerCategory(r[5]),
        balance_fen=int(r[7]),
        points=int(r[8]),
        last_visit_at=_as_datetime(r[6]),
    )


def _as_datetime(value: object) -> datetime | None:
    # text() queries bypass the ORM's type processing on SQLite, which stores ISO text.
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def count(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(text("SELECT COUNT(*) FROM members")).scalar_one())


@dataclass(frozen=True, slots=True)
class CardInfo:
    number: str
    kind: CardKind
    status: CardStatus
    issued_on: date
    balance_fen: int


@dataclass(frozen=True, slots=True)
class MemberProfile:
    id: int
    name: str
    phone: str
    phone_masked: str
    foreign_phone: bool
    gender: Gender
    birthday: date | None
    age: int | None
    wechat: str | None
    email: str | None
    preferences: str | None
    special_needs: str | None
    notes: str | None
    referred_by: str | None
    joined_on: date
    specialist: str | None
    tier_name: str
    category: CustomerCategory
    last_visit_at: datetime | None
    points: int
    cards: tuple[CardInfo, ...]

    @property
    def balance_fen(self) -> int:
        return sum(c.balance_fen for c in self.cards if c.status != CardStatus.REPLACED)


def profile(db: Database, member_id: int) -> MemberProfile:
    with db.read() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
        return _profile(session, member)


def latest_member_id(db: Database) -> int | None:
    with db.read() as session:
        return session.execute(select(Member.id).order_by(Member.id.desc()).limit(1)).scalar()


def _profile(session: Session, member: Member) -> MemberProfile:
    referrer = session.get(Member, member.referred_by_id) if member.referred_by_id else None
    specialist = session.get(Staff, member.specialist_id) if member.specialist_id else None
    cards = session.scalars(
        select(MembershipCard)
        .where(MembershipCard.member_id == member.id)
        .order_by(MembershipCard.id)
    ).all()
    points = ledger.member_points(session, member.id)
    return MemberProfile(
        id=member.id,
        name=member.name,
        phone=member.phone,
        phone_masked=mask_phone(member.phone),
        foreign_phone=member.foreign_phone,
        gender=member.gender,
        birthday=member.birthday,
        age=member.age,
        wechat=member.wechat,
        email=member.email,
        preferences=member.preferences,
        special_needs=member.special_needs,
        notes=member.notes,
        referred_by=referrer.name if referrer else None,
        joined_on=member.joined_on,
        specialist=specialist.display_name if specialist else None,
        tier_name=member.tier.name,
        category=member.category,
        last_visit_at=member.last_visit_at,
        points=points,
        cards=tuple(
            CardInfo(
                number=c.number,
                kind=c.kind,
                status=c.status,
                issued_on=c.issued_on,
                balance_fen=ledger.card_balance(session, c.id),
            )
            for c in cards
        ),
    )

"""The append-only ledger: the one place a movement of money or points is written.

Each entry carries the running totals after it: the card's balance and the member's
points.  The database refuses a negative total (CHECK), and this module refuses it
first with a sentence the counter understands.  The member row is locked before the
totals are read, so two counters on one PostgreSQL server append one after the
other (SQLite's write sessions already hold the database lock from BEGIN IMMEDIATE).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import LedgerEntry, Member, MembershipCard
from clubdesk.models.enums import LedgerKind, PaymentMethod
from clubdesk.money import format_fen
from clubdesk.services.staff import StaffMember


@dataclass(frozen=True, slots=True)
class Movement:
    """What a card operation left behind, for the confirmation the counter shows."""

    member_id: int
    card_number: str | None
    balance_fen: int
    points: int
    entry_ids: tuple[int, ...]


def lock_member(session: Session, member_id: int) -> Member:
    member = session.execute(
        select(Member).where(Member.id == member_id).with_for_update()
    ).scalar_one_or_none()
    if member is None:
        raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
    return member


def card_balance(session: Session, card_id: int) -> int:
    value = session.execute(
        select(LedgerEntry.balance_after_fen)
        .where(LedgerEntry.card_id == card_id)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    ).scalar()
    return int(value or 0)


def member_points(session: Session, member_id: int) -> int:
    value = session.execute(
        select(LedgerEntry.points_after)
        .where(LedgerEntry.member_id == member_id)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    ).scalar()
    return int(value or 0)


def append(
    session: Session,
    actor: StaffMember | None,
    *,
    member_id: int,
    card: MembershipCard | None,
    kind: LedgerKind,
    at: datetime,
    reason: str,
    amount_fen: int = 0,
    points: int = 0,
    paid_fen: int = 0,
    method: PaymentMethod | None = None,
    booking_id: int | None = None,
    reverses_id: int | None = None,
) -> LedgerEntry:
    """Append one entry; the caller has locked the member (``lock_member``)."""
    balance = card_balance(session, card.id) if card is not None else 0
    new_balance = balance + amount_fen
    if new_balance < 0:
        raise DomainError(
            _("卡内余额不足：余额 {balance}，本次需要 {need}。").format(
                balance=format_fen(balance), need=format_fen(-amount_fen)
            ),
            field="amount",
        )
    current_points = member_points(session, member_id)
    new_points = current_points + points
    if new_points < 0:
        raise DomainError(
            _("积分不足：现有 {have} 分，本次需要 {need} 分。").format(
                have=current_points, need=-points
            ),
            field="points",
        )
    entry = LedgerEntry(
        member_id=member_id,
        card_id=card.id if card is not None else None,
        kind=kind,
        amount_fen=amount_fen,
        balance_after_fen=new_balance,
        points=points,
        points_after=new_points,
        paid_fen=paid_fen,
        at=at,
        staff_id=actor.id if actor else None,
        reason=reason[:200],
        payment_method=method.value if method else None,
        booking_id=booking_id,
        reverses_id=reverses_id,
    )
    session.add(entry)
    session.flush()
    session.info.pop("clubdesk.figures", None)  # sums cached by tiers are stale now
    return entry


@dataclass(frozen=True, slots=True)
class LedgerLine:
    id: int
    at: datetime
    kind: LedgerKind
    card_number: str | None
    amount_fen: int
    paid_fen: int
    balance_after_fen: int
    points: int
    points_after: int
    method: PaymentMethod | None
    staff: str | None
    reason: str | None


def history(
    session: Session, member_id: int, *, before_id: int | None = None, limit: int = 200
) -> list[LedgerLine]:
    """A member's ledger, newest first, ``limit`` entries older than ``before_id``."""
    from clubdesk.models import Staff

    query = (
        select(LedgerEntry, MembershipCard.number, Staff.display_name)
        .outerjoin(MembershipCard, MembershipCard.id == LedgerEntry.card_id)
        .outerjoin(Staff, Staff.id == LedgerEntry.staff_id)
        .where(LedgerEntry.member_id == member_id)
        .order_by(LedgerEntry.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(LedgerEntry.id < before_id)
    return [
        LedgerLine(
            id=e.id,
            at=e.at,
            kind=e.kind,
            card_number=number,
            amount_fen=e.amount_fen,
            paid_fen=e.paid_fen,
            balance_after_fen=e.balance_after_fen,
            points=e.points,
            points_after=e.points_after,
            method=PaymentMethod(e.payment_method) if e.payment_method else None,
            staff=staff,
            reason=e.reason,
        )
        for e, number, staff in session.execute(query)
    ]

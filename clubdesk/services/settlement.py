"""Settling a bill for a member: discount, payment, points, tier check, one commit.

Checkout (the booking board) and the counter's quick sale both come here, so the
discount, the ledger entries and the automatic upgrade can only happen together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.models import Member, Tier
from clubdesk.models.enums import CardKind, LedgerKind, PaymentMethod
from clubdesk.money import format_fen
from clubdesk.services import cards, derived, ledger, tiers
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember
from clubdesk.services.tiers import Discount


@dataclass(frozen=True, slots=True)
class Settlement:
    list_fen: int
    discount: Discount
    due_fen: int
    method: PaymentMethod
    card_number: str | None
    balance_fen: int  # the card's balance after paying
    points_earned: int
    points: int
    new_tier: str | None  # set when this settlement upgraded the member
    entry_ids: tuple[int, ...]


def quote(db: Database, member_id: int, list_fen: int, at: datetime | None = None) -> Discount:
    """The discount the member would get now (for the checkout form, before paying)."""
    with db.read() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise DomainError(_("找不到编号为 {id} 的会员。").format(id=member_id))
        return tiers.discount(session, member, (at or datetime.now()).date())


def settle(
    db: Database,
    actor: StaffMember | None,
    member_id: int,
    list_fen: int,
    method: PaymentMethod,
    *,
    reason: str,
    booking_id: int | None = None,
    at: datetime | None = None,
) -> Settlement:
    require(actor, Permission.CARD_OPERATE)
    if list_fen <= 0:
        raise DomainError(_("结账金额必须大于零。"), field="amount")
    at = at or datetime.now()
    with db.write() as session:
        member = ledger.lock_member(session, member_id)
        return settle_in(session, actor, member, list_fen, method, reason, booking_id, at)


def settle_in(
    session: Session,
    actor: StaffMember | None,
    member: Member,
    list_fen: int,
    method: PaymentMethod,
    reason: str,
    booking_id: int | None,
    at: datetime,
    on: date | None = None,
) -> Settlement:
    """Settle inside the caller's transaction, the member row already locked
    (``ledger.lock_member``): checkout records its bill in the same commit.  ``on`` is
    the day whose offers apply (the business day: a bill at 00:40 belongs to the
    evening before); the calendar day of ``at`` by default."""
    deal = tiers.discount(session, member, on or at.date())
    due = deal.apply(list_fen)
    card = cards.current_card(session, member.id)
    if method == PaymentMethod.STORED_VALUE:
        if card is None or card.kind != CardKind.STORED_VALUE:
            raise DomainError(_("会员没有在用的储值卡，请选择其他付款方式。"), field="method")
        cards.require_active(card)
        paid = ledger.append(
            session, actor, member_id=member.id, card=card, kind=LedgerKind.PURCHASE, at=at,
            amount_fen=-due, method=method, booking_id=booking_id, reason=reason,
        )  # fmt: skip
    else:
        paid = ledger.append(
            session, actor, member_id=member.id, card=card, kind=LedgerKind.PURCHASE, at=at,
            paid_fen=due, method=method, booking_id=booking_id, reason=reason,
        )  # fmt: skip
    entries = [paid]
    tier = session.get(Tier, member.tier_id)
    assert tier is not None
    earned = (due // 100) * tier.points_per_yuan
    if earned:
        entries.append(
            ledger.append(
                session, actor, member_id=member.id, card=card, kind=LedgerKind.POINTS_EARNED,
                at=at, points=earned, booking_id=booking_id,
                reason=_("消费 {amount} 获得积分").format(amount=format_fen(due)),
            )
        )  # fmt: skip
    cards.touch_member(session, member.id, last_visit_at=at)
    upgraded = tiers.upgrade_if_due(session, actor, member, at)
    derived.refresh_category(session, member.id, at)
    last = entries[-1]
    return Settlement(
        list_fen=list_fen,
        discount=deal,
        due_fen=due,
        method=method,
        card_number=card.number if card else None,
        balance_fen=last.balance_after_fen,
        points_earned=earned,
        points=last.points_after,
        new_tier=upgraded.name if upgraded else None,
        entry_ids=tuple(e.id for e in entries),
    )

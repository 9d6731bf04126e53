"""Membership cards: issue, top up, purchase, refund, reissue, annual fee, freeze,
points redemption and manual corrections.

Every function is one transaction: the permission check, the card's state check, the
ledger entries and the audit entry commit together or not at all.  A correction is a
compensating entry; nothing here updates or deletes a ledger row.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import LedgerEntry, Member, MembershipCard, Reward
from clubdesk.models.enums import CardKind, CardStatus, LedgerKind, PaymentMethod, RewardKind
from clubdesk.money import format_fen
from clubdesk.services import audit, ledger
from clubdesk.services.labels import label
from clubdesk.services.ledger import Movement
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember
from clubdesk.settings import session_value

OUTSIDE_METHODS = (
    PaymentMethod.CASH,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
    PaymentMethod.BANK_CARD,
)


def new_card_number(session: Session) -> str:
    """ "8" and nine random digits: printed numbers cannot be guessed from each other."""
    while True:
        number = "8" + f"{secrets.randbelow(1_000_000_000):09d}"
        taken = session.execute(
            select(MembershipCard.id).where(MembershipCard.number == number)
        ).first()
        if taken is None:
            return number


def issue(
    db: Database,
    actor: StaffMember | None,
    member_id: int,
    kind: CardKind,
    *,
    today: date | None = None,
) -> str:
    """A new card for a member who has no working card; its number."""
    require(actor, Permission.CARD_OPERATE)
    with db.write() as session:
        member = ledger.lock_member(session, member_id)
        return issue_in(session, actor, member, kind, today=today).number


def issue_in(
    session: Session,
    actor: StaffMember | None,
    member: Member,
    kind: CardKind,
    *,
    today: date | None = None,
) -> MembershipCard:
    working = current_card(session, member.id)
    if working is not None:
        raise DomainError(
            _("会员已有在用的会员卡 {number}，一人只能持一张卡。卡丢失请办理补卡。").format(
                number=working.number
            )
        )
    card = MembershipCard(
        number=new_card_number(session),
        member_id=member.id,
        kind=kind,
        status=CardStatus.ACTIVE,
        issued_on=today or date.today(),
    )
    session.add(card)
    session.flush()
    audit.record(
        session, actor, "card.issue", "card", card.id, after={"number": card.number, "kind": kind}
    )
    return card


def current_card(session: Session, member_id: int) -> MembershipCard | None:
    """The member's working card: the newest that was not replaced or closed."""
    return session.scalars(
        select(MembershipCard)
        .where(
            MembershipCard.member_id == member_id,
            MembershipCard.status.in_((CardStatus.ACTIVE, CardStatus.FROZEN)),
        )
        .order_by(MembershipCard.id.desc())
        .limit(1)
    ).first()


def member_for_card(db: Database, number: str) -> int:
    """The member a scanned or typed card number belongs to.

    A replaced card is refused: once reissued, the old number opens nothing.
    """
    number = number.strip()
    with db.read() as session:
        card = session.scalars(
            select(MembershipCard).where(MembershipCard.number == number)
        ).first()
        if card is None:
            raise NotFound(_("没有卡号为 {number} 的会员卡。").format(number=number))
        if card.status == CardStatus.REPLACED:
            raise DomainError(
                _("卡号 {number} 已挂失补办，旧卡已停用，请收回此卡。").format(number=number)
            )
        return card.member_id


def _card_for_update(session: Session, number: str) -> tuple[MembershipCard, Member]:
    card = session.scalars(select(MembershipCard).where(MembershipCard.number == number)).first()
    if card is None:
        raise NotFound(_("没有卡号为 {number} 的会员卡。").format(number=number))
    member = ledger.lock_member(session, card.member_id)
    session.refresh(card)  # the lock may have waited for another counter's change
    return card, member


def require_active(card: MembershipCard) -> None:
    if card.status == CardStatus.FROZEN:
        raise DomainError(_("会员卡 {number} 已冻结，请先解冻。").format(number=card.number))
    if card.status != CardStatus.ACTIVE:
        raise DomainError(
            _("会员卡 {number} 的状态为“{status}”，不能办理此业务。").format(
                number=card.number, status=label(card.status)
            )
        )


def _require_stored_value(card: MembershipCard) -> None:
    if card.kind != CardKind.STORED_VALUE:
        raise DomainError(
            _("会员卡 {number} 是折扣卡，不能储值。需要储值请改办储值卡。").format(
                number=card.number
            )
        )


def _positive(amount_fen: int, what: str) -> None:
    if amount_fen <= 0:
        raise DomainError(_("{what}金额必须大于零。").format(what=what), field="amount")
    if amount_fen > 100_000_000:  # one million yuan: a typo, not a top-up
        raise DomainError(
            _("{what}金额 {amount} 超过单笔上限 ¥1,000,000.00，请核对。").format(
                what=what, amount=format_fen(amount_fen)
            ),
            field="amount",
        )


def _reason(reason: str | None, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("请填写原因。"), field=field)
    return text


def bonus_for(rules: list[list[int]], amount_fen: int) -> int:
    """The bonus of the best rule the amount reaches: [[100000, 10000]] pays 1,000 → 1,100."""
    best = 0
    for pay, bonus in rules:
        if amount_fen >= pay:
            best = max(best, bonus)
    return best


def top_up_bonus(db: Database, amount_fen: int) -> int:
    """What the rules in settings would add to a top-up of ``amount_fen`` (for the form)."""
    with db.read() as session:
        return bonus_for(session_value(session, "member.top_up_bonus"), amount_fen)


def top_up(
    db: Database,
    actor: StaffMember | None,
    card_number: str,
    amount_fen: int,
    method: PaymentMethod,
    *,
    with_bonus: bool = True,
    at: datetime | None = None,
) -> Movement:
    require(actor, Permission.CARD_OPERATE)
    _positive(amount_fen, _("充值"))
    if method not in OUTSIDE_METHODS:
        raise DomainError(_("充值请选择现金、银行卡、微信或支付宝。"), field="method")
    at = at or datetime.now()
    with db.write() as session:
        card, member = _card_for_update(session, card_number)
        require_active(card)
        _require_stored_value(card)
        entries = [
            ledger.append(
                session, actor, member_id=member.id, card=card, kind=LedgerKind.TOP_UP, at=at,
                amount_fen=amount_fen, paid_fen=amount_fen, method=method,
                reason=_("充值 {amount}").format(amount=format_fen(amount_fen)),
            )
        ]  # fmt: skip
        bonus = bonus_for(session_value(session, "member.top_up_bonus"), amount_fen)
        if with_bonus and bonus:
            entries.append(
                ledger.append(
                    session, actor, member_id=member.id, card=card, kind=LedgerKind.BONUS, at=at,
                    amount_fen=bonus,
                    reason=_("充值 {amount} 赠送 {bonus}").format(
                        amount=format_fen(amount_fen), bonus=format_fen(bonus)
                    ),
                )
            )  # fmt: skip
        return _movement(member, card, entries)


def purchase(
    db: Database,
    actor: StaffMember | None,
    card_number: str,
    amount_fen: int,
    reason: str,
    *,
    at: datetime | None = None,
) -> Movement:
    """Pay ``amount_fen`` from a stored-value card (a sale outside checkout: a retail item)."""
    require(actor, Permission.CARD_OPERATE)
    _positive(amount_fen, _("消费"))
    reason = _reason(reason)
    with db.write() as session:
        card, member = _card_for_update(session, card_number)
        require_active(card)
        _require_stored_value(card)
        entry = ledger.append(
            session, actor, member_id=member.id, card=card, kind=LedgerKind.PURCHASE,
            at=at or datetime.now(), amount_fen=-amount_fen,
            method=PaymentMethod.STORED_VALUE, reason=reason,
        )  # fmt: skip
        return _movement(member, card, [entry])


def refund(
    db: Database,
    actor: StaffMember | None,
    card_number: str,
    amount_fen: int,
    method: PaymentMethod,
    reason: str,
    *,
    at: datetime | None = None,
) -> Movement:
    """Pay stored value back to the member (cash, bank card, …): manager only."""
    require(actor, Permission.CARD_REFUND)
    _positive(amount_fen, _("退款"))
    reason = _reason(reason)
    if method not in OUTSIDE_METHODS:
        raise DomainError(_("退款请选择退回方式：现金、银行卡、微信或支付宝。"), field="method")
    with db.write() as session:
        card, member = _card_for_update(session, card_number)
        _require_stored_value(card)
        if card.status not in (CardStatus.ACTIVE, CardStatus.FROZEN):
            require_active(card)
        entry = ledger.append(
            session, actor, member_id=member.id, card=card, kind=LedgerKind.REFUND,
            at=at or datetime.now(), amount_fen=-amount_fen, paid_fen=-amount_fen,
            method=method, reason=reason,
        )  # fmt: skip
        audit.record(
            session, actor, "card.refund", "card", card.id,
            after={"amount_fen": amount_fen, "method": method}, detail=reason,
        )  # fmt: skip
        return _movement(member, card, [entry])


def _fee(
    session: Session,
    actor: StaffMember | None,
    member: Member,
    card: MembershipCard,
    kind: LedgerKind,
    fee_fen: int,
    method: PaymentMethod,
    reason: str,
    at: datetime,
) -> list[LedgerEntry]:
    if fee_fen == 0:
        return []
    if method == PaymentMethod.STORED_VALUE:
        _require_stored_value(card)
        return [
            ledger.append(
                session, actor, member_id=member.id, card=card, kind=kind, at=at,
                amount_fen=-fee_fen, method=method, reason=reason,
            )
        ]  # fmt: skip
    return [
        ledger.append(
            session, actor, member_id=member.id, card=card, kind=kind, at=at,
            paid_fen=fee_fen, method=method, reason=reason,
        )
    ]  # fmt: skip


def reissue(
    db: Database,
    actor: StaffMember | None,
    card_number: str,
    fee_method: PaymentMethod,
    *,
    fee_fen: int | None = None,
    at: datetime | None = None,
) -> str:
    """Replace a lost card: the old number stops working at once, the balance moves to
    the new card, the material fee (settings, or ``fee_fen``) is charged.  The new number."""
    require(actor, Permission.CARD_OPERATE)
    at = at or datetime.now()
    with db.write() as session:
        old, member = _card_for_update(session, card_number)
        if old.status != CardStatus.FROZEN:  # a lost card is often frozen first
            require_active(old)
        fee = session_value(session, "member.reissue_fee_fen") if fee_fen is None else fee_fen
        if fee < 0:
            raise DomainError(_("工本费不能为负数。"), field="amount")
        new = MembershipCard(
            number=new_card_number(session),
            member_id=member.id,
            kind=old.kind,
            status=CardStatus.ACTIVE,
            issued_on=at.date(),
            annual_fee_paid_until=old.annual_fee_paid_until,
            replaces_id=old.id,
        )
        old.status = CardStatus.REPLACED
        session.add(new)
        session.flush()
        balance = ledger.card_balance(session, old.id)
        if balance:
            why = _("补卡：余额由 {old} 转入新卡 {new}").format(old=old.number, new=new.number)
            ledger.append(
                session, actor, member_id=member.id, card=old, kind=LedgerKind.TRANSFER_OUT,
                at=at, amount_fen=-balance, reason=why,
            )  # fmt: skip
            ledger.append(
                session, actor, member_id=member.id, card=new, kind=LedgerKind.TRANSFER_IN,
                at=at, amount_fen=balance, reason=why,
            )  # fmt: skip
        _fee(
            session, actor, member, new, LedgerKind.REISSUE_FEE, fee, fee_method,
            _("补卡工本费（原卡 {old}）").format(old=old.number), at,
        )  # fmt: skip
        audit.record(
            session, actor, "card.reissue", "card", new.id,
            before={"number": old.number}, after={"number": new.number, "fee_fen": fee},
        )  # fmt: skip
        return new.number


def pay_annual_fee(
    db: Database,
    actor: StaffMember | None,
    card_number: str,
    method: PaymentMethod,
    *,
    at: datetime | None = None,
) -> date:
    """Charge a year's fee (settings); the card is paid up one year further.  The new date."""
    require(actor, Permission.CARD_OPERATE)
    at = at or datetime.now()
    with db.write() as session:
        card, member = _card_for_update(session, card_number)
        require_active(card)
        fee = int(session_value(session, "member.annual_fee_fen"))
        start = max(card.annual_fee_paid_until or at.date(), at.date())
        until = _one_year_after(start)
        _fee(
            session, actor, member, card, LedgerKind.ANNUAL_FEE, fee, method,
            _("会员年费，有效期至 {until}").format(until=until.isoformat()), at,
        )  # fmt: skip
        audit.record(
            session, actor, "card.annual_fee", "card", card.id,
            before={"paid_until": card.annual_fee_paid_until},
            after={"paid_until": until, "fee_fen": fee, "method": method},
        )  # fmt: skip
        card.annual_fee_paid_until = until
        return until


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def set_frozen(
    db: Database, actor: StaffMember | None, card_number: str, frozen: bool, reason: str
) -> None:
    """Freeze (nothing can be paid with or onto the card) or unfreeze it."""
    require(actor, Permission.CARD_OPERATE)
    reason = _reason(reason)
    with db.write() as session:
        card, _member = _card_for_update(session, card_number)
        wanted, expected = (
            (CardStatus.FROZEN, CardStatus.ACTIVE)
            if frozen
            else (CardStatus.ACTIVE, CardStatus.FROZEN)
        )
        if card.status != expected:
            refusal = (
                _("会员卡 {number} 当前状态为“{status}”，不能冻结。")
                if frozen
                else _("会员卡 {number} 当前状态为“{status}”，不能解冻。")
            )
            raise DomainError(refusal.format(number=card.number, status=label(card.status)))
        card.status = wanted
        audit.record(
            session, actor, "card.freeze" if frozen else "card.unfreeze", "card", card.id,
            before={"status": expected}, after={"status": wanted}, detail=reason,
        )  # fmt: skip


def adjust(
    db: Database,
    actor: StaffMember | None,
    member_id: int,
    *,
    amount_fen: int = 0,
    points: int = 0,
    reason: str,
    at: datetime | None = None,
) -> Movement:
    """A manager's compensating entry on the member's working card (±money, ±points)."""
    require(actor, Permission.LEDGER_ADJUST)
    reason = _reason(reason)
    if amount_fen == 0 and points == 0:
        raise DomainError(_("调整金额和积分不能都为零。"), field="amount")
    with db.write() as session:
        member = ledger.lock_member(session, member_id)
        card = current_card(session, member_id)
        if amount_fen and (card is None or card.kind != CardKind.STORED_VALUE):
            raise DomainError(_("会员没有在用的储值卡，不能调整余额。"), field="amount")
        entry = ledger.append(
            session, actor, member_id=member.id, card=card, kind=LedgerKind.ADJUSTMENT,
            at=at or datetime.now(), amount_fen=amount_fen, points=points, reason=reason,
        )  # fmt: skip
        audit.record(
            session, actor, "ledger.adjust", "member", member.id,
            after={"amount_fen": amount_fen, "points": points}, detail=reason,
        )  # fmt: skip
        return _movement(member, card, [entry])


@dataclass(frozen=True, slots=True)
class RewardInfo:
    id: int
    name: str
    kind: RewardKind
    points_cost: int


def rewards(db: Database) -> list[RewardInfo]:
    """The published redemption catalogue, cheapest first."""
    with db.read() as session:
        return [
            RewardInfo(r.id, r.name, r.kind, r.points_cost)
            for r in session.scalars(
                select(Reward)
                .where(Reward.active.is_(True))
                .order_by(Reward.points_cost, Reward.sort_order)
            )
        ]


def redeem(
    db: Database,
    actor: StaffMember | None,
    member_id: int,
    reward_id: int,
    *,
    quantity: int = 1,
    at: datetime | None = None,
) -> Movement:
    require(actor, Permission.POINTS_REDEEM)
    if not 1 <= quantity <= 99:
        raise DomainError(_("兑换数量应在 1 到 99 之间。"), field="quantity")
    with db.write() as session:
        member = ledger.lock_member(session, member_id)
        reward = session.get(Reward, reward_id)
        if reward is None or not reward.active:
            raise DomainError(_("该兑换项目已下架，请重新选择。"), field="reward")
        card = current_card(session, member_id)
        entry = ledger.append(
            session, actor, member_id=member.id, card=card, kind=LedgerKind.POINTS_REDEEMED,
            at=at or datetime.now(), points=-reward.points_cost * quantity,
            reason=_("积分兑换：{name}").format(name=reward.name)
            + (f" ×{quantity}" if quantity > 1 else ""),
        )  # fmt: skip
        return _movement(member, card, [entry])


def _movement(member: Member, card: MembershipCard | None, entries: list[LedgerEntry]) -> Movement:
    last = entries[-1] if entries else None
    return Movement(
        member_id=member.id,
        card_number=card.number if card else None,
        balance_fen=last.balance_after_fen if last else 0,
        points=last.points_after if last else 0,
        entry_ids=tuple(e.id for e in entries),
    )


def touch_member(session: Session, member_id: int, **values: object) -> None:
    """Change bookkeeping columns without bumping the profile's version: a settlement
    must not make a colleague's open profile edit fail as a conflict."""
    session.execute(update(Member).where(Member.id == member_id).values(**values))

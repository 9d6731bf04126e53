"""Tiers, discounts and stars (domain.md section 1).

``discount`` is the one function checkout asks what a member pays.  Upgrades happen
by themselves after a settlement when any rule of a higher tier is met; a downgrade
is a manager's decision with a reason.  Every change goes into the tier history.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.models import LedgerEntry, Member, Staff, Tier, TierChange, TierRule
from clubdesk.models.enums import LedgerKind, TierRuleKind
from clubdesk.money import format_fen
from clubdesk.services import audit, ledger
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember
from clubdesk.settings import session_value

FULL_PRICE_BP = 10_000


@dataclass(frozen=True, slots=True)
class Discount:
    bp: int  # pay bp / 10,000 of the list price
    reason: str

    def apply(self, list_fen: int) -> int:
        """The price after the discount, rounded half up to the fen."""
        return (list_fen * self.bp + FULL_PRICE_BP // 2) // FULL_PRICE_BP


def discount(session: Session, member: Member, on: date) -> Discount:
    """What ``member`` pays on ``on``: the tier's rate, times the better of the birthday
    and the holiday offer when one applies (both from settings)."""
    tier = session.get(Tier, member.tier_id)
    assert tier is not None  # a foreign key
    bp, reason = (
        tier.discount_bp,
        _("{tier}{rate}").format(tier=tier.name, rate=_rate(tier.discount_bp)),
    )
    offers: list[tuple[int, str]] = []
    if member.birthday_mmdd is not None and member.birthday_mmdd in birthday_keys(on):
        offers.append((int(session_value(session, "member.birthday_discount_bp")), _("生日")))
    if on.strftime("%m-%d") in session_value(session, "member.holidays"):
        offers.append((int(session_value(session, "member.holiday_discount_bp")), _("节假日")))
    if offers:
        offer_bp, offer = min(offers)
        bp = (bp * offer_bp + FULL_PRICE_BP // 2) // FULL_PRICE_BP
        reason = _("{base}，{offer}再{rate}").format(base=reason, offer=offer, rate=_rate(offer_bp))
    return Discount(bp, reason)


def birthday_keys(day: date) -> tuple[str, ...]:
    """The birthday_mmdd values celebrated on ``day``: a 29 February birthday is kept on
    28 February in common years."""
    key = day.strftime("%m%d")
    if key == "0228" and not calendar.isleap(day.year):
        return (key, "0229")
    return (key,)


def _rate(bp: int) -> str:
    if bp >= FULL_PRICE_BP:
        return _("原价")
    tenths = bp / 1000
    text = f"{tenths:.2f}".rstrip("0").rstrip(".")
    return _("{rate}折").format(rate=text)


def stars(spend_fen: int, thresholds_yuan: list[int]) -> int:
    """1 star below the first threshold, one more per threshold reached (domain.md: 5)."""
    return 1 + sum(1 for t in thresholds_yuan if spend_fen >= t * 100)


@dataclass(frozen=True, slots=True)
class MemberFigures:
    spend_fen: int
    visits: int
    points: int
    referrals: int


FIGURES_KEY = "clubdesk.figures"
# Module-level aliases: new ones per call would defeat SQLAlchemy's statement cache.
_FROM_TIER = aliased(Tier)
_TO_TIER = aliased(Tier)


def _memo(session: Session, key: tuple[object, ...], compute: Callable[[], int]) -> int:
    """A member figure computed once per transaction while the ledger stands still
    (``ledger.append`` forgets them): a settlement's tier rules and category ask for
    the same sums several times."""
    figures: dict[tuple[object, ...], int] = session.info.setdefault(FIGURES_KEY, {})
    if key not in figures:
        figures[key] = compute()
    return figures[key]


def cumulative_spend(session: Session, member_id: int, since: datetime | None = None) -> int:
    """What the member has paid for services (from the card and outside it), in all or
    since ``since``."""
    query = select(func.coalesce(func.sum(LedgerEntry.paid_fen - LedgerEntry.amount_fen), 0)).where(
        LedgerEntry.member_id == member_id,
        LedgerEntry.kind.in_((LedgerKind.PURCHASE, LedgerKind.REVERSAL)),
    )
    if since is not None:
        query = query.where(LedgerEntry.at >= since)
    return _memo(
        session, ("spend", member_id, since), lambda: int(session.execute(query).scalar_one())
    )


def _not_reversed() -> ColumnElement[bool]:
    """A ledger entry no 反结账 has cancelled: a reversed sale is neither a visit nor
    points earned when the tier rules are checked."""
    reversal = aliased(LedgerEntry)
    return ~exists().where(reversal.reverses_id == LedgerEntry.id)


def points_earned_since(session: Session, member_id: int, since: datetime) -> int:
    value = session.execute(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.member_id == member_id,
            LedgerEntry.points > 0,
            LedgerEntry.at >= since,
            _not_reversed(),
        )
    ).scalar_one()
    return int(value)


def last_downgrade(session: Session, member_id: int) -> datetime | None:
    """When a manager last moved the member down a tier: rules count only what
    happened after it, so the next settlement does not undo the decision."""
    old, new = _FROM_TIER, _TO_TIER
    return session.execute(
        select(func.max(TierChange.created_at))
        .select_from(TierChange)
        .join(old, old.id == TierChange.from_tier_id)
        .join(new, new.id == TierChange.to_tier_id)
        .where(TierChange.member_id == member_id, new.rank < old.rank)
    ).scalar()


def visits_since(session: Session, member_id: int, since: datetime) -> int:
    value = session.execute(
        select(func.count()).where(
            LedgerEntry.member_id == member_id,
            LedgerEntry.kind == LedgerKind.PURCHASE,
            LedgerEntry.at >= since,
            _not_reversed(),
        )
    ).scalar_one()
    return int(value)


def referrals(session: Session, member_id: int, since: datetime | None = None) -> int:
    query = select(func.count()).where(Member.referred_by_id == member_id)
    if since is not None:
        query = query.where(Member.created_at >= since)
    return _memo(
        session, ("referrals", member_id, since), lambda: int(session.execute(query).scalar_one())
    )


def _rule_met(
    session: Session, member: Member, rule: TierRule, now: datetime, since: datetime | None
) -> str | None:
    """Why the rule is met (for the history), or None; only activity after ``since``
    counts (a manager's downgrade)."""
    if rule.kind == TierRuleKind.CUMULATIVE_SPEND:
        spend = cumulative_spend(session, member.id, since)
        if spend >= rule.threshold:
            return _("累计消费 {spend} 达到 {need}").format(
                spend=format_fen(spend), need=format_fen(rule.threshold)
            )
    elif rule.kind == TierRuleKind.VISITS_IN_PERIOD:
        days = rule.period_days or 365
        start = now - timedelta(days=days)
        visits = visits_since(session, member.id, max(start, since) if since else start)
        if visits >= rule.threshold:
            return _("{days} 天内到店 {n} 次，达到 {need} 次").format(
                days=days, n=visits, need=rule.threshold
            )
    elif rule.kind == TierRuleKind.POINTS:
        points = (
            points_earned_since(session, member.id, since)
            if since
            else ledger.member_points(session, member.id)
        )
        if points >= rule.threshold:
            return _("积分 {n} 达到 {need}").format(n=points, need=rule.threshold)
    elif rule.kind == TierRuleKind.REFERRALS:
        count = referrals(session, member.id, since)
        if count >= rule.threshold:
            return _("推荐新会员 {n} 位，达到 {need} 位").format(n=count, need=rule.threshold)
    return None


def upgrade_if_due(
    session: Session, actor: StaffMember | None, member: Member, now: datetime
) -> Tier | None:
    """Move the member up to the highest tier whose rule they now meet; the new tier."""
    current = session.get(Tier, member.tier_id)
    assert current is not None
    higher = session.scalars(
        select(Tier)
        .where(Tier.rank > current.rank)
        .order_by(Tier.rank.desc())
        .options(selectinload(Tier.rules))
    ).all()
    if not higher:
        return None
    since = last_downgrade(session, member.id)
    for tier in higher:
        for rule in tier.rules:
            why = _rule_met(session, member, rule, now, since)
            if why is not None:
                _change(
                    session, actor, member, current, tier, _("自动升级：{why}").format(why=why), now
                )
                return tier
    return None


def downgrade(
    db: Database, actor: StaffMember | None, member_id: int, tier_id: int, reason: str
) -> None:
    """A manager moves a member down a tier, with a reason; never automatic."""
    require(actor, Permission.TIER_DOWNGRADE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("降级必须填写原因。"), field="reason")
    with db.write() as session:
        member = ledger.lock_member(session, member_id)
        current = session.get(Tier, member.tier_id)
        target = session.get(Tier, tier_id)
        assert current is not None
        if target is None or target.rank >= current.rank:
            raise DomainError(
                _("只能降到比“{tier}”低的等级。").format(tier=current.name), field="tier"
            )
        _change(
            session,
            actor,
            member,
            current,
            target,
            _("经理降级：{why}").format(why=reason),
            datetime.now(),
        )


def _change(
    session: Session,
    actor: StaffMember | None,
    member: Member,
    old: Tier,
    new: Tier,
    reason: str,
    now: datetime,
) -> None:
    from clubdesk.services.cards import touch_member

    touch_member(session, member.id, tier_id=new.id)
    session.add(
        TierChange(
            member_id=member.id,
            from_tier_id=old.id,
            to_tier_id=new.id,
            staff_id=actor.id if actor else None,
            reason=reason[:200],
            created_at=now,
        )
    )
    audit.record(
        session, actor, "member.tier", "member", member.id,
        before={"tier": old.name}, after={"tier": new.name}, detail=reason, at=now,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class TierInfo:
    id: int
    name: str
    rank: int
    discount_bp: int
    points_per_yuan: int


def all_tiers(db: Database) -> list[TierInfo]:
    with db.read() as session:
        return [
            TierInfo(t.id, t.name, t.rank, t.discount_bp, t.points_per_yuan)
            for t in session.scalars(select(Tier).order_by(Tier.rank))
        ]


@dataclass(frozen=True, slots=True)
class TierHistoryLine:
    at: datetime
    from_tier: str | None
    to_tier: str
    staff: str | None
    reason: str


def history(db: Database, member_id: int) -> list[TierHistoryLine]:
    with db.read() as session:
        names = {t.id: t.name for t in session.scalars(select(Tier))}
        rows = session.execute(
            select(TierChange, Staff.display_name)
            .outerjoin(Staff, Staff.id == TierChange.staff_id)
            .where(TierChange.member_id == member_id)
            .order_by(TierChange.id.desc())
        ).all()
        return [
            TierHistoryLine(
                at=c.created_at,
                from_tier=names.get(c.from_tier_id) if c.from_tier_id else None,
                to_tier=names[c.to_tier_id],
                staff=staff,
                reason=c.reason,
            )
            for c, staff in rows
        ]

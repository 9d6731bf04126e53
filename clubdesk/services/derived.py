"""What the roster works out from history: customer category, stars, referrals,
birthdays with a greeting to copy, and the churn flag (domain.md section 1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import NotFound
from clubdesk.i18n import _
from clubdesk.models import Booking, LedgerEntry, Member, Staff, Tier
from clubdesk.models.enums import CustomerCategory, LedgerKind
from clubdesk.privacy import mask_phone
from clubdesk.services import tiers
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from clubdesk.settings import session_value


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def category(session: Session, member: Member, now: datetime) -> CustomerCategory:
    """VIP by tier; long-term by spend or purchases in each of the last N months;
    booked if the member ever booked; otherwise walk-in (thresholds in settings)."""
    tier = session.get(Tier, member.tier_id)
    assert tier is not None
    if tier.rank >= int(session_value(session, "member.vip_tier_rank")):
        return CustomerCategory.VIP
    if tiers.cumulative_spend(session, member.id) >= int(
        session_value(session, "member.long_term_spend_fen")
    ):
        return CustomerCategory.LONG_TERM
    months = int(session_value(session, "member.long_term_months"))
    first = _month_index(now.date()) - months + 1
    since = datetime(first // 12, first % 12 + 1, 1)
    seen = {
        _month_index(at)
        for (at,) in session.execute(
            select(LedgerEntry.at).where(
                LedgerEntry.member_id == member.id,
                LedgerEntry.kind == LedgerKind.PURCHASE,
                LedgerEntry.at >= since,
            )
        )
    }
    if months > 0 and all(first + k in seen for k in range(months)):
        return CustomerCategory.LONG_TERM
    booked = session.execute(select(exists().where(Booking.member_id == member.id))).scalar()
    return CustomerCategory.BOOKED if booked else CustomerCategory.WALK_IN


def refresh_category(session: Session, member_id: int, now: datetime) -> CustomerCategory:
    from clubdesk.services.cards import touch_member

    member = session.get(Member, member_id)
    assert member is not None
    session.refresh(member)  # the tier may have just changed under a Core update
    new = category(session, member, now)
    if new != member.category:
        touch_member(session, member_id, category=new)
    return new


def is_churned(last_visit_at: datetime | None, today: date, churn_days: int) -> bool:
    return last_visit_at is not None and (today - last_visit_at.date()).days > churn_days


@dataclass(frozen=True, slots=True)
class Insights:
    category: CustomerCategory
    spend_fen: int
    stars: int
    visits_last_year: int
    referrals: int
    referral_gift_due: bool
    churned: bool
    days_since_visit: int | None


def insights(db: Database, member_id: int, today: date | None = None) -> Insights:
    today = today or date.today()
    now = datetime.combine(today, datetime.min.time())
    with db.read() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
        spend = tiers.cumulative_spend(session, member_id)
        referred = tiers.referrals(session, member_id)
        gift_every = int(session_value(session, "member.referral_gift_count"))
        last = member.last_visit_at
        return Insights(
            category=category(session, member, now),
            spend_fen=spend,
            stars=tiers.stars(spend, session_value(session, "member.star_thresholds_yuan")),
            visits_last_year=tiers.visits_since(session, member_id, now - timedelta(days=365)),
            referrals=referred,
            referral_gift_due=gift_every > 0 and referred >= gift_every,
            churned=is_churned(last, today, int(session_value(session, "member.churn_days"))),
            days_since_visit=(today - last.date()).days if last else None,
        )


class BirthdayPeriod(StrEnum):
    TODAY = "today"
    WEEK = "week"  # today and the six days after
    MONTH = "month"  # the calendar month


@dataclass(frozen=True, slots=True)
class BirthdayRow:
    member_id: int
    name: str
    phone_masked: str
    birthday: date
    turning: int
    tier_name: str
    greeting: str


@dataclass(frozen=True, slots=True)
class BirthdayList:
    rows: list[BirthdayRow]
    total: int


def birthday_days(period: BirthdayPeriod, today: date) -> list[date]:
    if period is BirthdayPeriod.TODAY:
        return [today]
    if period is BirthdayPeriod.WEEK:
        return [today + timedelta(days=k) for k in range(7)]
    first = today.replace(day=1)
    days = []
    day = first
    while day.month == first.month:
        days.append(day)
        day += timedelta(days=1)
    return days


def _mmdds(days: list[date]) -> list[str]:
    # A 29 February birthday is greeted on 28 February in common years (tiers.birthday_keys).
    return [key for day in days for key in tiers.birthday_keys(day)]


def birthdays(
    db: Database, period: BirthdayPeriod, today: date | None = None, *, limit: int = 1000
) -> BirthdayList:
    """Members whose birthday falls in the period, in date order, with a greeting each.

    One index range per day on ``birthday_mmdd``, so a month at a million members lists
    its first rows at once; ``total`` says how many there are in all.
    """
    today = today or date.today()
    days = birthday_days(period, today)
    with db.read() as session:
        template = str(session_value(session, "member.birthday_greeting"))
        club = str(session_value(session, "club.name"))
        offer_bp = int(session_value(session, "member.birthday_discount_bp"))
        total = int(
            session.execute(
                select(func.count()).where(Member.birthday_mmdd.in_(_mmdds(days)))
            ).scalar_one()
        )
        rows: list[BirthdayRow] = []
        for day in days:
            keys = _mmdds([day])
            found = session.execute(
                select(Member.id, Member.name, Member.phone, Member.birthday, Tier.name)
                .join(Tier, Tier.id == Member.tier_id)
                .where(Member.birthday_mmdd.in_(keys))
                .order_by(Member.birthday_mmdd, Member.id)
                .limit(limit - len(rows))
            ).all()
            for member_id, name, phone, birthday, tier_name in found:
                assert birthday is not None  # birthday_mmdd is set only with a birthday
                rows.append(
                    BirthdayRow(
                        member_id=member_id,
                        name=name,
                        phone_masked=mask_phone(phone),
                        birthday=birthday,
                        turning=day.year - birthday.year,
                        tier_name=tier_name,
                        greeting=greeting(template, name=name, club=club, offer_bp=offer_bp),
                    )
                )
            if len(rows) >= limit:
                break
        return BirthdayList(rows, total)


def greeting(template: str, *, name: str, club: str, offer_bp: int) -> str:
    """The birthday message with the member's name, the club and the birthday offer."""
    rate = f"{offer_bp / 1000:.2f}".rstrip("0").rstrip(".")
    try:
        return template.format(name=name, club=club, discount=rate)
    except (KeyError, IndexError, ValueError):
        # A manager's template with an unknown placeholder still greets, unformatted.
        return template


@dataclass(frozen=True, slots=True)
class ChurnRow:
    member_id: int
    name: str
    phone: str  # full for roles allowed to see it (the specialist calls), else masked
    last_visit_at: datetime
    days_away: int
    visits: int
    specialist: str | None


@dataclass(frozen=True, slots=True)
class ChurnList:
    rows: list[ChurnRow]
    more: bool  # more members are lapsed than listed
    churn_days: int


def churn_list(
    db: Database,
    today: date | None = None,
    *,
    limit: int = 200,
    actor: StaffMember | None = None,
) -> ChurnList:
    """Members who used to come (at least the settings' minimum of visits) and stopped
    for longer than the settings' churn days, the most recently lapsed first."""
    today = today or date.today()
    full_phone = allowed(actor, Permission.VIEW_FULL_PHONE)
    with db.read() as session:
        days = int(session_value(session, "member.churn_days"))
        minimum = int(session_value(session, "member.churn_min_visits"))
        cutoff = datetime.combine(today - timedelta(days=days), datetime.min.time())
        visits = (
            select(func.count())
            .where(LedgerEntry.member_id == Member.id, LedgerEntry.kind == LedgerKind.PURCHASE)
            .correlate(Member)
            .scalar_subquery()
        )
        found = session.execute(
            select(
                Member.id, Member.name, Member.phone, Member.last_visit_at, visits,
                Staff.display_name,
            )
            .outerjoin(Staff, Staff.id == Member.specialist_id)
            .where(Member.last_visit_at < cutoff, visits >= minimum)
            .order_by(Member.last_visit_at.desc(), Member.id.desc())
            .limit(limit + 1)
        ).all()  # fmt: skip
        rows = [
            ChurnRow(
                member_id=mid,
                name=name,
                phone=phone if full_phone else mask_phone(phone),
                last_visit_at=last,
                days_away=(today - last.date()).days,
                visits=int(n),
                specialist=specialist,
            )
            for mid, name, phone, last, n, specialist in found[:limit]
        ]
        return ChurnList(rows, len(found) > limit, days)

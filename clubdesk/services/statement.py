"""A member's statement (会员对账单): the ledger of one period with its opening and
closing balances, read-only.

The ledger is append-only and every entry carries the running totals after it, so a
balance at any moment is read, never summed: a card's opening balance is the
``balance_after_fen`` of its latest entry before the period, its closing balance that
of its latest entry up to the period's end (no entry: zero).  Points are the member's
running ``points_after`` in the same way.  "Latest" is ledger order (the entry id), as
everywhere else in ClubDesk; the period selects entries by their time ``at``.

A card reissue moves the old card's balance to the new one (补卡转出 / 补卡转入): money
between the member's own cards, neither paid in nor spent.  Those lines stay on the
statement and in each card's figures (they explain its balance), but the member's
money in and out (``credits_fen`` / ``debits_fen``) leave them out, so that
opening + credits - debits + transfers = closing, for each card and for the member
(the member's transfers add up to zero: both halves of a reissue share one moment).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import LedgerEntry, Member, MembershipCard, Staff
from clubdesk.models.enums import CardKind, CardStatus, CustomerCategory, LedgerKind, PaymentMethod
from clubdesk.privacy import mask_phone

DEFAULT_MONTHS = 3
FEE_KINDS = (LedgerKind.REISSUE_FEE, LedgerKind.ANNUAL_FEE)
# Balance moved between the member's own cards: not money in or out.
TRANSFER_KINDS = (LedgerKind.TRANSFER_IN, LedgerKind.TRANSFER_OUT)


@dataclass(frozen=True, slots=True)
class StatementCard:
    """One of the member's cards with its balance at both ends of the period."""

    id: int
    number: str
    kind: CardKind
    status: CardStatus
    issued_on: date
    opening_fen: int
    closing_fen: int
    credits_fen: int  # money onto the card in the period (top-ups, bonuses …), no transfers
    debits_fen: int  # money off the card in the period, as a positive number, no transfers
    transfer_in_fen: int  # moved onto it from the member's replaced card (补卡转入)
    transfer_out_fen: int  # moved off it to the new card (补卡转出), a positive number

    @property
    def transfers_fen(self) -> int:
        """The net balance moved between this card and the member's other cards."""
        return self.transfer_in_fen - self.transfer_out_fen


@dataclass(frozen=True, slots=True)
class StatementLine:
    id: int
    at: datetime
    kind: LedgerKind
    card_number: str | None
    amount_fen: int  # change of the card balance
    paid_fen: int  # money paid outside the card (cash, bank card, WeChat, Alipay)
    balance_after_fen: int | None  # the card's balance after it; None: no card involved
    points: int
    points_after: int
    method: PaymentMethod | None
    staff: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class KindTotal:
    kind: LedgerKind
    count: int
    amount_fen: int
    paid_fen: int
    points: int


@dataclass(frozen=True, slots=True)
class Statement:
    member_id: int
    name: str
    phone_masked: str  # a statement is paper: the full number is never on it
    tier_name: str
    category: CustomerCategory
    joined_on: date
    specialist: str | None
    start: date  # first day of the period
    end: date  # last day of the period, included
    cards: tuple[StatementCard, ...]
    lines: tuple[StatementLine, ...]  # in ledger order
    opening_points: int
    closing_points: int
    totals: tuple[KindTotal, ...]  # one per kind that occurs, in LedgerKind order

    @property
    def opening_fen(self) -> int:
        return sum(c.opening_fen for c in self.cards)

    @property
    def closing_fen(self) -> int:
        return sum(c.closing_fen for c in self.cards)

    @property
    def credits_fen(self) -> int:
        """Money onto the member's cards (top-ups, bonuses, compensation …); a transfer
        between the member's own cards is not money in."""
        return sum(line.amount_fen for line in self.lines if line.amount_fen > 0 and _counts(line))

    @property
    def debits_fen(self) -> int:
        """Money off the member's cards as a positive number; transfers left out."""
        return -sum(line.amount_fen for line in self.lines if line.amount_fen < 0 and _counts(line))

    @property
    def transfers_fen(self) -> int:
        """The net of the transfers between the member's cards (zero unless the period
        cuts a reissue in half, which the shared timestamp prevents)."""
        return sum(line.amount_fen for line in self.lines if not _counts(line))

    @property
    def has_transfers(self) -> bool:
        return any(not _counts(line) for line in self.lines)

    @property
    def net_fen(self) -> int:
        """The change of all card balances: credits - debits + transfers."""
        return sum(line.amount_fen for line in self.lines)

    @property
    def paid_fen(self) -> int:
        return sum(line.paid_fen for line in self.lines)

    @property
    def points_in(self) -> int:
        return sum(line.points for line in self.lines if line.points > 0)

    @property
    def points_out(self) -> int:
        return -sum(line.points for line in self.lines if line.points < 0)

    def total(self, *kinds: LedgerKind) -> KindTotal:
        """The lines of ``kinds`` added up (the first kind names the result)."""
        chosen = [t for t in self.totals if t.kind in kinds]
        return KindTotal(
            kind=kinds[0],
            count=sum(t.count for t in chosen),
            amount_fen=sum(t.amount_fen for t in chosen),
            paid_fen=sum(t.paid_fen for t in chosen),
            points=sum(t.points for t in chosen),
        )

    @property
    def top_ups(self) -> KindTotal:
        return self.total(LedgerKind.TOP_UP)

    @property
    def bonuses(self) -> KindTotal:
        return self.total(LedgerKind.BONUS)

    @property
    def purchases(self) -> KindTotal:
        return self.total(LedgerKind.PURCHASE)

    @property
    def refunds(self) -> KindTotal:
        return self.total(LedgerKind.REFUND)

    @property
    def fees(self) -> KindTotal:
        return self.total(*FEE_KINDS)

    @property
    def points_earned(self) -> int:
        return self.total(LedgerKind.POINTS_EARNED).points

    @property
    def points_redeemed(self) -> int:
        return -self.total(LedgerKind.POINTS_REDEEMED).points


def _counts(line: StatementLine) -> bool:
    """Whether ``line`` is money in or out (not a move between the member's cards)."""
    return line.kind not in TRANSFER_KINDS


def default_period(
    today: date, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The period to print when the user names one end or none: ``DEFAULT_MONTHS``
    months up to ``end`` (default: today).  Refuses a period that ends before it starts."""
    end = end or today
    start = start or months_before(end, DEFAULT_MONTHS)
    check_period(start, end)
    return start, end


def check_period(start: date, end: date) -> None:
    if start > end:
        raise DomainError(
            _("对账期间的开始日期 {start} 晚于结束日期 {end}，请重新选择。").format(
                start=start.isoformat(), end=end.isoformat()
            ),
            field="start",
        )


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def statement(db: Database, member_id: int, start: date, end: date) -> Statement:
    """The statement of ``member_id`` for the days ``start`` to ``end`` (both included)."""
    check_period(start, end)
    with db.read() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
        return _statement(session, member, start, end)


def _statement(session: Session, member: Member, start: date, end: date) -> Statement:
    since = datetime.combine(start, time.min)
    until = datetime.combine(end + timedelta(days=1), time.min)
    specialist = session.get(Staff, member.specialist_id) if member.specialist_id else None
    lines = _lines(session, member.id, since, until)
    cards = tuple(
        _card(session, card, since, until, lines)
        for card in session.scalars(
            select(MembershipCard)
            .where(MembershipCard.member_id == member.id)
            .order_by(MembershipCard.id)
        )
    )
    opening_points = _latest_points(session, member.id, since)
    return Statement(
        member_id=member.id,
        name=member.name,
        phone_masked=mask_phone(member.phone),
        tier_name=member.tier.name,
        category=member.category,
        joined_on=member.joined_on,
        specialist=specialist.display_name if specialist else None,
        start=start,
        end=end,
        cards=cards,
        lines=lines,
        opening_points=opening_points,
        closing_points=lines[-1].points_after if lines else opening_points,
        totals=_totals(lines),
    )


def _lines(
    session: Session, member_id: int, since: datetime, until: datetime
) -> tuple[StatementLine, ...]:
    query = (
        select(LedgerEntry, MembershipCard.number, Staff.display_name)
        .outerjoin(MembershipCard, MembershipCard.id == LedgerEntry.card_id)
        .outerjoin(Staff, Staff.id == LedgerEntry.staff_id)
        .where(
            LedgerEntry.member_id == member_id,
            LedgerEntry.at >= since,
            LedgerEntry.at < until,
        )
        .order_by(LedgerEntry.id)
    )
    return tuple(
        StatementLine(
            id=e.id,
            at=e.at,
            kind=e.kind,
            card_number=number,
            amount_fen=e.amount_fen,
            paid_fen=e.paid_fen,
            balance_after_fen=e.balance_after_fen if e.card_id is not None else None,
            points=e.points,
            points_after=e.points_after,
            method=_method(e.payment_method),
            staff=staff,
            reason=e.reason,
        )
        for e, number, staff in session.execute(query)
    )


def _method(value: str | None) -> PaymentMethod | None:
    try:
        return PaymentMethod(value) if value else None
    except ValueError:
        return None


def _card(
    session: Session,
    card: MembershipCard,
    since: datetime,
    until: datetime,
    lines: Iterable[StatementLine],
) -> StatementCard:
    own = [line for line in lines if line.card_number == card.number]
    counted = [line.amount_fen for line in own if _counts(line)]
    moved = [line.amount_fen for line in own if not _counts(line)]
    return StatementCard(
        id=card.id,
        number=card.number,
        kind=card.kind,
        status=card.status,
        issued_on=card.issued_on,
        opening_fen=_latest_balance(session, card.id, since),
        closing_fen=_latest_balance(session, card.id, until),
        credits_fen=sum(a for a in counted if a > 0),
        debits_fen=-sum(a for a in counted if a < 0),
        transfer_in_fen=sum(a for a in moved if a > 0),
        transfer_out_fen=-sum(a for a in moved if a < 0),
    )


def _latest_balance(session: Session, card_id: int, before: datetime) -> int:
    value = session.execute(
        select(LedgerEntry.balance_after_fen)
        .where(LedgerEntry.card_id == card_id, LedgerEntry.at < before)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    ).scalar()
    return int(value or 0)


def _latest_points(session: Session, member_id: int, before: datetime) -> int:
    value = session.execute(
        select(LedgerEntry.points_after)
        .where(LedgerEntry.member_id == member_id, LedgerEntry.at < before)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    ).scalar()
    return int(value or 0)


def _totals(lines: Iterable[StatementLine]) -> tuple[KindTotal, ...]:
    sums: dict[LedgerKind, list[int]] = {}
    for line in lines:
        acc = sums.setdefault(line.kind, [0, 0, 0, 0])
        acc[0] += 1
        acc[1] += line.amount_fen
        acc[2] += line.paid_fen
        acc[3] += line.points
    return tuple(
        KindTotal(kind, count=n, amount_fen=amount, paid_fen=paid, points=points)
        for kind in LedgerKind
        if kind in sums
        for n, amount, paid, points in [sums[kind]]
    )


_NOISE = re.compile(r"[\s\-()（）]")


def find_member(db: Database, key: str) -> int:
    """The member that ``key`` names: a member number, a mobile phone or a card number
    (a replaced card's number too: its history is on the statement)."""
    text = _NOISE.sub("", unicodedata.normalize("NFKC", key))
    if not text:
        raise DomainError(_("请输入会员编号、手机号或会员卡号。"), field="member")
    phones = {text}
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            phones.add(text[len(prefix) :])
    with db.read() as session:
        found: set[int] = set(
            session.scalars(select(MembershipCard.member_id).where(MembershipCard.number == text))
        )
        found.update(session.scalars(select(Member.id).where(Member.phone.in_(phones))))
        if text.isdigit() and len(text) <= 9 and session.get(Member, int(text)) is not None:
            found.add(int(text))
    if not found:
        raise NotFound(
            _("找不到会员编号、手机号或卡号为“{key}”的会员。").format(key=key.strip()),
            field="member",
        )
    if len(found) > 1:
        raise DomainError(
            _("“{key}”同时对应多位会员（编号 {ids}），请改用会员编号。").format(
                key=key.strip(), ids=", ".join(str(i) for i in sorted(found))
            ),
            field="member",
        )
    return found.pop()


def latest_member_id(db: Database) -> int | None:
    """The member with the newest ledger entry: the statement most likely wanted."""
    with db.read() as session:
        return session.execute(
            select(LedgerEntry.member_id).order_by(LedgerEntry.id.desc()).limit(1)
        ).scalar()

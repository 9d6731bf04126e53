"""Checkout (结账) of a booking: the bill, the payment, the receipt, and 反结账.

The bill is the service's list price per guest plus the 加钟 (added minutes priced pro
rata of the service's price per minute), less the member's discount (tier, birthday,
holiday: ``tiers.discount``).  A member pays from the stored-value card or outside it
(cash, bank card, WeChat, Alipay) through ``settlement.settle_in``, which writes the
ledger, the points and the tier upgrade; a walk-in without a profile pays the list
price outside, with no ledger entry.  Either way a ``Checkout`` row is the receipt and
the booking becomes settled, all in one transaction.

A reversal (反结账) is a manager's: it appends compensating ledger entries (kind
REVERSAL, ``reverses_id`` naming the entry undone), marks the checkout reversed and
puts the booking back to finished, so it can be settled again.

Two counters settling one booking: the booking row is locked first (PostgreSQL) or
the write already holds the file (SQLite), so the second finds it settled; the
booking's version and the partial unique index ``ux_checkouts_booking_live`` guard
the rest, and every way of losing reads as one sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import (
    Booking,
    BookingResource,
    Checkout,
    LedgerEntry,
    Member,
    MembershipCard,
    Resource,
    Service,
    Staff,
    Tier,
)
from clubdesk.models.enums import (
    BookingState,
    CardKind,
    CardStatus,
    LedgerKind,
    PaymentMethod,
)
from clubdesk.money import format_fen
from clubdesk.privacy import mask_phone
from clubdesk.services import audit, booking_slots, cards, ledger, settlement, tiers
from clubdesk.services.booking_rules import can_transition, is_session_host, require_transition
from clubdesk.services.bookings import retrying
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember
from clubdesk.services.tiers import FULL_PRICE_BP, Discount
from clubdesk.settings import session_value

# Payment outside the card, in the order the counter offers them.
OUTSIDE_METHODS: tuple[PaymentMethod, ...] = (
    PaymentMethod.CASH,
    PaymentMethod.BANK_CARD,
    PaymentMethod.WECHAT,
    PaymentMethod.ALIPAY,
)
REASON_MAX = 200
_SETTLE_KINDS = (LedgerKind.PURCHASE, LedgerKind.POINTS_EARNED)


def _already_settled() -> str:
    return _("该预约已由其他收银台结账，本次没有收款。请刷新看板查看。")


# -- the bill ---------------------------------------------------------------------------


def list_price(service: Service, guest_count: int, added_minutes: int) -> tuple[int, int]:
    """(the service for every guest, the 加钟) in fen at list price.

    Added minutes cost the service's price per minute for every guest, rounded half
    up to the fen: 30 minutes more of a 60-minute ¥298 massage is ¥149.
    """
    guests = max(guest_count, 1)
    base = service.list_price_fen * guests
    added = 0
    if added_minutes > 0 and service.duration_min > 0:
        numerator = service.list_price_fen * guests * added_minutes
        added = (2 * numerator + service.duration_min) // (2 * service.duration_min)
    return base, added


def mask_card(number: str | None) -> str | None:
    """81****5678: the receipt leaves the counter, the card number is a key to money."""
    if not number:
        return None
    if len(number) <= 6:
        return "*" * (len(number) - 2) + number[-2:]
    return f"{number[:2]}****{number[-4:]}"


@dataclass(frozen=True, slots=True)
class CheckoutQuote:
    """What the checkout form shows before anything is paid."""

    booking_id: int
    version: int  # hand back to ``checkout`` so a bill changed meanwhile is re-read
    state: BookingState
    member_id: int | None
    guest: str  # the member's name, or the walk-in's
    phone_masked: str | None
    tier: str | None
    card_number: str | None  # masked
    card_kind: CardKind | None
    card_status: CardStatus | None
    balance_fen: int | None  # the stored-value balance; None without a stored-value card
    points: int | None  # the member's points now
    service: str
    start_at: datetime
    end_at: datetime
    resources: tuple[str, ...]
    guest_count: int
    unit_fen: int  # list price per guest
    base_fen: int
    added_minutes: int
    added_fen: int
    list_fen: int
    discount: Discount
    due_fen: int
    points_earned: int
    methods: tuple[PaymentMethod, ...]
    preferred: PaymentMethod
    notes: tuple[str, ...]  # why a payment method is not offered
    problem: str | None  # why it cannot be settled now; None when it can
    checkout_id: int | None  # the live checkout when already settled

    @property
    def discount_fen(self) -> int:
        return self.list_fen - self.due_fen

    @property
    def can_settle(self) -> bool:
        return self.problem is None


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    checkout_id: int
    booking_id: int
    list_fen: int
    discount_bp: int
    discount_reason: str
    due_fen: int
    method: PaymentMethod
    card_number: str | None  # masked
    balance_fen: int | None  # the stored-value balance after paying
    points_earned: int
    points: int | None  # the member's points after
    new_tier: str | None  # set when this checkout upgraded the member
    settled_at: datetime


@dataclass(frozen=True, slots=True)
class Reversal:
    checkout_id: int
    booking_id: int
    balance_fen: int | None  # the stored-value balance after the money went back
    points: int | None
    entry_ids: tuple[int, ...]  # the compensating ledger entries


@dataclass(frozen=True, slots=True)
class CheckoutLine:
    """One checkout of a booking (a reversed one stays on the list)."""

    id: int
    settled_at: datetime
    due_fen: int
    method: PaymentMethod
    cashier: str | None
    reversed_at: datetime | None
    reverse_reason: str | None

    @property
    def live(self) -> bool:
        return self.reversed_at is None


@dataclass(frozen=True, slots=True)
class ReceiptData:
    checkout_id: int
    number: str  # the receipt number printed: 00000123
    club_name: str
    club_address: str
    club_phone: str
    booking_id: int
    settled_at: datetime
    guest: str
    member_id: int | None
    card_number: str | None  # masked
    tier: str | None
    service: str
    start_at: datetime
    end_at: datetime
    resources: tuple[str, ...]
    guest_count: int
    unit_fen: int | None  # None when the service's price changed since (no breakdown)
    added_minutes: int
    added_fen: int | None
    list_fen: int
    discount_bp: int
    discount_reason: str | None
    due_fen: int
    method: PaymentMethod
    balance_after_fen: int | None
    points_earned: int
    points_after: int | None
    cashier: str | None
    reversed_at: datetime | None
    reversed_by: str | None
    reverse_reason: str | None

    @property
    def discount_fen(self) -> int:
        return self.list_fen - self.due_fen

    @property
    def reversed(self) -> bool:
        return self.reversed_at is not None


def receipt_number(checkout_id: int) -> str:
    return f"{checkout_id:08d}"


# -- reading ----------------------------------------------------------------------------


def _load_booking(session: Session, booking_id: int, *, lock: bool = False) -> Booking:
    query = (
        select(Booking)
        .where(Booking.id == booking_id)
        .options(selectinload(Booking.allocations), selectinload(Booking.service))
    )
    if lock:
        query = query.with_for_update()
    booking = session.scalars(query).first()
    if booking is None:
        raise NotFound(_("找不到编号为 {id} 的预约，可能已被删除。").format(id=booking_id))
    return booking


def _resource_names(session: Session, booking: Booking) -> tuple[str, ...]:
    """The rooms and staff of the booking; a seat's are those of its session."""
    owner = booking.id if booking.session_id is None else booking.session_id
    names = session.scalars(
        select(Resource.name)
        .join(BookingResource, BookingResource.resource_id == Resource.id)
        .where(BookingResource.booking_id == owner)
        .order_by(Resource.sort_order, Resource.id)
    ).all()
    return tuple(dict.fromkeys(names))  # a resource moved twice is named once


def _live_checkout_id(session: Session, booking_id: int) -> int | None:
    return session.execute(
        select(Checkout.id).where(Checkout.booking_id == booking_id, Checkout.reversed_at.is_(None))
    ).scalar()


def _problem(booking: Booking, session: Session) -> str | None:
    if is_session_host(booking):
        return _("这是“{service}”的场次本身，不能整体结账；请为每位客人的座位分别结账。").format(
            service=booking.service.name
        )
    if booking.state == BookingState.SETTLED:
        live = _live_checkout_id(session, booking.id)
        if live is not None:
            return _("该预约已结账，小票号 {number}。").format(number=receipt_number(live))
        return _("该预约已结账。")
    if not can_transition(booking.state, BookingState.SETTLED):
        return _("预约当前是“{state}”，服务完成后才能结账。").format(state=label(booking.state))
    return None


def quote(db: Database, booking_id: int, at: datetime | None = None) -> CheckoutQuote:
    """The bill of a booking now, and how it can be paid (nothing is written)."""
    at = at or datetime.now()
    with db.read() as session:
        booking = _load_booking(session, booking_id)
        service = booking.service
        base, added = list_price(service, booking.guest_count, booking.added_minutes)
        list_fen = base + added
        notes: list[str] = []
        member = session.get(Member, booking.member_id) if booking.member_id else None
        card: MembershipCard | None = None
        balance: int | None = None
        points: int | None = None
        tier_name: str | None = None
        if member is None:
            deal = Discount(FULL_PRICE_BP, _("散客原价"))
            due = list_fen
            earned = 0
            methods = OUTSIDE_METHODS
        else:
            deal = tiers.discount(session, member, _business_day(session, at))
            tier = session.get(Tier, member.tier_id)
            assert tier is not None  # a foreign key
            tier_name = tier.name
            card = cards.current_card(session, member.id)
            points = ledger.member_points(session, member.id)
            methods = OUTSIDE_METHODS
            due = deal.apply(list_fen)
            earned = (due // 100) * tier.points_per_yuan
            if card is not None and card.kind == CardKind.STORED_VALUE:
                balance = ledger.card_balance(session, card.id)
                if card.status != CardStatus.ACTIVE:
                    notes.append(
                        _("会员卡 {number} 已冻结，不能用储值支付。").format(
                            number=mask_card(card.number)
                        )
                    )
                elif balance < due:
                    notes.append(
                        _("储值余额 {balance} 不足以支付 {due}，请选择其他付款方式。").format(
                            balance=format_fen(balance), due=format_fen(due)
                        )
                    )
                else:
                    methods = (PaymentMethod.STORED_VALUE, *OUTSIDE_METHODS)
        problem = _problem(booking, session)
        return CheckoutQuote(
            booking_id=booking.id,
            version=booking.version,
            state=booking.state,
            member_id=member.id if member else None,
            guest=member.name if member else (booking.guest_name or _("散客")),
            phone_masked=mask_phone(member.phone) if member else None,
            tier=tier_name,
            card_number=mask_card(card.number) if card else None,
            card_kind=card.kind if card else None,
            card_status=card.status if card else None,
            balance_fen=balance,
            points=points,
            service=service.name,
            start_at=booking.start_at,
            end_at=booking.end_at,
            resources=_resource_names(session, booking),
            guest_count=max(booking.guest_count, 1),
            unit_fen=service.list_price_fen,
            base_fen=base,
            added_minutes=booking.added_minutes,
            added_fen=added,
            list_fen=list_fen,
            discount=deal,
            due_fen=due,
            points_earned=earned,
            methods=methods,
            preferred=methods[0],
            notes=tuple(notes),
            problem=problem,
            checkout_id=_live_checkout_id(session, booking.id),
        )


# -- settling ---------------------------------------------------------------------------


def _is_live_clash(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "ux_checkouts_booking_live" in text or "checkouts.booking_id" in text


def checkout(
    db: Database,
    actor: StaffMember | None,
    booking_id: int,
    method: PaymentMethod,
    *,
    at: datetime | None = None,
    expected_version: int | None = None,
    expected_due_fen: int | None = None,
) -> CheckoutResult:
    """Settle a finished booking paid by ``method``; one transaction.

    ``expected_version`` / ``expected_due_fen`` (from the quote the guest was shown)
    refuse a bill that changed in between (加钟 by a colleague, a tier upgrade).
    """
    require(actor, Permission.CHECKOUT)
    method = PaymentMethod(method)
    now = at or datetime.now()

    def work() -> CheckoutResult:
        try:
            with db.write() as session:
                return _checkout(
                    session, actor, booking_id, method, now, expected_version, expected_due_fen
                )
        except IntegrityError as exc:
            if _is_live_clash(exc):
                raise DomainError(_already_settled(), field="state") from exc
            raise
        except StaleDataError as exc:
            raise DomainError(
                _("该预约刚被其他收银台修改或结账，本次没有收款。请刷新后重新核对账单。"),
                field="version",
            ) from exc

    return retrying(work)


def _checkout(
    session: Session,
    actor: StaffMember | None,
    booking_id: int,
    method: PaymentMethod,
    at: datetime,
    expected_version: int | None,
    expected_due_fen: int | None,
) -> CheckoutResult:
    booking = _load_booking(session, booking_id, lock=True)
    if booking.state == BookingState.SETTLED:
        raise DomainError(_already_settled(), field="state")
    service = booking.service
    if is_session_host(booking):
        raise DomainError(
            _("这是“{service}”的场次本身，不能整体结账；请为每位客人的座位分别结账。").format(
                service=service.name
            ),
            field="state",
        )
    require_transition(booking.state, BookingState.SETTLED)
    if expected_version is not None and booking.version != expected_version:
        raise DomainError(
            _("预约在您核对账单后有了变动（如加钟），本次没有收款。请重新核对账单后再结账。"),
            field="version",
        )
    base, added = list_price(service, booking.guest_count, booking.added_minutes)
    list_fen = base + added
    what = _("{service}，预约号 {id}").format(service=service.name, id=booking.id)
    card_id: int | None = None
    card_number: str | None = None
    balance: int | None = None
    points_after: int | None = None
    new_tier: str | None = None
    if booking.member_id is None:
        if method == PaymentMethod.STORED_VALUE:
            raise DomainError(
                _("散客没有会员储值卡，请选择现金、银行卡、微信或支付宝。"), field="method"
            )
        deal = Discount(FULL_PRICE_BP, _("散客原价"))
        due = list_fen
        _check_due(expected_due_fen, due)
        earned = 0
    else:
        member = ledger.lock_member(session, booking.member_id)
        day = _business_day(session, at)
        _check_due(expected_due_fen, tiers.discount(session, member, day).apply(list_fen))
        done = settlement.settle_in(
            session, actor, member, list_fen, method, _("结账：{what}").format(what=what),
            booking.id, at, on=day,
        )  # fmt: skip
        deal, due, earned = done.discount, done.due_fen, done.points_earned
        first = session.get(LedgerEntry, done.entry_ids[0])
        assert first is not None
        card_id = first.card_id
        card = session.get(MembershipCard, card_id) if card_id is not None else None
        card_number = mask_card(card.number) if card else None
        if card is not None and card.kind == CardKind.STORED_VALUE:
            balance = done.balance_fen
        points_after = done.points
        new_tier = done.new_tier
    row = Checkout(
        booking_id=booking.id,
        member_id=booking.member_id,
        card_id=card_id,
        list_fen=list_fen,
        discount_bp=deal.bp,
        discount_reason=deal.reason[:REASON_MAX],
        due_fen=due,
        method=method,
        points_earned=earned,
        settled_at=at,
        settled_by_id=actor.id if actor else None,
    )
    session.add(row)
    before = {"state": booking.state.value}
    booking.state = BookingState.SETTLED
    booking.settled_at = at
    session.flush()  # the version check and the live-checkout index, here
    audit.record(
        session, actor, "booking.checkout", "booking", booking.id,
        before=before,
        after={
            "state": BookingState.SETTLED.value, "checkout_id": row.id, "list_fen": list_fen,
            "discount_bp": deal.bp, "due_fen": due, "method": method.value,
            "points_earned": earned,
        },
        detail=deal.reason, at=at,
    )  # fmt: skip
    return CheckoutResult(
        checkout_id=row.id,
        booking_id=booking.id,
        list_fen=list_fen,
        discount_bp=deal.bp,
        discount_reason=deal.reason,
        due_fen=due,
        method=method,
        card_number=card_number,
        balance_fen=balance,
        points_earned=earned,
        points=points_after,
        new_tier=new_tier,
        settled_at=at,
    )


def _check_due(expected: int | None, due: int) -> None:
    if expected is not None and expected != due:
        raise DomainError(
            _("应收金额已变为 {due}（原为 {was}），本次没有收款。请重新核对账单后再结账。").format(
                due=format_fen(due), was=format_fen(expected)
            ),
            field="version",
        )


# -- 反结账 -----------------------------------------------------------------------------


def _unreversed_entries(session: Session, booking_id: int, member_id: int) -> list[LedgerEntry]:
    """The purchase and points entries of the booking that no reversal undid yet."""
    undo = aliased(LedgerEntry)
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.booking_id == booking_id,
                LedgerEntry.member_id == member_id,
                LedgerEntry.kind.in_(_SETTLE_KINDS),
                ~select(undo.id).where(undo.reverses_id == LedgerEntry.id).exists(),
            )
            .order_by(LedgerEntry.id)
        )
    )


def _refund_card(
    session: Session, entry: LedgerEntry, member_id: int
) -> tuple[MembershipCard | None, bool]:
    """The card a compensating entry goes on, and whether it is a stored-value card.

    Money goes back to the card it came from; a card reissued since has handed its
    balance to the new one, so the money follows it there.
    """
    card = session.get(MembershipCard, entry.card_id) if entry.card_id is not None else None
    if entry.amount_fen == 0 or (
        card is not None and card.status in (CardStatus.ACTIVE, CardStatus.FROZEN)
    ):
        return card, card is not None and card.kind == CardKind.STORED_VALUE
    current = cards.current_card(session, member_id)
    if current is None or current.kind != CardKind.STORED_VALUE:
        raise DomainError(
            _("付款的储值卡已停用，会员也没有在用的储值卡，卡内金额无法退回。请先为会员办卡。"),
            field="card",
        )
    return current, True


def reverse(
    db: Database,
    actor: StaffMember | None,
    checkout_id: int,
    reason: str,
    *,
    at: datetime | None = None,
) -> Reversal:
    """反结账: undo a checkout with compensating ledger entries; manager only."""
    require(actor, Permission.CHECKOUT_REVERSE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("反结账必须填写原因。"), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("原因不能超过 {n} 个字。").format(n=REASON_MAX), field="reason")
    now = at or datetime.now()

    def work() -> Reversal:
        try:
            with db.write() as session:
                return _reverse(session, actor, checkout_id, reason, now)
        except StaleDataError as exc:
            raise DomainError(
                _("该预约刚被其他收银台修改，本次没有反结账。请刷新后重试。"), field="version"
            ) from exc

    return retrying(work)


def _reverse(
    session: Session, actor: StaffMember | None, checkout_id: int, reason: str, at: datetime
) -> Reversal:
    row = session.scalars(
        select(Checkout).where(Checkout.id == checkout_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(
            _("找不到小票号为 {number} 的结账记录。").format(number=receipt_number(checkout_id))
        )
    if row.reversed_at is not None:
        raise DomainError(
            _("小票 {number} 已经反结账，不能重复反结账。").format(number=receipt_number(row.id)),
            field="state",
        )
    booking = _load_booking(session, row.booking_id, lock=True)
    require_transition(booking.state, BookingState.FINISHED)
    undone: list[LedgerEntry] = []
    balance: int | None = None
    points: int | None = None
    if row.member_id is not None:
        member = ledger.lock_member(session, row.member_id)
        entries = _unreversed_entries(session, booking.id, member.id)
        take_back = sum(e.points for e in entries)
        have = ledger.member_points(session, member.id)
        if take_back > have:
            raise DomainError(
                _(
                    "会员已用掉了本次结账获得的积分：现有 {have} 分，反结账需扣回 {need} 分。"
                    "请先与会员协商处理积分后再反结账。"
                ).format(have=have, need=take_back),
                field="points",
            )
        why = _("反结账（小票 {number}）：{reason}").format(
            number=receipt_number(row.id), reason=reason
        )
        for entry in reversed(entries):  # the points first, then the money
            card, stored = _refund_card(session, entry, member.id)
            undone.append(
                ledger.append(
                    session, actor, member_id=member.id, card=card, kind=LedgerKind.REVERSAL,
                    at=at, reason=why, amount_fen=-entry.amount_fen, points=-entry.points,
                    paid_fen=-entry.paid_fen,
                    method=PaymentMethod(entry.payment_method) if entry.payment_method else None,
                    booking_id=booking.id, reverses_id=entry.id,
                )
            )  # fmt: skip
            if stored:
                balance = undone[-1].balance_after_fen
        points = ledger.member_points(session, member.id)
    row.reversed_at = at
    row.reversed_by_id = actor.id if actor else None
    row.reverse_reason = reason
    booking.state = BookingState.FINISHED
    booking.settled_at = None
    session.flush()
    audit.record(
        session, actor, "booking.checkout_reverse", "booking", booking.id,
        before={"state": BookingState.SETTLED.value, "checkout_id": row.id},
        after={
            "state": BookingState.FINISHED.value,
            "reversal_entries": [e.id for e in undone],
        },
        detail=reason, at=at,
    )  # fmt: skip
    return Reversal(
        checkout_id=row.id,
        booking_id=booking.id,
        balance_fen=balance,
        points=points,
        entry_ids=tuple(e.id for e in undone),
    )


# -- receipts and lists -----------------------------------------------------------------


def checkouts_for_booking(db: Database, booking_id: int) -> list[CheckoutLine]:
    """Every checkout of the booking, oldest first (reversed ones included)."""
    with db.read() as session:
        rows = session.execute(
            select(Checkout, Staff.display_name)
            .outerjoin(Staff, Staff.id == Checkout.settled_by_id)
            .where(Checkout.booking_id == booking_id)
            .order_by(Checkout.id)
        ).all()
        return [
            CheckoutLine(
                id=c.id,
                settled_at=c.settled_at,
                due_fen=c.due_fen,
                method=c.method,
                cashier=cashier,
                reversed_at=c.reversed_at,
                reverse_reason=c.reverse_reason,
            )
            for c, cashier in rows
        ]


def latest_id(db: Database) -> int | None:
    """The newest checkout, for ``clubdesk print receipt --id latest``."""
    with db.read() as session:
        value = session.execute(select(func.max(Checkout.id))).scalar()
        return int(value) if value is not None else None


def _own_entries(
    session: Session, row: Checkout, siblings: Sequence[Checkout]
) -> list[LedgerEntry]:
    """The purchase (and the points it earned) that this checkout wrote.

    Each member checkout of a booking writes one PURCHASE followed by its points, so
    the n-th member checkout of the booking owns the n-th purchase group.
    """
    if row.member_id is None:
        return []
    entries = session.scalars(
        select(LedgerEntry)
        .where(
            LedgerEntry.booking_id == row.booking_id,
            LedgerEntry.member_id == row.member_id,
            LedgerEntry.kind.in_(_SETTLE_KINDS),
        )
        .order_by(LedgerEntry.id)
    ).all()
    groups: list[list[LedgerEntry]] = []
    for entry in entries:
        if entry.kind == LedgerKind.PURCHASE or not groups:
            groups.append([entry])
        else:
            groups[-1].append(entry)
    index = [c.id for c in siblings if c.member_id == row.member_id].index(row.id)
    return groups[index] if index < len(groups) else []


def receipt(db: Database, checkout_id: int) -> ReceiptData:
    """Everything the receipt prints, as it was at checkout."""
    with db.read() as session:
        row = session.get(Checkout, checkout_id)
        if row is None:
            raise NotFound(
                _("找不到小票号为 {number} 的结账记录。").format(number=receipt_number(checkout_id))
            )
        booking = _load_booking(session, row.booking_id)
        started = booking.service_started_at or booking.start_at
        service = booking.service
        member = session.get(Member, row.member_id) if row.member_id else None
        card = session.get(MembershipCard, row.card_id) if row.card_id else None
        siblings = session.scalars(
            select(Checkout).where(Checkout.booking_id == row.booking_id).order_by(Checkout.id)
        ).all()
        own = _own_entries(session, row, siblings)
        balance: int | None = None
        points_after: int | None = None
        if own:
            purchase = own[0]
            if card is not None and card.kind == CardKind.STORED_VALUE:
                balance = purchase.balance_after_fen
            points_after = own[-1].points_after
        base, added = list_price(service, booking.guest_count, booking.added_minutes)
        breakdown = base + added == row.list_fen
        tier_name: str | None = None
        if member is not None:
            tier = session.get(Tier, member.tier_id)
            tier_name = tier.name if tier else None
        staff = {
            s.id: s.display_name
            for s in session.scalars(
                select(Staff).where(Staff.id.in_([row.settled_by_id, row.reversed_by_id]))
            )
        }
        return ReceiptData(
            checkout_id=row.id,
            number=receipt_number(row.id),
            club_name=str(session_value(session, "club.name")),
            club_address=str(session_value(session, "club.address") or ""),
            club_phone=str(session_value(session, "club.phone") or ""),
            booking_id=booking.id,
            settled_at=row.settled_at,
            guest=member.name if member else (booking.guest_name or _("散客")),
            member_id=member.id if member else None,
            card_number=mask_card(card.number) if card else None,
            tier=tier_name,
            service=service.name,
            # The time the guest actually had, where the counter recorded it.
            start_at=started,
            end_at=max(booking.finished_at or booking.end_at, started + timedelta(minutes=1)),
            resources=_resource_names(session, booking),
            guest_count=max(booking.guest_count, 1),
            unit_fen=service.list_price_fen if breakdown else None,
            added_minutes=booking.added_minutes,
            added_fen=added if breakdown else None,
            list_fen=row.list_fen,
            discount_bp=row.discount_bp,
            discount_reason=row.discount_reason,
            due_fen=row.due_fen,
            method=row.method,
            balance_after_fen=balance,
            points_earned=row.points_earned,
            points_after=points_after,
            cashier=staff.get(row.settled_by_id) if row.settled_by_id else None,
            reversed_at=row.reversed_at,
            reversed_by=staff.get(row.reversed_by_id) if row.reversed_by_id else None,
            reverse_reason=row.reverse_reason,
        )


def _business_day(session: Session, at: datetime) -> date:
    """The day whose birthday and holiday offers apply: 00:40 is still last evening."""
    return booking_slots.business_day(at, *booking_slots.opening_hours(session))

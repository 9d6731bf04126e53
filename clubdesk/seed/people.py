"""Members, their cards and their money/points ledger: the million-row part of the seed.

One pass per member builds the member row, the card row(s) and every ledger entry of
that member in time order, carrying the card balance and the points total along, so
``balance_after_fen`` and ``points_after`` are right by construction.  Ledger entries
are collected per day and handed out in time order once no later member can add to
that day (members join in id order), so ledger ids grow with time the way an
append-only ledger's do, without the whole ledger waiting in memory.

A stored-value card pays from its balance; a discount card holds no money, so its
visits are "purchase" entries of amount 0 with the price in ``paid_fen``, the money
taken at the counter, as a top-up's payment is.  Each member's roster search terms
(``clubdesk.search_terms.member_terms``) go out with the member, sorted per chunk.

The loop is written for speed, not elegance: random draws are batched where the
standard library allows (``choices(k=…)``), everything it touches is a local, times are
ints, and nothing is formatted that a table look-up can give.
"""

from __future__ import annotations

import random
from bisect import bisect, bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter

from clubdesk.models.enums import CustomerCategory
from clubdesk.search_terms import member_terms
from clubdesk.seed import catalog, names
from clubdesk.seed.clock import DAY, HOUR, Clock

MEMBER_COLUMNS = (
    "id", "name", "name_initials", "phone", "phone_last4", "foreign_phone", "gender",
    "birthday", "birthday_mmdd", "age", "wechat", "email", "preferences", "special_needs", "notes",
    "referred_by_id", "joined_on", "specialist_id", "tier_id", "category", "last_visit_at",
    "no_show_count", "version", "created_at",
)  # fmt: skip
CARD_COLUMNS = (
    "id", "number", "member_id", "kind", "status", "issued_on", "annual_fee_paid_until",
    "replaces_id", "created_at",
)  # fmt: skip
LEDGER_COLUMNS = (
    "member_id", "card_id", "kind", "amount_fen", "balance_after_fen", "points",
    "points_after", "at", "staff_id", "reason", "payment_method", "paid_fen", "booking_id",
)  # fmt: skip
SEARCH_COLUMNS = ("term", "member_id")

Row = tuple[object, ...]

# Mainland mobile prefixes with rough weights of how many numbers are in use.
PHONE_PREFIXES = (
    (130, 4), (131, 4), (132, 4), (133, 3), (134, 3), (135, 6), (136, 6), (137, 5),
    (138, 7), (139, 7), (150, 4), (151, 4), (152, 3), (153, 2), (155, 3), (156, 3),
    (157, 2), (158, 4), (159, 4), (166, 2), (173, 1), (176, 2), (177, 2), (178, 1),
    (180, 3), (181, 3), (182, 3), (183, 2), (184, 1), (185, 2), (186, 4), (187, 3),
    (188, 3), (189, 4), (198, 2), (199, 2),
)  # fmt: skip
MAINLAND_PREFIXES = frozenset(p for p, _ in PHONE_PREFIXES)

# Tier weights (ordinary … diamond) by card kind: stored value is where the spenders are.
TIER_WEIGHTS_DISCOUNT = (74, 17, 6, 2, 1)
TIER_WEIGHTS_STORED = (40, 30, 17, 9, 4)
STORED_VALUE_SHARE = 0.4
REISSUE_SHARE = 0.015
# Visits per member before the demo week, drawn from this list.
VISIT_COUNTS = (0, 1, 1, 1, 2, 2, 2, 3, 3, 4)
ACTIVE_SHARE = 0.55  # members seen in the last two months; the rest drift (churn)


@dataclass(frozen=True, slots=True)
class Tier:
    id: int
    discount_bp: int
    points_per_yuan: int


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit the booking plan already knows about (the demo week)."""

    ts: int  # settled_at when paid, else when the guest arrived
    service: int  # index into catalog.SERVICES
    booking_id: int | None
    paid: bool


@dataclass(frozen=True, slots=True)
class Compensation:
    ts: int
    fen: int
    reason: str


@dataclass
class Plan:
    """What the activity generators decided about members before they are written."""

    visits: dict[int, list[Visit]] = field(default_factory=dict)
    compensations: dict[int, list[Compensation]] = field(default_factory=dict)


@dataclass
class Counts:
    members: int = 0
    cards: int = 0
    ledger: int = 0


class People:
    """Generates members 1 … n with their cards and ledger, chunk by chunk."""

    def __init__(
        self,
        rng: random.Random,
        clock: Clock,
        n: int,
        *,
        tiers: list[Tier],
        front_desk: list[int],
        specialists: list[int],
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.n = n
        self.tiers = tiers
        self.front_desk = front_desk
        self.specialists = specialists
        self.plan = Plan()
        self.counts = Counts()
        self.buckets: defaultdict[int, list[Row]] = defaultdict(list)
        self.reissued_cards: list[Row] = []
        self._used_phones: set[int] = set()
        # What each service costs at each tier (rounded down to whole yuan, as counters
        # charge) and the points it earns.
        self.prices = [
            [spec.price_fen * t.discount_bp // 10_000 // 100 * 100 for t in tiers]
            for spec in catalog.SERVICES
        ]
        self.points_for = [
            [price // 100 * t.points_per_yuan for price, t in zip(row, tiers, strict=True)]
            for row in self.prices
        ]
        self.points_reason = [
            [f"消费积分：{spec.name}，实付 {_fen_text(price)} 元" for price in row]
            for spec, row in zip(catalog.SERVICES, self.prices, strict=True)
        ]
        # Adults of 18 to 70 on the seeding day.
        first = clock.today - timedelta(days=int(70 * 365.25))
        last = clock.today - timedelta(days=int(18 * 365.25))
        self.birthdays = [
            (first + timedelta(days=d)).isoformat() for d in range((last - first).days + 1)
        ]
        self.birthdays_mmdd = [b[5:7] + b[8:10] for b in self.birthdays]
        # The roster's search terms.  Names repeat a lot (a few hundred surnames times a
        # few thousand given names), so the common ones are computed once.
        self._terms = lru_cache(maxsize=1 << 17)(_member_terms)
        # Joining times in business hours (10:00-22:00) over five years up to yesterday,
        # sorted so that member ids grow with the joining date, as they would.
        start = clock.today_day - 5 * 365
        span = (clock.today_day - start) * DAY
        raw = sorted(int(rng.random() * span) for _ in range(n))
        self.join_ts = [(start + r // DAY) * DAY + 10 * HOUR + (r % DAY) // 2 for r in raw]
        # Lost cards: which members and when.  The new cards get ids after all first
        # cards, in the order they were issued.
        chosen = rng.sample(range(1, n + 1), round(n * REISSUE_SHARE))
        when: list[tuple[int, int]] = []
        for member_id in sorted(chosen):
            lo = self.join_ts[member_id - 1] + 30 * DAY
            hi = clock.today_day * DAY - 3 * DAY
            if lo < hi:
                when.append((_business_hours(rng.randrange(lo, hi)), member_id))
        when.sort()
        self.reissue: dict[int, tuple[int, int]] = {
            member_id: (ts, n + k) for k, (ts, member_id) in enumerate(when, start=1)
        }

    def last_member_joined_by(self, ts: int) -> int:
        """The highest member id that had joined at ``ts`` (0: nobody yet)."""
        return bisect_right(self.join_ts, ts)

    def complete_days(self, next_member: int) -> int:
        """Days before this day number have their whole ledger once the members before
        ``next_member`` are generated: a member's entries start when they join, and
        members are generated in joining order."""
        return self.join_ts[next_member - 1] // DAY

    def ledger_days(self, before: int | None = None) -> Iterator[list[Row]]:
        """Ledger rows a day at a time in time order, taken out of the buckets: every
        day, or only the days before day number ``before``."""
        for day in sorted(d for d in self.buckets if before is None or d < before):
            bucket = self.buckets.pop(day)
            bucket.sort(key=_AT)  # stable: one member's same-second entries keep order
            yield bucket

    def chunk(self, lo: int, hi: int) -> tuple[list[Row], list[Row], list[Row]]:
        """Members ``lo`` … ``hi - 1``: their rows, first-card rows and search-term rows
        (``SEARCH_COLUMNS``, sorted).  Ledger rows go to the day buckets, reissued cards
        to ``reissued_cards``."""
        rng = self.rng
        rand = rng.random
        dates = self.clock.dates
        times = self.clock.times
        recent_end = self.clock.today_day * DAY  # visits outside the plan end yesterday
        now_ts = self.clock.now_ts
        today_day = self.clock.today_day
        surnames = rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM, k=hi - lo)
        prefixes = rng.choices(_PREFIXES, cum_weights=_PREFIX_CUM, k=hi - lo)
        used = self._used_phones
        front_desk = self.front_desk
        n_front = len(front_desk)
        specialists = self.specialists
        n_spec = len(specialists)
        tier_ids = [t.id for t in self.tiers]
        prices = self.prices
        points_for = self.points_for
        points_reason = self.points_reason
        purchase_reason = _PURCHASE_REASON
        purchase_pick = _PURCHASE_PICK
        n_pick = len(purchase_pick)
        birthdays = self.birthdays
        birthdays_mmdd = self.birthdays_mmdd
        n_birthdays = len(birthdays)
        terms = self._terms
        visits_plan = self.plan.visits
        comp_plan = self.plan.compensations
        reissue = self.reissue
        ledger = self.buckets
        join_ts = self.join_ts
        n_all = self.n
        reissued_cards = self.reissued_cards
        top_ups = _TOP_UPS
        top_up_cum = _TOP_UP_CUM
        top_up_reason = _TOP_UP_REASON
        bonuses = _BONUSES
        bonus_reason = _BONUS_REASON
        methods = _METHODS
        method_cum = _METHOD_CUM
        redemptions = catalog.REDEMPTIONS
        n_redemptions = len(redemptions)
        reissue_fee = catalog.REISSUE_FEE_FEN
        visit_counts = VISIT_COUNTS
        n_visit_counts = len(visit_counts)

        members: list[Row] = []
        cards: list[Row] = []
        search: defaultdict[str, list[int]] = defaultdict(list)
        ledger_count = 0

        for i in range(lo, hi):
            r = rand()
            female = r < 0.52 or (r >= 0.99 and r < 0.995)
            gender = "U" if r >= 0.99 else ("F" if female else "M")
            if rand() < 0.22:
                pool = _F_SINGLE if female else _M_SINGLE
            else:
                pool = _F_DOUBLE if female else _M_DOUBLE
            given, given_init = pool[int(rand() * len(pool))]
            surname = surnames[i - lo]
            name = surname + given
            heads = _SURNAME_INITIALS[surname]
            if len(heads) == 1:
                initials = heads[0] + given_init
            else:
                initials = " ".join([h + given_init for h in heads])
            for term in terms(name, initials):
                search[term].append(i)

            prefix = prefixes[i - lo] * 100_000_000
            number = prefix + int(rand() * 100_000_000)
            while number in used:
                number = prefix + int(rand() * 100_000_000)
            used.add(number)
            phone = str(number)

            r = rand()
            birthday: str | None = None
            mmdd: str | None = None
            age: int | None = None
            if r < 0.85:
                k = int(rand() * n_birthdays)
                birthday = birthdays[k]
                mmdd = birthdays_mmdd[k]
            elif r < 0.93:
                age = 20 + int(rand() * 45)
            wechat = f"wxid_{int(rand() * 0xFFFFFFFFFF):010x}" if rand() < 0.35 else None
            email = f"{10_000_000 + int(rand() * 2e9)}@qq.com" if rand() < 0.08 else None
            prefs = _PREFS[int(rand() * len(_PREFS))] if rand() < 0.18 else None
            needs = _NEEDS[int(rand() * len(_NEEDS))] if rand() < 0.08 else None
            notes = _NOTES[int(rand() * len(_NOTES))] if rand() < 0.03 else None
            referred = None
            if i > 50 and rand() < 0.12:
                # Half the referrals come from a few ambassadors among the early members,
                # so some members reach the referral thresholds of the tier rules.
                top = min(i - 1, max(1, n_all // 200)) if rand() < 0.5 else i - 1
                referred = 1 + int(rand() * top)
            specialist = specialists[int(rand() * n_spec)]

            # A member a complaint compensated holds a stored-value card: the approved
            # solution credited the card through the ledger, as the workflow requires.
            stored = rand() < STORED_VALUE_SHARE or i in comp_plan
            tier_no = bisect(_TIER_CUM_STORED if stored else _TIER_CUM_DISCOUNT, rand())

            joined = join_ts[i - 1]
            join_day = joined // DAY
            joined_text = dates[join_day] + times[joined % DAY]

            # The first card has the member's id, so card ids follow joining too.
            card_id = i
            card_kind = "stored_value" if stored else "discount"
            status = "frozen" if rand() < 0.01 else "active"
            fee_until = None
            if rand() < 0.2:  # pays the annual fee; a few have let it lapse
                years = max(1, (today_day - join_day) // 365 + (rand() < 0.85))
                fee_until = dates[join_day + 365 * years]
            swap = reissue.get(i)
            if swap is None:
                cards.append(
                    (card_id, _card_number(card_id), i, card_kind, status, dates[join_day],
                     fee_until, None, joined_text)
                )  # fmt: skip
                new_card = 0
            else:
                swap_ts, new_card = swap
                cards.append(
                    (card_id, _card_number(card_id), i, card_kind, "replaced", dates[join_day],
                     None, None, joined_text)
                )  # fmt: skip
                reissued_cards.append(
                    (new_card, _card_number(new_card), i, card_kind, status,
                     dates[swap_ts // DAY], fee_until, card_id,
                     dates[swap_ts // DAY] + times[swap_ts % DAY])
                )  # fmt: skip

            # Visits before the demo week, then the ones the booking plan knows about.
            planned = visits_plan.get(i)
            if rand() < ACTIVE_SHARE:
                last = now_ts - int(rand() * 60 * DAY)
            else:
                last = joined + int(rand() * (now_ts - joined))
            last = min(last, recent_end)
            if planned is not None:
                last = min(last, planned[0].ts - DAY)
            events: list[tuple[int, int, int | None, int]] = []
            if last > joined + HOUR:
                span = last - joined - HOUR
                for _ in range(visit_counts[int(rand() * n_visit_counts)]):
                    events.append(
                        (_business_hours(joined + HOUR + int(rand() * span)),
                         purchase_pick[int(rand() * n_pick)], None, _PAID)
                    )  # fmt: skip
                if len(events) > 1:
                    events.sort()
            if planned is not None:
                events.extend(
                    (v.ts, v.service, v.booking_id, _PAID if v.paid else _UNPAID) for v in planned
                )
            comps = comp_plan.get(i)
            if comps is not None or swap is not None:
                if comps is not None:
                    events.extend((c.ts, 0, None, _COMPENSATION) for c in comps)
                if swap is not None:
                    events.append((swap[0], 0, None, _LOST_CARD))
                events.sort(key=_first)

            # The ledger of this member, in time order.
            balance = 0
            points = 0
            t = joined
            staff = front_desk[int(rand() * n_front)]
            card = card_id
            entries = 0
            if stored:
                amount = top_ups[bisect(top_up_cum, rand())]
                balance = amount
                ledger[t // DAY].append(
                    (i, card, "top_up", amount, balance, 0, 0, joined_text, staff,
                     top_up_reason[amount], methods[bisect(method_cum, rand())], amount, None)
                )  # fmt: skip
                entries += 1
                bonus = bonuses[amount]
                if bonus:
                    t += 1
                    balance += bonus
                    ledger[t // DAY].append(
                        (i, card, "bonus", bonus, balance, 0, 0,
                         dates[t // DAY] + times[t % DAY], staff, bonus_reason[amount], None, 0,
                         None)
                    )  # fmt: skip
                    entries += 1
            last_visit = joined if rand() < 0.9 else None
            comp_k = 0
            for ts, svc, booking_id, what in events:
                t = ts if ts > t else t + 1
                text = dates[t // DAY] + times[t % DAY]
                if what == _LOST_CARD:
                    # Reissue: the balance moves to the new card, which pays the fee.
                    if balance:
                        ledger[t // DAY].append(
                            (i, card, "transfer_out", -balance, 0, 0, points, text, staff,
                             _TRANSFER_OUT, None, 0, None)
                        )  # fmt: skip
                        t += 1
                        ledger[t // DAY].append(
                            (i, new_card, "transfer_in", balance, balance, 0, points,
                             dates[t // DAY] + times[t % DAY], staff, _TRANSFER_IN, None, 0,
                             None)
                        )  # fmt: skip
                        entries += 2
                        if balance >= reissue_fee:
                            t += 1
                            balance -= reissue_fee
                            ledger[t // DAY].append(
                                (i, new_card, "reissue_fee", -reissue_fee, balance, 0, points,
                                 dates[t // DAY] + times[t % DAY], staff, _REISSUE_REASON,
                                 None, 0, None)
                            )  # fmt: skip
                            entries += 1
                    card = new_card
                    continue
                if what == _COMPENSATION:
                    assert comps is not None  # a compensation event comes from comps
                    comp = comps[comp_k]
                    comp_k += 1
                    balance += comp.fen
                    ledger[t // DAY].append(
                        (i, card, "compensation", comp.fen, balance, 0, points, text,
                         staff, comp.reason, None, 0, None)
                    )  # fmt: skip
                    entries += 1
                    continue
                if last_visit is None or t > last_visit:
                    last_visit = t
                if what == _UNPAID:  # arrived or in service today: pays later
                    continue
                price = prices[svc][tier_no]
                if stored:
                    if balance < price:
                        amount = top_ups[bisect(top_up_cum, rand())]
                        while amount < price:
                            amount *= 2
                        balance += amount
                        ledger[t // DAY].append(
                            (i, card, "top_up", amount, balance, 0, points, text, staff,
                             top_up_reason.get(amount) or _top_up_reason(amount),
                             methods[bisect(method_cum, rand())], amount, None)
                        )  # fmt: skip
                        entries += 1
                        t += 1
                        text = dates[t // DAY] + times[t % DAY]
                    balance -= price
                    ledger[t // DAY].append(
                        (i, card, "purchase", -price, balance, 0, points, text, staff,
                         purchase_reason[svc], None, 0, booking_id)
                    )  # fmt: skip
                else:
                    # A discount card holds no money: the discounted price is paid at the
                    # counter, and the ledger records what was taken.
                    ledger[t // DAY].append(
                        (i, card, "purchase", 0, balance, 0, points, text, staff,
                         purchase_reason[svc], methods[bisect(method_cum, rand())], price,
                         booking_id)
                    )  # fmt: skip
                entries += 1
                t += 1
                text = dates[t // DAY] + times[t % DAY]
                earned = points_for[svc][tier_no]
                if earned:
                    points += earned
                    ledger[t // DAY].append(
                        (i, card, "points_earned", 0, balance, earned, points, text, staff,
                         points_reason[svc][tier_no], None, 0, booking_id)
                    )  # fmt: skip
                    entries += 1
                if points >= 500 and rand() < 0.15:
                    cost, reason = redemptions[int(rand() * n_redemptions)]
                    if cost > points:
                        cost, reason = redemptions[0]
                    t += 1
                    points -= cost
                    ledger[t // DAY].append(
                        (i, card, "points_redeemed", 0, balance, -cost, points,
                         dates[t // DAY] + times[t % DAY], staff, reason, None, 0, None)
                    )  # fmt: skip
                    entries += 1
            ledger_count += entries

            members.append(
                (i, name, initials, phone, phone[-4:], 0, gender, birthday, mmdd, age, wechat,
                 email, prefs, needs, notes, referred, dates[join_day], specialist,
                 tier_ids[tier_no],
                 _category(rand(), tier_no, len(events)),
                 None if last_visit is None else dates[last_visit // DAY]
                 + times[last_visit % DAY],
                 1 if rand() < 0.03 else 0, 1, joined_text)
            )  # fmt: skip

        self.counts.members += len(members)
        self.counts.cards += len(cards)
        self.counts.ledger += ledger_count
        # Sorted by (term, member id), the order of the table's key, so each chunk goes
        # into the B-tree as a run of appends per term rather than random inserts.
        return members, cards, [(term, m) for term in sorted(search) for m in search[term]]


def _member_terms(name: str, initials: str) -> tuple[str, ...]:
    return tuple(member_terms(name, initials))


def _first(event: tuple[int, int, int | None, int]) -> int:
    return event[0]


def _business_hours(ts: int) -> int:
    """The same day, squeezed into 10:00-23:30: nobody buys a massage at 4 a.m."""
    day, second = divmod(ts, DAY)
    return day * DAY + 10 * HOUR + second * 27 // 48


def _card_number(card_id: int) -> str:
    # "8" + 9 digits, growing with the id (cards are printed in numbered batches) but
    # not consecutive, so a number cannot be guessed from the one before.
    return f"8{100_000_000 + card_id * 37 + (card_id * 7919) % 37:09d}"


def _bonus(amount: int) -> int:
    return max((bonus for pay, bonus in catalog.TOP_UP_BONUS if amount >= pay), default=0)


def _category(r: float, tier_no: int, visits: int) -> str:
    if tier_no >= 3 and r < 0.8:
        return _VIP
    if visits >= 3 and r < 0.7:
        return _LONG_TERM
    if r < 0.3:
        return _BOOKED
    if r < 0.38:
        return _LONG_TERM
    return _WALK_IN


def _fen_text(fen: int) -> str:
    yuan, cents = divmod(fen, 100)
    return f"{yuan}.{cents:02d}"


def _top_up_reason(amount: int) -> str:
    return f"会员充值 {_fen_text(amount)} 元"


def _cum(weights: tuple[int, ...]) -> list[float]:
    total = sum(weights)
    return [c / total for c in accumulate(weights)][:-1]  # bisect gives 0 … len-1


def _with_initials(given: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(g, names.given_initials(g)) for g in given]


_VIP = CustomerCategory.VIP.value
_LONG_TERM = CustomerCategory.LONG_TERM.value
_BOOKED = CustomerCategory.BOOKED.value
_WALK_IN = CustomerCategory.WALK_IN.value

_AT = itemgetter(LEDGER_COLUMNS.index("at"))

# Event kinds in a member's time line.
_PAID, _UNPAID, _COMPENSATION, _LOST_CARD = 0, 1, 2, 3

# Tables the loop indexes instead of computing per row.
_SURNAMES = [s for s, _ in names.SURNAME_WEIGHTS]
_SURNAME_CUM = list(accumulate(w for _, w in names.SURNAME_WEIGHTS))
_SURNAME_INITIALS = {s: names.surname_initials(s) for s in _SURNAMES}
_PREFIXES = [p for p, _ in PHONE_PREFIXES]
_PREFIX_CUM = list(accumulate(w for _, w in PHONE_PREFIXES))
_M_SINGLE = _with_initials(names.MALE_SINGLE)
_M_DOUBLE = _with_initials(names.MALE_DOUBLE)
_F_SINGLE = _with_initials(names.FEMALE_SINGLE)
_F_DOUBLE = _with_initials(names.FEMALE_DOUBLE)
_PREFS = catalog.PREFERENCES
_NEEDS = catalog.SPECIAL_NEEDS
_NOTES = catalog.NOTES
_TIER_CUM_DISCOUNT = _cum(TIER_WEIGHTS_DISCOUNT)
_TIER_CUM_STORED = _cum(TIER_WEIGHTS_STORED)
_TOP_UPS = [y * catalog.YUAN for y in catalog.TOP_UP_YUAN]
_TOP_UP_CUM = _cum(catalog.TOP_UP_WEIGHTS)
_METHODS = catalog.PAYMENT_METHODS
_METHOD_CUM = _cum(catalog.PAYMENT_WEIGHTS)
_TOP_UP_REASON = {a: _top_up_reason(a) for a in _TOP_UPS}
_BONUSES = {a: _bonus(a) for a in _TOP_UPS}
_BONUS_REASON = {a: f"充值赠送 {_fen_text(_bonus(a))} 元" for a in _TOP_UPS}
_TRANSFER_OUT = "挂失补卡：余额转出至新卡"
_TRANSFER_IN = "挂失补卡：余额由旧卡转入"
_REISSUE_REASON = f"补卡工本费 {_fen_text(catalog.REISSUE_FEE_FEN)} 元，从新卡余额扣除"
_PURCHASE_PICK = [
    n for n, spec in enumerate(catalog.SERVICES) for _ in range(catalog.PURCHASE_WEIGHTS[spec.key])
]
_PURCHASE_REASON = [f"消费：{spec.name}" for spec in catalog.SERVICES]

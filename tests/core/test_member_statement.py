"""The member statement (会员对账单): the service against the ledger, and the PDF read
back with poppler's pdftotext."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from clubdesk import cli, i18n
from clubdesk.commands import printing
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.models import LedgerEntry, Member, MembershipCard, Staff
from clubdesk.models.enums import CardKind, CardStatus, LedgerKind, PaymentMethod, Role
from clubdesk.money import format_fen
from clubdesk.pdf.forms.member_statement import render_member_statement
from clubdesk.pdf.registry import FORMS, PrintOptions, render_form
from clubdesk.services import cards
from clubdesk.services import statement as st
from clubdesk.services.labels import label
from tests.core.roster_helpers import member, staff

PRINTED_AT = datetime(2026, 11, 23, 14, 5)
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")  # only the ledger lines print ISO dates

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (Debian package poppler-utils)"
)


def pdf_text(path: Path) -> str:
    assert path.read_bytes().startswith(b"%PDF")
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    )
    return done.stdout.decode("utf-8")


def compact(value: str) -> str:
    return re.sub(r"\s+", "", value)


def summary_figures(pdf: str) -> list[str]:
    """The four money figures under 期初余额 本期存入 本期支出 期末余额."""
    found = re.search(r"期初余额 本期存入 本期支出 期末余额\n(\S+) (\S+) (\S+) (\S+)\n", pdf)
    assert found, pdf[:600]
    return list(found.groups())


# --- the ledger, read independently with plain SQL -------------------------------------


def day_start(day: date) -> str:
    # SQLite keeps DateTime as ISO text, so ISO text compares in time order.
    return f"{day.isoformat()} 00:00:00"


def sql_balance(db: Database, member_id: int, before: date) -> int:
    with db.read() as s:
        value = s.execute(
            text(
                "SELECT COALESCE(SUM(b), 0) FROM ("
                " SELECT (SELECT l.balance_after_fen FROM ledger l"
                "         WHERE l.card_id = c.id AND l.at < :before"
                "         ORDER BY l.id DESC LIMIT 1) AS b"
                " FROM cards c WHERE c.member_id = :m)"
            ),
            {"m": member_id, "before": day_start(before)},
        ).scalar_one()
    return int(value)


def sql_points(db: Database, member_id: int, before: date) -> int:
    with db.read() as s:
        value = s.execute(
            text(
                "SELECT points_after FROM ledger WHERE member_id = :m AND at < :before"
                " ORDER BY id DESC LIMIT 1"
            ),
            {"m": member_id, "before": day_start(before)},
        ).scalar()
    return int(value or 0)


def sql_period(db: Database, member_id: int, start: date, end: date) -> tuple[int, int]:
    """(number of entries, sum of card-balance changes) in the days start..end."""
    with db.read() as s:
        count, amount = s.execute(
            text(
                "SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM ledger"
                " WHERE member_id = :m AND at >= :since AND at < :until"
            ),
            {
                "m": member_id,
                "since": day_start(start),
                "until": day_start(end + timedelta(days=1)),
            },
        ).one()
    return int(count), int(amount)


def busiest_member(db: Database) -> tuple[int, list[datetime]]:
    with db.read() as s:
        member_id = s.execute(
            text(
                "SELECT l.member_id FROM ledger l JOIN cards c ON c.id = l.card_id"
                " WHERE c.kind = 'stored_value' GROUP BY l.member_id"
                " ORDER BY COUNT(*) DESC, l.member_id LIMIT 1"
            )
        ).scalar_one()
        times = list(
            s.scalars(
                text("SELECT at FROM ledger WHERE member_id = :m ORDER BY id"), {"m": member_id}
            )
        )
    return int(member_id), [datetime.fromisoformat(str(t)) for t in times]


# --- a member with a long history, built by hand ------------------------------------------


def add_long_history(db: Database, entries: int) -> tuple[int, str]:
    """A member whose first card was replaced (balance carried over) and whose new card
    then has ``entries`` more lines, one a day from 2026-01-01; returns (id, phone)."""
    phone = "13812341234"
    with db.write() as s:
        staff = Staff(username="wangfang", display_name="王芳", role=Role.FRONT_DESK)
        s.add(staff)
        s.flush()
        member = Member(
            name="张晓梅",
            name_initials="zxm",
            phone=phone,
            phone_last4=phone[-4:],
            joined_on=date(2025, 3, 8),
            tier_id=3,
            specialist_id=staff.id,
        )
        s.add(member)
        s.flush()
        old = MembershipCard(
            number="CD2025000123",
            member_id=member.id,
            kind=CardKind.STORED_VALUE,
            issued_on=date(2025, 3, 8),
            status=CardStatus.REPLACED,
        )
        new = MembershipCard(
            number="CD2025000456",
            member_id=member.id,
            kind=CardKind.STORED_VALUE,
            issued_on=date(2025, 12, 1),
        )
        s.add_all([old, new])
        s.flush()
        balances = {old.id: 0, new.id: 0}
        total_points = 0

        def entry(
            card: MembershipCard,
            kind: LedgerKind,
            at: datetime,
            amount_fen: int = 0,
            points: int = 0,
            paid_fen: int = 0,
            method: PaymentMethod | None = None,
        ) -> None:
            nonlocal total_points
            balances[card.id] += amount_fen
            total_points += points
            s.add(
                LedgerEntry(
                    member_id=member.id,
                    card_id=card.id,
                    kind=kind,
                    amount_fen=amount_fen,
                    balance_after_fen=balances[card.id],
                    points=points,
                    points_after=total_points,
                    paid_fen=paid_fen,
                    payment_method=method.value if method else None,
                    at=at,
                    staff_id=staff.id,
                    reason=f"{kind.value} {at:%m%d}",
                )
            )

        entry(old, LedgerKind.TOP_UP, datetime(2025, 3, 8, 10), amount_fen=300_000)
        entry(old, LedgerKind.PURCHASE, datetime(2025, 6, 1, 15), amount_fen=-12_345, points=123)
        moved = balances[old.id]
        entry(old, LedgerKind.TRANSFER_OUT, datetime(2025, 12, 1, 9), amount_fen=-moved)
        entry(new, LedgerKind.TRANSFER_IN, datetime(2025, 12, 1, 9), amount_fen=moved)
        entry(new, LedgerKind.REISSUE_FEE, datetime(2025, 12, 1, 9, 1), amount_fen=-2_000)
        for i in range(entries):
            at = datetime(2026, 1, 1, 11, 30) + timedelta(days=i)
            if i % 10 == 0:
                entry(
                    new,
                    LedgerKind.TOP_UP,
                    at,
                    100_000,
                    paid_fen=100_000,
                    method=PaymentMethod.WECHAT,
                )
            elif i % 3 == 0:
                entry(new, LedgerKind.POINTS_EARNED, at, points=88)
            else:
                entry(new, LedgerKind.PURCHASE, at, amount_fen=-(8_800 + i))
        return member.id, phone


# --- a member whose card was reissued, through the card services ---------------------------

TOP_UP, FIRST_BUY, FEE, SECOND_BUY = 100_000, 36_860, 2_000, 19_000


def reissued_member(db: Database) -> tuple[int, str, str]:
    """Tops up ¥1,000 (with the bonus the settings give), buys, loses the card (reissue fee
    from the new card's balance), buys again; returns (member id, old number, new number)."""
    desk = staff(db, Role.FRONT_DESK)
    member_id = member(db, desk, "林小雨", "13955556789")
    with db.read() as s:
        card = cards.current_card(s, member_id)
        assert card is not None
        old = card.number
    day = datetime(2026, 11, 20, 10)
    cards.top_up(db, desk, old, TOP_UP, PaymentMethod.WECHAT, at=day)
    cards.purchase(db, desk, old, FIRST_BUY, "精油SPA 90分钟", at=day + timedelta(hours=1))
    new = cards.reissue(
        db, desk, old, PaymentMethod.STORED_VALUE, fee_fen=FEE, at=day + timedelta(days=1)
    )
    cards.purchase(
        db,
        desk,
        new,
        SECOND_BUY,
        "Front-desk retail: an aromatherapy gift set with a long description",
        at=day + timedelta(days=2),
    )
    return member_id, old, new


# --- the service --------------------------------------------------------------------------


def test_statement_balances_and_lines_match_the_ledger(seeded_db: Database) -> None:
    member_id, times = busiest_member(seeded_db)
    assert len(times) >= 9
    start, end = times[len(times) // 3].date(), times[2 * len(times) // 3].date()
    count, amount = sql_period(seeded_db, member_id, start, end)
    opening = sql_balance(seeded_db, member_id, start)
    closing = sql_balance(seeded_db, member_id, end + timedelta(days=1))
    assert count > 0 and opening > 0  # the period is in the middle of a real history

    s = st.statement(seeded_db, member_id, start, end)

    assert (s.opening_fen, s.closing_fen) == (opening, closing)
    assert len(s.lines) == count
    assert opening + amount == closing
    assert s.net_fen == amount
    assert s.credits_fen - s.debits_fen + s.transfers_fen == amount
    assert s.opening_points == sql_points(seeded_db, member_id, start)
    assert s.closing_points == sql_points(seeded_db, member_id, end + timedelta(days=1))
    assert sum(t.count for t in s.totals) == count
    assert all(start <= line.at.date() <= end for line in s.lines)
    assert [line.id for line in s.lines] == sorted(line.id for line in s.lines)
    assert "****" in s.phone_masked


def test_statement_per_card_and_kind_totals(db: Database) -> None:
    member_id, _phone = add_long_history(db, 30)

    s = st.statement(db, member_id, date(2025, 11, 1), date(2026, 1, 10))

    old, new = s.cards
    assert (old.number, old.opening_fen, old.closing_fen) == ("CD2025000123", 287_655, 0)
    # The reissue moved the balance across: a transfer, not money in or out.
    assert (old.credits_fen, old.debits_fen, old.transfers_fen) == (0, 0, -287_655)
    assert (new.opening_fen, new.credits_fen, new.transfers_fen) == (0, 100_000, 287_655)
    for card in s.cards:
        assert card.opening_fen + card.credits_fen - card.debits_fen + card.transfers_fen == (
            card.closing_fen
        )
    assert s.transfers_fen == 0 and s.credits_fen == 100_000
    assert s.opening_fen == 287_655
    assert s.fees.amount_fen == -2_000 and s.fees.count == 1
    assert s.top_ups.count == 1 and s.top_ups.paid_fen == 100_000
    assert s.purchases.count == 6  # days 2, 3, 5, 6, 8, 9 of January
    assert s.points_earned == 3 * 88 and s.points_redeemed == 0
    assert s.closing_fen == s.opening_fen + s.credits_fen - s.debits_fen
    top_up = next(line for line in s.lines if line.kind is LedgerKind.TOP_UP)
    assert (top_up.method, top_up.card_number, top_up.staff) == (
        PaymentMethod.WECHAT,
        "CD2025000456",
        "王芳",
    )
    assert s.opening_points == 123 and s.closing_points == 123 + 3 * 88


def test_a_reissue_is_neither_money_in_nor_money_out(db: Database) -> None:
    member_id, old_number, new_number = reissued_member(db)
    bonus = cards.top_up_bonus(db, TOP_UP)
    assert bonus > 0  # the default rules give one: it is money in as well

    s = st.statement(db, member_id, date(2026, 11, 1), date(2026, 11, 30))

    assert s.credits_fen == TOP_UP + bonus
    assert s.debits_fen == FIRST_BUY + FEE + SECOND_BUY
    assert s.paid_fen == TOP_UP
    assert s.opening_fen == 0
    assert s.closing_fen == sql_balance(db, member_id, date(2026, 12, 1))
    assert s.closing_fen == s.opening_fen + s.credits_fen - s.debits_fen
    assert s.transfers_fen == 0 and s.has_transfers
    moved = TOP_UP + bonus - FIRST_BUY
    transfers = [(line.kind, line.card_number, line.amount_fen) for line in s.lines]
    assert (LedgerKind.TRANSFER_OUT, old_number, -moved) in transfers  # still listed
    assert (LedgerKind.TRANSFER_IN, new_number, moved) in transfers
    old, new = s.cards
    assert (old.number, new.number) == (old_number, new_number)
    assert (old.credits_fen, old.debits_fen, old.transfers_fen, old.closing_fen) == (
        TOP_UP + bonus,
        FIRST_BUY,
        -moved,
        0,
    )
    assert (new.credits_fen, new.debits_fen, new.transfers_fen) == (0, FEE + SECOND_BUY, moved)
    for card in s.cards:
        assert card.opening_fen + card.credits_fen - card.debits_fen + card.transfers_fen == (
            card.closing_fen
        )
    assert sum(c.credits_fen for c in s.cards) == s.credits_fen
    assert sum(c.debits_fen for c in s.cards) == s.debits_fen


def test_period_and_lookup_rules(db: Database) -> None:
    member_id, phone = add_long_history(db, 1)

    assert st.default_period(date(2026, 11, 23)) == (date(2026, 8, 23), date(2026, 11, 23))
    assert st.default_period(date(2026, 11, 23), end=date(2026, 5, 31))[0] == date(2026, 2, 28)
    assert st.months_before(date(2026, 1, 15), 3) == date(2025, 10, 15)
    with pytest.raises(DomainError, match="开始日期 2026-02-01 晚于结束日期 2026-01-01"):
        st.statement(db, member_id, date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(NotFound, match="找不到编号为 999 的会员"):
        st.statement(db, 999, date(2026, 1, 1), date(2026, 2, 1))

    assert st.find_member(db, str(member_id)) == member_id
    assert st.find_member(db, "138 1234 1234") == member_id
    assert st.find_member(db, "+8613812341234") == member_id
    assert st.find_member(db, "CD2025000456") == member_id
    assert st.find_member(db, "CD2025000123") == member_id  # a replaced card's history
    with pytest.raises(NotFound, match="找不到会员编号、手机号或卡号为“13900000000”的会员"):
        st.find_member(db, "13900000000")
    with db.write() as s:  # a card numbered like another member's id
        other = Member(
            name="李四",
            phone="13900001111",
            phone_last4="1111",
            joined_on=date(2026, 1, 1),
            tier_id=1,
        )
        s.add(other)
        s.flush()
        s.add(
            MembershipCard(
                number=str(member_id),
                member_id=other.id,
                kind=CardKind.DISCOUNT,
                issued_on=date(2026, 1, 1),
            )
        )
    with pytest.raises(DomainError, match="同时对应多位会员"):
        st.find_member(db, str(member_id))
    assert st.latest_member_id(db) == member_id
    assert phone.endswith("1234")


# --- the PDF ------------------------------------------------------------------------------


@needs_pdftotext
def test_statement_pdf_shows_member_balances_and_every_line(
    seeded_db: Database, tmp_path: Path
) -> None:
    member_id, times = busiest_member(seeded_db)
    start, end = times[len(times) // 3].date(), times[-1].date()
    count, amount = sql_period(seeded_db, member_id, start, end)
    opening = sql_balance(seeded_db, member_id, start)
    closing = sql_balance(seeded_db, member_id, end + timedelta(days=1))
    with seeded_db.read() as s:
        name, phone = s.execute(
            text("SELECT name, phone FROM members WHERE id = :m"), {"m": member_id}
        ).one()
        numbers = list(
            s.scalars(text("SELECT number FROM cards WHERE member_id = :m"), {"m": member_id})
        )
    out = tmp_path / "statement.pdf"

    render_member_statement(seeded_db, member_id, out, start=start, end=end, printed_at=PRINTED_AT)

    pdf = pdf_text(out)
    flat = compact(pdf)
    assert "会员对账单" in flat
    assert name in pdf
    assert numbers and all(n in pdf for n in numbers)
    assert f"{phone[:3]}****{phone[-4:]}" in pdf and phone not in flat
    assert summary_figures(pdf)[0] == format_fen(opening)
    assert summary_figures(pdf)[3] == format_fen(closing)
    assert f"期末余额{format_fen(closing)}" in flat  # the closing line under the totals
    assert len(ISO_DAY.findall(pdf)) == count
    assert f"三、交易明细（共{count}笔）" in flat
    assert f"合计{count}{'+' if amount > 0 else ''}{format_fen(amount, symbol=False)}" in flat
    assert "打印时间：2026年11月23日 14:05" in pdf
    pages = pdf.count("\f")
    assert f"第 {pages} 页 / 共 {pages} 页" in pdf


@needs_pdftotext
def test_long_statement_spans_pages_with_the_header_repeated(db: Database, tmp_path: Path) -> None:
    member_id, _phone = add_long_history(db, 140)
    out = tmp_path / "long.pdf"

    render_member_statement(
        db, member_id, out, start=date(2025, 11, 1), end=date(2026, 12, 31), printed_at=PRINTED_AT
    )

    pdf = pdf_text(out)
    pages = pdf.split("\f")[:-1]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "会员对账单" in compact(page)
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page
    with_lines = [page for page in pages if ISO_DAY.search(page)]
    assert len(with_lines) >= 2
    assert all("交易时间 摘要 卡号 卡内金额" in page for page in with_lines)
    assert len(ISO_DAY.findall(pdf)) == 140 + 3  # the transfer and the fee on 2025-12-01
    flat = compact(pdf)
    assert "CD2025000123（已补卡作废）" in flat
    assert "补卡工本费" in flat and "微信支付" in flat
    assert summary_figures(pdf)[0] == "¥2,876.55"
    closing = sql_balance(db, member_id, date(2027, 1, 1))
    assert summary_figures(pdf)[3] == format_fen(closing)


@needs_pdftotext
def test_a_period_without_entries_still_prints_its_balance(
    seeded_db: Database, tmp_path: Path
) -> None:
    member_id, times = busiest_member(seeded_db)
    start = times[-1].date() + timedelta(days=1)
    end = start + timedelta(days=60)
    balance = sql_balance(seeded_db, member_id, start)
    assert balance > 0 and sql_period(seeded_db, member_id, start, end)[0] == 0
    out = tmp_path / "empty.pdf"

    render_member_statement(seeded_db, member_id, out, start=start, end=end, printed_at=PRINTED_AT)

    pdf = pdf_text(out)
    figures = summary_figures(pdf)
    assert figures == [format_fen(balance), "¥0.00", "¥0.00", format_fen(balance)]
    assert "本期没有交易记录" in pdf
    assert "三、交易明细（共0笔）" in compact(pdf)
    assert not ISO_DAY.search(pdf)


@needs_pdftotext
def test_statement_pdf_keeps_a_reissue_out_of_the_money_in_and_out(
    db: Database, tmp_path: Path
) -> None:
    member_id, old_number, new_number = reissued_member(db)
    bonus = cards.top_up_bonus(db, TOP_UP)
    moved = TOP_UP + bonus - FIRST_BUY
    closing = TOP_UP + bonus - FIRST_BUY - FEE - SECOND_BUY
    out = tmp_path / "reissued.pdf"

    render_member_statement(
        db, member_id, out, start=date(2026, 11, 1), end=date(2026, 11, 30), printed_at=PRINTED_AT
    )

    pdf = pdf_text(out)
    assert summary_figures(pdf) == [
        "¥0.00",
        format_fen(TOP_UP + bonus),
        format_fen(FIRST_BUY + FEE + SECOND_BUY),
        format_fen(closing),
    ]
    flat = compact(pdf)
    # Each card's row reconciles through the transfer column, and the total row too.
    assert "期初余额本期存入本期支出补卡转移期末余额" in flat
    old_row = [format_fen(0), format_fen(TOP_UP + bonus), format_fen(FIRST_BUY)]
    assert (
        old_number + "储值卡（储蓄制）已补卡作废" + "".join(old_row) + f"-{format_fen(moved)}"
        in flat
    )
    new_row = [format_fen(0), format_fen(0), format_fen(FEE + SECOND_BUY), f"+{format_fen(moved)}"]
    assert new_number + "储值卡（储蓄制）正常" + "".join(new_row) + format_fen(closing) in flat
    assert "属本人卡间转移，不计入本期存入和本期支出" in flat
    assert "补卡转出" in flat and "补卡转入" in flat
    assert (
        len(ISO_DAY.findall(pdf))
        == sql_period(db, member_id, date(2026, 11, 1), date(2026, 11, 30))[0]
    )


@pytest.fixture
def english() -> Iterator[None]:
    assert i18n.set_language("en") == "en"
    try:
        yield
    finally:
        i18n.set_language("zh_CN")


# Every heading and label of the statement that is made of English words.
ENGLISH_LABELS = [
    "期初余额",
    "本期存入",
    "本期支出",
    "期末余额",
    "期初积分",
    "本期增加积分",
    "本期减少积分",
    "期末积分",
    "卡号",
    "卡类型",
    "状态",
    "交易时间",
    "摘要",
    "卡内金额",
    "现付",
    "卡内余额",
    "积分",
    "积分余额",
    "经办人",
    "备注",
    "项目",
    "笔数",
    "卡内金额（元）",
    "现付（元）",
    "姓名",
    "会员编号",
    "手机号码",
    "会员等级",
    "客户分类",
    "入会日期",
    "客服专员",
    "会员卡号",
    "对账期间",
]
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


@needs_pdftotext
def test_english_statement_breaks_lines_between_words_only(
    db: Database, tmp_path: Path, english: None
) -> None:
    member_id, _old, _new = reissued_member(db)
    kinds = [label(kind) for kind in LedgerKind]
    texts = [i18n._(t) for t in ENGLISH_LABELS] + kinds + [label(CardKind.STORED_VALUE)]
    words = {w for t in texts for w in WORD.findall(t) if len(w) >= 5}
    assert "balance" in words  # the catalogue is English
    out = tmp_path / "english.pdf"

    render_member_statement(
        db, member_id, out, start=date(2026, 11, 1), end=date(2026, 11, 30), printed_at=PRINTED_AT
    )

    pdf = pdf_text(out)
    tokens = set(WORD.findall(pdf))
    shown = {w for w in words if w in tokens}
    # The figures' titles, the member block's labels and the line kinds are all there,
    assert {"Opening", "balance", "Closing", "specialist", "amount", "Points"} <= shown
    assert {"Reissue", "transfer", "Purchase"} <= shown
    # and no word is cut in two (speciali st, balanc e, amo unt, Point s).
    broken = [
        f"{w[:k]} {w[k:]}"
        for w in sorted(words)
        for k in range(1, len(w))
        if re.search(rf"(?<![A-Za-z]){w[:k]}\s+{w[k:]}(?![A-Za-z])", pdf)
    ]
    assert not broken, broken


def test_the_registry_has_no_blank_statement_and_no_period_for_other_forms(
    db: Database, tmp_path: Path
) -> None:
    form = FORMS["member-statement"]
    assert form.title == "会员对账单" and not form.blank_allowed
    with pytest.raises(DomainError, match="“会员对账单”不能打印空白表"):
        render_form(db, "member-statement", None, tmp_path / "blank.pdf")
    member_id, _phone = add_long_history(db, 1)
    with pytest.raises(DomainError, match="“会员档案卡”没有日期期间"):
        render_form(db, "member-card", member_id, tmp_path / "c.pdf", PrintOptions(date.today()))
    assert not list(tmp_path.glob("*.pdf*"))


# --- the command line ---------------------------------------------------------------------


def copy_db(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.sqlite3"
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return target


@needs_pdftotext
def test_command_line_prints_a_statement_by_phone_number(
    seeded_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_db(seeded_path, tmp_path)
    with sqlite3.connect(path) as conn:
        member_id, name, phone = conn.execute(
            "SELECT m.id, m.name, m.phone FROM members m"
            " WHERE m.id = (SELECT member_id FROM ledger ORDER BY id DESC LIMIT 1)"
        ).fetchone()
    conn.close()
    out = tmp_path / "cli.pdf"

    code = cli.main(["print", "member-statement", "--db", str(path), "--id", phone, "-o", str(out)])

    assert code == 0, capsys.readouterr().err
    pdf = pdf_text(out)
    assert name in pdf and f"会员编号：{member_id}" in pdf
    today = date.today()
    assert f"至 {today.year}年{today.month}月{today.day}日" in pdf  # the default period
    assert cli.main(["print", "member-statement", "--db", str(path), "-o", str(out)]) == 2
    assert "不能打印空白表" in capsys.readouterr().err


@needs_pdftotext
def test_print_command_takes_a_member_key_and_a_period(seeded_path: Path, tmp_path: Path) -> None:
    path = copy_db(seeded_path, tmp_path)
    with sqlite3.connect(path) as conn:
        number, name = conn.execute(
            "SELECT c.number, m.name FROM cards c JOIN members m ON m.id = c.member_id"
            " WHERE c.id = (SELECT card_id FROM ledger WHERE card_id IS NOT NULL"
            " ORDER BY id DESC LIMIT 1)"
        ).fetchone()
    conn.close()
    out = tmp_path / "period.pdf"

    code = printing.run(
        str(path),
        "member-statement",
        None,
        out,
        list_only=False,
        member=number,
        start="2026-01-01",
        end="2026/11/30",
    )

    assert code == 0
    pdf = pdf_text(out)
    assert name in pdf and number in pdf
    assert "对账期间：2026年1月1日 至 2026年11月30日" in pdf
    with pytest.raises(DomainError, match="--from 的日期“2026-13-01”无效"):
        printing.run(str(path), "member-statement", None, out, list_only=False, start="2026-13-01")
    with pytest.raises(DomainError, match="只能用其中一个"):
        printing.run(str(path), "member-statement", "1", out, list_only=False, member=number)
    card = out.with_name("card.pdf")
    assert printing.run(str(path), "member-card", None, card, list_only=False, member=number) == 0
    with pytest.raises(DomainError):
        printing.run(
            str(path), "member-card", None, card, list_only=False, member=number, start="2026-01-01"
        )

"""The PDF layer and the member profile card, read back with poppler's pdftotext."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from clubdesk import cli
from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.errors import DomainError, NotFound
from clubdesk.models import LedgerEntry, Member, MembershipCard, Staff
from clubdesk.models.enums import (
    CardKind,
    CardStatus,
    CustomerCategory,
    Gender,
    LedgerKind,
    Role,
)
from clubdesk.pdf import layout as L
from clubdesk.pdf.fonts import MISSING, fit_text
from clubdesk.pdf.forms.member_card import render_member_card
from clubdesk.pdf.registry import FORMS, PrintableForm, render_form

PRINTED_AT = datetime(2026, 11, 23, 14, 5)

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (Debian package poppler-utils)"
)


def pdf_text(path: Path) -> str:
    """The PDF's text in content order; pages end with a form feed."""
    assert path.read_bytes().startswith(b"%PDF")
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
    )
    return done.stdout.decode("utf-8")


def compact(text: str) -> str:
    """Without whitespace: the title is letter-spaced and long values wrap."""
    return re.sub(r"\s+", "", text)


def page_count(text: str) -> int:
    return text.count("\f")


def add_member(db: Database, *, notes: str | None = "对香薰过敏。") -> int:
    with db.write() as s:
        specialist = Staff(username="wangfang", display_name="王芳", role=Role.FRONT_DESK)
        referrer = Member(
            name="陈晓明",
            name_initials="cxm",
            phone="13900001111",
            phone_last4="1111",
            joined_on=date(2024, 1, 5),
            tier_id=1,
        )
        s.add_all([specialist, referrer])
        s.flush()
        member = Member(
            name="张晓梅",
            name_initials="zxm",
            phone="13812341234",
            phone_last4="1234",
            joined_on=date(2025, 3, 8),
            tier_id=3,
            gender=Gender.FEMALE,
            birthday=date(1988, 12, 2),
            wechat="zhangxm_88",
            email="zhang.xiaomei@example.com",
            preferences="水温 40℃ 左右；足底按摩力度中等偏轻。",
            special_needs="腰椎旧伤，避免重压腰部。",
            notes=notes,
            referred_by_id=referrer.id,
            specialist_id=specialist.id,
            category=CustomerCategory.LONG_TERM,
            last_visit_at=datetime(2026, 11, 20, 19, 35),
        )
        s.add(member)
        s.flush()
        old = MembershipCard(
            number="CD2025000123",
            member_id=member.id,
            kind=CardKind.DISCOUNT,
            issued_on=date(2025, 3, 8),
            status=CardStatus.REPLACED,
        )
        card = MembershipCard(
            number="CD2025000456",
            member_id=member.id,
            kind=CardKind.STORED_VALUE,
            issued_on=date(2025, 6, 1),
        )
        s.add_all([old, card])
        s.flush()
        s.add_all(
            [
                LedgerEntry(
                    member_id=member.id,
                    card_id=card.id,
                    kind=LedgerKind.TOP_UP,
                    amount_fen=500_000,
                    balance_after_fen=500_000,
                    points=0,
                    points_after=0,
                    at=datetime(2025, 6, 1, 10, 0),
                ),
                LedgerEntry(
                    member_id=member.id,
                    card_id=card.id,
                    kind=LedgerKind.PURCHASE,
                    amount_fen=-12_345,
                    balance_after_fen=487_655,
                    points=1_234,
                    points_after=1_234,
                    at=datetime(2025, 6, 2, 15, 30),
                ),
            ]
        )
        return member.id


def test_blank_member_card_has_every_label_and_no_data(db: Database, tmp_path: Path) -> None:
    out = render_form(db, "member-card", None, tmp_path / "blank.pdf")

    text = pdf_text(out)
    flat = compact(text)
    assert page_count(text) == 1
    assert "ClubDesk 示范会所" in text  # the club.name setting's default
    assert "会员档案卡" in flat
    for label in (
        "姓名", "性别", "手机号码", "微信号", "出生日期", "年龄", "电子邮箱", "推荐人",
        "会员等级", "客户分类", "入会日期", "客服专员", "当前积分", "储值余额合计",
        "最近到店", "办卡类型", "卡号", "卡类型", "状态", "发卡日期", "余额",
        "消费偏好", "特殊需求", "备注", "会员签名", "经办人签名", "日期",
    ):  # fmt: skip
        assert label in flat, label
    for choice in ("普通客户", "预约客户", "长期客户", "VIP客户", "普通会员", "钻石会员"):
        assert choice in flat, choice
    assert "折扣卡（及时制）" in flat and "储值卡（储蓄制）" in flat
    assert "第 1 页 / 共 1 页" in text
    assert "¥" not in text  # nothing filled in


def test_filled_member_card_shows_the_profile_with_a_masked_phone(
    db: Database, tmp_path: Path
) -> None:
    member_id = add_member(db, notes="<b>不是标记</b> & 不喝茶")

    out = render_form(db, "member-card", member_id, tmp_path / "card.pdf")

    text = pdf_text(out)
    flat = compact(text)
    assert page_count(text) == 1
    assert f"会员编号：{member_id}" in text
    for value in (
        "张晓梅", "138****1234", "zhangxm_88", "zhang.xiaomei@example.com", "陈晓明", "王芳",
        "1988年12月2日", "2025年3月8日", "2026年11月20日19:35", "1,234",
        "CD2025000123", "CD2025000456", "储值卡（储蓄制）", "已补卡作废", "正常",
    ):  # fmt: skip
        assert value in flat, value
    assert "¥4,876.55" in text  # the card's balance and the total
    assert "13812341234" not in flat
    assert "40°C" in text  # the font draws ℃ as a blank; it is spelled out
    assert "<b>不是标记</b>&不喝茶" in flat  # user text is never parsed as markup
    assert "第 1 页 / 共 1 页" in text


def test_full_phone_is_printed_only_when_asked(db: Database, tmp_path: Path) -> None:
    member_id = add_member(db)
    out = tmp_path / "full.pdf"

    render_member_card(db, member_id, out, full_phone=True, printed_at=PRINTED_AT)

    text = pdf_text(out)
    assert "13812341234" in text
    assert "打印时间：2026年11月23日 14:05" in text


def test_long_notes_continue_on_a_second_page(db: Database, tmp_path: Path) -> None:
    notes = "\n".join(
        f"第{i}次到店：水温调到 39 度，足底按摩力度中等，技师满意；"
        "下次希望预约同一位技师并备好普洱茶。"
        for i in range(1, 21)
    )
    member_id = add_member(db, notes=notes)

    text = pdf_text(render_form(db, "member-card", member_id, tmp_path / "long.pdf"))

    assert page_count(text) == 2
    first, second = text.split("\f")[:2]
    assert "第 1 页 / 共 2 页" in first
    assert "第 2 页 / 共 2 页" in second
    assert "备注（续）" in second
    assert "会员档案卡" in compact(second)  # every page has the header
    assert "会员签名" in second  # the declaration and signatures stay together at the end
    for i in (1, 20):
        assert f"第{i}次到店" in text


def test_unknown_form_is_refused_in_chinese(db: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="没有名为“no-such-form”的表单"):
        render_form(db, "no-such-form", None, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_missing_record_leaves_no_file_and_keeps_the_old_one(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "card.pdf"
    out.write_bytes(b"earlier printout")

    with pytest.raises(NotFound, match="找不到编号为 999 的会员"):
        render_form(db, "member-card", 999, out)

    assert out.read_bytes() == b"earlier printout"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


def test_a_form_that_needs_a_record_refuses_a_blank(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def render(_db: Database, _record: int | None, _out: Path) -> None:
        raise AssertionError("must not be called")

    form = PrintableForm("receipt-test", "消费小票", blank_allowed=False, render=render)
    monkeypatch.setitem(FORMS, form.name, form)

    with pytest.raises(DomainError, match="“消费小票”不能打印空白表"):
        render_form(db, form.name, None, tmp_path / "r.pdf")


def test_registry_lists_the_member_card() -> None:
    form = FORMS["member-card"]
    assert form.title == "会员档案卡"
    assert form.blank_allowed
    assert form.latest_id is not None


def test_command_line_prints_the_latest_member(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.sqlite3"
    db = open_database(path)
    add_member(db)
    # Closed first: a second connection must not meet the first one's WAL (see report).
    db.dispose()
    out = tmp_path / "latest.pdf"

    code = cli.main(["print", "member-card", "--db", str(path), "--id", "latest", "-o", str(out)])

    assert code == 0
    assert "张晓梅" in pdf_text(out)
    assert cli.main(["print", "--list"]) == 0
    assert "member-card" in capsys.readouterr().out


def test_data_table_repeats_its_header_and_right_aligns_money(tmp_path: Path) -> None:
    columns = [
        L.Column("日期", 2),
        L.Column("项目", 3),
        L.Column("金额", 2, money=True),
    ]
    rows = [[L.fmt_date(date(2026, 1, 1 + i % 28)), f"足浴 {i} 号", 12_345 * i] for i in range(90)]
    story = [
        L.SectionHeading("消费明细"),
        L.data_table(columns, rows, total_row=["", "合计", sum(r[2] for r in rows)]),
        L.CheckBox("已核对", True),
        *L.signature_lines(["核对人："]),
    ]
    out = tmp_path / "table.pdf"

    L.build_pdf(out, L.FormPage("测试会所", "消费明细表", printed_at=PRINTED_AT), story)

    text = pdf_text(out)
    pages = text.split("\f")[:-1]
    assert len(pages) >= 2
    assert all("日期 项目 金额" in page for page in pages)  # header row on every page
    assert "¥10,987.05" in text  # 12,345 fen × 89
    assert "¥494,417.25" in text  # the total
    assert f"第 {len(pages)} 页 / 共 {len(pages)} 页" in pages[-1]


def test_characters_the_font_cannot_draw_are_replaced() -> None:
    assert fit_text("水温 42℃") == "水温 42°C"
    assert fit_text("好评😊") == f"好评{MISSING}"
    assert fit_text("\U00020bb7野家") == f"{MISSING}野家"  # 𠮷, CJK extension B
    assert fit_text("张三\u3000李四\n王五") == "张三\u3000李四\n王五"
    assert L.fmt_date(date(2026, 11, 23)) == "2026年11月23日"
    assert L.markup("a<b>&c\nd") == "a&lt;b&gt;&amp;c<br/>d"

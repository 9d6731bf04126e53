"""The complaint registration form (顾客投诉登记表) and the return-visit record (回访记录表),
read back with poppler's pdftotext and pdfimages."""

from __future__ import annotations

import math
import re
import shutil
import sqlite3
import struct
import subprocess
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from clubdesk import cli
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.models import Complaint, Member, ReturnVisit
from clubdesk.models.enums import (
    ComplaintRemedy,
    Department,
    ReturnVisitSource,
    Satisfaction,
    VisitChannel,
)
from clubdesk.pdf.forms.complaint_form import (
    find_complaint,
    latest_complaint_id,
    render_complaint_form,
)
from clubdesk.pdf.forms.visit_record import default_period, latest_visit_id, render_visit_record
from clubdesk.pdf.registry import FORMS, PrintOptions, render_form
from clubdesk.services import complaints
from clubdesk.services.complaint_steps import (
    Acceptance,
    Approval,
    Implementation,
    Investigation,
    Judgement,
    Proposal,
    Reopening,
    Solution,
    Summary,
    advance,
)
from tests.core.complaint_helpers import NOW, People, people, register

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (Debian package poppler-utils)"
)

PRINTED_AT = NOW + timedelta(days=3)


def pdf_text(path: Path) -> str:
    """The PDF's text in content order; pages end with a form feed."""
    assert path.read_bytes().startswith(b"%PDF")
    done = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True
    )
    return done.stdout.decode("utf-8")


def compact(text: str) -> str:
    """Without whitespace (titles are letter-spaced and long values wrap), commas
    as Chinese ones: the services store typed text NFKC-normalised, "，" as ","."""
    return re.sub(r"\s+", "", text).replace(",", "，")


def page_count(text: str) -> int:
    return text.count("\f")


def signature_png(width: int = 160, height: int = 48) -> bytes:
    """A real greyscale PNG of a wavy stroke, like a signature drawn on screen."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            curve = height / 2 + height / 3 * math.sin(x / 9)
            rows.append(0 if abs(y - curve) < 2 else 255)

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(tag + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def image_count(path: Path) -> int:
    """Images listed by pdfimages (header and rule lines left out)."""
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], check=True, capture_output=True, text=True
    ).stdout
    return len(listing.splitlines()[2:])


def handled(db: Database, p: People, *, signature: bytes | None = None, **changes: object) -> int:
    """A complaint taken through every step and closed, one hour a step."""
    cid = register(db, p, **changes)
    version = complaints.detail(db, p.supervisor, cid).version
    steps = [
        (p.desk, Judgement(True, "经核实属实，转水疗部处理", Department.SPA)),
        (p.desk, Investigation("技师提前十五分钟结束服务", p.therapist.id, "调取排班记录")),
        (
            p.desk,
            Proposal(
                (
                    Solution("书面道歉并赠送体验券"),
                    Solution("赔礼道歉并补偿到储值卡", compensation_fen=12_345),
                )
            ),
        ),
        (p.supervisor, Approval(True, chosen=1, note="同意补偿")),
        (
            p.desk,
            Implementation(
                frozenset({ComplaintRemedy.APOLOGY, ComplaintRemedy.DISCIPLINE}),
                "当面致歉，补偿已到账",
                discipline="扣除当月绩效",
            ),
        ),
        (p.desk, Acceptance(signature_png=signature, on_paper=signature is None, note="顾客满意")),
        (p.supervisor, Summary("处理及时，顾客认可", "每周抽查技师服务时长")),
    ]
    at = NOW
    for actor, action in steps:
        at += timedelta(hours=1)
        version = advance(db, actor, cid, version, action, now=at).version
    return cid


# -- 顾客投诉登记表 ----------------------------------------------------------------------


def test_filled_form_shows_the_complaint_and_every_step(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = handled(db, p, signature=signature_png())
    number = complaints.detail(db, p.supervisor, cid).number

    out = render_form(db, "complaint-form", cid, tmp_path / "form.pdf")

    text = pdf_text(out)
    flat = compact(text)
    assert f"投诉编号：{number}" in text
    for label in (
        "投诉人", "联系电话", "会员身份", "会员卡号", "受理时间", "受理渠道", "当面", "电话",
        "网络", "投诉类别", "严重程度", "相关预约", "被投诉员工", "被投诉部门", "投诉内容",
        "顾客要求", "步骤", "处理情况", "处理人", "时间", "期限", "顾客意见", "顾客签名",
        "受理人", "部门负责人", "审批人", "顾客签字",
    ):  # fmt: skip
        assert label in flat, label
    for value in (
        "张晓明", "138****8000", "技师服务时间不足60分钟，态度冷淡。", "退还部分费用",
        "2031年3月14日14:30",  # received
        "1.投诉受理", "2.投诉判断", "3.调查分析", "4.提出处理方案", "5.实施处理方案",
        "6.总结评价", "方案审批", "顾客确认", "已结案",
        "判断：投诉属实", "责任部门：水疗部", "经核实属实，转水疗部处理",
        "原因：技师提前十五分钟结束服务", "责任人：测试therapist", "调取排班记录",
        "方案1：书面道歉并赠送体验券", "方案2：赔礼道歉并补偿到储值卡（补偿¥123.45）",
        "批准方案2：赔礼道歉并补偿到储值卡（补偿¥123.45）", "审批意见：同意补偿",
        "措施：赔礼道歉、补偿到储值卡、处分责任员工", "已补偿¥123.45到会员储值卡",
        "处分：扣除当月绩效", "经过：当面致歉，补偿已到账",
        "顾客接受处理结果，已在屏幕上签名", "顾客满意",
        "评价：处理及时，顾客认可", "改进措施：每周抽查技师服务时长",
        "测试front_desk", "测试supervisor", "2031年3月14日15:00",  # the intake's time
    ):  # fmt: skip
        assert value in flat, value
    assert "13800138000" not in flat  # masked on paper
    assert "待处理" not in flat  # closed: nothing left to do
    assert "敏感" not in flat
    assert image_count(out) == 1  # the drawn signature
    assert b"/Subtype /Image" in out.read_bytes()


def test_a_signature_on_paper_leaves_room_to_sign(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = handled(db, p)

    out = render_form(db, "complaint-form", cid, tmp_path / "form.pdf")

    assert image_count(out) == 0
    assert "顾客接受处理结果，已在纸质登记表上签字" in compact(pdf_text(out))


def test_a_damaged_signature_image_does_not_stop_the_form(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = handled(db, p, signature=signature_png())
    with db.write() as s:
        complaint = s.get(Complaint, cid)
        assert complaint is not None
        complaint.signature_png = b"\x89PNG\r\n\x1a\n" + b"not an image"

    out = render_form(db, "complaint-form", cid, tmp_path / "form.pdf")

    assert image_count(out) == 0
    assert "顾客签名" in compact(pdf_text(out))


def test_open_complaint_lists_the_steps_to_do_with_the_next_deadline(
    db: Database, tmp_path: Path
) -> None:
    p = people(db)
    cid = register(db, p)
    out = tmp_path / "open.pdf"

    # 30 minutes after receipt + 24 hours to respond; printed three days later.
    render_complaint_form(db, cid, out, printed_at=PRINTED_AT)

    flat = compact(pdf_text(out))
    assert "待处理（已超时）" in flat  # the judgement
    assert flat.count("待处理") == 7  # judgement to summary, approval and acceptance included
    assert "2031年3月15日14:30超时" in flat  # its deadline, past
    assert "投诉属实" in flat and "原因：" in flat  # boxes and prompts to fill by hand
    assert "已结案" not in flat


def test_a_rejected_proposal_and_a_reopening_are_in_the_history(
    db: Database, tmp_path: Path
) -> None:
    p = people(db)
    cid = handled(db, p)
    version = complaints.detail(db, p.supervisor, cid).version
    at = NOW + timedelta(days=1)
    for actor, action in (
        (p.supervisor, Reopening("回访时顾客仍不满意")),
        (p.desk, Judgement(True, "再次核实属实", Department.SPA)),
        (p.desk, Investigation("补偿未到账")),
        (p.desk, Proposal((Solution("补发体验券"),))),
        (p.supervisor, Approval(False, note="先核对账户流水")),
    ):
        at += timedelta(hours=1)
        version = advance(db, actor, cid, version, action, now=at).version
    out = tmp_path / "again.pdf"

    render_complaint_form(db, cid, out, printed_at=at + timedelta(hours=1))

    flat = compact(pdf_text(out))
    assert "重新处理原因：回访时顾客仍不满意" in flat
    assert "退回方案，重新调查审批意见：先核对账户流水" in flat
    assert "方案1：补发体验券" in flat
    assert flat.count("待处理") == 5  # back at investigation: proposal again, then the rest
    assert flat.index("结案归档") < flat.index("重新处理原因") < flat.index("再次核实属实")


def test_full_phone_only_when_asked(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = register(db, p)
    out = tmp_path / "full.pdf"

    render_complaint_form(db, cid, out, full_phone=True, printed_at=PRINTED_AT)

    assert "13800138000" in pdf_text(out)


def test_sensitive_complaint_is_marked_on_every_page(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = register(db, p, sensitive=True)

    text = pdf_text(render_form(db, "complaint-form", cid, tmp_path / "s.pdf"))

    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) == 2
    for page in pages:
        assert "敏感·仅限主管及以上" in compact(page)
        assert "仅限客服主管及以上人员查阅" in compact(page)


def test_non_member_complaint_has_no_card(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = register(db, p, member_id=None, complainant_name="李女士", contact="13912345678")

    flat = compact(pdf_text(render_form(db, "complaint-form", cid, tmp_path / "n.pdf")))

    assert "李女士" in flat and "139****5678" in flat
    assert "会员卡号无" in flat


def test_very_long_content_continues_on_the_next_page(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = register(db, p)
    # Registration caps content at 2,000 characters; an older or imported record may not.
    content = "".join(f"第{i:03d}句：技师服务时间不足，态度冷淡。" for i in range(1, 201))
    assert len(content) >= 3_000
    with db.write() as s:
        complaint = s.get(Complaint, cid)
        assert complaint is not None
        complaint.content = content

    text = pdf_text(render_form(db, "complaint-form", cid, tmp_path / "long.pdf"))

    pages = text.split("\f")
    assert page_count(text) >= 3
    assert "第001句" in compact(pages[0])
    assert "投诉内容（续）" in compact(pages[1])
    assert "第200句" in compact(text)
    assert "顾客要求" in compact(text)


def test_blank_form_has_every_label_and_no_record(db: Database, tmp_path: Path) -> None:
    out = render_form(db, "complaint-form", None, tmp_path / "blank.pdf")

    text = pdf_text(out)
    flat = compact(text)
    assert page_count(text) == 2
    assert "顾客投诉登记表" in flat
    for label in (
        "投诉编号", "投诉人", "联系电话", "会员", "非会员", "会员卡号", "受理时间", "受理渠道",
        "当面", "电话", "网络", "投诉类别", "服务态度", "卫生", "其他", "严重程度", "一般",
        "较重", "严重", "相关预约", "被投诉员工", "被投诉部门", "投诉内容", "顾客要求",
        "步骤", "处理情况", "处理人", "时间", "期限",
        "1.投诉受理", "2.投诉判断", "3.调查分析", "4.提出处理方案", "5.实施处理方案",
        "6.总结评价", "投诉属实", "投诉不属实", "责任部门：", "原因：", "责任人：",
        "方案：", "批准方案：", "补偿金额：", "赔礼道歉", "处分责任员工", "改进措施：",
        "顾客意见", "顾客签名", "签名日期", "受理人", "部门负责人", "审批人", "顾客签字",
    ):  # fmt: skip
        assert label in flat, label
    assert "¥" not in text and "TS" not in text  # nothing filled in
    assert "待处理" not in flat and "2031" not in flat
    assert image_count(out) == 0


def test_finding_a_complaint_by_number_or_id(db: Database) -> None:
    p = people(db)
    first = register(db, p)
    second = register(db, p)
    number = complaints.detail(db, p.supervisor, first).number

    assert find_complaint(db, number) == first
    assert find_complaint(db, f" {number.lower()} ") == first
    assert find_complaint(db, str(second)) == second
    assert latest_complaint_id(db) == second
    with pytest.raises(NotFound, match="TS20990101-001"):
        find_complaint(db, "TS20990101-001")
    form = FORMS["complaint-form"]
    assert form.title == "顾客投诉登记表" and form.blank_allowed
    assert form.find_record is find_complaint


def test_missing_complaint_is_refused_in_chinese(db: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="找不到编号为 99 的投诉"):
        render_form(db, "complaint-form", 99, tmp_path / "x.pdf")
    assert latest_complaint_id(db) is None


# -- 回访记录表 -------------------------------------------------------------------------------

VISIT_DAY = date(2031, 3, 20)


def add_visits(db: Database, p: People, complaint_id: int) -> dict[str, int]:
    """Three visits made in March 2031, one overdue and one made in April."""
    at = datetime.combine(VISIT_DAY, datetime.min.time())
    with db.write() as s:
        rows = {
            "service": ReturnVisit(
                member_id=p.member_id, source=ReturnVisitSource.SERVICE, due_on=VISIT_DAY,
                done_at=at.replace(hour=10, minute=15), staff_id=p.desk.id,
                channel=VisitChannel.PHONE, outcome=Satisfaction.SATISFIED,
                suggestions="希望增加夜间技师", created_at=at,
            ),
            "complaint": ReturnVisit(
                member_id=p.member_id, source=ReturnVisitSource.COMPLAINT,
                complaint_id=complaint_id, due_on=VISIT_DAY, staff_id=p.supervisor.id,
                done_at=at.replace(hour=11), channel=VisitChannel.SMS,
                outcome=Satisfaction.DISSATISFIED, suggestions="补偿太少", created_at=at,
            ),
            "periodic": ReturnVisit(
                member_id=p.member_id, source=ReturnVisitSource.PERIODIC, due_on=VISIT_DAY,
                done_at=at.replace(day=21, hour=16), staff_id=p.desk.id,
                channel=VisitChannel.EMAIL, outcome=Satisfaction.AVERAGE, created_at=at,
            ),
            "overdue": ReturnVisit(
                member_id=p.member_id, source=ReturnVisitSource.SPECIAL,
                due_on=date(2031, 3, 25), created_at=at,
            ),
            "april": ReturnVisit(
                member_id=p.member_id, source=ReturnVisitSource.PERIODIC, due_on=VISIT_DAY,
                done_at=datetime(2031, 4, 1, 9, 0), staff_id=p.desk.id,
                channel=VisitChannel.PHONE, outcome=Satisfaction.SATISFIED, created_at=at,
            ),
        }  # fmt: skip
        s.add_all(rows.values())
        s.flush()
        return {key: row.id for key, row in rows.items()}


def test_visit_record_of_a_month(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = register(db, p)
    number = complaints.detail(db, p.supervisor, cid).number
    add_visits(db, p, cid)
    out = tmp_path / "visits.pdf"

    # The default period is the print day's month.
    render_visit_record(db, out, printed_at=datetime(2031, 3, 27, 9, 0))

    text = pdf_text(out)
    flat = compact(text)
    assert "回访期间：2031年3月1日至2031年3月31日" in flat
    assert "一、回访明细（共3次）" in flat
    assert "二、未回访（共1次）" in flat
    for label in (
        "序号", "回访日期", "会员/顾客", "电话", "来源", "回访内容", "方式", "结果",
        "意见与建议", "回访人", "应回访日期", "状态", "备注", "应回访", "已回访", "满意率",
        "未回访", "其中已逾期", "填表人", "主管审核",
    ):  # fmt: skip
        assert label in flat, label
    for value in (
        "2031-03-2010:15", "张晓明", "138****8000", "服务后", "投诉后", "定期", "专项",
        f"投诉处理结果{number}", "定期满意度回访", "专项回访", "电话", "短信", "邮件",
        "希望增加夜间技师", "补偿太少", "测试front_desk", "测试supervisor",
        "2031-03-25", "未回访已逾期2天",
    ):  # fmt: skip
        assert value in flat, value
    # 应回访 4, 已回访 3: 满意 1, 基本满意 1, 不满意 1, 满意率 33.3%; 未回访 1, overdue 1.
    assert "4311133.3%11" in flat
    assert "2031-04-01" not in flat  # made in April
    assert "13800138000" not in flat
    # The complaint's own form quotes what the customer said on the return visit.
    form = compact(pdf_text(render_form(db, "complaint-form", cid, tmp_path / "c.pdf")))
    assert "回访（2031年3月20日）：不满意，补偿太少" in form


def test_visit_record_period_from_the_options(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = register(db, p)
    add_visits(db, p, cid)

    out = render_form(
        db, "visit-record", None, tmp_path / "v.pdf", PrintOptions(date(2031, 3, 21), None)
    )

    flat = compact(pdf_text(out))
    assert "回访期间：2031年3月21日至2031年3月31日" in flat
    assert "一、回访明细（共1次）" in flat and "定期满意度回访" in flat
    assert "希望增加夜间技师" not in flat  # made on the 20th


def test_one_visit_by_its_id(db: Database, tmp_path: Path) -> None:
    p = people(db)
    ids = add_visits(db, p, register(db, p))

    flat = compact(pdf_text(render_form(db, "visit-record", ids["service"], tmp_path / "1.pdf")))

    assert f"回访记录编号：{ids['service']}" in flat
    assert "一、回访明细（共1次）" in flat and "希望增加夜间技师" in flat
    assert "未回访" not in flat and "本期汇总" not in flat
    assert latest_visit_id(db) == ids["april"]
    with pytest.raises(DomainError, match="不能同时指定期间"):
        render_form(db, "visit-record", ids["service"], tmp_path / "2.pdf", PrintOptions(VISIT_DAY))
    with pytest.raises(NotFound, match="找不到编号为 999 的回访记录"):
        render_form(db, "visit-record", 999, tmp_path / "3.pdf")


def test_visit_period_defaults_and_refuses_a_reversed_period() -> None:
    today = date(2031, 12, 9)
    assert default_period(today) == (date(2031, 12, 1), date(2031, 12, 31))
    assert default_period(today, date(2031, 2, 3)) == (date(2031, 2, 3), date(2031, 2, 28))
    assert default_period(today, None, date(2031, 4, 9)) == (date(2031, 4, 1), date(2031, 4, 9))
    with pytest.raises(DomainError, match="开始日期 2031-05-02 晚于结束日期 2031-05-01"):
        default_period(today, date(2031, 5, 2), date(2031, 5, 1))


def test_blank_visit_record_is_an_empty_ruled_table(db: Database, tmp_path: Path) -> None:
    out = render_form(db, "visit-record", None, tmp_path / "blank.pdf")

    text = pdf_text(out)
    flat = compact(text)
    assert page_count(text) == 1
    for label in ("回访记录表", "序号", "回访日期", "意见与建议", "回访人", "填表人", "主管审核"):
        assert label in flat, label
    assert "来源：服务后/投诉后/VIP接待后/定期/专项" in flat  # the legend of the choices
    assert "结果：满意/基本满意/不满意" in flat
    assert "1234567891011121314151617181920" in flat  # numbered rows
    assert "共" not in flat.replace("共1页", "")


def test_visit_record_of_the_seeded_demo(seeded_db: Database, tmp_path: Path) -> None:
    with seeded_db.read() as s:
        first, last = s.execute(
            select(func.min(ReturnVisit.done_at), func.max(ReturnVisit.done_at))
        ).one()
        start, end = first.date(), last.date()
        made = s.execute(
            select(ReturnVisit.outcome, ReturnVisit.member_id).where(
                ReturnVisit.done_at.is_not(None),
                func.date(ReturnVisit.done_at) >= start.isoformat(),
                func.date(ReturnVisit.done_at) <= end.isoformat(),
            )
        ).all()
        open_count = s.execute(
            select(func.count())
            .select_from(ReturnVisit)
            .where(ReturnVisit.done_at.is_(None), ReturnVisit.due_on.between(start, end))
        ).scalar_one()
        member = s.get(Member, next(m for _o, m in made if m is not None))
        assert member is not None
        phone = member.phone
    outcomes = [o for o, _m in made]

    out = render_form(seeded_db, "visit-record", None, tmp_path / "v.pdf", PrintOptions(start, end))

    flat = compact(pdf_text(out))
    assert len(made) > 10
    assert f"一、回访明细（共{len(made)}次）" in flat
    assert f"二、未回访（共{open_count}次）" in flat
    # Each label once in the totals' heading, then once a visit.
    assert flat.count("基本满意") == outcomes.count(Satisfaction.AVERAGE) + 1
    assert flat.count("不满意") == outcomes.count(Satisfaction.DISSATISFIED) + 1
    assert phone[:3] + "****" + phone[-4:] in flat and phone not in flat


# -- the command line and the self-check's path --------------------------------------------


def test_command_line_prints_the_latest_complaint_and_this_months_visits(
    seeded_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_path, db)
    form, visits = tmp_path / "complaint.pdf", tmp_path / "visits.pdf"

    assert (
        cli.main(["print", "complaint-form", "--db", str(db), "--id", "latest", "-o", str(form)])
        == 0
    )
    assert cli.main(["print", "visit-record", "--db", str(db), "-o", str(visits)]) == 0

    assert str(form) in capsys.readouterr().out
    assert "顾客投诉登记表" in compact(pdf_text(form))
    assert "回访期间：" in pdf_text(visits)


def test_command_line_finds_a_complaint_by_its_number(
    seeded_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_path, db)
    with sqlite3.connect(db) as conn:
        (number,) = conn.execute("SELECT number FROM complaints ORDER BY id LIMIT 1").fetchone()
    out, missing = tmp_path / "c.pdf", tmp_path / "none.pdf"

    assert (
        cli.main(["print", "complaint-form", "--db", str(db), "--id", number, "-o", str(out)]) == 0
    )
    code = cli.main(
        ["print", "complaint-form", "--db", str(db), "--id", "TS20000101-009", "-o", str(missing)]
    )

    assert f"投诉编号：{number}" in pdf_text(out)
    assert code != 0 and not missing.exists()
    assert "找不到编号为“TS20000101-009”的投诉" in capsys.readouterr().err


def test_every_seeded_complaint_prints(seeded_db: Database, tmp_path: Path) -> None:
    """Every step a demo complaint can stand at, sensitive ones too, as the GUI prints them."""
    with seeded_db.read() as s:
        ids = list(s.scalars(select(Complaint.id)))
    for cid in ids:
        out = render_form(seeded_db, "complaint-form", cid, tmp_path / f"{cid}.pdf")
        assert out.read_bytes().startswith(b"%PDF")
    assert latest_complaint_id(seeded_db) == max(ids)


def test_a_withdrawn_approval_is_titled_as_such(db: Database, tmp_path: Path) -> None:
    p = people(db)
    cid = register(db, p)
    at = NOW
    version = 1
    for actor, action in (
        (p.desk, Judgement(True, "属实", Department.SPA)),
        (p.desk, Investigation("技师提前下钟")),
        (p.desk, Proposal((Solution("书面道歉"),))),
        (p.supervisor, Approval(True, chosen=0)),
        (p.supervisor, Approval(False, note="顾客改变要求")),
    ):
        at += timedelta(hours=1)
        version = advance(db, actor, cid, version, action, now=at).version
    out = tmp_path / "withdrawn.pdf"
    render_complaint_form(db, cid, out, printed_at=at + timedelta(hours=1))
    flat = compact(pdf_text(out))
    assert "撤回批准撤回批准，退回重新提出方案原因：顾客改变要求" in flat

"""The printed 顾客投诉分类统计表 and 回访总结报告, read back with pdftotext: the title,
the categories and the figures; the period as a month or from/to; the command line
and the self-check on an empty database; and every chart label in the Chinese font."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from reportlab.graphics.shapes import Drawing, Group, String, UserNode

from clubdesk import cli
from clubdesk.commands import selfcheck
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.pdf import charts
from clubdesk.pdf.fonts import FONT
from clubdesk.pdf.forms.complaint_stats import render_complaint_stats
from clubdesk.pdf.forms.visit_summary import render_visit_summary
from clubdesk.pdf.registry import FORMS, PrintOptions, render_form
from clubdesk.services import complaints
from tests.core.complaint_helpers import people
from tests.core.test_complaint_stats import (
    FEB,
    MAR,
    STATS_NOW,
    build_known_period,
    build_visits,
)
from tests.core.test_pdf import compact, page_count, pdf_text

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (Debian package poppler-utils)"
)


def test_complaint_stats_pdf_has_the_table_the_figures_and_the_measures(
    db: Database, tmp_path: Path
) -> None:
    build_known_period(db)
    out = tmp_path / "stats.pdf"
    render_complaint_stats(db, out, start=FEB, end=date(2031, 3, 31), printed_at=STATS_NOW)
    text = pdf_text(out)
    flat = compact(text)
    assert "顾客投诉分类统计表" in flat
    assert "统计期间：2031年2月至2031年3月" in flat
    first, second = (c.name for c in complaints.categories(db)[:2])
    assert first in flat and second in flat
    for heading in ("类别", "部门", "投诉数", "属实率", "平均结案时长", "超时数", "补偿金额"):
        assert heading in flat
    assert "水疗部" in flat and "前厅部" in flat and "未指定" in flat
    # The headline: 5 complaints, 3 judged, 2 justified (66.7 %), 3 closed in 24.7 h on
    # average, 2 overdue, ¥150 paid.
    assert (
        "本期共受理投诉5宗，已判断3宗，其中属实2宗（属实率66.7%）；已结案3宗，"
        "平均结案时长24.7小时；超时2宗；补偿金额合计¥150.00。"
    ) in flat
    # The total row: count, judged, justified, rate, closed, hours, overdue, money.
    assert "合计53266.7%324.72150.00" in flat
    # Several months: the month-by-month summary and the chart grouped by month.
    assert "按月汇总" in flat and "2031年2月" in flat and "按月分组" in flat
    assert "技师上钟前核对服务时长" in flat
    assert "另有1条改进措施属于敏感投诉" in flat and "包间点餐由主管复核" not in flat
    assert "填表人：" in flat and "审核人：" in flat
    assert "打印时间：2031年3月20日12:00" in flat


def test_one_month_stacks_by_department_and_the_record_id_is_the_month(
    db: Database, tmp_path: Path
) -> None:
    build_known_period(db)
    out = tmp_path / "march.pdf"
    render_form(db, "complaint-stats", 203103, out)
    flat = compact(pdf_text(out))
    assert "统计期间：2031年3月" in flat and "按部门分段" in flat
    assert "本期共受理投诉4宗" in flat and "按月汇总" not in flat


def test_options_give_the_period(db: Database, tmp_path: Path) -> None:
    build_known_period(db)
    out = tmp_path / "days.pdf"
    options = PrintOptions(start=date(2031, 3, 1), end=date(2031, 3, 5))
    render_form(db, "complaint-stats", 203101, out, options)  # the period wins over the id
    flat = compact(pdf_text(out))
    assert "统计期间：2031年3月1日至2031年3月5日" in flat
    assert "本期共受理投诉2宗" in flat


def test_empty_database_prints_zero_rows_and_says_so(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    render_complaint_stats(db, out, start=MAR, end=date(2031, 3, 31), printed_at=STATS_NOW)
    text = pdf_text(out)
    flat = compact(text)
    assert "本期没有受理投诉。" in flat and "本期没有投诉。" in flat
    assert "本期没有填写改进措施。" in flat
    assert page_count(text) == 1


def test_stats_forms_need_a_period_not_a_blank(db: Database, tmp_path: Path) -> None:
    for name in ("complaint-stats", "visit-summary"):
        assert not FORMS[name].blank_allowed
        with pytest.raises(DomainError, match="不能打印空白表"):
            render_form(db, name, None, tmp_path / "x.pdf")
    with pytest.raises(DomainError, match="月份"):
        render_form(db, "complaint-stats", 203113, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_visit_summary_pdf(db: Database, tmp_path: Path) -> None:
    build_visits(db)
    out = tmp_path / "visits.pdf"
    render_visit_summary(db, out, start=MAR, end=date(2031, 3, 31), printed_at=STATS_NOW)
    flat = compact(pdf_text(out))
    assert "回访总结报告" in flat and "统计期间：2031年3月" in flat
    # 会员总数 3, 已回访会员 2, 覆盖率 66.7 %, 应回访 5, 已完成 3, 超期 1, 完成 4, 按时 50 %.
    assert "会员总数已回访会员回访覆盖率本期应回访3266.7%5" in flat
    assert "其中已完成超期未回访本期完成回访按时完成率31450.0%" in flat
    assert "李客服" in flat and "王客服" in flat
    assert "服务后" in flat and "投诉后" in flat and "电话" in flat and "短信" in flat
    assert "不满意1次，已转为投诉1次" in flat
    assert "已转投诉TS-T" in flat and "等候太久" in flat and "茶水种类多一些" in flat
    assert "甲会员" in flat and "13900000001" not in flat  # names, never phone numbers
    assert "报告人：" in flat and "审核人：" in flat


def test_command_line_prints_this_month_on_an_empty_database(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = str(db.path)
    for name in ("complaint-stats", "visit-summary"):
        out = tmp_path / f"{name}.pdf"
        code = cli.main(["print", name, "--db", target, "--id", "latest", "-o", str(out)])
        assert code == 0, capsys.readouterr().err
        assert out.read_bytes().startswith(b"%PDF")
    out = tmp_path / "march.pdf"
    assert cli.main(["print", "complaint-stats", "--db", target, "--id", "2031-03", "-o",
                     str(out)]) == 0  # fmt: skip
    assert "2031年3月" in compact(pdf_text(out))


def test_selfcheck_renders_both_forms_on_an_empty_database(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failures = selfcheck._check_pdfs(db, tmp_path)
    assert not [f for f in failures if "complaint-stats" in f or "visit-summary" in f]
    printed = capsys.readouterr().out
    assert "complaint-stats" in printed and "visit-summary" in printed


def _strings(node: object) -> list[String]:
    """Every String a drawing draws, its charts and labels expanded."""
    found: list[String] = []
    if isinstance(node, UserNode):
        node = node.provideNode()
    if isinstance(node, String):
        found.append(node)
    elif isinstance(node, Group):
        for child in node.contents:
            found += _strings(child)
    return found


def _all_strings(drawing: Drawing) -> list[String]:
    return _strings(drawing)


def test_every_chart_label_is_set_in_the_chinese_font() -> None:
    series = [charts.ChartSeries("客服部", [3, 0, 2]), charts.ChartSeries("水疗部", [1, 4, 0])]
    drawings = [
        charts.bar_chart(["服务态度", "技术与质量", "卫生"], series, stacked=True, unit="宗"),
        charts.bar_chart(["服务态度", "技术与质量", "卫生"], series),
        charts.hbar_chart(["服务后", "投诉后", "定期"], series),
        charts.pie_chart(
            [charts.PieSlice("满意", 3), charts.PieSlice("不满意", 1)],
            donut=True,
            centre_text="75%",
            centre_caption="满意率",
        ),
        charts.bar_chart(["服务态度"], [charts.ChartSeries("投诉数", [0])]),  # empty
        charts.gauge_line(0.4),
    ]
    for drawing in drawings:
        strings = _all_strings(drawing)
        assert strings
        assert {s.fontName for s in strings} == {FONT}, [s.text for s in strings]
    texts = {s.text for s in _all_strings(drawings[0])}
    assert {"服务态度", "客服部", "宗", "4", "2"} <= texts  # labels, legend, unit, totals
    assert "本期没有数据。" in {s.text for s in _all_strings(drawings[4])}


def test_crowded_category_labels_turn_and_thin() -> None:
    names = [f"第{n}类投诉类别名称" for n in range(1, 25)]
    values = [charts.ChartSeries("投诉数", list(range(1, 25)))]
    roomy = charts.bar_chart(names, values)
    labels = [s for s in _all_strings(roomy) if s.text.startswith("第")]
    assert len(labels) == len(names)  # turned 30°, all of them written
    narrow = charts.bar_chart(names, values, width=300)
    written = [s for s in _all_strings(narrow) if s.text.startswith("第")]
    assert 0 < len(written) < len(names)  # every n-th only


def test_supervisor_sees_sensitive_measures_only_on_screen(db: Database) -> None:
    """The printout never carries a sensitive complaint's measure; a supervisor's screen
    does (the service takes the viewer)."""
    from clubdesk.services import complaint_stats as cs

    build_known_period(db)
    p = people(db)
    shown = cs.classification(db, FEB, date(2031, 3, 31), STATS_NOW, actor=p.supervisor)
    assert any(i.text == "包间点餐由主管复核" for i in shown.improvements)
    assert datetime(2031, 3, 16, 9, 0) in {i.last_at for i in shown.improvements}

"""顾客投诉分类统计表: the supervisor's monthly table (domain.md section 3, step 6).

The complaints received in the period by category and department with subtotals and a
total, a month-by-month summary when the period spans months, a bar chart, the
improvement measures of the period's summaries, how the figures are counted, and the
signatures of whoever filled the table in and whoever checked it.

The record id is a month (202603); ``--id latest`` is this month, and ``--from`` /
``--to`` give any other period of up to twelve months.  There is no blank table: the
figures are the form.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.money import format_fen
from clubdesk.pdf import charts
from clubdesk.pdf import layout as L
from clubdesk.pdf.fonts import FONT, text_width
from clubdesk.pdf.forms.monthly import monthly_report
from clubdesk.pdf.style import (
    HEADER_FILL,
    INK,
    LABEL_FILL,
    LINE_WIDTH,
    MUTED,
    RULE,
    VALUE,
)
from clubdesk.services import complaint_stats as cs
from clubdesk.services.complaint_stats import Classification, Figures, RowKind

TITLE = N_("顾客投诉分类统计表")
SIZE = 8.0
PAD = 3.0
NUMBERS_SHOWN = 6  # complaint numbers listed after an improvement measure


def render_complaint_stats(
    db: Database,
    out: Path,
    *,
    start: date,
    end: date,
    printed_at: datetime | None = None,
) -> None:
    """Write the table of the complaints received ``start``..``end`` to ``out``.
    Overdue is judged at the print time."""
    printed_at = printed_at or datetime.now().replace(microsecond=0)
    stats = cs.classification(db, start, end, printed_at)
    page = L.FormPage(
        club_name=str(settings.get_value(db, "club.name")),
        title=_(TITLE),
        reference=_("统计期间：{period}").format(period=period_words(start, end)),
        printed_at=printed_at,
        footer_note=_("仅限本店内部使用"),
    )
    L.build_pdf(out, page, stats_story(stats))


def period_words(start: date, end: date) -> str:
    """'2026年3月' for whole months, else '2026年3月5日 至 2026年4月4日'."""
    if start == cs.month_start(start) and end == cs.month_end(end):
        return cs.period_text(start, end)
    return _("{start} 至 {end}").format(start=L.fmt_date(start), end=L.fmt_date(end))


monthly_report("complaint-stats", TITLE, render_complaint_stats)


# -- the story ---------------------------------------------------------------------------


def stats_story(stats: Classification) -> list[Flowable]:
    story: list[Flowable] = [
        L.SectionHeading(_("一、分类统计"), space_before=0),
        _summary_line(stats),
        Spacer(1, 4),
        _unit_caption(),
        _stats_table(stats),
    ]
    # Headings spelt out whole (not numbered in code) so that each translates as one.
    if stats.multi_month:
        story += [L.SectionHeading(_("二、按月汇总（投诉数）")), _month_table(stats)]
        chart_heading, measures_heading = _("三、统计图"), _("四、改进措施")
    else:
        chart_heading, measures_heading = _("二、统计图"), _("三、改进措施")
    story += [
        KeepTogether([L.SectionHeading(chart_heading), *_chart(stats)]),
        L.SectionHeading(measures_heading),
        *_improvements(stats),
        Spacer(1, 8),
        _para(_explanation(), _style("cd.cstats.note", 7.5, textColor=MUTED)),
        Spacer(1, 10),
        KeepTogether(L.signature_lines([_("填表人："), _("审核人：")])),
    ]
    return story


def _style(name: str, size: float = SIZE, **kw: Any) -> ParagraphStyle:
    return ParagraphStyle(name, parent=VALUE, fontSize=size, leading=size * 1.3, **kw)


LEFT = _style("cd.cstats.left")
RIGHT = _style("cd.cstats.right", alignment=TA_RIGHT)
CENTRE = _style("cd.cstats.centre", alignment=TA_CENTER)
HEAD = _style("cd.cstats.head", alignment=TA_CENTER)


def _para(text: str, style: ParagraphStyle = LEFT) -> Paragraph:
    return L.para(text, style)


def rate_text(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def hours_text(hours: float | None) -> str:
    return "—" if hours is None else f"{hours:.1f}"


def _summary_line(stats: Classification) -> Paragraph:
    t = stats.total
    if t.count == 0:
        return _para(_("本期没有受理投诉。"), _style("cd.cstats.summary", 9))
    return _para(
        _(
            "本期共受理投诉 {count} 宗，已判断 {judged} 宗，其中属实 {justified} 宗"
            "（属实率 {rate}）；已结案 {closed} 宗，平均结案时长 {hours} 小时；"
            "超时 {overdue} 宗；补偿金额合计 {fen}。"
        ).format(
            count=t.count,
            judged=t.judged,
            justified=t.justified,
            rate=rate_text(t.justified_rate),
            closed=t.closed,
            hours=hours_text(t.mean_close_hours),
            overdue=t.overdue,
            fen=format_fen(t.compensation_fen),
        ),
        _style("cd.cstats.summary", 9),
    )


def _unit_caption() -> Paragraph:
    caption = _para(_("金额单位：元"), _style("cd.cstats.unit", 7.5, alignment=TA_RIGHT,
                                             textColor=MUTED))  # fmt: skip
    caption.spaceAfter = 2
    return caption


_TITLES = (
    N_("类别"),
    N_("部门"),
    N_("投诉数"),
    N_("已判断"),
    N_("属实"),
    N_("属实率"),
    N_("已结案"),
    N_("平均结案时长（小时）"),
    N_("超时数"),
    N_("补偿金额"),
)
_WEIGHTS = (1.55, 1.15, 0.8, 0.8, 0.7, 0.9, 0.8, 1.25, 0.8, 1.25)


def figure_cells(f: Figures) -> list[str]:
    return [
        str(f.count),
        str(f.judged),
        str(f.justified),
        rate_text(f.justified_rate),
        str(f.closed),
        hours_text(f.mean_close_hours),
        str(f.overdue),
        format_fen(f.compensation_fen, symbol=False),
    ]


def _stats_table(stats: Classification) -> Table:
    rows = stats.table()
    data: list[list[object]] = [[_para(_(t), HEAD) for t in _TITLES]]
    commands: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), SIZE),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BOX", (0, 0), (-1, -1), LINE_WIDTH * 1.4, RULE),
        ("INNERGRID", (0, 0), (-1, -1), LINE_WIDTH * 0.6, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 1.0, RULE),
    ]
    first_of_category = 1
    for i, row in enumerate(rows):
        r = len(data)
        if row.kind is RowKind.TOTAL:
            name, dept = _para(_("合计"), LEFT), ""
        elif row.kind is RowKind.SUBTOTAL:
            details = r - first_of_category
            name = _para(row.category, LEFT) if details == 0 else ""
            dept = _para(_("小计") if details else "—", CENTRE if details else LEFT)
        else:
            # The name is written once, in a cell spanning the category's rows.
            starts = i == 0 or rows[i - 1].kind is not RowKind.DETAIL
            name = _para(row.category, LEFT) if starts else ""
            dept = _para(row.department_name, LEFT)
        data.append([name, dept, *(_para(c, RIGHT) for c in figure_cells(row.figures))])
        if row.kind is RowKind.SUBTOTAL:
            commands.append(("BACKGROUND", (1, r), (-1, r), LABEL_FILL))
            if r > first_of_category:
                commands.append(("SPAN", (0, first_of_category), (0, r)))
            else:
                commands.append(("BACKGROUND", (0, r), (0, r), LABEL_FILL))
            commands.append(("LINEBELOW", (0, r), (-1, r), LINE_WIDTH * 1.4, RULE))
            first_of_category = r + 1
        elif row.kind is RowKind.TOTAL:
            commands += [
                ("BACKGROUND", (0, r), (-1, r), HEADER_FILL),
                ("LINEABOVE", (0, r), (-1, r), 1.0, RULE),
                ("SPAN", (0, r), (1, r)),
            ]
    table = Table(data, colWidths=_widths(), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _widths() -> list[float]:
    total = sum(_WEIGHTS)
    widths = [L.CONTENT_WIDTH * w / total for w in _WEIGHTS]
    # The money column must hold "100,000.00"; the rest is shared as weighted.
    need = text_width("1,000,000.00", SIZE) + 2 * PAD + 2
    if widths[-1] < need:
        widths[0] -= need - widths[-1]
        widths[-1] = need
    return widths


def _month_table(stats: Classification) -> Table:
    months = list(stats.months)
    cells = stats.by_month_category()
    by_month = stats.by_month()
    one_year = len({m.year for m in months}) == 1
    titles = [
        _("类别"),
        *(_("{m}月").format(m=m.month) if one_year else f"{m.year}-{m.month:02d}" for m in months),
        _("合计"),
    ]
    data: list[list[object]] = [[_para(t, HEAD) for t in titles]]
    per_category = stats.by_category()
    for category in stats.categories:
        counts = [cells.get((m, category.id), Figures()).count for m in months]
        data.append(
            [_para(category.name, LEFT), *(_para(str(c), RIGHT) for c in counts),
             _para(str(per_category[category.id].count), RIGHT)]
        )  # fmt: skip
    data.append(
        [_para(_("合计"), LEFT), *(_para(str(by_month[m].count), RIGHT) for m in months),
         _para(str(stats.total.count), RIGHT)]
    )  # fmt: skip
    name_w = 78.0
    other = (L.CONTENT_WIDTH - name_w) / (len(titles) - 1)
    table = Table(data, colWidths=[name_w] + [other] * (len(titles) - 1), repeatRows=1,
                  hAlign="LEFT")  # fmt: skip
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), LINE_WIDTH * 1.4, RULE),
                ("INNERGRID", (0, 0), (-1, -1), LINE_WIDTH * 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL),
                ("BACKGROUND", (-1, 1), (-1, -2), LABEL_FILL),
                ("LINEABOVE", (0, -1), (-1, -1), 1.0, RULE),
            ]
        )
    )
    return table


def _chart(stats: Classification) -> list[Flowable]:
    categories, counts, stacked = stats.chart_series()
    series = [charts.ChartSeries(name, values) for name, values in counts]
    caption = _("各类投诉数（按月分组）") if stats.multi_month else _("各类投诉数（按部门分段）")
    # A list, not a KeepTogether: nested in the section's KeepTogether, one would
    # claim the whole page and push the chart onto the next.
    return [
        _para(caption, _style("cd.cstats.caption", 8.5, alignment=TA_LEFT)),
        Spacer(1, 3),
        charts.bar_chart(
            categories, series, stacked=stacked, height=185, unit=_("宗"),
            empty_text=_("本期没有投诉。"),
        ),
    ]  # fmt: skip


def _improvements(stats: Classification) -> list[Flowable]:
    parts: list[Flowable] = []
    style = _style("cd.cstats.improve", 9, leftIndent=14, firstLineIndent=-14, spaceAfter=3)
    for n, item in enumerate(stats.improvements, start=1):
        numbers = _("、").join(item.numbers[:NUMBERS_SHOWN])
        if len(item.numbers) > NUMBERS_SHOWN:
            numbers = _("{numbers} 等 {n} 宗").format(numbers=numbers, n=len(item.numbers))
        parts.append(
            _para(
                _("{n}. 〔{category} · {department}〕{text}（{numbers}）").format(
                    n=n,
                    category=item.category,
                    department=item.department,
                    text=item.text,
                    numbers=numbers,
                ),
                style,
            )
        )
    if not stats.improvements:
        parts.append(_para(_("本期没有填写改进措施。"), _style("cd.cstats.none", 9)))
    if stats.withheld_improvements:
        parts.append(
            _para(
                _("另有 {n} 条改进措施属于敏感投诉，未在此列出，请主管在系统中查看。").format(
                    n=stats.withheld_improvements
                ),
                _style("cd.cstats.withheld", 8, textColor=MUTED),
            )
        )
    parts.append(Spacer(1, 4))
    parts.append(
        L.LabelledText(
            _("主管补充意见"), None, label_width=L.label_width_for([_("主管补充意见")]),
            min_height=3 * 22.0,
        )
    )  # fmt: skip
    return parts


def _explanation() -> str:
    return _(
        "说明：投诉按受理时间计入月份；部门为判断属实后指定的责任部门，未判断或判断不属实的"
        "按登记时填写的部门，未填写的计为“未指定”。属实率 = 属实 ÷ 已判断；平均结案时长"
        "为受理至结案的小时数（仅计已结案）；超时数为处理中有步骤逾期完成，或截至打印时"
        "仍未处理且已过期限的投诉；补偿金额为补偿到会员储值卡的金额。敏感投诉计入各项数字。"
    )

"""回访总结报告: the periodic return-visit summary that is printed and filed (domain.md
section 4).

The figures (coverage of the members, visits planned, done, on time and overdue), the
customers' answers as a chart and by source, channel and caller, the dissatisfied
visits and the complaints they were turned into, the latest suggestions, room for the
supervisor's conclusions, and the signatures.  Names of customers appear (it is an
internal report, marked so on every page); phone numbers never do.

The record id is a month (202603); ``--id latest`` is this month, and ``--from`` /
``--to`` give any other period.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.models.enums import Satisfaction
from clubdesk.pdf import charts
from clubdesk.pdf import layout as L
from clubdesk.pdf.forms.complaint_stats import period_words, rate_text
from clubdesk.pdf.forms.monthly import monthly_report
from clubdesk.pdf.style import (
    ACCENT,
    HEADER_FILL,
    LABEL_FILL,
    LINE_WIDTH,
    MUTED,
    RULE,
    VALUE,
    ZEBRA_FILL,
)
from clubdesk.services import visit_stats as vs
from clubdesk.services.labels import label
from clubdesk.services.visit_stats import Answers, VisitSummary

TITLE = N_("回访总结报告")
SIZE = 8.0
PAD = 3.0
# Satisfied, average, dissatisfied: dark, mid, light, so that a grey printout keeps them.
SATISFACTION_COLOURS = {
    Satisfaction.SATISFIED: "#1f3a5f",
    Satisfaction.AVERAGE: "#9db4cf",
    Satisfaction.DISSATISFIED: "#c8892b",
}


def render_visit_summary(
    db: Database,
    out: Path,
    *,
    start: date,
    end: date,
    printed_at: datetime | None = None,
) -> None:
    printed_at = printed_at or datetime.now().replace(microsecond=0)
    summary = vs.visit_summary(db, start, end, now=printed_at)
    page = L.FormPage(
        club_name=str(settings.get_value(db, "club.name")),
        title=_(TITLE),
        reference=_("统计期间：{period}").format(period=period_words(start, end)),
        printed_at=printed_at,
        footer_note=_("含顾客姓名与意见，仅限本店内部使用"),
    )
    L.build_pdf(out, page, summary_story(summary))


monthly_report("visit-summary", TITLE, render_visit_summary)


# -- pieces ------------------------------------------------------------------------------


def _style(name: str, size: float = SIZE, **kw: Any) -> ParagraphStyle:
    return ParagraphStyle(name, parent=VALUE, fontSize=size, leading=size * 1.3, **kw)


LEFT = _style("cd.vsum.left")
RIGHT = _style("cd.vsum.right", alignment=TA_RIGHT)
CENTRE = _style("cd.vsum.centre", alignment=TA_CENTER)
HEAD = _style("cd.vsum.head", alignment=TA_CENTER)


def _p(text: str | None, style: ParagraphStyle = LEFT) -> Paragraph:
    return L.para(text or "", style)


def _table(
    titles: Sequence[str],
    rows: Sequence[Sequence[str]],
    weights: Sequence[float],
    *,
    right_from: int,
    total: Sequence[str] | None = None,
    empty: str = "",
    width: float = L.CONTENT_WIDTH,
) -> Table:
    """A small-type table: text columns left, figures (from ``right_from``) right."""
    data: list[list[object]] = [[_p(t, HEAD) for t in titles]]
    for row in rows:
        data.append([_p(c, RIGHT if i >= right_from else LEFT) for i, c in enumerate(row)])
    if not rows and empty:
        data.append([_p(empty, LEFT)] + [""] * (len(titles) - 1))
    if total is not None:
        data.append([_p(c, RIGHT if i >= right_from else LEFT) for i, c in enumerate(total)])
    scale = width / sum(weights)
    table = Table(data, colWidths=[w * scale for w in weights], repeatRows=1, hAlign="LEFT")
    commands: list[tuple[object, ...]] = [
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
    if len(data) > 3:
        last = -2 if total is not None else -1
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, last), [None, ZEBRA_FILL]))
    if not rows and empty:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    if total is not None:
        commands += [
            ("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL),
            ("LINEABOVE", (0, -1), (-1, -1), 1.0, RULE),
        ]
    table.setStyle(TableStyle(commands))
    return table


def _count(n: int) -> str:
    return f"{n:,}"


def answer_cells(a: Answers) -> list[str]:
    return [
        _count(a.done),
        _count(a.satisfied),
        _count(a.average),
        _count(a.dissatisfied),
        rate_text(a.satisfaction_rate),
    ]


def _figures(s: VisitSummary) -> Table:
    """The report's headline figures in a strip, big, with what each means below."""
    head = _style("cd.vsum.fig.head", 8, alignment=TA_CENTER, textColor=MUTED)
    big = _style("cd.vsum.fig.value", 13, alignment=TA_CENTER, textColor=ACCENT)
    cells = [
        (_("会员总数"), _count(s.members)),
        (_("已回访会员"), _count(s.covered)),
        (_("回访覆盖率"), rate_text(s.coverage)),
        (_("本期应回访"), _count(s.planned)),
        (_("其中已完成"), _count(s.planned_done)),
        (_("超期未回访"), _count(s.overdue)),
        (_("本期完成回访"), _count(s.done)),
        (_("按时完成率"), rate_text(s.on_time_rate)),
    ]
    rows: list[list[object]] = []
    for i in range(0, len(cells), 4):
        part = cells[i : i + 4]
        rows.append([_p(t, head) for t, _v in part])
        rows.append([_p(v, big) for _t, v in part])
    table = Table(rows, colWidths=[L.CONTENT_WIDTH / 4] * 4, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), LINE_WIDTH * 1.4, RULE),
                ("INNERGRID", (0, 0), (-1, -1), LINE_WIDTH * 0.6, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL),
                ("BACKGROUND", (0, 2), (-1, 2), LABEL_FILL),
                ("LINEABOVE", (0, 2), (-1, 2), 1.0, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _coverage_line(s: VisitSummary) -> list[Flowable]:
    text = _(
        "回访覆盖率 = 本期有回访记录的会员 {covered} 人 ÷ 期末会员 {members} 人"
        "（目标 100%，每位会员都应得到回访）。"
    ).format(covered=_count(s.covered), members=_count(s.members))
    return [
        _p(text, _style("cd.vsum.cov", 8.5)),
        Spacer(1, 2),
        charts.gauge_line(s.coverage),
    ]


def _satisfaction(s: VisitSummary) -> Table:
    """The pie of the answers beside the table of the answers by channel."""
    a = s.answers
    pie = charts.pie_chart(
        [charts.PieSlice(label(o), a.count(o), SATISFACTION_COLOURS[o]) for o in Satisfaction],
        width=L.CONTENT_WIDTH * 0.5,
        height=110,
        donut=True,
        centre_text=rate_text(a.satisfaction_rate),
        centre_caption=_("满意率"),
        empty_text=_("本期没有回访结果。"),
    )
    channel_rows = [[r.name, *answer_cells(r.answers)] for r in s.by_channel]
    channel = _table(
        [_("回访方式"), _("完成"), _("满意"), _("基本满意"), _("不满意"), _("满意率")],
        channel_rows,
        [1.3, 0.8, 0.8, 1.0, 0.9, 1.0],
        right_from=1,
        empty=_("本期没有完成的回访。"),
        width=L.CONTENT_WIDTH * 0.48,
    )
    outer = Table([[pie, channel]], colWidths=[L.CONTENT_WIDTH * 0.5, L.CONTENT_WIDTH * 0.5])
    outer.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ]
        )
    )
    return outer


def _by_source(s: VisitSummary) -> list[Flowable]:
    rows = [
        [r.name, _count(r.planned), _count(r.overdue), *answer_cells(r.answers)]
        for r in s.by_source
    ]
    total = [
        _("合计"),
        _count(s.planned),
        _count(s.overdue),
        *answer_cells(s.answers),
    ]
    table = _table(
        [_("回访来源"), _("本期应回访"), _("超期未回访"), _("本期完成"), _("满意"),
         _("基本满意"), _("不满意"), _("满意率")],
        rows,
        [1.4, 1.0, 1.0, 0.9, 0.8, 0.9, 0.8, 0.9],
        right_from=1,
        total=total,
    )  # fmt: skip
    chart = charts.hbar_chart(
        [r.name for r in s.by_source],
        [
            charts.ChartSeries(_("本期应回访"), [r.planned for r in s.by_source]),
            charts.ChartSeries(_("本期完成"), [r.answers.done for r in s.by_source]),
        ],
        height=120,
        empty_text=_("本期没有应回访或完成的回访。"),
    )
    note = _p(
        _(
            "说明：本期应回访为到期日在统计期间内的回访；本期完成为在统计期间内完成的回访"
            "（含上期到期、本期补做的）；超期未回访为已过到期日仍未回访的（截至打印时间）；"
            "满意率 = 满意 ÷ 作出评价的回访。"
        ),
        _style("cd.vsum.note", 7.5, textColor=MUTED),
    )
    return [table, Spacer(1, 2), note, Spacer(1, 6), chart]


def _by_staff(s: VisitSummary) -> Table:
    rows = [[r.name, *answer_cells(r.answers)] for r in s.by_staff]
    return _table(
        [_("回访人员"), _("完成回访"), _("满意"), _("基本满意"), _("不满意"), _("满意率")],
        rows,
        [1.6, 1.0, 0.9, 1.0, 0.9, 1.0],
        right_from=1,
        total=[_("合计"), *answer_cells(s.answers)] if rows else None,
        empty=_("本期没有完成的回访。"),
    )


def _dissatisfied(s: VisitSummary) -> list[Flowable]:
    rows = []
    for d in s.dissatisfied:
        if d.complaint_number:
            followed = _("已转投诉 {number}（{step}）").format(
                number=d.complaint_number,
                step=label(d.complaint_step) if d.complaint_step else "",
            )
        else:
            followed = _("未转投诉")
        rows.append(
            [L.fmt_date(d.done_at.date()), d.who, label(d.source), d.staff or "—",
             d.suggestions or "—", followed]
        )  # fmt: skip
    unhappy = s.answers.dissatisfied
    intro = _p(
        _("本期回访中不满意 {n} 次，已转为投诉 {m} 次。").format(n=unhappy, m=s.escalated),
        _style("cd.vsum.unhappy", 8.5),
    )
    table = _table(
        [_("回访日期"), _("顾客"), _("来源"), _("回访人"), _("顾客意见"), _("处理")],
        rows,
        [1.25, 0.9, 0.8, 0.8, 2.2, 1.6],
        right_from=99,
        empty=_("本期没有不满意的回访。"),
    )
    return [intro, Spacer(1, 3), table, *_withheld_note(s)]


def _withheld_note(s: VisitSummary) -> list[Flowable]:
    """Why a list is shorter than its heading's count: visits about sensitive complaints
    are counted but not named (as the statistics table does with its measures)."""
    if not s.withheld:
        return []
    text = _("另有 {n} 次回访涉及敏感投诉，计入上述数字，但不在列表中列出。").format(n=s.withheld)
    return [Spacer(1, 2), _p(text, _style("cd.vsum.withheld", 7.5))]


def _suggestions(s: VisitSummary) -> list[Flowable]:
    rows = [
        [L.fmt_date(x.done_at.date()), x.who, label(x.outcome) if x.outcome else "—", x.text]
        for x in s.suggestions
    ]
    intro = _p(
        _("本期顾客共提出建议 {n} 条，以下为最近 {shown} 条。").format(
            n=s.suggestions_total, shown=len(rows)
        )
        if s.suggestions_total > len(rows)
        else _("本期顾客共提出建议 {n} 条。").format(n=s.suggestions_total),
        _style("cd.vsum.sugg", 8.5),
    )
    table = _table(
        [_("回访日期"), _("顾客"), _("评价"), _("建议")],
        rows,
        [1.25, 0.9, 0.8, 5.0],
        right_from=99,
        empty=_("本期顾客没有提出建议。"),
    )
    return [intro, Spacer(1, 3), table, *_withheld_note(s)]


def summary_story(s: VisitSummary) -> list[Flowable]:
    conclusions = _("总结与改进措施")
    return [
        L.SectionHeading(_("一、总体情况"), space_before=0),
        _figures(s),
        Spacer(1, 5),
        *_coverage_line(s),
        KeepTogether([L.SectionHeading(_("二、满意度")), _satisfaction(s)]),
        L.SectionHeading(_("三、按回访来源")),
        *_by_source(s),
        L.SectionHeading(_("四、按回访人员")),
        _by_staff(s),
        L.SectionHeading(_("五、不满意回访及转投诉")),
        *_dissatisfied(s),
        L.SectionHeading(_("六、顾客建议")),
        *_suggestions(s),
        # The conclusions and the signatures under them stay on one page.
        KeepTogether(
            [
                L.SectionHeading(_("七、总结与改进")),
                L.LabelledText(
                    conclusions,
                    None,
                    label_width=L.label_width_for([conclusions]),
                    min_height=4 * 22.0,
                ),
                Spacer(1, 10),
                *L.signature_lines([_("报告人："), _("审核人：")]),
            ]
        ),
    ]

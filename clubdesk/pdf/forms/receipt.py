"""结账小票: the receipt of one checkout, on an 80 mm roll as a counter's receipt printer
takes it (an office printer prints it at its real size too).

The page is as long as the receipt: the story is measured first and the page made to
fit, so it never breaks onto a second slip.  A reversed checkout (反结账) is printed
with a "已反结账" stamp across it and the reversal's time, manager and reason.  The
card number is masked; the receipt is handed to the guest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Table, TableStyle

from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.money import format_fen
from clubdesk.pdf.fonts import FONT, draw_bold, register_fonts
from clubdesk.pdf.registry import printable
from clubdesk.pdf.style import ACCENT, INK, MUTED, RULE, para
from clubdesk.pdf.text import fmt_date, fmt_datetime
from clubdesk.services import checkout as co
from clubdesk.services.checkout import ReceiptData
from clubdesk.services.labels import label

TITLE = N_("结账小票")
PAPER_WIDTH = 80 * mm
MARGIN_X = 4 * mm
MARGIN_Y = 5 * mm
WIDTH = PAPER_WIDTH - 2 * MARGIN_X
SIZE = 8.5
STAMP = colors.HexColor("#b42318")  # a red stamp; prints as a dark grey on a laser printer


def _style(name: str, size: float = SIZE, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {
        "fontName": FONT,
        "fontSize": size,
        "leading": size * 1.3,
        "textColor": INK,
        "wordWrap": "CJK",
    }
    base.update(kw)
    return ParagraphStyle(name, **base)


LEFT = _style("cd.receipt.left")
RIGHT = _style("cd.receipt.right", alignment=TA_RIGHT)
CENTRE = _style("cd.receipt.centre", alignment=TA_CENTER)
SMALL_CENTRE = _style("cd.receipt.small", 7.5, alignment=TA_CENTER, textColor=MUTED)
CLUB = _style("cd.receipt.club", 11, alignment=TA_CENTER)
TITLE_STYLE = _style("cd.receipt.title", 13, alignment=TA_CENTER, textColor=ACCENT)
DUE_LABEL = _style("cd.receipt.due.label", 11, alignment=TA_LEFT)
DUE_VALUE = _style("cd.receipt.due.value", 14, alignment=TA_RIGHT, textColor=ACCENT)
REVERSED = _style("cd.receipt.reversed", 9, alignment=TA_LEFT, textColor=STAMP)


class _Rule(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A dashed (or a double solid) line across the slip, as receipts are divided."""

    def __init__(self, *, double: bool = False) -> None:
        super().__init__()
        self.double = double

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, 7.0

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        if self.double:
            canvas.line(0, 4.6, self.width, 4.6)
            canvas.line(0, 2.4, self.width, 2.4)
        else:
            canvas.setDash(2, 1.6)
            canvas.line(0, 3.5, self.width, 3.5)
        canvas.restoreState()


def _pairs(rows: Sequence[tuple[str, str]], label_share: float = 0.42) -> Table:
    """Label on the left, value on the right, each wrapping within its half."""
    data = [[para(name, LEFT), para(value, RIGHT)] for name, value in rows]
    table = Table(data, colWidths=[WIDTH * label_share, WIDTH * (1 - label_share)])
    table.setStyle(_tight())
    return table


def _tight(extra: Sequence[tuple[object, ...]] = ()) -> TableStyle:
    return TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            *extra,
        ]
    )


def _service_time(r: ReceiptData) -> str:
    if r.start_at.date() == r.end_at.date():
        return f"{fmt_date(r.start_at.date())} {r.start_at:%H:%M}–{r.end_at:%H:%M}"
    return f"{fmt_datetime(r.start_at)} – {fmt_datetime(r.end_at)}"


def _items(r: ReceiptData) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if r.unit_fen is not None and r.added_fen is not None:
        line = r.service
        if r.guest_count > 1:
            line = _("{service} {unit} × {n} 位").format(
                service=r.service, unit=format_fen(r.unit_fen), n=r.guest_count
            )
        rows.append((line, format_fen(r.unit_fen * r.guest_count)))
        if r.added_minutes:
            rows.append(
                (_("加钟 {minutes} 分钟").format(minutes=r.added_minutes), format_fen(r.added_fen))
            )
    rows.append((_("标价合计"), format_fen(r.list_fen)))
    reason = r.discount_reason or _("原价")
    rows.append((_("折扣：{reason}").format(reason=reason), format_fen(-r.discount_fen)))
    return rows


def receipt_story(r: ReceiptData, printed_at: datetime) -> list[Flowable]:
    story: list[Flowable] = [para(r.club_name, CLUB)]
    contact = "　".join(
        part
        for part in (
            _("地址：{address}").format(address=r.club_address) if r.club_address else "",
            _("电话：{phone}").format(phone=r.club_phone) if r.club_phone else "",
        )
        if part
    )
    if contact:
        story.append(para(contact, SMALL_CENTRE))
    title = para(_(TITLE), TITLE_STYLE)
    title.spaceBefore = 3
    title.spaceAfter = 2
    story += [title, _Rule()]
    story.append(
        _pairs(
            [
                (_("小票号"), r.number),
                (_("结账时间"), fmt_datetime(r.settled_at)),
                (_("预约号"), str(r.booking_id)),
                (_("收银员"), r.cashier or ""),
            ]
        )
    )
    story.append(_Rule())
    guest: list[tuple[str, str]] = [(_("客人"), r.guest)]
    if r.member_id is None:
        guest.append((_("会员"), _("散客（非会员）")))
    else:
        guest.append((_("会员卡"), r.card_number or _("未办卡")))
        if r.tier:
            guest.append((_("会员等级"), r.tier))
    story += [_pairs(guest), _Rule()]
    service: list[tuple[str, str]] = [
        (_("服务项目"), r.service),
        (_("服务时间"), _service_time(r)),
    ]
    if r.guest_count > 1:
        service.append((_("人数"), _("{n} 位").format(n=r.guest_count)))
    if r.resources:
        service.append((_("房间/技师"), _("、").join(r.resources)))
    story += [_pairs(service, 0.3), _Rule()]
    story.append(_pairs(_items(r), 0.66))
    story.append(_Rule(double=True))
    due = Table(
        [[para(_("应收"), DUE_LABEL), para(format_fen(r.due_fen), DUE_VALUE)]],
        colWidths=[WIDTH * 0.4, WIDTH * 0.6],
    )
    due.setStyle(_tight([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story.append(due)
    paid: list[tuple[str, str]] = [(_("付款方式"), label(r.method))]
    if r.balance_after_fen is not None:
        paid.append((_("储值余额"), format_fen(r.balance_after_fen)))
    if r.member_id is not None:
        paid.append((_("本次积分"), f"{r.points_earned:+,}"))
        if r.points_after is not None:
            paid.append((_("积分余额"), f"{r.points_after:,}"))
    story += [_pairs(paid), _Rule()]
    if r.reversed_at is not None:
        story.append(para(_("已反结账"), REVERSED))
        story.append(
            _pairs(
                [
                    (_("反结账时间"), fmt_datetime(r.reversed_at)),
                    (_("经办经理"), r.reversed_by or ""),
                    (_("原因"), r.reverse_reason or ""),
                ],
                0.3,
            )
        )
        story.append(_Rule())
    thanks = para(_("谢谢惠顾，欢迎再次光临！"), CENTRE)
    thanks.spaceBefore = 2
    story.append(thanks)
    story.append(para(_("打印时间：{when}").format(when=fmt_datetime(printed_at)), SMALL_CENTRE))
    return story


def _story_height(story: Sequence[Flowable]) -> float:
    total = 0.0
    for flowable in story:
        _w, height = flowable.wrap(WIDTH, 100_000)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _draw_stamp(canvas: Any, text: str, page_height: float) -> None:
    """ "已反结账" across the slip, at an angle, like a rubber stamp."""
    canvas.saveState()
    canvas.translate(PAPER_WIDTH / 2, page_height / 2)
    canvas.rotate(24)
    size = 22.0
    width = draw_bold(canvas, 0, -size * 0.35, text, size, align="centre", colour=STAMP)
    canvas.setStrokeColor(STAMP)
    canvas.setLineWidth(1.6)
    canvas.roundRect(-width / 2 - 8, -size * 0.75, width + 16, size * 1.4, 4)
    canvas.restoreState()


def render_receipt(
    db: Database, checkout_id: int, out: Path, *, printed_at: datetime | None = None
) -> None:
    """Write the receipt of ``checkout_id`` to ``out``."""
    data = co.receipt(db, checkout_id)
    printed_at = printed_at or datetime.now().replace(microsecond=0)
    register_fonts()
    story = receipt_story(data, printed_at)
    # A few points to spare: the frame must never push the last line to a second slip.
    height = _story_height(story) + 2 * MARGIN_Y + 12
    frame = Frame(
        MARGIN_X,
        MARGIN_Y,
        WIDTH,
        height - 2 * MARGIN_Y,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="slip",
    )
    doc = BaseDocTemplate(
        str(out),
        pagesize=(PAPER_WIDTH, height),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_Y,
        bottomMargin=MARGIN_Y,
        title=f"{data.club_name} {_(TITLE)} {data.number}",
        author=data.club_name,
        subject=_(TITLE),
        creator="ClubDesk",
        lang="zh-CN",
        initialFontName=FONT,
        initialFontSize=SIZE,
        displayDocTitle=True,
    )
    stamp = _("已反结账") if data.reversed else None

    def furniture(canvas: Any, _doc: Any) -> None:
        if stamp is not None:
            _draw_stamp(canvas, stamp, height)

    doc.addPageTemplates([PageTemplate(id="slip", frames=[frame], onPageEnd=furniture)])
    doc.build(story)


@printable("receipt", TITLE, blank_allowed=False, latest_id=co.latest_id)
def _render(db: Database, record_id: int | None, out: Path) -> None:
    if record_id is None:  # the registry refuses blanks first; this keeps mypy honest
        raise ValueError("a receipt needs a checkout")
    render_receipt(db, record_id, out)

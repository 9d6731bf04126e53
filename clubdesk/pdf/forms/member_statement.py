"""会员对账单: one member's stored-value and points account over a period, laid out
like a bank statement.

Member block, an account summary (opening balance, money in, money out, closing
balance; the same for points), each card's balances, then every ledger line of the
period with the running balance after it, and the period's totals by kind.  The
statement is handed to the member or filed, so the phone number is always masked.
There is no blank statement.

A card reissue's balance transfer (补卡转出 / 补卡转入) is listed with the lines and in
its own column of the card table, so that every card reconciles, but it is not money
in or out: the member's 本期存入 / 本期支出 leave it out (see ``services.statement``).

Chinese wraps between any two characters; English must wrap at spaces.  Every cell
goes through ``_cell``, which picks the wrapping by language and text, and the column
widths leave room for the longest word of each title, not half of its characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.models.enums import CardStatus, LedgerKind
from clubdesk.money import format_fen
from clubdesk.pdf import layout as L
from clubdesk.pdf.fonts import FONT, fit_text, text_width
from clubdesk.pdf.registry import PrintOptions, printable
from clubdesk.pdf.style import (
    ACCENT,
    CELL_PAD_X,
    HEADER_FILL,
    INK,
    LABEL,
    LABEL_FILL,
    LABEL_SIZE,
    LINE_WIDTH,
    MUTED,
    ROW_PADDING,
    RULE,
    VALUE,
    ZEBRA_FILL,
    wraps_as_chinese,
)
from clubdesk.services import statement as st
from clubdesk.services.labels import label
from clubdesk.services.statement import Statement, StatementLine

TITLE = N_("会员对账单")
LABEL_WIDTH = 78.0  # the member block's labels: four Chinese characters on one line
LABEL_WIDTH_MAX = 112.0  # English labels may take up to this, on two lines
# The ledger table is the statement's body: small type so ten columns fit the width.
LINE_SIZE = 8.0
SUMMARY_SIZE = 8.5
PAD = 3.0
# The kinds the totals always list, even at zero: what a member asks about.
MAIN_KINDS: tuple[tuple[LedgerKind, ...], ...] = (
    (LedgerKind.TOP_UP,),
    (LedgerKind.BONUS,),
    (LedgerKind.PURCHASE,),
    (LedgerKind.REFUND,),
    st.FEE_KINDS,
    (LedgerKind.POINTS_EARNED,),
    (LedgerKind.POINTS_REDEEMED,),
)


def render_member_statement(
    db: Database,
    member_id: int,
    out: Path,
    *,
    start: date | None = None,
    end: date | None = None,
    printed_at: datetime | None = None,
) -> None:
    """Write the statement of ``member_id`` for ``start``..``end`` (both days included;
    by default the last three months up to the print day) to ``out``."""
    printed_at = printed_at or datetime.now().replace(microsecond=0)
    start, end = st.default_period(printed_at.date(), start, end)
    data = st.statement(db, member_id, start, end)
    page = L.FormPage(
        club_name=str(settings.get_value(db, "club.name")),
        title=_(TITLE),
        reference=_("会员编号：{id}　对账期间：{start} 至 {end}").format(
            id=data.member_id, start=L.fmt_date(start), end=L.fmt_date(end)
        ),
        printed_at=printed_at,
        footer_note=_("打印时间：{when}　仅限本店内部使用").format(when=L.fmt_datetime(printed_at)),
    )
    L.build_pdf(out, page, statement_story(data))


def _render_with_options(
    db: Database, record_id: int | None, out: Path, options: PrintOptions
) -> None:
    if record_id is None:  # the registry refuses blanks first; this keeps mypy honest
        raise ValueError("a statement needs a member")
    render_member_statement(db, record_id, out, start=options.start, end=options.end)


@printable(
    "member-statement",
    TITLE,
    blank_allowed=False,
    latest_id=st.latest_member_id,
    find_record=st.find_member,
    render_with_options=_render_with_options,
)
def _render(db: Database, record_id: int | None, out: Path) -> None:
    _render_with_options(db, record_id, out, PrintOptions())


def statement_story(s: Statement) -> list[Flowable]:
    count = len(s.lines)
    return [
        L.SectionHeading(_("一、会员资料"), space_before=0),
        _member_block(s),
        L.SectionHeading(_("二、账户摘要")),
        _summary_strip(s),
        Spacer(1, 6),
        _cards_table(s),
        *_transfer_note(s),
        L.SectionHeading(_("三、交易明细（共 {n} 笔）").format(n=count)),
        _unit_caption(),
        _lines_table(s.lines),
        # The totals and the closing figures belong together on one page.
        KeepTogether(
            [
                L.SectionHeading(_("四、本期汇总")),
                _totals_table(s),
                Spacer(1, 6),
                _closing_line(s),
            ]
        ),
        Spacer(1, 8),
        _cell(
            _(
                "温馨提示：本对账单根据本店会员账务流水生成，“卡内金额”为会员卡余额的变动，"
                "“现付”为以现金、银行卡、微信或支付宝另行支付的金额，不计入卡内余额。"
                "如对账单内容有疑问，请于收到后 30 日内联系前台或您的客服专员。"
            ),
            L.NOTE,
        ),
    ]


def _member_block(s: Statement) -> Table:
    cards = _("、").join(
        c.number
        if c.status is CardStatus.ACTIVE
        else _("{number}（{status}）").format(number=c.number, status=label(c.status))
        for c in s.cards
    )
    return _field_grid(
        [
            (_("姓名"), s.name),
            (_("会员编号"), str(s.member_id)),
            (_("手机号码"), s.phone_masked),
            (_("会员等级"), s.tier_name),
            (_("客户分类"), label(s.category)),
            (_("入会日期"), L.fmt_date(s.joined_on)),
            (_("客服专员"), s.specialist or _("未指定")),
            (_("会员卡号"), cards or _("未办理会员卡")),
            (
                _("对账期间"),
                _("{start} 至 {end}").format(start=L.fmt_date(s.start), end=L.fmt_date(s.end)),
            ),
        ]
    )


def _field_grid(fields: Sequence[tuple[str, str]]) -> Table:
    """Label and value, two pairs a row, the last field alone widened to the edge: the
    house field grid (``L.field_grid``), with labels that wrap at spaces in English."""
    texts = [label_text for label_text, _value in fields]
    need = max(_two_line_width(t, LABEL_SIZE) for t in texts) + 2 * CELL_PAD_X + 2
    label_w = min(max(LABEL_WIDTH, need), LABEL_WIDTH_MAX)
    value_w = (L.CONTENT_WIDTH - 2 * label_w) / 2
    rows: list[list[object]] = []
    commands: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), LINE_WIDTH, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), ROW_PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), ROW_PADDING),
    ]
    for i in range(0, len(fields), 2):
        r, pair = len(rows), fields[i : i + 2]
        row: list[object] = []
        for label_text, value in pair:
            commands.append(("BACKGROUND", (len(row), r), (len(row), r), LABEL_FILL))
            row += [_cell(label_text, LABEL), _cell(value, VALUE)]
        if len(pair) == 1:
            row += ["", ""]
            commands.append(("SPAN", (1, r), (3, r)))
        rows.append(row)
    table = Table(rows, colWidths=[label_w, value_w] * 2, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


# --- small-type tables ---------------------------------------------------------------


def _style(name: str, size: float, **kw: object) -> ParagraphStyle:
    return ParagraphStyle(name, parent=VALUE, fontSize=size, leading=size * 1.3, **kw)


def _cell(text: str | None, style: ParagraphStyle) -> Paragraph:
    """A paragraph that wraps as its text reads (see ``style.wraps_as_chinese``)."""
    return L.para(text or "", style)


def _two_line_width(text: str, size: float) -> float:
    """The narrowest width that holds ``text`` on at most two lines, broken where
    ``_cell`` would break it (any character in Chinese, a space otherwise)."""
    if wraps_as_chinese(text):  # two characters stay together on one line
        return text_width(text if len(text) <= 2 else text[: (len(text) + 1) // 2], size)
    words = text.split()
    if len(words) <= 1:
        return text_width(text.strip(), size)
    return min(
        max(text_width(" ".join(words[:k]), size), text_width(" ".join(words[k:]), size))
        for k in range(1, len(words))
    )


def _widest_word(text: str, size: float) -> float:
    """The widest piece ``_cell`` never breaks (the whole text in Chinese)."""
    if wraps_as_chinese(text):
        return text_width(text, size)
    return max((text_width(w, size) for w in text.split()), default=0.0)


def _signed(fen: int) -> str:
    """+1,000.00 / -115.00 in yuan (the column says 元); empty for no change."""
    if fen == 0:
        return ""
    return ("+" if fen > 0 else "") + format_fen(fen, symbol=False)


def _signed_yuan(fen: int) -> str:
    """+¥731.40 / -¥731.40 / ¥0.00: a transfer, which has a direction."""
    return ("+" if fen > 0 else "") + format_fen(fen)


def _signed_points(points: int) -> str:
    return "" if points == 0 else f"{points:+,}"


def _table_style(
    size: float, *, rows: int, money_from: int, total_row: bool, zebra: bool = True
) -> list[tuple[object, ...]]:
    commands: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.25),
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
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (money_from, 1), (-1, -1), "RIGHT"),
    ]
    if zebra and rows > 1:
        last = -2 if total_row else -1
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, last), [None, ZEBRA_FILL]))
    if total_row:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1.0, RULE))
        commands.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL))
    return commands


def _summary_strip(s: Statement) -> Table:
    """The four figures a statement is read for, money above points, large."""
    head = _style("cd.stmt.strip.head", SUMMARY_SIZE, alignment=TA_CENTER, textColor=MUTED)
    big = _style("cd.stmt.strip.value", 12.5, alignment=TA_CENTER, textColor=ACCENT)
    rows = [
        [
            _cell(_("期初余额"), head),
            _cell(_("本期存入"), head),
            _cell(_("本期支出"), head),
            _cell(_("期末余额"), head),
        ],
        [
            _cell(format_fen(s.opening_fen), big),
            _cell(format_fen(s.credits_fen), big),
            _cell(format_fen(s.debits_fen), big),
            _cell(format_fen(s.closing_fen), big),
        ],
        [
            _cell(_("期初积分"), head),
            _cell(_("本期增加积分"), head),
            _cell(_("本期减少积分"), head),
            _cell(_("期末积分"), head),
        ],
        [
            _cell(f"{s.opening_points:,}", big),
            _cell(f"{s.points_in:,}", big),
            _cell(f"{s.points_out:,}", big),
            _cell(f"{s.closing_points:,}", big),
        ],
    ]
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


def _cards_table(s: Statement) -> Table:
    """Each card's opening + in - out (+ transfers) = closing.  The transfer column
    appears only when a reissue moved a balance in the period."""
    size = SUMMARY_SIZE
    left = _style("cd.stmt.card", size)
    head = _style("cd.stmt.card.head", size, alignment=TA_CENTER)
    moved = s.has_transfers
    titles = [_("卡号"), _("卡类型"), _("状态"), _("期初余额"), _("本期存入"), _("本期支出")]
    if moved:
        titles.append(_("补卡转移"))
    titles.append(_("期末余额"))
    rows: list[list[str]] = []
    for c in s.cards:
        row = [fit_text(c.number), label(c.kind), label(c.status)]
        row += [format_fen(c.opening_fen), format_fen(c.credits_fen), format_fen(c.debits_fen)]
        if moved:
            row.append(_signed_yuan(c.transfers_fen))
        rows.append([*row, format_fen(c.closing_fen)])
    totals = [format_fen(s.opening_fen), format_fen(s.credits_fen), format_fen(s.debits_fen)]
    if moved:
        totals.append(_signed_yuan(s.transfers_fen))
    totals.append(format_fen(s.closing_fen))
    widths = _card_widths(titles, [*rows, ["", "", "", *totals]], size)

    data: list[list[object]] = [[_cell(t, head) for t in titles]]
    data += [[row[0], _cell(row[1], left), _cell(row[2], left), *row[3:]] for row in rows]
    if not s.cards:
        data.append([_cell(_("该会员未办理会员卡。"), left)] + [""] * (len(titles) - 1))
    data.append([_cell(_("合计"), left), "", "", *totals])
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = _table_style(size, rows=len(data) - 2, money_from=3, total_row=True)
    commands.append(("SPAN", (0, -1), (2, -1)))
    if not s.cards:
        commands.append(("SPAN", (0, 1), (2, 1)))
    table.setStyle(TableStyle(commands))
    return table


_TEXT_COLUMNS = (1, 2)  # card kind and status: words that may wrap; the rest are figures


def _card_widths(titles: Sequence[str], rows: Sequence[Sequence[str]], size: float) -> list[float]:
    """Every column wide enough for its figures and its title on two lines; the card
    kind and status on one line if that leaves room, else wrapped once.  What is left
    is shared out evenly."""
    pad = 2 * PAD + 1.5
    full: list[float] = []
    least: list[float] = []
    for i, title in enumerate(titles):
        texts = [row[i] for row in rows]
        head = _two_line_width(title, size)
        one_line = max(head, *(text_width(t, size) for t in texts)) + pad
        full.append(one_line)
        if i in _TEXT_COLUMNS:
            least.append(max(head, *(_two_line_width(t, size) for t in texts)) + pad)
        else:
            least.append(one_line)
    widths = full if sum(full) <= L.CONTENT_WIDTH else least
    extra = max(L.CONTENT_WIDTH - sum(widths), 0.0) / len(widths)
    return [w + extra for w in widths]


def _transfer_note(s: Statement) -> list[Flowable]:
    """Why the transfers are in the card table but not in 本期存入 / 本期支出."""
    if not s.has_transfers:
        return []
    style = _style("cd.stmt.transfer", 8, textColor=MUTED)
    note = _cell(
        _(
            "注：“补卡转移”是补卡时旧卡余额转入新卡（明细中的“补卡转出”“补卡转入”），"
            "属本人卡间转移，不计入本期存入和本期支出。"
        ),
        style,
    )
    return [Spacer(1, 2), note]


def _share(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    return [L.CONTENT_WIDTH * w / total for w in weights]


def _unit_caption() -> Paragraph:
    style = _style("cd.stmt.unit", 8, alignment=TA_RIGHT, textColor=MUTED)
    caption = L.para(_("币种：人民币　金额单位：元"), style)
    caption.spaceAfter = 2
    return caption


_LINE_TITLES = (
    N_("交易时间"),
    N_("摘要"),
    N_("卡号"),
    N_("卡内金额"),
    N_("现付"),
    N_("卡内余额"),
    N_("积分"),
    N_("积分余额"),
    N_("经办人"),
    N_("备注"),
)
_KIND_COLUMN = 1  # 摘要 wraps (English kinds are long); the figures never do
# The staff column wraps within its cap; the 备注 column takes what is left.
_STAFF_MAX = 52.0
_REASON_MIN = 96.0


def _line_cells(line: StatementLine) -> list[str]:
    paid = format_fen(line.paid_fen, symbol=False) if line.paid_fen else ""
    if paid and line.method is not None:
        paid = f"{paid}\n{fit_text(label(line.method))}"
    balance = line.balance_after_fen
    return [
        f"{line.at:%Y-%m-%d}\n{line.at:%H:%M}",
        fit_text(label(line.kind)),
        fit_text(line.card_number or ""),
        _signed(line.amount_fen),
        paid,
        format_fen(balance, symbol=False) if balance is not None else "",
        _signed_points(line.points),
        f"{line.points_after:,}",
    ]


def _lines_table(lines: Sequence[StatementLine]) -> Table:
    size = LINE_SIZE
    head = _style("cd.stmt.line.head", size, alignment=TA_CENTER)
    wrap = _style("cd.stmt.line.text", size)
    cells = [_line_cells(line) for line in lines]
    widths = _line_widths(cells, [line.staff or "" for line in lines], size)
    data: list[list[object]] = [[_cell(_(t), head) for t in _LINE_TITLES]]
    for line, row in zip(lines, cells, strict=True):
        shown: list[object] = list(row)
        shown[_KIND_COLUMN] = _cell(row[_KIND_COLUMN], wrap)
        data.append([*shown, _cell(line.staff, wrap), _cell(line.reason, wrap)])
    if not lines:
        data.append([_cell(_("本期没有交易记录。"), wrap)] + [""] * (len(_LINE_TITLES) - 1))
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = _table_style(size, rows=len(data) - 1, money_from=3, total_row=False)
    commands += [
        ("ALIGN", (0, 1), (2, -1), "LEFT"),
        ("ALIGN", (8, 1), (-1, -1), "LEFT"),
        ("TEXTCOLOR", (4, 1), (4, -1), MUTED),
    ]
    if not lines:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(commands))
    return table


def _line_widths(cells: Sequence[Sequence[str]], staff: Sequence[str], size: float) -> list[float]:
    """Each figure column as wide as its widest entry (or a typical one), and its title
    on at most two lines; the kind column as wide as its longest kind if there is room,
    else wrapped once; the staff column capped; the remark takes the rest."""
    # Typical figures, so that even an empty table has readable columns.
    samples = [
        "2026-12-31",
        label(LedgerKind.POINTS_EARNED),
        "8100000000",
        "+0,000.00",
        "0.00",
        "0,000.00",
        "+000",
        "0,000",
    ]
    pad = 2 * PAD + 1.5
    widths: list[float] = []
    kind_full = kind_least = 0.0
    for i, sample in enumerate(samples):
        texts = [sample, *(part for row in cells for part in row[i].split("\n"))]
        head = _two_line_width(_(_LINE_TITLES[i]), size)
        widths.append(max(head, *(text_width(t, size) for t in texts)) + pad)
        if i == _KIND_COLUMN:  # wrapped at need: shared out below
            kind_full = widths[-1]
            kind_least = max(head, *(_two_line_width(t, size) for t in texts)) + pad
    names = [_widest_word(_("经办人"), size), *(text_width(fit_text(n), size) for n in staff)]
    widths.append(min(_STAFF_MAX, max(names) + pad))
    rest = L.CONTENT_WIDTH - (sum(widths) - kind_full)
    widths[_KIND_COLUMN] = min(kind_full, max(kind_least, rest - _REASON_MIN))
    rest -= widths[_KIND_COLUMN]
    if rest < _REASON_MIN:  # very long numbers: narrow the capped columns, keep the remark
        widths[-1] = max(widths[-1] - (_REASON_MIN - rest), 30.0)
        rest = L.CONTENT_WIDTH - sum(widths)
    widths.append(rest)
    return widths


def _totals_table(s: Statement) -> Table:
    size = SUMMARY_SIZE
    left = _style("cd.stmt.total", size)
    head = _style("cd.stmt.total.head", size, alignment=TA_CENTER)
    titles = [_("项目"), _("笔数"), _("卡内金额（元）"), _("现付（元）"), _("积分")]
    data: list[list[object]] = [[_cell(t, head) for t in titles]]
    shown: set[LedgerKind] = set()
    groups: list[tuple[LedgerKind, ...]] = list(MAIN_KINDS)
    for kinds in MAIN_KINDS:
        shown.update(kinds)
    groups += [(t.kind,) for t in s.totals if t.kind not in shown]
    for kinds in groups:
        total = s.total(*kinds)
        name = (
            _("费用（{kinds}）").format(kinds=_("、").join(label(k) for k in kinds))
            if len(kinds) > 1
            else label(kinds[0])
        )
        data.append(
            [
                _cell(name, left),
                str(total.count),
                _signed(total.amount_fen) or "0.00",
                format_fen(total.paid_fen, symbol=False),
                _signed_points(total.points) or "0",
            ]
        )
    data.append(
        [
            _cell(_("合计"), left),
            str(len(s.lines)),
            _signed(s.net_fen) or "0.00",
            format_fen(s.paid_fen, symbol=False),
            _signed_points(s.points_in - s.points_out) or "0",
        ]
    )
    table = Table(data, colWidths=_share([2.6, 0.9, 1.6, 1.6, 1.3]), hAlign="LEFT")
    table.setStyle(TableStyle(_table_style(size, rows=len(data) - 2, money_from=1, total_row=True)))
    return table


def _closing_line(s: Statement) -> Table:
    """期末余额 and 期末积分 in large type under the totals, as a statement ends."""
    caption = _style("cd.stmt.close.label", 10, alignment=TA_RIGHT)
    value = _style("cd.stmt.close.value", 13, alignment=TA_RIGHT, textColor=ACCENT)
    rows = [
        [
            _cell(_("截至 {end} 期末余额").format(end=L.fmt_date(s.end)), caption),
            _cell(format_fen(s.closing_fen), value),
            _cell(_("期末积分"), caption),
            _cell(_("{points} 分").format(points=f"{s.closing_points:,}"), value),
        ]
    ]
    table = Table(rows, colWidths=_share([2.4, 1.4, 1.0, 1.2]), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEABOVE", (0, 0), (-1, 0), 1.2, ACCENT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, ACCENT),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table

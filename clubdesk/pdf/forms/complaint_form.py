"""顾客投诉登记表: one complaint from registration to summary, signed on paper.

The registration block (who, when, through which channel, what, what the customer
wants), then the six steps of domain.md section 3 as a table, one row per recorded
step with who did it, when and by when it was due, and the steps still to come with
their deadlines.  The customer's opinion carries the signature drawn on screen when
there is one; the signature lines under it are signed by hand.

Printed blank it is the paper form a counter fills when the system is down or the
customer complains at the door: every choice a box to tick, every step a row to write.

The data is read here, not through ``complaints.detail``: that one checks a logged-in
actor, and the command line prints without a login.  The GUI checks the actor's right
to open the complaint (sensitive ones: supervisors and above) before it prints.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, KeepTogether, PageBreak, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.errors import NotFound
from clubdesk.i18n import N_, _
from clubdesk.models import (
    Booking,
    Complaint,
    ComplaintCategory,
    ComplaintStep,
    Member,
    ReturnVisit,
    Staff,
)
from clubdesk.models.enums import (
    ComplaintChannel,
    ComplaintRemedy,
    ComplaintStepKind,
    Department,
    Severity,
)
from clubdesk.pdf import layout as L
from clubdesk.pdf.fonts import draw_bold
from clubdesk.pdf.registry import printable
from clubdesk.pdf.style import CELL_PAD_X, INK, LABEL_SIZE, MUTED, ROW_PADDING, VALUE, WRITE_ROW
from clubdesk.pdf.tables import CellValue
from clubdesk.privacy import mask_phone
from clubdesk.services import cards
from clubdesk.services.complaint_history import step_lines, step_title
from clubdesk.services.complaint_rules import S, is_overdue, next_step
from clubdesk.services.complaint_steps import parse_data
from clubdesk.services.labels import label

TITLE = N_("顾客投诉登记表")
SENSITIVE = N_("敏感 · 仅限主管及以上")
# One label width for the grids and text boxes, so their columns line up; wide enough
# for "投诉内容（续）" on one line when the content runs onto the next page.
LABEL_WIDTH = 86.0
STEP_SIZE = 9.0  # the steps table: five columns of notes and times
SIGNATURE_BOX = (150.0, 42.0)  # the largest the drawn signature prints, in points
SIGNATURE_ROW = 27.0  # each signature line's height: four fit under the steps table
PROMPT_ROW = 20.0  # a blank step's handwriting rows, a little tighter than a field's

# The six steps of domain.md section 3; approval, the customer's acceptance and the
# closing are recorded within steps 4, 5 and 6.
SIX_STEPS: tuple[ComplaintStepKind, ...] = (
    S.INTAKE,
    S.JUDGEMENT,
    S.INVESTIGATION,
    S.PROPOSAL,
    S.IMPLEMENTATION,
    S.SUMMARY,
)
_STEP_NUMBER = {kind: n for n, kind in enumerate(SIX_STEPS, start=1)}
_SUB_STEPS = (S.APPROVAL, S.ACCEPTANCE, S.CLOSED)

_STEP_TEXT = ParagraphStyle("cd.complaint.step", parent=VALUE, fontSize=STEP_SIZE,
                            leading=STEP_SIZE * 1.35)  # fmt: skip
_STEP_MUTED = ParagraphStyle("cd.complaint.step.muted", parent=_STEP_TEXT, textColor=MUTED)
_TIME = ParagraphStyle("cd.complaint.time", parent=_STEP_TEXT, fontSize=8, leading=10.5,
                       alignment=TA_CENTER)  # fmt: skip
_TIME_MUTED = ParagraphStyle("cd.complaint.time.muted", parent=_TIME, textColor=MUTED)


# -- what the form shows ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepEntry:
    """One row of the steps table: a recorded step, or one still to do (``at`` None)."""

    kind: ComplaintStepKind
    lines: list[str]  # 处理情况, already in words
    staff: str | None = None
    at: datetime | None = None
    due_at: datetime | None = None
    late: bool = False
    title: str | None = None  # a recorded step's own name (撤回批准); None: its step's


@dataclass(frozen=True, slots=True)
class ComplaintSheet:
    id: int
    number: str
    sensitive: bool
    complainant: str
    phone: str | None  # in full: the form masks it unless asked not to
    member_id: int | None
    card_number: str | None
    received_at: datetime
    channel: ComplaintChannel
    category: str
    categories: list[str]  # the boxes to show: the active ones and this one
    severity: Severity
    booking: str | None
    staff: str | None  # the staff member complained about
    department: Department | None
    content: str
    requested_remedy: str | None
    registered_by: str | None
    handler: str | None
    step: ComplaintStepKind
    entries: list[StepEntry] = field(default_factory=list)
    opinion: list[str] = field(default_factory=list)  # 顾客意见
    accepted_at: datetime | None = None
    signature_png: bytes | None = None


def complaint_sheet(
    db: Database, complaint_id: int, *, now: datetime | None = None
) -> ComplaintSheet:
    """Everything the form prints about ``complaint_id``, read in one session.

    No permission check: see the module docstring."""
    now = now or datetime.now()
    with db.read() as session:
        c = session.get(Complaint, complaint_id)
        if c is None:
            raise NotFound(_("找不到编号为 {id} 的投诉。").format(id=complaint_id))
        names = {i: n for i, n in session.execute(select(Staff.id, Staff.display_name))}
        steps = list(
            session.scalars(
                select(ComplaintStep)
                .where(ComplaintStep.complaint_id == c.id)
                .order_by(ComplaintStep.id)
            )
        )
        member = session.get(Member, c.member_id) if c.member_id else None
        card = cards.current_card(session, member.id) if member else None
        entries = [_entry(s, names) for s in steps]
        entries += _pending(c, now)
        accepted = next((s for s in reversed(steps) if s.step is S.ACCEPTANCE), None)
        signature = session.execute(
            select(Complaint.signature_png).where(Complaint.id == c.id)
        ).scalar()
        return ComplaintSheet(
            id=c.id,
            number=c.number,
            sensitive=c.sensitive,
            complainant=c.complainant_name,
            phone=c.contact or (member.phone if member else None),
            member_id=c.member_id,
            card_number=card.number if card else None,
            received_at=c.received_at,
            channel=c.channel,
            category=c.category.name,
            categories=_category_names(session, c.category.name),
            severity=c.severity,
            booking=_booking_text(session, c.booking_id),
            staff=names.get(c.staff_id) if c.staff_id else None,
            department=c.department,
            content=c.content,
            requested_remedy=c.requested_remedy,
            registered_by=names.get(c.registered_by_id) if c.registered_by_id else None,
            handler=names.get(c.handler_id) if c.handler_id else None,
            step=c.step,
            entries=entries,
            opinion=_opinion(session, c, accepted),
            accepted_at=accepted.at if accepted else None,
            signature_png=signature,
        )


def _pending(c: Complaint, now: datetime) -> list[StepEntry]:
    """The steps still to do.  Only the next one has a deadline yet: each later one's
    is set when the step before it is recorded."""
    upcoming = next_step(c.step)
    if upcoming is None:
        return []
    pending = [StepEntry(upcoming, [], due_at=c.due_at, late=is_overdue(c.step, c.due_at, now))]
    later = next_step(upcoming)
    while later is not None and later is not S.CLOSED:  # the summary closes the case
        pending.append(StepEntry(later, []))
        later = next_step(later)
    return pending


def _category_names(session: Session, own: str | None = None) -> list[str]:
    names = list(
        session.scalars(
            select(ComplaintCategory.name)
            .where(ComplaintCategory.active.is_(True))
            .order_by(ComplaintCategory.sort_order, ComplaintCategory.id)
        )
    )
    if own is not None and own not in names:
        names.append(own)  # a category retired since: still ticked on this complaint
    return names


def _booking_text(session: Session, booking_id: int | None) -> str | None:
    booking = session.get(Booking, booking_id) if booking_id else None
    if booking is None:
        return None
    return _("{when} {service}（预约号 {id}）").format(
        when=L.fmt_datetime(booking.start_at), service=booking.service.name, id=booking.id
    )


def _entry(s: ComplaintStep, names: dict[int, str]) -> StepEntry:
    data = parse_data(s.data)
    due = data.pop("due_at", None)
    due_at = None
    if isinstance(due, str):
        try:
            due_at = datetime.fromisoformat(due)
        except ValueError:
            due_at = None
    return StepEntry(
        kind=s.step,
        lines=step_lines(s.step, s.note, data, names),
        staff=names.get(s.staff_id) if s.staff_id else None,
        at=s.at,
        due_at=due_at,
        late=due_at is not None and s.at > due_at,
        title=step_title(s.step, data),
    )


def _opinion(session: Session, c: Complaint, accepted: ComplaintStep | None) -> list[str]:
    lines: list[str] = []
    if accepted is not None:
        data = parse_data(accepted.data)
        lines += step_lines(S.ACCEPTANCE, accepted.note, data, {})
    visit = session.scalars(
        select(ReturnVisit)
        .where(ReturnVisit.complaint_id == c.id, ReturnVisit.done_at.is_not(None))
        .order_by(ReturnVisit.done_at.desc())
        .limit(1)
    ).first()
    if visit is not None and visit.done_at is not None:
        outcome = label(visit.outcome) if visit.outcome else ""
        line = _("回访（{when}）：{outcome}").format(
            when=L.fmt_date(visit.done_at.date()), outcome=outcome
        )
        if visit.suggestions:
            line += _("，{suggestions}").format(suggestions=visit.suggestions)
        lines.append(line)
    return lines


# -- finding the record -----------------------------------------------------------------


def latest_complaint_id(db: Database) -> int | None:
    """The newest complaint, for ``--id latest``."""
    with db.read() as session:
        return session.execute(select(Complaint.id).order_by(Complaint.id.desc()).limit(1)).scalar()


def find_complaint(db: Database, key: str) -> int:
    """The complaint ``key`` names: its number (TS20310314-001) or its id."""
    text = key.strip().upper()
    with db.read() as session:
        found = session.execute(select(Complaint.id).where(Complaint.number == text)).scalar()
        if found is None and text.isdigit() and session.get(Complaint, int(text)) is not None:
            found = int(text)
    if found is None:
        raise NotFound(_("找不到编号为“{key}”的投诉。").format(key=key.strip()), field="id")
    return int(found)


# -- the form -----------------------------------------------------------------------------


def render_complaint_form(
    db: Database,
    complaint_id: int | None,
    out: Path,
    *,
    full_phone: bool = False,
    printed_at: datetime | None = None,
) -> None:
    """Write the form of ``complaint_id`` (None: a blank form) to ``out``.

    The phone number is masked unless ``full_phone``: the form is filed on paper,
    where anyone at the counter may read it, so the GUI always prints it masked."""
    printed_at = printed_at or datetime.now().replace(microsecond=0)
    if complaint_id is None:
        sheet = None
        with db.read() as session:
            category_names = _category_names(session)
    else:
        sheet = complaint_sheet(db, complaint_id, now=printed_at)
        category_names = sheet.categories
    reference = _("投诉编号：{number}").format(number=sheet.number if sheet else "_" * 16)
    footer = _("本表含顾客个人信息及投诉处理情况，仅限本店内部使用，请妥善保管。")
    if sheet is not None and sheet.sensitive:
        reference += "　" + _(SENSITIVE)
        footer = _("敏感投诉：仅限客服主管及以上人员查阅，请勿外传。")
    page = L.FormPage(
        club_name=str(settings.get_value(db, "club.name")),
        title=_(TITLE),
        reference=reference,
        printed_at=printed_at,
        footer_note=footer,
    )
    L.build_pdf(out, page, complaint_story(sheet, category_names, full_phone=full_phone))


@printable(
    "complaint-form",
    TITLE,
    blank_allowed=True,
    latest_id=latest_complaint_id,
    find_record=find_complaint,
)
def _render(db: Database, record_id: int | None, out: Path) -> None:
    render_complaint_form(db, record_id, out)


def complaint_story(
    c: ComplaintSheet | None, categories: Sequence[str], *, full_phone: bool = False
) -> list[Flowable]:
    story: list[Flowable] = []
    if c is not None and c.sensitive:
        story.append(SensitiveMark(_(SENSITIVE)))
    story += [
        L.SectionHeading(_("一、投诉登记"), space_before=0),
        _registration(c, categories, full_phone),
        _text_box(_("投诉内容"), c.content if c else None, 10, blank=c is None),
        _text_box(_("顾客要求"), c.requested_remedy if c else None, 3, blank=c is None),
    ]
    if c is None:  # registration on the first sheet, the handling on the second
        story.append(PageBreak())
    story += [
        L.SectionHeading(_("二、处理过程"), space_before=0 if c is None else 8),
        _steps_table(c),
        # The customer's opinion and the signatures under it are one thing.
        KeepTogether(
            [
                L.SectionHeading(_("三、顾客意见")),
                _text_box(
                    _("顾客意见"),
                    "\n".join(c.opinion) if c else None,
                    2,
                    blank=c is None or not c.opinion,
                ),
                _customer_signature(c),
                L.SectionHeading(_("四、签字确认")),
                *L.signature_lines(
                    [_("受理人："), _("部门负责人："), _("审批人："), _("顾客签字：")],
                    height=SIGNATURE_ROW,
                ),
            ]
        ),
    ]
    return story


def _registration(
    c: ComplaintSheet | None, categories: Sequence[str], full_phone: bool
) -> Flowable:
    phone = None
    if c is not None and c.phone:
        phone = c.phone if full_phone else mask_phone(c.phone)
    member = c is not None and c.member_id is not None
    card = None
    if c is not None:
        card = (c.card_number or _("未办卡")) if member else _("无")
    return L.field_grid(
        [
            L.Field(_("投诉人"), c.complainant if c else None),
            L.Field(_("联系电话"), phone),
            L.Field(
                _("会员身份"),
                L.CheckBoxGroup([(_("会员"), member), (_("非会员"), c is not None and not member)]),
            ),
            L.Field(_("会员卡号"), card),
            L.Field(_("受理时间"), L.fmt_datetime(c.received_at) if c else None),
            L.Field(
                _("受理渠道"),
                L.CheckBoxGroup(
                    [(label(ch), c is not None and c.channel is ch) for ch in ComplaintChannel]
                ),
            ),
            L.Field(
                _("投诉类别"),
                L.CheckBoxGroup(
                    [(name, c is not None and c.category == name) for name in categories]
                ),
                span=2,
            ),
            L.Field(
                _("严重程度"),
                L.CheckBoxGroup([(label(s), c is not None and c.severity is s) for s in Severity]),
            ),
            L.Field(_("相关预约"), (c.booking or _("无")) if c else None),
            L.Field(_("被投诉员工"), (c.staff or _("未指明")) if c else None),
            L.Field(
                _("被投诉部门"),
                (label(c.department) if c.department else _("未指明")) if c else None,
            ),
            L.Field(_("受理人"), (c.registered_by or "") if c else None),
            L.Field(_("处理人"), (c.handler or _("尚未指定")) if c else None),
        ],
        label_width=LABEL_WIDTH,
    )


def _text_box(caption: str, text: str | None, rows: int, *, blank: bool) -> L.LabelledText:
    # Blank: ruled room to write; filled but empty: one plain row.
    return L.LabelledText(
        caption,
        text or None,
        label_width=LABEL_WIDTH,
        min_height=rows * WRITE_ROW + 4 if blank else 0,
    )


# -- the steps table ------------------------------------------------------------------


_STEP_COLUMNS = (  # weights in points: the times fit "2026年12月31日" on one line
    L.Column(N_("步骤"), 80),
    L.Column(N_("处理情况"), 213),
    L.Column(N_("处理人"), 50, align="centre"),
    L.Column(N_("时间"), 75, align="centre"),
    L.Column(N_("期限"), 75, align="centre"),
)
_CONTENT_WIDTH = (
    L.CONTENT_WIDTH * _STEP_COLUMNS[1].weight / sum(c.weight for c in _STEP_COLUMNS)
    - 2 * CELL_PAD_X
)

# Printed in the empty rows of a blank form: what each step must record.  A tuple is
# a row of boxes to tick; every entry is one handwriting row.
_Prompt = str | tuple[str | ComplaintRemedy, ...]
_BLANK_PROMPTS: dict[ComplaintStepKind, tuple[_Prompt, ...]] = {
    S.INTAKE: (N_("安抚顾客，登记投诉，告知答复时间。"), N_("受理说明：")),
    S.JUDGEMENT: ((N_("投诉属实"), N_("投诉不属实")), N_("责任部门：")),
    S.INVESTIGATION: (N_("原因："), N_("责任人：")),
    S.PROPOSAL: (N_("方案："), N_("批准方案："), N_("补偿金额：")),
    S.IMPLEMENTATION: (tuple(ComplaintRemedy), N_("处理经过：")),
    S.SUMMARY: (N_("评价："), N_("改进措施：")),
    # Within steps 4 to 6: shown on a printout of a complaint still in hand.
    S.APPROVAL: ((N_("批准"), N_("退回")), N_("审批意见：")),
    S.ACCEPTANCE: ((N_("顾客接受处理结果，已签字"),),),
    S.CLOSED: (N_("结案说明："),),
}


def _steps_table(c: ComplaintSheet | None) -> Flowable:
    columns = [L.Column(_(col.title), col.weight, col.align) for col in _STEP_COLUMNS]
    if c is None:
        rows: list[list[CellValue]] = [
            [
                _cell(_step_title(n, label(kind)), _STEP_TEXT),
                _prompt_cell(_BLANK_PROMPTS[kind]),
                None,
                None,
                None,
            ]
            for n, kind in enumerate(SIX_STEPS, start=1)
        ]
    else:
        rows = [_entry_row(entry) for entry in c.entries]
    return L.data_table(columns, rows, zebra=False)


def _prompt_cell(prompts: Sequence[_Prompt], status: str | None = None) -> Flowable:
    """A step still to write: ``status`` ("待处理"), then the step's prompts, one
    handwriting row each, choices as drawn boxes."""
    cells: list[list[Flowable]] = [[_cell(status, _STEP_MUTED)]] if status else []
    cells += [
        [_cell(_(p), _STEP_MUTED)]
        if isinstance(p, str)
        else [L.CheckBoxGroup([(_choice(choice), False) for choice in p], size=STEP_SIZE, gap=10)]
        for p in prompts
    ]
    table = Table(cells, colWidths=[_CONTENT_WIDTH], rowHeights=None, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), PROMPT_ROW - STEP_SIZE * 1.35),
            ]
        )
    )
    return table


def _choice(choice: str | ComplaintRemedy) -> str:
    return label(choice) if isinstance(choice, ComplaintRemedy) else _(choice)


def _entry_row(e: StepEntry) -> list[CellValue]:
    if e.kind in _STEP_NUMBER:
        name = _step_title(_STEP_NUMBER[e.kind], label(e.kind))
        style = _STEP_TEXT
    else:  # approval, acceptance, closing: within a step; reopening: between cycles
        name = e.title or label(e.kind)
        style = _STEP_MUTED if e.kind in _SUB_STEPS else _STEP_TEXT
    if e.at is None:
        status = _("待处理（已超时）") if e.late else _("待处理")
        content = _prompt_cell(_BLANK_PROMPTS.get(e.kind, ()), status)
    else:
        content = _cell("\n".join(e.lines) or "—", _STEP_TEXT)
    due = _when(e.due_at)
    if e.late and e.due_at is not None:
        due += "\n" + _("超时")
    return [
        _cell(name, style),
        content,
        _cell(e.staff or "", _STEP_TEXT),
        _cell(_when(e.at), _TIME),
        _cell(due, _TIME_MUTED if e.at is None else _TIME),
    ]


def _step_title(n: int, name: str) -> str:
    return f"{n}. {name}"


def _when(value: datetime | None) -> str:
    """The date over the time, so a narrow column breaks where it should."""
    if value is None:
        return ""
    return f"{L.fmt_date(value.date())}\n{value:%H:%M}"


def _cell(text: str, style: ParagraphStyle) -> Flowable:
    return L.para(text, style)


# -- the customer's signature -------------------------------------------------------------


def _customer_signature(c: ComplaintSheet | None) -> Flowable:
    image = _signature_image(c.signature_png) if c and c.signature_png else None
    when = L.fmt_date(c.accepted_at.date()) if c and c.accepted_at else None
    return L.field_grid(
        [
            L.Field(_("顾客签名"), image or Spacer(1, SIGNATURE_BOX[1])),
            L.Field(_("签名日期"), when),
        ],
        label_width=LABEL_WIDTH,
    )


def _signature_image(png: bytes) -> Flowable | None:
    """The signature drawn on screen, scaled into ``SIGNATURE_BOX``; None if it cannot
    be read (the form then leaves room to sign by hand)."""
    try:
        reader = ImageReader(io.BytesIO(png))
        width, height = reader.getSize()
    except Exception:  # a damaged image must not stop the form from printing
        return None
    if width <= 0 or height <= 0:
        return None
    scale = min(SIGNATURE_BOX[0] / width, SIGNATURE_BOX[1] / height)
    image = Image(io.BytesIO(png), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image


class SensitiveMark(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """ "敏感 · 仅限主管及以上" in a box at the right, above the form, like a stamp."""

    def __init__(self, text: str, *, size: float = LABEL_SIZE + 1) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.spaceAfter = 4
        self._width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._width = avail_width
        return avail_width, self.size + 2 * ROW_PADDING + 2

    def draw(self) -> None:
        canvas = self.canv
        width = L.text_width(self.text, self.size) + 2 * ROW_PADDING * 2
        x = self._width - width
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(1.2)
        canvas.rect(x, 1, width, self.size + 2 * ROW_PADDING, stroke=1, fill=0)
        draw_bold(canvas, x + width / 2, 1 + ROW_PADDING + self.size * 0.15, self.text,
                  self.size, align="centre", colour=INK)  # fmt: skip
        canvas.restoreState()

"""回访记录表: the return visits of a period (domain.md section 4), filed on paper.

Every visit done in the period as one line (who was called, on which number, why,
how, what they said and who called), then the visits that were due in the period and
not yet made, marked 未回访, then the period's totals and the signatures of whoever
filled the record and the supervisor who checked it.  ``--id`` prints one visit.

Printed blank it is the paper log a counter fills by hand as it calls: numbered
empty rows and a legend of the choices.

Ten columns on a portrait A4 page, so the table is set small (as the statement's
ledger lines are); phone numbers are always masked unless the caller asks otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import N_, _
from clubdesk.models import Booking, Complaint, Member, ReturnVisit, Service, Staff
from clubdesk.models.enums import ReturnVisitSource, Satisfaction, VisitChannel
from clubdesk.models.vip import VipVisit
from clubdesk.pdf import layout as L
from clubdesk.pdf.registry import PrintOptions, printable
from clubdesk.pdf.style import MUTED, ROW_PADDING, VALUE, WRITE_ROW
from clubdesk.pdf.tables import CellValue
from clubdesk.privacy import mask_phone
from clubdesk.services.labels import label

TITLE = N_("回访记录表")
SIZE = 8.0  # the table's type: ten columns on a portrait page
PAD = 3.0
BLANK_ROWS = 20  # a blank record's numbered rows: one page
CHUNK = 5_000  # ids per IN (...) query, well under SQLite's parameter limit

# What the source and the channel are called on paper.  labels.py has no names for
# them yet; once it has, ``_named`` prefers its names.
_TEXT = ParagraphStyle("cd.visits.text", parent=VALUE, fontSize=SIZE, leading=SIZE * 1.3)
_CENTRE = ParagraphStyle("cd.visits.centre", parent=_TEXT, alignment=TA_CENTER)
_MUTED = ParagraphStyle("cd.visits.muted", parent=_CENTRE, textColor=MUTED)
_BIG = ParagraphStyle("cd.visits.big", parent=VALUE, fontSize=11, leading=14, alignment=TA_CENTER)


# -- what the record shows ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitLine:
    id: int
    due_on: date
    done_at: datetime | None
    customer: str
    phone: str | None  # in full: the form masks it
    source: ReturnVisitSource
    topic: str  # 回访内容: the service and its day, the complaint's number …
    channel: VisitChannel | None
    outcome: Satisfaction | None
    suggestions: str | None
    staff: str | None


@dataclass(frozen=True, slots=True)
class VisitRecord:
    start: date | None  # None: one visit printed by its id
    end: date | None
    done: list[VisitLine]
    pending: list[VisitLine]  # due in the period and not made

    def count(self, outcome: Satisfaction) -> int:
        return sum(1 for v in self.done if v.outcome is outcome)


def default_period(
    today: date, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """This month; one end given, that end's month.  Refuses a period ending before
    it starts."""
    if start is None and end is None:
        start = today.replace(day=1)
    if start is None:
        assert end is not None
        start = end.replace(day=1)
    if end is None:
        end = _month_end(start)
    if start > end:
        raise DomainError(
            _("回访期间的开始日期 {start} 晚于结束日期 {end}，请重新选择。").format(
                start=start.isoformat(), end=end.isoformat()
            ),
            field="start",
        )
    return start, end


def _month_end(day: date) -> date:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def visit_record(db: Database, start: date, end: date) -> VisitRecord:
    """The visits made from ``start`` to ``end`` (both days included) and those due
    then and not made."""
    since = datetime.combine(start, time.min)
    until = datetime.combine(end + timedelta(days=1), time.min)
    query = (
        select(ReturnVisit)
        .where(
            or_(
                and_(ReturnVisit.done_at >= since, ReturnVisit.done_at < until),
                and_(ReturnVisit.done_at.is_(None), ReturnVisit.due_on.between(start, end)),
            )
        )
        .order_by(ReturnVisit.done_at, ReturnVisit.due_on, ReturnVisit.id)
    )
    with db.read() as session:
        lines = _lines(session, list(session.scalars(query)))
    return VisitRecord(
        start,
        end,
        [v for v in lines if v.done_at is not None],
        sorted((v for v in lines if v.done_at is None), key=lambda v: (v.due_on, v.id)),
    )


def one_visit(db: Database, visit_id: int) -> VisitRecord:
    with db.read() as session:
        visit = session.get(ReturnVisit, visit_id)
        if visit is None:
            raise NotFound(_("找不到编号为 {id} 的回访记录。").format(id=visit_id))
        (line,) = _lines(session, [visit])
    done = line.done_at is not None
    return VisitRecord(None, None, [line] if done else [], [] if done else [line])


def latest_visit_id(db: Database) -> int | None:
    """The visit made last, for ``--id latest``."""
    with db.read() as session:
        return session.execute(
            select(ReturnVisit.id)
            .where(ReturnVisit.done_at.is_not(None))
            .order_by(ReturnVisit.done_at.desc(), ReturnVisit.id.desc())
            .limit(1)
        ).scalar()


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(set(ids))
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _lines(session: Session, visits: Sequence[ReturnVisit]) -> list[VisitLine]:
    """Each visit with its names, read a few queries for all of them, not per visit."""
    members: dict[int, tuple[str, str]] = {}
    for ids in _chunks(v.member_id for v in visits if v.member_id is not None):
        query = select(Member.id, Member.name, Member.phone).where(Member.id.in_(ids))
        members.update({i: (name, phone) for i, name, phone in session.execute(query)})
    complaints: dict[int, tuple[str, str, str | None]] = {}
    for ids in _chunks(v.complaint_id for v in visits if v.complaint_id is not None):
        found = session.execute(
            select(Complaint.id, Complaint.number, Complaint.complainant_name, Complaint.contact,
                   Complaint.sensitive)
            .where(Complaint.id.in_(ids))
        )  # fmt: skip
        # A sensitive complaint is not named on a sheet the whole counter files.
        complaints.update(
            {
                i: (_("（敏感投诉）") if sensitive else number, name, contact)
                for i, number, name, contact, sensitive in found
            }
        )
    bookings: dict[int, tuple[datetime, str]] = {}
    for ids in _chunks(v.booking_id for v in visits if v.booking_id is not None):
        booked = session.execute(
            select(Booking.id, Booking.start_at, Service.name)
            .join(Service, Service.id == Booking.service_id)
            .where(Booking.id.in_(ids))
        )
        bookings.update({i: (start, name) for i, start, name in booked})
    vips: dict[int, tuple[str, date]] = {}
    for ids in _chunks(v.vip_visit_id for v in visits if v.vip_visit_id is not None):
        guests = session.execute(
            select(VipVisit.id, VipVisit.guest_name, VipVisit.arrival_date)
            .where(VipVisit.id.in_(ids))
        )  # fmt: skip
        vips.update({i: (name, arrival) for i, name, arrival in guests})
    staff: dict[int, str] = {}
    for ids in _chunks(v.staff_id for v in visits if v.staff_id is not None):
        names = session.execute(select(Staff.id, Staff.display_name).where(Staff.id.in_(ids)))
        staff.update({i: name for i, name in names})

    lines: list[VisitLine] = []
    for v in visits:
        member = members.get(v.member_id) if v.member_id is not None else None
        complaint = complaints.get(v.complaint_id) if v.complaint_id is not None else None
        vip = vips.get(v.vip_visit_id) if v.vip_visit_id is not None else None
        booking = bookings.get(v.booking_id) if v.booking_id is not None else None
        phone: str | None = None
        if member is not None:
            customer, phone = member[0], member[1]
        elif complaint is not None:
            customer, phone = complaint[1], complaint[2]
        elif vip is not None:
            customer, phone = vip[0], None
        else:
            customer, phone = "—", None
        lines.append(
            VisitLine(
                id=v.id,
                due_on=v.due_on,
                done_at=v.done_at,
                customer=customer,
                phone=phone,
                source=v.source,
                topic=_topic(v.source, booking, complaint, vip),
                channel=v.channel,
                outcome=v.outcome,
                suggestions=v.suggestions,
                staff=staff.get(v.staff_id) if v.staff_id is not None else None,
            )
        )
    return lines


def _topic(
    source: ReturnVisitSource,
    booking: tuple[datetime, str] | None,
    complaint: tuple[str, str, str | None] | None,
    vip: tuple[str, date] | None,
) -> str:
    if booking is not None:
        return _("{service}（{day}）").format(service=booking[1], day=_month_day(booking[0]))
    if complaint is not None:
        # The number on a line of its own: a narrow column must not break it.
        return _("投诉处理结果") + "\n" + complaint[0]
    if vip is not None:
        return _("VIP接待（{day}抵达）").format(day=_month_day(vip[1]))
    if source is ReturnVisitSource.PERIODIC:
        return _("定期满意度回访")
    if source is ReturnVisitSource.SPECIAL:
        return _("专项回访")
    return ""


def _month_day(value: date) -> str:
    return _("{m}月{d}日").format(m=value.month, d=value.day)


def source_name(source: ReturnVisitSource) -> str:
    return label(source)


def channel_name(channel: VisitChannel | None) -> str:
    return label(channel) if channel is not None else ""


# -- the form -------------------------------------------------------------------------------


def render_visit_record(
    db: Database,
    out: Path,
    *,
    start: date | None = None,
    end: date | None = None,
    visit_id: int | None = None,
    blank: bool = False,
    full_phone: bool = False,
    printed_at: datetime | None = None,
) -> None:
    """Write the record of ``start``..``end`` (default: this month), of one visit
    (``visit_id``) or a blank one to ``out``."""
    printed_at = printed_at or datetime.now().replace(microsecond=0)
    today = printed_at.date()
    record: VisitRecord | None = None
    if blank:
        reference = _("回访期间：{start} 至 {end}").format(
            start=_("____年___月___日"), end=_("____年___月___日")
        )
    elif visit_id is not None:
        record = one_visit(db, visit_id)
        reference = _("回访记录编号：{id}").format(id=visit_id)
    else:
        start, end = default_period(today, start, end)
        record = visit_record(db, start, end)
        reference = _("回访期间：{start} 至 {end}").format(
            start=L.fmt_date(start), end=L.fmt_date(end)
        )
    page = L.FormPage(
        club_name=str(settings.get_value(db, "club.name")),
        title=_(TITLE),
        reference=reference,
        printed_at=printed_at,
        footer_note=_("本表含顾客个人信息，仅限本店内部使用，请妥善保管。"),
    )
    L.build_pdf(out, page, visit_record_story(record, today, full_phone=full_phone))


def _render_with_options(
    db: Database, record_id: int | None, out: Path, options: PrintOptions
) -> None:
    """No record: the period, or the blank sheet when no period is given (as the
    command line's ``--list`` promises); a record: that one visit."""
    if record_id is not None and options.given:
        raise DomainError(_("打印单次回访时不能同时指定期间。"), field="start")
    if record_id is None and not options.given:
        render_visit_record(db, out, blank=True)
        return
    render_visit_record(db, out, start=options.start, end=options.end, visit_id=record_id)


@printable(
    "visit-record",
    TITLE,
    blank_allowed=True,
    latest_id=latest_visit_id,
    render_with_options=_render_with_options,
)
def _render(db: Database, record_id: int | None, out: Path) -> None:
    """Without options (the self-check, the GUI's blank form): no record is blank."""
    render_visit_record(db, out, visit_id=record_id, blank=record_id is None)


def visit_record_story(
    r: VisitRecord | None, today: date, *, full_phone: bool = False
) -> list[Flowable]:
    story: list[Flowable] = []
    if r is None:
        story += [
            L.SectionHeading(_("一、回访明细"), space_before=0),
            _done_table([], full_phone, blank_rows=BLANK_ROWS),
            Spacer(1, 4),
            L.para(_legend(), L.SMALL),
        ]
    else:
        single = r.start is None
        if r.done or not single:
            heading = _("一、回访明细（共 {n} 次）").format(n=len(r.done))
            story += [
                L.SectionHeading(heading, space_before=0),
                _done_table(r.done, full_phone),
            ]
        if r.pending or not single:
            heading = _("二、未回访（共 {n} 次）").format(n=len(r.pending))
            story += [
                L.SectionHeading(heading, space_before=8 if story else 0),
                _pending_table(r.pending, today, full_phone),
            ]
    closing: list[Flowable] = []
    if r is None or r.start is not None:
        closing += [
            L.SectionHeading(_("三、本期汇总") if r else _("二、本期汇总")),
            _totals(r, today),
        ]
    closing += L.signature_lines([_("填表人："), _("主管审核：")])
    story.append(KeepTogether(closing))
    return story


def _legend() -> str:
    sources = " / ".join(source_name(s) for s in ReturnVisitSource)
    channels = " / ".join(channel_name(c) for c in VisitChannel)
    outcomes = " / ".join(label(s) for s in Satisfaction)
    return _("来源：{sources}；方式：{channels}；结果：{outcomes}").format(
        sources=sources, channels=channels, outcomes=outcomes
    )


# Widths in points; the suggestions take what is left of the page.
_DONE_COLUMNS = (
    (N_("序号"), 28.0),
    (N_("回访日期"), 52.0),
    (N_("会员/顾客"), 48.0),
    (N_("电话"), 56.0),
    (N_("来源"), 44.0),
    (N_("回访内容"), 80.0),
    (N_("方式"), 30.0),
    (N_("结果"), 40.0),
    (N_("意见与建议"), 0.0),
    (N_("回访人"), 42.0),
)
_PENDING_COLUMNS = (
    (N_("序号"), 28.0),
    (N_("应回访日期"), 56.0),
    (N_("会员/顾客"), 48.0),
    (N_("电话"), 56.0),
    (N_("来源"), 44.0),
    (N_("回访内容"), 100.0),
    (N_("状态"), 60.0),
    (N_("备注"), 0.0),
)


def _columns(spec: Sequence[tuple[str, float]]) -> list[L.Column]:
    rest = L.CONTENT_WIDTH - sum(width for _title, width in spec)
    return [L.Column(_(title), width or rest) for title, width in spec]


def _tight(table: Table) -> Table:
    """Ten columns need less side padding than the house tables' six points."""
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
            ]
        )
    )
    return table


def _cell(text: str | None, style: ParagraphStyle = _TEXT) -> Flowable:
    return L.para(text or "", style)


def _phone(phone: str | None, full_phone: bool) -> str:
    if not phone:
        return ""
    return phone if full_phone else mask_phone(phone)


def _done_table(lines: Sequence[VisitLine], full_phone: bool, *, blank_rows: int = 0) -> Flowable:
    rows: list[list[CellValue]] = []
    for n, v in enumerate(lines, start=1):
        assert v.done_at is not None
        rows.append(
            [
                _cell(str(n), _CENTRE),
                _cell(f"{v.done_at:%Y-%m-%d}\n{v.done_at:%H:%M}", _CENTRE),
                _cell(v.customer),
                _cell(_phone(v.phone, full_phone), _CENTRE),
                _cell(source_name(v.source), _CENTRE),
                _cell(v.topic),
                _cell(channel_name(v.channel), _CENTRE),
                _cell(label(v.outcome) if v.outcome else "", _CENTRE),
                _cell(v.suggestions),
                _cell(v.staff, _CENTRE),
            ]
        )
    for n in range(len(rows) + 1, len(rows) + blank_rows + 1):
        # The spacer keeps the row high enough to write in by hand.
        room = Spacer(1, WRITE_ROW - 2 * ROW_PADDING)
        rows.append([_cell(str(n), _MUTED), room, *([None] * (len(_DONE_COLUMNS) - 2))])
    if not rows:
        rows.append([_cell(_("本期间没有已完成的回访。")), *([None] * (len(_DONE_COLUMNS) - 1))])
    table = _tight(L.data_table(_columns(_DONE_COLUMNS), rows, zebra=bool(lines)))
    if not lines and not blank_rows:
        table.setStyle(TableStyle([("SPAN", (0, 1), (-1, 1))]))
    return table


def _pending_table(lines: Sequence[VisitLine], today: date, full_phone: bool) -> Flowable:
    rows: list[list[CellValue]] = []
    for n, v in enumerate(lines, start=1):
        late = (today - v.due_on).days
        status = _("已逾期 {n} 天").format(n=late) if late > 0 else _("未到期")
        rows.append(
            [
                _cell(str(n), _CENTRE),
                _cell(f"{v.due_on:%Y-%m-%d}", _CENTRE),
                _cell(v.customer),
                _cell(_phone(v.phone, full_phone), _CENTRE),
                _cell(source_name(v.source), _CENTRE),
                _cell(v.topic),
                _cell(_("未回访") + "\n" + status, _CENTRE),
                None,
            ]
        )
    if not rows:
        rows.append([_cell(_("本期间没有未完成的回访。")), *([None] * (len(_PENDING_COLUMNS) - 1))])
    table = _tight(L.data_table(_columns(_PENDING_COLUMNS), rows, zebra=bool(lines)))
    if not lines:
        table.setStyle(TableStyle([("SPAN", (0, 1), (-1, 1))]))
    return table


def _totals(r: VisitRecord | None, today: date) -> Flowable:
    titles = [
        _("应回访"),
        _("已回访"),
        label(Satisfaction.SATISFIED),
        label(Satisfaction.AVERAGE),
        label(Satisfaction.DISSATISFIED),
        _("满意率"),
        _("未回访"),
        _("其中已逾期"),
    ]
    columns = [L.Column(t, 1.0, align="centre") for t in titles]
    if r is None:  # room to write the figures in
        room: list[CellValue] = [Spacer(1, WRITE_ROW - 2 * ROW_PADDING)]
        return L.data_table(columns, [room + [None] * (len(titles) - 1)], zebra=False)
    done = len(r.done)
    satisfied = r.count(Satisfaction.SATISFIED)
    values = [
        str(done + len(r.pending)),
        str(done),
        str(satisfied),
        str(r.count(Satisfaction.AVERAGE)),
        str(r.count(Satisfaction.DISSATISFIED)),
        f"{satisfied / done:.1%}" if done else "—",
        str(len(r.pending)),
        str(sum(1 for v in r.pending if v.due_on < today)),
    ]
    return L.data_table(columns, [[_cell(v, _BIG) for v in values]], zebra=False)

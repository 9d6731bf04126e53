"""顾客投诉分类统计表 (domain.md section 3, step 6): the complaints received in a period
counted by month, category and department, with the justified rate, the time to close,
the late ones and the compensation paid; plus the improvement measures written in the
period's summaries.

The counting is one GROUP BY query (month × category × department); subtotals and the
total are sums of those few grouped rows, never a walk over the complaints.  The mean
time to close is carried as a sum of hours and a count, so that it adds up correctly
across months and departments.

Sensitive complaints are counted like any other: a number per category and department
reveals nothing of the case.  Their improvement measures are free text that may name
the case, so those are listed only for a viewer allowed to open sensitive complaints
(the printed table never carries them); how many were left out is said instead.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Float, String, and_, case, func, or_, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import N_, _
from clubdesk.models import Complaint, ComplaintCategory, ComplaintStep
from clubdesk.models.enums import ComplaintStepKind, Department
from clubdesk.services.complaint_steps import parse_data
from clubdesk.services.labels import label
from clubdesk.services.member_import import openpyxl_module
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember

UNSPECIFIED = N_("未指定")
MONTHS_MAX = 12  # one year a table: more is unreadable on one page and in one chart


# -- dialect-aware SQL pieces -------------------------------------------------------------


class month_of(FunctionElement[str]):
    """'2026-03': the calendar month of a timestamp, spelt alike on both databases."""

    type = String()
    name = "month_of"
    inherit_cache = True


@compiles(month_of)
def _month_of_default(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL.  No bound parameter: a GROUP BY on an expression with parameters is
    # refused by PostgreSQL ("must appear in the GROUP BY clause").
    arg = compiler.process(element.clauses, **kw)
    return f"to_char({arg}, 'YYYY-MM')"


@compiles(month_of, "sqlite")
def _month_of_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps timestamps as text; strftime reads them (qmark style: one % is literal).
    arg = compiler.process(element.clauses, **kw)
    return f"strftime('%Y-%m', {arg})"


class hours_between(FunctionElement[float]):
    """Hours from the first timestamp to the second (NULL when either is NULL)."""

    type = Float()
    name = "hours_between"
    inherit_cache = True


@compiles(hours_between)
def _hours_default(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


def _count_when(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def department_expr() -> Any:
    """The department a complaint is counted under: the responsible one once judged
    justified, else the one named at registration (NULL: 未指定)."""
    responsible = case((Complaint.justified.is_(True), Complaint.responsible_department))
    return type_coerce(func.coalesce(responsible, Complaint.department), String)


# -- periods -----------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return following - timedelta(days=1)


def months_between(start: date, end: date) -> list[date]:
    """The first day of every calendar month from ``start``'s to ``end``'s."""
    months: list[date] = []
    current = month_start(start)
    while current <= end:
        months.append(current)
        current = month_end(current) + timedelta(days=1)
    return months


def month_key(day: date) -> int:
    """202603: a month as a record id for the printable statistics forms."""
    return day.year * 100 + day.month


def month_from_key(key: int) -> date:
    year, month = divmod(int(key), 100)
    if not (2000 <= year <= 2999 and 1 <= month <= 12):
        raise DomainError(
            _("月份“{key}”无效，请写成 2026-03 或 202603 这样的年月。").format(key=key),
            field="month",
        )
    return date(year, month, 1)


def parse_month(text: str) -> int:
    """'2026-03', '2026/3', '2026年3月' or '202603' as a month key."""
    cleaned = text.strip().replace("年", "-").replace("月", "").replace("/", "-")
    cleaned = cleaned.replace(".", "-")
    try:
        if "-" in cleaned:
            year, month = (int(part) for part in cleaned.split("-", 1))
            key = year * 100 + month
        else:
            key = int(cleaned)
    except ValueError:
        raise DomainError(
            _("月份“{text}”无效，请写成 2026-03 或 202603 这样的年月。").format(text=text),
            field="month",
        ) from None
    month_from_key(key)
    return key


def this_month_key(_db: Database | None = None, *, today: date | None = None) -> int:
    """The current month: what ``--id latest`` prints for the statistics forms."""
    return month_key(today or date.today())


def resolve_period(
    key: int | None, start: date | None, end: date | None, today: date
) -> tuple[date, date]:
    """The period a statistics printout covers: ``start``..``end`` when given (a start
    alone runs to the end of its month, an end alone from the start of its month), else
    the month ``key``, else the month of ``today``."""
    if start is not None or end is not None:
        first = start or month_start(end or today)
        last = end or month_end(first)
        return first, last
    month = month_from_key(key) if key is not None else month_start(today)
    return month, month_end(month)


def check_period(start: date, end: date) -> None:
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), field="end")
    if len(months_between(start, end)) > MONTHS_MAX:
        raise DomainError(
            _("统计期间最长 {n} 个月，请缩短期间后再统计。").format(n=MONTHS_MAX), field="end"
        )


def period_text(start: date, end: date) -> str:
    """'2026年3月' for one whole month, else '2026-03-01 至 2026-04-15'."""
    if start == month_start(start) and end == month_end(start):
        return _("{y}年{m}月").format(y=start.year, m=start.month)
    if start == month_start(start) and end == month_end(end):
        return _("{y1}年{m1}月至{y2}年{m2}月").format(
            y1=start.year, m1=start.month, y2=end.year, m2=end.month
        )
    return _("{start} 至 {end}").format(start=start.isoformat(), end=end.isoformat())


def month_label(month: date) -> str:
    return _("{y}年{m}月").format(y=month.year, m=month.month)


# -- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    """The counts of one group of complaints."""

    count: int = 0
    judged: int = 0
    justified: int = 0
    closed: int = 0
    close_hours: float = 0.0  # summed over the closed ones
    overdue: int = 0
    compensation_fen: int = 0

    @property
    def justified_rate(self) -> float | None:
        """属实率: justified ÷ judged; None before any was judged."""
        return self.justified / self.judged if self.judged else None

    @property
    def mean_close_hours(self) -> float | None:
        return self.close_hours / self.closed if self.closed else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.count + other.count,
            self.judged + other.judged,
            self.justified + other.justified,
            self.closed + other.closed,
            self.close_hours + other.close_hours,
            self.overdue + other.overdue,
            self.compensation_fen + other.compensation_fen,
        )


def total_of(items: Iterable[Figures]) -> Figures:
    result = Figures()
    for item in items:
        result = result + item
    return result


class RowKind(StrEnum):
    DETAIL = "detail"  # one category in one department
    SUBTOTAL = "subtotal"  # one category, every department
    TOTAL = "total"


@dataclass(frozen=True, slots=True)
class StatsRow:
    month: date | None  # the month's first day; None: the whole period
    category_id: int | None  # None on the total row
    category: str
    department: Department | None  # None: 未指定 (or every department on a subtotal)
    figures: Figures
    kind: RowKind = RowKind.DETAIL

    @property
    def department_name(self) -> str:
        return department_name(self.department) if self.kind is RowKind.DETAIL else ""


def department_name(department: Department | None) -> str:
    return label(department) if department is not None else _(UNSPECIFIED)


@dataclass(frozen=True, slots=True)
class Improvement:
    """One improvement measure, with the complaints whose summaries gave it."""

    text: str
    category: str
    department: str
    numbers: tuple[str, ...]
    last_at: datetime


@dataclass(frozen=True, slots=True)
class CategoryName:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Classification:
    start: date
    end: date
    now: datetime
    months: tuple[date, ...]
    categories: tuple[CategoryName, ...]  # every category the table lists, in order
    rows: tuple[StatsRow, ...]  # month × category × department, only groups with complaints
    improvements: tuple[Improvement, ...] = ()
    withheld_improvements: int = 0  # sensitive complaints' measures not listed
    departments: tuple[Department | None, ...] = field(default=())

    @property
    def total(self) -> Figures:
        return total_of(r.figures for r in self.rows)

    @property
    def multi_month(self) -> bool:
        return len(self.months) > 1

    def by_category(self) -> dict[int, Figures]:
        """Per category over the whole period (zero for a category without complaints)."""
        result = {c.id: Figures() for c in self.categories}
        for r in self.rows:
            assert r.category_id is not None
            result[r.category_id] = result.get(r.category_id, Figures()) + r.figures
        return result

    def by_category_department(self) -> dict[tuple[int, Department | None], Figures]:
        result: dict[tuple[int, Department | None], Figures] = {}
        for r in self.rows:
            assert r.category_id is not None
            key = (r.category_id, r.department)
            result[key] = result.get(key, Figures()) + r.figures
        return result

    def by_month_category(self) -> dict[tuple[date, int], Figures]:
        result: dict[tuple[date, int], Figures] = {}
        for r in self.rows:
            assert r.month is not None and r.category_id is not None
            key = (r.month, r.category_id)
            result[key] = result.get(key, Figures()) + r.figures
        return result

    def by_month(self) -> dict[date, Figures]:
        result = {m: Figures() for m in self.months}
        for r in self.rows:
            assert r.month is not None
            result[r.month] = result.get(r.month, Figures()) + r.figures
        return result

    def chart_series(self) -> tuple[list[str], list[tuple[str, list[int]]], bool]:
        """What the chart shows, the same on screen and on paper: the complaints of each
        category, stacked by department for one month, grouped by month for several.
        Returns the category names, (series name, counts) and whether they stack."""
        names = [c.name for c in self.categories]
        if self.multi_month:
            by_month = self.by_month_category()
            return (
                names,
                [
                    (
                        month_label(m),
                        [by_month.get((m, c.id), Figures()).count for c in self.categories],
                    )
                    for m in self.months
                ],
                False,
            )
        cells = self.by_category_department()
        series = [
            (
                department_name(d),
                [cells.get((c.id, d), Figures()).count for c in self.categories],
            )
            for d in self.departments
        ]
        return names, series or [(_("投诉数"), [0] * len(names))], True

    def table(self) -> list[StatsRow]:
        """The 统计表 as printed: for each category its departments over the whole
        period, then its subtotal (a category without complaints: the subtotal alone,
        all zero), and the grand total last."""
        cells = self.by_category_department()
        order = {d: i for i, d in enumerate(self.departments)}
        rows: list[StatsRow] = []
        for category in self.categories:
            details = sorted(
                (
                    (department, figures)
                    for (cid, department), figures in cells.items()
                    if cid == category.id
                ),
                key=lambda item: order.get(item[0], len(order)),
            )
            for department, figures in details:
                rows.append(StatsRow(None, category.id, category.name, department, figures))
            subtotal = total_of(f for _d, f in details)
            rows.append(
                StatsRow(None, category.id, category.name, None, subtotal, RowKind.SUBTOTAL)
            )
        rows.append(StatsRow(None, None, _("合计"), None, self.total, RowKind.TOTAL))
        return rows


# -- the query ---------------------------------------------------------------------------


def classification(
    db: Database,
    start: date,
    end: date,
    now: datetime | None = None,
    *,
    actor: StaffMember | None = None,
) -> Classification:
    """The classification table of the complaints received from ``start`` to ``end``
    (both days included).  ``now`` decides which open complaints are overdue."""
    now = now or datetime.now()
    check_period(start, end)
    first = datetime.combine(start, time.min)
    last = datetime.combine(end + timedelta(days=1), time.min)
    month = month_of(Complaint.received_at)
    department = department_expr()
    closed = Complaint.closed_at.is_not(None)
    overdue = or_(
        Complaint.late_steps > 0,
        and_(Complaint.step != ComplaintStepKind.CLOSED, Complaint.due_at < now),
    )
    query = (
        select(
            month,
            Complaint.category_id,
            department,
            func.count(),
            _count_when(Complaint.justified.is_not(None)),
            _count_when(Complaint.justified.is_(True)),
            _count_when(closed),
            func.coalesce(func.sum(hours_between(Complaint.received_at, Complaint.closed_at)), 0),
            _count_when(overdue),
            func.coalesce(func.sum(Complaint.compensation_fen), 0),
        )
        # Sensitive complaints included on purpose: see the module docstring.
        .where(Complaint.received_at >= first, Complaint.received_at < last)
        .group_by(month, Complaint.category_id, department)
    )
    with db.read() as session:
        grouped = session.execute(query).all()
        categories = session.execute(
            select(
                ComplaintCategory.id,
                ComplaintCategory.name,
                ComplaintCategory.active,
                ComplaintCategory.sort_order,
            ).order_by(ComplaintCategory.sort_order, ComplaintCategory.id)
        ).all()
        summaries = session.execute(
            select(
                ComplaintStep.at,
                ComplaintStep.data,
                Complaint.number,
                Complaint.category_id,
                department,
                Complaint.sensitive,
            )
            .join(Complaint, Complaint.id == ComplaintStep.complaint_id)
            .where(
                ComplaintStep.step == ComplaintStepKind.SUMMARY,
                ComplaintStep.at >= first,
                ComplaintStep.at < last,
            )
            .order_by(ComplaintStep.at, ComplaintStep.id)
        ).all()

    names = {cid: name for cid, name, _active, _order in categories}
    rows = [_stats_row(values, names) for values in grouped]
    used = {r.category_id for r in rows}
    # Every active category is listed (a zero is worth printing); an inactive one only
    # when complaints of the period still carry it.
    listed = tuple(
        CategoryName(cid, name) for cid, name, active, _o in categories if active or cid in used
    )
    category_rank = {c.id: i for i, c in enumerate(listed)}
    department_order: list[Department | None] = [*Department, None]
    department_rank = {d: i for i, d in enumerate(department_order)}
    rows.sort(
        key=lambda r: (
            r.month,
            category_rank.get(r.category_id or 0, 0),
            department_rank[r.department],
        )
    )
    present = {r.department for r in rows}
    improvements, withheld = _improvements(summaries, names, actor)
    return Classification(
        start=start,
        end=end,
        now=now,
        months=tuple(months_between(start, end)),
        categories=listed,
        rows=tuple(rows),
        improvements=improvements,
        withheld_improvements=withheld,
        departments=tuple(d for d in department_order if d in present),
    )


def _stats_row(values: Sequence[Any], names: dict[int, str]) -> StatsRow:
    month_text, category_id, dept, n, judged, justified, closed, hours, overdue, fen = values
    return StatsRow(
        month=_month_date(month_text),
        category_id=int(category_id),
        category=names.get(int(category_id), str(category_id)),
        department=_department(dept),
        figures=Figures(
            count=int(n),
            judged=int(judged),
            justified=int(justified),
            closed=int(closed),
            close_hours=float(hours or 0.0),
            overdue=int(overdue),
            compensation_fen=int(fen),
        ),
    )


def _month_date(text: str | None) -> date:
    if not text:
        raise ValueError("a complaint without a received time")
    year, month = text.split("-")[:2]
    return date(int(year), int(month), 1)


def _department(value: str | None) -> Department | None:
    if value is None:
        return None
    try:
        return Department(value)
    except ValueError:
        return None


def _improvements(
    summaries: Sequence[Any], names: dict[int, str], actor: StaffMember | None
) -> tuple[tuple[Improvement, ...], int]:
    """The measures of the period's summaries, one entry per category, department and
    wording (a supervisor often writes the same measure for several complaints)."""
    may_see_sensitive = allowed(actor, Permission.COMPLAINT_SENSITIVE)
    grouped: dict[tuple[int, str, str], Improvement] = {}
    withheld = 0
    for at, data, number, category_id, dept, sensitive in summaries:
        text = str(parse_data(data).get("improvement") or "").strip()
        if not text:
            continue
        if sensitive and not may_see_sensitive:
            withheld += 1
            continue
        department = _department(dept)
        dept_name = label(department) if department is not None else _(UNSPECIFIED)
        key = (int(category_id), dept_name, text)
        found = grouped.get(key)
        if found is None:
            grouped[key] = Improvement(
                text, names.get(int(category_id), ""), dept_name, (number,), at
            )
        else:
            grouped[key] = replace(found, numbers=(*found.numbers, number), last_at=at)
    ordered = sorted(grouped.values(), key=lambda i: i.last_at, reverse=True)
    return tuple(ordered), withheld


# -- Excel ---------------------------------------------------------------------------------


XLSX_TITLES = (
    N_("类别"),
    N_("部门"),
    N_("投诉数"),
    N_("已判断"),
    N_("属实"),
    N_("属实率"),
    N_("已结案"),
    N_("平均结案时长(小时)"),
    N_("超时数"),
    N_("补偿金额(元)"),
)


def write_xlsx(stats: Classification, out: Path) -> Path:
    """The table (subtotals and total in bold), the months and the improvement measures
    as an Excel workbook: figures as numbers, so the supervisor can sum and chart them.
    Written under a temporary name and moved into place, never half-written."""
    openpyxl = openpyxl_module()
    styles = openpyxl.styles
    bold = styles.Font(bold=True)
    fill = styles.PatternFill("solid", fgColor="EEF0F3")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("分类统计")
    _append(sheet, [_("顾客投诉分类统计表")])
    sheet["A1"].font = styles.Font(bold=True, size=14)
    _append(sheet, [_("统计期间：{period}").format(period=period_text(stats.start, stats.end))])
    _append(sheet, [])
    _append(sheet, [_(t) for t in XLSX_TITLES])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.fill = fill
    previous: StatsRow | None = None
    for row in stats.table():
        f = row.figures
        if row.kind is RowKind.TOTAL:
            name, dept = _("合计"), ""
        elif row.kind is RowKind.SUBTOTAL:
            name, dept = row.category, _("小计")
        else:
            first = previous is None or previous.kind is not RowKind.DETAIL
            name, dept = (row.category if first else ""), row.department_name
        _append(
            sheet,
            [
                name,
                dept,
                f.count,
                f.judged,
                f.justified,
                f.justified_rate,
                f.closed,
                round(f.mean_close_hours, 1) if f.mean_close_hours is not None else None,
                f.overdue,
                f.compensation_fen / 100,
            ],
        )
        cells = sheet[sheet.max_row]
        cells[5].number_format = "0.0%"
        cells[7].number_format = "0.0"
        cells[9].number_format = "#,##0.00"
        if row.kind is not RowKind.DETAIL:
            for cell in cells:
                cell.font = bold
                cell.fill = fill
        previous = row
    for letter, width in zip("ABCDEFGHIJ", (14, 10, 8, 8, 8, 9, 8, 18, 8, 14), strict=True):
        sheet.column_dimensions[letter].width = width

    months = book.create_sheet(_("按月汇总"))
    _append(months, [_("类别"), *(month_label(m) for m in stats.months), _("合计")])
    for cell in months[1]:
        cell.font = bold
    cells_by_month = stats.by_month_category()
    per_category = stats.by_category()
    for category in stats.categories:
        _append(
            months,
            [
                category.name,
                *(cells_by_month.get((m, category.id), Figures()).count for m in stats.months),
                per_category[category.id].count,
            ],
        )
    by_month = stats.by_month()
    _append(months, [_("合计"), *(by_month[m].count for m in stats.months), stats.total.count])
    for cell in months[months.max_row]:
        cell.font = bold

    measures = book.create_sheet(_("改进措施"))
    _append(measures, [_("类别"), _("部门"), _("改进措施"), _("投诉编号"), _("填写时间")])
    for cell in measures[1]:
        cell.font = bold
    for item in stats.improvements:
        _append(
            measures,
            [item.category, item.department, item.text, _("、").join(item.numbers), item.last_at],
        )
    measures.column_dimensions["C"].width = 50
    measures.column_dimensions["D"].width = 30
    measures.column_dimensions["E"].width = 18

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".xlsx.part", dir=out.parent)
    os.close(fd)
    try:
        book.save(tmp_name)
        os.replace(tmp_name, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    return out


def _append(sheet: Any, values: Sequence[Any]) -> None:
    """A row; text typed by staff that starts with "=" stays text, never a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"

"""回访总结 (domain.md section 4): what the return visits of a period achieved, for the
periodic return-visit summary report (回访总结报告).

Two sets of visits, each counted in SQL with GROUP BY:

* the visits *due* in the period (``due_on`` in it): how many were planned, how many of
  those are done, and how many are overdue and still not done;
* the visits *done* in the period (``done_at`` in it): how many, how many on time (done
  on or before the day they were due), the answers (satisfied / average / dissatisfied)
  by source, by channel and by the staff member who called, the dissatisfied ones and
  the complaints they were turned into, and the suggestions the customers gave.

Coverage is the share of members (joined by the period's end) with at least one visit
done in the period, the same base as ``return_visits.uncovered``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import N_, _
from clubdesk.models import Complaint, Member, ReturnVisit, Staff, VipVisit
from clubdesk.models.enums import (
    ComplaintStepKind,
    ReturnVisitSource,
    Satisfaction,
    VisitChannel,
)
from clubdesk.services.labels import label
from clubdesk.services.return_visits import coverage_counts

SUGGESTIONS_SHOWN = 20
DISSATISFIED_SHOWN = 50
NOT_RECORDED = N_("未记录")


class day_of(FunctionElement[date]):
    """The calendar day of a timestamp, comparable with a DATE column on both databases."""

    type = Date()
    name = "day_of"
    inherit_cache = True


@compiles(day_of)
def _day_of_default(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS DATE)"


@compiles(day_of, "sqlite")
def _day_of_sqlite(element: day_of, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's CAST(... AS DATE) would give the number 2026; date() gives '2026-03-14',
    # which compares correctly with the stored DATE text.
    return f"date({compiler.process(element.clauses, **kw)})"


def _count_when(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _answers() -> tuple[Any, ...]:
    """done, satisfied, average, dissatisfied: the columns every breakdown counts."""
    return (
        func.count(),
        _count_when(ReturnVisit.outcome == Satisfaction.SATISFIED),
        _count_when(ReturnVisit.outcome == Satisfaction.AVERAGE),
        _count_when(ReturnVisit.outcome == Satisfaction.DISSATISFIED),
    )


@dataclass(frozen=True, slots=True)
class Answers:
    """Visits done and what the customers answered."""

    done: int = 0
    satisfied: int = 0
    average: int = 0
    dissatisfied: int = 0

    @property
    def rated(self) -> int:
        return self.satisfied + self.average + self.dissatisfied

    def count(self, outcome: Satisfaction) -> int:
        return {
            Satisfaction.SATISFIED: self.satisfied,
            Satisfaction.AVERAGE: self.average,
            Satisfaction.DISSATISFIED: self.dissatisfied,
        }[outcome]

    def rate(self, outcome: Satisfaction) -> float | None:
        """The share of the answers given; None when nobody answered."""
        return self.count(outcome) / self.rated if self.rated else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.rate(Satisfaction.SATISFIED)


def _answers_of(values: Sequence[Any]) -> Answers:
    return Answers(*(int(v or 0) for v in values))


@dataclass(frozen=True, slots=True)
class SourceRow:
    source: ReturnVisitSource
    planned: int  # due in the period
    overdue: int  # due in the period, past due and not done
    answers: Answers  # done in the period

    @property
    def name(self) -> str:
        return label(self.source)


@dataclass(frozen=True, slots=True)
class ChannelRow:
    channel: VisitChannel | None
    answers: Answers

    @property
    def name(self) -> str:
        return label(self.channel) if self.channel is not None else _(NOT_RECORDED)


@dataclass(frozen=True, slots=True)
class StaffRow:
    staff_id: int | None
    name: str
    answers: Answers


@dataclass(frozen=True, slots=True)
class Dissatisfied:
    visit_id: int
    done_at: datetime
    who: str
    source: ReturnVisitSource
    staff: str | None
    suggestions: str | None
    complaint_id: int | None  # the complaint it was turned into
    complaint_number: str | None
    complaint_step: ComplaintStepKind | None


@dataclass(frozen=True, slots=True)
class Suggestion:
    visit_id: int
    done_at: datetime
    who: str
    source: ReturnVisitSource
    outcome: Satisfaction | None
    staff: str | None
    text: str


@dataclass(frozen=True, slots=True)
class VisitSummary:
    start: date
    end: date
    now: datetime
    members: int  # joined by the end of the period
    covered: int  # of those, with a visit done in the period
    planned: int  # due in the period
    planned_done: int  # of those, done (whenever)
    overdue: int  # of those, past due and not done
    done: int  # done in the period
    on_time: int  # of those, done on or before the day due
    answers: Answers  # of the visits done in the period
    by_source: tuple[SourceRow, ...]
    by_channel: tuple[ChannelRow, ...]
    by_staff: tuple[StaffRow, ...]
    dissatisfied: tuple[Dissatisfied, ...]  # the latest DISSATISFIED_SHOWN
    escalated: int  # dissatisfied visits of the period turned into complaints
    suggestions: tuple[Suggestion, ...]  # the latest SUGGESTIONS_SHOWN
    suggestions_total: int
    # Done visits of the period about a sensitive complaint: counted in the figures,
    # left out of the named lists (the report says how many).
    withheld: int = 0

    @property
    def coverage(self) -> float | None:
        """Members covered ÷ members; None with no members."""
        return self.covered / self.members if self.members else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.done if self.done else None

    @property
    def completion_rate(self) -> float | None:
        """Of the visits due in the period, the share done."""
        return self.planned_done / self.planned if self.planned else None


_SourceComplaint = aliased(Complaint)
_FollowUp = aliased(Complaint)


def _who() -> Any:
    return func.coalesce(Member.name, _SourceComplaint.complainant_name, VipVisit.guest_name, "—")


def visit_summary(
    db: Database,
    start: date,
    end: date,
    *,
    now: datetime | None = None,
    suggestions_shown: int = SUGGESTIONS_SHOWN,
) -> VisitSummary:
    """The return-visit summary of ``start``..``end`` (both days included).  ``now``
    decides which planned visits are overdue (due before today and not done)."""
    if end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), field="end")
    now = now or datetime.now()
    since = datetime.combine(start, time.min)
    until = datetime.combine(end + timedelta(days=1), time.min)
    done_in_period = and_(ReturnVisit.done_at >= since, ReturnVisit.done_at < until)
    due_in_period = and_(ReturnVisit.due_on >= start, ReturnVisit.due_on <= end)
    not_done_late = and_(ReturnVisit.done_at.is_(None), ReturnVisit.due_on < now.date())
    on_time = day_of(ReturnVisit.done_at) <= ReturnVisit.due_on
    with db.read() as session:
        # The same count as the coverage view, by the same (cheaper-of-two) query.
        members, covered = coverage_counts(session, end, done_in_period)
        planned_rows = session.execute(
            select(
                ReturnVisit.source,
                func.count(),
                _count_when(ReturnVisit.done_at.is_not(None)),
                _count_when(not_done_late),
            )
            .where(due_in_period)
            .group_by(ReturnVisit.source)
        ).all()
        done_rows = session.execute(
            select(ReturnVisit.source, *_answers(), _count_when(on_time))
            .where(done_in_period)
            .group_by(ReturnVisit.source)
        ).all()
        channel_rows = session.execute(
            select(ReturnVisit.channel, *_answers())
            .where(done_in_period)
            .group_by(ReturnVisit.channel)
        ).all()
        staff_rows = session.execute(
            select(ReturnVisit.staff_id, *_answers())
            .where(done_in_period)
            .group_by(ReturnVisit.staff_id)
        ).all()
        staff_names = dict(
            session.execute(
                select(Staff.id, Staff.display_name).where(
                    Staff.id.in_([r[0] for r in staff_rows if r[0] is not None])
                )
            ).all()
        )
        escalated = int(
            session.execute(
                select(func.count())
                .select_from(ReturnVisit)
                .where(
                    done_in_period,
                    ReturnVisit.outcome == Satisfaction.DISSATISFIED,
                    ReturnVisit.follow_up_complaint_id.is_not(None),
                )
            ).scalar()
            or 0
        )
        unhappy = session.execute(
            _visit_facts(_FollowUp.id, _FollowUp.number, _FollowUp.step)
            .outerjoin(_FollowUp, _FollowUp.id == ReturnVisit.follow_up_complaint_id)
            .where(
                done_in_period,
                ReturnVisit.outcome == Satisfaction.DISSATISFIED,
                _not_about_a_sensitive_complaint(),
            )
            .order_by(ReturnVisit.done_at.desc(), ReturnVisit.id.desc())
            .limit(DISSATISFIED_SHOWN)
        ).all()
        has_text = and_(ReturnVisit.suggestions.is_not(None), ReturnVisit.suggestions != "")
        suggestions_total = int(
            session.execute(
                select(func.count()).select_from(ReturnVisit).where(done_in_period, has_text)
            ).scalar()
            or 0
        )
        withheld = int(
            session.execute(
                select(func.count())
                .select_from(ReturnVisit)
                .where(done_in_period, ~_not_about_a_sensitive_complaint())
            ).scalar()
            or 0
        )
        said = session.execute(
            _visit_facts(ReturnVisit.outcome)
            .where(done_in_period, has_text, _not_about_a_sensitive_complaint())
            .order_by(ReturnVisit.done_at.desc(), ReturnVisit.id.desc())
            .limit(max(suggestions_shown, 0))
        ).all()

    planned = {ReturnVisitSource(s): (int(n), int(d), int(o)) for s, n, d, o in planned_rows}
    done = {ReturnVisitSource(r[0]): (_answers_of(r[1:5]), int(r[5])) for r in done_rows}
    by_source = tuple(
        SourceRow(
            source,
            planned.get(source, (0, 0, 0))[0],
            planned.get(source, (0, 0, 0))[2],
            done.get(source, (Answers(), 0))[0],
        )
        for source in ReturnVisitSource
    )
    by_channel = sorted(
        (ChannelRow(_channel(c), _answers_of(rest)) for c, *rest in channel_rows),
        key=lambda r: (r.channel is None, list(VisitChannel).index(r.channel) if r.channel else 0),
    )
    by_staff = sorted(
        (
            StaffRow(sid, staff_names.get(sid, "") if sid else _(NOT_RECORDED), _answers_of(rest))
            for sid, *rest in staff_rows
        ),
        key=lambda r: (r.staff_id is None, -r.answers.done, r.name, r.staff_id or 0),
    )
    total = Answers(
        sum(a.done for a, _n in done.values()),
        sum(a.satisfied for a, _n in done.values()),
        sum(a.average for a, _n in done.values()),
        sum(a.dissatisfied for a, _n in done.values()),
    )
    return VisitSummary(
        start=start,
        end=end,
        now=now,
        members=members,
        covered=covered,
        planned=sum(n for n, _d, _o in planned.values()),
        planned_done=sum(d for _n, d, _o in planned.values()),
        overdue=sum(o for _n, _d, o in planned.values()),
        done=total.done,
        on_time=sum(n for _a, n in done.values()),
        answers=total,
        by_source=by_source,
        by_channel=tuple(by_channel),
        by_staff=tuple(by_staff),
        dissatisfied=tuple(_dissatisfied(r) for r in unhappy),
        escalated=escalated,
        suggestions=tuple(_suggestion(r) for r in said),
        suggestions_total=suggestions_total,
        withheld=withheld,
    )


def _visit_facts(*extra: Any) -> Any:
    return (
        select(
            ReturnVisit.id,
            ReturnVisit.done_at,
            _who(),
            ReturnVisit.source,
            Staff.display_name,
            ReturnVisit.suggestions,
            *extra,
        )
        .outerjoin(Member, Member.id == ReturnVisit.member_id)
        .outerjoin(_SourceComplaint, _SourceComplaint.id == ReturnVisit.complaint_id)
        .outerjoin(VipVisit, VipVisit.id == ReturnVisit.vip_visit_id)
        .outerjoin(Staff, Staff.id == ReturnVisit.staff_id)
    )


def _channel(value: Any) -> VisitChannel | None:
    return VisitChannel(value) if value is not None else None


def _dissatisfied(row: Sequence[Any]) -> Dissatisfied:
    visit_id, done_at, who, source, staff, suggestions, complaint_id, number, step = row
    return Dissatisfied(
        visit_id=int(visit_id),
        done_at=done_at,
        who=str(who),
        source=ReturnVisitSource(source),
        staff=staff,
        suggestions=suggestions or None,
        complaint_id=complaint_id,
        complaint_number=number,
        complaint_step=ComplaintStepKind(step) if step is not None else None,
    )


def _suggestion(row: Sequence[Any]) -> Suggestion:
    visit_id, done_at, who, source, staff, text, outcome = row
    return Suggestion(
        visit_id=int(visit_id),
        done_at=done_at,
        who=str(who),
        source=ReturnVisitSource(source),
        outcome=Satisfaction(outcome) if outcome is not None else None,
        staff=staff,
        text=str(text).strip(),
    )


def _not_about_a_sensitive_complaint() -> ColumnElement[bool]:
    """The summary names customers and quotes them; a visit that followed, or led to, a
    sensitive complaint is counted in the figures but never named or quoted."""
    sensitive = select(Complaint.id).where(
        Complaint.sensitive.is_(True),
        or_(
            Complaint.id == ReturnVisit.complaint_id,
            Complaint.id == ReturnVisit.follow_up_complaint_id,
        ),
    )
    return ~exists(sensitive)

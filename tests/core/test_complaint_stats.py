"""顾客投诉分类统计表 and 回访总结: the arithmetic on hand-built records with known answers,
month buckets across a month boundary, one complaint walked through the workflow, and
the same queries on PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.errors import DomainError
from clubdesk.models import Complaint, ComplaintStep, Member, ReturnVisit, Staff
from clubdesk.models.enums import (
    ComplaintChannel,
    ComplaintRemedy,
    ComplaintStepKind,
    Department,
    ReturnVisitSource,
    Role,
    Satisfaction,
    VisitChannel,
)
from clubdesk.services import complaint_stats as cs
from clubdesk.services import complaints, visit_stats
from clubdesk.services.complaint_stats import Figures, RowKind
from clubdesk.services.complaint_steps import (
    Acceptance,
    Approval,
    Implementation,
    Investigation,
    Judgement,
    Proposal,
    Solution,
    Summary,
    advance,
)
from tests.core.complaint_helpers import NOW, people, register

S = ComplaintStepKind
FEB, MAR = date(2031, 2, 1), date(2031, 3, 1)
STATS_NOW = datetime(2031, 3, 20, 12, 0)


def add_complaint(
    db: Database,
    category_id: int,
    received_at: datetime,
    *,
    justified: bool | None = None,
    department: Department | None = None,
    responsible: Department | None = None,
    close_after: timedelta | None = None,
    late_steps: int = 0,
    due_at: datetime | None = None,
    compensation_fen: int = 0,
    sensitive: bool = False,
    improvement: str | None = None,
    summary_at: datetime | None = None,
) -> int:
    """A complaint as the workflow leaves it, written directly (fast, exact)."""
    with db.write() as s:
        n = s.query(Complaint).count() + 1
        closed_at = received_at + close_after if close_after is not None else None
        c = Complaint(
            number=f"TS-T{n:04d}",
            complainant_name="测试顾客",
            contact="13900000000",
            received_at=received_at,
            channel=ComplaintChannel.PHONE,
            category_id=category_id,
            department=department,
            content="内容",
            step=S.CLOSED if closed_at else (S.INTAKE if justified is None else S.JUDGEMENT),
            justified=justified,
            responsible_department=responsible,
            due_at=due_at or received_at + timedelta(hours=24),
            late_steps=late_steps,
            closed_at=closed_at,
            compensation_fen=compensation_fen,
            sensitive=sensitive,
            created_at=received_at,
        )
        s.add(c)
        s.flush()
        if improvement is not None:
            s.add(
                ComplaintStep(
                    complaint_id=c.id,
                    step=S.SUMMARY,
                    at=summary_at or closed_at or received_at,
                    note="总结",
                    data=json.dumps({"improvement": improvement}, ensure_ascii=False),
                )
            )
        return c.id


def two_categories(db: Database) -> tuple[int, int]:
    found = complaints.categories(db)
    return found[0].id, found[1].id


def build_known_period(db: Database) -> tuple[int, int]:
    """Five complaints in February-March 2031 and two just outside; the expected
    figures are worked out by hand in the tests below."""
    c1, c2 = two_categories(db)
    # A: the last minutes of February, justified, spa, closed after 48 h, ¥50 paid.
    add_complaint(
        db, c1, datetime(2031, 2, 28, 23, 30), justified=True, department=Department.FRONT_OFFICE,
        responsible=Department.SPA, close_after=timedelta(hours=48), compensation_fen=5_000,
        improvement="技师上钟前核对服务时长", summary_at=datetime(2031, 3, 2, 23, 0),
    )  # fmt: skip
    # B: the first minutes of March, justified, spa, closed after 24 h with a late step.
    add_complaint(
        db, c1, datetime(2031, 3, 1, 0, 10), justified=True, responsible=Department.SPA,
        close_after=timedelta(hours=24), late_steps=1, compensation_fen=10_000,
        improvement="技师上钟前核对服务时长", summary_at=datetime(2031, 3, 2, 1, 0),
    )  # fmt: skip
    # C: not justified: counted under the department named at registration.
    add_complaint(
        db, c1, datetime(2031, 3, 5, 10, 0), justified=False, department=Department.FRONT_OFFICE,
        responsible=Department.SPA, close_after=timedelta(hours=2),
    )  # fmt: skip
    # D: never judged, no department, its first response overdue at STATS_NOW.
    add_complaint(db, c1, datetime(2031, 3, 10, 9, 0), due_at=datetime(2031, 3, 11, 9, 0))
    # E: the second category, sensitive, open but not yet due.
    add_complaint(
        db, c2, datetime(2031, 3, 15, 9, 0), department=Department.CATERING,
        due_at=datetime(2031, 3, 21, 9, 0), sensitive=True,
        improvement="包间点餐由主管复核", summary_at=datetime(2031, 3, 16, 9, 0),
    )  # fmt: skip
    # Outside the period on either side.
    add_complaint(db, c1, datetime(2031, 1, 31, 23, 59), justified=True,
                  responsible=Department.SPA, close_after=timedelta(hours=5),
                  improvement="一月的措施", summary_at=datetime(2031, 1, 31, 23, 59))  # fmt: skip
    add_complaint(db, c1, datetime(2031, 4, 1, 0, 0), department=Department.SPA)
    return c1, c2


def test_month_category_department_rows_with_known_figures(db: Database) -> None:
    c1, c2 = build_known_period(db)
    stats = cs.classification(db, FEB, date(2031, 3, 31), STATS_NOW)
    assert stats.months == (FEB, MAR)
    got = {(r.month, r.category_id, r.department): r.figures for r in stats.rows}
    assert got == {
        (FEB, c1, Department.SPA): Figures(1, 1, 1, 1, pytest.approx(48.0), 0, 5_000),
        (MAR, c1, Department.SPA): Figures(1, 1, 1, 1, pytest.approx(24.0), 1, 10_000),
        (MAR, c1, Department.FRONT_OFFICE): Figures(1, 1, 0, 1, pytest.approx(2.0), 0, 0),
        (MAR, c1, None): Figures(1, 0, 0, 0, 0.0, 1, 0),
        (MAR, c2, Department.CATERING): Figures(1, 0, 0, 0, 0.0, 0, 0),
    }
    # Rows come month by month, categories in their order, departments in theirs.
    assert [(r.month, r.category_id) for r in stats.rows][:2] == [(FEB, c1), (MAR, c1)]


def test_totals_rates_and_mean_close_hours(db: Database) -> None:
    c1, c2 = build_known_period(db)
    stats = cs.classification(db, FEB, date(2031, 3, 31), STATS_NOW)
    total = stats.total
    assert (total.count, total.judged, total.justified, total.closed) == (5, 3, 2, 3)
    assert total.justified_rate == pytest.approx(2 / 3)
    assert total.mean_close_hours == pytest.approx((48 + 24 + 2) / 3)
    assert total.overdue == 2  # B (a late step) and D (open past its deadline)
    assert total.compensation_fen == 15_000
    per_category = stats.by_category()
    assert per_category[c1].count == 4 and per_category[c2].count == 1
    assert per_category[c2].justified_rate is None  # nothing judged: no rate, not 0 %
    spa = stats.by_category_department()[(c1, Department.SPA)]
    assert spa.count == 2 and spa.mean_close_hours == pytest.approx(36.0)
    months = stats.by_month()
    assert months[FEB] == Figures(1, 1, 1, 1, pytest.approx(48.0), 0, 5_000)
    assert months[MAR].count == 4 and months[MAR].overdue == 2


def test_the_printed_table_has_subtotals_every_category_and_a_total(db: Database) -> None:
    c1, c2 = build_known_period(db)
    stats = cs.classification(db, MAR, date(2031, 3, 31), STATS_NOW)
    table = stats.table()
    first = [r for r in table if r.category_id == c1]
    assert [(r.kind, r.department) for r in first] == [
        (RowKind.DETAIL, Department.FRONT_OFFICE),
        (RowKind.DETAIL, Department.SPA),
        (RowKind.DETAIL, None),
        (RowKind.SUBTOTAL, None),
    ]
    assert first[2].department_name == "未指定"
    assert first[-1].figures.count == 3 and first[-1].figures.compensation_fen == 10_000
    # A category without complaints is still listed, as an all-zero subtotal.
    idle = [r for r in table if r.category_id not in (c1, c2, None)]
    assert idle and all(r.kind is RowKind.SUBTOTAL and r.figures == Figures() for r in idle)
    assert table[-1].kind is RowKind.TOTAL and table[-1].figures.count == 4
    assert len(stats.categories) == len(complaints.categories(db))


def test_month_boundary_minutes_fall_in_their_own_month(db: Database) -> None:
    build_known_period(db)
    february = cs.classification(db, FEB, date(2031, 2, 28), STATS_NOW)
    march = cs.classification(db, MAR, date(2031, 3, 31), STATS_NOW)
    assert february.total.count == 1 and february.months == (FEB,)
    assert march.total.count == 4
    one_day = cs.classification(db, date(2031, 3, 1), date(2031, 3, 1), STATS_NOW)
    assert one_day.total.count == 1  # only B, received 00:10 on the 1st


def test_overdue_depends_on_now(db: Database) -> None:
    build_known_period(db)
    before = cs.classification(db, MAR, date(2031, 3, 31), datetime(2031, 3, 11, 8, 0))
    later = cs.classification(db, MAR, date(2031, 3, 31), datetime(2031, 3, 22, 8, 0))
    assert before.total.overdue == 1  # only B's late step
    assert later.total.overdue == 3  # D and now E too


def test_improvements_of_the_period_grouped_and_sensitive_ones_withheld(db: Database) -> None:
    build_known_period(db)
    p = people(db)
    stats = cs.classification(db, FEB, date(2031, 3, 31), STATS_NOW)
    assert [(i.text, i.department, len(i.numbers)) for i in stats.improvements] == [
        ("技师上钟前核对服务时长", "水疗部", 2)
    ]
    assert stats.withheld_improvements == 1
    desk = cs.classification(db, FEB, date(2031, 3, 31), STATS_NOW, actor=p.desk)
    assert desk.withheld_improvements == 1
    supervisor = cs.classification(db, FEB, date(2031, 3, 31), STATS_NOW, actor=p.supervisor)
    assert supervisor.withheld_improvements == 0
    assert [i.text for i in supervisor.improvements] == [
        "包间点餐由主管复核",
        "技师上钟前核对服务时长",
    ]


def test_a_complaint_walked_through_the_workflow_is_counted(db: Database) -> None:
    p = people(db)
    cid = register(db, p, department=Department.FRONT_OFFICE)
    version = complaints.detail(db, p.supervisor, cid).version
    steps = [
        (p.desk, Judgement(True, "属实", Department.SPA)),
        (p.desk, Investigation("技师提前下钟")),
        (p.desk, Proposal((Solution("道歉并补偿", compensation_fen=8_800),))),
        (p.supervisor, Approval(True, chosen=0)),
        (p.desk, Implementation(frozenset({ComplaintRemedy.APOLOGY}), "已补偿")),
        (p.desk, Acceptance(on_paper=True)),
        (p.supervisor, Summary("处理及时", "每周抽查服务时长")),
    ]
    at = NOW
    for actor, action in steps:
        at += timedelta(hours=2)
        version = advance(db, actor, cid, version, action, now=at).version
    stats = cs.classification(db, MAR, date(2031, 3, 31), at)
    (row,) = stats.rows
    assert row.department is Department.SPA  # the responsible one, not the registered one
    f = row.figures
    assert (f.count, f.judged, f.justified, f.closed, f.overdue) == (1, 1, 1, 1, 0)
    assert f.compensation_fen == 8_800
    # Received 30 minutes before NOW, closed with the summary 14 hours after NOW.
    assert f.mean_close_hours == pytest.approx(14.5)
    assert [i.text for i in stats.improvements] == ["每周抽查服务时长"]


def test_bad_periods_are_refused_in_chinese(db: Database) -> None:
    with pytest.raises(DomainError, match="结束日期不能早于开始日期"):
        cs.classification(db, MAR, FEB, STATS_NOW)
    with pytest.raises(DomainError, match="最长 12 个月"):
        cs.classification(db, date(2030, 1, 1), date(2031, 3, 31), STATS_NOW)


def test_empty_database_gives_zero_rows_and_every_category(db: Database) -> None:
    stats = cs.classification(db, MAR, date(2031, 3, 31), STATS_NOW)
    assert stats.rows == () and stats.total == Figures()
    assert stats.total.justified_rate is None and stats.total.mean_close_hours is None
    assert [r.kind for r in stats.table()][-1] is RowKind.TOTAL


def test_month_keys_and_periods() -> None:
    assert cs.parse_month("2026-03") == 202603
    assert cs.parse_month("2026年3月") == 202603
    assert cs.parse_month("202611") == 202611
    with pytest.raises(DomainError, match="月份"):
        cs.parse_month("2026-13")
    with pytest.raises(DomainError, match="月份"):
        cs.parse_month("三月")
    today = date(2026, 11, 23)
    assert cs.resolve_period(None, None, None, today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert cs.resolve_period(202602, None, None, today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert cs.resolve_period(None, date(2026, 1, 15), None, today) == (
        date(2026, 1, 15),
        date(2026, 1, 31),
    )
    assert cs.period_text(date(2026, 2, 1), date(2026, 2, 28)) == "2026年2月"
    assert cs.period_text(date(2026, 1, 1), date(2026, 3, 31)) == "2026年1月至2026年3月"
    assert cs.months_between(date(2025, 12, 5), date(2026, 2, 1)) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


# -- return-visit summary -----------------------------------------------------------------


def add_member(db: Database, name: str, joined_on: date, phone: str) -> int:
    with db.write() as s:
        from clubdesk.models import Tier

        tier = s.query(Tier).order_by(Tier.id).first()
        assert tier is not None
        m = Member(
            name=name, phone=phone, phone_last4=phone[-4:], joined_on=joined_on, tier_id=tier.id
        )
        s.add(m)
        s.flush()
        return m.id


def add_visit(
    db: Database,
    member_id: int | None,
    source: ReturnVisitSource,
    due_on: date,
    *,
    done_at: datetime | None = None,
    staff_id: int | None = None,
    channel: VisitChannel | None = VisitChannel.PHONE,
    outcome: Satisfaction | None = None,
    suggestions: str | None = None,
    complaint_id: int | None = None,
    follow_up: int | None = None,
) -> int:
    with db.write() as s:
        v = ReturnVisit(
            member_id=member_id, source=source, due_on=due_on, done_at=done_at,
            staff_id=staff_id if done_at else None, channel=channel if done_at else None,
            outcome=outcome, suggestions=suggestions, complaint_id=complaint_id,
            follow_up_complaint_id=follow_up, created_at=datetime(2031, 2, 1),
        )  # fmt: skip
        s.add(v)
        s.flush()
        return v.id


def add_staff(db: Database, name: str) -> int:
    with db.write() as s:
        row = Staff(username=name, display_name=name, role=Role.FRONT_DESK)
        s.add(row)
        s.flush()
        return row.id


def build_visits(db: Database) -> dict[str, int]:
    a = add_member(db, "甲会员", date(2030, 1, 1), "13900000001")
    b = add_member(db, "乙会员", date(2031, 3, 31), "13900000002")  # joined on the last day
    add_member(db, "丙会员", date(2031, 1, 1), "13900000003")  # no visit: not covered
    add_member(db, "丁会员", date(2031, 4, 1), "13900000004")  # joined after: not counted
    li, wang = add_staff(db, "李客服"), add_staff(db, "王客服")
    c1, _c2 = two_categories(db)
    complaint = add_complaint(
        db, c1, datetime(2031, 3, 1, 10, 0), justified=True, responsible=Department.SPA,
        close_after=timedelta(hours=30),
    )  # fmt: skip
    follow_up = add_complaint(db, c1, datetime(2031, 3, 12, 10, 0))
    # Due and done in March, on time (done the day it was due, in the evening).
    add_visit(db, a, ReturnVisitSource.SERVICE, date(2031, 3, 5),
              done_at=datetime(2031, 3, 5, 21, 0), staff_id=li,
              outcome=Satisfaction.SATISFIED, suggestions="茶水种类多一些")  # fmt: skip
    # Due in March, done a day late, dissatisfied and turned into a complaint.
    add_visit(db, a, ReturnVisitSource.SERVICE, date(2031, 3, 10),
              done_at=datetime(2031, 3, 11, 10, 0), staff_id=li,
              outcome=Satisfaction.DISSATISFIED, suggestions="等候太久",
              follow_up=follow_up)  # fmt: skip
    # A complaint's visit to a member, SMS, average.
    add_visit(db, b, ReturnVisitSource.COMPLAINT, date(2031, 3, 20), complaint_id=complaint,
              done_at=datetime(2031, 3, 18, 15, 0), staff_id=wang, channel=VisitChannel.SMS,
              outcome=Satisfaction.AVERAGE)  # fmt: skip
    # Due in February, done in March (counted as done in March, not as planned).
    add_visit(db, b, ReturnVisitSource.PERIODIC, date(2031, 2, 27),
              done_at=datetime(2031, 3, 2, 11, 0), staff_id=wang,
              outcome=Satisfaction.SATISFIED)  # fmt: skip
    # Due in March and not done: one past due at STATS_NOW, one not yet.
    add_visit(db, a, ReturnVisitSource.PERIODIC, date(2031, 3, 15))
    add_visit(db, None, ReturnVisitSource.VIP, date(2031, 3, 25))
    # Done in April: outside.
    add_visit(db, a, ReturnVisitSource.SERVICE, date(2031, 4, 2),
              done_at=datetime(2031, 4, 1, 0, 0), staff_id=li,
              outcome=Satisfaction.DISSATISFIED)  # fmt: skip
    return {"a": a, "b": b, "li": li, "wang": wang, "follow_up": follow_up}


def test_visit_summary_figures(db: Database) -> None:
    ids = build_visits(db)
    s = visit_stats.visit_summary(db, MAR, date(2031, 3, 31), now=STATS_NOW)
    # Members joined by 31 March: 甲, 乙, 丙 (丁 joined in April); 甲 and 乙 were called.
    assert (s.members, s.covered) == (3, 2)
    assert s.coverage == pytest.approx(2 / 3)
    assert (s.planned, s.planned_done, s.overdue) == (5, 3, 1)
    assert s.completion_rate == pytest.approx(3 / 5)
    # On time: the one done the evening of its day and the one done two days early.
    assert (s.done, s.on_time) == (4, 2)
    assert s.on_time_rate == pytest.approx(2 / 4)
    a = s.answers
    assert (a.done, a.satisfied, a.average, a.dissatisfied) == (4, 2, 1, 1)
    assert a.rate(Satisfaction.SATISFIED) == pytest.approx(0.5)
    assert a.rate(Satisfaction.DISSATISFIED) == pytest.approx(0.25)
    sources = {r.source: r for r in s.by_source}
    assert list(sources) == list(ReturnVisitSource)  # every source, even with none
    assert (
        sources[ReturnVisitSource.SERVICE].planned,
        sources[ReturnVisitSource.SERVICE].answers.done,
    ) == (2, 2)
    assert sources[ReturnVisitSource.PERIODIC].overdue == 1
    assert sources[ReturnVisitSource.SPECIAL].answers == visit_stats.Answers()
    channels = {r.channel: r.answers.done for r in s.by_channel}
    assert channels == {VisitChannel.PHONE: 3, VisitChannel.SMS: 1}
    staff = [(r.name, r.answers.done, r.answers.satisfaction_rate) for r in s.by_staff]
    assert staff == [("李客服", 2, 0.5), ("王客服", 2, 0.5)]
    assert s.escalated == 1
    (unhappy,) = s.dissatisfied
    assert unhappy.who == "甲会员" and unhappy.complaint_id == ids["follow_up"]
    assert unhappy.complaint_step is S.INTAKE
    assert s.suggestions_total == 2
    assert [(x.who, x.text) for x in s.suggestions] == [
        ("甲会员", "等候太久"),
        ("甲会员", "茶水种类多一些"),
    ]


def test_visit_summary_overdue_follows_now_and_empty_is_zero(db: Database) -> None:
    build_visits(db)
    early = visit_stats.visit_summary(db, MAR, date(2031, 3, 31), now=datetime(2031, 3, 1))
    assert early.overdue == 0
    late = visit_stats.visit_summary(db, MAR, date(2031, 3, 31), now=datetime(2031, 4, 30))
    assert late.overdue == 2
    empty = visit_stats.visit_summary(db, date(2029, 1, 1), date(2029, 1, 31), now=STATS_NOW)
    assert (empty.members, empty.done, empty.planned) == (0, 0, 0)
    assert empty.coverage is None and empty.answers.satisfaction_rate is None
    with pytest.raises(DomainError, match="结束日期"):
        visit_stats.visit_summary(db, MAR, FEB)


# -- PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_same_figures_on_postgres(pg_url: str) -> None:
    pg = open_database(pg_url)
    try:
        c1, _c2 = build_known_period(pg)
        stats = cs.classification(pg, FEB, date(2031, 3, 31), STATS_NOW)
        assert stats.months == (FEB, MAR)
        assert {
            (r.month, r.department): r.figures.count for r in stats.rows if r.category_id == c1
        } == {
            (FEB, Department.SPA): 1,
            (MAR, Department.SPA): 1,
            (MAR, Department.FRONT_OFFICE): 1,
            (MAR, None): 1,
        }
        total = stats.total
        assert (total.count, total.judged, total.justified, total.overdue) == (5, 3, 2, 2)
        assert total.mean_close_hours == pytest.approx((48 + 24 + 2) / 3)
        assert total.compensation_fen == 15_000
        build_visits(pg)
        s = visit_stats.visit_summary(pg, MAR, date(2031, 3, 31), now=STATS_NOW)
        assert (s.members, s.covered, s.planned, s.done, s.on_time, s.overdue) == (3, 2, 5, 4, 2, 1)
    finally:
        pg.dispose()


def test_the_visit_summary_never_quotes_a_sensitive_complaints_customer(db: Database) -> None:
    from clubdesk.models.enums import Satisfaction, VisitChannel
    from clubdesk.services import return_visits
    from clubdesk.services.complaint_steps import Judgement, advance
    from clubdesk.services.return_visits import VisitOutcome
    from clubdesk.services.visit_stats import visit_summary
    from tests.core.complaint_helpers import NOW as AT
    from tests.core.complaint_helpers import people, register

    p = people(db)
    cid = register(db, p, sensitive=True)
    done = advance(db, p.supervisor, cid, 1, Judgement(False, "已解释"), now=AT)
    assert done.return_visit_id is not None
    outcome = VisitOutcome(VisitChannel.PHONE, Satisfaction.DISSATISFIED, "私密的意见")
    return_visits.record(db, p.desk, done.return_visit_id, outcome, AT)
    s = visit_summary(db, AT.date().replace(day=1), AT.date())
    assert s.answers.dissatisfied == 1  # counted …
    assert s.dissatisfied == () and s.suggestions == ()  # … but not named or quoted
    assert s.withheld == 1  # and the report says how many were left out

"""Return visits (回访, domain.md section 4): planned after a service and a closed
complaint, the call list with the do-not-disturb hours, the script, recording once,
escalation to a complaint, periodic planning and coverage.  Every call gets its time."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound, PermissionDenied
from clubdesk.models import AuditEntry, Booking, Complaint, Member, ReturnVisit, Setting, Tier
from clubdesk.models.enums import (
    BookingState,
    ComplaintChannel,
    ReturnVisitSource,
    Role,
    Satisfaction,
    Severity,
    VisitChannel,
)
from clubdesk.services import bookings, complaints, return_visits
from clubdesk.services.complaint_steps import Judgement, advance
from clubdesk.services.return_visits import VisitOutcome
from clubdesk.services.visit_scripts import fill, quiet_until
from tests.core import booking_helpers as bh
from tests.core.complaint_helpers import NOW, People, people, register
from tests.core.roster_helpers import member, staff

DONE = VisitOutcome(VisitChannel.PHONE, Satisfaction.SATISFIED, "技师手法很好")
BAD = VisitOutcome(VisitChannel.PHONE, Satisfaction.DISSATISFIED, "  等了二十分钟才开始  ")


def _set(db: Database, **values: object) -> None:
    """Settings as a manager would have saved them (keys with _ for .)."""
    with db.write() as s:
        for key, value in values.items():
            s.merge(Setting(key=key.replace("__", "."), value=json.dumps(value)))


def _visit(
    db: Database,
    member_id: int | None,
    due: date,
    *,
    source: ReturnVisitSource = ReturnVisitSource.PERIODIC,
    done_at: datetime | None = None,
) -> int:
    with db.write() as s:
        row = ReturnVisit(
            member_id=member_id, source=source, due_on=due, done_at=done_at,
            outcome=Satisfaction.SATISFIED if done_at else None,
            channel=VisitChannel.PHONE if done_at else None, created_at=NOW,
        )  # fmt: skip
        s.add(row)
        s.flush()
        return row.id


def _closed_complaint_visit(db: Database, p: People, **changes: object) -> tuple[int, int]:
    """A complaint judged unfounded (which closes it) and the visit that plans."""
    cid = register(db, p, **changes)
    done = advance(db, p.desk, cid, 1, Judgement(False, "经核实服务时长足够"), now=NOW)
    assert done.return_visit_id is not None
    return cid, done.return_visit_id


def _visits(db: Database) -> list[ReturnVisit]:
    with db.read() as s:
        rows = list(s.scalars(select(ReturnVisit).order_by(ReturnVisit.id)))
        s.expunge_all()  # kept loaded: the read session's rollback would expire them
        return rows


# -- planning -------------------------------------------------------------------------------


def test_a_finished_service_plans_one_visit_due_in_three_days(db: Database) -> None:
    cat = bh.catalogue(db)
    booking_id = bh.book(db, cat, bh.at("14:00"), member=cat.members[0])
    walk_in = bh.book(db, cat, bh.at("16:00"))
    for step in (BookingState.ARRIVED, BookingState.IN_SERVICE, BookingState.FINISHED):
        bookings.transition(db, cat.desk, booking_id, step, at=bh.at("15:00"))
        bookings.transition(db, cat.desk, walk_in, step, at=bh.at("17:00"))
    [visit] = _visits(db)  # the walk-in without a profile gets none
    assert visit.source is ReturnVisitSource.SERVICE and visit.booking_id == booking_id
    assert visit.member_id == cat.members[0]
    assert visit.due_on == bh.DAY + timedelta(days=3)
    assert visit.done_at is None
    # Finishing it again (after a 反结账) plans no second visit.
    with db.write() as s:
        booking = s.get(Booking, booking_id)
        assert booking is not None
        assert return_visits.plan_after_service(s, booking, bh.at("18:00")) is None
    assert len(_visits(db)) == 1


def test_the_due_days_come_from_the_settings(db: Database) -> None:
    _set(db, visit__due_days=1)
    cat = bh.catalogue(db)
    booking_id = bh.book(db, cat, bh.at("14:00"), member=cat.members[1])
    for step in (BookingState.ARRIVED, BookingState.IN_SERVICE, BookingState.FINISHED):
        bookings.transition(db, cat.desk, booking_id, step, at=bh.at("15:00"))
    assert [v.due_on for v in _visits(db)] == [bh.DAY + timedelta(days=1)]


def test_a_closed_complaint_plans_a_visit_and_the_list_names_it(db: Database) -> None:
    p = people(db)
    cid, visit_id = _closed_complaint_visit(db, p)
    number = complaints.detail(db, p.desk, cid).number
    [visit] = _visits(db)
    assert (visit.id, visit.source, visit.complaint_id) == (
        visit_id, ReturnVisitSource.COMPLAINT, cid,
    )  # fmt: skip
    assert visit.due_on == NOW.date() + timedelta(days=3)
    calls = return_visits.calls_to_make(db, p.desk, NOW + timedelta(days=3))
    [row] = calls.rows
    assert row.id == visit_id and row.who == "张晓明" and row.source_label == "投诉后"
    assert number in row.about and complaints.categories(db)[0].name in row.about
    assert row.phone == "138****8000"  # the front desk sees it masked
    full = return_visits.calls_to_make(db, p.supervisor, NOW + timedelta(days=3))
    assert full.rows[0].phone == "13800138000"


def test_a_non_member_complaint_is_called_on_its_contact(db: Database) -> None:
    p = people(db)
    _cid, visit_id = _closed_complaint_visit(
        db, p, member_id=None, complainant_name="路人王先生", contact="13912345678"
    )
    calls = return_visits.calls_to_make(db, p.desk, NOW, include_later=True)
    [row] = calls.rows
    assert (row.id, row.member_id, row.who, row.phone) == (
        visit_id, None, "路人王先生", "139****5678",
    )  # fmt: skip


# -- the call list ------------------------------------------------------------------------------


def test_overdue_first_then_by_due_date_and_the_filters(db: Database) -> None:
    p = people(db)
    other = member(db, p.desk, "李娜", "13900139000")
    today = NOW.date()
    late = _visit(db, p.member_id, today - timedelta(days=4))
    # Within the 3-day window (a service yesterday, due in two days): on the list now.
    soon = _visit(db, other, today + timedelta(days=2))
    later = _visit(db, other, today + timedelta(days=10))  # a periodic visit next week
    due_today = _visit(db, other, today)
    a_bit_late = _visit(db, other, today - timedelta(days=1))
    _visit(db, other, today - timedelta(days=9), done_at=NOW - timedelta(days=5))  # done

    calls = return_visits.calls_to_make(db, p.desk, NOW)
    assert [r.id for r in calls.rows] == [late, a_bit_late, due_today, soon]
    assert [r.days_overdue for r in calls.rows] == [4, 1, 0, 0]
    assert (calls.total, calls.overdue, calls.today) == (4, 2, today)
    assert calls.rows[0].overdue and not calls.rows[2].overdue
    assert calls.rows[0].source_label == "定期" and calls.rows[0].about == "定期回访"

    every = return_visits.calls_to_make(db, p.desk, NOW, include_later=True)
    assert [r.id for r in every.rows] == [late, a_bit_late, due_today, soon, later]
    overdue = return_visits.calls_to_make(db, p.desk, NOW, overdue_only=True)
    assert [r.id for r in overdue.rows] == [late, a_bit_late]
    capped = return_visits.calls_to_make(db, p.desk, NOW, limit=2)
    assert len(capped.rows) == 2 and capped.total == 4


def test_the_members_specialist_is_shown(db: Database) -> None:
    p = people(db)
    with db.write() as s:
        m = s.get(Member, p.member_id)
        assert m is not None
        m.specialist_id = p.supervisor.id
    _visit(db, p.member_id, NOW.date())
    [row] = return_visits.calls_to_make(db, p.desk, NOW).rows
    assert row.specialist == p.supervisor.display_name


def test_only_staff_who_make_return_visits_see_the_list(db: Database) -> None:
    p = people(db)
    _visit(db, p.member_id, NOW.date())
    with pytest.raises(PermissionDenied):
        return_visits.calls_to_make(db, p.therapist, NOW)
    with pytest.raises(PermissionDenied):
        return_visits.calls_to_make(db, None, NOW)


# -- do not disturb ---------------------------------------------------------------------------

DAY0 = date(2031, 3, 14)


def _at(hhmm: str, days: int = 0) -> datetime:
    h, m = hhmm.split(":")
    return datetime.combine(DAY0 + timedelta(days=days), time(int(h), int(m)))


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (_at("21:59"), None),
        (_at("22:00"), _at("09:00", 1)),
        (_at("23:59"), _at("09:00", 1)),
        (_at("00:00"), _at("09:00")),
        (_at("08:59"), _at("09:00")),
        (_at("09:00"), None),
        (_at("12:00"), None),
    ],
)
def test_quiet_hours_cross_midnight(now: datetime, until: datetime | None) -> None:
    assert quiet_until(now, time(22, 0), time(9, 0)) == until


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        ("12:00", "14:00", "11:59", None),  # a midday rest that does not cross midnight
        ("12:00", "14:00", "12:00", "14:00"),
        ("12:00", "14:00", "13:59", "14:00"),
        ("12:00", "14:00", "14:00", None),
        ("21:00", "08:30", "20:59", None),
        ("21:00", "08:30", "21:00", "08:30+1"),
        ("21:00", "08:30", "08:29", "08:30"),
        ("21:00", "08:30", "08:30", None),
        ("09:00", "09:00", "03:00", None),  # equal: no quiet hours
    ],
)
def test_quiet_hours_follow_the_settings(
    db: Database, start: str, end: str, now: str, until: str | None
) -> None:
    p = people(db)
    _set(db, visit__quiet_start=start, visit__quiet_end=end)
    _visit(db, p.member_id, DAY0)
    calls = return_visits.calls_to_make(db, p.desk, _at(now))
    expected = None
    if until is not None:
        hhmm, _plus, days = until.partition("+")
        expected = _at(hhmm, int(days or 0))
    assert calls.callable_from == expected
    assert calls.quiet is (until is not None)
    assert len(calls.rows) == 1  # the list is still shown in the quiet hours
    assert (calls.quiet_start.strftime("%H:%M"), calls.quiet_end.strftime("%H:%M")) == (start, end)


def test_default_quiet_hours_through_the_list(db: Database) -> None:
    p = people(db)
    assert return_visits.calls_to_make(db, p.desk, _at("21:59")).quiet is False
    late = return_visits.calls_to_make(db, p.desk, _at("22:00"))
    assert late.quiet and late.callable_from == _at("09:00", 1)
    early = return_visits.calls_to_make(db, p.desk, _at("08:59"))
    assert early.quiet and early.callable_from == _at("09:00")
    assert return_visits.calls_to_make(db, p.desk, _at("09:00")).quiet is False


def test_a_broken_quiet_time_setting_falls_back_to_the_default(db: Database) -> None:
    p = people(db)
    _set(db, visit__quiet_start="25:99")
    calls = return_visits.calls_to_make(db, p.desk, _at("22:30"))
    assert calls.quiet and calls.quiet_start == time(22, 0)


def test_recording_in_the_quiet_hours_is_allowed(db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, DAY0)
    done = return_visits.record(db, p.desk, visit_id, DONE, _at("23:30"))
    assert done.visit_id == visit_id and not done.dissatisfied


# -- the script -----------------------------------------------------------------------------


def test_fill_leaves_unknown_placeholders_and_odd_braces_as_typed() -> None:
    values = {"name": "张晓明", "club": "悦榕会所"}
    assert fill("{name}您好，{club}", values) == "张晓明您好，悦榕会所"
    assert fill("{phone} {0} { name} {", values) == "{phone} {0} { name} {"
    assert fill("{{name}} }} {name.x} {name", values) == "{name} } {name.x} {name"
    assert fill("", values) == ""


def test_the_service_script_is_filled_from_the_booking(db: Database) -> None:
    cat = bh.catalogue(db)
    _set(db, club__name="悦榕会所")
    booking_id = bh.book(db, cat, bh.at("14:00"), member=cat.members[0])
    for step in (BookingState.ARRIVED, BookingState.IN_SERVICE, BookingState.FINISHED):
        bookings.transition(db, cat.desk, booking_id, step, at=bh.at("15:00"))
    [visit] = _visits(db)
    script = return_visits.script_for(db, visit.id)
    assert script.startswith("张晓明您好，我是悦榕会所的客服。")
    assert "您在3月14日体验了我们的中式按摩60分钟" in script
    _set(db, visit__script_service="{name}/{service}/{date}/{club}/{phone}/{")
    assert return_visits.script_for(db, visit.id) == (
        "张晓明/中式按摩60分钟/3月14日/悦榕会所/{phone}/{"
    )


def test_the_complaint_and_periodic_scripts(db: Database) -> None:
    p = people(db)
    _cid, visit_id = _closed_complaint_visit(db, p, received_at=NOW - timedelta(days=1))
    script = return_visits.script_for(db, visit_id)
    assert script.startswith("张晓明您好") and "关于您3月13日反映的问题" in script
    periodic = _visit(db, p.member_id, NOW.date())
    _set(db, visit__script_periodic="{name}：{service}，{date}")
    # No service yet: a plain word, and the date the visit was planned.
    assert return_visits.script_for(db, periodic) == "张晓明：服务，3月14日"
    with pytest.raises(NotFound):
        return_visits.script_for(db, 9999)


# -- recording ---------------------------------------------------------------------------------


def test_record_once_with_the_audit_entry(db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, NOW.date())
    done = return_visits.record(db, p.desk, visit_id, BAD, NOW)
    assert done.dissatisfied and done.outcome is Satisfaction.DISSATISFIED
    [visit] = _visits(db)
    assert visit.done_at == NOW and visit.staff_id == p.desk.id
    assert (visit.channel, visit.outcome) == (VisitChannel.PHONE, Satisfaction.DISSATISFIED)
    assert visit.suggestions == "等了二十分钟才开始"
    with pytest.raises(DomainError, match="不能重复记录") as twice:
        return_visits.record(db, p.supervisor, visit_id, DONE, NOW + timedelta(hours=1))
    assert twice.value.field == "visit"
    [again] = _visits(db)
    assert again.outcome is Satisfaction.DISSATISFIED and again.staff_id == p.desk.id
    with db.read() as s:
        [entry] = s.execute(
            select(AuditEntry.entity_id, AuditEntry.staff_id, AuditEntry.after).where(
                AuditEntry.action == "visit.record"
            )
        ).all()
    assert entry[:2] == (visit_id, p.desk.id)
    assert json.loads(entry[2] or "{}")["outcome"] == "dissatisfied"
    # Done visits leave the call list.
    assert return_visits.calls_to_make(db, p.desk, NOW, include_later=True).rows == []


def test_bad_input_is_refused_and_nothing_saved(db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, NOW.date())
    too_long = VisitOutcome(VisitChannel.SMS, Satisfaction.AVERAGE, "慢" * 501)
    with pytest.raises(DomainError, match="最多 500 个字") as info:
        return_visits.record(db, p.desk, visit_id, too_long, NOW)
    assert info.value.field == "suggestions"
    no_outcome = VisitOutcome(VisitChannel.SMS, None)  # type: ignore[arg-type]
    with pytest.raises(DomainError, match="请选择回访结果") as info:
        return_visits.record(db, p.desk, visit_id, no_outcome, NOW)
    assert info.value.field == "outcome"
    with pytest.raises(NotFound):
        return_visits.record(db, p.desk, 9999, DONE, NOW)
    assert _visits(db)[0].done_at is None
    # Exactly 500 characters, and control characters are dropped.
    fine = VisitOutcome(VisitChannel.EMAIL, Satisfaction.AVERAGE, "好\x00" + "好" * 499)
    return_visits.record(db, p.desk, visit_id, fine, NOW)
    assert _visits(db)[0].suggestions == "好" * 500


def test_front_desk_records_a_therapist_may_not(db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, NOW.date())
    with pytest.raises(PermissionDenied, match="回访"):
        return_visits.record(db, p.therapist, visit_id, DONE, NOW)
    coach = staff(db, Role.COACH)
    with pytest.raises(PermissionDenied):
        return_visits.record(db, coach, visit_id, DONE, NOW)
    assert _visits(db)[0].done_at is None
    assert not return_visits.record(db, p.desk, visit_id, DONE, NOW).dissatisfied


def test_the_detail_shows_the_call_and_what_was_said(db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, NOW.date() - timedelta(days=2))
    before = return_visits.visit_detail(db, p.desk, visit_id, _at("22:30"))
    assert not before.done and before.call.days_overdue == 2
    assert before.quiet and before.callable_from == _at("09:00", 1)
    assert before.script.startswith("张晓明您好")
    return_visits.record(db, p.desk, visit_id, BAD, NOW)
    after = return_visits.visit_detail(db, p.desk, visit_id, NOW)
    assert after.done and after.outcome is Satisfaction.DISSATISFIED and after.can_escalate
    assert after.recorded_by == p.desk.display_name
    with pytest.raises(PermissionDenied):
        return_visits.visit_detail(db, p.therapist, visit_id, NOW)


# -- escalation -----------------------------------------------------------------------------


def test_a_dissatisfied_visit_becomes_a_complaint_once(db: Database) -> None:
    p = people(db)
    with db.write() as s:  # the booking catalogue's first guest has the same number
        m = s.get(Member, p.member_id)
        assert m is not None
        m.phone, m.phone_last4 = "13600136000", "6000"
    cat = bh.catalogue(db)
    booking_id = bh.book(db, cat, bh.at("14:00"), member=p.member_id)
    for step in (BookingState.ARRIVED, BookingState.IN_SERVICE, BookingState.FINISHED):
        bookings.transition(db, cat.desk, booking_id, step, at=bh.at("15:00"))
    [visit] = _visits(db)
    with pytest.raises(DomainError, match="不满意"):
        return_visits.complaint_draft(db, visit.id, NOW)  # not done yet
    return_visits.record(db, p.desk, visit.id, BAD, NOW)
    later = NOW + timedelta(hours=2)
    draft = return_visits.complaint_draft(db, visit.id, later)
    assert draft.member_id == p.member_id and draft.booking_id == booking_id
    assert draft.channel is ComplaintChannel.PHONE and draft.received_at == later
    assert draft.content.startswith("等了二十分钟才开始\n") and "中式按摩" in draft.content
    assert draft.from_visit_id == visit.id
    assert draft.category_id == complaints.categories(db)[0].id
    cid = complaints.register(db, p.desk, draft, now=later)
    with db.read() as s:
        linked = s.get(ReturnVisit, visit.id)
        assert linked is not None and linked.follow_up_complaint_id == cid
        complaint = s.get(Complaint, cid)
        assert complaint is not None and complaint.booking_id == booking_id
    with pytest.raises(DomainError, match="已经转为投诉"):
        return_visits.complaint_draft(db, visit.id, later)
    # The same draft registered twice (two clicks): the second is refused whole.
    with db.read() as s:
        before = s.scalar(select(func.count()).select_from(Complaint))
    with pytest.raises(DomainError, match="已经转为投诉"):
        complaints.register(db, p.desk, draft, now=later)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == before
    assert return_visits.visit_detail(db, p.desk, visit.id, later).can_escalate is False


def test_satisfied_visits_and_non_members_escalate_as_expected(db: Database) -> None:
    p = people(db)
    fine = _visit(db, p.member_id, NOW.date())
    return_visits.record(db, p.desk, fine, DONE, NOW)
    with pytest.raises(DomainError, match="不满意"):
        return_visits.complaint_draft(db, fine, NOW)
    cid, visit_id = _closed_complaint_visit(
        db, p, member_id=None, complainant_name="路人王先生", contact="13912345678"
    )
    by_sms = VisitOutcome(VisitChannel.SMS, Satisfaction.DISSATISFIED, "")
    return_visits.record(db, p.desk, visit_id, by_sms, NOW)
    draft = return_visits.complaint_draft(db, visit_id, NOW)
    # The walk-in's number is not put on the counter's screen; registering takes it
    # from the visit, and the follow-up names the earlier complaint.
    assert (draft.member_id, draft.complainant_name, draft.contact) == (
        None, "路人王先生", None,
    )  # fmt: skip
    assert draft.channel is ComplaintChannel.ONLINE  # an SMS answer is not a phone call
    assert draft.category_id == complaints.detail(db, p.supervisor, cid).category_id
    assert "回访时顾客表示不满意" in draft.content and "投诉" in draft.content
    follow_up = complaints.register(db, p.desk, draft, now=NOW)
    with db.read() as s:
        registered = s.get(Complaint, follow_up)
        assert registered is not None and registered.contact == "13912345678"
        earlier = complaints.detail(db, p.supervisor, cid).number
        assert registered.content.endswith("跟进投诉：" + earlier)


# -- periodic visits -------------------------------------------------------------------------


def test_plan_periodic_skips_members_with_an_open_visit(db: Database) -> None:
    p = people(db)
    second = member(db, p.desk, "李娜", "13900139000")
    third = member(db, p.desk, "王芳", "13700137000")
    _visit(db, second, NOW.date() + timedelta(days=1))  # already planned
    _visit(db, third, NOW.date() - timedelta(days=30), done_at=NOW - timedelta(days=29))
    due = NOW.date() + timedelta(days=3)
    count = return_visits.plan_periodic(db, p.desk, [p.member_id, second, third, third], due, NOW)
    assert count == 2
    planned = [v for v in _visits(db) if v.created_at == NOW and v.due_on == due]
    assert sorted(v.member_id or 0 for v in planned) == sorted([p.member_id, third])
    assert {v.source for v in planned} == {ReturnVisitSource.PERIODIC}
    assert return_visits.plan_periodic(db, p.desk, [p.member_id, second, third], due, NOW) == 0
    with db.read() as s:
        entries = list(
            s.scalars(
                select(AuditEntry.after)
                .where(AuditEntry.action == "visit.plan_periodic")
                .order_by(AuditEntry.id)
            )
        )
    assert [json.loads(e or "{}")["planned"] for e in entries] == [2, 0]


def test_plan_periodic_refusals_save_nothing(db: Database) -> None:
    p = people(db)
    today = NOW.date()
    with pytest.raises(PermissionDenied):
        return_visits.plan_periodic(db, p.therapist, [p.member_id], today, NOW)
    with pytest.raises(DomainError, match="早于今天") as info:
        return_visits.plan_periodic(db, p.desk, [p.member_id], today - timedelta(days=1), NOW)
    assert info.value.field == "due_on"
    with pytest.raises(DomainError, match="请先选择"):
        return_visits.plan_periodic(db, p.desk, [], today, NOW)
    with pytest.raises(NotFound, match="9999"):
        return_visits.plan_periodic(db, p.desk, [p.member_id, 9999], today, NOW)
    assert _visits(db) == []


# -- coverage --------------------------------------------------------------------------------


def _member_row(db: Database, name: str, phone: str, joined: date, last: datetime | None) -> int:
    with db.write() as s:
        tier = s.scalars(select(Tier).order_by(Tier.id)).first()
        assert tier is not None
        row = Member(
            name=name, phone=phone, phone_last4=phone[-4:], joined_on=joined, tier_id=tier.id,
            last_visit_at=last,
        )  # fmt: skip
        s.add(row)
        s.flush()
        return row.id


@pytest.mark.parametrize("repeats", [0, 6], ids=["few-visits", "many-visits"])
def test_coverage_counts_and_the_uncovered_page(db: Database, repeats: int) -> None:
    """Both ways of counting the covered (few or many visits done in the period)."""
    start, end = date(2031, 3, 1), date(2031, 3, 31)
    old = _member_row(db, "老会员", "13800000001", date(2029, 1, 1), datetime(2030, 5, 1, 12))
    covered = _member_row(db, "已回访", "13800000002", date(2029, 1, 1), datetime(2031, 3, 2))
    newcomer = _member_row(db, "月底入会", "13800000003", end, None)
    too_new = _member_row(db, "下月入会", "13800000004", end + timedelta(days=1), None)
    outside = _member_row(db, "上月回访", "13800000005", date(2029, 1, 1), datetime(2031, 1, 9))
    recent = _member_row(db, "常来", "13800000006", date(2030, 1, 1), datetime(2031, 3, 20))
    also = _member_row(db, "也回访", "13800000007", date(2030, 1, 1), datetime(2031, 3, 21))
    last = _member_row(db, "最近", "13800000008", date(2030, 1, 1), datetime(2031, 3, 28))
    # Done on the last evening of the period: inside.  Done the day before: outside.
    _visit(db, covered, end, done_at=datetime(2031, 3, 31, 21, 0))
    _visit(db, outside, start, done_at=datetime(2031, 2, 28, 23, 59))
    _visit(db, also, start, done_at=datetime(2031, 3, 1, 0, 0))  # the first minute
    _visit(db, old, end, done_at=None)  # planned, not done: not covered
    _visit(db, too_new, end, done_at=datetime(2031, 3, 5, 10))  # joined later: not counted
    for k in range(repeats):  # called again and again: still one member covered
        _visit(db, covered, end, done_at=datetime(2031, 3, 10 + k, 11, 0))

    cov = return_visits.uncovered(db, start, end, limit=50)
    assert (cov.members, cov.covered, cov.uncovered) == (7, 2, 5)
    assert cov.rate == pytest.approx(2 / 7)
    # Never at the club first, then whose last time lies furthest back.
    assert [r.member_id for r in cov.rows] == [newcomer, old, outside, recent, last]
    assert not cov.has_more
    by_id = {r.member_id: r for r in cov.rows}
    assert by_id[outside].last_return_visit == datetime(2031, 2, 28, 23, 59)
    assert by_id[old].open_visit_due == end and by_id[old].last_return_visit is None
    assert by_id[old].phone == "138****0001"
    assert by_id[old].tier  # the tier's name

    page = return_visits.uncovered(db, start, end, offset=1, limit=2)
    assert [r.member_id for r in page.rows] == [old, outside] and page.has_more
    assert (page.members, page.covered) == (7, 2)
    assert too_new not in by_id and covered not in by_id and also not in by_id

    # The day the visit was done is a period of its own.
    day = return_visits.uncovered(db, date(2031, 3, 31), date(2031, 3, 31))
    assert day.covered == 1


def test_coverage_of_an_empty_club_and_bad_periods(db: Database) -> None:
    cov = return_visits.uncovered(db, date(2031, 3, 1), date(2031, 3, 31))
    assert (cov.members, cov.covered, cov.rate, cov.rows) == (0, 0, None, [])
    with pytest.raises(DomainError, match="开始日期"):
        return_visits.uncovered(db, date(2031, 3, 2), date(2031, 3, 1))
    with pytest.raises(DomainError):
        return_visits.uncovered(db, date(2031, 3, 1), date(2031, 3, 2), limit=0)


# -- two counters, and the chain's PostgreSQL server ------------------------------------------


def _record_at_once(db: Database, p: People, visit_id: int) -> list[str]:
    """Six counters record the same visit at the same moment: what each was told."""

    def attempt(n: int) -> str:
        try:
            outcome = BAD if n % 2 else DONE
            return_visits.record(db, p.desk, visit_id, outcome, NOW + timedelta(minutes=n))
        except DomainError as exc:
            return exc.message
        return "ok"

    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(attempt, range(6)))


def test_two_counters_recording_one_visit_one_wins(db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, NOW.date())
    answers = _record_at_once(db, p, visit_id)
    assert answers.count("ok") == 1
    assert all("不能重复记录" in a for a in answers if a != "ok")
    with db.read() as s:
        n = s.scalar(select(func.count()).where(AuditEntry.action == "visit.record"))
    assert n == 1


@pytest.mark.postgres
def test_the_counter_side_on_postgres(pg_url: str) -> None:
    from clubdesk.db.open import open_database

    db = open_database(pg_url)
    try:
        p = people(db)
        today = NOW.date()
        late = _visit(db, p.member_id, today - timedelta(days=2))
        never = _member_row(db, "从未到店", "13800000009", date(2030, 1, 1), None)
        regular = _member_row(db, "常客", "13800000010", date(2030, 1, 1), datetime(2031, 3, 1))
        calls = return_visits.calls_to_make(db, p.desk, _at("23:00"))
        assert [r.id for r in calls.rows] == [late] and calls.overdue == 1 and calls.quiet
        assert return_visits.script_for(db, late).startswith("张晓明您好")
        assert _record_at_once(db, p, late).count("ok") == 1
        unhappy = _visit(db, p.member_id, today)
        return_visits.record(db, p.desk, unhappy, BAD, NOW)
        draft = return_visits.complaint_draft(db, unhappy, NOW)
        complaints.register(db, p.desk, draft, now=NOW)
        with pytest.raises(DomainError, match="已经转为投诉"):
            return_visits.complaint_draft(db, unhappy, NOW)
        assert return_visits.plan_periodic(db, p.desk, [never, regular], today, NOW) == 2
        cov = return_visits.uncovered(db, date(2031, 3, 1), date(2031, 3, 31))
        # NULLS FIRST as on SQLite: the member who never came leads.
        assert [r.member_id for r in cov.rows] == [never, regular]
        assert (cov.members, cov.covered) == (3, 1)
        assert cov.rows[0].open_visit_due == today
    finally:
        db.dispose()


def test_the_caller_may_reveal_the_number_of_an_open_visit_and_it_is_audited(
    db: Database,
) -> None:
    from clubdesk.models import AuditEntry, ReturnVisit
    from clubdesk.models.enums import ReturnVisitSource
    from clubdesk.services.return_visits import number_to_dial
    from tests.core.complaint_helpers import people

    p = people(db)
    with db.write() as s:
        visit = ReturnVisit(
            member_id=p.member_id, source=ReturnVisitSource.PERIODIC, due_on=NOW.date()
        )
        s.add(visit)
        s.flush()
        visit_id = visit.id
    assert number_to_dial(db, p.desk, visit_id, NOW) == "13800138000"
    with pytest.raises(PermissionDenied):
        number_to_dial(db, p.therapist, visit_id, NOW)
    with db.read() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == visit_id))
        assert "visit.reveal_phone" in set(actions)
    with db.write() as s:
        done = s.get(ReturnVisit, visit_id)
        assert done is not None
        done.done_at = NOW
    with pytest.raises(DomainError, match="已经完成"):
        number_to_dial(db, p.desk, visit_id, NOW)


def test_a_follow_up_of_a_sensitive_complaint_stays_sensitive_and_unnamed(db: Database) -> None:
    p = people(db)
    cid = register(db, p, sensitive=True)
    version = 1
    done = advance(db, p.supervisor, cid, version, Judgement(False, "已解释"), now=NOW)
    assert done.return_visit_id is not None
    visit_id = done.return_visit_id
    call = return_visits.visit_detail(db, p.desk, visit_id, NOW).call
    number = complaints.detail(db, p.supervisor, cid).number
    assert number not in call.about and "敏感" in call.about
    return_visits.record(db, p.desk, visit_id, BAD, NOW)
    draft = return_visits.complaint_draft(db, visit_id, NOW)
    assert draft.sensitive
    # Even a draft with the box unticked registers a sensitive complaint.
    follow_up = complaints.register(db, p.supervisor, replace(draft, sensitive=False), now=NOW)
    with db.read() as s:
        assert s.get(Complaint, follow_up).sensitive  # type: ignore[union-attr]


def test_only_a_dissatisfied_visit_of_the_same_person_is_escalated(db: Database) -> None:
    p = people(db)
    other = member(db, p.desk, "李娜", "13900139000")
    cid = register(db, p)
    done = advance(db, p.desk, cid, 1, Judgement(False, "已解释"), now=NOW)
    visit_id = done.return_visit_id
    assert visit_id is not None
    draft = complaints.ComplaintDraft(
        complainant_name="", contact=None, received_at=NOW, channel=ComplaintChannel.PHONE,
        category_id=p.category_id, severity=Severity.LOW, content="不满意",
        member_id=p.member_id, from_visit_id=visit_id,
    )  # fmt: skip
    with pytest.raises(DomainError, match="不满意"):  # not made yet
        complaints.register(db, p.desk, draft, now=NOW)
    return_visits.record(db, p.desk, visit_id, BAD, NOW)
    with pytest.raises(DomainError, match="不是同一人"):
        complaints.register(db, p.desk, replace(draft, member_id=other), now=NOW)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == 1

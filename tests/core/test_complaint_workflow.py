"""The six complaint steps: every legal step, every skipped one refused, permissions,
sensitive complaints, deadlines with an injected clock, compensation through the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, PermissionDenied
from clubdesk.models import Complaint, ComplaintStep, LedgerEntry, ReturnVisit
from clubdesk.models.enums import (
    ComplaintRemedy,
    ComplaintStepKind,
    Department,
    LedgerKind,
    ReturnVisitSource,
)
from clubdesk.services import complaint_rules, complaints
from clubdesk.services.complaint_rules import WORKFLOW, IllegalStep
from clubdesk.services.complaint_steps import (
    Acceptance,
    Approval,
    Closing,
    Implementation,
    Investigation,
    Judgement,
    Proposal,
    Reopening,
    Solution,
    StepAction,
    Summary,
    advance,
)
from tests.core.complaint_helpers import NOW, People, draft, people, register

S = ComplaintStepKind
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32

# One valid action per step, in workflow order.
ACTIONS: dict[ComplaintStepKind, StepAction] = {
    S.JUDGEMENT: Judgement(True, "属实，转水疗部处理", Department.SPA),
    S.INVESTIGATION: Investigation("技师提前结束服务", None),
    S.PROPOSAL: Proposal(
        (Solution("书面道歉"), Solution("补偿 100 元到储值卡", compensation_fen=10_000))
    ),
    S.APPROVAL: Approval(True, chosen=1, note="同意方案二"),
    S.IMPLEMENTATION: Implementation(frozenset({ComplaintRemedy.APOLOGY}), "已道歉并补偿"),
    S.ACCEPTANCE: Acceptance(signature_png=PNG),
    S.SUMMARY: Summary("处理及时", "加强技师服务时长抽查", close=False),
    S.CLOSED: Closing("归档"),
}


def _actor(p: People, kind: ComplaintStepKind) -> object:
    return p.supervisor if kind in (S.APPROVAL, S.SUMMARY, S.CLOSED) else p.desk


def _walk(db: Database, p: People, cid: int, until: ComplaintStepKind) -> int:
    """Record every step up to ``until``; returns the complaint's version."""
    version = complaints.detail(db, p.supervisor, cid).version
    at = NOW
    for kind in WORKFLOW[1:]:
        at += timedelta(hours=1)
        done = advance(db, _actor(p, kind), cid, version, ACTIONS[kind], now=at)  # type: ignore[arg-type]
        version = done.version
        if kind is until:
            break
    return version


def test_registration_records_intake_and_the_first_response_deadline(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    d = complaints.detail(db, p.supervisor, cid, now=NOW)
    assert d.step is S.INTAKE and d.next_step is S.JUDGEMENT
    assert d.number.startswith("TS20310314-")
    assert d.complainant == "张晓明"  # taken from the member
    assert d.due_at == NOW - timedelta(minutes=30) + timedelta(hours=24)
    assert [s.kind for s in d.steps] == [S.INTAKE]
    assert d.steps[0].staff == p.desk.display_name
    # The plan shows when every remaining step falls due.
    assert [k for k, _at in d.plan] == list(WORKFLOW[1:])


def test_numbers_count_per_day(db: Database) -> None:
    p = people(db)
    first = complaints.detail(db, p.desk, register(db, p)).number
    second = complaints.detail(db, p.desk, register(db, p)).number
    assert first.endswith("-001") and second.endswith("-002")


def test_the_whole_path_to_closed_plans_a_return_visit_and_credits_the_card(
    db: Database,
) -> None:
    p = people(db)
    cid = register(db, p)
    _walk(db, p, cid, S.CLOSED)
    d = complaints.detail(db, p.supervisor, cid)
    assert d.step is S.CLOSED and d.next_step is None and d.closed_at is not None
    assert [s.kind for s in d.steps] == list(WORKFLOW)
    assert d.compensation_fen == 10_000 and d.has_signature
    assert d.approved == {"text": "补偿 100 元到储值卡", "compensation_fen": 10_000}
    with db.read() as s:
        entry = s.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.COMPENSATION)
        ).one()
        assert entry.amount_fen == 10_000 and entry.member_id == p.member_id
        assert d.number in (entry.reason or "")
        visit = s.scalars(select(ReturnVisit).where(ReturnVisit.complaint_id == cid)).one()
        assert visit.source is ReturnVisitSource.COMPLAINT
        assert visit.due_on == (NOW + timedelta(hours=8)).date() + timedelta(days=3)


@pytest.mark.parametrize("done", WORKFLOW[:-1])
def test_every_skip_is_refused_with_the_next_step_named(
    db: Database, done: ComplaintStepKind
) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, done) if done is not S.INTAKE else 1
    expected = complaint_rules.next_step(done)
    for kind, action in ACTIONS.items():
        if kind is expected:
            continue
        with pytest.raises(IllegalStep) as refused:
            advance(db, p.manager, cid, version, action, now=NOW + timedelta(days=1))
        assert "下一步应是" in str(refused.value) or "已结案" in str(refused.value)
    with db.read() as s:
        assert s.get(Complaint, cid).step is done  # type: ignore[union-attr]


def test_closed_complaint_refuses_steps_and_reopens_only_with_a_reason(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.CLOSED)
    with pytest.raises(IllegalStep, match="已结案"):
        advance(db, p.desk, cid, version, ACTIONS[S.JUDGEMENT])
    with pytest.raises(DomainError, match="原因"):
        advance(db, p.supervisor, cid, version, Reopening("   "))
    with pytest.raises(PermissionDenied):
        advance(db, p.desk, cid, version, Reopening("顾客再次来电"))
    done = advance(
        db, p.supervisor, cid, version, Reopening("顾客再次来电"), now=NOW + timedelta(days=2)
    )
    assert done.step is S.INTAKE
    d = complaints.detail(db, p.supervisor, cid)
    assert d.closed_at is None and d.steps[-1].kind is S.REOPENED
    assert d.due_at == NOW + timedelta(days=3)  # judged again within 24 hours


def test_reopening_an_open_complaint_is_refused(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    with pytest.raises(IllegalStep, match="还没有结案"):
        advance(db, p.supervisor, cid, 1, Reopening("再看看"))


def test_unjustified_judgement_closes_with_the_explanation(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    done = advance(db, p.desk, cid, 1, Judgement(False, "经核实服务时长足够，已耐心解释"), now=NOW)
    assert done.step is S.CLOSED and done.return_visit_id is not None
    d = complaints.detail(db, p.desk, cid)
    assert d.justified is False
    assert [s.kind for s in d.steps] == [S.INTAKE, S.JUDGEMENT, S.CLOSED]
    with pytest.raises(DomainError, match="答复顾客"):
        advance(db, p.desk, register(db, p), 1, Judgement(False, ""))


def test_justified_judgement_needs_a_department(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    with pytest.raises(DomainError, match="责任部门"):
        advance(db, p.desk, cid, 1, Judgement(True, "属实", None))


def test_front_desk_cannot_approve_summarise_or_close(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.PROPOSAL)
    for who in (p.desk, p.therapist):
        with pytest.raises(PermissionDenied):
            advance(db, who, cid, version, ACTIONS[S.APPROVAL])
    version = _walk_from(db, p, cid, version, S.APPROVAL, S.ACCEPTANCE)
    with pytest.raises(PermissionDenied):
        advance(db, p.desk, cid, version, ACTIONS[S.SUMMARY])
    assert advance(db, p.manager, cid, version, ACTIONS[S.SUMMARY]).step is S.SUMMARY


def _walk_from(
    db: Database,
    p: People,
    cid: int,
    version: int,
    first: ComplaintStepKind,
    last: ComplaintStepKind,
) -> int:
    for kind in WORKFLOW[WORKFLOW.index(first) : WORKFLOW.index(last) + 1]:
        version = advance(db, _actor(p, kind), cid, version, ACTIONS[kind]).version  # type: ignore[arg-type]
    return version


def test_therapists_cannot_register_or_handle(db: Database) -> None:
    p = people(db)
    with pytest.raises(PermissionDenied):
        complaints.register(db, p.therapist, draft(p), now=NOW)
    cid = register(db, p)
    with pytest.raises(PermissionDenied):
        advance(db, p.therapist, cid, 1, ACTIONS[S.JUDGEMENT])


def test_rejected_proposal_goes_back_for_a_new_one(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.PROPOSAL)
    with pytest.raises(DomainError, match="原因"):
        advance(db, p.supervisor, cid, version, Approval(False))
    done = advance(db, p.supervisor, cid, version, Approval(False, note="补偿过高"))
    assert done.step is S.INVESTIGATION  # the next step is a new proposal
    with pytest.raises(IllegalStep):
        advance(db, p.desk, cid, done.version, ACTIONS[S.IMPLEMENTATION])
    again = advance(db, p.desk, cid, done.version, Proposal((Solution("书面道歉"),)))
    approved = advance(db, p.supervisor, cid, again.version, Approval(True, chosen=0))
    assert approved.step is S.APPROVAL
    d = complaints.detail(db, p.supervisor, cid)
    assert d.approved == {"text": "书面道歉", "compensation_fen": 0}


def test_approval_must_pick_an_existing_solution(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.PROPOSAL)
    with pytest.raises(DomainError, match="选择"):
        advance(db, p.supervisor, cid, version, Approval(True, chosen=5))


def test_proposal_validation(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.INVESTIGATION)
    for bad, message in (
        (Proposal(()), "至少"),
        (Proposal((Solution("补偿", -100),)), "负数"),
        (Proposal((Solution("补偿", 2_000_000_00),)), "上限"),
        (Proposal(tuple(Solution(f"方案{i}") for i in range(6))), "最多"),
    ):
        with pytest.raises(DomainError, match=message):
            advance(db, p.desk, cid, version, bad)


def test_non_member_cannot_be_compensated_to_a_card(db: Database) -> None:
    p = people(db)
    cid = register(db, p, member_id=None, complainant_name="王先生", contact="13912345678")
    version = _walk(db, p, cid, S.INVESTIGATION)
    with pytest.raises(DomainError, match="不是会员"):
        advance(db, p.desk, cid, version, ACTIONS[S.PROPOSAL])


def test_compensation_without_a_stored_value_card_is_refused_at_the_proposal(
    db: Database,
) -> None:
    """Refused before anyone approves it: an approved solution nobody can carry out
    would leave the case stuck between approval and implementation."""
    from clubdesk.models.enums import CardKind
    from tests.core.roster_helpers import member

    p = people(db)
    no_card = member(db, p.desk, "李娜", "13900139000", card=CardKind.DISCOUNT)
    cid = register(db, p, member_id=no_card, contact=None)
    version = _walk(db, p, cid, S.INVESTIGATION)
    with pytest.raises(DomainError, match="储值卡"):
        advance(db, p.desk, cid, version, ACTIONS[S.PROPOSAL])
    with db.read() as s:
        assert s.get(Complaint, cid).step is S.INVESTIGATION  # type: ignore[union-attr]
    done = advance(db, p.desk, cid, version, Proposal((Solution("书面道歉"),)))
    assert done.step is S.PROPOSAL


def test_an_approval_can_be_withdrawn_before_implementation(db: Database) -> None:
    """The member's card was closed after the approval: the supervisor sends the
    approved solution back instead of leaving the case stuck."""
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.APPROVAL)
    with pytest.raises(PermissionDenied):
        advance(db, p.desk, cid, version, Approval(False, note="卡已注销"))
    with pytest.raises(IllegalStep):  # approving twice is still a skip
        advance(db, p.supervisor, cid, version, ACTIONS[S.APPROVAL])
    done = advance(db, p.supervisor, cid, version, Approval(False, note="卡已注销"))
    assert done.step is S.INVESTIGATION
    last = complaints.detail(db, p.supervisor, cid).steps[-1]
    assert last.kind is S.APPROVAL and last.data == {"approved": False, "withdrawn": True}
    version = _walk_from(db, p, cid, done.version, S.PROPOSAL, S.IMPLEMENTATION)
    with pytest.raises(IllegalStep):  # once carried out, nothing is withdrawn
        advance(db, p.supervisor, cid, version, Approval(False, note="太晚了"))


def test_reopening_drops_the_visit_planned_at_closing(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.CLOSED)
    with db.read() as s:
        assert len(s.scalars(select(ReturnVisit).where(ReturnVisit.complaint_id == cid)).all()) == 1
    done = advance(db, p.supervisor, cid, version, Reopening("顾客再次来电"))
    with db.read() as s:
        assert s.scalars(select(ReturnVisit).where(ReturnVisit.complaint_id == cid)).all() == []
    version = _walk_from(db, p, cid, done.version, S.JUDGEMENT, S.INVESTIGATION)
    version = advance(db, p.desk, cid, version, Proposal((Solution("再次道歉"),))).version
    version = advance(db, p.supervisor, cid, version, Approval(True, chosen=0)).version
    _walk_from(db, p, cid, version, S.IMPLEMENTATION, S.CLOSED)
    with db.read() as s:
        assert len(s.scalars(select(ReturnVisit).where(ReturnVisit.complaint_id == cid)).all()) == 1


def test_implementation_rules(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.APPROVAL)
    with pytest.raises(DomainError, match="处分"):
        advance(db, p.desk, cid, version,
                Implementation(frozenset({ComplaintRemedy.DISCIPLINE}), "已处理"))  # fmt: skip
    with pytest.raises(DomainError, match="处理经过"):
        advance(db, p.desk, cid, version, Implementation(frozenset(), ""))
    done = advance(db, p.desk, cid, version, Implementation(frozenset(), "已补偿"))
    d = complaints.detail(db, p.desk, cid)
    assert d.steps[-1].data["remedies"] == ["compensation"]  # added by the approved amount
    assert done.ledger_entry_id is not None


def test_acceptance_needs_a_signature_or_paper(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.IMPLEMENTATION)
    with pytest.raises(DomainError, match="签名"):
        advance(db, p.desk, cid, version, Acceptance())
    with pytest.raises(DomainError, match="无效"):
        advance(db, p.desk, cid, version, Acceptance(signature_png=b"GIF89a"))
    done = advance(db, p.desk, cid, version, Acceptance(on_paper=True))
    assert done.step is S.ACCEPTANCE
    assert complaints.signature(db, p.desk, cid) is None


def test_a_reopened_complaint_is_not_compensated_twice(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.CLOSED)
    version = advance(db, p.supervisor, cid, version, Reopening("顾客再次来电")).version
    version = _walk_from(db, p, cid, version, S.JUDGEMENT, S.INVESTIGATION)
    d = complaints.detail(db, p.supervisor, cid)
    assert d.solutions == [] and d.approved is None  # the old round's are not offered
    with pytest.raises(DomainError, match="已补偿"):
        advance(db, p.desk, cid, version, ACTIONS[S.PROPOSAL])
    with db.read() as s:
        paid = s.scalars(
            select(LedgerEntry.amount_fen).where(LedgerEntry.kind == LedgerKind.COMPENSATION)
        ).all()
    assert paid == [10_000]


def test_reopening_clears_the_old_signature(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    version = _walk(db, p, cid, S.CLOSED)
    assert complaints.signature(db, p.supervisor, cid) is not None
    advance(db, p.supervisor, cid, version, Reopening("顾客再次来电"))
    assert complaints.signature(db, p.supervisor, cid) is None


def test_the_staff_member_complained_about_cannot_handle_the_case(db: Database) -> None:
    from clubdesk.models.enums import Role
    from tests.core.roster_helpers import staff

    p = people(db)
    colleague = staff(db, Role.FRONT_DESK, "desk2")
    cid = register(db, p, staff_id=colleague.id)
    with pytest.raises(PermissionDenied, match="公正"):
        advance(db, colleague, cid, 1, ACTIONS[S.JUDGEMENT])
    assert advance(db, p.desk, cid, 1, ACTIONS[S.JUDGEMENT]).step is S.JUDGEMENT


def test_a_booking_of_another_member_is_refused(db: Database) -> None:
    from clubdesk.models import Booking, Service
    from clubdesk.models.enums import ServiceCategory
    from tests.core.roster_helpers import member

    p = people(db)
    other = member(db, p.desk, "李娜", "13900139000")
    with db.write() as s:
        service = Service(
            name="足浴", category=ServiceCategory.FOOT, duration_min=60, list_price_fen=100
        )
        s.add(service)
        s.flush()
        booking = Booking(
            service_id=service.id, member_id=other,
            start_at=NOW - timedelta(hours=3), end_at=NOW - timedelta(hours=2),
        )  # fmt: skip
        s.add(booking)
        s.flush()
        booking_id = booking.id
    with pytest.raises(DomainError, match="不是这位顾客的") as refused:
        complaints.register(db, p.desk, draft(p, booking_id=booking_id), now=NOW)
    assert refused.value.field == "booking_id"


def test_numbers_past_999_in_a_day_keep_counting(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    with db.write() as s:
        c = s.get(Complaint, cid)
        assert c is not None
        c.number = c.number[:-3] + "999"
    second = complaints.detail(db, p.desk, register(db, p)).number
    third = complaints.detail(db, p.desk, register(db, p)).number
    assert second.endswith("-1000") and third.endswith("-1001")


def test_a_stale_version_is_refused(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    advance(db, p.desk, cid, 1, ACTIONS[S.JUDGEMENT])
    with pytest.raises(DomainError, match="其他同事"):
        advance(db, p.desk, cid, 1, ACTIONS[S.JUDGEMENT])


def test_sensitive_complaints_are_hidden_from_the_counter(db: Database) -> None:
    p = people(db)
    secret = register(db, p, sensitive=True)
    plain = register(db, p)
    assert [r.id for r in complaints.recent(db, NOW, p.desk)] == [plain]
    assert {r.id for r in complaints.recent(db, NOW, p.supervisor)} == {secret, plain}
    with pytest.raises(PermissionDenied):
        complaints.detail(db, p.desk, secret)
    with pytest.raises(PermissionDenied):
        advance(db, p.desk, secret, 1, ACTIONS[S.JUDGEMENT])
    assert complaints.detail(db, p.manager, secret).sensitive
    # Still counted: a hidden complaint that is late is still late.
    assert complaints.overdue_count(db, NOW + timedelta(days=2), p.desk) == 2


def test_contact_is_masked_without_the_full_phone_right(db: Database) -> None:
    p = people(db)
    cid = register(db, p)
    assert complaints.detail(db, p.desk, cid).contact == "138****8000"
    assert complaints.detail(db, p.supervisor, cid).contact == "13800138000"


def test_deadlines_move_with_each_step_and_late_steps_are_counted(db: Database) -> None:
    p = people(db)
    received = NOW - timedelta(minutes=30)
    cid = register(db, p)
    assert not complaints.recent(db, received + timedelta(hours=23, minutes=59), p.desk)[0].overdue
    late = received + timedelta(hours=24, minutes=1)
    row = complaints.recent(db, late, p.desk)[0]
    assert row.overdue
    assert complaints.overdue_count(db, late) == 1
    assert [r.id for r in complaints.recent(db, late, p.desk, overdue_only=True)] == [cid]
    done = advance(db, p.desk, cid, 1, ACTIONS[S.JUDGEMENT], now=late)
    d = complaints.detail(db, p.desk, cid, now=late)
    assert d.steps[-1].late and d.steps[-1].due_at == received + timedelta(hours=24)
    assert d.due_at == late + timedelta(hours=48)  # the investigation's allowance
    assert not d.overdue
    assert complaints.overdue_count(db, late) == 0
    with db.read() as s:
        assert s.get(Complaint, cid).late_steps == 1  # type: ignore[union-attr]
    assert done.step is S.JUDGEMENT


def test_step_deadlines_follow_the_settings(db: Database) -> None:
    from clubdesk.models import Setting

    p = people(db)
    with db.write() as s:
        s.add(Setting(key="complaint.first_response_hours", value="2"))
    cid = register(db, p)
    assert complaints.detail(db, p.desk, cid).due_at == NOW + timedelta(hours=1, minutes=30)


def test_mine_filter(db: Database) -> None:
    p = people(db)
    taken = register(db, p)
    register(db, p)
    advance(db, p.supervisor, taken, 1, ACTIONS[S.JUDGEMENT], now=NOW)
    assert {r.id for r in complaints.recent(db, NOW, p.supervisor, mine=True)} == {taken}
    assert taken not in {r.id for r in complaints.recent(db, NOW, p.desk, mine=True)}


def test_every_step_is_recorded_with_who_and_when_and_audited(db: Database) -> None:
    from clubdesk.models import AuditEntry

    p = people(db)
    cid = register(db, p)
    _walk(db, p, cid, S.CLOSED)
    with db.read() as s:
        rows = s.scalars(select(ComplaintStep).where(ComplaintStep.complaint_id == cid)).all()
        assert all(r.staff_id is not None and r.at is not None for r in rows)
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "complaint")))
    assert {"complaint.register", "complaint.approval", "complaint.closed"} <= actions


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"content": "   "}, "content", "投诉内容"),
        ({"content": "长" * 2001}, "content", "最多"),
        ({"contact": "abc123"}, "contact", "不是有效的电话号码"),
        ({"contact": "123"}, "contact", "不是有效的电话号码"),
        ({"received_at": NOW + timedelta(hours=1)}, "received_at", "晚于现在"),
        ({"received_at": NOW - timedelta(days=400)}, "received_at", "一年前"),
        ({"member_id": None, "complainant_name": ""}, "complainant_name", "投诉人姓名"),
        ({"member_id": None, "complainant_name": "王先生", "contact": ""}, "contact", "联系电话"),
        ({"category_id": 9999}, "category_id", "类别"),
    ],
)
def test_bad_registrations_are_refused_and_nothing_saved(
    db: Database, changes: dict[str, object], field: str, message: str
) -> None:
    p = people(db)
    with pytest.raises(DomainError, match=message) as refused:
        complaints.register(db, p.desk, draft(p, **changes), now=NOW)
    assert refused.value.field == field
    with db.read() as s:
        assert s.scalars(select(Complaint)).all() == []


def test_contact_accepts_the_usual_spellings(db: Database) -> None:
    from clubdesk.services.text_fields import clean_contact

    assert clean_contact("138 0013 8000") == "13800138000"
    assert clean_contact("１３８００１３８０００") == "13800138000"
    assert clean_contact("0571-88886666") == "057188886666"
    assert clean_contact("+44 20 7946 0958") == "+442079460958"
    assert clean_contact("  ") is None


def test_categories_are_configurable(db: Database) -> None:
    p = people(db)
    names = [c.name for c in complaints.categories(db)]
    assert names[:3] == ["服务态度", "技术与质量", "卫生"]
    with pytest.raises(PermissionDenied):
        complaints.save_category(db, p.supervisor, "停车")
    new = complaints.save_category(db, p.manager, "停车")
    assert complaints.categories(db)[-1].name == "停车"
    with pytest.raises(DomainError, match="已有"):
        complaints.save_category(db, p.manager, "停车")
    complaints.save_category(db, p.manager, "停车", category_id=new, active=False)
    assert "停车" not in [c.name for c in complaints.categories(db)]
    with pytest.raises(DomainError, match="类别"):
        complaints.register(db, p.desk, draft(p, category_id=new), now=NOW)

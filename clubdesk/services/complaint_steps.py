"""The six steps of a complaint (domain.md section 3), one write transaction each.

Every step checks it is the next one (``complaint_rules``) and that the actor may
record it, appends the step's history row with who, when, what and the deadline it
had, moves the complaint's deadline on, and writes an audit entry.  Compensation is
credited to the member's stored-value card through the ledger in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound, PermissionDenied
from clubdesk.i18n import _
from clubdesk.models import (
    Complaint,
    ComplaintStep,
    Member,
    MembershipCard,
    Staff,
)
from clubdesk.models.enums import (
    CardKind,
    ComplaintRemedy,
    ComplaintStepKind,
    Department,
    LedgerKind,
)
from clubdesk.money import format_fen
from clubdesk.services import audit, cards, ledger, return_visits
from clubdesk.services.complaint_rules import (
    STEP_PERMISSION,
    S,
    due_after,
    next_step,
    require_step,
)
from clubdesk.services.permissions import Permission, allowed, require
from clubdesk.services.staff import StaffMember
from clubdesk.services.text_fields import TEXT_MAX, optional_text, required_text

COMPENSATION_MAX_FEN = 10_000_00  # ten thousand yuan: more is a typo, or not the counter's


# -- the steps --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Judgement:
    """Step 2.  Not justified: ``note`` is the explanation given, and the complaint
    closes.  Justified: the responsible department takes it on."""

    justified: bool
    note: str
    department: Department | None = None


@dataclass(frozen=True, slots=True)
class Investigation:
    cause: str
    responsible_staff_id: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Solution:
    text: str
    compensation_fen: int = 0


@dataclass(frozen=True, slots=True)
class Proposal:
    solutions: tuple[Solution, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Approval:
    """A supervisor picks one solution (``chosen``, 0-based), or sends the proposal
    back (``approved`` False) with a note saying why."""

    approved: bool
    chosen: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class Implementation:
    remedies: frozenset[ComplaintRemedy]
    note: str
    discipline: str = ""  # what happened to the staff at fault, when DISCIPLINE


@dataclass(frozen=True, slots=True)
class Acceptance:
    """The customer accepts: a signature drawn on screen, or signed on paper."""

    signature_png: bytes | None = None
    on_paper: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Summary:
    evaluation: str
    improvement: str
    close: bool = True  # close the case in the same transaction


@dataclass(frozen=True, slots=True)
class Closing:
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reopening:
    reason: str


StepAction = (
    Judgement
    | Investigation
    | Proposal
    | Approval
    | Implementation
    | Acceptance
    | Summary
    | Closing
    | Reopening
)

SOLUTIONS_MAX = 5
SIGNATURE_MAX_BYTES = 2_000_000


@dataclass(frozen=True, slots=True)
class StepDone:
    complaint_id: int
    step: ComplaintStepKind  # the complaint's step now
    version: int
    ledger_entry_id: int | None = None  # the compensation, when one was credited
    return_visit_id: int | None = None  # the visit planned when the complaint closed


def advance(
    db: Database,
    actor: StaffMember | None,
    complaint_id: int,
    version: int,
    action: StepAction,
    *,
    now: datetime | None = None,
) -> StepDone:
    """Record the complaint's next step.  ``version`` is the one the handler saw: a
    colleague's step in between is refused rather than silently built upon."""
    kind, handler = _HANDLERS[type(action)]
    require(actor, STEP_PERMISSION[kind])
    now = now or datetime.now()
    try:
        with db.write() as session:
            complaint = load_visible(session, actor, complaint_id)
            if complaint.version != version:
                raise _stale()
            if not _withdrawing(complaint, action):
                require_step(complaint.step, kind)
            _require_impartial(complaint, actor)
            result = handler(session, actor, complaint, action, now)
            session.flush()
            return result
    except StaleDataError as exc:
        raise _stale() from exc


def _require_impartial(complaint: Complaint, actor: StaffMember | None) -> None:
    """Principle of domain.md section 3: impartial.  The staff member complained about,
    or found responsible, does not judge, decide or close their own case."""
    if actor is not None and actor.id in (complaint.staff_id, complaint.responsible_staff_id):
        raise PermissionDenied(
            _("您是这宗投诉涉及的员工，按公正原则不能处理本投诉，请交由其他同事或主管处理。")
        )


def _withdrawing(complaint: Complaint, action: object) -> bool:
    """An approved solution sent back before it was carried out: the one step that
    may follow approval besides implementation (the card it credits was closed, the
    customer changed their mind)."""
    return isinstance(action, Approval) and not action.approved and complaint.step is S.APPROVAL


def _stale() -> DomainError:
    return DomainError(
        _("这宗投诉刚被其他同事处理过，请关闭后重新打开，核对最新进度后再操作。"),
        field="version",
    )


def load_visible(session: Session, actor: StaffMember | None, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(_("找不到编号为 {id} 的投诉。").format(id=complaint_id))
    if complaint.sensitive and not allowed(actor, Permission.COMPLAINT_SENSITIVE):
        raise PermissionDenied(_("这宗投诉标记为敏感，只有主管及以上可以查看和处理。"))
    return complaint


def add_step(
    session: Session,
    complaint: Complaint,
    actor: StaffMember | None,
    kind: ComplaintStepKind,
    now: datetime,
    note: str | None,
    data: dict[str, Any] | None,
    due_at: datetime | None,
) -> ComplaintStep:
    payload = dict(data or {})
    if due_at is not None:
        # The deadline the step had, so the history can say which steps were late.
        payload["due_at"] = due_at.isoformat(timespec="minutes")
        if now > due_at:
            complaint.late_steps += 1
    row = ComplaintStep(
        complaint_id=complaint.id,
        step=kind,
        staff_id=actor.id if actor else None,
        at=now,
        note=note,
        data=json.dumps(payload, ensure_ascii=False) if payload else None,
    )
    session.add(row)
    return row


def _record(
    session: Session,
    actor: StaffMember | None,
    complaint: Complaint,
    kind: ComplaintStepKind,
    now: datetime,
    note: str | None,
    data: dict[str, Any] | None = None,
    *,
    back_to: ComplaintStepKind | None = None,
) -> None:
    """Append the step, move the complaint on (or ``back_to`` an earlier step) and set
    the deadline of what comes next."""
    before = {"step": complaint.step.value, "due_at": complaint.due_at.isoformat()}
    add_step(session, complaint, actor, kind, now, note, data, complaint.due_at)
    complaint.step = back_to or kind
    upcoming = next_step(complaint.step)
    if upcoming is not None:
        complaint.due_at = due_after(session, upcoming, now)
    audit.record(
        session, actor, "complaint." + kind.value, "complaint", complaint.id,
        before=before, after={"step": complaint.step.value, **(data or {})},
        detail=note, at=now,
    )  # fmt: skip


def _close(
    session: Session, actor: StaffMember | None, complaint: Complaint, now: datetime, note: str
) -> int | None:
    _record(session, actor, complaint, S.CLOSED, now, note or None)
    complaint.closed_at = now
    visit = return_visits.plan_after_complaint(session, complaint, now)
    return visit


def _judge(
    session: Session, actor: StaffMember | None, c: Complaint, a: Judgement, now: datetime
) -> StepDone:
    note = required_text(
        a.note, TEXT_MAX, "note", _("判断说明") if a.justified else _("答复顾客的解释")
    )
    visit = None
    if a.justified:
        if a.department is None:
            raise DomainError(_("投诉属实时请指定责任部门。"), field="department")
        c.justified = True
        c.responsible_department = a.department
        c.handler_id = actor.id if actor else None
        _record(session, actor, c, S.JUDGEMENT, now, note,
                {"justified": True, "department": a.department.value})  # fmt: skip
    else:
        c.justified = False
        c.handler_id = actor.id if actor else None
        _record(session, actor, c, S.JUDGEMENT, now, note, {"justified": False})
        visit = _close(session, actor, c, now, _("投诉不属实，已向顾客解释，结案。"))
    session.flush()
    return StepDone(c.id, c.step, c.version, return_visit_id=visit)


def _investigate(
    session: Session, actor: StaffMember | None, c: Complaint, a: Investigation, now: datetime
) -> StepDone:
    cause = required_text(a.cause, TEXT_MAX, "cause", _("原因"))
    note = optional_text(a.note, TEXT_MAX, "note", _("备注"))
    if a.responsible_staff_id is not None and session.get(Staff, a.responsible_staff_id) is None:
        raise NotFound(_("找不到编号为 {id} 的员工。").format(id=a.responsible_staff_id))
    c.responsible_staff_id = a.responsible_staff_id
    _record(session, actor, c, S.INVESTIGATION, now, note or cause,
            {"cause": cause, "responsible_staff_id": a.responsible_staff_id})  # fmt: skip
    session.flush()
    return StepDone(c.id, c.step, c.version)


def _propose(
    session: Session, actor: StaffMember | None, c: Complaint, a: Proposal, now: datetime
) -> StepDone:
    solutions = [s for s in a.solutions if s.text.strip() or s.compensation_fen]
    if not solutions:
        raise DomainError(_("请至少提出一个处理方案。"), field="solutions")
    if len(solutions) > SOLUTIONS_MAX:
        raise DomainError(_("处理方案最多 {n} 个。").format(n=SOLUTIONS_MAX), field="solutions")
    clean: list[dict[str, Any]] = []
    for n, s in enumerate(solutions, start=1):
        text = required_text(s.text, 200, "solutions", _("方案{n}的内容").format(n=n))
        _check_compensation(session, c, s.compensation_fen)
        clean.append({"text": text, "compensation_fen": s.compensation_fen})
    note = optional_text(a.note, TEXT_MAX, "note", _("备注"))
    _record(session, actor, c, S.PROPOSAL, now, note, {"solutions": clean})
    session.flush()
    return StepDone(c.id, c.step, c.version)


def _check_compensation(session: Session, c: Complaint, amount_fen: int) -> None:
    if amount_fen < 0:
        raise DomainError(_("补偿金额不能为负数。"), field="compensation")
    if amount_fen > COMPENSATION_MAX_FEN:
        raise DomainError(
            _("补偿金额 {amount} 超过上限 {limit}，请核对。").format(
                amount=format_fen(amount_fen), limit=format_fen(COMPENSATION_MAX_FEN)
            ),
            field="compensation",
        )
    if amount_fen and c.member_id is None:
        raise DomainError(
            _("投诉人不是会员，不能补偿到储值卡；请改用退款或其他方案。"), field="compensation"
        )
    if amount_fen and c.compensation_fen:
        # A reopened complaint that was compensated once: a second credit to the card
        # is a manager's manual adjustment, not a click on an old proposal.
        raise DomainError(
            _(
                "这宗投诉已补偿 {paid} 到储值卡，不能再次补偿；如需追加，请经理在会员卡上手工调整。"
            ).format(paid=format_fen(c.compensation_fen)),
            field="compensation",
        )
    if amount_fen:
        # Checked when the solution is proposed, not only when it is carried out: an
        # approved solution nobody can implement would leave the case stuck.
        _compensation_card(session, c)


def _compensation_card(session: Session, c: Complaint) -> MembershipCard:
    assert c.member_id is not None
    card = cards.current_card(session, c.member_id)
    if card is None or card.kind != CardKind.STORED_VALUE:
        name = session.execute(select(Member.name).where(Member.id == c.member_id)).scalar()
        raise DomainError(
            _("会员{name}没有在用的储值卡，不能补偿到卡上；请先办卡，或改用其他方案。").format(
                name=name or ""
            ),
            field="compensation",
        )
    cards.require_active(card)
    return card


def _approve(
    session: Session, actor: StaffMember | None, c: Complaint, a: Approval, now: datetime
) -> StepDone:
    solutions = latest_solutions(session, c.id)
    note = optional_text(a.note, TEXT_MAX, "note", _("审批意见"))
    if not a.approved:
        if note is None:
            raise DomainError(_("退回方案请写明原因。"), field="note")
        data: dict[str, Any] = {"approved": False}
        if c.step is S.APPROVAL:
            data["withdrawn"] = True  # an approval taken back before implementation
        _record(session, actor, c, S.APPROVAL, now, note, data, back_to=S.INVESTIGATION)
    else:
        if not 0 <= a.chosen < len(solutions):
            raise DomainError(_("请选择要批准的方案。"), field="chosen")
        chosen = solutions[a.chosen]
        _check_compensation(session, c, int(chosen.get("compensation_fen") or 0))
        _record(session, actor, c, S.APPROVAL, now, note,
                {"approved": True, "chosen": a.chosen, "solution": chosen})  # fmt: skip
    session.flush()
    return StepDone(c.id, c.step, c.version)


def latest_solutions(session: Session, complaint_id: int) -> list[dict[str, Any]]:
    data = _latest_data(session, complaint_id, S.PROPOSAL)
    solutions = data.get("solutions") or []
    return [
        s if isinstance(s, dict) else {"text": str(s), "compensation_fen": 0} for s in solutions
    ]


def _latest_data(session: Session, complaint_id: int, kind: ComplaintStepKind) -> dict[str, Any]:
    """The data of the newest ``kind`` step of the current round: a proposal or an
    approval from before a reopening belongs to the handling that was reopened."""
    reopened = (
        select(func.max(ComplaintStep.id))
        .where(ComplaintStep.complaint_id == complaint_id, ComplaintStep.step == S.REOPENED)
        .scalar_subquery()
    )
    raw = session.execute(
        select(ComplaintStep.data)
        .where(
            ComplaintStep.complaint_id == complaint_id,
            ComplaintStep.step == kind,
            ComplaintStep.id > func.coalesce(reopened, 0),
        )
        .order_by(ComplaintStep.id.desc())
        .limit(1)
    ).scalar()
    return parse_data(raw)


def parse_data(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def approved_solution(session: Session, complaint_id: int) -> dict[str, Any] | None:
    data = _latest_data(session, complaint_id, S.APPROVAL)
    if not data.get("approved", True):
        return None
    solution = data.get("solution")
    return solution if isinstance(solution, dict) else None


def _implement(
    session: Session, actor: StaffMember | None, c: Complaint, a: Implementation, now: datetime
) -> StepDone:
    note = required_text(a.note, TEXT_MAX, "note", _("处理经过"))
    solution = approved_solution(session, c.id) or {}
    amount = int(solution.get("compensation_fen") or 0)
    remedies = set(a.remedies)
    if amount:
        remedies.add(ComplaintRemedy.COMPENSATION)
    elif ComplaintRemedy.COMPENSATION in remedies:
        raise DomainError(
            _("批准的方案没有补偿金额，不能补偿到储值卡；如需补偿请退回重新审批。"),
            field="remedies",
        )
    if not remedies:
        raise DomainError(_("请勾选实际采取的处理措施。"), field="remedies")
    discipline = optional_text(a.discipline, TEXT_MAX, "discipline", _("处分说明"))
    if ComplaintRemedy.DISCIPLINE in remedies and discipline is None:
        raise DomainError(_("处分责任员工时请写明处分内容。"), field="discipline")
    entry_id = None
    if amount:
        entry_id = _compensate(session, actor, c, amount, now)
        c.compensation_fen += amount
    ordered = [r.value for r in ComplaintRemedy if r in remedies]
    _record(session, actor, c, S.IMPLEMENTATION, now, note,
            {"remedies": ordered, "compensation_fen": amount, "discipline": discipline,
             "ledger_entry_id": entry_id})  # fmt: skip
    session.flush()
    return StepDone(c.id, c.step, c.version, ledger_entry_id=entry_id)


def _compensate(
    session: Session, actor: StaffMember | None, c: Complaint, amount: int, now: datetime
) -> int:
    if c.member_id is None:
        raise DomainError(_("投诉人不是会员，不能补偿到储值卡。"), field="compensation")
    member = ledger.lock_member(session, c.member_id)
    card = _compensation_card(session, c)
    entry = ledger.append(
        session, actor, member_id=member.id, card=card, kind=LedgerKind.COMPENSATION,
        at=now, amount_fen=amount, reason=_("投诉补偿（{number}）").format(number=c.number),
    )  # fmt: skip
    audit.record(
        session, actor, "ledger.compensation", "member", member.id,
        after={"amount_fen": amount, "complaint": c.number, "entry_id": entry.id}, at=now,
    )  # fmt: skip
    return entry.id


def _accept(
    session: Session, actor: StaffMember | None, c: Complaint, a: Acceptance, now: datetime
) -> StepDone:
    if a.signature_png is None and not a.on_paper:
        raise DomainError(
            _("请让顾客在屏幕上签名，或勾选“顾客已在纸质登记表上签字”。"), field="signature"
        )
    if a.signature_png is not None:
        if not a.signature_png.startswith(b"\x89PNG"):
            raise DomainError(_("签名图像无效，请让顾客重新签名。"), field="signature")
        if len(a.signature_png) > SIGNATURE_MAX_BYTES:
            raise DomainError(_("签名图像过大，请清除后重新签名。"), field="signature")
        c.signature_png = a.signature_png
    note = optional_text(a.note, TEXT_MAX, "note", _("备注"))
    how = "screen" if a.signature_png is not None else "paper"
    _record(session, actor, c, S.ACCEPTANCE, now, note, {"signature": how})
    session.flush()
    return StepDone(c.id, c.step, c.version)


def _summarise(
    session: Session, actor: StaffMember | None, c: Complaint, a: Summary, now: datetime
) -> StepDone:
    evaluation = required_text(a.evaluation, TEXT_MAX, "evaluation", _("总结评价"))
    improvement = required_text(a.improvement, TEXT_MAX, "improvement", _("改进措施"))
    _record(session, actor, c, S.SUMMARY, now, evaluation, {"improvement": improvement})
    visit = None
    if a.close:
        visit = _close(session, actor, c, now, "")
    session.flush()
    return StepDone(c.id, c.step, c.version, return_visit_id=visit)


def _close_step(
    session: Session, actor: StaffMember | None, c: Complaint, a: Closing, now: datetime
) -> StepDone:
    note = optional_text(a.note, TEXT_MAX, "note", _("备注")) or ""
    visit = _close(session, actor, c, now, note)
    session.flush()
    return StepDone(c.id, c.step, c.version, return_visit_id=visit)


def _reopen(
    session: Session, actor: StaffMember | None, c: Complaint, a: Reopening, now: datetime
) -> StepDone:
    reason = required_text(a.reason, TEXT_MAX, "reason", _("重新处理的原因"))
    before = {"step": c.step.value, "closed_at": c.closed_at.isoformat() if c.closed_at else None}
    add_step(session, c, actor, S.REOPENED, now, reason, None, None)
    # Judged again from the start: what was decided before may be what was wrong.
    c.step = S.INTAKE
    c.closed_at = None
    c.justified = None
    # The customer signs again for the new handling; the old signature must not be
    # printed beside the next acceptance.
    c.signature_png = None
    c.due_at = due_after(session, S.JUDGEMENT, now)
    # The visit planned at closing would ask about a result that no longer stands;
    # closing again plans a new one.
    dropped = return_visits.drop_pending_after_complaint(session, c.id)
    audit.record(session, actor, "complaint.reopened", "complaint", c.id,
                 before=before, after={"step": c.step.value, "visits_dropped": dropped},
                 detail=reason, at=now)  # fmt: skip
    session.flush()
    return StepDone(c.id, c.step, c.version)


_Handler = Callable[[Session, StaffMember | None, Complaint, Any, datetime], StepDone]
_HANDLERS: dict[type, tuple[ComplaintStepKind, _Handler]] = {
    Judgement: (S.JUDGEMENT, _judge),
    Investigation: (S.INVESTIGATION, _investigate),
    Proposal: (S.PROPOSAL, _propose),
    Approval: (S.APPROVAL, _approve),
    Implementation: (S.IMPLEMENTATION, _implement),
    Acceptance: (S.ACCEPTANCE, _accept),
    Summary: (S.SUMMARY, _summarise),
    Closing: (S.CLOSED, _close_step),
    Reopening: (S.REOPENED, _reopen),
}

"""The complaint workflow of domain.md section 3: which step follows which, who may
record it, and when it is due.

``Complaint.step`` is the last step done; the next one is what the handler must do.
The path is one line, so a skipped step is always refused:

    intake → judgement → investigation → proposal → approval → implementation
           → acceptance (the customer signs) → summary → closed

Three detours: an unjustified judgement closes the complaint at once (the customer
got a polite explanation); a rejected proposal sends the complaint back to proposal;
a closed complaint may be reopened with a reason and is judged again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from clubdesk import settings
from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.models.enums import ComplaintStepKind
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission

S = ComplaintStepKind

# The steps in the order they happen; REOPENED is a history entry, never a state.
WORKFLOW: tuple[ComplaintStepKind, ...] = (
    S.INTAKE,
    S.JUDGEMENT,
    S.INVESTIGATION,
    S.PROPOSAL,
    S.APPROVAL,
    S.IMPLEMENTATION,
    S.ACCEPTANCE,
    S.SUMMARY,
    S.CLOSED,
)

NEXT: dict[ComplaintStepKind, ComplaintStepKind | None] = {
    done: (WORKFLOW[i + 1] if i + 1 < len(WORKFLOW) else None) for i, done in enumerate(WORKFLOW)
}

# Who may record each step.  Approval, the summary (the supervisor fills the
# classification table), closing and reopening are a supervisor's or manager's.
STEP_PERMISSION: dict[ComplaintStepKind, Permission] = {
    S.INTAKE: Permission.COMPLAINT_REGISTER,
    S.JUDGEMENT: Permission.COMPLAINT_HANDLE,
    S.INVESTIGATION: Permission.COMPLAINT_HANDLE,
    S.PROPOSAL: Permission.COMPLAINT_HANDLE,
    S.APPROVAL: Permission.COMPLAINT_APPROVE,
    S.IMPLEMENTATION: Permission.COMPLAINT_HANDLE,
    S.ACCEPTANCE: Permission.COMPLAINT_HANDLE,
    S.SUMMARY: Permission.COMPLAINT_APPROVE,
    S.CLOSED: Permission.COMPLAINT_APPROVE,
    S.REOPENED: Permission.COMPLAINT_APPROVE,
}

# The setting holding how many hours each step may take after the one before it.
DUE_SETTING: dict[ComplaintStepKind, str] = {
    S.JUDGEMENT: "complaint.first_response_hours",
    S.INVESTIGATION: "complaint.investigation_hours",
    S.PROPOSAL: "complaint.proposal_hours",
    S.APPROVAL: "complaint.approval_hours",
    S.IMPLEMENTATION: "complaint.implementation_hours",
    S.ACCEPTANCE: "complaint.acceptance_hours",
    S.SUMMARY: "complaint.summary_hours",
    S.CLOSED: "complaint.close_hours",
}


class IllegalStep(DomainError):
    pass


def next_step(done: ComplaintStepKind) -> ComplaintStepKind | None:
    """What the handler must do after ``done``; None once the complaint is closed."""
    return NEXT.get(done)


def require_step(done: ComplaintStepKind, target: ComplaintStepKind) -> None:
    """Refuse a step that is not the next one, naming the one that is."""
    if target is S.REOPENED:
        if done is not S.CLOSED:
            raise IllegalStep(_("投诉还没有结案，不需要重新处理。"), field="step")
        return
    expected = next_step(done)
    if expected is target:
        return
    if expected is None:
        raise IllegalStep(
            _("投诉已结案，不能再“{target}”；如需继续处理，请先重新处理（需填写原因）。").format(
                target=label(target)
            ),
            field="step",
        )
    raise IllegalStep(
        _("投诉当前已完成“{done}”，下一步应是“{next}”，不能直接“{target}”。").format(
            done=label(done), next=label(expected), target=label(target)
        ),
        field="step",
    )


def hours_for(session: Session, step: ComplaintStepKind) -> int:
    key = DUE_SETTING.get(step)
    return int(settings.session_value(session, key)) if key else 0


def due_after(session: Session, step: ComplaintStepKind, start: datetime) -> datetime:
    """When ``step`` is due if the step before it was done at ``start``."""
    return start + timedelta(hours=hours_for(session, step))


def projected(
    session: Session, done: ComplaintStepKind, due_at: datetime
) -> list[tuple[ComplaintStepKind, datetime]]:
    """The remaining steps with the time each would be due if every step before it
    took its full allowance, starting from the next step's deadline ``due_at``."""
    plan: list[tuple[ComplaintStepKind, datetime]] = []
    step = next_step(done)
    at = due_at
    while step is not None:
        plan.append((step, at))
        step = next_step(step)
        if step is not None:
            at = due_after(session, step, at)
    return plan


def is_overdue(step: ComplaintStepKind, due_at: datetime, now: datetime) -> bool:
    """An open complaint whose next step is past its deadline."""
    return step is not S.CLOSED and due_at < now

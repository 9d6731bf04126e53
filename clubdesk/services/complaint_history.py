"""What each recorded step of a complaint did, in words: one wording for the case
window's history and the printed registration form, so the two never disagree."""

from __future__ import annotations

from typing import Any

from clubdesk.i18n import _
from clubdesk.models.enums import ComplaintRemedy, ComplaintStepKind, Department
from clubdesk.money import format_fen
from clubdesk.services.complaint_rules import S
from clubdesk.services.labels import label


def step_title(kind: ComplaintStepKind, data: dict[str, Any]) -> str:
    """The name a recorded step is shown under: its step, or 撤回批准 for an approval
    taken back (recorded as an approval step, but not an approval)."""
    if kind is S.APPROVAL and data.get("withdrawn"):
        return _("撤回批准")
    return label(kind)


def step_lines(
    kind: ComplaintStepKind, note: str | None, data: dict[str, Any], names: dict[int, str]
) -> list[str]:
    """What a recorded step did, in words: the decision, the cause, the solutions …"""
    note = (note or "").strip()
    lines: list[str] = []
    if kind is S.JUDGEMENT:
        justified = data.get("justified")
        if justified is not None:
            lines.append(_("判断：投诉属实") if justified else _("判断：投诉不属实"))
        department = _department(data.get("department"))
        if justified and department is not None:
            lines.append(_("责任部门：{department}").format(department=label(department)))
    elif kind is S.INVESTIGATION:
        cause = str(data.get("cause") or "").strip()
        if cause:
            lines.append(_("原因：{cause}").format(cause=cause))
        person = data.get("responsible_staff_id")
        if isinstance(person, int) and person in names:
            lines.append(_("责任人：{name}").format(name=names[person]))
        if note == cause:
            note = ""
    elif kind is S.PROPOSAL:
        for n, solution in enumerate(_solutions(data.get("solutions")), start=1):
            lines.append(solution_text(n, solution))
    elif kind is S.APPROVAL:
        if data.get("withdrawn"):
            lines.append(_("撤回批准，退回重新提出方案"))
        elif data.get("approved", True) is False:
            lines.append(_("退回方案，重新调查"))
        else:
            chosen = data.get("chosen")
            picked = data.get("solution")
            if isinstance(picked, dict):
                n = chosen + 1 if isinstance(chosen, int) else 0
                lines.append(_("批准{solution}").format(solution=solution_text(n, picked)))
        if note and data.get("withdrawn"):
            note = _("原因：{reason}").format(reason=note)
        elif note:
            note = _("审批意见：{note}").format(note=note)
    elif kind is S.IMPLEMENTATION:
        remedies = [_remedy(r) for r in data.get("remedies") or ()]
        shown = [label(r) for r in remedies if r is not None]
        if shown:
            lines.append(_("措施：{remedies}").format(remedies=_("、").join(shown)))
        amount = data.get("compensation_fen")
        if isinstance(amount, int) and amount:
            lines.append(_("已补偿 {amount} 到会员储值卡").format(amount=format_fen(amount)))
        discipline = str(data.get("discipline") or "").strip()
        if discipline:
            lines.append(_("处分：{discipline}").format(discipline=discipline))
        if note:
            note = _("经过：{note}").format(note=note)
    elif kind is S.ACCEPTANCE:
        how = data.get("signature")
        if how == "screen":
            lines.append(_("顾客接受处理结果，已在屏幕上签名"))
        elif how == "paper":
            lines.append(_("顾客接受处理结果，已在纸质登记表上签字"))
    elif kind is S.SUMMARY:
        if note:
            lines.append(_("评价：{note}").format(note=note))
            note = ""
        improvement = str(data.get("improvement") or "").strip()
        if improvement:
            lines.append(_("改进措施：{improvement}").format(improvement=improvement))
    elif kind is S.CLOSED and not note:
        lines.append(_("结案归档"))
    elif kind is S.REOPENED and note:
        note = _("重新处理原因：{note}").format(note=note)
    if note:
        lines.append(note)
    return lines


def _solutions(raw: object) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        return []
    return [s if isinstance(s, dict) else {"text": str(s)} for s in raw]


def solution_text(n: int, solution: dict[str, Any]) -> str:
    text = str(solution.get("text") or "").strip()
    amount = solution.get("compensation_fen")
    head = _("方案{n}：{text}").format(n=n, text=text) if n else text
    if isinstance(amount, int) and amount:
        return _("{solution}（补偿 {amount}）").format(solution=head, amount=format_fen(amount))
    return head


def _department(value: object) -> Department | None:
    try:
        return Department(str(value)) if value else None
    except ValueError:
        return None


def _remedy(value: object) -> ComplaintRemedy | None:
    try:
        return ComplaintRemedy(str(value))
    except ValueError:
        return None

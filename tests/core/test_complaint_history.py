"""One wording of a complaint's history for the case window and the printed form."""

from __future__ import annotations

from clubdesk.models.enums import ComplaintStepKind as S
from clubdesk.services.complaint_history import step_lines


def test_each_step_in_words() -> None:
    names = {7: "林慧"}
    assert step_lines(S.JUDGEMENT, "已致歉", {"justified": True, "department": "spa"}, names) == [
        "判断：投诉属实",
        "责任部门：水疗部",
        "已致歉",
    ]
    assert step_lines(
        S.INVESTIGATION, "技师提前下钟", {"cause": "技师提前下钟", "responsible_staff_id": 7}, names
    ) == [
        "原因：技师提前下钟",
        "责任人：林慧",
    ]
    solutions = [
        {"text": "道歉", "compensation_fen": 0},
        {"text": "补偿", "compensation_fen": 5000},
    ]
    assert step_lines(S.PROPOSAL, None, {"solutions": solutions}, names) == [
        "方案1：道歉",
        "方案2：补偿（补偿 ¥50.00）",
    ]
    approved = {"approved": True, "chosen": 1, "solution": solutions[1]}
    assert step_lines(S.APPROVAL, "同意", approved, names) == [
        "批准方案2：补偿（补偿 ¥50.00）",
        "审批意见：同意",
    ]
    withdrawn = {"approved": False, "withdrawn": True}
    assert step_lines(S.APPROVAL, "卡已注销", withdrawn, names) == [
        "撤回批准，退回重新提出方案",
        "原因：卡已注销",
    ]
    done = {"remedies": ["apology", "compensation"], "compensation_fen": 5000}
    assert step_lines(S.IMPLEMENTATION, "已办理", done, names) == [
        "措施：赔礼道歉、补偿到储值卡",
        "已补偿 ¥50.00 到会员储值卡",
        "经过：已办理",
    ]
    assert step_lines(S.CLOSED, None, {}, names) == ["结案归档"]

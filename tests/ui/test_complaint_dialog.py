"""The complaint case dialog walked through every step, its refusals and permissions;
the complaints dock's filters; the 投诉 menu and the categories dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QMenu,
    QMessageBox,
    QToolBar,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.models import Complaint, ComplaintStep, LedgerEntry, ReturnVisit
from clubdesk.models.enums import (
    ComplaintChannel,
    ComplaintRemedy,
    ComplaintStepKind,
    Department,
    LedgerKind,
    Severity,
)
from clubdesk.pdf import registry
from clubdesk.services import complaints
from clubdesk.services.complaint_steps import (
    Approval,
    Implementation,
    Investigation,
    Judgement,
    Proposal,
    Solution,
    advance,
)
from clubdesk.services.staff import StaffMember
from tests.core.complaint_helpers import NOW, People, people, register
from tests.ui.test_signature_pad import draw
from ui.dialogs import complaint as case_module
from ui.dialogs.complaint import SIGNATURE_URL, ComplaintDialog, open_complaint
from ui.dialogs.complaint_steps import (
    AcceptanceForm,
    ApprovalForm,
    ClosingForm,
    ImplementationForm,
    InvestigationForm,
    JudgementForm,
    ProposalForm,
    ReasonDialog,
    ReopenForm,
    SummaryForm,
)
from ui.docks.complaints import ComplaintsDock, Filter
from ui.tasks import SyncRunner

S = ComplaintStepKind


class Boxes:
    """Message boxes answered without a window: questions get ``answer``."""

    def __init__(self) -> None:
        self.answer = QMessageBox.StandardButton.Yes
        self.questions: list[str] = []
        self.shown: list[str] = []


@pytest.fixture(autouse=True)
def boxes(monkeypatch: pytest.MonkeyPatch) -> Boxes:
    seen = Boxes()

    def question(_parent: object, _title: str, text: str, *_a: object) -> object:
        seen.questions.append(text)
        return seen.answer

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: seen.shown.append(box.text()) or 0)
    return seen


@pytest.fixture
def p(db: Database) -> People:
    return people(db)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def open_case(
    qtbot: QtBot, db: Database, user: StaffMember, cid: int, clock: Callable[[], datetime]
) -> ComplaintDialog:
    dialog = ComplaintDialog(db, SyncRunner(), user, cid, clock=clock)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


def stored(db: Database, cid: int) -> Complaint:
    with db.read() as s:
        row = s.get(Complaint, cid)
        assert row is not None
        s.expunge(row)
        return row


def step_count(db: Database, cid: int) -> int:
    with db.read() as s:
        return int(
            s.execute(
                select(func.count())
                .select_from(ComplaintStep)
                .where(ComplaintStep.complaint_id == cid)
            ).scalar_one()
        )


def primary(dialog: ComplaintDialog) -> None:
    """Ctrl+Enter: the form's main button."""
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


# -- the whole path -------------------------------------------------------------------------
def test_a_supervisor_walks_a_complaint_through_every_step(
    qtbot: QtBot, db: Database, p: People, boxes: Boxes
) -> None:
    cid = register(db, p, staff_id=p.therapist.id)
    clock = Clock(NOW)
    dialog = open_case(qtbot, db, p.supervisor, cid, clock)
    changes: list[int] = []
    dialog.changed.connect(changes.append)
    assert "TS20310314-001" in dialog.heading.text()
    assert "下一步“投诉判断”" in dialog.heading.text()
    assert dialog.values["complainant"].text() == "张晓明（会员）"
    assert "技师服务时间不足60分钟" in dialog.values["content"].text()
    assert "投诉受理" in dialog.timeline.toPlainText()

    # 投诉判断: 属实, the responsible department.
    form = dialog.form
    assert isinstance(form, JudgementForm) and form.may
    form.justified.setChecked(True)
    form.department.setCurrentIndex(form.department.findData(Department.SPA.value))
    form.note.setPlainText("属实，已向顾客致歉")
    clock.at = NOW + timedelta(hours=1)
    primary(dialog)
    assert stored(db, cid).step is S.JUDGEMENT
    assert "已判定属实" in dialog.status.text()

    # 调查分析, three days later: past its deadline, so the history says 超时.
    form = dialog.form
    assert isinstance(form, InvestigationForm)
    assert form.staff.currentData() == p.therapist.id  # the staff complained about
    form.cause.setPlainText("技师提前结束服务")
    clock.at = NOW + timedelta(days=3)
    primary(dialog)
    assert stored(db, cid).step is S.INVESTIGATION
    text = dialog.timeline.toPlainText()
    assert "原因：技师提前结束服务" in text and "责任人：测试therapist" in text
    assert "超时" in text

    # 提出处理方案: two solutions, the second with compensation.
    form = dialog.form
    assert isinstance(form, ProposalForm)
    form.rows[0].text.setText("书面道歉")
    qtbot.mouseClick(form.add, Qt.MouseButton.LeftButton)
    assert len(form.rows) == 2 and form.rows[1].name.text() == "方案2："  # as printed
    form.rows[1].text.setText("补偿到储值卡")
    form.rows[1].amount.setText("100")
    clock.at += timedelta(hours=1)
    primary(dialog)
    assert stored(db, cid).step is S.PROPOSAL

    # 方案审批: the supervisor picks the second.
    form = dialog.form
    assert isinstance(form, ApprovalForm) and form.may
    assert len(form.radios) == 2
    form.radios[1].setChecked(True)
    form.note.setPlainText("同意方案2")
    clock.at += timedelta(hours=1)
    primary(dialog)
    assert stored(db, cid).step is S.APPROVAL
    assert "批准方案2：补偿到储值卡（补偿 ¥100.00）" in dialog.timeline.toPlainText()

    # 实施处理方案: compensation ticked and locked; asked before the money moves.
    form = dialog.form
    assert isinstance(form, ImplementationForm)
    money = form.remedies[ComplaintRemedy.COMPENSATION]
    assert money.isChecked() and not money.isEnabled() and "¥100.00" in money.text()
    form.remedies[ComplaintRemedy.APOLOGY].setChecked(True)
    assert not form.discipline.isEnabled()
    form.remedies[ComplaintRemedy.DISCIPLINE].setChecked(True)
    assert form.discipline.isEnabled()
    form.discipline.setText("扣当月绩效")
    form.note.setPlainText("已道歉并补偿")
    clock.at += timedelta(hours=1)
    primary(dialog)
    assert any("¥100.00" in q and "储值卡" in q for q in boxes.questions)
    assert stored(db, cid).step is S.IMPLEMENTATION
    with db.read() as s:
        entry = s.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.COMPENSATION)
        ).one()
        assert entry.amount_fen == 10_000 and entry.member_id == p.member_id
    assert "¥100.00" in dialog.values["compensation"].text()
    text = dialog.timeline.toPlainText()
    assert "赔礼道歉、补偿到储值卡、处分责任员工" in text and "处分：扣当月绩效" in text

    # 顾客确认: signed on the pad.
    form = dialog.form
    assert isinstance(form, AcceptanceForm)
    draw(qtbot, form.pad, [(40, 100), (90, 60), (140, 110), (200, 70)])
    assert not form.pad.is_empty()
    clock.at += timedelta(hours=1)
    primary(dialog)
    assert stored(db, cid).step is S.ACCEPTANCE
    png = complaints.signature(db, p.supervisor, cid)
    assert png is not None and png.startswith(b"\x89PNG")
    image = dialog.timeline.document().resource(
        QTextDocument.ResourceType.ImageResource, QUrl(SIGNATURE_URL)
    )
    assert image is not None and not image.isNull()
    assert "顾客接受处理结果，已在屏幕上签名" in dialog.timeline.toPlainText()

    # 总结评价, closing at once: a return visit is planned.
    form = dialog.form
    assert isinstance(form, SummaryForm) and form.close_case.isChecked()
    form.evaluation.setPlainText("处理及时，顾客满意")
    form.improvement.setPlainText("加强技师服务时长抽查")
    clock.at += timedelta(hours=1)
    primary(dialog)
    closed = stored(db, cid)
    assert closed.step is S.CLOSED and closed.closed_at == clock.at
    with db.read() as s:
        visit = s.scalars(select(ReturnVisit).where(ReturnVisit.complaint_id == cid)).one()
        due = visit.due_on.strftime("%m-%d")
    assert dialog.status.text() == f"已总结并结案。已安排回访，应于 {due} 前完成。"
    assert "已结案" in dialog.heading.text()
    assert dialog.step_box.title() == "已结案"
    assert isinstance(dialog.form, ReopenForm) and dialog.form.may
    assert changes == [cid] * 7


def test_summary_without_closing_then_closing(qtbot: QtBot, db: Database, p: People) -> None:
    cid = _at_acceptance(db, p)
    dialog = open_case(qtbot, db, p.supervisor, cid, Clock(NOW + timedelta(hours=5)))
    form = dialog.form
    assert isinstance(form, SummaryForm)
    form.evaluation.setPlainText("处理及时")
    form.improvement.setPlainText("加强培训")
    form.close_case.setChecked(False)
    primary(dialog)
    assert stored(db, cid).step is S.SUMMARY
    assert isinstance(dialog.form, ClosingForm)
    assert dialog.step_box.title() == "下一步：结案"
    primary(dialog)
    assert stored(db, cid).step is S.CLOSED


# -- refusals and detours --------------------------------------------------------------------
def test_a_refusal_shows_under_its_field_and_keeps_what_was_typed(
    qtbot: QtBot, db: Database, p: People
) -> None:
    cid = register(db, p)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    form = dialog.form
    assert isinstance(form, JudgementForm)
    primary(dialog)  # nothing chosen
    assert "请先判断投诉是否属实" in form.errors.boxes["justified"].error_text()
    form.justified.setChecked(True)
    form.note.setPlainText("属实")
    primary(dialog)  # no department
    assert "请指定责任部门" in form.errors.boxes["department"].error_text()
    assert "没有保存" in dialog.status.text()
    assert form.note.toPlainText() == "属实" and dialog.form is form
    assert stored(db, cid).step is S.INTAKE and step_count(db, cid) == 1


def test_an_unjustified_judgement_asks_before_closing(
    qtbot: QtBot, db: Database, p: People, boxes: Boxes
) -> None:
    cid = register(db, p)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    form = dialog.form
    assert isinstance(form, JudgementForm)
    form.unjustified.setChecked(True)
    assert not form.form.isRowVisible(form.department_box)
    assert form.ok.text() == "判定不属实并结案…"
    form.note.setPlainText("经核实服务时长足够，已向顾客解释")
    boxes.answer = QMessageBox.StandardButton.No
    primary(dialog)
    assert stored(db, cid).step is S.INTAKE and dialog.status.text() == "没有办理。"
    boxes.answer = QMessageBox.StandardButton.Yes
    primary(dialog)
    assert stored(db, cid).step is S.CLOSED
    assert "判断：投诉不属实" in dialog.timeline.toPlainText()
    assert isinstance(dialog.form, ReopenForm) and not dialog.form.may  # the desk's


def test_a_rejected_proposal_comes_back_to_edit(qtbot: QtBot, db: Database, p: People) -> None:
    cid = _at_proposal(db, p)
    dialog = open_case(qtbot, db, p.supervisor, cid, Clock(NOW + timedelta(hours=4)))
    form = dialog.form
    assert isinstance(form, ApprovalForm)
    qtbot.mouseClick(form.buttons[1], Qt.MouseButton.LeftButton)  # 退回 without a reason
    assert "退回方案请写明原因" in form.errors.boxes["note"].error_text()
    form.note.setPlainText("补偿金额过高")
    qtbot.mouseClick(form.buttons[1], Qt.MouseButton.LeftButton)
    assert stored(db, cid).step is S.INVESTIGATION
    proposal = dialog.form
    assert isinstance(proposal, ProposalForm)
    assert proposal.returned.isVisibleTo(dialog) and "补偿金额过高" in proposal.returned.text()
    assert [r.text.text() for r in proposal.rows] == ["书面道歉", "补偿到储值卡"]
    assert proposal.rows[1].amount.fen() == 20_000


def test_a_bad_compensation_amount_is_refused_at_the_field(
    qtbot: QtBot, db: Database, p: People
) -> None:
    cid = register(db, p)
    advance(db, p.desk, cid, 1, Judgement(True, "属实", Department.SPA), now=NOW)
    version = complaints.detail(db, p.desk, cid).version
    advance(db, p.desk, cid, version, Investigation("原因"), now=NOW)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    form = dialog.form
    assert isinstance(form, ProposalForm)
    form.rows[0].text.setText("补偿")
    form.rows[0].amount.setText("20000")  # over the 10,000 yuan limit
    primary(dialog)
    assert "补偿金额" in form.errors.boxes["solutions"].error_text()
    assert stored(db, cid).step is S.INVESTIGATION


def test_a_colleagues_step_in_between_is_refused_and_shown(
    qtbot: QtBot, db: Database, p: People
) -> None:
    cid = register(db, p)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    advance(db, p.supervisor, cid, 1, Judgement(True, "属实", Department.SPA), now=NOW)
    form = dialog.form
    assert isinstance(form, JudgementForm)
    form.justified.setChecked(True)
    form.note.setPlainText("我也判断属实")
    primary(dialog)
    assert "其他同事处理过" in dialog.status.text()
    assert isinstance(dialog.form, InvestigationForm)  # read again: where it is now
    assert step_count(db, cid) == 2


def test_confirmations_come_after_the_checks(
    qtbot: QtBot, db: Database, p: People, boxes: Boxes
) -> None:
    """Nobody is asked "…确定吗？" about something the service then refuses: the
    required fields are checked first, with the service's own sentence."""
    cid = register(db, p)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    form = dialog.form
    assert isinstance(form, JudgementForm)
    form.unjustified.setChecked(True)
    primary(dialog)  # no explanation for the customer
    assert boxes.questions == []
    assert form.errors.boxes["note"].error_text() == "请填写答复顾客的解释。"
    assert dialog.status.text() == "没有保存，请按提示修改。"
    assert QApplication.focusWidget() is form.note
    assert stored(db, cid).step is S.INTAKE

    cid = _at_implementation(db, p, chosen=1)  # the solution with ¥200.00 compensation
    dialog = open_case(qtbot, db, p.supervisor, cid, Clock(NOW + timedelta(hours=5)))
    form = dialog.form
    assert isinstance(form, ImplementationForm)
    primary(dialog)  # what was done not written
    assert boxes.questions == []
    assert form.errors.boxes["note"].error_text() == "请填写处理经过。"
    form.note.setPlainText("已补偿并致歉")
    form.remedies[ComplaintRemedy.DISCIPLINE].setChecked(True)
    primary(dialog)  # discipline ticked, nothing said about it
    assert boxes.questions == []
    assert form.errors.boxes["discipline"].error_text() == "处分责任员工时请写明处分内容。"
    assert not form.errors.boxes["note"].error_text()
    form.discipline.setText("口头警告")
    boxes.answer = QMessageBox.StandardButton.No
    primary(dialog)
    assert len(boxes.questions) == 1 and "¥200.00" in boxes.questions[0]
    assert stored(db, cid).step is S.APPROVAL and dialog.status.text() == "没有办理。"


def test_a_supervisor_withdraws_an_approval_before_it_is_carried_out(
    qtbot: QtBot, db: Database, p: People, boxes: Boxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = _at_implementation(db, p, chosen=1)
    asked: list[tuple[str, str]] = []  # (error shown after an empty 确定, reason typed)

    def answer(reason_dialog: ReasonDialog) -> int:
        reason_dialog.try_accept()  # nothing typed: refused under the field, still open
        asked.append((reason_dialog.box.error_text(), reason_dialog.windowTitle()))
        assert reason_dialog.result() != QDialog.DialogCode.Accepted
        reason_dialog.text.setPlainText("会员储值卡已注销，改为退款")
        reason_dialog.try_accept()
        return reason_dialog.result()

    monkeypatch.setattr(ReasonDialog, "exec", answer)

    desk = open_case(qtbot, db, p.desk, cid, Clock(NOW + timedelta(hours=5)))
    assert isinstance(desk.form, ImplementationForm) and desk.form.withdraw is None
    assert all("退回" not in b.text() for b in desk.form.buttons)
    desk.close()

    dialog = open_case(qtbot, db, p.supervisor, cid, Clock(NOW + timedelta(hours=5)))
    form = dialog.form
    assert isinstance(form, ImplementationForm) and form.withdraw is not None
    assert form.withdraw.isVisible() and form.withdraw.isEnabled()
    boxes.answer = QMessageBox.StandardButton.No
    qtbot.mouseClick(form.withdraw, Qt.MouseButton.LeftButton)
    assert asked == [("退回方案请写明原因。", "退回重新审批")]
    assert len(boxes.questions) == 1 and "撤回" in boxes.questions[0]
    assert stored(db, cid).step is S.APPROVAL  # answered No: nothing changed

    boxes.answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(form.withdraw, Qt.MouseButton.LeftButton)
    detail = complaints.detail(db, p.supervisor, cid)
    assert (detail.step, detail.next_step) == (S.INVESTIGATION, S.PROPOSAL)
    assert detail.steps[-1].data == {"approved": False, "withdrawn": True}
    assert detail.steps[-1].note == "会员储值卡已注销，改为退款"
    assert dialog.status.text() == "已撤回批准，请重新提出处理方案。"
    text = dialog.timeline.toPlainText()
    assert "撤回批准" in text and "原因：会员储值卡已注销，改为退款" in text
    proposal = dialog.form
    assert isinstance(proposal, ProposalForm)
    assert "已批准的方案被撤回：会员储值卡已注销，改为退款" in proposal.returned.text()


def test_a_walk_ins_proposal_has_no_compensation_field(
    qtbot: QtBot, db: Database, p: People
) -> None:
    cid = register(db, p, member_id=None, complainant_name="王先生", contact="13912345678")
    v = advance(db, p.desk, cid, 1, Judgement(True, "属实", Department.SPA), now=NOW).version
    advance(db, p.desk, cid, v, Investigation("排队太久"), now=NOW)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    form = dialog.form
    assert isinstance(form, ProposalForm)
    amount = form.rows[0].amount
    assert not amount.isEnabled() and "不是会员" in amount.toolTip()
    assert form.add_row().amount.isEnabled() is False


def test_signing_clears_the_please_sign_message(qtbot: QtBot, db: Database, p: People) -> None:
    cid = _at_implementation(db, p, chosen=0)
    v = complaints.detail(db, p.desk, cid).version
    remedies = frozenset({ComplaintRemedy.APOLOGY})
    advance(db, p.desk, cid, v, Implementation(remedies, "已道歉"), now=NOW)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    form = dialog.form
    assert isinstance(form, AcceptanceForm)
    primary(dialog)  # neither signed nor ticked
    box = form.errors.boxes["signature"]
    assert "请让顾客在屏幕上签名" in box.error_text() and box.error.isVisible()
    draw(qtbot, form.pad, [(40, 100), (90, 60), (140, 110)])
    assert box.error_text() == "" and box.error.isHidden()
    primary(dialog)
    assert stored(db, cid).step is S.ACCEPTANCE


# -- the keyboard -------------------------------------------------------------------------------
def tab_cycle(start: QWidget, limit: int = 40) -> list[QWidget]:
    """The widgets Tab visits from ``start`` until it comes back to it."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen: list[QWidget] = []
    for _n in range(limit):
        focused = QApplication.focusWidget()
        assert focused is not None
        if seen and focused is start:
            return seen
        seen.append(focused)
        QTest.keyClick(focused, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never came back: {[type(w).__name__ for w in seen]}")


@pytest.mark.parametrize("role", ["supervisor", "desk"])
def test_tab_goes_through_the_implementation_form(
    qtbot: QtBot, db: Database, p: People, role: str
) -> None:
    cid = _at_implementation(db, p, chosen=0)
    dialog = open_case(qtbot, db, getattr(p, role), cid, Clock(NOW))
    form = dialog.form
    assert isinstance(form, ImplementationForm)
    r = form.remedies
    form.remedies[ComplaintRemedy.DISCIPLINE].setChecked(True)  # 处分内容 takes input now
    withdraw = [form.withdraw] if role == "supervisor" else []
    assert tab_cycle(r[ComplaintRemedy.APOLOGY]) == [
        r[ComplaintRemedy.APOLOGY],
        r[ComplaintRemedy.REDO],
        r[ComplaintRemedy.REFUND],
        # 补偿到储值卡 is locked: the approved solution has no compensation
        r[ComplaintRemedy.DISCIPLINE],
        form.discipline,
        form.note,
        *withdraw,  # on the left of the button row
        form.primary(),  # 完成实施, the form's last
        dialog.print_button,
        dialog.close_button,
        dialog.timeline,
    ]
    assert form.primary() is not None and form.primary().text() == "完成实施"


def test_tab_goes_through_the_proposal_form(qtbot: QtBot, db: Database, p: People) -> None:
    cid = _at_proposal(db, p)
    dialog = open_case(qtbot, db, p.supervisor, cid, Clock(NOW))
    qtbot.mouseClick(dialog.form.buttons[1], Qt.MouseButton.LeftButton)  # 退回 …
    assert "退回方案请写明原因" in dialog.form.errors.boxes["note"].error_text()
    assert isinstance(dialog.form, ApprovalForm)
    dialog.form.note.setPlainText("请改")
    qtbot.mouseClick(dialog.form.buttons[1], Qt.MouseButton.LeftButton)
    form = dialog.form
    assert isinstance(form, ProposalForm) and len(form.rows) == 2
    one, two = form.rows
    expected = [
        one.text, one.amount, one.remove,
        two.text, two.amount, two.remove,
        form.add, form.note, form.primary(),
        dialog.print_button, dialog.close_button, dialog.timeline,
    ]  # fmt: skip
    assert tab_cycle(one.text) == expected
    form.note.setFocus()
    QTest.keyClick(dialog, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # 处理方案(&F)
    assert QApplication.focusWidget() is one.text
    # A third solution joins the order in its place.
    three = form.add_row()
    chain = tab_cycle(one.text)
    assert chain[6:10] == [three.text, three.amount, three.remove, form.add]
    qtbot.mouseClick(two.remove, Qt.MouseButton.LeftButton)
    assert tab_cycle(one.text)[3:7] == [three.text, three.amount, three.remove, form.add]
    assert [r.name.text() for r in form.rows] == ["方案1：", "方案2："]


# -- permissions -------------------------------------------------------------------------------
def test_the_front_desk_sees_approval_disabled_with_the_reason(
    qtbot: QtBot, db: Database, p: People
) -> None:
    cid = _at_proposal(db, p)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    form = dialog.form
    assert isinstance(form, ApprovalForm) and not form.may
    assert form.denied.isVisibleTo(dialog)
    assert "主管或经理审批" in form.denied.text()
    assert all(not b.isEnabled() for b in form.buttons)
    assert "主管" in form.buttons[0].toolTip()
    primary(dialog)
    assert stored(db, cid).step is S.PROPOSAL


def test_a_sensitive_complaint_never_opens_for_the_front_desk(
    qtbot: QtBot, db: Database, p: People, boxes: Boxes
) -> None:
    cid = register(db, p, sensitive=True)
    opened: list[ComplaintDialog] = []
    open_complaint(None, db, SyncRunner(), p.desk, cid, opened.append, clock=Clock(NOW))
    assert opened == []
    assert any("敏感" in text and "主管" in text for text in boxes.shown)

    direct = ComplaintDialog(db, SyncRunner(), p.desk, cid, clock=Clock(NOW))
    qtbot.addWidget(direct)
    direct.show()
    assert not direct.isVisible() and direct.refusal is not None

    open_complaint(None, db, SyncRunner(), p.supervisor, cid, opened.append, clock=Clock(NOW))
    assert len(opened) == 1 and opened[0].isVisible()
    assert "敏感" in opened[0].heading.text()
    qtbot.addWidget(opened[0])


# -- printing ------------------------------------------------------------------------------------
def test_print_asks_where_and_renders_the_complaint_form(
    qtbot: QtBot, db: Database, p: People, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = register(db, p)
    rendered: list[int | None] = []

    def render(_db: Database, record: int | None, out: Path) -> None:
        rendered.append(record)
        out.write_bytes(b"%PDF-1.4 test")

    form = registry.PrintableForm("complaint-form", "顾客投诉登记表", True, render)
    monkeypatch.setitem(registry.FORMS, "complaint-form", form)
    target = tmp_path / "form.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "PDF 文件 (*.pdf)")
    )
    viewed: list[Path] = []
    monkeypatch.setattr(case_module, "open_pdf", viewed.append)
    dialog = open_case(qtbot, db, p.desk, cid, Clock(NOW))
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(rendered), timeout=2000)  # Qt animates a mnemonic's click
    assert rendered == [cid]
    assert viewed == [target] and target.read_bytes().startswith(b"%PDF")
    assert str(target) in dialog.status.text()


# -- the dock --------------------------------------------------------------------------------------
def test_the_dock_filters_open_overdue_mine_and_all(qtbot: QtBot, db: Database, p: People) -> None:
    late = register(db, p, received_at=NOW - timedelta(days=2), contact="13900000001")
    fresh = register(db, p, contact="13900000002")
    hidden = register(db, p, sensitive=True, received_at=NOW - timedelta(days=3))
    by_supervisor = complaints.register(
        db,
        p.supervisor,
        complaints.ComplaintDraft(
            complainant_name="王先生", contact="13912345678", received_at=NOW,
            channel=ComplaintChannel.PHONE, category_id=p.category_id,
            severity=Severity.LOW, content="前台排队太久",
        ),
        now=NOW,
    )  # fmt: skip
    done = register(db, p)
    advance(db, p.supervisor, done, 1, Judgement(False, "不属实，已解释"), now=NOW)

    dock = ComplaintsDock(db, SyncRunner(), None, user=p.desk, clock=Clock(NOW))
    qtbot.addWidget(dock)
    dock.resize(520, 400)  # its width beside the roster at 1280×800
    dock.show()
    qtbot.waitExposed(dock)
    dock.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dock, timeout=2000)
    overdue_totals: list[int] = []
    dock.overdue_changed.connect(overdue_totals.append)

    def ids() -> list[int]:
        return [r.id for r in dock.model.rows()]

    dock.refresh()
    assert ids() == [late, fresh, by_supervisor]  # overdue first; sensitive hidden
    headers = [dock.model.headerData(c, Qt.Orientation.Horizontal, 0) for c in range(5)]
    assert headers == ["编号", "投诉人", "类别", "下一步", "期限"]
    first = dock.model.rows()[0]
    assert dock.model.index(0, 1).data() == "张晓明"
    assert dock.model.index(0, 3).data() == "投诉判断"
    assert dock.model.index(0, 4).data() == first.due_at.strftime("%m-%d %H:%M") + " 超时"
    assert dock.model.index(1, 4).data() == dock.model.rows()[1].due_at.strftime("%m-%d %H:%M")
    red = dock.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.color().name() == "#b91c1c"
    assert dock.model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert overdue_totals == [2]  # the hidden sensitive one is late too
    assert dock.status.text() == "未结 3 宗，其中超时 1 宗；全店超时 2 宗"
    # At 520 px the number, complainant, category, next step and deadline all show.
    table = dock.table
    shown = table.viewport().width()
    for column in range(5):
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= shown, (headers[column], right, shown)
        assert table.columnWidth(column) >= table.sizeHintForColumn(column)  # not cut

    qtbot.mouseClick(dock.filter_buttons[Filter.OVERDUE], Qt.MouseButton.LeftButton)
    assert ids() == [late]
    assert dock.status.text() == "超时 1 宗；全店超时 2 宗"
    dock.set_filter(Filter.MINE)
    assert ids() == [late, fresh]  # registered by the desk, nobody took them on yet
    assert dock.status.text() == "我的 2 宗，其中超时 1 宗；全店超时 2 宗"
    dock.set_filter(Filter.ALL)
    assert ids() == [late, fresh, by_supervisor, done]
    assert dock.status.text() == "全部 4 宗，其中未结 3 宗、超时 1 宗；全店超时 2 宗"
    assert dock.model.index(3, 3).data() == "—" and dock.model.index(3, 4).data() == "—"
    assert hidden not in ids()

    # A refresh keeps the complaint selected; reveal() selects one, leaving 超时 for 未结.
    dock.table.selectRow(2)
    dock.refresh()
    assert dock.selected_id() == by_supervisor
    dock.set_filter(Filter.OVERDUE)
    dock.reveal(fresh)
    assert dock.filter is Filter.OPEN and dock.filter_buttons[Filter.OPEN].isChecked()
    assert dock.selected_id() == fresh
    assert dock.table.selectionModel().isRowSelected(1)

    opened: list[int] = []
    dock.open_requested.connect(opened.append)
    dock.table.setFocus()
    dock.table.selectRow(1)
    qtbot.keyClick(dock.table, Qt.Key.Key_Return)
    rect = dock.table.visualRect(dock.model.index(0, 0))
    qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [fresh, late]
    with qtbot.waitSignal(dock.register_requested):
        qtbot.mouseClick(dock.register_button, Qt.MouseButton.LeftButton)


def test_the_dock_without_a_user_offers_no_mine_filter(qtbot: QtBot, db: Database) -> None:
    dock = ComplaintsDock(db, SyncRunner(), None, clock=Clock(NOW))
    qtbot.addWidget(dock)
    assert not dock.filter_buttons[Filter.MINE].isEnabled()


# -- the menu and the categories --------------------------------------------------------------
def test_the_complaints_menu_registers_opens_and_edits_categories(
    qtbot: QtBot, window: object, boxes: Boxes
) -> None:
    from ui.complaint_actions import ComplaintActions
    from ui.dialogs.complaint_register import ComplaintRegisterDialog
    from ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    actions = window.complaint_actions  # the window's own: a second would answer the dock too
    assert isinstance(actions, ComplaintActions)
    toolbar = [a for a in window.findChildren(QToolBar)[0].actions() if "投诉" in a.text()]
    assert [a.text() for a in toolbar] == ["登记投诉(&R)…"]
    assert toolbar[0].shortcut().toString() == "Ctrl+Shift+C"
    menus = [m.title() for m in window.menuBar().findChildren(QMenu)]
    assert "投诉(&C)" in menus
    assert actions.categories_action.isEnabled()  # the window's user is an administrator

    dialog = actions.register(content="空调太冷")
    assert isinstance(dialog, ComplaintRegisterDialog) and dialog.isVisible()
    assert dialog.content.toPlainText() == "空调太冷"
    dialog.picker.set_walk_in("赵女士")
    dialog.contact.setText("13911112222")
    rows_before = window.complaints.model.rowCount()
    dialog.submit()
    assert not dialog.isVisible()
    new = dialog.complaint_id
    assert new is not None and window.complaints.selected_id() == new  # selected, in view
    index = window.complaints.table.currentIndex()
    assert (
        window.complaints.table.viewport()
        .rect()
        .intersects(window.complaints.table.visualRect(index))
    )
    window.complaints.set_filter(Filter.ALL)
    assert window.complaints.model.rowCount() >= rows_before

    row = window.complaints.model.row_at(0)
    assert row is not None
    window.complaints.open_requested.emit(row.id)
    case = actions.case_dialog
    assert case is not None and case.isVisible() and row.number in case.heading.text()
    actions.open_complaint(row.id)  # the same case again: the open window comes forward
    open_cases = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, ComplaintDialog) and w.isVisible()
    ]
    assert open_cases == [case]
    case.close()

    categories = actions.categories()
    qtbot.addWidget(categories)
    count = categories.list.count()
    categories.name.setText("停车")
    qtbot.mouseClick(categories.add_button, Qt.MouseButton.LeftButton)
    assert categories.list.count() == count + 1
    assert categories.current() is not None and categories.current().name == "停车"
    categories.name.setText("停车服务")
    qtbot.mouseClick(categories.rename_button, Qt.MouseButton.LeftButton)
    assert categories.current().name == "停车服务"
    qtbot.mouseClick(categories.toggle_button, Qt.MouseButton.LeftButton)
    assert any("停用" in q for q in boxes.questions)
    current = categories.current()
    assert current is not None and not current.active
    assert "已停用" in categories.list.currentItem().text()
    assert "停车服务" not in [c.name for c in complaints.categories(window.db)]
    categories.name.setText(complaints.categories(window.db)[0].name)
    qtbot.mouseClick(categories.add_button, Qt.MouseButton.LeftButton)
    assert "已有名为" in categories.name_box.error_text()


def test_the_categories_dialog_is_read_only_below_manager(
    qtbot: QtBot, db: Database, p: People
) -> None:
    from ui.dialogs.complaint_categories import ComplaintCategoriesDialog

    dialog = ComplaintCategoriesDialog(db, SyncRunner(), p.supervisor)
    qtbot.addWidget(dialog)
    assert dialog.list.count() >= 3
    assert not dialog.add_button.isEnabled() and not dialog.name.isEnabled()
    assert "经理" in dialog.status.text()


# -- set-up ----------------------------------------------------------------------------------
def _at_proposal(db: Database, p: People) -> int:
    """A complaint whose two solutions wait for approval."""
    cid = register(db, p)
    v = advance(db, p.desk, cid, 1, Judgement(True, "属实", Department.SPA), now=NOW).version
    v = advance(db, p.desk, cid, v, Investigation("技师提前结束"), now=NOW).version
    solutions = (Solution("书面道歉"), Solution("补偿到储值卡", compensation_fen=20_000))
    advance(db, p.desk, cid, v, Proposal(solutions), now=NOW)
    return cid


def _at_implementation(db: Database, p: People, chosen: int) -> int:
    """A complaint whose approved solution waits to be carried out (1: ¥200.00 to the
    member's stored-value card)."""
    cid = _at_proposal(db, p)
    v = complaints.detail(db, p.supervisor, cid).version
    advance(db, p.supervisor, cid, v, Approval(True, chosen=chosen), now=NOW)
    return cid


def _at_acceptance(db: Database, p: People) -> int:
    from clubdesk.services.complaint_steps import Acceptance, Implementation

    cid = _at_proposal(db, p)
    v = complaints.detail(db, p.supervisor, cid).version
    v = advance(db, p.supervisor, cid, v, Approval(True, chosen=0), now=NOW).version
    remedies = frozenset({ComplaintRemedy.APOLOGY})
    v = advance(db, p.desk, cid, v, Implementation(remedies, "已道歉"), now=NOW).version
    advance(db, p.desk, cid, v, Acceptance(on_paper=True), now=NOW)
    return cid


def test_the_statistics_are_a_supervisors(qtbot: QtBot, db: Database) -> None:
    from ui.main_window import MainWindow

    p = people(db)
    for user, enabled in ((p.desk, False), (p.supervisor, True)):
        window = MainWindow(db, user, SyncRunner())
        window.persist_layout = False
        qtbot.addWidget(window)
        assert window.complaint_actions.stats_action.isEnabled() is enabled
        assert window.visit_actions.summary_action.isEnabled() is enabled
        window.close()


def test_the_counter_is_told_a_sensitive_complaint_goes_to_a_supervisor(
    qtbot: QtBot, db: Database
) -> None:
    from ui.main_window import MainWindow

    p = people(db)
    window = MainWindow(db, p.desk, SyncRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    form = window.complaint_actions.register(content="涉及隐私的投诉")
    form.picker.set_walk_in("赵女士")
    form.contact.setText("13911112222")
    form.sensitive.setChecked(True)
    form.submit()
    assert "您的列表中不会显示" in window.statusBar().currentMessage()
    window.close()

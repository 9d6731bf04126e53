"""The return-visit GUI: the dialog records an outcome once, a dissatisfied answer
offers 转为投诉, the dock lists and filters the calls (with the quiet-hours banner),
the coverage dialog plans periodic visits, and the 回访 menu."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.models import AuditEntry, Complaint, Member, ReturnVisit, Tier
from clubdesk.models.enums import ComplaintChannel, ReturnVisitSource, Satisfaction, VisitChannel
from clubdesk.services import complaints, return_visits
from clubdesk.services.return_visits import VisitOutcome
from tests.core.complaint_helpers import NOW, People, people
from tests.core.roster_helpers import member
from ui.dialogs.return_visit import ReturnVisitDialog
from ui.dialogs.visit_coverage import PAGE_SIZE, VisitCoverageDialog
from ui.docks.return_visits import ReturnVisitsDock, VisitFilter
from ui.tasks import SyncRunner

TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _app() -> None:
    from ui.app import configure

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    configure(app)


def _clock(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def _visit(db: Database, member_id: int, due: date, *, done: bool = False) -> int:
    with db.write() as s:
        row = ReturnVisit(
            member_id=member_id, source=ReturnVisitSource.PERIODIC, due_on=due, created_at=NOW,
            done_at=NOW - timedelta(days=1) if done else None,
            outcome=Satisfaction.SATISFIED if done else None,
        )  # fmt: skip
        s.add(row)
        s.flush()
        return row.id


def _stored(db: Database, visit_id: int) -> tuple[Any, ...]:
    with db.read() as s:
        v = s.get(ReturnVisit, visit_id)
        assert v is not None
        return (v.done_at, v.channel, v.outcome, v.suggestions, v.follow_up_complaint_id)


def _dialog(qtbot: QtBot, db: Database, p: People, visit_id: int, **kw: Any) -> ReturnVisitDialog:
    user = kw.pop("user", p.desk)
    dialog = ReturnVisitDialog(db, SyncRunner(), user, visit_id, clock=_clock(kw.pop("at", NOW)))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    return dialog


# -- the dialog --------------------------------------------------------------------------


def test_the_dialog_records_an_outcome_once(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY - timedelta(days=2))
    dialog = _dialog(qtbot, db, p, visit_id)
    assert dialog.who.text() == "张晓明    138****8000"
    assert "已逾期 2 天" in dialog.due.text()
    assert dialog.script.toPlainText().startswith("张晓明您好")
    assert dialog.about.text() == "定期回访"
    assert dialog.quiet.isHidden() and dialog.escalate.isHidden()
    assert dialog.channel_buttons[VisitChannel.PHONE].isChecked()
    assert dialog.chosen_outcome() is None

    qtbot.keyClick(dialog, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # 基本满意
    assert dialog.chosen_outcome() is Satisfaction.AVERAGE
    dialog.channel_buttons[VisitChannel.SMS].click()
    dialog.suggestions.setPlainText("  希望延长营业时间 ")
    with qtbot.waitSignal(dialog.recorded) as saved:
        qtbot.keyClick(dialog.suggestions, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [visit_id]
    done_at, channel, outcome, suggestions, _follow = _stored(db, visit_id)
    assert (done_at, channel, outcome, suggestions) == (
        NOW, VisitChannel.SMS, Satisfaction.AVERAGE, "希望延长营业时间",
    )  # fmt: skip
    assert "已记录：基本满意（短信）" in dialog.status.text()
    assert dialog.save.isHidden() and dialog.escalate.isHidden()
    assert not dialog.outcome_buttons[Satisfaction.SATISFIED].isEnabled()
    dialog.submit()  # a second Ctrl+Enter does nothing
    assert _stored(db, visit_id)[0] == NOW


def test_no_outcome_no_save(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY)
    dialog = _dialog(qtbot, db, p, visit_id)
    dialog.save.click()
    assert dialog.outcome_box.error_text() == "请选择回访结果：满意、基本满意或不满意。"
    assert _stored(db, visit_id)[0] is None
    dialog.choose(Satisfaction.SATISFIED)
    assert dialog.outcome_box.error_text() == ""  # the choice clears the message
    dialog.suggestions.setPlainText("好" * 501)
    assert "501/500" in dialog.count.text()
    dialog.save.click()
    assert "最多 500 个字" in dialog.suggestions_box.error_text()
    assert _stored(db, visit_id)[0] is None and dialog.save.isEnabled()


def test_dissatisfied_offers_a_complaint_in_one_click(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY)
    dialog = _dialog(qtbot, db, p, visit_id)
    dialog.choose(Satisfaction.DISSATISFIED)
    dialog.suggestions.setPlainText("技师迟到二十分钟")
    dialog.save.click()
    assert dialog.escalate.isVisible() and dialog.escalate.isDefault()
    assert "顾客不满意" in dialog.status.text()
    with qtbot.waitSignal(dialog.complaint_requested) as asked:
        dialog.escalate.click()
    assert asked.args == [visit_id]
    assert not dialog.isVisible()


def test_a_done_visit_opens_read_only_and_escalates_once(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY)
    bad = VisitOutcome(VisitChannel.PHONE, Satisfaction.DISSATISFIED, "房间太冷")
    return_visits.record(db, p.desk, visit_id, bad, NOW)
    dialog = _dialog(qtbot, db, p, visit_id)
    assert dialog.save.isHidden() and dialog.escalate.isVisible()
    assert dialog.outcome_buttons[Satisfaction.DISSATISFIED].isChecked()
    assert dialog.suggestions.isReadOnly() and dialog.suggestions.toPlainText() == "房间太冷"
    assert p.desk.display_name in dialog.status.text()
    complaints.register(db, p.desk, return_visits.complaint_draft(db, visit_id, NOW), now=NOW)
    again = _dialog(qtbot, db, p, visit_id)
    assert again.escalate.isHidden() and "已转为投诉" in again.status.text()


def test_the_front_desk_reveals_the_full_number_to_dial(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY)
    dialog = _dialog(qtbot, db, p, visit_id)
    assert dialog.who.text() == "张晓明    138****8000"  # lists keep numbers masked
    assert dialog.dial_button.isVisible() and dialog.dial_button.isEnabled()

    qtbot.mouseClick(dialog.dial_button, Qt.MouseButton.LeftButton)

    assert dialog.who.text() == "张晓明    13800138000"
    assert dialog.dial_button.isHidden()
    with db.read() as s:
        reveals = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "visit.reveal_phone")
        ).all()
        assert [(a.entity, a.entity_id, a.staff_id) for a in reveals] == [
            ("return_visit", visit_id, p.desk.id)
        ]


def test_quiet_hours_banner_in_the_dialog(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY)
    dialog = _dialog(qtbot, db, p, visit_id, at=datetime.combine(TODAY, datetime.min.time()))
    assert dialog.quiet.isVisible() and "09:00 起可以回访" in dialog.quiet.text()
    assert dialog.save.isEnabled()  # recording a visit made earlier stays possible


def test_a_therapist_sees_why_and_cannot_save(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY)
    dialog = _dialog(qtbot, db, p, visit_id, user=p.therapist)
    assert "回访" in dialog.status.text() and "权限" in dialog.status.text()
    assert not dialog.save.isEnabled()
    dialog.choose(Satisfaction.SATISFIED)
    dialog.submit()
    assert _stored(db, visit_id)[0] is None


# -- the dock ------------------------------------------------------------------------------


def _dock(qtbot: QtBot, db: Database, user: Any, at: datetime) -> ReturnVisitsDock:
    dock = ReturnVisitsDock(db, SyncRunner(), user, clock=_clock(at))
    qtbot.addWidget(dock)
    dock.resize(760, 400)
    dock.show()
    qtbot.waitExposed(dock)
    dock.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dock, timeout=2000)
    dock.refresh()
    return dock


def _names(dock: ReturnVisitsDock) -> list[str]:
    return [r.who for r in dock.model.rows()]


def test_the_dock_lists_overdue_first_in_red_and_filters(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    li = member(db, p.desk, "李娜", "13900139000")
    wang = member(db, p.desk, "王芳", "13700137000")
    _visit(db, li, TODAY)
    _visit(db, wang, TODAY + timedelta(days=5))  # beyond the 3-day window
    _visit(db, p.member_id, TODAY - timedelta(days=3))
    _visit(db, wang, TODAY - timedelta(days=30), done=True)
    dock = _dock(qtbot, db, p.desk, NOW)
    assert dock.objectName() == "visits_dock" and dock.windowTitle() == "回访"
    assert _names(dock) == ["张晓明", "李娜"]
    assert dock.status.text() == "待回访 2 条，其中逾期 1 条"
    red = dock.model.data(dock.model.index(0, 0), Qt.ItemDataRole.ForegroundRole)
    assert red is not None and red.color() == QColor("#b91c1c")
    assert dock.model.data(dock.model.index(1, 0), Qt.ItemDataRole.ForegroundRole) is None
    assert dock.model.index(0, 0).data() == (TODAY - timedelta(days=3)).strftime("%m-%d") + (
        " 逾期 3 天"
    )
    assert dock.model.index(0, 2).data() == "138****8000"
    assert dock.banner.isHidden()

    overdue: list[int] = []
    dock.overdue_changed.connect(overdue.append)
    dock.set_filter(VisitFilter.OVERDUE)
    assert _names(dock) == ["张晓明"] and overdue == [1]
    dock.set_filter(VisitFilter.ALL)
    assert _names(dock) == ["张晓明", "李娜", "王芳"]
    assert dock.status.text() == "待回访 3 条，其中逾期 1 条"


def test_the_dock_in_the_quiet_hours(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    _visit(db, p.member_id, TODAY)
    dock = _dock(qtbot, db, p.desk, datetime.combine(TODAY, datetime.min.time()).replace(hour=23))
    assert dock.banner.isVisible()
    assert "免打扰" in dock.banner.text() and "明天 09:00" in dock.banner.text()
    assert _names(dock) == ["张晓明"]  # still listed


def test_enter_opens_the_visit_and_recording_refreshes_the_list(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY)
    dock = _dock(qtbot, db, p.desk, NOW)
    dock.focus_table()
    dock.table.setFocus()
    qtbot.keyClick(dock.table, Qt.Key.Key_Return)
    dialog = dock.dialog  # a child of the dock, deleted when closed
    assert dialog is not None and dialog.visit_id == visit_id
    requests: list[int] = []
    dock.complaint_requested.connect(requests.append)
    dialog.choose(Satisfaction.DISSATISFIED)
    dialog.save.click()
    assert _names(dock) == [] and dock.status.text() == "待回访 0 条，其中逾期 0 条"
    dialog.escalate.click()
    assert requests == [visit_id]  # passed on by the dock for the window to open the form


def test_a_therapist_gets_a_line_not_a_box(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    _visit(db, p.member_id, TODAY)
    dock = _dock(qtbot, db, p.therapist, NOW)
    assert dock.model.rowCount() == 0 and "权限" in dock.status.text()
    dock.open_selected()
    assert dock.dialog is None


# -- coverage --------------------------------------------------------------------------------


def _members(db: Database, n: int) -> list[int]:
    with db.write() as s:
        tier = s.scalars(select(Tier).order_by(Tier.id)).first()
        assert tier is not None
        rows = [
            Member(
                name=f"会员{k:03d}",
                phone=f"1350000{k:04d}",
                phone_last4=f"{k:04d}",
                joined_on=date(2030, 1, 1),
                tier_id=tier.id,
                last_visit_at=datetime(2030, 6, 1) + timedelta(days=k),
            )
            for k in range(n)
        ]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]


def _planned(db: Database) -> int:
    with db.read() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(ReturnVisit)
                .where(ReturnVisit.source == ReturnVisitSource.PERIODIC)
            )
            or 0
        )


def test_coverage_pages_and_plans_visits(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = people(db)
    ids = _members(db, PAGE_SIZE + 5)
    with db.write() as s:  # 张晓明 was called this month
        s.add(
            ReturnVisit(
                member_id=p.member_id, source=ReturnVisitSource.SERVICE, due_on=TODAY,
                done_at=NOW - timedelta(days=1), created_at=NOW,
            )
        )  # fmt: skip
    dialog = VisitCoverageDialog(db, SyncRunner(), p.desk, clock=_clock(NOW))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.period() == (date(2031, 3, 1), date(2031, 3, 31))
    total = PAGE_SIZE + 6
    assert dialog.gauge.text() == f"{1 / total:.1%}"
    assert f"会员 {total} 位" in dialog.figures.text() and "未回访 55 位" in dialog.figures.text()
    assert dialog.model.rowCount() == PAGE_SIZE and dialog.page.text() == "第 1 / 2 页"
    assert [r.member_id for r in dialog.model.rows()[:2]] == ids[:2]  # oldest visit first
    assert not dialog.previous.isEnabled() and dialog.next.isEnabled()
    assert not dialog.plan_selected.isEnabled()

    dialog.next.click()
    assert [r.member_id for r in dialog.model.rows()] == ids[PAGE_SIZE:]
    assert dialog.page.text() == "第 2 / 2 页" and not dialog.next.isEnabled()

    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.planned) as planned:
        dialog.plan_selected.click()
    assert planned.args == [1] and _planned(db) == 1
    assert "已为 1 位会员安排定期回访" in dialog.status.text()
    assert dialog.model.index(0, 6).data() == (TODAY + timedelta(days=3)).strftime("%m-%d 到期")

    monkeypatch.setattr("ui.dialogs.visit_coverage.confirm", lambda *_a: True)
    dialog.plan_page.click()
    assert _planned(db) == 5
    assert "另有 1 位已有待办回访" in dialog.status.text()


def test_coverage_refuses_a_backwards_period(qtbot: QtBot, db: Database) -> None:
    p = people(db)
    dialog = VisitCoverageDialog(db, SyncRunner(), p.desk, clock=_clock(NOW))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_period(date(2031, 3, 31), date(2031, 3, 1))
    assert dialog.status.text() == "开始日期不能晚于结束日期。"
    therapist = VisitCoverageDialog(db, SyncRunner(), p.therapist, clock=_clock(NOW))
    qtbot.addWidget(therapist)
    therapist.show()
    assert not therapist.plan_page.isEnabled() and "权限" in therapist.plan_page.toolTip()


# -- the menu --------------------------------------------------------------------------------


class _FakeComplaints:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def register(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def test_the_menu_and_escalation_to_the_complaint_form(qtbot: QtBot, db: Database) -> None:
    from ui.main_window import MainWindow
    from ui.visit_actions import VisitActions

    p = people(db)
    visit_id = _visit(db, p.member_id, TODAY)
    window = MainWindow(db, p.desk, SyncRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    dock = ReturnVisitsDock(db, window.runner, p.desk, window, clock=_clock(NOW))
    window.visits = dock  # type: ignore[attr-defined]
    fake = _FakeComplaints()
    window.complaint_actions = fake  # type: ignore[attr-defined]
    actions = VisitActions(window, clock=_clock(NOW))
    menu = QMenu("回访(&V)", window)
    toolbar = actions.build_menu(menu)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "待回访列表(&L)", "回访选中的顾客(&H)…", "回访覆盖率(&G)…", "回访总结(&S)…",
        "打印回访记录表(&P)…", "打印空白回访记录表(&B)…",
    ]  # fmt: skip
    assert toolbar == [actions.calls_action]
    assert actions.visit_action.shortcut().toString() == "Ctrl+Shift+H"

    actions.calls_action.trigger()
    assert [r.id for r in dock.model.rows()] == [visit_id]
    actions.visit_action.trigger()
    dialog = dock.dialog
    assert dialog is not None
    dialog.choose(Satisfaction.DISSATISFIED)
    dialog.suggestions.setPlainText("前台态度不好")
    dialog.save.click()
    dialog.escalate.click()
    [call] = fake.calls
    draft = call["prefill"]
    assert (draft.member_id, draft.booking_id, draft.from_visit_id) == (
        p.member_id,
        None,
        visit_id,
    )
    assert draft.content == "前台态度不好\n回访时顾客表示不满意：定期回访。"
    assert draft.channel is ComplaintChannel.PHONE
    window.close()


def test_a_non_members_visit_opens_the_form_with_name_and_number(
    qtbot: QtBot, db: Database
) -> None:
    """One click from 不满意 to a form that registers as it stands: the walk-in's name
    and number come with it, and a sensitive complaint's follow-up stays sensitive."""
    from clubdesk.services.complaint_steps import Judgement, advance
    from tests.core.complaint_helpers import register
    from ui.main_window import MainWindow

    p = people(db)
    cid = register(
        db, p, member_id=None, complainant_name="王先生", contact="13912345678", sensitive=True
    )
    done = advance(db, p.supervisor, cid, 1, Judgement(False, "已解释"), now=NOW)
    assert done.return_visit_id is not None
    window = MainWindow(db, p.supervisor, SyncRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    return_visits.record(
        db, p.supervisor, done.return_visit_id,
        return_visits.VisitOutcome(VisitChannel.PHONE, Satisfaction.DISSATISFIED, "还是不满意"),
        NOW,
    )  # fmt: skip
    window.visit_actions.escalate(done.return_visit_id)
    form = window.complaint_actions.register_dialog
    assert form is not None and form.isVisible()
    assert form.picker.guest_name() == "王先生"
    assert form.contact.text() == ""  # not shown at the counter; taken from the visit
    assert form.sensitive.isChecked() and not form.sensitive.isEnabled()
    form.submit()
    with db.read() as s:
        follow_up = s.execute(select(Complaint).where(Complaint.id != cid)).scalar_one()
        assert follow_up.complainant_name == "王先生" and follow_up.sensitive
        assert follow_up.contact == "13912345678"
    window.close()


def test_coverage_stays_open_until_the_planning_is_answered(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Esc while the visits are being planned: the dialog waits for the answer, so
    the count of planned visits is never lost."""
    from tests.ui.test_stats_lifetime import LateRunner

    p = people(db)
    _members(db, 3)
    runner = LateRunner()
    dialog = VisitCoverageDialog(db, runner, p.desk, clock=_clock(NOW))  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    runner.answer_all()  # the first page
    monkeypatch.setattr("ui.dialogs.visit_coverage.confirm", lambda *_a: True)
    dialog.plan_page.click()
    dialog.reject()
    assert dialog.isVisible() and "正在保存" in dialog.status.text()
    with qtbot.waitSignal(dialog.planned):
        runner.answer_all()
    dialog.reject()
    assert not dialog.isVisible()

"""One complaint's case: what was registered, every step done (who, when, what, and
whether it was late), the steps still to come with their deadlines, and the form for
the next step (``complaint_steps``).

Every step runs ``complaint_steps.advance`` through the task runner with the version
the user saw; on success the case is read again and ``changed`` tells the dock (a
closing also says by when the return visit it planned is due), on a refusal the
message goes under its field and what was typed stays.  Tab goes through the history,
the step's inputs and buttons, then 打印 and 关闭.  While a step is
being recorded the dialog does not close (WritingDialog).  A sensitive complaint the
user may not open never opens: the refusal is shown instead.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QImage, QShowEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, PermissionDenied
from clubdesk.i18n import _
from clubdesk.models.enums import ComplaintStepKind
from clubdesk.money import format_fen
from clubdesk.services import complaint_history as history
from clubdesk.services import complaints
from clubdesk.services.complaint_links import StaffOption, staff_options
from clubdesk.services.complaint_steps import StepDone, advance
from clubdesk.services.complaints import ComplaintDetail, StepView
from clubdesk.services.labels import label
from clubdesk.services.return_visits import visit_detail
from clubdesk.services.staff import StaffMember
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, confirm
from ui.dialogs.complaint_register import focus_next, submit_shortcuts, tab_order
from ui.dialogs.complaint_steps import (
    CaseContext,
    StepForm,
    Submission,
    form_for,
    todo_name,
)
from ui.dialogs.writing import WritingDialog
from ui.errors import show_error
from ui.pdf_output import open_pdf
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner
Clock = Callable[[], datetime]
S = ComplaintStepKind

LATE = "#b91c1c"
MUTED = "#6b7280"
SIGNATURE_URL = "clubdesk-signature:current"


@dataclass(frozen=True, slots=True)
class CaseData:
    detail: ComplaintDetail
    staff: list[StaffOption]
    signature: bytes | None


def load_case(db: Database, user: StaffMember | None, complaint_id: int, now: datetime) -> CaseData:
    """The complaint as the user may see it, the staff to name, the drawn signature."""
    detail = complaints.detail(db, user, complaint_id, now=now)
    named = [s.data.get("responsible_staff_id") for s in detail.steps if s.kind is S.INVESTIGATION]
    people = staff_options(db, include=[detail.staff_id, *(i for i in named if isinstance(i, int))])
    signature = complaints.signature(db, user, complaint_id) if detail.has_signature else None
    return CaseData(detail, people, signature)


def when(at: datetime | None) -> str:
    return at.strftime("%m-%d %H:%M") if at is not None else "—"


# -- the history as HTML -----------------------------------------------------------------------
def _e(text: object) -> str:
    return html.escape(str(text)).replace("\n", "<br>")


def step_lines(step: StepView, names: dict[int, str]) -> list[str]:
    """What a step recorded, in Chinese (HTML-escaped lines): the printed form's words."""
    return [_e(line) for line in history.step_lines(step.kind, step.note, step.data, names)]


def timeline_html(detail: ComplaintDetail, names: dict[int, str], image: bool) -> str:
    """The steps done, then the steps to come with their (projected) deadlines."""
    parts: list[str] = []
    last_screen = max(
        (
            i
            for i, s in enumerate(detail.steps)
            if s.kind is S.ACCEPTANCE and s.data.get("signature") == "screen"
        ),
        default=None,
    )
    for n, step in enumerate(detail.steps):
        title = history.step_title(step.kind, step.data)
        head = "<b>{step}</b>　{who}　{at}".format(
            step=_e(title), who=_e(step.staff or _("系统")), at=_e(when(step.at))
        )
        if step.due_at is not None:
            head += '　<span style="color:{c}">{due}</span>'.format(
                c=MUTED, due=_e(_("期限 {at}").format(at=when(step.due_at)))
            )
        if step.late:
            head += '　<b style="color:{c}">{late}</b>'.format(c=LATE, late=_e(_("超时")))
        body = "<br>".join(step_lines(step, names))
        if image and n == last_screen:
            body += f'<br><img src="{SIGNATURE_URL}" height="70">'
        parts.append(
            '<p style="margin:0 0 8px 0">{head}{br}{body}</p>'.format(
                head=head, br="<br>" if body else "", body=body
            )
        )
    if detail.plan:
        parts.append('<p style="margin:10px 0 4px 0"><b>{t}</b></p>'.format(t=_e(_("待办步骤"))))
        for n, (kind, due) in enumerate(detail.plan):
            if n == 0:
                colour = LATE if detail.overdue else "#111827"
                due_text = _("期限 {at}").format(at=when(due))
                if detail.overdue:
                    due_text += _("（已超时）")
                parts.append(
                    f'<p style="margin:0 0 4px 0">▶ <b>{_e(todo_name(kind))}</b>　'
                    f'<span style="color:{colour}">{_e(due_text)}</span></p>'
                )
            else:
                parts.append(
                    '<p style="margin:0 0 4px 0;color:{c}">　{step}　{due}</p>'.format(
                        c=MUTED,
                        step=_e(todo_name(kind)),
                        due=_e(_("预计期限 {at}").format(at=when(due))),
                    )
                )
    return "".join(parts)


# -- the dialog ----------------------------------------------------------------------------------
class ComplaintDialog(WritingDialog):
    """``changed(int)``: the complaint id, after each recorded step."""

    changed = Signal(int)

    def __init__(
        self,
        db: Database,
        runner: Runner,
        user: StaffMember | None,
        complaint_id: int,
        parent: QWidget | None = None,
        *,
        clock: Clock | None = None,
        data: CaseData | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.user = user
        self.complaint_id = complaint_id
        self.clock: Clock = clock or datetime.now
        self.data: CaseData | None = None
        self.form: StepForm | None = None
        self.refusal: str | None = None  # why the complaint cannot be opened
        self.setWindowTitle(_("投诉处理"))
        self.setMinimumSize(960, 640)
        self.resize(1120, 760)
        self._build()
        if data is not None:
            self._show(data)
        else:
            self.reload(first=True)

    # -- building ----------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        self.heading = QLabel(self)
        self.heading.setObjectName("complaintHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 15px;")
        outer.addWidget(self.heading)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter, 1)

        left = QWidget(splitter)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        facts_box = QGroupBox(_("登记信息"), left)
        self.facts = QGridLayout(facts_box)
        self.facts.setHorizontalSpacing(10)
        self.facts.setVerticalSpacing(4)
        self.facts.setColumnStretch(1, 1)
        self.facts.setColumnStretch(3, 1)
        self.values: dict[str, QLabel] = {}
        pairs = [
            ("complainant", _("投诉人"), "contact", _("联系电话")),
            ("received", _("受理时间"), "channel", _("渠道")),
            ("category", _("类别"), "severity", _("严重程度")),
            ("booking", _("关联预约"), "staff", _("被投诉员工")),
            ("department", _("涉及部门"), "registered_by", _("登记人")),
            ("handler", _("处理人"), "responsible", _("责任部门")),
        ]
        for row, (key1, text1, key2, text2) in enumerate(pairs):
            self._fact(row, 0, key1, text1)
            self._fact(row, 2, key2, text2)
        self._fact(len(pairs), 0, "content", _("投诉内容"), span=3)
        self._fact(len(pairs) + 1, 0, "remedy", _("顾客要求"), span=3)
        self._fact(len(pairs) + 2, 0, "compensation", _("已补偿"), span=3)
        column.addWidget(facts_box)
        history_box = QGroupBox(_("处理经过"), left)
        history = QVBoxLayout(history_box)
        self.timeline = QTextBrowser(history_box)
        self.timeline.setObjectName("complaintTimeline")
        self.timeline.setOpenLinks(False)
        self.timeline.setFrameShape(QFrame.Shape.NoFrame)
        history.addWidget(self.timeline)
        column.addWidget(history_box, 1)

        self.step_box = QGroupBox(splitter)
        self.step_box.setObjectName("complaintStepBox")
        self.step_box.setStyleSheet("QGroupBox#complaintStepBox { font-weight: bold; }")
        step_column = QVBoxLayout(self.step_box)
        self.step_scroll = QScrollArea(self.step_box)
        # Tab goes into the form's inputs, never to the frame around them (which still
        # scrolls to the input that has the focus).
        self.step_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.step_scroll.setWidgetResizable(True)
        self.step_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.step_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        step_column.addWidget(self.step_scroll)
        splitter.addWidget(left)
        splitter.addWidget(self.step_box)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([600, 480])

        self.status = QLabel(self)
        self.status.setObjectName("complaintStatus")
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(22)
        outer.addWidget(self.status)
        buttons = QHBoxLayout()
        self.print_button = QPushButton(_("打印登记表(&P)…"), self)
        self.print_button.setAutoDefault(False)
        self.print_button.clicked.connect(lambda _c=False: self.print_form())
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        hint = QLabel(_("Ctrl+Enter 提交本步，Esc 关闭"), self)
        hint.setStyleSheet(f"color: {MUTED};")
        buttons.addWidget(hint)
        self.close_button = QPushButton(_("关闭"), self)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)
        self.shortcuts = submit_shortcuts(self, self.submit_primary)

    def _fact(self, row: int, column: int, key: str, text: str, span: int = 1) -> None:
        name = QLabel(_("{label}：").format(label=text), self)
        name.setStyleSheet(f"color: {MUTED};")
        name.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        value = QLabel(self)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.facts.addWidget(name, row, column)
        self.facts.addWidget(value, row, column + 1, 1, span)
        self.values[key] = value

    # -- loading -----------------------------------------------------------------------
    def reload(self, *, first: bool = False) -> None:
        db, user, cid, now = self.db, self.user, self.complaint_id, self.clock()
        self.runner.submit(
            lambda: load_case(db, user, cid, now),
            self._show,
            lambda exc: self._load_failed(exc, first),
        )

    def _load_failed(self, exc: BaseException, first: bool) -> None:
        if not self.alive():
            return
        if first:
            # Not allowed (a sensitive complaint) or gone: the dialog must not open.
            self.refusal = exc.message if isinstance(exc, ClubDeskError) else str(exc)
            show_error(self.parentWidget(), exc)
            self.hide()
            return
        if self._writing:
            self._busy(False)
        self.say(_("读取失败。"), ERROR_COLOUR)
        show_error(self, exc)

    def setVisible(self, visible: bool) -> None:
        if visible and self.refusal is not None:
            return  # refused at the first read: stays closed whoever calls show()
        super().setVisible(visible)

    def _show(self, data: CaseData) -> None:
        if not self.alive():
            return
        if self._writing:
            self._busy(False)  # the read after a step: its buttons work again
        previous = self.data
        self.data = data
        d = data.detail
        self.setWindowTitle(_("投诉 {number} — {name}").format(number=d.number, name=d.complainant))
        self._show_heading(d)
        self._show_facts(d)
        names = {p.id: p.name for p in data.staff}
        document = self.timeline.document()
        image = QImage()
        if data.signature and image.loadFromData(data.signature):
            document.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(SIGNATURE_URL), image
            )
        self.timeline.setHtml(timeline_html(d, names, not image.isNull()))
        self._timeline_to_end()
        keep = (
            self.form is not None
            and previous is not None
            and previous.detail.next_step == d.next_step
            and previous.detail.step == d.step
        )
        if not keep:
            self._new_form(data)
        elif self.form is not None:
            self.form.ctx = CaseContext(d, data.staff, self.user)

    def _timeline_to_end(self) -> None:
        """The latest steps and what comes next are what the handler needs in view."""
        self.timeline.document().size()  # lays the document out, images included
        self.timeline.moveCursor(QTextCursor.MoveOperation.End)
        bar = self.timeline.verticalScrollBar()
        bar.setValue(bar.maximum())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timeline_to_end()  # laid out now: the end is where it will stay

    def _show_heading(self, d: ComplaintDetail) -> None:
        parts = [f"<b>{_e(d.number)}</b>　{_e(d.complainant)}"]
        if d.sensitive:
            parts.append('<span style="color:{c}">【{t}】</span>'.format(c=LATE, t=_e(_("敏感"))))
        if d.next_step is None:
            closed = _("已结案 {at}").format(at=when(d.closed_at))
            parts.append(f'<span style="color:{OK_COLOUR}">{_e(closed)}</span>')
        else:
            parts.append(
                _e(
                    _("已完成“{done}”，下一步“{next}”").format(
                        done=label(d.step), next=todo_name(d.next_step)
                    )
                )
            )
            due = _("期限 {at}").format(at=when(d.due_at))
            if d.overdue:
                due += _("（已超时）")
                parts.append(f'<b style="color:{LATE}">{_e(due)}</b>')
            else:
                parts.append(_e(due))
        self.heading.setText("　".join(parts))

    def _show_facts(self, d: ComplaintDetail) -> None:
        v = self.values
        member = _("（会员）") if d.member_id is not None else _("（散客）")
        v["complainant"].setText(d.complainant + member)
        v["contact"].setText(
            d.contact or (_("未留（用会员档案电话）") if d.member_id is not None else "—")
        )
        v["received"].setText(d.received_at.strftime("%Y-%m-%d %H:%M"))
        v["channel"].setText(label(d.channel))
        v["category"].setText(d.category)
        v["severity"].setText(label(d.severity))
        v["booking"].setText(d.booking or "—")
        v["staff"].setText(d.staff or "—")
        v["department"].setText(label(d.department) if d.department else "—")
        v["registered_by"].setText(d.registered_by or "—")
        v["handler"].setText(d.handler or _("未分派"))
        v["responsible"].setText(
            label(d.responsible_department) if d.responsible_department else "—"
        )
        v["content"].setText(d.content)
        v["remedy"].setText(d.requested_remedy or "—")
        v["compensation"].setText(format_fen(d.compensation_fen) if d.compensation_fen else "—")

    def _new_form(self, data: CaseData) -> None:
        if self.form is not None:
            self.form.hide()
            self.form.deleteLater()
        d = data.detail
        form = form_for(CaseContext(d, data.staff, self.user))
        form.submitted.connect(self._perform)
        form.problem.connect(self._form_problem)
        form.chain_changed.connect(self._tab_order)
        self.form = form
        self.step_scroll.setWidget(form)
        # The scroll area only scrolls up and down: it must be as wide as the form
        # needs (the signature pad, the remedy boxes), or the right edge is cut off.
        bar = self.step_scroll.verticalScrollBar().sizeHint().width()
        self.step_scroll.setMinimumWidth(form.minimumSizeHint().width() + bar)
        self._tab_order()
        if d.next_step is None:
            self.step_box.setTitle(_("已结案"))
        else:
            self.step_box.setTitle(_("下一步：{step}").format(step=todo_name(d.next_step)))
        first = form.first_input()
        if first is not None and form.may:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def tab_chain(self) -> list[QWidget]:
        """Left to right, top to bottom: the history, the step's inputs and buttons
        (its main button last), then 打印 and 关闭."""
        form = self.form.tab_chain() if self.form is not None else []
        return [self.timeline, *form, self.print_button, self.close_button]

    def _tab_order(self) -> None:
        tab_order(self.tab_chain())

    def focusNextPrevChild(self, next: bool) -> bool:
        moved = focus_next(self, self.tab_chain(), next)
        if moved is None:
            return super().focusNextPrevChild(next)
        if self.step_scroll.isAncestorOf(moved):
            self.step_scroll.ensureWidgetVisible(moved)
        return True

    def _form_problem(self, message: str, shown: bool) -> None:
        """The form refused its own input (before asking anything): say so."""
        self.say(_("没有保存，请按提示修改。") if shown else message, ERROR_COLOUR)

    # -- recording a step ---------------------------------------------------------------
    def submit_primary(self) -> None:
        """Ctrl+Enter: the current form's main button."""
        button = self.form.primary() if self.form is not None else None
        if button is not None and button.isEnabled() and not self.writing():
            button.click()

    def _perform(self, submission: object) -> None:
        if not isinstance(submission, Submission) or self.data is None or self.writing():
            return
        if submission.question is not None and not confirm(
            self, _("投诉处理"), submission.question
        ):
            self.say(_("没有办理。"))
            return
        form = self.form
        self._busy(True)
        db, user, cid, now = self.db, self.user, self.complaint_id, self.clock()
        version, action = self.data.detail.version, submission.action
        self.runner.submit(
            lambda: advance(db, user, cid, version, action, now=now),
            lambda done: self._done(done, submission.done),
            lambda exc: self._refused(exc, form),
        )

    def _busy(self, busy: bool) -> None:
        self._writing = busy
        if self.form is not None:
            self.form.set_busy(busy)
        self.print_button.setEnabled(not busy)
        if busy:
            self.say(_("正在保存…"))

    def _done(self, done: StepDone, text: str) -> None:
        if not self.alive():
            return
        # Still busy until the case is read again: a second step must build on the
        # version the first one made.
        if self.form is not None:
            self.form.dirty = False
        self.say(text, OK_COLOUR)
        if done.return_visit_id is not None:
            self._tell_visit(done.return_visit_id, text)
        self.changed.emit(done.complaint_id)
        self.reload()

    def _tell_visit(self, visit_id: int, text: str) -> None:
        """After closing: by when the return visit the closing planned is due."""
        db, user, now = self.db, self.user, self.clock()

        def told(due: str) -> None:
            if self.alive():
                self.say(text + due, OK_COLOUR)

        self.runner.submit(
            lambda: visit_detail(db, user, visit_id, now).call.due_on,
            lambda due_on: told(
                _("已安排回访，应于 {date} 前完成。").format(date=due_on.strftime("%m-%d"))
            ),
            lambda _exc: told(_("已安排回访。")),  # the visit is planned all the same
        )

    def _refused(self, exc: BaseException, form: StepForm | None) -> None:
        if not self.alive():
            return
        self._busy(False)
        if isinstance(exc, ClubDeskError) and not isinstance(exc, PermissionDenied):
            shown = (
                form is not None and form is self.form and form.show_error(exc.field, exc.message)
            )
            self.say(_("没有保存，请按提示修改。") if shown else exc.message, ERROR_COLOUR)
            if exc.field in ("version", "step"):
                self.reload()  # a colleague moved it on: show where it is now
            return
        self.say(_("没有保存。"), ERROR_COLOUR)
        show_error(self, exc)

    # -- printing ----------------------------------------------------------------------
    def print_form(self) -> None:
        """顾客投诉登记表 as a PDF: ask where, render in a worker, then open it."""
        if self.data is None or self.writing():
            return
        from clubdesk.pdf.registry import render_form

        suggested = Path.home() / _("顾客投诉登记表-{number}.pdf").format(
            number=self.data.detail.number
        )
        path, _filter = QFileDialog.getSaveFileName(
            self, _("保存顾客投诉登记表"), str(suggested), _("PDF 文件 (*.pdf)")
        )
        if not path:
            return
        db, cid, out = self.db, self.complaint_id, Path(path)
        self.say(_("正在生成 PDF…"))
        self.runner.submit(
            lambda: render_form(db, "complaint-form", cid, out), self._printed, self._print_failed
        )

    def _printed(self, path: Path) -> None:
        open_pdf(path)
        if self.alive():
            self.say(_("已保存：{path}").format(path=path), OK_COLOUR)

    def _print_failed(self, exc: BaseException) -> None:
        if self.alive():
            self.say(_("没有生成 PDF。"), ERROR_COLOUR)
            show_error(self, exc)

    # -- closing -----------------------------------------------------------------------
    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

    def reject(self) -> None:
        if (
            not self.writing()
            and self.form is not None
            and self.form.dirty
            and not confirm(self, _("投诉处理"), _("放弃尚未提交的内容？"))
        ):
            return
        super().reject()


def open_complaint(
    parent: QWidget | None,
    db: Database,
    runner: Runner,
    user: StaffMember | None,
    complaint_id: int,
    on_open: Callable[[ComplaintDialog], None],
    *,
    clock: Clock | None = None,
) -> None:
    """Read the case first; open its dialog only when the user may see it (otherwise
    the refusal, e.g. a sensitive complaint at the front desk, is shown instead)."""
    now = (clock or datetime.now)()

    def opened(data: CaseData) -> None:
        dialog = ComplaintDialog(db, runner, user, complaint_id, parent, clock=clock, data=data)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        on_open(dialog)
        dialog.show()

    runner.submit(
        lambda: load_case(db, user, complaint_id, now),
        opened,
        lambda exc: show_error(parent, exc),
    )

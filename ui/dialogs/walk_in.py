"""带客: the walk-in reception wizard, from the door to the suite.

1. 识别客人 — search the member (phone, card, name, initials) or take a walk-in:
   Enter on the empty field switches to a walk-in name, Enter on an empty name takes
   "散客".
2. 客人需求 — the service, how long, notes.
3. 选择房间和技师 — the suites and therapists free now for that long (board.free_now),
   each with "空闲至 HH:MM"; the first of each list is preselected.
4. 确认 — start the service now (a walk-in booking in service) or seat the guest in
   the lounge to wait.

The guest may leave at any step (客人离开, with a reason): the reception is recorded as
left.  Esc closes the wizard without recording anything it has not recorded yet.
Opened for a guest already waiting in the lounge, it starts at step 2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.services import board, reception
from clubdesk.services.board import FreeNow, FreeResource
from clubdesk.services.reception import LoungeRow, WalkInService
from clubdesk.services.staff import StaffMember
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.member_picker import MemberPicker

Runner = TaskRunner | SyncRunner
Clock = Callable[[], datetime]

PAGE_GUEST, PAGE_NEED, PAGE_ROOMS, PAGE_CONFIRM = range(4)
DURATIONS = (30, 45, 60, 90, 120)
NOTES_MAX = 120
HINT = "color: #6b7280;"
WARN = "color: #c0392b;"

# Why a guest leaves without being seated (suggestions; any text may be typed).
LEAVE_REASONS = (
    N_("没有空闲的房间或技师"),
    N_("等候时间太长"),
    N_("价格原因"),
    N_("只是咨询，改天再来"),
    N_("想要的技师不在"),
    N_("其他原因"),
)


def walk_in_default_name() -> str:
    return _("散客")


# -- small dialogs ------------------------------------------------------------------------


class LeaveReasonDialog(QDialog):
    """Why the guest left: pick a suggestion or type one; Enter records, Esc cancels."""

    def __init__(self, guest: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("客人离开"))
        layout = QVBoxLayout(self)
        text = _("登记“{guest}”未入座离开。离开原因：").format(guest=guest or _("客人"))
        prompt = QLabel(text, self)
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.reason = QComboBox(self)
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for reason in LEAVE_REASONS:
            self.reason.addItem(_(reason))
        self.reason.setCurrentIndex(-1)
        line = self.reason.lineEdit()
        assert line is not None
        line.setMaxLength(reception.REASON_MAX)
        line.setPlaceholderText(_("选择或填写原因"))
        prompt.setBuddy(self.reason)
        layout.addWidget(self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("登记离开"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason.currentTextChanged.connect(self._update)
        self._update()
        self.reason.setFocus()
        self.setMinimumWidth(360)

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.text()))

    def text(self) -> str:
        return self.reason.currentText().strip()

    def accept(self) -> None:
        if self.text():
            super().accept()


def ask_leave_reason(parent: QWidget, guest: str) -> str | None:
    dialog = LeaveReasonDialog(guest, parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.text()
        return None
    finally:
        dialog.deleteLater()


def until_text(free: FreeResource) -> str:
    if free.free_until is None:
        return _("空闲至打烊")
    return _("空闲至 {time}").format(time=free.free_until.strftime("%H:%M"))


# -- the pages ----------------------------------------------------------------------------


class GuestPage(QWizardPage):
    """Who: a member (search or card) or a walk-in name."""

    def __init__(self, wizard: WalkInWizard) -> None:
        super().__init__(wizard)
        self._wiz = wizard
        self.setTitle(_("第 1 步：识别客人"))
        self.setSubTitle(_("查找会员（手机号、卡号、姓名、拼音首字母），或登记散客。"))
        layout = QVBoxLayout(self)
        label = QLabel(_("会员或散客(&M)："), self)
        self.picker = MemberPicker(wizard.db, wizard.runner, self)
        label.setBuddy(self.picker.edit)
        layout.addWidget(label)
        layout.addWidget(self.picker)
        hint = QLabel(_("空白时按回车 = 散客；散客不填姓名再按回车 = “散客”。"), self)
        hint.setStyleSheet(HINT)
        layout.addWidget(hint)
        layout.addStretch(1)
        self.picker.member_changed.connect(lambda _m: self.completeChanged.emit())
        self.picker.edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.picker.walk_in_box.toggled.connect(lambda _on: self.completeChanged.emit())
        self.picker.edit.installEventFilter(self)

    def initializePage(self) -> None:
        self.picker.setFocus(Qt.FocusReason.OtherFocusReason)

    def isComplete(self) -> bool:
        return self.picker.member_id() is not None or self.picker.guest_name() is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.picker.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not self.picker.popup.isVisible()
        ):
            self.enter_pressed()
            return True
        return super().eventFilter(watched, event)

    def enter_pressed(self) -> None:
        text = self.picker.edit.text().strip()
        if not self.picker.is_walk_in() and not text:
            self.picker.set_walk_in("")
            return
        if self.picker.is_walk_in() and not text:
            self.picker.set_walk_in(walk_in_default_name())
        if self.isComplete():
            self._wiz.next()

    def guest(self) -> tuple[int | None, str | None, str]:
        """(member id, walk-in name, what to call the guest)."""
        picked = self.picker.picked()
        if picked is not None:
            return picked.id, None, picked.name
        name = self.picker.guest_name()
        return None, name, name or ""


class NeedPage(QWizardPage):
    def __init__(self, wizard: WalkInWizard) -> None:
        super().__init__(wizard)
        self._wiz = wizard
        self.setTitle(_("第 2 步：客人需求"))
        self.setSubTitle(_("选择服务项目和时长，记下客人的要求。"))
        form = QFormLayout(self)
        self.guest_label = QLabel(self)
        self.guest_label.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(_("客人："), self.guest_label)
        self.need_label = QLabel(self)
        self.need_label.setTextFormat(Qt.TextFormat.PlainText)
        self.need_label.setWordWrap(True)
        if wizard.waiting is not None and wizard.waiting.need:
            self.need_label.setText(wizard.waiting.need)
            form.addRow(_("到店时说："), self.need_label)
        self.service = QComboBox(self)
        self.service.setMinimumWidth(260)
        self.service.setPlaceholderText(_("正在读取服务项目…"))
        label = QLabel(_("服务项目(&S)："), self)
        label.setBuddy(self.service)
        form.addRow(label, self.service)
        self.minutes = QComboBox(self)
        label = QLabel(_("时长(&D)："), self)
        label.setBuddy(self.minutes)
        form.addRow(label, self.minutes)
        self.notes = QLineEdit(self)
        self.notes.setMaxLength(NOTES_MAX)
        self.notes.setPlaceholderText(_("如：力度轻一点、肩颈酸、要女技师"))
        label = QLabel(_("备注(&N)："), self)
        label.setBuddy(self.notes)
        form.addRow(label, self.notes)
        self.service.currentIndexChanged.connect(self._service_changed)
        self.setTabOrder(self.service, self.minutes)
        self.setTabOrder(self.minutes, self.notes)

    def set_services(self, rows: list[WalkInService]) -> None:
        self.service.clear()
        for row in rows:
            self.service.addItem(row.name, row)
        self.service.setPlaceholderText(_("没有可接待散客的服务项目") if not rows else "")
        self._preselect()
        self.completeChanged.emit()

    def _preselect(self) -> None:
        """A guest from the lounge: the service their need names (the wizard writes
        "service（n 分钟）：notes"), and the rest of the need as the notes."""
        need = self._wiz.waiting.need if self._wiz.waiting else ""
        for index in range(self.service.count()):
            row = self.service.itemData(index)
            if need and need.startswith(row.name):
                self.service.setCurrentIndex(index)
                self.notes.setText(need.partition("：")[2].strip())
                return
        if self.service.count() and self.service.currentIndex() < 0:
            self.service.setCurrentIndex(0)
        if need and not self.notes.text():
            self.notes.setText(need[:NOTES_MAX])

    def _service_changed(self, _index: int) -> None:
        row = self.chosen_service()
        self.minutes.clear()
        if row is None:
            return
        for minutes in sorted({*DURATIONS, row.duration_min}):
            text = _("{n} 分钟").format(n=minutes)
            if minutes == row.duration_min:
                text = _("{n} 分钟（标准）").format(n=minutes)
            self.minutes.addItem(text, minutes)
        self.minutes.setCurrentIndex(self.minutes.findData(row.duration_min))
        self.completeChanged.emit()

    def initializePage(self) -> None:
        self.guest_label.setText(self._wiz.guest_label())
        self.service.setFocus(Qt.FocusReason.OtherFocusReason)

    def isComplete(self) -> bool:
        return self.chosen_service() is not None and self.chosen_minutes() > 0

    def chosen_service(self) -> WalkInService | None:
        row = self.service.currentData()
        return row if isinstance(row, WalkInService) else None

    def chosen_minutes(self) -> int:
        value = self.minutes.currentData()
        return int(value) if value is not None else 0

    def need_text(self) -> str:
        row = self.chosen_service()
        if row is None:
            return self.notes.text().strip()
        text = _("{service}（{n} 分钟）").format(service=row.name, n=self.chosen_minutes())
        notes = self.notes.text().strip()
        return text + ("：" + notes if notes else "")


class RoomsPage(QWizardPage):
    def __init__(self, wizard: WalkInWizard) -> None:
        super().__init__(wizard)
        self._wiz = wizard
        self.setTitle(_("第 3 步：选择房间和技师"))
        self.setSubTitle(_("只列出现在空闲、能做这个项目、够这段时长的房间和技师。"))
        self.free: FreeNow | None = None
        self._generation = 0
        grid = QGridLayout(self)
        self.when = QLabel(self)
        grid.addWidget(self.when, 0, 0, 1, 2)
        self.rooms = self._list()
        self.staff = self._list()
        rooms_label = QLabel(_("空闲房间/包间(&R)："), self)
        rooms_label.setBuddy(self.rooms)
        staff_label = QLabel(_("空闲技师(&T)："), self)
        staff_label.setBuddy(self.staff)
        grid.addWidget(rooms_label, 1, 0)
        grid.addWidget(staff_label, 1, 1)
        grid.addWidget(self.rooms, 2, 0)
        grid.addWidget(self.staff, 2, 1)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        grid.addWidget(self.status, 3, 0, 1, 2)
        refresh = QPushButton(_("刷新(F5)"), self)
        refresh.setAutoDefault(False)
        refresh.clicked.connect(self.reload)
        grid.addWidget(refresh, 4, 1, Qt.AlignmentFlag.AlignRight)
        QShortcut(QKeySequence("F5"), self, self.reload)
        self.setTabOrder(self.rooms, self.staff)

    def _list(self) -> QListWidget:
        widget = QListWidget(self)
        widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        widget.setMinimumSize(240, 200)
        widget.itemSelectionChanged.connect(self.completeChanged.emit)
        return widget

    def initializePage(self) -> None:
        self.reload()

    def reload(self) -> None:
        need = self._wiz.need_page
        service = need.chosen_service()
        if service is None:
            return
        now, minutes = self._wiz.now(), need.chosen_minutes()
        self.when.setText(
            _("现在 {now}，“{service}” {n} 分钟，到 {end}。").format(
                now=now.strftime("%H:%M"),
                service=service.name,
                n=minutes,
                end=(now + timedelta(minutes=minutes)).strftime("%H:%M"),
            )
        )
        self.rooms.clear()
        self.staff.clear()
        self.free = None
        self.status.setStyleSheet(HINT)
        self.status.setText(_("正在查找空闲的房间和技师…"))
        self._generation += 1
        generation = self._generation
        db = self._wiz.db
        self._wiz.runner.submit(
            lambda: board.free_now(db, now, service_id=service.id, minutes=minutes),
            lambda free: self._loaded(free, generation),
            lambda exc: self._failed(exc, generation),
        )

    def _loaded(self, free: FreeNow, generation: int) -> None:
        if generation != self._generation:
            return
        self.free = free
        self._fill(self.rooms, free.rooms, _("没有空闲的房间"))
        self._fill(self.staff, free.staff, _("没有空闲的技师"))
        if not free.rooms and not free.staff:
            self.status.setStyleSheet(WARN)
            self.status.setText(
                _("现在没有能做这个项目的空闲房间或技师：可以请客人在休息区等候，或换一个项目。")
            )
        else:
            self.status.setStyleSheet(HINT)
            self.status.setText(_("已选中最合适的房间和技师；↑↓ 更换，Tab 切换列表，回车下一步。"))
        first = self.rooms if free.rooms else self.staff
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.completeChanged.emit()

    def _fill(self, widget: QListWidget, rows: tuple[FreeResource, ...], empty: str) -> None:
        widget.clear()
        for free in rows:
            item = QListWidgetItem(f"{free.resource.name}　{until_text(free)}")
            item.setData(Qt.ItemDataRole.UserRole, (free.resource.id, free.resource.name))
            widget.addItem(item)
        if rows:
            widget.setCurrentRow(0)
        else:
            item = QListWidgetItem(empty)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            widget.addItem(item)

    def _failed(self, exc: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self.status.setStyleSheet(WARN)
        self.status.setText(_("查找空闲房间失败。"))
        show_error(self, exc)

    def isComplete(self) -> bool:
        return self.free is not None

    @staticmethod
    def _chosen(widget: QListWidget) -> tuple[int, str] | None:
        items = widget.selectedItems()
        if not items:
            return None
        value = items[0].data(Qt.ItemDataRole.UserRole)
        if value is None:
            return None
        resource_id, name = value
        return int(resource_id), str(name)

    def chosen_room(self) -> tuple[int, str] | None:
        return self._chosen(self.rooms)

    def chosen_staff(self) -> tuple[int, str] | None:
        return self._chosen(self.staff)

    def resource_ids(self) -> tuple[int, ...]:
        return tuple(c[0] for c in (self.chosen_room(), self.chosen_staff()) if c is not None)


class ConfirmPage(QWizardPage):
    def __init__(self, wizard: WalkInWizard) -> None:
        super().__init__(wizard)
        self._wiz = wizard
        self.setTitle(_("第 4 步：确认"))
        self.setSubTitle(_("核对后开始服务，或请客人先在休息区等候。"))
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.start_now = QRadioButton(_("立即开始服务(&S)"), self)
        self.wait = QRadioButton(_("请客人在休息区等候(&W)"), self)
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.start_now)
        self.choice.addButton(self.wait)
        layout.addWidget(self.start_now)
        layout.addWidget(self.wait)
        self.start_now.toggled.connect(lambda _on: self._finish_text())
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet(HINT)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def initializePage(self) -> None:
        wiz = self._wiz
        need, rooms = wiz.need_page, wiz.rooms_page
        service = need.chosen_service()
        now = wiz.now()
        minutes = need.chosen_minutes()
        room, person = rooms.chosen_room(), rooms.chosen_staff()
        lines = [
            (_("客人"), wiz.guest_label()),
            (_("服务项目"), service.name if service else ""),
            (
                _("时间"),
                _("{start}–{end}（{n} 分钟）").format(
                    start=now.strftime("%H:%M"),
                    end=(now + timedelta(minutes=minutes)).strftime("%H:%M"),
                    n=minutes,
                ),
            ),
            (_("房间"), room[1] if room else _("（不选）")),
            (_("技师"), person[1] if person else _("（不选）")),
            (_("备注"), need.notes.text().strip() or "—"),
        ]
        self.summary.setText(
            "<table cellspacing='4'>"
            + "".join(
                f"<tr><td style='color:#6b7280'>{_escape(k)}：</td>"
                f"<td><b>{_escape(v)}</b></td></tr>"
                for k, v in lines
            )
            + "</table>"
        )
        can_start = bool(rooms.resource_ids())
        self.start_now.setEnabled(can_start)
        self.start_now.setChecked(can_start)
        self.wait.setChecked(not can_start)
        if wiz.waiting is not None:
            self.wait.setText(_("继续在休息区等候(&W)"))
        (self.start_now if can_start else self.wait).setFocus(Qt.FocusReason.OtherFocusReason)
        self._finish_text()

    def _finish_text(self) -> None:
        if self.starts_now():
            text = _("开始服务(&F)")
            self.note.setText(_("回车：开始服务，房间和技师立即占用。"))
        else:
            text = _("登记等候(&F)")
            if self.start_now.isEnabled():
                self.note.setText(_("回车：请客人在休息区等候，房间和技师暂不占用。"))
            else:
                self.note.setText(_("没有选房间或技师，不能开始服务；客人可以在休息区等候。"))
        self._wiz.setButtonText(QWizard.WizardButton.FinishButton, text)

    def starts_now(self) -> bool:
        return self.start_now.isChecked() and self.start_now.isEnabled()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- the wizard ---------------------------------------------------------------------------


class WalkInWizard(QWizard):
    """``seated(booking_id)`` when the service started; ``received(reception_id)`` when
    the guest was recorded (seated in the lounge, or a start that failed and left them
    waiting); ``left(reception_id)`` when the guest left."""

    seated = Signal(int)
    received = Signal(int)
    left = Signal(int)

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: StaffMember | None,
        parent: QWidget | None = None,
        *,
        waiting: LoungeRow | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.actor = actor
        self.waiting = waiting
        self.now: Clock = clock or datetime.now
        self.opened_at = self.now()
        self.reception_id: int | None = waiting.reception_id if waiting else None
        self.booking_id: int | None = None
        self.outcome: str | None = None  # "seated", "lounge", "left"
        self._closing = False
        self._busy = False
        self._new_reception = False  # recorded by this wizard, not yet announced

        self.setWindowTitle(_("带客接待"))
        self.setObjectName("walkInWizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveCustomButton1, True)
        self.setButtonText(QWizard.WizardButton.CustomButton1, _("客人离开(&L)"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("< 上一步(&B)"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("下一步(&N) >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("完成(&F)"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("关闭"))
        self.customButtonClicked.connect(self._custom)

        self.guest_page = GuestPage(self)
        self.need_page = NeedPage(self)
        self.rooms_page = RoomsPage(self)
        self.confirm_page = ConfirmPage(self)
        self.setPage(PAGE_GUEST, self.guest_page)
        self.setPage(PAGE_NEED, self.need_page)
        self.setPage(PAGE_ROOMS, self.rooms_page)
        self.setPage(PAGE_CONFIRM, self.confirm_page)
        if waiting is not None:
            self.setStartId(PAGE_NEED)
        self.resize(640, 460)
        db = self.db
        self.runner.submit(
            lambda: reception.walk_in_services(db),
            self.need_page.set_services,
            self._services_failed,
        )

    def _services_failed(self, exc: BaseException) -> None:
        show_error(self, exc)

    # -- who ---------------------------------------------------------------------------
    def guest(self) -> tuple[int | None, str | None, str]:
        if self.waiting is not None:
            return self.waiting.member_id, None, self.waiting.guest
        return self.guest_page.guest()

    def guest_label(self) -> str:
        name = self.guest()[2]
        if self.waiting is not None:
            return _("{guest}（已在休息区等候 {n} 分钟）").format(
                guest=name,
                n=max(0, int((self.now() - self.waiting.received_at).total_seconds() // 60)),
            )
        if self.guest()[0] is None:
            return _("{guest}（散客）").format(guest=name)
        return name

    def take_member(self, member_id: int) -> bool:
        """A card read while the wizard is on its first step identifies the guest (the
        window's card reader can hand scans here); False when it is past that step."""
        if self.waiting is not None or self.currentId() != PAGE_GUEST:
            return False
        self.guest_page.picker.load_member(member_id)
        return True

    # -- finishing ---------------------------------------------------------------------
    def accept(self) -> None:
        if self._closing:
            super().accept()
            return
        if self._busy:
            return
        if self.currentId() != PAGE_CONFIRM:
            self.next()
            return
        self._finish()

    def _finish(self) -> None:
        """Record the reception (unless the guest already has one), then seat them."""
        if self.reception_id is None:
            db, actor = self.db, self.actor
            member_id, guest_name, _name = self.guest()
            need, received_at = self.need_page.need_text(), self.opened_at
            self._run(
                lambda: reception.receive(
                    db, actor, member_id=member_id, guest_name=guest_name, need=need,
                    at=received_at,
                ),
                self._received,
            )  # fmt: skip
            return
        self._seat()

    def _received(self, reception_id: int) -> None:
        self.reception_id = reception_id
        self._new_reception = True
        self._seat()

    def _seat(self) -> None:
        service = self.need_page.chosen_service()
        if not self.confirm_page.starts_now() or service is None:
            self.outcome = "lounge"
            if self._new_reception and self.reception_id is not None:
                self.received.emit(self.reception_id)
            self._close()
            return
        db, actor, rid = self.db, self.actor, self.reception_id
        assert rid is not None
        minutes, ids = self.need_page.chosen_minutes(), self.rooms_page.resource_ids()
        notes, now = self.need_page.need_text(), self.now()

        def work() -> int:
            return reception.seat(
                db, actor, rid, service_id=service.id, resource_ids=ids, minutes=minutes,
                notes=notes, at=now,
            ).booking_id  # fmt: skip

        self._run(
            work,
            self._seated,
            self._seat_failed,
        )

    def _seated(self, booking_id: int) -> None:
        self.booking_id = booking_id
        self.outcome = "seated"
        self.seated.emit(booking_id)
        self._close()

    def _seat_failed(self, exc: BaseException) -> None:
        """The suite or therapist was taken meanwhile (or the like): the guest stays in
        the lounge with their reception; pick again from a fresh list."""
        if self._new_reception and self.reception_id is not None:
            self._new_reception = False
            self.received.emit(self.reception_id)
        show_error(self, exc)
        if self.currentId() == PAGE_CONFIRM:
            self.back()
            self.rooms_page.reload()

    def _run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._set_busy(True)

        def ok(result: Any) -> None:
            self._set_busy(False)
            done(result)

        def bad(exc: BaseException) -> None:
            self._set_busy(False)
            (failed or self._failed)(exc)

        self.runner.submit(work, ok, bad)

    def _failed(self, exc: BaseException) -> None:
        show_error(self, exc)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for which in (
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.NextButton,
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.CustomButton1,
        ):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not busy)
        if not busy:
            # Give the pages back their own say over Next / Finish.
            page = self.currentPage()
            if page is not None:
                page.completeChanged.emit()

    def _close(self) -> None:
        self._closing = True
        # After the runner's callback returns: closing inside it would end the event
        # loop of exec() while the caller is still on the stack.
        QTimer.singleShot(0, self, self._really_close)

    def _really_close(self) -> None:
        QDialog.done(self, QDialog.DialogCode.Accepted)

    # -- the guest leaves --------------------------------------------------------------
    def _custom(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.guest_leaves()

    def guest_leaves(self) -> None:
        if self._busy:
            return
        member_id, guest_name, name = self.guest()
        reason = ask_leave_reason(self, name)
        if reason is None:
            return
        if member_id is None and guest_name is None:
            guest_name = walk_in_default_name()
        db, actor = self.db, self.actor
        known, received_at, now = self.reception_id, self.opened_at, self.now()
        need = self.need_page.need_text() if self.currentId() >= PAGE_NEED else None

        def work() -> int:
            rid = known
            if rid is None:
                rid = reception.receive(
                    db, actor, member_id=member_id, guest_name=guest_name, need=need,
                    at=received_at,
                )  # fmt: skip
            reception.leave(db, actor, rid, reason, at=now)
            return rid

        def done(rid: int) -> None:
            self.reception_id = rid
            self.outcome = "left"
            self.left.emit(rid)
            self._close()

        self._run(work, done)

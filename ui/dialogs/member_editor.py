"""登记新会员 / 修改会员资料: every profile field of domain.md section 1.

The service validates and normalises (full-width digits, +86, spaces); a refused field
gets its message in red under the input and the focus.  A phone that is another
member's account offers to open that member.  An edit another counter saved first is a
conflict: the dialog says so and offers to reload.  Front-desk staff who may not see
full phone numbers see the number masked and can only replace it, not read it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, DomainError
from clubdesk.i18n import _
from clubdesk.models import Member, Staff
from clubdesk.models.enums import CardKind, Gender
from clubdesk.privacy import mask_phone
from clubdesk.search_terms import QueryKind
from clubdesk.services import member_search, members
from clubdesk.services.labels import label
from clubdesk.services.members import DuplicatePhone, MemberInput
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.roster import MemberRow
from clubdesk.services.staff import StaffMember
from ui.dialogs.card_actions import ERROR_COLOUR, FieldBox, FieldErrors
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner

GENDERS = (Gender.UNKNOWN, Gender.FEMALE, Gender.MALE)
PENDING = -1  # the referrer list's "please choose" entry: several matches, none chosen yet
CARD_CHOICES: tuple[CardKind | None, ...] = (None, CardKind.STORED_VALUE, CardKind.DISCOUNT)
_DATE_SEPARATORS = re.compile(r"[/.\-年月]")


def parse_birthday(text: str) -> date | None:
    """'1990-03-15', '1990/3/15', '1990.3.15', '19900315', '1990年3月15日' (full-width too)."""
    plain = unicodedata.normalize("NFKC", text).strip().replace(" ", "").rstrip("日号")
    if not plain:
        return None
    try:
        if plain.isdigit() and len(plain) == 8:
            return date(int(plain[:4]), int(plain[4:6]), int(plain[6:]))
        parts = _DATE_SEPARATORS.split(plain)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            year, month, day = (int(p) for p in parts)
            if year < 100:
                raise ValueError
            return date(year, month, day)
    except ValueError:
        pass
    raise DomainError(
        _("生日“{text}”不是有效日期，请按 1990-03-15 的格式填写，或留空。").format(text=text),
        field="birthday",
    )


class SearchLine(QLineEdit):
    """Enter searches here instead of pressing the dialog's default button."""

    search = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.search.emit()
            return
        super().keyPressEvent(event)


@dataclass(frozen=True, slots=True)
class _Loaded:
    staff: list[tuple[int, str]]
    data: MemberInput | None
    version: int | None
    referrer: tuple[int, str] | None  # id, "name 138****1234"


class _Conflict(DomainError):
    """Another counter saved this member after the form was loaded."""


def _load(db: Database, member_id: int | None) -> _Loaded:
    with db.read() as session:
        staff = [
            (s.id, _("{name}（{role}）").format(name=s.display_name, role=label(s.role)))
            for s in session.scalars(
                select(Staff).where(Staff.active.is_(True)).order_by(Staff.display_name, Staff.id)
            )
        ]
    if member_id is None:
        return _Loaded(staff, None, None, None)
    data, version = members.load_input(db, member_id)
    referrer = None
    if data.referred_by_id is not None:
        with db.read() as session:
            other = session.get(Member, data.referred_by_id)
            if other is not None:
                referrer = (other.id, f"{other.name}  {mask_phone(other.phone)}")
    return _Loaded(staff, data, version, referrer)


def _find_referrers(
    db: Database, typed: str, exclude: int | None
) -> tuple[list[MemberRow], int | None]:
    """Members matching ``typed`` (not ``exclude``), and the one to preselect: the only
    match, or the one whose full phone or card number was typed; None to make the
    counter choose."""
    page = member_search.search(db, typed, limit=20)
    rows = [r for r in page.rows if r.id != exclude]
    if len(rows) == 1:
        return rows, rows[0].id
    query = page.query
    exact: list[MemberRow] = []
    if query is not None and query.kind is QueryKind.CARD:
        exact = [r for r in rows if r.card_number == query.text]
    elif query is not None and query.kind is QueryKind.PHONE_FULL:
        exact = rows
    return rows, exact[0].id if len(exact) == 1 else None


def _update(
    db: Database, actor: StaffMember | None, member_id: int, data: MemberInput, version: int
) -> int:
    try:
        return members.update(db, actor, member_id, data, expected_version=version)
    except DomainError as exc:
        if exc.field is None and not isinstance(exc, DuplicatePhone):
            _data, current = members.load_input(db, member_id)
            if current != version:
                raise _Conflict(exc.message) from exc
        raise


class MemberEditor(QDialog):
    """Create mode (``member_id`` None) or edit mode; ``saved`` carries the member id."""

    saved = Signal(int)
    open_member_requested = Signal(int)  # "打开该会员" on a duplicate phone

    def __init__(
        self,
        parent: QWidget | None,
        db: Database,
        actor: StaffMember | None,
        runner: Runner,
        member_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.runner = db, actor, runner
        self.member_id = member_id
        self.version: int | None = None
        self.original: MemberInput | None = None
        self.duplicate_id: int | None = None
        self.saving = False
        self._baseline: tuple[Any, ...] = ()
        self._phone_locked = False
        self.errors = FieldErrors()
        self.setObjectName("memberEditor")
        self.setWindowTitle(_("登记新会员") if member_id is None else _("修改会员资料"))
        self.setSizeGripEnabled(True)
        self._build()
        self.resize(860, self.sizeHint().height())
        self.load()

    # -- building ------------------------------------------------------------------
    def _box(self, name: str, field: QWidget, extra: list[QWidget] | None = None) -> FieldBox:
        return self.errors.add(name, FieldBox(field, self, extra or []))

    def _build(self) -> None:
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(40)
        self.name_edit.setPlaceholderText(_("必填"))
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setMaxLength(30)
        self.phone_edit.setPlaceholderText(_("必填，11 位手机号，即会员账号"))
        self.foreign_check = QCheckBox(_("境外号码"), self)
        self.replace_phone = QPushButton(_("更换号码"), self)
        self.replace_phone.setToolTip(_("您的账号只能看到隐藏中间位的号码；点此清空后输入新号码"))
        self.replace_phone.hide()
        self.open_duplicate = QPushButton(_("打开该会员"), self)
        self.open_duplicate.hide()
        self.gender_combo = QComboBox(self)
        for gender in GENDERS:
            self.gender_combo.addItem(label(gender), gender)
        self.birthday_edit = QLineEdit(self)
        self.birthday_edit.setPlaceholderText(_("如 1990-03-15，可不填"))
        self.age_spin = QSpinBox(self)
        self.age_spin.setRange(0, 150)
        self.age_spin.setSpecialValueText(_("未填"))
        self.age_spin.setSuffix(_(" 岁"))
        self.age_spin.setToolTip(_("不知道生日时可填年龄；填了生日就不用填年龄"))
        self.wechat_edit = QLineEdit(self)
        self.wechat_edit.setMaxLength(60)
        self.email_edit = QLineEdit(self)
        self.email_edit.setMaxLength(120)
        self.joined_edit = QDateEdit(QDate.currentDate(), self)
        self.joined_edit.setCalendarPopup(True)
        self.joined_edit.setDisplayFormat("yyyy-MM-dd")
        self.specialist_combo = QComboBox(self)
        self.specialist_combo.addItem(_("（未指定）"), None)
        self.referrer_search = SearchLine(self)
        self.referrer_search.setPlaceholderText(_("输入手机号、尾号或姓名后按回车查找"))
        self.referrer_find = QPushButton(_("查找"), self)
        self.referrer_find.setAutoDefault(False)
        self.referrer_combo = QComboBox(self)
        self.referrer_combo.addItem(_("（无推荐人）"), None)
        self.referrer_combo.setMinimumContentsLength(16)
        self.referrer_hint = QLabel(self)
        self.referrer_hint.setStyleSheet("color: #6b7280;")
        self.card_combo = QComboBox(self)
        for kind in CARD_CHOICES:
            self.card_combo.addItem(_("不发卡") if kind is None else label(kind), kind)
        self.preferences_edit = self._text_box(_("如：偏好精油SPA、喜欢安静的包间"))
        self.needs_edit = self._text_box(_("如：水温 40 度、按摩力度轻、对花生过敏"))
        self.notes_edit = self._text_box("")

        left = QFormLayout()
        right = QFormLayout()
        for form in (left, right):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setVerticalSpacing(6)
        left.addRow(_("姓名(&N)："), self._box("name", self.name_edit))
        left.addRow(
            _("手机(&P)："),
            self._box(
                "phone",
                self.phone_edit,
                [self.foreign_check, self.replace_phone, self.open_duplicate],
            ),
        )
        left.addRow(_("性别："), self._box("gender", self.gender_combo))
        left.addRow(_("生日(&B)："), self._box("birthday", self.birthday_edit))
        left.addRow(_("年龄："), self._box("age", self.age_spin))
        left.addRow(_("微信号："), self._box("wechat", self.wechat_edit))
        left.addRow(_("电子邮箱："), self._box("email", self.email_edit))
        right.addRow(_("入会日期："), self._box("joined_on", self.joined_edit))
        right.addRow(_("客服专员："), self._box("specialist", self.specialist_combo))
        right.addRow(
            _("推荐人(&R)："), self._box("referred_by", self.referrer_search, [self.referrer_find])
        )
        right.addRow("", self.referrer_combo)
        right.addRow("", self.referrer_hint)
        self.card_label = QLabel(_("同时发卡："), self)
        right.addRow(self.card_label, self._box("card", self.card_combo))

        texts = QGridLayout()
        texts.setHorizontalSpacing(10)
        for column, (caption, name, edit) in enumerate(
            (
                (_("消费偏好："), "preferences", self.preferences_edit),
                (_("特殊需求："), "special_needs", self.needs_edit),
                (_("备注："), "notes", self.notes_edit),
            )
        ):
            texts.addWidget(QLabel(caption, self), 0, column)
            texts.addWidget(self._box(name, edit), 1, column)

        columns = QHBoxLayout()
        columns.setSpacing(24)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        self.banner = QLabel(self)
        self.banner.setObjectName("editorError")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.banner.hide()
        self.save_button = QPushButton(_("保存(&S)"), self)
        self.save_button.setDefault(True)
        self.save_button.setToolTip(_("保存（Ctrl+S 或回车）"))
        self.cancel_button = QPushButton(_("取消"), self)
        self.cancel_button.setAutoDefault(False)
        hint = QLabel(_("姓名和手机必填。回车或 Ctrl+S 保存，Esc 取消。"), self)
        hint.setStyleSheet("color: #6b7280;")
        buttons = QHBoxLayout()
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(columns)
        layout.addLayout(texts)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)

        if self.member_id is not None:
            self.card_label.hide()
            self.errors.boxes["card"].hide()

        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        self.referrer_search.search.connect(self.find_referrer)
        self.referrer_find.clicked.connect(self.find_referrer)
        self.referrer_combo.activated.connect(
            lambda _i: self.errors.boxes["referred_by"].clear_error()
        )
        self.replace_phone.clicked.connect(self._unlock_phone)
        self.open_duplicate.clicked.connect(self._open_duplicate)
        self.phone_edit.textEdited.connect(lambda _t: self.open_duplicate.hide())
        self.birthday_edit.textChanged.connect(lambda t: self.age_spin.setEnabled(not t.strip()))
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self._set_tab_order()

    def _text_box(self, placeholder: str) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setTabChangesFocus(True)
        edit.setPlaceholderText(placeholder)
        edit.setFixedHeight(74)
        return edit

    def _set_tab_order(self) -> None:
        order: list[QWidget] = [
            self.name_edit,
            self.phone_edit,
            self.foreign_check,
            self.replace_phone,
            self.open_duplicate,
            self.gender_combo,
            self.birthday_edit,
            self.age_spin,
            self.wechat_edit,
            self.email_edit,
            self.joined_edit,
            self.specialist_combo,
            self.referrer_search,
            self.referrer_find,
            self.referrer_combo,
            self.card_combo,
            self.preferences_edit,
            self.needs_edit,
            self.notes_edit,
            self.save_button,
            self.cancel_button,
        ]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    # -- loading -------------------------------------------------------------------
    def load(self) -> None:
        """(Re)load the staff list and, in edit mode, the profile; drops unsaved edits."""
        if self.member_id is not None:
            self.setEnabled(False)
        db, member_id = self.db, self.member_id
        self.runner.submit(lambda: _load(db, member_id), self._loaded, self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self.setEnabled(True)
        show_error(self, exc)
        if self.member_id is not None:
            self.done(QDialog.DialogCode.Rejected)

    def _loaded(self, loaded: _Loaded) -> None:
        self.setEnabled(True)
        keep = self.specialist_combo.currentData()
        self.specialist_combo.clear()
        self.specialist_combo.addItem(_("（未指定）"), None)
        for staff_id, text in loaded.staff:
            self.specialist_combo.addItem(text, staff_id)
        if loaded.data is not None:
            self._fill(loaded.data, loaded.referrer)
            self.version = loaded.version
        else:
            self._select(self.specialist_combo, keep)
        self._baseline = self.snapshot()
        self.banner.hide()
        self.errors.clear()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill(self, data: MemberInput, referrer: tuple[int, str] | None) -> None:
        self.original = data
        self.setWindowTitle(_("修改会员资料 — {name}").format(name=data.name))
        self.name_edit.setText(data.name)
        self._phone_locked = not allowed(self.actor, Permission.VIEW_FULL_PHONE)
        self.phone_edit.setText(mask_phone(data.phone) if self._phone_locked else data.phone)
        self.phone_edit.setReadOnly(self._phone_locked)
        self.replace_phone.setVisible(self._phone_locked)
        self.foreign_check.setChecked(data.foreign_phone)
        self._select(self.gender_combo, data.gender)
        self.birthday_edit.setText(data.birthday.isoformat() if data.birthday else "")
        self.age_spin.setValue(data.age or 0)
        self.wechat_edit.setText(data.wechat or "")
        self.email_edit.setText(data.email or "")
        if data.joined_on:
            self.joined_edit.setDate(
                QDate(data.joined_on.year, data.joined_on.month, data.joined_on.day)
            )
        self._select(self.specialist_combo, data.specialist_id)
        self.referrer_combo.clear()
        self.referrer_combo.addItem(_("（无推荐人）"), None)
        if referrer is not None:
            self.referrer_combo.addItem(referrer[1], referrer[0])
            self.referrer_combo.setCurrentIndex(1)
        self.preferences_edit.setPlainText(data.preferences or "")
        self.needs_edit.setPlainText(data.special_needs or "")
        self.notes_edit.setPlainText(data.notes or "")

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        for i in range(combo.count()):
            if combo.itemData(i) == value:
                combo.setCurrentIndex(i)
                return

    def _unlock_phone(self) -> None:
        self._phone_locked = False
        self.phone_edit.setReadOnly(False)
        self.phone_edit.clear()
        self.replace_phone.hide()
        self.phone_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- referrer ------------------------------------------------------------------
    def find_referrer(self) -> None:
        typed = self.referrer_search.text().strip()
        if not typed:
            self.referrer_hint.setText(_("请输入推荐人的手机号、尾号4位或姓名。"))
            return
        self.referrer_hint.setText(_("正在查找…"))
        db, exclude = self.db, self.member_id
        self.runner.submit(
            lambda: _find_referrers(db, typed, exclude),
            lambda found: self._referrers_found(*found),
            lambda exc: show_error(self, exc),
        )

    def _referrers_found(self, rows: list[MemberRow], chosen: int | None = None) -> None:
        self.errors.boxes["referred_by"].clear_error()
        combo = self.referrer_combo
        combo.clear()
        if rows and chosen is None:
            # Several matches: none is taken for the counter; saving asks for a choice.
            combo.addItem(_("（请选择推荐人：找到 {n} 位）").format(n=len(rows)), PENDING)
        combo.addItem(_("（无推荐人）"), None)
        for row in rows:
            card = _("  卡 {number}").format(number=row.card_number) if row.card_number else ""
            combo.addItem(f"{row.name}  {row.phone_masked}{card}", row.id)
        if not rows:
            self.referrer_hint.setText(_("没有找到匹配的会员。"))
            return
        if chosen is not None:
            self._select(combo, chosen)
            self.referrer_hint.setText(_("已选中推荐人，可在上方列表中更改。"))
            combo.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        combo.setCurrentIndex(0)
        self.referrer_hint.setText(
            _("找到 {n} 位，请在上方列表中选择（↑↓ 键）。").format(n=len(rows))
        )
        combo.setFocus(Qt.FocusReason.OtherFocusReason)
        if combo.isVisible():
            combo.showPopup()

    # -- reading the form ----------------------------------------------------------
    def snapshot(self) -> tuple[Any, ...]:
        return (
            self.name_edit.text(),
            self.phone_edit.text(),
            self.foreign_check.isChecked(),
            self.gender_combo.currentIndex(),
            self.birthday_edit.text(),
            self.age_spin.value(),
            self.wechat_edit.text(),
            self.email_edit.text(),
            self.joined_edit.date().toString(Qt.DateFormat.ISODate),
            self.specialist_combo.currentData(),
            self.referrer_combo.currentData(),
            self.card_combo.currentIndex(),
            self.preferences_edit.toPlainText(),
            self.needs_edit.toPlainText(),
            self.notes_edit.toPlainText(),
        )

    def dirty(self) -> bool:
        return self.snapshot() != self._baseline

    def collect(self) -> MemberInput:
        """The form as service input; DomainError for a birthday that is not a date or
        a referrer search whose matches were not chosen from."""
        birthday = parse_birthday(self.birthday_edit.text())
        if self.referrer_combo.currentData() == PENDING:
            raise DomainError(
                _("找到多位会员，请在推荐人列表中选择一位，或选“（无推荐人）”。"),
                field="referred_by",
            )
        if self._phone_locked and self.original is not None:
            phone = self.original.phone
        else:
            phone = self.phone_edit.text()
        joined = self.joined_edit.date()
        return MemberInput(
            name=self.name_edit.text(),
            phone=phone,
            foreign_phone=self.foreign_check.isChecked(),
            gender=Gender(self.gender_combo.currentData()),
            birthday=birthday,
            age=None
            if birthday is not None or not self.age_spin.value()
            else self.age_spin.value(),
            wechat=self.wechat_edit.text(),
            email=self.email_edit.text(),
            preferences=self.preferences_edit.toPlainText(),
            special_needs=self.needs_edit.toPlainText(),
            notes=self.notes_edit.toPlainText(),
            referred_by_id=self.referrer_combo.currentData(),
            joined_on=date(joined.year(), joined.month(), joined.day()),
            specialist_id=self.specialist_combo.currentData(),
        )

    # -- saving --------------------------------------------------------------------
    def save(self) -> None:
        if self.saving or not self.isEnabled():
            return
        self.errors.clear()
        self.banner.hide()
        self.open_duplicate.hide()
        try:
            data = self.collect()
        except DomainError as exc:
            self._failed(exc)
            return
        db, actor, member_id = self.db, self.actor, self.member_id
        work: Callable[[], int]
        if member_id is None:
            chosen = self.card_combo.currentData()
            kind = None if chosen is None else CardKind(chosen)
            work = lambda: members.create(db, actor, data, card_kind=kind)  # noqa: E731
        else:
            if self.version is None:
                return
            version = self.version
            work = lambda: _update(db, actor, member_id, data, version)  # noqa: E731
        self.saving = True
        self.save_button.setEnabled(False)
        self.runner.submit(work, self._saved, self._failed)

    def _saved(self, result: int) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        saved_id = result if self.member_id is None else self.member_id
        if self.member_id is not None:
            self.version = result
        self._baseline = self.snapshot()
        self.accept()
        self.saved.emit(saved_id)

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, _Conflict):
            self._conflict(exc.message)
            return
        if isinstance(exc, DuplicatePhone):
            self.duplicate_id = exc.member_id
            self.open_duplicate.show()
        if isinstance(exc, ClubDeskError) and self.errors.show(exc.field, exc.message):
            if exc.field == "referred_by" and self.referrer_combo.currentData() == PENDING:
                self.referrer_combo.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if isinstance(exc, ClubDeskError):
            self.banner.setText(exc.message)
            self.banner.show()
            if isinstance(exc, DomainError):
                return  # a business rule's sentence: the banner is enough
        show_error(self, exc)

    def _conflict(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.show()
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_("资料已被修改"))
        box.setText(message)
        box.setInformativeText(_("重新载入会放弃您在本窗口所做的修改。"))
        reload = box.addButton(_("重新载入(&R)"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(_("继续编辑"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(reload)
        box.exec()
        if box.clickedButton() is reload:
            self.load()

    def _open_duplicate(self) -> None:
        if self.duplicate_id is not None:
            self.open_member_requested.emit(self.duplicate_id)

    # -- leaving -------------------------------------------------------------------
    def reject(self) -> None:
        if self.dirty():
            answer = QMessageBox.question(
                self,
                self.windowTitle(),
                _("有未保存的修改，确定放弃吗？"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

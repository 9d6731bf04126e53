"""投诉类别: the categories the registration form offers, maintained by a manager.

Add one, rename the selected one, or stop (and restart) offering it.  Categories are
never deleted: old complaints and the classification statistics still name them.
Each change is one ``complaints.save_category`` call through the task runner; a
refusal (an empty or duplicate name) goes under the name field.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, PermissionDenied
from clubdesk.i18n import _
from clubdesk.services import complaints
from clubdesk.services.complaints import CategoryInfo
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, FieldBox, confirm
from ui.dialogs.writing import WritingDialog
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner
INACTIVE = "#9ca3af"


class ComplaintCategoriesDialog(WritingDialog):
    changed = Signal()

    def __init__(
        self, db: Database, runner: Runner, user: StaffMember | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.user = user
        self.may = allowed(user, Permission.COMPLAINT_CATEGORIES)
        self.categories: list[CategoryInfo] = []
        self._select_after: int | None = None
        self.setWindowTitle(_("投诉类别"))
        self.setMinimumSize(420, 420)

        layout = QVBoxLayout(self)
        intro = QLabel(_("登记投诉时可选的类别。停用的类别不再可选，已有投诉和统计仍保留。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QListWidget(self)
        self.list.setObjectName("complaintCategories")
        layout.addWidget(self.list, 1)
        self.name = QLineEdit(self)
        self.name.setMaxLength(40)
        self.name.setPlaceholderText(_("类别名称，如：卫生状况"))
        self.name_box = FieldBox(self.name, self)
        name_row = QHBoxLayout()
        name_label = QLabel(_("名称(&N)："), self)
        name_label.setBuddy(self.name)
        name_row.addWidget(name_label, 0, Qt.AlignmentFlag.AlignTop)
        name_row.addWidget(self.name_box, 1)
        layout.addLayout(name_row)

        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("添加(&A)"), self)
        self.rename_button = QPushButton(_("改名(&R)"), self)
        self.toggle_button = QPushButton(_("停用(&D)"), self)
        self.close_button = QPushButton(_("关闭"), self)
        for button in (self.add_button, self.rename_button, self.toggle_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        self.add_button.setDefault(True)
        self.close_button.setAutoDefault(False)
        layout.addLayout(buttons)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setMinimumHeight(22)
        layout.addWidget(self.status)

        self.add_button.clicked.connect(lambda _c=False: self.add())
        self.rename_button.clicked.connect(lambda _c=False: self.rename())
        self.toggle_button.clicked.connect(lambda _c=False: self.toggle())
        self.close_button.clicked.connect(self.reject)
        self.list.currentRowChanged.connect(lambda _r: self._selected())
        if not self.may:
            self.say(_("投诉类别由经理维护，您的账号只能查看。"), ERROR_COLOUR)
            for widget in (self.name, self.add_button, self.rename_button, self.toggle_button):
                widget.setEnabled(False)
        self.load()

    # -- reading -----------------------------------------------------------------------
    def load(self) -> None:
        db = self.db
        self.runner.submit(
            lambda: complaints.categories(db, include_inactive=True), self._loaded, self._failed
        )

    def _loaded(self, categories: list[CategoryInfo]) -> None:
        if not self.alive():
            return
        keep = self._select_after if self._select_after is not None else self.current_id()
        self._select_after = None
        self.categories = categories
        self.list.blockSignals(True)
        self.list.clear()
        for category in categories:
            text = (
                category.name
                if category.active
                else _("{name}（已停用）").format(name=category.name)
            )
            item = QListWidgetItem(text, self.list)
            item.setData(Qt.ItemDataRole.UserRole, category.id)
            if not category.active:
                item.setForeground(QBrush(QColor(INACTIVE)))
        self.list.blockSignals(False)
        ids = [c.id for c in categories]
        self.list.setCurrentRow(ids.index(keep) if keep in ids else 0 if ids else -1)
        self._selected()

    def _failed(self, exc: BaseException) -> None:
        if self.alive():
            show_error(self, exc)

    def current(self) -> CategoryInfo | None:
        row = self.list.currentRow()
        return self.categories[row] if 0 <= row < len(self.categories) else None

    def current_id(self) -> int | None:
        category = self.current()
        return category.id if category is not None else None

    def _selected(self) -> None:
        category = self.current()
        chosen = category is not None and self.may
        self.rename_button.setEnabled(chosen)
        self.toggle_button.setEnabled(chosen)
        if category is not None:
            self.toggle_button.setText(_("停用(&D)") if category.active else _("启用(&E)"))
            self.name.setText(category.name)
        self.name_box.clear_error()

    # -- writing -----------------------------------------------------------------------
    def add(self) -> None:
        self._save(self.name.text(), None, True, _("已添加类别“{name}”。"))

    def rename(self) -> None:
        category = self.current()
        if category is not None:
            self._save(self.name.text(), category.id, category.active, _("已改名为“{name}”。"))

    def toggle(self) -> None:
        category = self.current()
        if category is None:
            return
        if category.active:
            question = _("停用类别“{name}”？停用后登记投诉时不再可选，已有投诉不受影响。").format(
                name=category.name
            )
            if not confirm(self, _("投诉类别"), question):
                return
            done = _("已停用“{name}”。")
        else:
            done = _("已启用“{name}”。")
        self._save(category.name, category.id, not category.active, done)

    def _save(self, name: str, category_id: int | None, active: bool, done: str) -> None:
        if not self.may or self.writing():
            return
        self.name_box.clear_error()
        self._writing = True
        self.say(_("正在保存…"))
        db, user = self.db, self.user
        self.runner.submit(
            lambda: complaints.save_category(
                db, user, name, category_id=category_id, active=active
            ),
            lambda saved_id: self._saved(saved_id, done.format(name=name.strip())),
            self._refused,
        )

    def _saved(self, category_id: int, text: str) -> None:
        if not self.alive():
            return
        self._writing = False
        self._select_after = category_id
        self.say(text, OK_COLOUR)
        self.changed.emit()
        self.load()

    def _refused(self, exc: BaseException) -> None:
        if not self.alive():
            return
        self._writing = False
        if isinstance(exc, ClubDeskError) and not isinstance(exc, PermissionDenied):
            self.name_box.show_error(exc.message)
            self.name.setFocus(Qt.FocusReason.OtherFocusReason)
            self.name.selectAll()
            self.say(_("没有保存。"), ERROR_COLOUR)
            return
        self.say(_("没有保存。"), ERROR_COLOUR)
        show_error(self, exc)

    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else "")

"""服务项目与房间技师: the catalogue the booking board books from.

Two tabs — 服务项目 (services) and 房间与技师 (rooms, suites, areas and the therapists,
coaches and technicians) — each a sortable table with 新建 (Ins), 编辑 (Enter) and
停用/启用 (Del, asked first).  The editors put a refused field's message under the
field.  Roles without ``Permission.CATALOG_EDIT`` see the tables with the buttons
disabled (the tooltip says why); the service refuses them anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from itertools import pairwise
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QSortFilterProxyModel, Qt, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, DomainError
from clubdesk.i18n import _
from clubdesk.models.enums import ResourceKind, ServiceCategory
from clubdesk.money import format_fen
from clubdesk.services import catalog
from clubdesk.services.catalog import (
    CATEGORY_ORDER,
    KIND_ORDER,
    PEOPLE_KINDS,
    PRICE_MAX_FEN,
    ResourceInput,
    ResourceRow,
    ServiceInput,
    ServiceRow,
    StaffChoice,
)
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.staff import StaffMember
from clubdesk.settings import get_value
from ui.dialogs.card_actions import ERROR_COLOUR, OK_COLOUR, FieldBox, FieldErrors, confirm
from ui.errors import show_error
from ui.models.rows import CENTER, RIGHT, Column, RowsModel
from ui.shortcuts import widget_shortcut
from ui.tasks import SyncRunner, TaskRunner
from ui.widgets.money_edit import MoneyEdit

Runner = TaskRunner | SyncRunner
R = TypeVar("R")

SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
INACTIVE_COLOUR = "#9ca3af"
HINT_STYLE = "color: #6b7280;"


def _read_only_tip() -> str:
    return _("您的账号没有“维护服务项目与房间技师”的权限，只能查看。需要修改请联系经理。")


# -- loading -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CatalogData:
    services: list[ServiceRow]
    resources: list[ResourceRow]
    staff: list[StaffChoice]
    opening: time  # the club's hours: what a new shift starts from
    closing: time


def _clock(text: object, fallback: time) -> time:
    try:
        hour, minute = str(text).split(":")[:2]
        return time(int(hour) % 24, int(minute))
    except ValueError:
        return fallback


def load_catalog(db: Database) -> CatalogData:
    return CatalogData(
        services=catalog.list_services(db),
        resources=catalog.list_resources(db),
        staff=catalog.staff_choices(db),
        opening=_clock(get_value(db, "club.opening_time"), time(10)),
        closing=_clock(get_value(db, "club.closing_time"), time(2)),
    )


# -- a sortable table of plain rows ----------------------------------------------------
class SortableRows(RowsModel[R], Generic[R]):
    """RowsModel whose cells also answer SORT_ROLE with a value that sorts right
    (minutes and fen as numbers, categories in their own order)."""

    def __init__(
        self, columns: Sequence[Column[R]], keys: Sequence[Callable[[R], Any]], parent: Any = None
    ) -> None:
        super().__init__(columns, parent)
        self._keys = list(keys)

    def data(self, index: Any, role: int = 0) -> Any:
        if role == SORT_ROLE and index.isValid():
            row = self.row_at(index.row())
            return None if row is None else self._keys[index.column()](row)
        return super().data(index, role)


def _grey(active: Callable[[R], bool]) -> Callable[[R], str | None]:
    return lambda r: None if active(r) else INACTIVE_COLOUR


def _state(active: bool) -> str:
    return _("正常") if active else _("已停用")


def _minutes(value: time | None) -> int:
    return -1 if value is None else value.hour * 60 + value.minute


def _service_table() -> SortableRows[ServiceRow]:
    grey: Callable[[ServiceRow], str | None] = _grey(lambda r: r.active)
    spec: list[tuple[Column[ServiceRow], Callable[[ServiceRow], Any]]] = [
        (Column(_("名称"), lambda r: r.name, foreground=grey), lambda r: r.name),
        (
            Column(_("类别"), lambda r: label(r.category), foreground=grey),
            lambda r: CATEGORY_ORDER.index(r.category),
        ),
        (
            Column(
                _("时长"),
                lambda r: _("{n} 分钟").format(n=r.duration_min),
                RIGHT,
                foreground=grey,
            ),
            lambda r: r.duration_min,
        ),
        (
            Column(_("价目表价"), lambda r: format_fen(r.list_price_fen), RIGHT, foreground=grey),
            lambda r: r.list_price_fen,
        ),
        (
            Column(
                _("座位"),
                lambda r: "" if r.capacity is None else str(r.capacity),
                RIGHT,
                foreground=grey,
                tooltip=lambda r: _("按座位预约（团课、观影）") if r.capacity else None,
            ),
            lambda r: r.capacity or 0,
        ),
        (
            Column(
                _("可做的房间/人员"),
                lambda r: str(r.resources),
                RIGHT,
                foreground=lambda r: ERROR_COLOUR if r.active and not r.resources else grey(r),
                tooltip=lambda r: (
                    None if r.resources else _("还没有房间或人员能做这个项目，看板上约不了。")
                ),
            ),
            lambda r: r.resources,
        ),
        (
            Column(_("预约记录"), lambda r: str(r.bookings), RIGHT, foreground=grey),
            lambda r: r.bookings,
        ),
        (
            Column(_("状态"), lambda r: _state(r.active), CENTER, foreground=grey),
            lambda r: int(r.active),
        ),
    ]
    return SortableRows([c for c, _k in spec], [k for _c, k in spec])


def _resource_table() -> SortableRows[ResourceRow]:
    grey: Callable[[ResourceRow], str | None] = _grey(lambda r: r.active)
    spec: list[tuple[Column[ResourceRow], Callable[[ResourceRow], Any]]] = [
        (
            Column(_("排序"), lambda r: str(r.sort_order), RIGHT, foreground=grey),
            lambda r: r.sort_order,
        ),
        (Column(_("名称"), lambda r: r.name, foreground=grey), lambda r: r.name),
        (
            Column(_("类型"), lambda r: label(r.kind), foreground=grey),
            lambda r: KIND_ORDER.index(r.kind),
        ),
        (
            Column(_("员工账号"), lambda r: r.staff_name or "", foreground=grey),
            lambda r: r.staff_name or "",
        ),
        (
            Column(_("容量"), lambda r: str(r.capacity), RIGHT, foreground=grey),
            lambda r: r.capacity,
        ),
        (
            Column(
                _("工作时间"),
                lambda r: catalog.hours_text(r.works_from, r.works_until),
                CENTER,
                foreground=grey,
            ),
            lambda r: _minutes(r.works_from),
        ),
        (
            Column(
                _("未完成预约"),
                lambda r: str(r.future_bookings) if r.future_bookings else "",
                RIGHT,
                foreground=grey,
            ),
            lambda r: r.future_bookings,
        ),
        (
            Column(_("状态"), lambda r: _state(r.active), CENTER, foreground=grey),
            lambda r: int(r.active),
        ),
        (
            Column(
                _("可做项目"),
                lambda r: _("、").join(r.service_names) if r.service_names else _("（未设置）"),
                foreground=grey,
                tooltip=lambda r: "\n".join(r.service_names) or None,
            ),
            lambda r: len(r.service_ids),
        ),
    ]
    return SortableRows([c for c, _k in spec], [k for _c, k in spec])


# -- one tab ---------------------------------------------------------------------------
class CatalogPage(QWidget, Generic[R]):
    """A sortable table with 新建 / 编辑 / 停用 and their keys; the dialog does the work."""

    def __init__(
        self,
        parent: QWidget,
        model: SortableRows[R],
        row_id: Callable[[R], int],
        row_active: Callable[[R], bool],
        can_edit: bool,
        noun: str,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.row_id = row_id
        self.row_active = row_active
        self.can_edit = can_edit
        self.on_new: Callable[[], None] = lambda: None
        self.on_edit: Callable[[R], None] = lambda _row: None
        self.on_toggle: Callable[[R], None] = lambda _row: None

        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's own order
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.setTabKeyNavigation(False)

        self.new_button = QPushButton(_("新建(&N)"), self)
        self.edit_button = QPushButton(_("编辑(&E)"), self)
        self.toggle_button = QPushButton(_("停用(&D)"), self)
        self.status = QLabel(self)
        self.status.setStyleSheet(HINT_STYLE)
        for button in (self.new_button, self.edit_button, self.toggle_button):
            button.setAutoDefault(False)
        if can_edit:
            self.new_button.setToolTip(_("新建{noun}（Ins）").format(noun=noun))
            self.edit_button.setToolTip(_("编辑所选的一行（回车，或双击）"))
            self.toggle_button.setToolTip(_("停用或重新启用所选的一行（Del）"))
        else:
            for button in (self.new_button, self.edit_button, self.toggle_button):
                button.setEnabled(False)
                button.setToolTip(_read_only_tip())

        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.toggle_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.new_button.clicked.connect(self.new)
        self.edit_button.clicked.connect(self.edit)
        self.toggle_button.clicked.connect(self.toggle)
        self.table.doubleClicked.connect(lambda _index: self.edit())
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            widget_shortcut(self.table, key, self.edit)
        for key, slot in ((Qt.Key.Key_Insert, self.new), (Qt.Key.Key_Delete, self.toggle)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self._update_buttons()

    def set_rows(
        self, rows: Sequence[R], select_id: int | None = None, message: str | None = None
    ) -> None:
        """Show ``rows``, keeping (or moving to) the selected id; ``message`` (what was
        just done) replaces the row count in the status line."""
        keep = select_id
        if keep is None:
            current = self.current()
            keep = None if current is None else self.row_id(current)
        self.model.set_rows(rows)
        target = 0
        for source_row, row in enumerate(rows):
            if self.row_id(row) == keep:
                target = self.proxy.mapFromSource(self.model.index(source_row, 0)).row()
                break
        if rows:
            self.table.selectRow(target)
            self.table.scrollTo(self.proxy.index(target, 0))
        inactive = sum(1 for r in rows if not self.row_active(r))
        if message is not None:
            self.say(message, OK_COLOUR)
        elif inactive:
            self.say(_("共 {n} 项，其中 {m} 项已停用。").format(n=len(rows), m=inactive))
        else:
            self.say(_("共 {n} 项。").format(n=len(rows)))
        self._update_buttons()

    def current(self) -> R | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())

    def select_id(self, row_id: int) -> bool:
        for proxy_row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(proxy_row, 0))
            row = self.model.row_at(source.row())
            if row is not None and self.row_id(row) == row_id:
                self.table.selectRow(proxy_row)
                return True
        return False

    def say(self, text: str, colour: str | None = None) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};" if colour else HINT_STYLE)

    def _update_buttons(self) -> None:
        row = self.current()
        active = row is None or self.row_active(row)
        self.toggle_button.setText(_("停用(&D)") if active else _("启用(&D)"))
        if self.can_edit:
            self.edit_button.setEnabled(row is not None)
            self.toggle_button.setEnabled(row is not None)

    def _refuse(self) -> bool:
        if not self.can_edit:
            self.say(_read_only_tip(), ERROR_COLOUR)
        return not self.can_edit

    def new(self) -> None:
        if not self._refuse():
            self.on_new()

    def edit(self) -> None:
        row = self.current()
        if row is not None and not self._refuse():
            self.on_edit(row)

    def toggle(self) -> None:
        row = self.current()
        if row is not None and not self._refuse():
            self.on_toggle(row)


# -- the dialog ------------------------------------------------------------------------
class CatalogDialog(QDialog):
    """``changed`` is emitted after every saved change (the board reloads on it)."""

    changed = Signal()

    def __init__(
        self,
        db: Database,
        runner: Runner,
        actor: StaffMember | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.actor = db, runner, actor
        self.can_edit = allowed(actor, Permission.CATALOG_EDIT)
        self.data: CatalogData | None = None
        self.editor: QDialog | None = None
        self.setObjectName("catalogDialog")
        self.setWindowTitle(_("服务项目与房间技师"))
        self.setSizeGripEnabled(True)
        self.resize(1060, 620)

        self.tabs = QTabWidget(self)
        self.services: CatalogPage[ServiceRow] = CatalogPage(
            self.tabs, _service_table(), lambda r: r.id, lambda r: r.active, self.can_edit,
            _("服务项目"),
        )  # fmt: skip
        self.resources: CatalogPage[ResourceRow] = CatalogPage(
            self.tabs, _resource_table(), lambda r: r.id, lambda r: r.active, self.can_edit,
            _("房间或人员"),
        )  # fmt: skip
        self.tabs.addTab(self.services, _("服务项目"))
        self.tabs.addTab(self.resources, _("房间与技师"))
        self._size_columns()

        self.services.on_new = lambda: self.edit_service(None)
        self.services.on_edit = self.edit_service
        self.services.on_toggle = self.toggle_service
        self.resources.on_new = lambda: self.edit_resource(None)
        self.resources.on_edit = self.edit_resource
        self.resources.on_toggle = self.toggle_resource

        hint_text = (
            _("Ins 新建，回车编辑，Del 停用或启用；Ctrl+Tab 切换页签；点表头排序。Esc 关闭。")
            if self.can_edit
            else _read_only_tip()
        )
        self.hint = QLabel(hint_text, self)
        self.hint.setStyleSheet(HINT_STYLE if self.can_edit else f"color: {ERROR_COLOUR};")
        self.hint.setWordWrap(True)
        close = QPushButton(_("关闭"), self)
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)

        self.tabs.currentChanged.connect(lambda _i: self._focus_table())
        self.load()

    def _size_columns(self) -> None:
        for page, widths, stretch in (
            (self.services, (190, 70, 80, 100, 60, 110, 80, 70), 0),
            (self.resources, (50, 170, 60, 90, 50, 120, 80, 60), 8),
        ):
            header = page.table.horizontalHeader()
            for column, width in enumerate(widths):
                page.table.setColumnWidth(column, width)
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def _focus_table(self) -> None:
        page = self.tabs.currentWidget()
        if isinstance(page, CatalogPage):
            page.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _editor_closed(self) -> None:
        self.activateWindow()  # the keyboard comes back to the table the editor left
        self._focus_table()

    # -- loading ---------------------------------------------------------------------
    def load(
        self,
        *,
        service_id: int | None = None,
        resource_id: int | None = None,
        note: tuple[CatalogPage[Any], str] | None = None,
    ) -> None:
        """(Re)read both tables; ``note`` is a page and what was just done on it."""
        db = self.db
        self.runner.submit(
            lambda: load_catalog(db),
            lambda data: self._loaded(data, service_id, resource_id, note),
            lambda exc: show_error(self, exc),
        )

    def _loaded(
        self,
        data: CatalogData,
        service_id: int | None,
        resource_id: int | None,
        note: tuple[CatalogPage[Any], str] | None,
    ) -> None:
        self.data = data
        for page, rows, selected in (
            (self.services, data.services, service_id),
            (self.resources, data.resources, resource_id),
        ):
            message = note[1] if note is not None and note[0] is page else None
            page.set_rows(rows, selected, message)  # type: ignore[arg-type]
        self._focus_table()

    def _after_change(
        self, page: CatalogPage[Any], text: str, *, service_id: int | None = None,
        resource_id: int | None = None,
    ) -> None:  # fmt: skip
        self.load(service_id=service_id, resource_id=resource_id, note=(page, text))
        self.changed.emit()

    def _failed(self, page: CatalogPage[Any], exc: BaseException) -> None:
        if isinstance(exc, ClubDeskError):
            page.say(exc.message, ERROR_COLOUR)
        show_error(self, exc)

    # -- services --------------------------------------------------------------------
    def edit_service(self, row: ServiceRow | None) -> None:
        editor = ServiceEditor(self, self.db, self.actor, self.runner, row)
        editor.saved.connect(
            lambda service_id: self._after_change(
                self.services,
                _("已保存服务项目“{name}”。").format(name=editor.saved_name),
                service_id=service_id,
            )
        )
        self._open(editor)

    def toggle_service(self, row: ServiceRow) -> None:
        db, actor = self.db, self.actor
        if not row.active:
            if confirm(
                self,
                _("启用服务项目"),
                _("启用“{name}”？启用后可以重新预约。").format(name=row.name),
            ):
                self.runner.submit(
                    lambda: catalog.set_service_active(db, actor, row.id, True),
                    lambda _r: self._after_change(
                        self.services, _("已启用“{name}”。").format(name=row.name)
                    ),
                    lambda exc: self._failed(self.services, exc),
                )
            return
        if row.bookings:
            if confirm(
                self,
                _("停用服务项目"),
                _(
                    "停用“{name}”？停用后不能再预约这个项目；已有的 {n} 条预约记录保留，"
                    "以后可以再启用。"
                ).format(name=row.name, n=row.bookings),
            ):
                self._deactivate_service(row)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(_("停用服务项目"))
        box.setText(
            _("“{name}”还没有任何预约记录，可以停用，也可以直接删除。").format(name=row.name)
        )
        box.setInformativeText(_("停用后以后还能启用；删除后不能恢复。"))
        deactivate = box.addButton(_("停用(&D)"), QMessageBox.ButtonRole.AcceptRole)
        delete = box.addButton(_("删除(&R)"), QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton(_("取消"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked is deactivate:
            self._deactivate_service(row)
        elif clicked is delete:
            self.runner.submit(
                lambda: catalog.delete_service(db, actor, row.id),
                lambda _r: self._after_change(
                    self.services, _("已删除“{name}”。").format(name=row.name)
                ),
                lambda exc: self._failed(self.services, exc),
            )

    def _deactivate_service(self, row: ServiceRow) -> None:
        db, actor = self.db, self.actor
        self.runner.submit(
            lambda: catalog.set_service_active(db, actor, row.id, False),
            lambda _r: self._after_change(
                self.services, _("已停用“{name}”。").format(name=row.name), service_id=row.id
            ),
            lambda exc: self._failed(self.services, exc),
        )

    # -- resources -------------------------------------------------------------------
    def edit_resource(self, row: ResourceRow | None) -> None:
        if self.data is None:
            return
        editor = ResourceEditor(self, self.db, self.actor, self.runner, row, self.data)
        editor.saved.connect(
            lambda resource_id: self._after_change(
                self.resources,
                _("已保存“{name}”。").format(name=editor.saved_name),
                resource_id=resource_id,
            )
        )
        self._open(editor)

    def toggle_resource(self, row: ResourceRow) -> None:
        db, actor = self.db, self.actor
        active = not row.active
        if active:
            question = _("启用“{name}”？启用后看板上重新显示，可以预约。")
        elif row.future_bookings:
            # The service refuses and says which bookings are in the way: no question first.
            question = ""
        else:
            question = _("停用“{name}”？停用后看板上不再显示，不能再预约；以后可以再启用。")
        title = _("启用") if active else _("停用")
        if question and not confirm(self, title, question.format(name=row.name)):
            return
        done = _("已启用“{name}”。") if active else _("已停用“{name}”。")
        self.runner.submit(
            lambda: catalog.set_resource_active(db, actor, row.id, active),
            lambda _r: self._after_change(
                self.resources, done.format(name=row.name), resource_id=row.id
            ),
            lambda exc: self._failed(self.resources, exc),
        )

    def _open(self, editor: QDialog) -> None:
        self.editor = editor
        editor.finished.connect(lambda _code: self._editor_closed())
        editor.open()
        editor.activateWindow()


# -- the editors -----------------------------------------------------------------------
class _Editor(QDialog):
    """Form + banner + 保存/取消; Enter saves, Esc asks before dropping changes."""

    saved = Signal(int)

    def __init__(self, parent: QWidget, db: Database, actor: StaffMember | None, runner: Runner):
        super().__init__(parent)
        self.db, self.actor, self.runner = db, actor, runner
        self.errors = FieldErrors()
        self.saving = False
        self.saved_name = ""
        self._baseline: tuple[Any, ...] = ()
        self.setSizeGripEnabled(True)
        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setVerticalSpacing(6)
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
        self.hint = QLabel(_("回车或 Ctrl+S 保存，Esc 取消。"), self)
        self.hint.setStyleSheet(HINT_STYLE)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        if not allowed(actor, Permission.CATALOG_EDIT):
            self.hint.setText(_read_only_tip())
            self.hint.setStyleSheet(f"color: {ERROR_COLOUR};")

    def _finish_layout(self, extra: QWidget | None = None) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(self.form)
        if extra is not None:
            layout.addWidget(extra, 1)
        layout.addWidget(self.banner)
        layout.addLayout(buttons)

    def _box(self, name: str, field: QWidget, extra: list[QWidget] | None = None) -> FieldBox:
        return self.errors.add(name, FieldBox(field, self, extra or []))

    def _mark_clean(self) -> None:
        self._baseline = self.snapshot()

    def snapshot(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def work(self) -> Callable[[], int]:
        """The save to run on the runner, or DomainError for what the form cannot say."""
        raise NotImplementedError

    def save(self) -> None:
        if self.saving:
            return
        self.errors.clear()
        self.banner.hide()
        try:
            work = self.work()
        except DomainError as exc:
            self._failed(exc)
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.runner.submit(work, self._saved, self._failed)

    def _saved(self, saved_id: int) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        self._mark_clean()
        self.accept()
        self.saved.emit(saved_id)

    def _failed(self, exc: BaseException) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        if isinstance(exc, ClubDeskError):
            # A refusal's sentence goes under its field, or above the buttons.
            if not self.errors.show(exc.field, exc.message):
                self.banner.setText(exc.message)
                self.banner.show()
            return
        show_error(self, exc)

    def reject(self) -> None:
        if self.snapshot() != self._baseline:
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

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        for i in range(combo.count()):
            if combo.itemData(i) == value:
                combo.setCurrentIndex(i)
                return


class ServiceEditor(_Editor):
    """新建 / 编辑服务项目."""

    def __init__(
        self,
        parent: QWidget,
        db: Database,
        actor: StaffMember | None,
        runner: Runner,
        row: ServiceRow | None,
    ) -> None:
        super().__init__(parent, db, actor, runner)
        self.row = row
        self.setObjectName("serviceEditor")
        self.setWindowTitle(
            _("新建服务项目") if row is None else _("编辑服务项目 — {name}").format(name=row.name)
        )
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(catalog.NAME_MAX)
        self.name_edit.setPlaceholderText(_("必填，如：中式按摩60分钟"))
        self.category_combo = QComboBox(self)
        for category in ServiceCategory:
            self.category_combo.addItem(label(category), category)
        self.duration_spin = QSpinBox(self)
        # Wider than the rule, so a mistyped length is explained rather than clamped.
        self.duration_spin.setRange(1, 1440)
        self.duration_spin.setSingleStep(catalog.DURATION_STEP)
        self.duration_spin.setSuffix(_(" 分钟"))
        self.duration_spin.setValue(60)
        self.duration_spin.setToolTip(
            _("{low}–{high} 分钟，5 分钟的整数倍；↑↓ 键每次加减 5 分钟").format(
                low=catalog.DURATION_MIN, high=catalog.DURATION_MAX
            )
        )
        self.price_edit = MoneyEdit(self, maximum_fen=PRICE_MAX_FEN)
        self.price_edit.setToolTip(_("单位：元，最多两位小数"))
        self.seats_spin = QSpinBox(self)
        self.seats_spin.setRange(0, 9999)
        self.seats_spin.setSpecialValueText(_("不按座位（一次一位客人）"))
        self.seats_spin.setSuffix(_(" 个座位"))
        self.seats_spin.setToolTip(
            _("团课、观影等按场次售座的项目填座位数（{low}–{high}）；其余保持 0。").format(
                low=catalog.SEATS_MIN, high=catalog.SEATS_MAX
            )
        )
        self.active_check = QCheckBox(_("启用（可以预约）"), self)
        self.active_check.setChecked(True)

        self.form.addRow(_("名称(&M)："), self._box("name", self.name_edit))
        self.form.addRow(_("类别(&C)："), self._box("category", self.category_combo))
        self.form.addRow(_("时长(&T)："), self._box("duration_min", self.duration_spin))
        price_box = self._box("list_price_fen", self.price_edit, [QLabel(_("元"), self)])
        self.form.addRow(_("价目表价(&P)："), price_box)
        self.form.addRow(_("座位数(&A)："), self._box("capacity", self.seats_spin))
        self.form.addRow("", self._box("active", self.active_check))
        self.price_edit.refused.connect(price_box.show_error)
        self._finish_layout()
        for first, second in pairwise(
            [
                self.name_edit,
                self.category_combo,
                self.duration_spin,
                self.price_edit,
                self.seats_spin,
                self.active_check,
                self.save_button,
                self.cancel_button,
            ]
        ):
            QWidget.setTabOrder(first, second)
        if row is not None:
            self.name_edit.setText(row.name)
            self._select(self.category_combo, row.category)
            self.duration_spin.setValue(row.duration_min)
            self.price_edit.set_fen(row.list_price_fen)
            self.seats_spin.setValue(row.capacity or 0)
            self.active_check.setChecked(row.active)
        self.setMinimumWidth(520)
        self._mark_clean()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def snapshot(self) -> tuple[Any, ...]:
        return (
            self.name_edit.text(),
            self.category_combo.currentIndex(),
            self.duration_spin.value(),
            self.price_edit.text(),
            self.seats_spin.value(),
            self.active_check.isChecked(),
        )

    def collect(self) -> ServiceInput:
        problem = self.price_edit.problem()
        if problem is not None:
            if not self.price_edit.text().strip():
                problem = _("请填写价目表价格（元）；免费项目填 0。")
            raise DomainError(problem, field="list_price_fen")
        price = self.price_edit.fen()
        assert price is not None
        return ServiceInput(
            name=self.name_edit.text(),
            category=ServiceCategory(self.category_combo.currentData()),
            duration_min=self.duration_spin.value(),
            list_price_fen=price,
            capacity=self.seats_spin.value() or None,
            active=self.active_check.isChecked(),
        )

    def work(self) -> Callable[[], int]:
        data = self.collect()
        self.saved_name = data.name.strip()
        db, actor, service_id = self.db, self.actor, None if self.row is None else self.row.id
        return lambda: catalog.save_service(db, actor, data, service_id)


class ResourceEditor(_Editor):
    """新建 / 编辑 a room, suite, area or person, with working hours and skills."""

    def __init__(
        self,
        parent: QWidget,
        db: Database,
        actor: StaffMember | None,
        runner: Runner,
        row: ResourceRow | None,
        data: CatalogData,
    ) -> None:
        super().__init__(parent, db, actor, runner)
        self.row = row
        self.setObjectName("resourceEditor")
        self.setWindowTitle(
            _("新建房间或人员") if row is None else _("编辑 — {name}").format(name=row.name)
        )
        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(catalog.NAME_MAX)
        self.name_edit.setPlaceholderText(_("必填，如：贵宾包间 V1、08号技师 李娜"))
        self.kind_combo = QComboBox(self)
        for kind in ResourceKind:
            self.kind_combo.addItem(label(kind), kind)
        self.staff_combo = QComboBox(self)
        self.staff_combo.addItem(_("（不关联员工账号）"), None)
        for choice in data.staff:
            text = _("{name}（{role}）").format(name=choice.display_name, role=label(choice.role))
            if choice.resource_id is not None and (row is None or choice.resource_id != row.id):
                text = _("{text} — 已关联“{resource}”").format(
                    text=text, resource=choice.resource_name
                )
            self.staff_combo.addItem(text, choice.id)
        if (
            row is not None
            and row.staff_id is not None
            and self.staff_combo.findData(row.staff_id) < 0
        ):
            self.staff_combo.addItem(
                _("{name}（账号已停用）").format(name=row.staff_name or row.staff_id), row.staff_id
            )
        self.staff_combo.setToolTip(_("技师、教练和技术员可以关联自己的员工账号（可不填）"))
        self.capacity_spin = QSpinBox(self)
        self.capacity_spin.setRange(0, 99_999)
        self.capacity_spin.setValue(1)
        self.capacity_spin.setSuffix(_(" 人"))
        self.capacity_spin.setToolTip(_("同一时间可接待的客人数；技师、教练固定为 1"))

        self.all_day = QCheckBox(_("全天"), self)
        self.all_day.setToolTip(_("营业时间内随时可约；不勾选时填写班次，可跨午夜"))
        self.from_edit = self._time_edit(data.opening)
        self.until_edit = self._time_edit(data.closing)
        self.next_day = QLabel(self)
        self.next_day.setStyleSheet(HINT_STYLE)
        hours = QWidget(self)
        hours_row = QHBoxLayout(hours)
        hours_row.setContentsMargins(0, 0, 0, 0)
        hours_row.addWidget(self.all_day)
        hours_row.addSpacing(8)
        hours_row.addWidget(self.from_edit)
        hours_row.addWidget(QLabel(_("至"), self))
        hours_row.addWidget(self.until_edit)
        hours_row.addWidget(self.next_day, 1)
        hours.setFocusProxy(self.from_edit)

        self.sort_spin = QSpinBox(self)
        self.sort_spin.setRange(0, catalog.SORT_ORDER_MAX)
        self.sort_spin.setToolTip(_("看板上从左到右的顺序，小的在前"))
        self.active_check = QCheckBox(_("启用（看板上显示，可以预约）"), self)
        self.active_check.setChecked(True)

        self.service_list = QListWidget(self)
        self.service_list.setObjectName("resourceServices")
        self.service_list.setMinimumHeight(180)
        linked = set(row.service_ids) if row is not None else set()
        for service in data.services:
            if not service.active and service.id not in linked:
                continue
            text = _("{name}（{category}，{n} 分钟）").format(
                name=service.name, category=label(service.category), n=service.duration_min
            )
            if not service.active:
                text = _("{text}（已停用）").format(text=text)
            item = QListWidgetItem(text, self.service_list)
            item.setData(Qt.ItemDataRole.UserRole, service.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if service.id in linked else Qt.CheckState.Unchecked
            )
        if self.service_list.count():
            self.service_list.setCurrentRow(0)
            rows = min(self.service_list.count(), 14)
            frame = 2 * self.service_list.frameWidth() + 4
            self.service_list.setMinimumHeight(rows * self.service_list.sizeHintForRow(0) + frame)
        self.services_count = QLabel(self)
        self.services_count.setStyleSheet(HINT_STYLE)

        self.form.addRow(_("名称(&M)："), self._box("name", self.name_edit))
        self.form.addRow(_("类型(&K)："), self._box("kind", self.kind_combo))
        self.form.addRow(_("员工账号(&U)："), self._box("staff_id", self.staff_combo))
        self.form.addRow(_("容量(&C)："), self._box("capacity", self.capacity_spin))
        hours_box = self._box("works_from", hours)
        self.errors.add("works_until", hours_box)
        self.form.addRow(_("工作时间(&H)："), hours_box)
        self.form.addRow(_("排序(&O)："), self._box("sort_order", self.sort_spin))
        self.form.addRow("", self._box("active", self.active_check))
        services_panel = QWidget(self)
        panel = QVBoxLayout(services_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        caption = QLabel(_("可做的服务项目(&V)：（空格键勾选）"), self)
        caption.setBuddy(self.service_list)
        top = QHBoxLayout()
        top.addWidget(caption, 1)
        top.addWidget(self.services_count)
        panel.addLayout(top)
        panel.addWidget(self._box("service_ids", self.service_list), 1)
        self._finish_layout(services_panel)

        for first, second in pairwise(
            [
                self.name_edit,
                self.kind_combo,
                self.staff_combo,
                self.capacity_spin,
                self.all_day,
                self.from_edit,
                self.until_edit,
                self.sort_spin,
                self.active_check,
                self.service_list,
                self.save_button,
                self.cancel_button,
            ]
        ):
            QWidget.setTabOrder(first, second)

        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.all_day.toggled.connect(lambda _on: self._hours_changed())
        self.from_edit.timeChanged.connect(lambda _t: self._hours_changed())
        self.until_edit.timeChanged.connect(lambda _t: self._hours_changed())
        for signal in (
            self.all_day.toggled,
            self.from_edit.timeChanged,
            self.until_edit.timeChanged,
        ):
            signal.connect(lambda *_a: hours_box.clear_error())
        self.service_list.itemChanged.connect(lambda _item: self._count_services())
        self.service_list.itemChanged.connect(
            lambda _item: self.errors.boxes["service_ids"].clear_error()
        )

        if row is None:
            self.all_day.setChecked(True)
            self.sort_spin.setValue(max((r.sort_order for r in data.resources), default=0) + 1)
        else:
            self.name_edit.setText(row.name)
            self._select(self.kind_combo, row.kind)
            self._select(self.staff_combo, row.staff_id)
            self.capacity_spin.setValue(row.capacity)
            if row.works_from is None or row.works_until is None:
                self.all_day.setChecked(True)
            else:
                self.from_edit.setTime(QTime(row.works_from.hour, row.works_from.minute))
                self.until_edit.setTime(QTime(row.works_until.hour, row.works_until.minute))
            self.sort_spin.setValue(row.sort_order)
            self.active_check.setChecked(row.active)
        self._kind_changed()
        self._hours_changed()
        self._count_services()
        self.resize(620, self.sizeHint().height())
        self._mark_clean()
        self.name_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _time_edit(self, value: time) -> QTimeEdit:
        edit = QTimeEdit(QTime(value.hour, value.minute), self)
        edit.setDisplayFormat("HH:mm")
        edit.setWrapping(True)
        return edit

    def _kind(self) -> ResourceKind:
        return ResourceKind(self.kind_combo.currentData())

    def _kind_changed(self) -> None:
        person = self._kind() in PEOPLE_KINDS
        self.staff_combo.setEnabled(person)
        if not person:
            self.staff_combo.setCurrentIndex(0)
        if person:
            self.capacity_spin.setValue(1)
        self.capacity_spin.setEnabled(not person)

    def _hours(self) -> tuple[time | None, time | None]:
        if self.all_day.isChecked():
            return None, None
        start, end = self.from_edit.time(), self.until_edit.time()
        return time(start.hour(), start.minute()), time(end.hour(), end.minute())

    def _hours_changed(self) -> None:
        all_day = self.all_day.isChecked()
        self.from_edit.setEnabled(not all_day)
        self.until_edit.setEnabled(not all_day)
        start, end = self._hours()
        if all_day:
            self.next_day.setText(_("营业时间内随时可约"))
        elif start == end:
            self.next_day.setText("")
        elif catalog.crosses_midnight(start, end):
            self.next_day.setText(_("（次日结束，跨午夜）"))
        else:
            self.next_day.setText("")

    def checked_services(self) -> tuple[int, ...]:
        ids = []
        for i in range(self.service_list.count()):
            item = self.service_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return tuple(ids)

    def _count_services(self) -> None:
        self.services_count.setText(
            _("已选 {n} / {total} 项").format(
                n=len(self.checked_services()), total=self.service_list.count()
            )
        )

    def snapshot(self) -> tuple[Any, ...]:
        return (
            self.name_edit.text(),
            self.kind_combo.currentIndex(),
            self.staff_combo.currentData(),
            self.capacity_spin.value(),
            self._hours(),
            self.sort_spin.value(),
            self.active_check.isChecked(),
            self.checked_services(),
        )

    def collect(self) -> ResourceInput:
        start, end = self._hours()
        return ResourceInput(
            name=self.name_edit.text(),
            kind=self._kind(),
            staff_id=self.staff_combo.currentData(),
            capacity=self.capacity_spin.value(),
            works_from=start,
            works_until=end,
            sort_order=self.sort_spin.value(),
            active=self.active_check.isChecked(),
            service_ids=self.checked_services(),
        )

    def work(self) -> Callable[[], int]:
        data = self.collect()
        self.saved_name = data.name.strip()
        db, actor, resource_id = self.db, self.actor, None if self.row is None else self.row.id
        return lambda: catalog.save_resource(db, actor, data, resource_id)


__all__ = [
    "CatalogData",
    "CatalogDialog",
    "CatalogPage",
    "ResourceEditor",
    "ServiceEditor",
    "load_catalog",
]

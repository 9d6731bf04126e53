"""The main window: movable, floatable, tabbable docks around the counter's work, with
the booking board taking the right-hand side."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStyle,
    QWidget,
)

from clubdesk import __version__
from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.paths import data_dir, log_dir
from clubdesk.services.labels import label
from clubdesk.services.roster import MemberRow
from clubdesk.services.staff import StaffMember
from ui.docks.bookings import BookingsDock
from ui.docks.complaints import ComplaintsDock
from ui.docks.in_service import InServiceDock
from ui.docks.return_visits import ReturnVisitsDock
from ui.docks.roster import RosterDock
from ui.docks.vip import VipDock
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner

# Bump when the dock set changes so an old saved layout is not applied to new docks.
LAYOUT_VERSION = 3


def window_settings() -> QSettings:
    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    def __init__(
        self,
        db: Database,
        user: StaffMember | None,
        runner: TaskRunner | SyncRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.user = user
        self.runner = runner or TaskRunner(self)
        self.persist_layout = True  # off for the self-check: it must not touch user files
        self.setObjectName("main_window")
        self.setWindowTitle(_("ClubDesk 会所前台"))
        self.setDockOptions(
            QMainWindow.DockOption.AllowTabbedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AnimatedDocks
        )
        self.setDockNestingEnabled(True)

        self.roster = RosterDock(db, self.runner, self)
        self.bookings = BookingsDock(db, self.runner, self)
        self.complaints = ComplaintsDock(db, self.runner, self, user=user)
        self.vip = VipDock(db, self.runner, self)
        self.in_service = InServiceDock(db, self.runner, user, self)
        self.visits = ReturnVisitsDock(db, self.runner, user, self)
        # Every dock has refresh(), focus_table(), a loaded signal and a view action.
        self.docks: list[Any] = [
            self.roster, self.bookings, self.complaints, self.vip, self.in_service,
            self.visits,
        ]  # fmt: skip

        from ui.booking_actions import BookingActions

        self.booking_actions = BookingActions(self)
        from ui.complaint_actions import ComplaintActions

        self.complaint_actions = ComplaintActions(self)
        from ui.visit_actions import VisitActions

        self.visit_actions = VisitActions(self)
        self._build_status_bar()
        self._build_actions()
        self.apply_default_layout()
        self.complaints.overdue_changed.connect(self._show_overdue)
        self.visits.overdue_changed.connect(self._show_overdue_visits)
        self.roster.open_requested.connect(self.open_member)
        self.restore_layout()

        from PySide6.QtWidgets import QApplication

        from ui.card_wedge import CardWedge

        self.wedge = CardWedge(self)
        self.wedge.scanned.connect(self.card_scanned)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.wedge)

    # -- layout ----------------------------------------------------------------------
    def apply_default_layout(self) -> None:
        for dock in self.docks:
            dock.setFloating(False)  # before re-adding: afterwards it would undo the tabs
        # The board is where the counter works all evening: the whole right-hand side.
        # The roster sits above the guests in service, complaints and VIP tabbed below.
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.roster)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.bookings)
        self.splitDockWidget(self.roster, self.in_service, Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.in_service, self.complaints)
        self.tabifyDockWidget(self.complaints, self.visits)
        self.tabifyDockWidget(self.visits, self.vip)
        for dock in self.docks:
            dock.show()
        self.in_service.raise_()
        self.resizeDocks([self.roster, self.bookings], [520, 1000], Qt.Orientation.Horizontal)
        self.resizeDocks([self.roster, self.in_service], [1, 1], Qt.Orientation.Vertical)

    def reset_layout(self) -> None:
        # Rebuilt rather than restoreState(default): restoring tabified docks into a
        # live window leaves Qt's previous tab bar painted over the new one.
        for dock in self.docks:
            dock.setFloating(False)
            self.removeDockWidget(dock)
        self.apply_default_layout()
        self.statusBar().showMessage(_("已恢复默认布局"), 3000)

    def restore_layout(self) -> None:
        settings = window_settings()
        geometry = settings.value("geometry")
        state = settings.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        settings = window_settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("state", self.saveState(LAYOUT_VERSION))
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.wedge)
        if self.persist_layout:
            self.save_layout()
        self.runner.wait(5000)
        super().closeEvent(event)

    # -- loading ---------------------------------------------------------------------
    def refresh_all(self) -> None:
        for dock in self.docks:
            dock.refresh()

    # -- chrome ----------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.db_label = QLabel(_("数据库：{where}").format(where=self.db.where), self)
        self.db_label.setToolTip(self.db.where)
        who = (
            _("当前员工：{name}（{role}）").format(
                name=self.user.display_name, role=label(self.user.role)
            )
            if self.user
            else _("当前员工：未登录")
        )
        self.user_label = QLabel(who, self)
        self.overdue_label = QLabel(self)
        self.overdue_visits_label = QLabel(self)
        bar.addPermanentWidget(self.overdue_label)
        bar.addPermanentWidget(self.overdue_visits_label)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.db_label)

    def _show_overdue(self, count: int) -> None:
        self.overdue_label.setText(_("超时投诉：{n} 宗").format(n=count) if count else "")
        self.overdue_label.setStyleSheet("color: #b91c1c; font-weight: bold;" if count else "")

    def _show_overdue_visits(self, count: int) -> None:
        self.overdue_visits_label.setText(_("逾期回访：{n} 条").format(n=count) if count else "")
        self.overdue_visits_label.setStyleSheet("color: #b45309;" if count else "")

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: str | QKeySequence.StandardKey | None = None,
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.refresh_action = self._action(
            _("刷新(&R)"), self.refresh_all, QKeySequence.StandardKey.Refresh, sp.SP_BrowserReload
        )
        self.print_card_action = self._action(
            _("打印会员档案卡(&P)…"),
            self.print_member_card,
            QKeySequence.StandardKey.Print,
            sp.SP_FileDialogDetailedView,
        )
        self.reset_layout_action = self._action(
            _("重置布局"), self.reset_layout, None, sp.SP_DialogResetButton
        )
        self.settings_action = self._action(
            _("设置(&S)…"), self.open_settings, "Ctrl+,", sp.SP_FileDialogInfoView
        )
        quit_action = self._action(_("退出(&X)"), self.close, QKeySequence.StandardKey.Quit)
        self.new_member_action = self._action(
            _("登记新会员(&N)…"), self.new_member, QKeySequence.StandardKey.New, sp.SP_FileIcon
        )
        self.open_member_action = self._action(
            _("会员详情(&O)…"), self.open_selected_member, "Ctrl+O", sp.SP_DirOpenIcon
        )
        self.find_member_action = self._action(
            _("查找会员"), self.roster.focus_search, None, sp.SP_FileDialogContentsView
        )
        self.statement_action = self._action(
            _("打印会员对账单…"), self.print_statement, "Ctrl+Shift+P"
        )
        self.birthdays_action = self._action(_("生日提醒…"), self.show_birthdays, "Ctrl+B")
        self.churn_action = self._action(_("流失预警…"), self.show_churn, None)
        self.import_action = self._action(_("导入会员名单…"), self.import_members, None)
        self.export_action = self._action(_("导出会员名单…"), self.export_members, None)

        menu = self.menuBar()
        file_menu = menu.addMenu(_("文件(&F)"))
        file_menu.addAction(self.print_card_action)
        file_menu.addAction(self.statement_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action(_("打开数据文件夹"), lambda: _open_folder(data_dir())))
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        member_menu = menu.addMenu(_("会员(&M)"))
        for action in (
            self.new_member_action,
            self.open_member_action,
            self.find_member_action,
            self.birthdays_action,
            self.churn_action,
        ):
            member_menu.addAction(action)

        view_menu = menu.addMenu(_("视图(&V)"))
        view_menu.addAction(self.refresh_action)
        view_menu.addSeparator()
        for key, dock in zip("123456", self.docks, strict=True):
            toggle = dock.toggleViewAction()
            toggle.setShortcut(QKeySequence(f"Ctrl+{key}"))
            view_menu.addAction(toggle)
        view_menu.addSeparator()
        view_menu.addAction(self.reset_layout_action)

        booking_menu = menu.addMenu(_("预约(&B)"))
        booking_toolbar_actions = self.booking_actions.build_menu(booking_menu)

        complaint_menu = menu.addMenu(_("投诉(&C)"))
        complaint_toolbar_actions = self.complaint_actions.build_menu(complaint_menu)

        visit_menu = menu.addMenu(_("回访(&R)"))
        visit_toolbar_actions = self.visit_actions.build_menu(visit_menu)

        tools_menu = menu.addMenu(_("工具(&T)"))
        tools_menu.addAction(self.settings_action)

        help_menu = menu.addMenu(_("帮助(&H)"))
        help_menu.addAction(self._action(_("打开日志文件夹"), lambda: _open_folder(log_dir())))
        help_menu.addAction(self._action(_("关于 ClubDesk"), self.about))

        toolbar = self.addToolBar(_("工具栏"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for action in (
            self.new_member_action,
            self.open_member_action,
            *booking_toolbar_actions,
            *complaint_toolbar_actions,
            *visit_toolbar_actions,
            self.refresh_action,
            self.print_card_action,
            self.settings_action,
            self.reset_layout_action,
        ):
            toolbar.addAction(action)
        for key, dock in zip("123456", self.docks, strict=True):
            focus = QAction(self)
            focus.setShortcut(QKeySequence(f"Alt+{key}"))
            focus.triggered.connect(dock.focus_table)
            self.addAction(focus)

    # -- commands --------------------------------------------------------------------
    def print_member_card(self) -> None:
        row = self.roster.selected_row()
        if not isinstance(row, MemberRow):
            QMessageBox.information(self, _("打印会员档案卡"), _("请先在会员名单中选中一位会员。"))
            return
        member_id = row.id
        title = _("会员档案卡")
        name = f"{title}-{row.card_number or member_id}-{row.name}.pdf"
        path, _filter = QFileDialog.getSaveFileName(
            self,
            _("保存会员档案卡"),
            str(Path.home() / name),
            _("PDF 文件 (*.pdf)"),
        )
        if not path:
            return
        from clubdesk.pdf.registry import render_form

        self.statusBar().showMessage(_("正在生成 PDF…"))
        self.runner.submit(
            lambda: render_form(self.db, "member-card", member_id, Path(path)),
            self._pdf_ready,
            lambda exc: show_error(self, exc),
        )

    # -- members -------------------------------------------------------------------
    def open_member(self, member_id: int) -> None:
        from ui.dialogs.member_detail import open_member

        dialog = open_member(self, self.db, self.user, self.runner, member_id)
        changed = getattr(dialog, "changed", None)
        if changed is not None and not getattr(dialog, "_roster_linked", False):
            # Balances, points and tiers in the roster follow the member's window.
            changed.connect(lambda _id: self.roster.refresh())
            dialog._roster_linked = True  # type: ignore[attr-defined]

    def open_selected_member(self) -> None:
        row = self.roster.selected_row()
        if isinstance(row, MemberRow):
            self.open_member(row.id)
        else:
            self.roster.focus_search()
            self.statusBar().showMessage(_("请先查找并选中一位会员。"), 4000)

    def new_member(self) -> None:
        from ui.dialogs.member_detail import new_member

        new_member(self, self.db, self.user, self.runner, on_saved=self._member_saved)

    def _member_saved(self, _member_id: int) -> None:
        self.roster.refresh()

    def card_scanned(self, number: str) -> None:
        """A card reader typed a number and Enter: open that member from anywhere."""
        from PySide6.QtWidgets import QApplication

        from clubdesk.services.cards import member_for_card

        self.statusBar().showMessage(_("已读卡：{number}").format(number=number), 4000)
        # A dialog that is asking who the guest is (the walk-in wizard) takes the card.
        taker = getattr(QApplication.activeWindow(), "take_member", None)

        def found(member_id: int) -> None:
            if taker is None or not taker(member_id):
                self.open_member(member_id)

        self.runner.submit(
            lambda: member_for_card(self.db, number),
            found,
            lambda exc: show_error(self, exc),
        )

    def show_birthdays(self) -> None:
        from ui.dialogs.member_lists import BirthdaysDialog

        dialog = BirthdaysDialog(self.db, self.runner, self)
        dialog.open_member.connect(self.open_member)
        dialog.show()

    def show_churn(self) -> None:
        from ui.dialogs.member_lists import ChurnDialog

        dialog = ChurnDialog(self.db, self.runner, self, self.user)
        dialog.open_member.connect(self.open_member)
        dialog.show()

    def import_members(self) -> None:
        from ui.dialogs.member_import import open_import_dialog

        open_import_dialog(self, self.db, self.user, self.runner)
        self.roster.refresh()

    def export_members(self) -> None:
        from ui.dialogs.member_export import export_members

        export_members(self, self.db, self.user, self.runner)

    def print_statement(self) -> None:
        row = self.roster.selected_row()
        if not isinstance(row, MemberRow):
            QMessageBox.information(self, _("打印会员对账单"), _("请先在会员名单中选中一位会员。"))
            return
        from ui.dialogs.member_lists import print_statement

        print_statement(self, self.db, self.runner, row.id, row.name, self._pdf_ready)

    def _pdf_ready(self, out: Path) -> None:
        """Saved; open it in the PDF viewer, where it is printed (and can be checked)."""
        self.statusBar().showMessage(_("已保存：{path}").format(path=out), 8000)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))

    def open_settings(self) -> None:
        from ui.dialogs.settings import SettingsDialog

        dialog = SettingsDialog(self.db, self.runner, self.user, self)
        # Opening hours, deadlines and scripts are read when a view loads: reload them.
        dialog.saved.connect(lambda _keys: self.refresh_all())
        dialog.exec()

    def about(self) -> None:
        QMessageBox.about(
            self,
            _("关于 ClubDesk"),
            _(
                "ClubDesk {version}\n"
                "会所、健身房、足浴店、影城会员柜台与酒店贵宾接待的前台系统。\n\n"
                "数据库：{where}"
            ).format(version=__version__, where=self.db.where),
        )

    def dock_by_name(self, name: str) -> QDockWidget | None:
        return next((d for d in self.docks if d.objectName() == name), None)


def _open_folder(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

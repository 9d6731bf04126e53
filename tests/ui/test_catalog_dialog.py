"""服务项目与房间技师: the catalogue dialog on the seeded database, driven by the keyboard
with a synchronous runner."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.models import Resource, Service, Staff
from clubdesk.models.enums import ResourceKind, Role, ServiceCategory
from clubdesk.money import format_fen
from clubdesk.services import catalog, staff
from clubdesk.services.catalog import ResourceInput
from clubdesk.services.labels import label
from clubdesk.services.staff import StaffMember
from ui.dialogs.catalog import CatalogDialog, ResourceEditor, ServiceEditor
from ui.tasks import SyncRunner


@pytest.fixture(autouse=True)
def _app_configured() -> None:
    from ui.app import configure

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    configure(app)


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes never block: their text is collected; questions answer Yes."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    return shown


def _open(qtbot: QtBot, db: Database, actor: StaffMember | None) -> Iterator[CatalogDialog]:
    dialog = CatalogDialog(db, SyncRunner(), actor)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2_000)
    yield dialog
    if dialog.editor is not None:
        dialog.editor.hide()
    dialog.hide()


@pytest.fixture
def dialog(qtbot: QtBot, seeded_db: Database) -> Iterator[CatalogDialog]:
    yield from _open(qtbot, seeded_db, staff.counter_user(seeded_db))


def _front_desk(db: Database) -> StaffMember:
    with db.read() as session:
        row = session.scalars(select(Staff).where(Staff.role == Role.FRONT_DESK)).first()
        assert row is not None
        return StaffMember(row.id, row.username, row.display_name, row.role)


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """ASCII as key presses, Chinese as an input method commits it."""
    widget.setFocus()
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def _focused() -> QWidget | None:
    return QApplication.focusWidget()


def _editor(qtbot: QtBot, dialog: CatalogDialog) -> QDialog:
    """The editor the last key opened, once it has the keyboard."""
    editor = dialog.editor
    assert editor is not None and editor.isVisible()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2_000)
    return editor


def _count(db: Database, model: type[Service] | type[Resource]) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _column(dialog: CatalogDialog, page_index: int, title: str) -> list[str]:
    page = dialog.services if page_index == 0 else dialog.resources
    proxy = page.proxy
    column = next(
        c
        for c in range(proxy.columnCount())
        if proxy.headerData(c, Qt.Orientation.Horizontal) == title
    )
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def test_tabs_list_the_catalogue_and_sort(
    qtbot: QtBot, dialog: CatalogDialog, seeded_db: Database
) -> None:
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "服务项目",
        "房间与技师",
    ]
    services = catalog.list_services(seeded_db)
    resources = catalog.list_resources(seeded_db)
    assert len(services) >= 10 and len(resources) >= 40
    assert _column(dialog, 0, "名称") == [s.name for s in services]
    assert _column(dialog, 1, "名称") == [r.name for r in resources]
    # working hours of a person read as the service formats them
    person = next(r for r in resources if r.is_person and r.works_from is not None)
    row = [r.name for r in resources].index(person.name)
    assert _column(dialog, 1, "工作时间")[row] == catalog.hours_text(
        person.works_from, person.works_until
    )

    # sorting by price sorts by the amount, not by its text
    header = dialog.services.table.horizontalHeader()
    price_column = [
        dialog.services.proxy.headerData(c, Qt.Orientation.Horizontal)
        for c in range(dialog.services.proxy.columnCount())
    ].index("价目表价")
    dialog.services.table.sortByColumn(price_column, Qt.SortOrder.DescendingOrder)
    prices = sorted((s.list_price_fen for s in services), reverse=True)
    assert _column(dialog, 0, "价目表价") == [format_fen(p) for p in prices]
    assert header.sortIndicatorSection() == price_column

    for index, name in ((0, "services"), (1, "resources")):
        dialog.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        path = Path(f"/tmp/catalog-{name}.png")
        assert dialog.grab().save(str(path))
        assert path.stat().st_size > 10_000
    # the table of the shown tab takes the keyboard
    assert _focused() is dialog.resources.table


def test_create_a_service_with_the_keyboard(
    qtbot: QtBot, dialog: CatalogDialog, seeded_db: Database
) -> None:
    before = _count(seeded_db, Service)
    dialog.services.table.setFocus()
    qtbot.keyClick(dialog.services.table, Qt.Key.Key_Insert)
    editor = _editor(qtbot, dialog)
    assert isinstance(editor, ServiceEditor)
    assert _focused() is editor.name_edit
    type_text(qtbot, editor.name_edit, "艾灸理疗")
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is editor.category_combo
    target = list(ServiceCategory).index(ServiceCategory.LEISURE)
    for _i in range(target - editor.category_combo.currentIndex()):
        qtbot.keyClick(editor.category_combo, Qt.Key.Key_Down)
    assert editor.category_combo.currentText() == label(ServiceCategory.LEISURE)
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is editor.duration_spin
    qtbot.keyClick(editor.duration_spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.duration_spin, "45")
    qtbot.keyClick(editor.duration_spin, Qt.Key.Key_Up)  # +5 minutes
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is editor.price_edit
    qtbot.keyClicks(editor.price_edit, "158.5")
    qtbot.keyClick(editor.price_edit, Qt.Key.Key_Return)

    assert not editor.isVisible()
    assert _count(seeded_db, Service) == before + 1
    [saved] = [s for s in catalog.list_services(seeded_db) if s.name == "艾灸理疗"]
    assert (saved.category, saved.duration_min, saved.list_price_fen, saved.capacity) == (
        ServiceCategory.LEISURE,
        50,
        15_850,
        None,
    )
    assert saved.active
    current = dialog.services.current()
    assert current is not None and current.id == saved.id
    assert "已保存服务项目“艾灸理疗”" in dialog.services.status.text()
    qtbot.waitUntil(lambda: _focused() is dialog.services.table, timeout=2_000)


def test_refused_input_shows_the_message_under_the_field(
    qtbot: QtBot, dialog: CatalogDialog, seeded_db: Database, boxes: list[str]
) -> None:
    before = _count(seeded_db, Service)
    taken = catalog.list_services(seeded_db)[0].name
    dialog.services.table.setFocus()
    qtbot.keyClick(dialog.services.table, Qt.Key.Key_Insert)
    editor = _editor(qtbot, dialog)
    assert isinstance(editor, ServiceEditor)

    # no price yet: refused in the form
    type_text(qtbot, editor.name_edit, taken)
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Return)
    assert "请填写价目表价格" in editor.errors.boxes["list_price_fen"].error_text()
    assert _focused() is editor.price_edit

    # a name another service has: refused by the service, shown under the name
    qtbot.keyClicks(editor.price_edit, "88")
    assert editor.errors.boxes["list_price_fen"].error_text() == ""  # cleared by typing
    qtbot.keyClick(editor.price_edit, Qt.Key.Key_Return)
    message = editor.errors.boxes["name"].error_text()
    assert f"已有名为“{taken}”的服务项目" in message
    assert _focused() is editor.name_edit and editor.isVisible()

    # a length off the 5-minute grid
    type_text(qtbot, editor.name_edit, "头疗")
    editor.duration_spin.setFocus()
    qtbot.keyClick(editor.duration_spin, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.duration_spin, "62")
    qtbot.keyClick(editor.duration_spin, Qt.Key.Key_Return)
    assert "5 分钟的整数倍" in editor.errors.boxes["duration_min"].error_text()
    assert editor.errors.boxes["name"].error_text() == ""

    # one seat is not a session
    editor.duration_spin.setValue(60)
    editor.seats_spin.setValue(1)
    qtbot.keyClick(editor.seats_spin, Qt.Key.Key_Return)
    assert "座位数应在 2 到 500 之间" in editor.errors.boxes["capacity"].error_text()
    assert _count(seeded_db, Service) == before
    assert boxes == []  # field messages, no message boxes

    # Esc with unsaved changes asks; answered Yes (not Discard) the editor stays
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert editor.isVisible()


def test_resource_with_night_shift_and_services(
    qtbot: QtBot, dialog: CatalogDialog, seeded_db: Database
) -> None:
    services = catalog.list_services(seeded_db)
    dialog.tabs.setCurrentIndex(1)
    assert _focused() is dialog.resources.table
    qtbot.keyClick(dialog.resources.table, Qt.Key.Key_Insert)
    editor = _editor(qtbot, dialog)
    assert isinstance(editor, ResourceEditor)
    assert editor.all_day.isChecked() and not editor.from_edit.isEnabled()
    type_text(qtbot, editor.name_edit, "31号技师 小周")
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is editor.kind_combo
    while editor.kind_combo.currentData() != ResourceKind.THERAPIST:
        qtbot.keyClick(editor.kind_combo, Qt.Key.Key_Down)
    assert editor.staff_combo.isEnabled() and not editor.capacity_spin.isEnabled()
    editor.all_day.setFocus()
    qtbot.keyClick(editor.all_day, Qt.Key.Key_Space)
    assert not editor.all_day.isChecked() and editor.from_edit.isEnabled()
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is editor.from_edit
    qtbot.keyClicks(editor.from_edit, "1800")
    qtbot.keyClick(_focused(), Qt.Key.Key_Tab)
    assert _focused() is editor.until_edit
    qtbot.keyClicks(editor.until_edit, "0200")
    assert "次日" in editor.next_day.text()
    # tick the first and third services with the space bar
    editor.service_list.setFocus()
    wanted = [services[0].id, services[2].id]
    for row in (0, 2):
        editor.service_list.setCurrentRow(row)
        qtbot.keyClick(editor.service_list, Qt.Key.Key_Space)
    assert set(editor.checked_services()) == set(wanted)
    assert "已选 2" in editor.services_count.text()
    qtbot.keyClick(editor.service_list, Qt.Key.Key_Return)

    assert not editor.isVisible()
    [saved] = [r for r in catalog.list_resources(seeded_db) if r.name == "31号技师 小周"]
    assert (saved.kind, saved.works_from, saved.works_until) == (
        ResourceKind.THERAPIST,
        time(18),
        time(2),
    )
    assert set(saved.service_ids) == set(wanted)
    current = dialog.resources.current()
    assert current is not None and current.id == saved.id
    row = _column(dialog, 1, "名称").index("31号技师 小周")
    assert _column(dialog, 1, "工作时间")[row] == "18:00–次日02:00"

    # equal start and end are refused under the hours
    qtbot.waitUntil(lambda: _focused() is dialog.resources.table, timeout=2_000)
    qtbot.keyClick(dialog.resources.table, Qt.Key.Key_Return)
    editor = _editor(qtbot, dialog)
    assert isinstance(editor, ResourceEditor) and editor.row is not None
    assert editor.from_edit.time().hour() == 18 and not editor.all_day.isChecked()
    editor.until_edit.setTime(editor.from_edit.time())
    qtbot.keyClick(editor.name_edit, Qt.Key.Key_Return)
    assert "不能相同" in editor.errors.boxes["works_until"].error_text()
    assert editor.isVisible()


def test_deactivation_is_asked_and_refused_while_booked(
    qtbot: QtBot, dialog: CatalogDialog, seeded_db: Database, boxes: list[str]
) -> None:
    dialog.tabs.setCurrentIndex(1)
    busy = next(r for r in dialog.resources.model.rows() if r.future_bookings)
    assert dialog.resources.select_id(busy.id)
    qtbot.keyClick(dialog.resources.table, Qt.Key.Key_Delete)
    assert len(boxes) == 1
    assert f"“{busy.name}”还有" in boxes[0] and "个未完成的预约" in boxes[0]
    assert all(r.active for r in catalog.list_resources(seeded_db) if r.id == busy.id)

    admin = staff.counter_user(seeded_db)
    spare = catalog.save_resource(seeded_db, admin, ResourceInput("备用房", ResourceKind.ROOM))
    dialog.load(resource_id=spare)
    current = dialog.resources.current()
    assert current is not None and current.id == spare
    assert dialog.resources.toggle_button.text() == "停用(&D)"
    qtbot.keyClick(dialog.resources.table, Qt.Key.Key_Delete)  # asked, answered Yes
    [row] = [r for r in catalog.list_resources(seeded_db) if r.id == spare]
    assert not row.active
    assert dialog.resources.toggle_button.text() == "启用(&D)"
    proxy_row = dialog.resources.table.currentIndex().row()
    assert _column(dialog, 1, "状态")[proxy_row] == "已停用"
    qtbot.keyClick(dialog.resources.table, Qt.Key.Key_Delete)
    assert [r.active for r in catalog.list_resources(seeded_db) if r.id == spare] == [True]


def test_used_service_is_deactivated(
    qtbot: QtBot, dialog: CatalogDialog, seeded_db: Database, boxes: list[str]
) -> None:
    used = next(s for s in dialog.services.model.rows() if s.bookings)
    changes: list[bool] = []
    dialog.changed.connect(lambda: changes.append(True))
    assert dialog.services.select_id(used.id)
    dialog.services.table.setFocus()
    qtbot.keyClick(dialog.services.table, Qt.Key.Key_Delete)
    assert [s.active for s in catalog.list_services(seeded_db) if s.id == used.id] == [False]
    assert changes == [True] and boxes == []
    assert f"已停用“{used.name}”" in dialog.services.status.text()


@pytest.fixture
def front_dialog(qtbot: QtBot, seeded_db: Database) -> Iterator[CatalogDialog]:
    yield from _open(qtbot, seeded_db, _front_desk(seeded_db))


def test_front_desk_sees_the_catalogue_read_only(
    qtbot: QtBot, front_dialog: CatalogDialog, seeded_db: Database, boxes: list[str]
) -> None:
    dialog = front_dialog
    for page in (dialog.services, dialog.resources):
        dialog.tabs.setCurrentWidget(page)
        assert page.model.rowCount() > 0
        for button in (page.new_button, page.edit_button, page.toggle_button):
            assert not button.isEnabled()
            assert "没有“维护服务项目与房间技师”的权限" in button.toolTip()
        page.table.setFocus()
        for key in (Qt.Key.Key_Insert, Qt.Key.Key_Return, Qt.Key.Key_Delete):
            qtbot.keyClick(page.table, key)
        assert dialog.editor is None
        assert "只能查看" in page.status.text()
    assert "只能查看" in dialog.hint.text()

    # the service refuses on its own, whatever the window allows
    before = _count(seeded_db, Service)
    editor = ServiceEditor(dialog, seeded_db, dialog.actor, SyncRunner(), None)
    qtbot.addWidget(editor)
    editor.open()
    editor.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2_000)
    type_text(qtbot, editor.name_edit, "头疗")
    qtbot.keyClicks(editor.price_edit, "99")
    qtbot.keyClick(editor.price_edit, Qt.Key.Key_Return)
    assert editor.banner.isVisible()
    assert "没有“维护服务项目与房间技师”的权限" in editor.banner.text()
    assert _count(seeded_db, Service) == before
    assert boxes == []
    editor.hide()

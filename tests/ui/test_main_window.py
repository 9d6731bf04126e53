"""The main window: four docks with real rows, layout save/restore/reset, status bar."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget
from pytestqt.qtbot import QtBot

from clubdesk.db.engine import Database
from clubdesk.services import roster
from ui.main_window import MainWindow


def test_six_docks_with_their_chinese_titles(window: MainWindow) -> None:
    titles = [d.windowTitle() for d in window.docks]
    assert titles == ["会员", "预约看板", "投诉登记", "VIP礼遇", "服务中", "回访"]
    for dock in window.docks:
        features = dock.features()
        assert features & QDockWidget.DockWidgetFeature.DockWidgetMovable
        assert features & QDockWidget.DockWidgetFeature.DockWidgetFloatable
    assert set(window.tabifiedDockWidgets(window.complaints)) == {
        window.vip,
        window.in_service,
        window.visits,
    }
    assert not window.tabifiedDockWidgets(window.bookings)  # the board keeps its side


def test_roster_dock_shows_seeded_members(window: MainWindow, seeded_db: Database) -> None:
    model = window.roster.model
    assert model.rowCount() == roster.PAGE_SIZE
    first = roster.page(seeded_db, limit=1)[0]
    assert model.index(0, 1).data() == first.name
    assert "****" in model.index(0, 2).data()  # phones are masked at the counter
    assert model.headerData(0, Qt.Orientation.Horizontal) == "卡号"
    assert "500" in window.roster.count_label.text()


def test_roster_fetches_the_next_page_on_scroll(window: MainWindow) -> None:
    model = window.roster.model
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * roster.PAGE_SIZE
    ids = [model.row_at(i).id for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)


def test_booking_dock_shows_todays_bookings(window: MainWindow) -> None:
    # Between 00:00 and the 02:00 closing the board still shows the evening before.
    board = window.bookings.view.board
    assert board is not None and board.blocks
    assert "个预约" in window.bookings.status.text()


def test_booking_dock_changes_day_from_the_keyboard(window: MainWindow, qtbot: QtBot) -> None:
    first = window.bookings.current_day()
    window.bookings.shift(1)
    board = window.bookings.view.board
    assert board is not None and board.days == (first + timedelta(days=1),)


def test_complaints_dock_shows_seeded_complaints(window: MainWindow) -> None:
    assert window.complaints.model.rowCount() > 0
    assert "未结" in window.complaints.status.text()


def test_overdue_complaints_come_first_and_say_so(window: MainWindow) -> None:
    rows = window.complaints.model.rows()
    flags = [r.overdue for r in rows]
    assert any(flags), "the demo has overdue complaints"
    assert flags == sorted(flags, reverse=True)  # every overdue row before any other
    assert window.complaints.model.index(0, 4).data().endswith(" 超时")


def test_vip_dock_shows_upcoming_visits(window: MainWindow) -> None:
    assert window.vip.model.rowCount() > 0
    assert "/" in window.vip.model.index(0, 5).data() or window.vip.model.index(0, 5).data() == "—"


def test_status_bar_names_database_and_staff(window: MainWindow, seeded_db: Database) -> None:
    assert seeded_db.where in window.db_label.text()
    assert "当前员工" in window.user_label.text()


def test_layout_is_saved_and_restored(
    window: MainWindow, seeded_db: Database, qtbot: QtBot
) -> None:
    from clubdesk.services import staff
    from ui.tasks import SyncRunner

    window.vip.setFloating(True)
    window.close()
    again = MainWindow(seeded_db, staff.counter_user(seeded_db), SyncRunner())
    qtbot.addWidget(again)
    assert again.vip.isFloating()
    again.show()
    qtbot.waitExposed(again)
    again.reset_layout()
    assert not again.vip.isFloating()
    assert set(again.tabifiedDockWidgets(again.complaints)) == {
        again.vip,
        again.in_service,
        again.visits,
    }


def test_hiding_a_dock_and_reset_brings_it_back(window: MainWindow) -> None:
    window.bookings.toggleViewAction().trigger()
    assert not window.bookings.isVisible()
    window.reset_layout_action.trigger()
    assert window.bookings.isVisible()


def test_reset_layout_leaves_one_visible_tab_bar(window: MainWindow, qtbot: QtBot) -> None:
    """Regression: restoreState() on a live window left the old tab bar painted."""
    from PySide6.QtWidgets import QTabBar

    window.vip.setFloating(True)
    window.reset_layout()
    window.reset_layout()
    qtbot.wait(50)  # let the dock layout place its tab bar
    inside = [
        bar
        for bar in window.findChildren(QTabBar)
        if bar.isVisible() and bar.count() and window.rect().intersects(bar.geometry())
    ]
    assert len(inside) == 1
    assert [inside[0].tabText(i) for i in range(inside[0].count())] == [
        "服务中", "投诉登记", "回访", "VIP礼遇"
    ]  # fmt: skip


def test_print_member_card_saves_and_opens_the_pdf(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    window.roster.table.clearSelection()
    window.roster.table.setCurrentIndex(window.roster.model.index(-1, -1))
    window.print_member_card()
    assert told == ["请先在会员名单中选中一位会员。"]

    suggested: list[str] = []
    out = tmp_path / "card.pdf"

    def save_as(_parent: object, _title: str, name: str, _filter: str) -> tuple[str, str]:
        suggested.append(name)
        return str(out), ""

    opened: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    window.roster.table.selectRow(0)
    row = window.roster.model.row_at(0)
    assert row is not None
    window.print_member_card()
    assert f"{row.card_number}-{row.name}" in suggested[0]
    assert out.read_bytes().startswith(b"%PDF")
    assert opened == [str(out)]


def test_overdue_return_visits_are_counted_in_the_status_bar(window: MainWindow) -> None:
    window.visits.overdue_changed.emit(4)
    assert window.overdue_visits_label.text() == "逾期回访：4 条"
    window.visits.overdue_changed.emit(0)
    assert window.overdue_visits_label.text() == ""

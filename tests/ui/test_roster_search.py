"""Typing into the roster search box and scanning a card with a keyboard-wedge reader."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from clubdesk.services.roster import MemberRow
from ui.main_window import MainWindow


def _a_member(window: MainWindow) -> dict[str, Any]:
    with window.db.read() as s:
        row = s.execute(
            text(
                "SELECT m.id, m.name, m.phone, c.number FROM members m JOIN cards c"
                " ON c.member_id = m.id AND c.status = 'active'"
                " WHERE length(m.name) = 3 ORDER BY m.id LIMIT 1"
            )
        ).one()
    return {"id": row[0], "name": row[1], "phone": row[2], "card": row[3]}


def _rows(window: MainWindow) -> list[MemberRow]:
    return window.roster.model.rows()


def _type(qtbot: QtBot, window: MainWindow, typed: str) -> None:
    from ui.bench_probe import type_char

    box = window.roster.search
    box.clear()
    for char in typed:  # Chinese arrives as an input method's commit string
        type_char(box, char)
    qtbot.waitUntil(lambda: not window.roster.is_loading and window.roster._shown_text == typed)


def test_typing_filters_by_each_kind(qtbot: QtBot, window: MainWindow) -> None:
    m = _a_member(window)
    _type(qtbot, window, m["phone"][-4:])
    assert _rows(window) and all(r.phone_masked.endswith(m["phone"][-4:]) for r in _rows(window))
    assert m["id"] in {r.id for r in _rows(window)}
    assert "尾号" in window.roster.status.text()

    _type(qtbot, window, m["name"][1:])
    assert all(m["name"][1:] in r.name for r in _rows(window))
    assert m["id"] in {r.id for r in _rows(window)}

    _type(qtbot, window, m["card"])
    assert [r.id for r in _rows(window)] == [m["id"]]
    assert "找到 1 名" in window.roster.count_label.text()

    _type(qtbot, window, "9")
    assert _rows(window) == []
    assert "无法识别" in window.roster.status.text()


def test_an_old_card_number_typed_into_the_search_says_it_was_reissued(
    qtbot: QtBot, window: MainWindow
) -> None:
    with window.db.read() as s:
        number = s.execute(
            text("SELECT number FROM cards WHERE status = 'replaced' LIMIT 1")
        ).scalar()
    _type(qtbot, window, number)
    assert _rows(window) == []
    assert "已挂失补办" in window.roster.status.text()


def test_enter_in_the_search_box_opens_the_first_match(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []
    window.roster.open_requested.disconnect()
    window.roster.open_requested.connect(opened.append)
    m = _a_member(window)
    _type(qtbot, window, m["phone"])
    qtbot.keyClick(window.roster.search, Qt.Key.Key_Return)
    assert opened == [m["id"]]


def test_a_card_scan_opens_the_member_from_anywhere(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []
    monkeypatch.setattr(
        "ui.dialogs.member_detail.open_member",
        lambda parent, db, actor, runner, member_id: opened.append(member_id),
    )
    m = _a_member(window)
    window.activateWindow()
    window.bookings.view.setFocus()
    qtbot.waitUntil(lambda: window.bookings.view.hasFocus())
    qtbot.keyClicks(window.bookings.view, m["card"])
    qtbot.keyClick(window.bookings.view, Qt.Key.Key_Return)
    assert opened == [m["id"]]


def test_slow_typing_is_not_a_scan(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []
    monkeypatch.setattr(
        "ui.dialogs.member_detail.open_member",
        lambda parent, db, actor, runner, member_id: opened.append(member_id),
    )
    scans: list[str] = []
    window.wedge.scanned.connect(scans.append)
    clock = iter(float(k) * 0.2 for k in range(100))  # a person: 200 ms a key
    window.wedge._clock = lambda: next(clock)
    window.activateWindow()
    window.bookings.view.setFocus()
    qtbot.waitUntil(lambda: window.bookings.view.hasFocus())
    qtbot.keyClicks(window.bookings.view, "8123456789")
    qtbot.keyClick(window.bookings.view, Qt.Key.Key_Return)
    assert scans == []
    assert opened == []  # Enter on another dock does not open the roster's member


def test_a_replaced_card_is_refused_with_a_message(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr("ui.main_window.show_error", lambda parent, exc: shown.append(str(exc)))
    with window.db.read() as s:
        number = s.execute(
            text("SELECT number FROM cards WHERE status = 'replaced' LIMIT 1")
        ).scalar()
    assert number, "the demo data has reissued cards"
    window.card_scanned(number)
    assert shown and "已挂失补办" in shown[0]


def test_a_fast_typed_mobile_number_is_not_a_card_scan(qtbot: QtBot, window: MainWindow) -> None:
    scans: list[str] = []
    window.wedge.scanned.connect(scans.append)
    window.activateWindow()
    window.bookings.view.setFocus()
    qtbot.waitUntil(lambda: window.bookings.view.hasFocus())
    qtbot.keyClicks(window.bookings.view, "13800138000")
    qtbot.keyClick(window.bookings.view, Qt.Key.Key_Return)
    assert scans == []

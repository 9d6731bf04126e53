"""The 投诉 and 回访 menus' print commands write the forms and open them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog

from ui import pdf_output
from ui.dialogs.member_lists import PeriodDialog
from ui.main_window import MainWindow


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path]:
    opened: list[Path] = []
    target = iter(tmp_path / f"form{n}.pdf" for n in range(10))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(next(target)), ""))
    monkeypatch.setattr(pdf_output, "open_pdf", opened.append)
    return opened


def test_blank_complaint_form_from_the_menu(window: MainWindow, saved: list[Path]) -> None:
    window.complaint_actions.print_blank()
    assert len(saved) == 1
    text = _text(saved[0])
    assert "顾客投诉登记表" in text and "投诉编号" in text


def test_visit_record_of_the_chosen_period(
    window: MainWindow, saved: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PeriodDialog, "exec", lambda _self: QDialog.DialogCode.Accepted)
    window.visit_actions.print_record()
    assert len(saved) == 1
    assert "回访记录表" in _text(saved[0])
    window.visit_actions.print_blank()
    assert len(saved) == 2 and "回访记录表" in _text(saved[1])


def test_cancelled_period_prints_nothing(
    window: MainWindow, saved: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PeriodDialog, "exec", lambda _self: QDialog.DialogCode.Rejected)
    window.visit_actions.print_record()
    assert saved == []

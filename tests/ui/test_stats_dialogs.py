"""The statistics dialogs: the classification table and the return-visit summary load
on the demo database and on hand-built records with known figures, refuse a reversed
period inline, and print (and export) through the runner."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from clubdesk.db.engine import Database
from clubdesk.services import complaint_stats as cs
from clubdesk.services import staff, visit_stats
from clubdesk.services.complaint_stats import RowKind
from tests.core.complaint_helpers import people
from tests.core.test_complaint_stats import (
    FEB,
    MAR,
    STATS_NOW,
    build_known_period,
    build_visits,
)
from ui.dialogs import complaint_stats as stats_module
from ui.dialogs.complaint_stats import ComplaintStatsDialog
from ui.dialogs.visit_summary import VisitSummaryDialog
from ui.tasks import SyncRunner


@pytest.fixture(autouse=True)
def _app_configured(qapp: QApplication) -> None:
    from ui.app import configure

    configure(qapp)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """PDFs the dialogs would open in the viewer."""
    seen: list[Path] = []
    monkeypatch.setattr(stats_module, "open_pdf", seen.append)
    return seen


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )


def stats_dialog(qtbot: QtBot, db: Database, **kw: object) -> ComplaintStatsDialog:
    dialog = ComplaintStatsDialog(db, SyncRunner(), staff.counter_user(db), None, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    return dialog


def test_classification_dialog_loads_the_demo_month(qtbot: QtBot, seeded_db: Database) -> None:
    now = datetime.now()
    dialog = stats_dialog(qtbot, seeded_db, clock=lambda: now)
    dialog.show()
    expected = cs.classification(
        seeded_db, cs.month_start(now.date()), cs.month_end(now.date()), now
    )
    table = expected.table()
    assert dialog.model.rowCount() == len(table)
    last = dialog.model.rowCount() - 1
    assert dialog.cell(last, 0) == "合计"
    assert dialog.cell(last, 2) == str(expected.total.count)
    assert dialog.print_button.isEnabled() and dialog.export_button.isEnabled()
    assert dialog.chart.is_empty() == (expected.total.count == 0)
    assert "共受理投诉" in dialog.summary.text()


def test_known_months_table_chart_and_measures(qtbot: QtBot, db: Database) -> None:
    c1, _c2 = build_known_period(db)
    p = people(db)
    dialog = ComplaintStatsDialog(db, SyncRunner(), p.desk, None, clock=lambda: STATS_NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.start.month() == MAR and dialog.end.month() == MAR  # this month
    with qtbot.waitSignal(dialog.loaded):
        dialog.set_months(FEB, MAR)
    rows = dialog.model.rows()
    first = [i for i, r in enumerate(rows) if r.category_id == c1]
    # 前厅部, 水疗部, 未指定, then the subtotal: the name spans all four rows.
    assert [dialog.cell(i, 1) for i in first] == ["前厅部", "水疗部", "未指定", "小计"]
    assert dialog.table.rowSpan(first[0], 0) == 4
    subtotal = dialog.model.index(first[-1], 2)
    assert subtotal.data() == "4"
    assert subtotal.data(Qt.ItemDataRole.FontRole).bold()
    assert not dialog.model.index(first[0], 2).data(Qt.ItemDataRole.FontRole)
    spa = first[1]
    assert [dialog.cell(spa, c) for c in range(2, 7)] == ["2", "100.0%", "36.0", "1", "¥150.00"]
    total = dialog.model.rowCount() - 1
    assert dialog.model.rows()[total].kind is RowKind.TOTAL
    assert [dialog.cell(total, c) for c in range(2, 7)] == ["5", "66.7%", "24.7", "2", "¥150.00"]
    assert "2 宗 ÷ 已判断 3 宗" in dialog.model.index(total, 3).data(Qt.ItemDataRole.ToolTipRole)
    # Two months: bars grouped by month, one series each.
    assert dialog.chart.title_text() == "各类投诉数（按月分组）"
    dialog.chart.to_png()
    assert len(dialog.chart.bar_rects()) == 3  # February's first category, March's two
    texts = [dialog.measures.item(i).text() for i in range(dialog.measures.count())]
    assert texts[0] == f"〔{rows[first[0]].category} · 水疗部〕技师上钟前核对服务时长"
    assert any("另有 1 条属于敏感投诉" in t for t in texts)


def test_reversed_months_are_refused_inline(qtbot: QtBot, db: Database) -> None:
    build_known_period(db)
    dialog = stats_dialog(qtbot, db, clock=lambda: STATS_NOW)
    dialog.show()
    dialog.start.set_month(MAR)
    dialog.end.set_month(FEB)
    dialog.query_button.click()
    assert dialog.status.text() == "结束月份不能早于开始月份。"
    assert dialog.model.rowCount() == 0 and dialog.chart.is_empty()
    assert not dialog.print_button.isEnabled()
    dialog.start.set_month(date(2030, 1, 1))
    dialog.end.set_month(MAR)
    dialog.query_button.click()
    assert "最长 12 个月" in dialog.status.text() and dialog.model.rowCount() == 0


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_print_and_export(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    opened: list[Path],
) -> None:
    from tests.core.test_pdf import compact, pdf_text

    build_known_period(db)
    dialog = stats_dialog(qtbot, db, clock=lambda: STATS_NOW)
    dialog.show()
    dialog.set_months(FEB, MAR)
    out = tmp_path / "stats.pdf"
    save_as(monkeypatch, out)
    dialog.print_button.click()
    assert opened == [out]
    flat = compact(pdf_text(out))
    assert "顾客投诉分类统计表" in flat and "统计期间：2031年2月至2031年3月" in flat
    assert "已保存" in dialog.status.text()

    book = tmp_path / "stats"
    save_as(monkeypatch, book)  # no extension typed: .xlsx is added
    dialog.export_button.click()
    import openpyxl  # type: ignore[import-untyped]

    sheet = openpyxl.load_workbook(tmp_path / "stats.xlsx").active
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0] == "合计" and last[2] == 5 and last[9] == 150


def test_cancelling_the_save_prints_nothing(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch, opened: list[Path]
) -> None:
    dialog = stats_dialog(qtbot, db, clock=lambda: STATS_NOW)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    dialog.print_pdf()
    assert opened == []


# -- return-visit summary -----------------------------------------------------------------


def test_visit_summary_dialog_on_the_demo_database(qtbot: QtBot, seeded_db: Database) -> None:
    now = datetime.now()
    dialog = VisitSummaryDialog(seeded_db, SyncRunner(), staff.counter_user(seeded_db), None,
                                clock=lambda: now)  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.show()
    start, end = cs.month_start(now.date()), cs.month_end(now.date())
    assert dialog.period() == (start, end)
    expected = visit_stats.visit_summary(seeded_db, start, end, now=now)
    assert dialog.figures["members"].value.text() == f"{expected.members:,}"
    assert dialog.figures["done"].value.text() == f"{expected.done:,}"
    assert dialog.source_model.rowCount() == 5
    assert dialog.staff_model.rowCount() == len(expected.by_staff)
    assert dialog.print_button.isEnabled()


def test_visit_summary_known_figures_and_print(
    qtbot: QtBot,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    opened: list[Path],
) -> None:
    build_visits(db)
    dialog = VisitSummaryDialog(db, SyncRunner(), None, None, clock=lambda: STATS_NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.period() == (MAR, date(2031, 3, 31))
    figures = {k: f.value.text() for k, f in dialog.figures.items()}
    assert figures == {
        "members": "3",
        "covered": "2",
        "planned": "5",
        "planned_done": "3",
        "overdue": "1",
        "done": "4",
        "on_time": "50.0%",
        "escalated": "1",
    }
    assert dialog.coverage_chart.description().startswith("已回访会员 2")
    staff_rows = [dialog.staff_model.index(r, 0).data() for r in range(2)]
    assert staff_rows == ["李客服", "王客服"]
    assert dialog.unhappy_model.index(0, 5).data().startswith("已转投诉 TS-T")
    assert dialog.suggestion_model.rowCount() == 2
    assert dialog.tabs.tabText(4) == "顾客建议（2）(&5)"
    dialog.satisfaction_chart.to_png()
    assert len(dialog.satisfaction_chart.bar_rects()) == 3

    dialog.set_period(date(2031, 3, 31), MAR)
    assert dialog.status.text() == "结束日期不能早于开始日期。"
    assert dialog.figures["done"].value.text() == "—" and not dialog.print_button.isEnabled()

    dialog.set_period(MAR, date(2031, 3, 31))
    out = tmp_path / "visits.pdf"
    save_as(monkeypatch, out)
    dialog.print_button.click()
    assert opened == [out] and out.read_bytes().startswith(b"%PDF")

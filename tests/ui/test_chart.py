"""The QPainter chart: nice ticks, bars really drawn (pixels), stacked and grouped
geometry, horizontal bars, pies, label thinning, the empty sentence and tooltips."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from clubdesk.pdf.charts import nice_ticks
from ui.widgets.chart import (
    PALETTE,
    ChartWidget,
    Series,
    Shape,
    Slice,
    percent_format,
)

CATEGORIES = ["服务态度", "技术与质量", "卫生", "设施设备"]


@pytest.fixture(autouse=True)
def _app_configured(qapp: QApplication) -> None:
    from ui.app import configure

    configure(qapp)


def make(qtbot: QtBot, width: int = 560, height: int = 320) -> ChartWidget:
    chart = ChartWidget()
    qtbot.addWidget(chart)
    chart.resize(width, height)
    return chart


def image(chart: ChartWidget) -> QImage:
    return chart.to_png().toImage()


def coloured(img: QImage, rect: QRectF, colour: str, tolerance: int = 40) -> int:
    """Pixels inside ``rect`` close to ``colour``."""
    want = QColor(colour)
    found = 0
    r = rect.toAlignedRect().intersected(img.rect())
    for x in range(r.left(), r.right() + 1):
        for y in range(r.top(), r.bottom() + 1):
            c = img.pixelColor(x, y)
            if (
                abs(c.red() - want.red())
                + abs(c.green() - want.green())
                + abs(c.blue() - want.blue())
                <= tolerance
            ):
                found += 1
    return found


def non_white(img: QImage, rect: QRectF) -> int:
    r = rect.toAlignedRect().intersected(img.rect())
    return sum(
        1
        for x in range(r.left(), r.right() + 1)
        for y in range(r.top(), r.bottom() + 1)
        if img.pixelColor(x, y).lightness() < 235
    )


def test_nice_ticks() -> None:
    assert nice_ticks(0, 7, 5, integer=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 1, 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 23_000, 5) == [0, 5_000, 10_000, 15_000, 20_000, 25_000]
    assert nice_ticks(0, 3, 8, integer=True) == [0, 1, 2, 3]  # never a step of 0.5 for counts
    assert nice_ticks(-4, 9, 5, integer=True) == [-5, 0, 5, 10]
    assert nice_ticks(0, 0, 5, integer=True) == [0, 1]  # all zero: still an axis
    assert nice_ticks(0, 12, 4) == [0, 5, 10, 15]


def test_bars_are_drawn_to_scale(qtbot: QtBot) -> None:
    chart = make(qtbot)
    chart.set_title("各类投诉数")
    chart.set_bars(CATEGORIES, [Series("投诉数", [6, 2, 3, 0])])
    img = image(chart)
    rects = chart.bar_rects()
    assert len(rects) == 3  # a zero draws no bar
    heights = [r.height() for r in rects]
    assert heights[0] == pytest.approx(3 * heights[1], rel=0.02)
    assert heights[2] == pytest.approx(1.5 * heights[1], rel=0.02)
    for rect in rects:
        inner = rect.adjusted(2, 2, -2, -2)
        area = inner.width() * inner.height()
        assert coloured(img, inner, PALETTE[0]) > 0.8 * area
    # Bars stand left to right in category order on a common baseline.
    assert [r.left() for r in rects] == sorted(r.left() for r in rects)
    assert len({round(r.bottom()) for r in rects}) == 1
    assert not chart.is_empty()
    assert "服务态度 6" in chart.description()


def test_stacked_bars_add_up_and_grouped_bars_stand_side_by_side(qtbot: QtBot) -> None:
    chart = make(qtbot)
    series = [Series("客服部", [4, 1, 0, 2]), Series("水疗部", [2, 1, 3, 0])]
    chart.set_bars(CATEGORIES, series, stacked=True)
    image(chart)
    stacked = chart.bar_rects()
    assert len(stacked) == 6
    first, second = stacked[0], stacked[1]  # category 1: 4 below, 2 on top
    assert second.bottom() == pytest.approx(first.top(), abs=0.01)
    assert first.height() == pytest.approx(2 * second.height(), rel=0.02)
    assert first.left() == pytest.approx(second.left())

    chart.set_bars(CATEGORIES, series, stacked=False)
    image(chart)
    grouped = chart.bar_rects()
    assert len(grouped) == 6
    assert grouped[0].right() <= grouped[1].left() + 1  # side by side
    assert grouped[0].bottom() == pytest.approx(grouped[1].bottom(), abs=0.5)


def test_a_line_on_the_second_axis_is_drawn_over_the_bars(qtbot: QtBot) -> None:
    chart = make(qtbot)
    counts = [9, 6, 3, 2]
    share = [0.45, 0.75, 0.9, 1.0]
    chart.set_bars(
        CATEGORIES,
        [Series("投诉数", counts), Series("累计占比", share, kind="line", axis="secondary")],
    )
    chart.set_secondary_axis(fmt=percent_format, value_range=(0, 1))
    img = image(chart)
    assert len(chart.bar_rects()) == 4
    assert coloured(img, QRectF(chart.rect()), PALETTE[1]) > 100  # the line and its points
    last = chart.bar_rects()[-1]
    tip = chart.tooltip_at(QPointF(last.center().x(), last.top() + 2))
    assert tip == "设施设备 · 投诉数：2"


def test_horizontal_bars_grow_to_the_right_in_proportion(qtbot: QtBot) -> None:
    chart = make(qtbot, 420, 300)
    chart.set_bars(["刘晓燕", "陈静", "黄思雨"], [Series("已回访", [8, 4, 2])], horizontal=True)
    img = image(chart)
    rects = chart.bar_rects()
    assert chart.shape is Shape.HBARS
    assert rects[0].width() == pytest.approx(2 * rects[1].width(), rel=0.03)
    assert rects[0].top() < rects[1].top() < rects[2].top()
    assert non_white(img, rects[0].adjusted(2, 2, -2, -2)) > 0.9 * (
        (rects[0].width() - 4) * (rects[0].height() - 4)
    )


def test_pie_slices_have_their_colours_and_a_donut_has_a_hole(qtbot: QtBot) -> None:
    chart = make(qtbot, 420, 260)
    slices = [Slice("满意", 3, "#0f766e"), Slice("不满意", 1, "#d55e00")]
    chart.set_pie(slices)
    img = image(chart)
    big = chart.bar_rects()[0]
    assert coloured(img, QRectF(chart.rect()), "#0f766e") > 3 * coloured(
        img, QRectF(chart.rect()), "#d55e00"
    )
    assert chart.tooltip_at(big.center() + QPointF(0, 1)) is not None

    chart.set_pie(slices, donut=True, centre_text="75%", centre_caption="满意率")
    img = image(chart)
    pie = chart.bar_rects()[0].united(chart.bar_rects()[1])
    centre = pie.center()
    hole = QRectF(centre.x() - 3, centre.y() - 25, 6, 6)
    assert coloured(img, hole, "#0f766e") == 0  # the middle is empty…
    assert non_white(img, QRectF(centre.x() - 30, centre.y() - 15, 60, 30)) > 20  # …but says 75%


def test_nothing_to_show_is_said_not_drawn(qtbot: QtBot) -> None:
    chart = make(qtbot)
    chart.set_empty_text("本期没有投诉。")
    chart.set_bars(CATEGORIES, [Series("投诉数", [0, 0, 0, 0])])
    img = image(chart)
    assert chart.is_empty() and chart.bar_rects() == []
    middle = QRectF(chart.width() / 2 - 60, chart.height() / 2 - 12, 120, 24)
    assert non_white(img, middle) > 30  # the sentence
    edges = QRectF(20, chart.height() - 60, chart.width() - 40, 40)
    assert non_white(img, edges) == 0  # no axes, no labels
    chart.set_pie([Slice("满意", 0)])
    image(chart)
    assert chart.is_empty()
    chart.clear()
    assert chart.is_empty() and chart.description() == "本期没有投诉。"


def test_crowded_labels_turn_then_thin(qtbot: QtBot) -> None:
    chart = make(qtbot, 640, 300)
    chart.set_bars(CATEGORIES, [Series("投诉数", [1, 2, 3, 4])])
    image(chart)
    assert chart.label_layout() == (False, 1)  # room enough: flat
    chart.resize(250, 260)
    image(chart)
    assert chart.label_layout() == (True, 1)  # turned 45°, all written
    months = [f"{m}月" for m in range(1, 13)] * 4
    chart.resize(420, 260)
    chart.set_bars(months, [Series("投诉数", list(range(48)), kind="line")])
    image(chart)
    _rotate, every = chart.label_layout()
    assert every > 1  # only every n-th month is written; the line still has 48 points


def test_values_must_match_the_categories(qtbot: QtBot) -> None:
    chart = make(qtbot)
    with pytest.raises(ValueError, match="3 values for 4 categories"):
        chart.set_bars(CATEGORIES, [Series("投诉数", [1, 2, 3])])


def test_to_png_saves_a_picture(qtbot: QtBot, tmp_path: Path) -> None:
    chart = make(qtbot, 400, 240)
    chart.set_bars(CATEGORIES, [Series("投诉数", [1, 2, 3, 4])])
    out = tmp_path / "chart.png"
    pixmap = chart.to_png(out)
    assert out.read_bytes().startswith(b"\x89PNG")
    assert (pixmap.width(), pixmap.height()) == (400, 240)

"""Charts for the printed statistics forms, built with reportlab.graphics.

Each helper returns a ``Drawing``, a flowable that sits in a form's story like a
table.  Every piece of text (axis labels, value labels, legend, the sentence of an
empty chart) is set in the form font ``FONT``: reportlab's default Helvetica has no
Chinese glyphs and would print empty boxes.

The look follows the forms: thin lines, small type, fills that stay distinguishable
when a black-and-white laser printer turns them grey (dark navy, mid greys, a light
tint), each bar outlined so that neighbours never merge.  Axis ticks are "nice"
numbers (``nice_ticks``, shared with the screen chart so both read alike); category
labels that do not fit side by side turn 30°, and only every n-th is written when even
that crowds them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.doughnut import Doughnut
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors

from clubdesk.i18n import _
from clubdesk.pdf.fonts import FONT, fit_text, register_fonts, text_width
from clubdesk.pdf.style import ACCENT, CONTENT_WIDTH, INK, MUTED, RULE

# Dark to light, so that a grey printout still tells the series apart.
PRINT_PALETTE: tuple[str, ...] = (
    "#1f3a5f",
    "#9db4cf",
    "#c8892b",
    "#4f6f52",
    "#e3e3e3",
    "#7a4e6e",
    "#5b8fb9",
    "#b9a67a",
    "#3d3d3d",
    "#d7b8c8",
    "#8a8a8a",
    "#a3c9a8",
)
GRID = colors.HexColor("#d9d9d9")
LABEL_SIZE = 7.5
VALUE_SIZE = 7.0
LEGEND_SIZE = 7.5

Formatter = Callable[[float], str]


def default_format(value: float) -> str:
    """12,345 for whole numbers, 12.5 otherwise."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def nice_step(span: float, target: int, *, integer: bool) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ; no 2.5 for whole numbers) splitting
    ``span`` into about ``target`` intervals."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(target, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    factors = (1.0, 2.0, 5.0, 10.0) if integer else (1.0, 2.0, 2.5, 5.0, 10.0)
    step = next((f * magnitude for f in factors if f * magnitude >= raw - 1e-12), 10 * magnitude)
    if integer:
        step = max(1.0, float(round(step)))
    return step


def nice_ticks(low: float, high: float, target: int = 5, *, integer: bool = False) -> list[float]:
    """Tick values covering ``low``..``high`` at a nice step, zero among them when the
    range spans it; an all-zero range still gets an axis (0 to 1)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (1.0 if integer or low == 0 else abs(low) * 0.5)
    step = nice_step(high - low, target, integer=integer)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    count = round((last - first) / step)
    return [round(first + i * step, 10) for i in range(count + 1)]


def colour(index: int, explicit: str | None = None) -> colors.Color:
    return colors.HexColor(explicit or PRINT_PALETTE[index % len(PRINT_PALETTE)])


@dataclass(frozen=True, slots=True)
class ChartSeries:
    name: str
    values: Sequence[float]
    colour: str | None = None


def _string(x: float, y: float, text: str, size: float, **kw: object) -> String:
    register_fonts()
    kw.setdefault("fillColor", INK)
    return String(x, y, fit_text(text), fontName=FONT, fontSize=size, **kw)


EMPTY_HEIGHT = 56.0  # an empty chart is a short box saying so, not a page of white


def _empty(drawing: Drawing, text: str, width: float, height: float) -> Drawing:
    height = min(height, EMPTY_HEIGHT)
    drawing.height = height
    drawing.add(Rect(0, 0, width, height, fillColor=None, strokeColor=GRID, strokeWidth=0.5))
    drawing.add(_string(width / 2, height / 2 - 3, text, 9, textAnchor="middle", fillColor=MUTED))
    return drawing


def _legend(
    drawing: Drawing, items: Sequence[tuple[str, colors.Color]], width: float, top: float
) -> float:
    """Swatches and names in centred rows from ``top`` down; returns the height used."""
    swatch, gap, line = 7.0, 12.0, LEGEND_SIZE + 5
    widths = [swatch + 3 + text_width(fit_text(name), LEGEND_SIZE) for name, _c in items]
    rows: list[list[int]] = [[]]
    used = 0.0
    for i, w in enumerate(widths):
        if rows[-1] and used + gap + w > width:
            rows.append([])
            used = 0.0
        used += (gap if rows[-1] else 0) + w
        rows[-1].append(i)
    for r, row in enumerate(rows):
        total = sum(widths[i] for i in row) + gap * (len(row) - 1)
        x = (width - total) / 2
        y = top - (r + 1) * line + 3
        for i in row:
            name, fill = items[i]
            drawing.add(
                Rect(x, y, swatch, swatch, fillColor=fill, strokeColor=RULE, strokeWidth=0.3)
            )
            drawing.add(_string(x + swatch + 3, y + 0.5, name, LEGEND_SIZE))
            x += widths[i] + gap
    return len(rows) * line


def _all_zero(series: Sequence[ChartSeries]) -> bool:
    return all(v == 0 for s in series for v in s.values)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[ChartSeries],
    *,
    stacked: bool = False,
    width: float = CONTENT_WIDTH,
    height: float = 190,
    value_format: Formatter = default_format,
    unit: str = "",
    empty_text: str | None = None,
) -> Drawing:
    """Vertical bars, one group (or stack) per category; a legend when there is more
    than one series; each bar's figure (a stack's total) above it."""
    register_fonts()
    drawing = Drawing(width, height)
    if not categories or _all_zero(series):
        return _empty(drawing, empty_text or _("本期没有数据。"), width, height)
    top = height
    if len(series) > 1:
        top -= _legend(drawing, [(s.name, colour(i, s.colour)) for i, s in enumerate(series)],
                       width, height) + 2  # fmt: skip
    n = len(categories)
    if stacked:
        high = max(sum(max(s.values[i], 0) for s in series) for i in range(n))
    else:
        high = max(max(s.values) for s in series)
    integer = all(abs(v - round(v)) < 1e-9 for s in series for v in s.values)
    ticks = nice_ticks(0, high, max(2, min(6, int(height // 35))), integer=integer)
    tick_w = max(text_width(value_format(t), LABEL_SIZE) for t in ticks)
    left = tick_w + 6
    plot_w = width - left - 4
    slot = plot_w / n
    labels = [fit_text(c) for c in categories]
    widest = max(text_width(t, LABEL_SIZE) for t in labels)
    angle, every = 0, 1
    if widest > slot - 3:
        # Turned 30°, neighbouring labels lie slot × sin 30° apart across the text.
        angle = 30
        every = max(1, math.ceil(LABEL_SIZE * 1.25 / (slot * math.sin(math.radians(angle)))))
    below = widest * math.sin(math.radians(angle)) + LABEL_SIZE * 1.6 if angle else LABEL_SIZE + 6
    unit_h = LABEL_SIZE + 4 if unit else 0.0
    chart = VerticalBarChart()
    chart.x, chart.y = left, below
    chart.width = plot_w
    chart.height = max(top - below - VALUE_SIZE - 4 - unit_h, 30)
    chart.data = [tuple(float(v) for v in s.values) for s in series]
    chart.categoryAxis.categoryNames = [t if i % every == 0 else "" for i, t in enumerate(labels)]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.strokeWidth = 0.6
    if angle:
        chart.categoryAxis.labels.angle = angle
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dx = 3
        chart.categoryAxis.labels.dy = -3
    else:
        chart.categoryAxis.labels.boxAnchor = "n"
        chart.categoryAxis.labels.dy = -3
    if stacked:
        chart.categoryAxis.style = "stacked"
    value_axis = chart.valueAxis
    value_axis.valueMin, value_axis.valueMax = ticks[0], ticks[-1]
    value_axis.valueStep = ticks[1] - ticks[0]
    value_axis.labels.fontName = FONT
    value_axis.labels.fontSize = LABEL_SIZE
    value_axis.labels.fillColor = INK
    value_axis.labelTextFormat = value_format
    value_axis.strokeColor = RULE
    value_axis.strokeWidth = 0.6
    value_axis.visibleGrid = 1
    value_axis.gridStrokeColor = GRID
    value_axis.gridStrokeWidth = 0.4
    chart.barWidth = 10
    chart.groupSpacing = 8 if len(series) > 1 and not stacked else 12
    chart.barSpacing = 0.5
    for i, s in enumerate(series):
        chart.bars[i].fillColor = colour(i, s.colour)
        chart.bars[i].strokeColor = RULE
        chart.bars[i].strokeWidth = 0.3
    # Value labels drawn by hand: reportlab's would sit inside stacked segments.
    chart.barLabelFormat = None
    drawing.add(chart)
    scale = chart.height / ((ticks[-1] - ticks[0]) or 1)
    if stacked:
        for i in range(n):
            total = sum(s.values[i] for s in series)
            if total:
                x = chart.x + (i + 0.5) * slot
                y = chart.y + (sum(max(s.values[i], 0) for s in series) - ticks[0]) * scale + 2
                drawing.add(_string(x, y, value_format(total), VALUE_SIZE, textAnchor="middle"))
    else:
        for s_index, s in enumerate(series):
            for i, value in enumerate(s.values):
                if not value:
                    continue
                x = _bar_centre(chart, i, s_index, len(series), slot)
                y = chart.y + (value - ticks[0]) * scale + 2
                text = value_format(value)
                if text_width(text, VALUE_SIZE) > _bar_width(chart, len(series), slot) + 4:
                    continue
                drawing.add(_string(x, y, text, VALUE_SIZE, textAnchor="middle"))
    if unit:
        drawing.add(
            _string(2, chart.y + chart.height + VALUE_SIZE + 4, unit, LABEL_SIZE, fillColor=MUTED)
        )
    return drawing


def _bar_centre(
    chart: VerticalBarChart, category: int, index: int, count: int, slot: float
) -> float:
    """Where reportlab puts bar ``index`` of ``category``: it scales group spacing, bar
    width and bar spacing alike until one group fills a category's slot."""
    group = chart.groupSpacing + count * chart.barWidth + (count - 1) * chart.barSpacing
    factor = slot / group
    offset = chart.groupSpacing / 2 + index * (chart.barWidth + chart.barSpacing)
    return float(chart.x + category * slot + factor * (offset + chart.barWidth / 2))


def _bar_width(chart: VerticalBarChart, count: int, slot: float) -> float:
    group = chart.groupSpacing + count * chart.barWidth + (count - 1) * chart.barSpacing
    return float(slot / group * chart.barWidth)


def hbar_chart(
    categories: Sequence[str],
    series: Sequence[ChartSeries],
    *,
    width: float = CONTENT_WIDTH,
    height: float | None = None,
    value_format: Formatter = default_format,
    empty_text: str | None = None,
) -> Drawing:
    """Horizontal bars, the first category on top: rankings with long names."""
    register_fonts()
    rows = max(len(categories), 1)
    height = height or max(60.0, rows * (10 + 6 * len(series)) + 30)
    drawing = Drawing(width, height)
    if not categories or _all_zero(series):
        return _empty(drawing, empty_text or _("本期没有数据。"), width, height)
    top = height
    if len(series) > 1:
        top -= _legend(drawing, [(s.name, colour(i, s.colour)) for i, s in enumerate(series)],
                       width, height) + 2  # fmt: skip
    labels = [fit_text(c) for c in categories]
    label_w = min(max(text_width(t, LABEL_SIZE) for t in labels) + 8, width * 0.35)
    high = max(max(s.values) for s in series)
    integer = all(abs(v - round(v)) < 1e-9 for s in series for v in s.values)
    ticks = nice_ticks(0, high, max(2, min(6, int(width // 80))), integer=integer)
    value_w = max(text_width(value_format(v), VALUE_SIZE) for s in series for v in s.values)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, LABEL_SIZE + 6
    chart.width = width - label_w - value_w - 8
    chart.height = top - chart.y - 2
    # The first category on top; reversing the axis also reverses the bars within a
    # group, so the series go in reversed too and the first is again on top.
    order = list(reversed(range(len(series))))
    chart.data = [tuple(float(v) for v in series[i].values) for i in order]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.strokeWidth = 0.6
    value_axis = chart.valueAxis
    value_axis.valueMin, value_axis.valueMax = ticks[0], ticks[-1]
    value_axis.valueStep = ticks[1] - ticks[0]
    value_axis.labels.fontName = FONT
    value_axis.labels.fontSize = LABEL_SIZE
    value_axis.labels.fillColor = INK
    value_axis.labelTextFormat = value_format
    value_axis.strokeColor = RULE
    value_axis.strokeWidth = 0.6
    value_axis.visibleGrid = 1
    value_axis.gridStrokeColor = GRID
    value_axis.gridStrokeWidth = 0.4
    chart.groupSpacing = 5
    chart.barSpacing = 0.5
    for position, i in enumerate(order):
        s = series[i]
        chart.bars[position].fillColor = colour(i, s.colour)
        chart.bars[position].strokeColor = RULE
        chart.bars[position].strokeWidth = 0.3
    chart.barLabelFormat = value_format
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = VALUE_SIZE
    chart.barLabels.fillColor = INK
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


@dataclass(frozen=True, slots=True)
class PieSlice:
    label: str
    value: float
    colour: str | None = None


def pie_chart(
    slices: Sequence[PieSlice],
    *,
    width: float = CONTENT_WIDTH / 2,
    height: float = 130,
    donut: bool = False,
    centre_text: str = "",
    centre_caption: str = "",
    value_format: Formatter = default_format,
    empty_text: str | None = None,
) -> Drawing:
    """A pie (or a donut with a figure in the hole) and a legend beside it naming each
    slice with its figure and share."""
    register_fonts()
    drawing = Drawing(width, height)
    total = sum(max(s.value, 0) for s in slices)
    if total <= 0:
        return _empty(drawing, empty_text or _("本期没有数据。"), width, height)
    entries = [
        _("{label}  {value}（{share}）").format(
            label=s.label, value=value_format(s.value), share=f"{s.value / total * 100:.1f}%"
        )
        for s in slices
    ]
    legend_w = max(text_width(fit_text(e), LEGEND_SIZE) for e in entries) + 14
    diameter = min(height - 6, width - legend_w - 12)
    pie = Doughnut() if donut else Pie()
    pie.x, pie.y = 3, (height - diameter) / 2
    pie.width = pie.height = diameter
    pie.data = [max(float(s.value), 0.0) or 1e-9 for s in slices]
    pie.labels = None
    pie.startAngle = 90
    pie.direction = "clockwise"
    if donut:
        pie.innerRadiusFraction = 0.56
    for i, s in enumerate(slices):
        pie.slices[i].fillColor = colour(i, s.colour)
        pie.slices[i].strokeColor = colors.white
        pie.slices[i].strokeWidth = 0.8
    drawing.add(pie)
    cx, cy = pie.x + diameter / 2, pie.y + diameter / 2
    if donut and centre_text:
        size = max(min(diameter * 0.16, 16), 8)
        drawing.add(_string(cx, cy - size / 3 + (3 if centre_caption else 0), centre_text, size,
                            textAnchor="middle", fillColor=ACCENT))  # fmt: skip
        if centre_caption:
            drawing.add(
                _string(cx, cy - size / 3 - 8, centre_caption, 7, textAnchor="middle",
                        fillColor=MUTED)
            )  # fmt: skip
    line = LEGEND_SIZE + 5
    x = pie.x + diameter + 12
    y = cy + line * len(entries) / 2 - line + 2
    for i, entry in enumerate(entries):
        drawing.add(
            Rect(x, y - i * line, 7, 7, fillColor=colour(i, slices[i].colour), strokeColor=RULE,
                 strokeWidth=0.3)
        )  # fmt: skip
        drawing.add(_string(x + 10, y - i * line + 0.5, entry, LEGEND_SIZE))
    return drawing


def gauge_line(share: float | None, *, width: float = CONTENT_WIDTH, height: float = 16) -> Drawing:
    """A horizontal bar filled to ``share`` (0..1) with the percentage at its end: a
    compact coverage figure for a summary strip."""
    register_fonts()
    drawing = Drawing(width, height)
    bar_w = width - 44
    drawing.add(Rect(0, 4, bar_w, height - 8, fillColor=colors.HexColor("#eef0f3"),
                     strokeColor=RULE, strokeWidth=0.4))  # fmt: skip
    if share is not None:
        filled = max(0.0, min(share, 1.0)) * bar_w
        if filled > 0:
            drawing.add(Rect(0, 4, filled, height - 8, fillColor=ACCENT, strokeColor=None))
        drawing.add(Line(bar_w, 2, bar_w, height - 2, strokeColor=RULE, strokeWidth=0.4))
    text = "—" if share is None else f"{share * 100:.1f}%"
    drawing.add(_string(bar_w + 4, height / 2 - 3, text, 8))
    return drawing

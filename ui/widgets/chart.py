"""A chart drawn with QPainter, for statistics dialogs: no chart library, Chinese text in
the application's font, and the look of the rest of ClubDesk.

One widget, three shapes:

* vertical bars (``set_bars``): one or more series per category, side by side
  (grouped) or on top of each other (stacked); any series may instead be a line, on the
  left axis or on a second axis at the right (a Pareto chart: counts as bars, the
  cumulative share as a line on a 0-100 % axis; a trend: lines only);
* horizontal bars (``set_bars(..., horizontal=True)``): long category names read
  across, for rankings (staff, sources);
* a pie or a donut (``set_pie``) with a figure in the hole (a coverage gauge is a donut
  of two slices).

Axis ticks are "nice" numbers (1, 2, 2.5, 5 × 10ⁿ; whole numbers for counts), by the
same rule as the printed charts (``clubdesk.pdf.charts.nice_ticks``).
Category labels that do not fit side by side are turned 45°, and when even that
crowds them only every n-th is written (the bars are all drawn).  A legend names the
series, value labels sit on the bars where they fit, and a chart with nothing to show
says so in a sentence rather than drawing empty axes.  Hovering a bar or a slice shows
its exact figure.  ``to_png`` renders the chart for a printout or a test.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QToolTip, QWidget

from clubdesk.i18n import _
from clubdesk.pdf.charts import default_format, nice_ticks

# Distinguishable for colour-blind readers and on a grey printout; the first is the
# ClubDesk teal.  Series beyond the list cycle through it again.
PALETTE: tuple[str, ...] = (
    "#0f766e",
    "#e69f00",
    "#0072b2",
    "#d55e00",
    "#cc79a7",
    "#56b4e9",
    "#8c6d31",
    "#6b7280",
    "#b5a300",
    "#7c3aed",
    "#94a3b8",
    "#be123c",
)
GRID = "#e5e7eb"
AXIS = "#9ca3af"
MUTED = "#6b7280"

MARGIN = 10.0
BAR_FILL = 0.72  # share of a category's slot its bars take
LABEL_GAP = 4.0
ELIDE_CHARS = 12  # category labels longer than this are shortened with "…"

Formatter = Callable[[float], str]


class Shape(StrEnum):
    BARS = "bars"
    HBARS = "hbars"
    PIE = "pie"


@dataclass(frozen=True)
class Series:
    """One row of figures, one per category.

    ``kind`` "line" draws it as a line through the categories' centres; ``axis``
    "secondary" measures it on the right-hand axis (see ``set_secondary_axis``)."""

    name: str
    values: Sequence[float]
    kind: Literal["bar", "line"] = "bar"
    axis: Literal["primary", "secondary"] = "primary"
    color: str | None = None


@dataclass(frozen=True)
class Slice:
    label: str
    value: float
    color: str | None = None


@dataclass
class _Hit:
    """Where something was drawn, for tooltips and tests."""

    rect: QRectF
    text: str
    path: QPainterPath | None = None


def percent_format(value: float) -> str:
    """A share 0..1 as a percentage."""
    return f"{value * 100:.0f}%"


@dataclass
class _Axis:
    ticks: list[float]
    fmt: Formatter

    @property
    def low(self) -> float:
        return self.ticks[0]

    @property
    def high(self) -> float:
        return self.ticks[-1]

    def span(self) -> float:
        return (self.high - self.low) or 1.0


@dataclass
class _Layout:
    """The pieces of a bar chart, measured once per paint."""

    plot: QRectF = field(default_factory=QRectF)
    rotate: bool = False
    every: int = 1  # write every n-th category label
    label_width: float = 0.0


class ChartWidget(QWidget):
    """See the module docstring.  Configure with ``set_bars`` or ``set_pie``; everything
    else (title, formats, legend, value labels, empty sentence) is optional."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chart")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setMouseTracking(True)
        self.setMinimumSize(240, 160)
        self._shape = Shape.BARS
        self._title = ""
        self._categories: list[str] = []
        self._series: list[Series] = []
        self._slices: list[Slice] = []
        self._stacked = False
        self._centre_text = ""
        self._centre_caption = ""
        self._donut = False
        self._empty_text = _("暂无数据")
        self._value_format: Formatter = default_format
        self._secondary_format: Formatter = percent_format
        self._secondary_range: tuple[float, float] | None = None
        self._axis_title = ""
        self._secondary_title = ""
        self._show_values = True
        self._show_legend = True
        self._hits: list[_Hit] = []
        self._bar_rects: list[QRectF] = []
        self._layout = _Layout()

    # -- configuration ---------------------------------------------------------------

    def set_title(self, title: str) -> None:
        self._title = title
        self.setAccessibleName(title)
        self.update()

    def set_empty_text(self, text: str) -> None:
        """What the chart says when it has nothing to draw (all zero or no data)."""
        self._empty_text = text
        self.update()

    def set_value_format(self, fmt: Formatter) -> None:
        """How the primary axis and the value labels write a figure."""
        self._value_format = fmt
        self.update()

    def set_secondary_axis(
        self,
        *,
        fmt: Formatter = percent_format,
        value_range: tuple[float, float] | None = None,
        title: str = "",
    ) -> None:
        """The right-hand axis of "secondary" series: its format and, if given, a fixed
        range (0..1 for a cumulative share)."""
        self._secondary_format = fmt
        self._secondary_range = value_range
        self._secondary_title = title
        self.update()

    def set_axis_title(self, title: str) -> None:
        """A unit over the left axis, e.g. "宗" or "元"."""
        self._axis_title = title
        self.update()

    def set_show_values(self, show: bool) -> None:
        self._show_values = show
        self.update()

    def set_show_legend(self, show: bool) -> None:
        self._show_legend = show
        self.update()

    def set_bars(
        self,
        categories: Sequence[str],
        series: Sequence[Series],
        *,
        stacked: bool = False,
        horizontal: bool = False,
    ) -> None:
        """Bars (and lines) for ``categories``; each series has one value per category."""
        for s in series:
            if len(s.values) != len(categories):
                raise ValueError(
                    f"series {s.name!r} has {len(s.values)} values for {len(categories)} categories"
                )
        self._shape = Shape.HBARS if horizontal else Shape.BARS
        self._categories = list(categories)
        self._series = list(series)
        self._stacked = stacked
        self._slices = []
        self._refresh_description()
        self.update()

    def set_pie(
        self,
        slices: Sequence[Slice],
        *,
        donut: bool = False,
        centre_text: str = "",
        centre_caption: str = "",
    ) -> None:
        """Slices of a whole; a donut may carry a figure (and a caption) in its hole."""
        self._shape = Shape.PIE
        self._slices = [s for s in slices if s.value >= 0]
        self._donut = donut
        self._centre_text = centre_text
        self._centre_caption = centre_caption
        self._categories = []
        self._series = []
        self._refresh_description()
        self.update()

    def clear(self) -> None:
        self._categories, self._series, self._slices = [], [], []
        self._centre_text = self._centre_caption = ""
        self._refresh_description()
        self.update()

    # -- reading back ------------------------------------------------------------------

    def title_text(self) -> str:
        return self._title

    @property
    def shape(self) -> Shape:
        return self._shape

    def is_empty(self) -> bool:
        if self._shape is Shape.PIE:
            return sum(s.value for s in self._slices) <= 0
        return not self._categories or all(v == 0 for s in self._series for v in s.values)

    def label_layout(self) -> tuple[bool, int]:
        """How the last paint wrote the category labels: (turned 45°, every n-th)."""
        return self._layout.rotate, self._layout.every

    def bar_rects(self) -> list[QRectF]:
        """The bars (or slices' bounding boxes) of the last paint, in widget pixels."""
        return list(self._bar_rects)

    def description(self) -> str:
        """The chart's figures as a sentence (the accessible description)."""
        return self.accessibleDescription()

    def to_png(self, path: Path | str | None = None) -> QPixmap:
        """The chart as drawn now (rendered offscreen if it is not shown); saved to
        ``path`` as PNG when given."""
        pixmap = self.grab()
        if path is not None:
            pixmap.save(str(path), "PNG")
        return pixmap

    def sizeHint(self) -> QSize:
        return QSize(520, 320)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, 160)

    def _refresh_description(self) -> None:
        fmt = self._value_format
        if self._shape is Shape.PIE:
            parts = [f"{s.label} {fmt(s.value)}" for s in self._slices]
        else:
            parts = []
            for i, category in enumerate(self._categories):
                figures = "/".join(
                    (self._secondary_format if s.axis == "secondary" else fmt)(s.values[i])
                    for s in self._series
                )
                parts.append(f"{category} {figures}")
        self.setAccessibleDescription(_("；").join(parts) if parts else self._empty_text)

    # -- tooltips ----------------------------------------------------------------------

    def tooltip_at(self, point: QPointF) -> str | None:
        """The exact figure of the bar, point or slice under ``point`` (last paint)."""
        for hit in reversed(self._hits):
            inside = hit.path.contains(point) if hit.path is not None else hit.rect.contains(point)
            if inside:
                return hit.text
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(QPointF(event.pos()))
            if text is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), text, self)
            return True
        return super().event(event)

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self._hits = []
            self._bar_rects = []
            area = QRectF(self.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
            area = self._draw_title(painter, area)
            if self.is_empty():
                self._draw_empty(painter, area)
            elif self._shape is Shape.PIE:
                self._draw_pie(painter, area)
            elif self._shape is Shape.HBARS:
                self._draw_hbars(painter, self._draw_legend(painter, area))
            else:
                self._draw_bars(painter, self._draw_legend(painter, area))
        finally:
            painter.end()

    # fonts and colours

    def _ink(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)

    def _small_font(self) -> QFont:
        font = QFont(self.font())
        size = font.pointSizeF()
        if size > 0:
            font.setPointSizeF(max(size - 1, 7.0))
        return font

    def _title_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        size = font.pointSizeF()
        if size > 0:
            font.setPointSizeF(size + 1)
        return font

    def _colour(self, index: int, explicit: str | None) -> QColor:
        return QColor(explicit or PALETTE[index % len(PALETTE)])

    # title, legend, empty

    def _draw_title(self, painter: QPainter, area: QRectF) -> QRectF:
        if not self._title:
            return area
        font = self._title_font()
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        painter.setPen(self._ink())
        text = metrics.elidedText(self._title, Qt.TextElideMode.ElideRight, area.width())
        rect = QRectF(area.left(), area.top(), area.width(), metrics.height())
        painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, text)
        return area.adjusted(0, metrics.height() + 6, 0, 0)

    def _draw_empty(self, painter: QPainter, area: QRectF) -> None:
        painter.setFont(self.font())
        painter.setPen(QColor(MUTED))
        painter.drawText(
            area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._empty_text
        )

    def _legend_items(self) -> list[tuple[str, QColor, bool]]:
        return [
            (s.name, self._colour(i, s.color), s.kind == "line") for i, s in enumerate(self._series)
        ]

    def _draw_legend(self, painter: QPainter, area: QRectF) -> QRectF:
        """A centred, wrapping row of swatches above the plot; only when it tells
        something (more than one series, or a line beside bars)."""
        items = self._legend_items()
        if not self._show_legend or (len(items) < 2 and not any(line for *_x, line in items)):
            return area
        font = self._small_font()
        metrics = QFontMetricsF(font)
        swatch = metrics.height() * 0.7
        gap = 14.0
        widths = [swatch + 5 + min(metrics.horizontalAdvance(name), 160) for name, *_r in items]
        rows: list[list[int]] = [[]]
        used = 0.0
        for i, w in enumerate(widths):
            if rows[-1] and used + gap + w > area.width():
                rows.append([])
                used = 0.0
            used += (gap if rows[-1] else 0) + w
            rows[-1].append(i)
        painter.setFont(font)
        line_h = metrics.height() + 2
        for r, row in enumerate(rows):
            total = sum(widths[i] for i in row) + gap * (len(row) - 1)
            x = area.left() + (area.width() - total) / 2
            y = area.top() + r * line_h
            for i in row:
                name, colour, line = items[i]
                mid = y + line_h / 2
                if line:
                    painter.setPen(QPen(colour, 2.0))
                    painter.drawLine(QPointF(x, mid), QPointF(x + swatch, mid))
                    painter.setBrush(colour)
                    painter.drawEllipse(QPointF(x + swatch / 2, mid), 2.5, 2.5)
                else:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(colour)
                    painter.drawRect(QRectF(x, mid - swatch / 2, swatch, swatch))
                painter.setPen(self._ink())
                text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, 160)
                painter.drawText(
                    QRectF(x + swatch + 5, y, widths[i] - swatch - 5, line_h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
                x += widths[i] + gap
        return area.adjusted(0, len(rows) * line_h + 4, 0, 0)

    # axes

    def _integer(self, series: Sequence[Series]) -> bool:
        return all(abs(v - round(v)) < 1e-9 for s in series for v in s.values)

    def _primary_axis(self, ticks_wanted: int) -> _Axis:
        primary = [s for s in self._series if s.axis == "primary"]
        bars = [s for s in primary if s.kind == "bar"]
        lines = [s for s in primary if s.kind == "line"]
        high = low = 0.0
        n = len(self._categories)
        if self._stacked and bars:
            for i in range(n):
                high = max(high, sum(max(s.values[i], 0) for s in bars))
                low = min(low, sum(min(s.values[i], 0) for s in bars))
        else:
            for s in bars:
                high = max(high, *s.values)
                low = min(low, *s.values)
        for s in lines:
            high = max(high, *s.values)
            low = min(low, *s.values)
        ticks = nice_ticks(low, high, ticks_wanted, integer=self._integer(primary))
        return _Axis(ticks, self._value_format)

    def _secondary_axis(self, ticks_wanted: int) -> _Axis | None:
        secondary = [s for s in self._series if s.axis == "secondary"]
        if not secondary:
            return None
        if self._secondary_range is not None:
            low, high = self._secondary_range
        else:
            high = max(0.0, *(v for s in secondary for v in s.values))
            low = min(0.0, *(v for s in secondary for v in s.values))
        ticks = nice_ticks(low, high, ticks_wanted, integer=self._integer(secondary))
        return _Axis(ticks, self._secondary_format)

    def _tick_width(self, axis: _Axis | None, metrics: QFontMetricsF) -> float:
        if axis is None:
            return 0.0
        return max(metrics.horizontalAdvance(axis.fmt(t)) for t in axis.ticks)

    @staticmethod
    def _elide(text: str) -> str:
        return text if len(text) <= ELIDE_CHARS else text[: ELIDE_CHARS - 1] + "…"

    # vertical bars

    def _bar_layout(
        self, area: QRectF, metrics: QFontMetricsF, left: float, right: float, top: float
    ) -> _Layout:
        """Where the plot goes, and whether the category labels lie flat, turn 45° or
        are thinned to every n-th, so that none overlaps another."""
        n = max(len(self._categories), 1)
        width = max(area.width() - left - right, 10.0)
        slot = width / n
        labels = [self._elide(c) for c in self._categories]
        widest = max((metrics.horizontalAdvance(t) for t in labels), default=0.0)
        height = metrics.height()
        rotate = widest > slot - 4
        every = 1
        if rotate:
            # Turned 45°, neighbours are a slot apart horizontally and need about
            # 1.5 line heights between them.
            every = max(1, math.ceil(height * 1.5 / slot))
            # When some must be left out anyway, short labels (months) read better flat.
            flat_every = math.ceil((widest + 6) / slot)
            if every > 1 and flat_every <= every + 1:
                rotate = False
                every = flat_every
        if rotate:
            below = widest * math.sin(math.pi / 4) + height * math.cos(math.pi / 4) + LABEL_GAP
            below = min(below, area.height() * 0.45)
        else:
            below = height + LABEL_GAP
        plot = QRectF(
            area.left() + left, area.top() + top, width, max(area.height() - top - below, 20.0)
        )
        return _Layout(plot, rotate, every, widest)

    def _draw_bars(self, painter: QPainter, area: QRectF) -> None:
        font = self._small_font()
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        ticks_wanted = max(2, min(8, int(area.height() // 45)))
        primary = self._primary_axis(ticks_wanted)
        secondary = self._secondary_axis(ticks_wanted)
        value_h = metrics.height() if self._show_values else 0.0
        title_h = metrics.height() + 2 if self._axis_title or self._secondary_title else 0.0
        left = self._tick_width(primary, metrics) + 8
        right = self._tick_width(secondary, metrics) + 8 if secondary else 6.0
        layout = self._layout = self._bar_layout(area, metrics, left, right, value_h + title_h + 2)
        plot = layout.plot

        def y_of(axis: _Axis, value: float) -> float:
            return plot.bottom() - (value - axis.low) / axis.span() * plot.height()

        self._draw_value_grid(painter, plot, primary, metrics, y_of)
        if secondary is not None:
            painter.setPen(self._ink())
            for tick in secondary.ticks:
                y = y_of(secondary, tick)
                painter.drawText(
                    QRectF(plot.right() + 6, y - metrics.height() / 2, right, metrics.height()),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    secondary.fmt(tick),
                )
        if title_h:
            painter.setPen(QColor(MUTED))
            top = plot.top() - value_h - title_h - 2
            painter.drawText(
                QRectF(area.left(), top, plot.width(), title_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self._axis_title,
            )
            painter.drawText(
                QRectF(plot.left(), top, plot.width() + right, title_h),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self._secondary_title,
            )

        n = len(self._categories)
        slot = plot.width() / n
        bars = [(i, s) for i, s in enumerate(self._series) if s.kind == "bar"]
        group = slot * BAR_FILL
        zero = y_of(primary, 0.0)
        # (anchor: x range and the bar's end, text, below the end: a negative bar)
        value_labels: list[tuple[QRectF, str, bool]] = []
        for c in range(n):
            x0 = plot.left() + c * slot + (slot - group) / 2
            if self._stacked:
                up = down = 0.0
                # A stack of one segment is labelled by its total alone.
                segments = sum(1 for _i, s in bars if s.values[c] != 0)
                for index, s in bars:
                    value = s.values[c]
                    if value == 0:
                        continue
                    base = up if value > 0 else down
                    top_value = base + value
                    rect = QRectF(
                        QPointF(x0, y_of(primary, top_value)),
                        QPointF(x0 + group, y_of(primary, base)),
                    ).normalized()
                    self._fill_bar(painter, rect, self._colour(index, s.color))
                    self._hits.append(_Hit(rect, self._tip(c, s, value)))
                    text = self._value_format(value)
                    if (
                        self._show_values
                        and segments > 1
                        and rect.height() >= metrics.height()
                        and metrics.horizontalAdvance(text) <= rect.width() - 2
                    ):
                        painter.setPen(_contrast(self._colour(index, s.color)))
                        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
                    if value > 0:
                        up = top_value
                    else:
                        down = top_value
                total = sum(s.values[c] for _i, s in bars)
                if bars and total != 0:
                    top_y = y_of(primary, up) if total > 0 else y_of(primary, down)
                    value_labels.append(
                        (
                            QRectF(x0 - slot, top_y, group + 2 * slot, 0),
                            self._value_format(total),
                            total < 0,
                        )
                    )
            else:
                width = group / max(len(bars), 1)
                for k, (index, s) in enumerate(bars):
                    value = s.values[c]
                    rect = QRectF(
                        QPointF(x0 + k * width, y_of(primary, value)),
                        QPointF(x0 + (k + 1) * width, zero),
                    ).normalized()
                    if value != 0:
                        self._fill_bar(
                            painter, rect.adjusted(0.5, 0, -0.5, 0), self._colour(index, s.color)
                        )
                        self._hits.append(_Hit(rect, self._tip(c, s, value)))
                        text = self._value_format(value)
                        if metrics.horizontalAdvance(text) <= width + 6:
                            end = rect.top() if value > 0 else rect.bottom()
                            value_labels.append(
                                (QRectF(rect.left(), end, width, 0), text, value < 0)
                            )
        # The value labels go on after every bar, so that none is painted over.
        if self._show_values:
            painter.setPen(self._ink())
            for anchor, text, below in value_labels:
                top = anchor.top() if below else anchor.top() - value_h
                align = Qt.AlignmentFlag.AlignTop if below else Qt.AlignmentFlag.AlignBottom
                painter.drawText(
                    QRectF(anchor.left(), top, anchor.width(), value_h),
                    Qt.AlignmentFlag.AlignHCenter | align,
                    text,
                )
        for index, s in enumerate(self._series):
            if s.kind == "line":
                axis = secondary if s.axis == "secondary" and secondary else primary
                points = [
                    QPointF(plot.left() + (c + 0.5) * slot, y_of(axis, s.values[c]))
                    for c in range(n)
                ]
                self._draw_line(painter, points, self._colour(index, s.color), s)
        self._draw_axis_line(painter, plot, zero)
        self._draw_category_labels(painter, layout, metrics)

    def _fill_bar(self, painter: QPainter, rect: QRectF, colour: QColor) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRect(rect)
        self._bar_rects.append(QRectF(rect))

    def _tip(self, category: int, series: Series, value: float) -> str:
        fmt = self._secondary_format if series.axis == "secondary" else self._value_format
        name = self._categories[category]
        if len(self._series) == 1:
            return _("{category}：{value}").format(category=name, value=fmt(value))
        return _("{category} · {series}：{value}").format(
            category=name, series=series.name, value=fmt(value)
        )

    def _draw_line(
        self, painter: QPainter, points: list[QPointF], colour: QColor, series: Series
    ) -> None:
        painter.setPen(QPen(colour, 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline(points)
        painter.setBrush(colour)
        painter.setPen(QPen(QColor("#ffffff"), 1.0))
        for c, point in enumerate(points):
            painter.drawEllipse(point, 3.2, 3.2)
            self._hits.append(
                _Hit(
                    QRectF(point.x() - 6, point.y() - 6, 12, 12),
                    self._tip(c, series, series.values[c]),
                )
            )

    def _draw_value_grid(
        self,
        painter: QPainter,
        plot: QRectF,
        axis: _Axis,
        metrics: QFontMetricsF,
        y_of: Callable[[_Axis, float], float],
    ) -> None:
        for tick in axis.ticks:
            y = y_of(axis, tick)
            painter.setPen(QPen(QColor(GRID), 1.0))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(self._ink())
            painter.drawText(
                QRectF(plot.left() - 200 - 6, y - metrics.height() / 2, 200, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                axis.fmt(tick),
            )

    def _draw_axis_line(self, painter: QPainter, plot: QRectF, zero: float) -> None:
        painter.setPen(QPen(QColor(AXIS), 1.0))
        painter.drawLine(QPointF(plot.left(), zero), QPointF(plot.right(), zero))
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))

    def _draw_category_labels(
        self, painter: QPainter, layout: _Layout, metrics: QFontMetricsF
    ) -> None:
        plot = layout.plot
        n = len(self._categories)
        slot = plot.width() / n
        height = metrics.height()
        painter.setPen(self._ink())
        for c, category in enumerate(self._categories):
            if c % layout.every:
                continue
            text = self._elide(category)
            x = plot.left() + (c + 0.5) * slot
            y = plot.bottom() + LABEL_GAP
            if not layout.rotate:
                room = slot * layout.every
                painter.drawText(
                    QRectF(x - room / 2, y, room, height),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    text,
                )
                continue
            room = (self.height() - y) / math.sin(math.pi / 4) - height
            text = metrics.elidedText(text, Qt.TextElideMode.ElideLeft, max(room, 20.0))
            width = metrics.horizontalAdvance(text) + 2
            painter.save()
            painter.translate(x + height * 0.35, y)
            painter.rotate(-45)
            painter.drawText(
                QRectF(-width, -height / 2, width, height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            painter.restore()

    # horizontal bars

    def _draw_hbars(self, painter: QPainter, area: QRectF) -> None:
        font = self._small_font()
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        height = metrics.height()
        labels = [self._elide(c) for c in self._categories]
        label_w = min(
            max((metrics.horizontalAdvance(t) for t in labels), default=0.0) + 8,
            area.width() * 0.35,
        )
        bars = [(i, s) for i, s in enumerate(self._series) if s.kind == "bar"]
        ticks_wanted = max(2, min(8, int(area.width() // 90)))
        axis = self._primary_axis(ticks_wanted)
        widest_value = max(
            (metrics.horizontalAdvance(self._value_format(v)) for _i, s in bars for v in s.values),
            default=0.0,
        )
        right = widest_value + 8 if self._show_values else 8.0
        plot = QRectF(
            area.left() + label_w,
            area.top(),
            max(area.width() - label_w - right, 20.0),
            max(area.height() - height - LABEL_GAP, 20.0),
        )
        n = len(self._categories)
        slot = plot.height() / n
        every = max(1, math.ceil(height / slot)) if slot < height else 1

        def x_of(value: float) -> float:
            return plot.left() + (value - axis.low) / axis.span() * plot.width()

        for tick in axis.ticks:
            x = x_of(tick)
            painter.setPen(QPen(QColor(GRID), 1.0))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        # Tick labels, thinned if they would touch.
        tick_texts = [axis.fmt(t) for t in axis.ticks]
        tick_w = max(metrics.horizontalAdvance(t) for t in tick_texts) + 6
        step_px = plot.width() / max(len(axis.ticks) - 1, 1)
        tick_every = max(1, math.ceil(tick_w / step_px))
        painter.setPen(self._ink())
        for k, (tick, text) in enumerate(zip(axis.ticks, tick_texts, strict=True)):
            if k % tick_every:
                continue
            x = x_of(tick)
            painter.drawText(
                QRectF(x - tick_w / 2, plot.bottom() + LABEL_GAP, tick_w, height),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                text,
            )
        zero = x_of(0.0)
        group = slot * BAR_FILL
        for c in range(n):
            y0 = plot.top() + c * slot + (slot - group) / 2
            if self._stacked:
                up = down = 0.0
                for index, s in bars:
                    value = s.values[c]
                    if value == 0:
                        continue
                    base = up if value > 0 else down
                    rect = QRectF(
                        QPointF(x_of(base), y0), QPointF(x_of(base + value), y0 + group)
                    ).normalized()
                    self._fill_bar(painter, rect, self._colour(index, s.color))
                    self._hits.append(_Hit(rect, self._tip(c, s, value)))
                    if value > 0:
                        up += value
                    else:
                        down += value
                total = sum(s.values[c] for _i, s in bars)
                end = x_of(up if total >= 0 else down)
                self._hbar_value(painter, end, y0, group, self._value_format(total), total >= 0)
            else:
                width = group / max(len(bars), 1)
                for k, (index, s) in enumerate(bars):
                    value = s.values[c]
                    top = y0 + k * width
                    rect = QRectF(
                        QPointF(zero, top), QPointF(x_of(value), top + width)
                    ).normalized()
                    if value != 0:
                        self._fill_bar(
                            painter, rect.adjusted(0, 0.5, 0, -0.5), self._colour(index, s.color)
                        )
                        self._hits.append(_Hit(rect, self._tip(c, s, value)))
                    if width >= height * 0.8 or len(bars) == 1:
                        self._hbar_value(
                            painter, x_of(value), top, width, self._value_format(value), value >= 0
                        )
        painter.setPen(QPen(QColor(AXIS), 1.0))
        painter.drawLine(QPointF(zero, plot.top()), QPointF(zero, plot.bottom()))
        painter.setPen(self._ink())
        for c, text in enumerate(labels):
            if c % every:
                continue
            row_h = max(slot, height)
            centre_y = plot.top() + (c + 0.5) * slot
            rect = QRectF(area.left(), centre_y - row_h / 2, label_w - 6, row_h)
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                metrics.elidedText(text, Qt.TextElideMode.ElideRight, rect.width()),
            )

    def _hbar_value(
        self, painter: QPainter, end: float, top: float, height: float, text: str, positive: bool
    ) -> None:
        if not self._show_values:
            return
        painter.setPen(self._ink())
        width = 200.0
        if positive:
            rect = QRectF(end + 4, top, width, height)
            align = Qt.AlignmentFlag.AlignLeft
        else:
            rect = QRectF(end - 4 - width, top, width, height)
            align = Qt.AlignmentFlag.AlignRight
        painter.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, text)

    # pie

    def _draw_pie(self, painter: QPainter, area: QRectF) -> None:
        font = self._small_font()
        metrics = QFontMetricsF(font)
        total = sum(s.value for s in self._slices)
        entries = [
            _("{label}  {value}（{share}）").format(
                label=s.label,
                value=self._value_format(s.value),
                share=f"{s.value / total * 100:.1f}%",
            )
            for s in self._slices
        ]
        legend_w = max((metrics.horizontalAdvance(e) for e in entries), default=0.0) + 24
        side = area.width() - legend_w - 16 >= min(area.height(), 120)
        line_h = metrics.height() + 4
        if self._show_legend and side:
            pie_area = QRectF(area.left(), area.top(), area.width() - legend_w - 16, area.height())
            legend = QRectF(pie_area.right() + 16, area.top(), legend_w, area.height())
        elif self._show_legend:
            legend_h = line_h * len(entries)
            pie_area = QRectF(area.left(), area.top(), area.width(), area.height() - legend_h - 6)
            legend = QRectF(area.left(), pie_area.bottom() + 6, area.width(), legend_h)
        else:
            pie_area, legend = area, QRectF()
        diameter = max(min(pie_area.width(), pie_area.height()), 20.0)
        box = QRectF(0, 0, diameter, diameter)
        box.moveCenter(pie_area.center())
        inner = diameter * 0.56 if self._donut else 0.0
        start = 90.0  # twelve o'clock, clockwise like a clock face
        painter.setFont(font)
        for index, s in enumerate(self._slices):
            if s.value <= 0:
                continue
            span = s.value / total * 360.0
            colour = self._colour(index, s.color)
            path = _sector(box, start, span, inner)
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Base), 1.5))
            painter.setBrush(colour)
            painter.drawPath(path)
            self._bar_rects.append(path.boundingRect())
            self._hits.append(_Hit(path.boundingRect(), entries[index], path=path))
            if span >= 22:
                mid = math.radians(start - span / 2)
                radius = (diameter / 2 + inner / 2) / 2 if self._donut else diameter * 0.32
                centre = box.center()
                point = QPointF(
                    centre.x() + radius * math.cos(mid), centre.y() - radius * math.sin(mid)
                )
                text = f"{s.value / total * 100:.0f}%"
                painter.setPen(_contrast(colour))
                painter.drawText(
                    QRectF(point.x() - 30, point.y() - metrics.height() / 2, 60, metrics.height()),
                    Qt.AlignmentFlag.AlignCenter,
                    text,
                )
            start -= span
        if self._donut and (self._centre_text or self._centre_caption):
            self._draw_centre(painter, box, inner)
        if self._show_legend:
            painter.setFont(font)
            top = legend.top() + max((legend.height() - line_h * len(entries)) / 2, 0)
            swatch = metrics.height() * 0.7
            for index, (s, entry) in enumerate(zip(self._slices, entries, strict=True)):
                y = top + index * line_h
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(self._colour(index, s.color))
                painter.drawRect(QRectF(legend.left(), y + (line_h - swatch) / 2, swatch, swatch))
                painter.setPen(self._ink())
                painter.drawText(
                    QRectF(legend.left() + swatch + 6, y, legend.width() - swatch - 6, line_h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    metrics.elidedText(
                        entry, Qt.TextElideMode.ElideRight, legend.width() - swatch - 6
                    ),
                )

    def _draw_centre(self, painter: QPainter, box: QRectF, inner: float) -> None:
        big = QFont(self.font())
        big.setBold(True)
        big.setPointSizeF(max(min(inner / 4.2, 26.0), 9.0) * 72 / max(self.logicalDpiY(), 1))
        big_metrics = QFontMetricsF(big)
        small = self._small_font()
        small_metrics = QFontMetricsF(small)
        centre = box.center()
        heights = big_metrics.height() + (small_metrics.height() if self._centre_caption else 0)
        y = centre.y() - heights / 2
        painter.setPen(self._ink())
        painter.setFont(big)
        painter.drawText(
            QRectF(centre.x() - inner / 2, y, inner, big_metrics.height()),
            Qt.AlignmentFlag.AlignCenter,
            big_metrics.elidedText(self._centre_text, Qt.TextElideMode.ElideRight, inner),
        )
        if self._centre_caption:
            painter.setFont(small)
            painter.setPen(QColor(MUTED))
            painter.drawText(
                QRectF(
                    centre.x() - inner / 2, y + big_metrics.height(), inner, small_metrics.height()
                ),
                Qt.AlignmentFlag.AlignCenter,
                small_metrics.elidedText(self._centre_caption, Qt.TextElideMode.ElideRight, inner),
            )


def _sector(box: QRectF, start: float, span: float, inner: float) -> QPainterPath:
    """A pie slice (or a ring segment when ``inner`` > 0) from ``start`` degrees
    (counter-clockwise from three o'clock) running ``span`` degrees clockwise."""
    path = QPainterPath()
    centre = box.center()
    if inner <= 0:
        path.moveTo(centre)
        path.arcTo(box, start, -span)
        path.closeSubpath()
        return path
    hole = QRectF(0, 0, inner, inner)
    hole.moveCenter(centre)
    path.arcMoveTo(box, start)
    path.arcTo(box, start, -span)
    path.arcTo(hole, start - span, span)
    path.closeSubpath()
    return path


def _contrast(colour: QColor) -> QColor:
    """White on dark fills, near-black on light ones (value labels inside a bar)."""
    luminance = 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()
    return QColor("#ffffff") if luminance < 150 else QColor("#111827")

"""Drawn pieces of a paper form: section headings, check boxes, signature lines, and a
labelled block of long text that continues onto the next page.

Boxes and ticks are drawn as lines: the font has no ballot-box glyphs, and drawn
boxes look the same on every printer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Flowable, Paragraph

from clubdesk.i18n import _
from clubdesk.pdf.fonts import FONT, draw_bold, fit_text, text_width
from clubdesk.pdf.style import (
    ACCENT,
    BODY_SIZE,
    CELL_PAD_X,
    CONTENT_WIDTH,
    INK,
    LABEL,
    LABEL_FILL,
    LINE_WIDTH,
    ROW_PADDING,
    RULE,
    VALUE,
    WRITE_LINE,
    WRITE_ROW,
    para,
)


class SectionHeading(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """ "一、基本资料": a bold heading with an accent bar, never alone at a page foot.

    reportlab's ``keepWithNext`` would glue the heading to the whole next flowable,
    so a heading over a long table pushed both to a new page and left the old one
    nearly empty.  Instead the heading asks for ``keep_space`` below itself (a few
    rows of whatever follows) and otherwise moves to the next page alone.
    """

    def __init__(
        self,
        text: str,
        *,
        size: float = 11.5,
        space_before: float = 8,
        keep_space: float = 3 * WRITE_ROW,
    ) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.spaceBefore = space_before
        self.spaceAfter = 4
        self.keep_space = keep_space
        self._width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._width = avail_width
        height = self.size + 7
        if avail_height < height + self.spaceAfter + self.keep_space:
            # Claim more than is left, so the frame asks split(), which declines.
            return avail_width, avail_height + 1
        return avail_width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, 3, 3.2, self.size + 1, stroke=0, fill=1)
        draw_bold(canvas, 8, 5, self.text, self.size, colour=ACCENT)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.6)
        canvas.line(0, 0, self._width, 0)
        canvas.restoreState()


def draw_checkbox(canvas: Any, x: float, y: float, size: float, checked: bool) -> None:
    """A square with its lower-left corner at (x, y), ticked with two strokes if checked."""
    canvas.saveState()
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.7)
    canvas.rect(x, y, size, size, stroke=1, fill=0)
    if checked:
        canvas.setLineWidth(max(size * 0.14, 1.0))
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        path = canvas.beginPath()
        path.moveTo(x + size * 0.18, y + size * 0.52)
        path.lineTo(x + size * 0.42, y + size * 0.22)
        path.lineTo(x + size * 0.86, y + size * 0.84)
        canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


class CheckBoxGroup(Flowable):  # type: ignore[misc]
    """Options side by side, each a box and a label; wraps onto more lines if narrow.

    Used on its own or inside a table cell ("客户分类: □普通客户 ☑VIP客户 ...").
    """

    def __init__(
        self, options: Sequence[tuple[str, bool]], *, size: float = BODY_SIZE, gap: float = 14
    ) -> None:
        super().__init__()
        self.options = [(fit_text(text), checked) for text, checked in options]
        self.size = size
        self.gap = gap
        self.box = size * 0.9
        self.line_height = size * 1.5
        self._placed: list[tuple[float, int, str, bool]] = []  # x, line, label, checked
        self._lines = 1

    def _item_width(self, label: str) -> float:
        return self.box + self.size * 0.35 + text_width(label, self.size)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._placed = []
        x, line, widest = 0.0, 0, 0.0
        for label, checked in self.options:
            width = self._item_width(label)
            if x > 0 and x + width > avail_width:
                x, line = 0.0, line + 1
            self._placed.append((x, line, label, checked))
            widest = max(widest, x + width)
            x += width + self.gap
        self._lines = line + 1
        self.width = min(widest, avail_width) if self.options else 0.0
        return self.width, self._lines * self.line_height

    def draw(self) -> None:
        canvas = self.canv
        height = self._lines * self.line_height
        # Centre the box on the text's x-height rather than its baseline.
        descent = (self.line_height - self.size) / 2 + self.size * 0.12
        for x, line, label, checked in self._placed:
            baseline = height - (line + 1) * self.line_height + descent
            draw_checkbox(canvas, x, baseline - self.size * 0.02, self.box, checked)
            canvas.saveState()
            canvas.setFillColor(INK)
            canvas.setFont(FONT, self.size)
            canvas.drawString(x + self.box + self.size * 0.35, baseline, label)
            canvas.restoreState()


def CheckBox(label: str, checked: bool = False, *, size: float = BODY_SIZE) -> CheckBoxGroup:
    """One check box with its label (a group of one, so it lays out the same way)."""
    return CheckBoxGroup([(label, checked)], size=size)


class SignatureLine(Flowable):  # type: ignore[misc]
    """ "会员签名：________  日期：____年__月__日", with room above the line to sign."""

    def __init__(
        self,
        label: str,
        *,
        date_label: str | None = None,
        with_date: bool = True,
        size: float = BODY_SIZE,
        height: float = 30,
        label_width: float | None = None,
    ) -> None:
        super().__init__()
        self.label = fit_text(label)
        self.label_width = label_width
        self.date_label = fit_text(date_label if date_label is not None else _("日期："))
        self.with_date = with_date
        self.size = size
        self.height = height
        self.spaceBefore = 6
        self._width = 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        canvas = self.canv
        size, base = self.size, 4.0
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.6)
        canvas.setFont(FONT, size)
        canvas.drawString(0, base, self.label)
        line_start = max(text_width(self.label, size), self.label_width or 0) + 4
        # The date part is fixed-width: "日期：____年___月___日" with room for digits.
        year_w, part_w = size * 3.6, size * 2.4
        unit_w = text_width("年", size) + 2
        date_w = text_width(self.date_label, size) + 4 + year_w + part_w * 2 + unit_w * 3
        line_end = self._width - (date_w + size * 2 if self.with_date else 0)
        canvas.line(line_start, base - 2, line_end, base - 2)
        if self.with_date:
            x = self._width - date_w
            canvas.drawString(x, base, self.date_label)
            x += text_width(self.date_label, size) + 4
            for unit, width in ((_("年"), year_w), (_("月"), part_w), (_("日"), part_w)):
                canvas.line(x, base - 2, x + width, base - 2)
                x += width + 1
                canvas.drawString(x, base, unit)
                x += unit_w - 1
        canvas.restoreState()


def signature_lines(labels: Sequence[str], **kw: Any) -> list[SignatureLine]:
    """Several signature lines whose lines start at the same x, one under another."""
    width = max(
        (text_width(fit_text(text), kw.get("size", BODY_SIZE)) for text in labels), default=0.0
    )
    return [SignatureLine(text, label_width=width, **kw) for text in labels]


class LabelledText(Flowable):  # type: ignore[misc]
    """A boxed row "label | long text" that lines up with a field grid above it.

    Unlike a table row, it splits between pages: the text continues in a new box
    labelled "(续)".  Empty, it leaves ``min_height`` of ruled space to write in.
    """

    def __init__(
        self,
        label: str,
        text: str | Paragraph | None,
        *,
        label_width: float,
        min_height: float = 0,
        ruled: bool = True,
        continued: bool = False,
    ) -> None:
        super().__init__()
        self.label = label
        self.continued = continued
        self.content = text if isinstance(text, Paragraph) else (para(text) if text else None)
        self.label_width = label_width
        self.min_height = min_height
        self.ruled = ruled
        self._label_para = para(
            _("{label}（续）").format(label=label) if continued else label, LABEL
        )
        self._width = CONTENT_WIDTH
        self._content_height = 0.0
        self._label_height = 0.0

    def _value_width(self) -> float:
        return self._width - self.label_width - 2 * CELL_PAD_X

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._width = avail_width
        _w, self._label_height = self._label_para.wrap(
            self.label_width - 2 * CELL_PAD_X, avail_height
        )
        self._content_height = 0.0
        if self.content is not None:
            _w, self._content_height = self.content.wrap(self._value_width(), avail_height)
        inner = max(self._content_height, self._label_height, VALUE.leading)
        self.height = max(inner + 2 * ROW_PADDING, self.min_height)
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        if self.height <= avail_height:
            return [self]
        if self.content is None:
            return []  # an empty box moves whole to the next page
        parts = self.content.split(self._value_width(), avail_height - 2 * ROW_PADDING)
        if len(parts) < 2:
            return []
        return [
            LabelledText(
                self.label, parts[0], label_width=self.label_width, continued=self.continued
            ),
            LabelledText(self.label, parts[1], label_width=self.label_width, continued=True),
        ]

    def draw(self) -> None:
        canvas = self.canv
        width, height = self._width, self.height
        canvas.saveState()
        canvas.setFillColor(LABEL_FILL)
        canvas.rect(0, 0, self.label_width, height, stroke=0, fill=1)
        if self.content is None and self.ruled:
            canvas.setStrokeColor(WRITE_LINE)
            canvas.setLineWidth(0.4)
            canvas.setDash(1, 2)
            y = height - WRITE_ROW
            while y > ROW_PADDING:
                canvas.line(self.label_width + CELL_PAD_X, y, width - CELL_PAD_X, y)
                y -= WRITE_ROW
            canvas.setDash()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(LINE_WIDTH)
        canvas.rect(0, 0, width, height, stroke=1, fill=0)
        canvas.line(self.label_width, 0, self.label_width, height)
        canvas.restoreState()
        # Label at the top like a table cell's, so a tall box does not float its label.
        top = height - ROW_PADDING
        self._label_para.drawOn(canvas, CELL_PAD_X, top - self._label_height)
        if self.content is not None:
            self.content.drawOn(canvas, self.label_width + CELL_PAD_X, top - self._content_height)

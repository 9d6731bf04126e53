"""The A4 page every form is printed on, and building a story of flowables into a PDF.

Each page carries the club's name, the form's title, a reference line (record number
and print time) and a footer "第 1 页 / 共 N 页".  The total is only known once the
story has been laid out, so the canvas holds every page back and stamps the numbers
when the document is saved (reportlab's "NumberedCanvas" recipe) instead of laying
the story out twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from clubdesk.i18n import _
from clubdesk.pdf.fonts import FONT, draw_bold, fit_text, register_fonts
from clubdesk.pdf.style import (
    ACCENT,
    BODY_SIZE,
    CONTENT_WIDTH,
    FOOTER_HEIGHT,
    HEADER_HEIGHT,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_SIZE,
    RULE,
)
from clubdesk.pdf.text import fmt_datetime


@dataclass(frozen=True, slots=True)
class FormPage:
    """What the page furniture says; the same on every page of one printout."""

    club_name: str
    title: str  # already translated, e.g. "会员档案卡"
    reference: str = ""  # left of the reference line, e.g. "会员编号：000123"
    printed_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    # Forms with personal data say so on every page (domain.md: 客户隐私).
    footer_note: str = ""


def page_label(page: int, total: int) -> str:
    return _("第 {page} 页 / 共 {total} 页").format(page=page, total=total)


def build_pdf(out: Path, page: FormPage, story: Sequence[Flowable]) -> None:
    """Lay ``story`` out on ClubDesk pages and write the PDF to ``out``.

    Writes ``out`` directly; callers that must never leave a half-written file (the
    registry) pass a temporary path and rename it.
    """
    register_fonts()
    height = PAGE_SIZE[1]
    frame_bottom = MARGIN_BOTTOM + FOOTER_HEIGHT
    frame_top = height - MARGIN_TOP - HEADER_HEIGHT
    frame = Frame(
        MARGIN_X,
        frame_bottom,
        CONTENT_WIDTH,
        frame_top - frame_bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc = BaseDocTemplate(
        str(out),
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{page.club_name} {page.title}",
        author=page.club_name,
        subject=page.title,
        creator="ClubDesk",
        lang="zh-CN",
        # Text drawn before any setFont must still have Chinese glyphs.
        initialFontName=FONT,
        initialFontSize=BODY_SIZE,
        displayDocTitle=True,
    )
    doc.addPageTemplates(
        [PageTemplate(id="form", frames=[frame], onPage=lambda c, _d: _draw_furniture(c, page))]
    )
    doc.build(list(story), canvasmaker=_NumberedCanvas)


def _draw_furniture(canvas: Any, page: FormPage) -> None:
    width, height = PAGE_SIZE
    left, right, centre = MARGIN_X, width - MARGIN_X, width / 2
    top = height - MARGIN_TOP
    canvas.saveState()

    canvas.setFillColor(MUTED)
    canvas.setFont(FONT, 10.5)
    canvas.drawCentredString(centre, top - 10, fit_text(page.club_name))

    # Letter-spaced like the title of a printed Chinese 登记表; an English title is not.
    spacing = 4 if any(ch >= "\u2e80" for ch in page.title) else 0.5
    draw_bold(
        canvas, centre, top - 36, page.title, 19, align="centre", char_space=spacing,
        colour=ACCENT,
    )  # fmt: skip

    meta_y = top - 56
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 9)
    if page.reference:
        canvas.drawString(left, meta_y, fit_text(page.reference))
    canvas.drawRightString(
        right, meta_y, _("打印时间：{when}").format(when=fmt_datetime(page.printed_at))
    )

    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(1.4)
    canvas.line(left, meta_y - 5, right, meta_y - 5)
    canvas.setLineWidth(0.4)
    canvas.line(left, meta_y - 7.2, right, meta_y - 7.2)

    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(left, MARGIN_BOTTOM + 3.5 * mm, right, MARGIN_BOTTOM + 3.5 * mm)
    if page.footer_note:
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(left, MARGIN_BOTTOM, fit_text(page.footer_note))
    canvas.restoreState()


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """Keeps each finished page's drawing state until save(), when the total is known."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._stamp_page_number(number, total)
            super().showPage()
        super().save()

    def _stamp_page_number(self, number: int, total: int) -> None:
        self.saveState()
        self.setFillColor(INK)
        self.setFont(FONT, 8.5)
        # At the right margin: the footer note runs from the left, and in English it is
        # long enough to reach the middle of the page.
        self.drawRightString(PAGE_SIZE[0] - MARGIN_X, MARGIN_BOTTOM, page_label(number, total))
        self.restoreState()

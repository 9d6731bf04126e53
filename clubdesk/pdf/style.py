"""The look shared by every form: page metrics, colours, type sizes, paragraph styles.

Forms are printed on office laser printers, often black and white, so colours are
dark or very light greys that survive greyscale; the ink is in the lines, not fills.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from clubdesk.i18n import DEFAULT_LANGUAGE, current_language
from clubdesk.pdf.fonts import FONT, register_fonts
from clubdesk.pdf.text import markup

PAGE_SIZE: tuple[float, float] = A4
MARGIN_X: float = 18 * mm
MARGIN_TOP: float = 12 * mm
MARGIN_BOTTOM: float = 12 * mm
HEADER_HEIGHT: float = 25 * mm  # club name, title, reference line and rule, above the frame
FOOTER_HEIGHT: float = 6 * mm
CONTENT_WIDTH: float = PAGE_SIZE[0] - 2 * MARGIN_X

INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1f3a5f")  # titles and headings: navy, prints as dark grey
MUTED = colors.HexColor("#5c5c5c")
RULE = colors.HexColor("#4a4a4a")  # cell borders
LABEL_FILL = colors.HexColor("#eef0f3")
HEADER_FILL = colors.HexColor("#dde2e8")
ZEBRA_FILL = colors.HexColor("#f6f7f9")
WRITE_LINE = colors.HexColor("#b8b8b8")  # faint guide lines for handwriting

BODY_SIZE = 10.0
SMALL_SIZE = 8.0
LABEL_SIZE = 9.5
LINE_WIDTH = 0.5
CELL_PAD_X = 6.0
ROW_PADDING = 4.0  # vertical padding in grid cells; with 10 pt text a row is ~21 pt
WRITE_ROW = 22.0  # height of an empty row someone writes in by hand (~8 mm)


def _style(name: str, **kw: Any) -> ParagraphStyle:
    base: dict[str, Any] = {
        "fontName": FONT,
        "fontSize": BODY_SIZE,
        "leading": BODY_SIZE * 1.35,
        "textColor": INK,
        # Chinese has no spaces: break between any two characters, and still keep
        # closing punctuation off the start of a line.
        "wordWrap": "CJK",
    }
    base.update(kw)
    return ParagraphStyle(name, **base)


BODY = _style("cd.body")
VALUE = _style("cd.value")
VALUE_RIGHT = _style("cd.value.right", alignment=TA_RIGHT)
VALUE_CENTRE = _style("cd.value.centre", alignment=TA_CENTER)
LABEL = _style("cd.label", fontSize=LABEL_SIZE, leading=LABEL_SIZE * 1.3, alignment=TA_LEFT)
HEAD_CELL = _style("cd.head", fontSize=LABEL_SIZE, leading=LABEL_SIZE * 1.3, alignment=TA_CENTER)
SMALL = _style("cd.small", fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.4, textColor=MUTED)
NOTE = _style("cd.note", fontSize=9, leading=9 * 1.5, textColor=INK)


class CJKParagraph(Paragraph):  # type: ignore[misc]  # reportlab has no type hints
    """A Paragraph whose closing punctuation hangs inside the box, never past it.

    reportlab keeps a "，" that would start a line on the line before, overfilling
    it; it then squeezes that line's ASCII spaces with PDF word spacing, which the
    embedded TrueType subset ignores, and the next line starts a few points to the
    right.  When something hangs, the text is broken again one em short of the
    width, which leaves the mark room, and the em is handed back as slack so that
    alignment is still measured from the real width.

    Split across pages, reportlab rebuilds the remainder by joining its lines with
    spaces (right for English, a stray gap in Chinese) and appends them to the
    shared fragments in place; ``_get_split_blParaFunc`` rejoins them untouched.
    """

    def _get_split_blParaFunc(self) -> Any:  # reportlab's name
        if self.blPara.kind == 0:
            return super()._get_split_blParaFunc()
        return _join_lines_as_is

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # reportlab's name
        if getattr(self, "_splitpara", 0) and hasattr(self, "blPara"):
            return super().breakLinesCJK(maxWidths)  # lines already adjusted before split
        widths = list(maxWidths) if isinstance(maxWidths, list | tuple) else [maxWidths]
        broken = super().breakLinesCJK(widths)
        em = float(self.style.fontSize)
        if min(_slack(broken), default=0.0) >= -1e-6 or min(widths) <= 2 * em:
            return broken  # nothing hangs: the common case, full width kept
        broken = super().breakLinesCJK([w - em for w in widths])
        if broken.kind == 0:
            broken.lines = [(max(space + em, 0.0), words) for space, words in broken.lines]
        else:
            for line in broken.lines:
                line.extraSpace = max(line.extraSpace + em, 0.0)
        return broken


def _slack(broken: Any) -> list[float]:
    if broken.kind == 0:
        return [float(space) for space, _words in broken.lines]
    return [float(line.extraSpace) for line in broken.lines]


def _join_lines_as_is(bl_para: Any, start: int, stop: int) -> list[Any]:
    return [word.clone() for line in bl_para.lines[start:stop] for word in line.words]


def para(text: str | None, style: ParagraphStyle = VALUE) -> Paragraph:
    """A Paragraph of plain (not markup) text."""
    register_fonts()
    if style.wordWrap == "CJK" and not wraps_as_chinese(text or ""):
        style = latin_style(style)
    return CJKParagraph(markup(text), style)


def wraps_as_chinese(text: str) -> bool:
    """Chinese text breaks between any two characters; English (numbers, and anything
    printed in English) only at spaces, or "speciali st" splits mid-word."""
    return current_language() == DEFAULT_LANGUAGE and any(ch >= "\u2e80" for ch in text)


@lru_cache(maxsize=128)
def latin_style(style: ParagraphStyle) -> ParagraphStyle:
    # splitLongWords: a word wider than the whole cell is still split, not run over.
    return ParagraphStyle(f"{style.name}.latin", parent=style, wordWrap=None, splitLongWords=1)

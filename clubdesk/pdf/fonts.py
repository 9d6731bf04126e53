"""The one font every printed form uses: WenQuanYi Micro Hei (Latin and CJK glyphs).

The built-in PDF fonts have no Chinese glyphs, and a form must print the same on every
counter PC whatever fonts Windows has, so ClubDesk ships its own font in ``resources/``
and embeds a subset of it in each PDF.
"""

from __future__ import annotations

import threading
import unicodedata
from typing import Any, Literal

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.paths import cjk_font_path

FONT = "ClubDeskCJK"
# The TTC has no bold face and reportlab cannot embolden a TrueType font, so the bold
# name maps to the same glyphs; draw_bold() fakes the weight where it matters (titles).
FONT_BOLD = "ClubDeskCJK-Bold"

# The GUI renders PDFs on a worker thread while the CLI renders on the main one.
_lock = threading.Lock()
_registered = False
_drawable: frozenset[int] = frozenset()
_blank: frozenset[int] = frozenset()  # whitespace the font maps, with its own width

# Characters the font maps to an empty outline (they would print as a gap) that have
# a faithful spelling in characters it does draw.
_SUBSTITUTES = {"\u2103": "°C", "\u2109": "°F"}
# What prints for anything else the font cannot draw (emoji, rare CJK extension-B
# names): the conventional mark for a missing character, rather than a silent gap.
MISSING = "\u25a1"


def register_fonts() -> None:
    """Register the font with reportlab once per process; cheap on every later call."""
    global _registered, _drawable, _blank
    if _registered:
        return
    with _lock:
        if _registered:
            return
        path = cjk_font_path()
        if not path.is_file():
            raise DomainError(
                _("找不到打印所需的中文字体文件“{path}”。请重新安装 ClubDesk。").format(path=path)
            )
        # Index 0 of the collection is the proportional face; index 1 is the monospace one.
        font = TTFont(FONT, str(path), subfontIndex=0)
        pdfmetrics.registerFont(font)
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(path), subfontIndex=0))
        # Some mapped glyphs are empty in this font (℃, ℉): judge by outline length.
        face = font.face
        positions = face.glyphPos
        _drawable = frozenset(
            code
            for code, glyph in face.charToGlyph.items()
            if glyph and positions[glyph + 1] > positions[glyph]
        )
        _blank = frozenset(code for code in face.charToGlyph if chr(code).isspace())
        # So that <b> inside a Paragraph resolves instead of raising.
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT)
        addMapping(FONT, 1, 1, FONT_BOLD)
        _teach_chinese_line_breaking()
        _registered = True


# Closing punctuation that must not begin a line in Chinese typesetting.
_CHINESE_CANNOT_START = "，。、；：！？）》〉」』】〕…％"


def _teach_chinese_line_breaking() -> None:
    """Add Chinese full-width punctuation to reportlab's "cannot start a line" list.

    reportlab's CJK wrapping hangs such characters in the margin instead of starting
    a line with them, but its list is Japanese: without "，" "；" "：" "！" "？" a
    line of a member's notes can begin with a comma.  Both modules read the name at
    call time, so extending the module globals (once, idempotently) is enough.
    """
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        current: str = module.ALL_CANNOT_START
        missing = "".join(ch for ch in _CHINESE_CANNOT_START if ch not in current)
        if missing:
            module.ALL_CANNOT_START = current + missing


def fit_text(text: str) -> str:
    """``text`` with every character the font cannot draw replaced (see ``MISSING``)."""
    register_fonts()
    if all(ord(ch) in _drawable or ord(ch) in _blank or ch == "\n" for ch in text):
        return text
    out: list[str] = []
    for ch in text:
        if ord(ch) in _drawable or ord(ch) in _blank or ch == "\n":
            out.append(ch)
        elif ch.isspace():
            out.append(" ")
        elif ch in _SUBSTITUTES:
            out.append(_SUBSTITUTES[ch])
        elif unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue  # emoji variation selectors, zero-width joiners: nothing to print
        else:
            out.append(MISSING)
    return "".join(out)


def text_width(text: str, size: float, font: str = FONT) -> float:
    register_fonts()
    return float(pdfmetrics.stringWidth(text, font, size))


def draw_bold(
    canvas: Any,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: Literal["left", "centre", "right"] = "left",
    char_space: float = 0.0,
    weight: float = 0.045,
    colour: Any = None,
) -> float:
    """Draw ``text`` filled and stroked (PDF text render mode 2) so it reads as bold.

    ``weight`` is the stroke width as a fraction of the font size; without ``colour`` the
    caller must have set the fill and the stroke colour alike.  Returns the drawn width.
    """
    text = fit_text(text)
    width = text_width(text, size, FONT_BOLD) + char_space * max(len(text) - 1, 0)
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    canvas.saveState()
    if colour is not None:
        canvas.setFillColor(colour)
        canvas.setStrokeColor(colour)
    canvas.setLineWidth(size * weight)
    canvas.setLineJoin(1)  # round joins keep stroked CJK corners from spiking
    text_object = canvas.beginText(x, y)
    text_object.setFont(FONT_BOLD, size)
    text_object.setCharSpace(char_space)
    text_object.setTextRenderMode(2)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()
    return width

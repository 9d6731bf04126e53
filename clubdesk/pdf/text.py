"""How values read on paper: dates in Chinese style, money from fen, safe paragraph markup."""

from __future__ import annotations

from datetime import date, datetime
from xml.sax.saxutils import escape

from clubdesk.i18n import _
from clubdesk.money import format_fen
from clubdesk.pdf.fonts import fit_text


def fmt_date(value: date | None) -> str:
    """2026年11月23日; empty for no date (a blank to write in)."""
    if value is None:
        return ""
    return _("{y}年{m}月{d}日").format(y=value.year, m=value.month, d=value.day)


def fmt_datetime(value: datetime | None) -> str:
    """2026年11月23日 14:05"""
    if value is None:
        return ""
    return f"{fmt_date(value.date())} {value:%H:%M}"


def fmt_money(fen: int | None) -> str:
    return "" if fen is None else format_fen(fen)


def markup(text: str | None) -> str:
    """Plain user text as Paragraph markup: ``<`` and ``&`` escaped, line breaks kept,
    characters the font lacks replaced (``fit_text``).

    Members' notes are typed by staff and may contain anything; unescaped they would
    be parsed as reportlab's mini-HTML and fail or vanish.
    """
    if not text:
        return ""
    text = fit_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = escape(text).split("\n")
    return "<br/>".join(lines)

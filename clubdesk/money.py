"""Money is integer fen everywhere; these turn it into text for people."""

from __future__ import annotations


def format_fen(fen: int, *, symbol: bool = True) -> str:
    """12345 → '¥123.45'; negative amounts keep their sign before the symbol."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    text = f"{yuan:,}.{cents:02d}"
    return f"{sign}¥{text}" if symbol else f"{sign}{text}"

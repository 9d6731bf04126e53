"""An amount of money typed in yuan (two decimals at most), read back as integer fen.

Full-width digits and punctuation from a Chinese input method are turned into ASCII as
they are typed; a minus sign, a third decimal or a letter is refused on the keystroke,
and ``problem`` says why in a sentence the dialog can show next to the field.
"""

from __future__ import annotations

import re
import unicodedata

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from clubdesk.i18n import _
from clubdesk.money import format_fen

_AMOUNT = re.compile(r"(\d*)(?:\.(\d*))?")
MAX_FEN = 100_000_000  # one million yuan, the services' single-movement limit


def normalise(text: str) -> str:
    """Full-width to ASCII; the yuan sign, the word 元, spaces and thousands commas dropped."""
    plain = unicodedata.normalize("NFKC", text)
    plain = plain.replace("。", ".").replace("¥", "").replace("￥", "").replace("元", "")
    return plain.replace(",", "").replace(" ", "").strip()


def problem_of(text: str, maximum_fen: int = MAX_FEN) -> str | None:
    """Why ``text`` is not an amount (a Chinese sentence), or None when it is one."""
    plain = normalise(text)
    if not plain:
        return _("请输入金额。")
    if plain.startswith("-"):
        return _("金额不能为负数。")
    match = _AMOUNT.fullmatch(plain)
    if match is None or not (match.group(1) or match.group(2)):
        return _("请输入金额（元），例如 100 或 99.50。")
    if match.group(2) is not None and len(match.group(2)) > 2:
        return _("金额最多两位小数（精确到分）。")
    if _to_fen(match) > maximum_fen:
        return _("金额不能超过 {limit}。").format(limit=format_fen(maximum_fen))
    return None


def parse_yuan(text: str, maximum_fen: int = MAX_FEN) -> int:
    """'1,234.5' → 123450; ValueError (with a Chinese message) for anything else."""
    problem = problem_of(text, maximum_fen)
    if problem is not None:
        raise ValueError(problem)
    match = _AMOUNT.fullmatch(normalise(text))
    assert match is not None
    return _to_fen(match)


def _to_fen(match: re.Match[str]) -> int:
    yuan = int(match.group(1) or "0")
    cents = (match.group(2) or "").ljust(2, "0")
    return yuan * 100 + int(cents or "0")


def yuan_text(fen: int) -> str:
    """123450 → '1234.50' (what the field shows for a preset amount)."""
    yuan, cents = divmod(fen, 100)
    return f"{yuan}.{cents:02d}"


class _YuanValidator(QValidator):
    def __init__(self, edit: MoneyEdit) -> None:
        super().__init__(edit)
        self._edit = edit

    def validate(self, text: str, pos: int) -> object:
        plain = unicodedata.normalize("NFKC", text)  # same length for digits and '.'
        if len(plain) != len(text):
            pos = len(plain)
        problem = problem_of(plain, self._edit.maximum_fen)
        self._edit.last_rejection = problem
        if problem is None:
            return (QValidator.State.Acceptable, plain, pos)
        bare = normalise(plain)
        if not bare or bare == ".":
            return (QValidator.State.Intermediate, plain, pos)
        return (QValidator.State.Invalid, plain, pos)


class MoneyEdit(QLineEdit):
    """``fen()`` is the amount in fen, or None while the field is empty or incomplete."""

    fen_changed = Signal(object)  # int | None
    refused = Signal(str)  # a keystroke was refused: why, as a sentence

    def __init__(
        self, parent: QWidget | None = None, *, maximum_fen: int = MAX_FEN, fen: int | None = None
    ) -> None:
        super().__init__(parent)
        self.maximum_fen = maximum_fen
        self.last_rejection: str | None = None
        self.setValidator(_YuanValidator(self))
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText("0.00")
        self.setMaxLength(16)
        self.setMinimumWidth(120)
        self.textChanged.connect(lambda _text: self.fen_changed.emit(self.fen()))
        self.inputRejected.connect(self._refused)
        if fen is not None:
            self.set_fen(fen)

    def fen(self) -> int | None:
        try:
            return parse_yuan(self.text(), self.maximum_fen)
        except ValueError:
            return None

    def problem(self) -> str | None:
        """Why the current text is not an amount, or None when it is one."""
        return problem_of(self.text(), self.maximum_fen)

    def set_fen(self, fen: int | None) -> None:
        self.setText("" if fen is None else yuan_text(fen))

    def _refused(self) -> None:
        self.refused.emit(self.last_rejection or _("请输入金额（元），例如 100 或 99.50。"))

"""The search terms stored for a member, and how typed text is read as a query.

A member is found by exact term, so every search is one index range in member-id
order (newest first) and the first page of 50 costs the same at a thousand members
as at a million.  Terms:

- ``n`` + every 1- and 2-character fragment of the name (张晓明 → n张 n晓 n明 n张晓 n晓明);
  a longer fragment is looked up by its first two characters and checked on the name;
- ``i`` + every prefix of each pinyin-initials reading (zxm → iz izx izxm; 曾晓明 also
  ic icx icxm), and for a Latin-letter name every prefix of each word (Tom Li → itom).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from clubdesk.seed.names import name_initials

MAX_TERM = 16  # member_search.term is VARCHAR(16)
_NAME_CHARS = 24  # fragments are taken from the first 24 characters of a name
_LATIN_WORD = re.compile(r"[a-z0-9]+")


def normalise_text(text: str) -> str:
    """Full-width digits and letters to half-width, invisible format characters
    (zero-width spaces pasted from chat apps) dropped, spaces collapsed, trimmed."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.split())


def fold_latin(text: str) -> str:
    """Lower case without accents: José García → jose garcia."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def member_terms(name: str, initials: str | None = None) -> list[str]:
    name = normalise_text(name)
    if initials is None:
        initials = name_initials(name)
    terms: set[str] = set()
    # A Latin-letter name is typed as letters, which search the "i" terms below.
    compact = "" if name.isascii() else name.replace(" ", "").lower()[:_NAME_CHARS]
    for i in range(len(compact)):
        terms.add("n" + compact[i])
        if i + 1 < len(compact):
            terms.add("n" + compact[i : i + 2])
    words = initials.split()
    # Latin words anywhere in the name (Tom Li, José García, 李Anna, O'Brien), each
    # and all of them run together, so "tom", "tomli" and "obrien" all find them.
    latin = _LATIN_WORD.findall(fold_latin(name))
    words += latin
    if len(latin) > 1 or (latin and "".join(latin) != fold_latin(name).replace(" ", "")):
        words.append("".join(latin))
    for word in words:
        for k in range(1, min(len(word), MAX_TERM - 1) + 1):
            terms.add("i" + word[:k])
    return sorted(terms)


class QueryKind(StrEnum):
    ALL = "all"
    PHONE_FULL = "phone_full"  # 11 digits: the unique phone index
    PHONE_LAST4 = "phone_last4"  # 4 digits: 手机尾号
    PHONE_PREFIX = "phone_prefix"  # 1-3 or 5-10 digits starting with 1
    CARD = "card"  # digits starting with 8: card number or its prefix
    NAME = "name"  # Chinese (or other) characters: a name fragment
    INITIALS = "initials"  # Latin letters: pinyin initials or a Latin name's word


@dataclass(frozen=True, slots=True)
class Query:
    kind: QueryKind
    text: str  # normalised: digits only for phones and cards, lower case for initials
    term: str = ""  # the member_search term for NAME and INITIALS

    @property
    def needs_name_check(self) -> bool:
        return self.kind is QueryKind.NAME and len(self.text) > 2


_SEPARATORS = re.compile(r"[\s\-_.()（）]+")


def parse_query(typed: str) -> Query | None:
    """How the counter's typing reads; None when it cannot match anyone."""
    text = normalise_text(typed)
    if not text:
        return Query(QueryKind.ALL, "")
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("00") and compact[2:].isdigit():
        compact = "+" + compact[2:]
    if compact.startswith("+86"):
        compact = compact[3:]
    if compact.startswith("+") and compact[1:].isdigit() and len(compact) > 1:
        return Query(QueryKind.PHONE_PREFIX, compact)  # a foreign number, as stored
    if compact.isdigit():
        return _digits_query(compact)
    folded = _SEPARATORS.sub("", fold_latin(text)).replace("'", "")
    if folded.isascii() and folded.isalnum() and not folded.isdigit():
        letters = folded[: MAX_TERM - 1]
        return Query(QueryKind.INITIALS, letters, "i" + letters)
    name = text.replace(" ", "").lower()
    return Query(QueryKind.NAME, name, "n" + name[:2])


def _digits_query(digits: str) -> Query | None:
    if len(digits) == 4:
        return Query(QueryKind.PHONE_LAST4, digits)
    if digits.startswith("8"):
        return Query(QueryKind.CARD, digits)
    if digits.startswith("1"):
        if len(digits) == 11:
            return Query(QueryKind.PHONE_FULL, digits)
        if len(digits) < 11:
            return Query(QueryKind.PHONE_PREFIX, digits)
    return None

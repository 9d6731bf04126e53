"""Cleaning what staff type into a form: trimmed, control characters dropped,
full-width letters and digits made half-width, and a Chinese sentence naming the
field when a value is missing, too long or not a phone number."""

from __future__ import annotations

import re
import unicodedata

from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.services.members import MAINLAND_MOBILE, normalise_phone

CONTENT_MAX = 2000
TEXT_MAX = 1000
NAME_MAX = 40
# Landlines with or without the area code (0571-88886666, 88886666), 400/800 numbers,
# and international numbers: the contact is a phone, whatever the complainant has.
_LANDLINE = re.compile(r"0\d{9,11}|[2-9]\d{6,7}|[48]00\d{7}")
_INTERNATIONAL = re.compile(r"\+\d{6,18}")


def clean_contact(text: str | None) -> str | None:
    """The contact as digits, or DomainError when it is not a phone number."""
    if text is None or not text.strip():
        return None
    phone = normalise_phone(text)
    if (
        MAINLAND_MOBILE.fullmatch(phone)
        or _LANDLINE.fullmatch(phone)
        or _INTERNATIONAL.fullmatch(phone)
    ):
        return phone
    raise DomainError(
        _(
            "联系电话“{text}”不是有效的电话号码："
            "请填写 11 位手机号、带区号的固话或 + 开头的国际号码。"
        ).format(text=shorten(text)),
        field="contact",
    )


def shorten(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def required_text(text: str | None, limit: int, field_name: str, what: str) -> str:
    value = optional_text(text, limit, field_name, what)
    if value is None:
        raise DomainError(_("请填写{what}。").format(what=what), field=field_name)
    return value


def optional_text(text: str | None, limit: int, field_name: str, what: str) -> str | None:
    if text is None:
        return None
    # Control and invisible format characters (a pasted form feed, a NUL, a zero-width
    # space) never belong in a record.  No NFKC here, unlike names: it would turn the
    # Chinese "，" and "：" of free text into ASCII punctuation.
    cleaned = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    ).strip()
    if not cleaned:
        return None
    if len(cleaned) > limit:
        raise DomainError(
            _("{what}最多 {limit} 个字，现在是 {n} 个。").format(
                what=what, limit=limit, n=len(cleaned)
            ),
            field=field_name,
        )
    return cleaned

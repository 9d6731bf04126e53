"""The English catalogue: complete, faithful to its placeholders, compiled, and English.

Chinese is the source language (the msgids); English comes from
``clubdesk/i18n/en/LC_MESSAGES/clubdesk.po`` compiled to ``clubdesk.mo``.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from clubdesk.i18n import CATALOG_DIR, DOMAIN

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("clubdesk", "ui")
# Like `pybabel extract -k _ -k N_` in the Makefile: the default keywords plus ours.
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "N_": None}
EN_DIR = CATALOG_DIR / "en" / "LC_MESSAGES"
PO_PATH = EN_DIR / f"{DOMAIN}.po"
MO_PATH = EN_DIR / f"{DOMAIN}.mo"

PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# CJK ideographs (with extension A) and full-width punctuation and forms: ，。：；！？（）、《》…
NOT_ENGLISH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with PO_PATH.open("rb") as f:
        return read_po(f, locale="en", domain=DOMAIN)


def _translated(catalog: Catalog) -> list[Message]:
    """The catalogue's messages (not the header), translated or not."""
    return [m for m in catalog if m.id]


def _strings(value: str | tuple[str, ...] | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _first(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _extracted() -> set[tuple[str, str | None]]:
    """(msgid, context) of every message marked for translation in the current code."""
    found: set[tuple[str, str | None]] = set()
    for name in SOURCE_DIRS:
        for _filename, _lineno, message, _comments, context in extract_from_dir(
            ROOT / name, keywords=KEYWORDS
        ):
            found.add((_first(message), context))
    return found


def test_every_message_in_the_code_has_an_english_translation(catalog: Catalog) -> None:
    extracted = _extracted()
    assert extracted, "extraction found no messages at all; check SOURCE_DIRS"
    missing = []
    for msgid, context in sorted(extracted, key=lambda item: (item[0], item[1] or "")):
        message = catalog.get(msgid, context=context)
        strings = _strings(message.string) if message is not None else []
        if not strings or not all(s.strip() for s in strings):
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} message(s) in the code have no English translation in {PO_PATH.name}.\n"
        "Run `make translations`, translate these in "
        "clubdesk/i18n/en/LC_MESSAGES/clubdesk.po, then run `make translations` again "
        "to compile:\n" + "\n".join(f"  {m!r}" for m in missing)
    )


def test_translations_keep_exactly_the_placeholders_of_their_msgid(catalog: Catalog) -> None:
    wrong = []
    for message in _translated(catalog):
        expected = {p for s in _strings(message.id) for p in PLACEHOLDER.findall(s)}
        for translation in _strings(message.string):
            if not translation:
                continue  # reported by the completeness test
            got = set(PLACEHOLDER.findall(translation))
            if got != expected:
                wrong.append(
                    f"  {_first(message.id)!r}: expected {sorted(expected)}, got {sorted(got)}"
                )
    assert not wrong, "translations whose {placeholders} differ from the msgid:\n" + "\n".join(
        wrong
    )


def test_committed_mo_is_compiled_from_the_current_po(catalog: Catalog, tmp_path: Path) -> None:
    assert MO_PATH.exists(), f"{MO_PATH} is missing; run `make translations`"
    fresh = tmp_path / f"{DOMAIN}.mo"
    with fresh.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    with MO_PATH.open("rb") as f:
        committed = gettext.GNUTranslations(f)
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)
    # _catalog is the mapping msgid -> msgstr that gettext looks strings up in.
    committed_map: dict[object, str] = committed._catalog  # type: ignore[attr-defined]
    expected_map: dict[object, str] = expected._catalog  # type: ignore[attr-defined]
    stale = sorted(
        str(key)
        for key in committed_map.keys() | expected_map.keys()
        if committed_map.get(key) != expected_map.get(key)
    )
    assert not stale, (
        f"{MO_PATH.name} is out of date with {PO_PATH.name}; run `make translations` "
        "(or pybabel compile). Differing entries:\n" + "\n".join(f"  {k!r}" for k in stale)
    )


def test_english_translations_contain_no_chinese_characters_or_punctuation(
    catalog: Catalog,
) -> None:
    bad = [
        f"  {_first(message.id)!r} -> {translation!r}"
        for message in _translated(catalog)
        for translation in _strings(message.string)
        if NOT_ENGLISH.search(translation)
    ]
    assert not bad, (
        "English translations with Chinese characters or full-width punctuation "
        "(use ASCII , . : ( ) instead):\n" + "\n".join(bad)
    )

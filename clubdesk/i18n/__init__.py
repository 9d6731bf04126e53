"""Translations with gettext.

Source strings are Simplified Chinese, the default language, so Chinese needs no
catalogue and can never be missing; English comes from ``en/LC_MESSAGES/clubdesk.mo``.
gettext (not Qt Linguist) because the core (PDF forms, error messages, the command
line) must translate without Qt; the GUI uses the same ``_``.  Qt's own dialogs are
translated by loading Qt's ``qtbase`` catalogue in the GUI.
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "clubdesk"
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
CATALOG_DIR = Path(__file__).resolve().parent

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def set_language(language: str) -> str:
    """Switch the process to ``language``; an unknown or missing catalogue falls back
    to Chinese (the source language) rather than failing.  Returns the language used."""
    global _translations, _language
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        _translations, _language = gettext.NullTranslations(), DEFAULT_LANGUAGE
        return _language
    try:
        _translations = gettext.translation(DOMAIN, CATALOG_DIR, languages=[language])
    except OSError:
        _translations, _language = gettext.NullTranslations(), DEFAULT_LANGUAGE
        return _language
    _language = language
    return _language


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translations.gettext(message)


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later (module-level tables)."""
    return message

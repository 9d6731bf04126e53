"""Preferences of this counter PC (not of the club): language, last staff account.

Club-wide settings live in the database (clubdesk.settings); these stay on the machine
in a small JSON file, written atomically so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from clubdesk.i18n import DEFAULT_LANGUAGE
from clubdesk.paths import data_dir


@dataclass(slots=True)
class Prefs:
    language: str = DEFAULT_LANGUAGE
    last_user: str | None = None


def prefs_path() -> Path:
    return data_dir() / "prefs.json"


def load() -> Prefs:
    try:
        raw = json.loads(prefs_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Prefs()
    known = {f.name for f in fields(Prefs)}
    return (
        Prefs(**{k: v for k, v in raw.items() if k in known}) if isinstance(raw, dict) else Prefs()
    )


def save(prefs: Prefs) -> None:
    path = prefs_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(prefs), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError


def test_every_declared_setting_has_a_default_and_a_label() -> None:
    for key, definition in settings.DEFINITIONS.items():
        assert definition.key == key
        assert definition.default is not None
        assert isinstance(definition.default, definition.kind)
        assert definition.label.strip()


def test_unchanged_settings_read_their_default(db: Database) -> None:
    assert settings.get_value(db, "complaint.first_response_hours") == 24
    assert settings.all_values(db)["visit.due_days"] == 3


def test_stored_value_wins_over_default(db: Database) -> None:
    with db.write() as s:
        s.execute(
            text("INSERT INTO settings (key, value, updated_at) VALUES (:k, :v, '2026-01-01')"),
            {"k": "club.name", "v": json.dumps("云水间会所")},
        )
    assert settings.get_value(db, "club.name") == "云水间会所"


def test_unknown_setting_is_a_clear_error(db: Database) -> None:
    with pytest.raises(DomainError, match="未知的设置项"):
        settings.get_value(db, "no.such.key")

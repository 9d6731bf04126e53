"""The audit log: append-only records of who changed or took out what."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from clubdesk.models import AuditEntry
from clubdesk.services.staff import StaffMember


def record(
    session: Session,
    actor: StaffMember | None,
    action: str,
    entity: str,
    entity_id: int | None = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
    at: datetime | None = None,
) -> None:
    """Add an entry to the caller's transaction, so it commits with the change itself."""
    session.add(
        AuditEntry(
            at=at or datetime.now(),
            staff_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=_json(before),
            after=_json(after),
            detail=detail,
        )
    )


def _json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)

"""Complaints on the chain's PostgreSQL server: the whole path, and numbers handed out
to several counters registering at the same moment."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clubdesk.db.open import open_database
from clubdesk.models import Complaint, LedgerEntry
from clubdesk.models.enums import ComplaintStepKind, LedgerKind
from clubdesk.services import complaints
from clubdesk.services.complaint_rules import WORKFLOW
from clubdesk.services.complaint_steps import advance
from tests.core.complaint_helpers import NOW, draft, people, register
from tests.core.test_complaint_workflow import ACTIONS, _actor

pytestmark = pytest.mark.postgres


def test_the_whole_path_on_postgres(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        p = people(db)
        cid = register(db, p)
        version = 1
        for n, kind in enumerate(WORKFLOW[1:], start=1):
            done = advance(db, _actor(p, kind), cid, version, ACTIONS[kind],  # type: ignore[arg-type]
                           now=NOW + timedelta(hours=n))  # fmt: skip
            version = done.version
        d = complaints.detail(db, p.supervisor, cid)
        assert d.step is ComplaintStepKind.CLOSED and d.has_signature
        with db.read() as s:
            paid = s.execute(
                select(func.sum(LedgerEntry.amount_fen)).where(
                    LedgerEntry.kind == LedgerKind.COMPENSATION
                )
            ).scalar()
        assert paid == 10_000
    finally:
        db.dispose()


def test_counters_registering_at_once_get_distinct_numbers(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        p = people(db)
        with ThreadPoolExecutor(max_workers=6) as pool:
            ids = list(
                pool.map(lambda _n: complaints.register(db, p.desk, draft(p), now=NOW), range(12))
            )
        with db.read() as s:
            numbers = s.scalars(select(Complaint.number).where(Complaint.id.in_(ids))).all()
        assert len(set(numbers)) == 12
        assert sorted(numbers)[-1].endswith("-012")
    finally:
        db.dispose()

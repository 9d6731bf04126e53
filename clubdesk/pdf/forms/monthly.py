"""Registering a report of a period that prints this month unless told otherwise
(``complaint-stats``, ``visit-summary``): ``--id 202603``/``2026-03``/``latest``, or
``--from/--to``; never blank."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from clubdesk.db.engine import Database
from clubdesk.pdf.registry import PrintableForm, PrintOptions, register
from clubdesk.services import complaint_stats as cs

# render(db, out, start=…, end=…, printed_at=…)
RenderPeriod = Callable[..., None]


def monthly_report(name: str, title: str, render_period: RenderPeriod) -> None:
    """Register ``render_period`` as the form ``name``, its period resolved from the
    record id (a month key) or the options, printed as of now."""

    def with_options(db: Database, record_id: int | None, out: Path, options: PrintOptions) -> None:
        printed_at = datetime.now().replace(microsecond=0)
        start, end = cs.resolve_period(record_id, options.start, options.end, printed_at.date())
        render_period(db, out, start=start, end=end, printed_at=printed_at)

    def render(db: Database, record_id: int | None, out: Path) -> None:
        with_options(db, record_id, out, PrintOptions())

    def find_month(_db: Database, text: str) -> int:
        return cs.parse_month(text)

    register(
        PrintableForm(
            name,
            title,
            blank_allowed=False,
            render=render,
            latest_id=cs.this_month_key,
            find_record=find_month,
            render_with_options=with_options,
            latest_by_default=True,
        )
    )

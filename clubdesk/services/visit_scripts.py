"""The words and hours of a return visit (回访, domain.md section 4): the call script a
manager writes in the settings, and the do-not-disturb hours ("never while the
customer rests").  Plain functions, no database: ``return_visits`` feeds them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from clubdesk.i18n import _
from clubdesk.models.enums import ReturnVisitSource

# The placeholders a script may use (settings visit.script_*).
PLACEHOLDERS = ("name", "service", "date", "club")

SCRIPT_KEYS: dict[ReturnVisitSource, str] = {
    ReturnVisitSource.SERVICE: "visit.script_service",
    ReturnVisitSource.COMPLAINT: "visit.script_complaint",
    ReturnVisitSource.VIP: "visit.script_periodic",
    ReturnVisitSource.PERIODIC: "visit.script_periodic",
    ReturnVisitSource.SPECIAL: "visit.script_periodic",
}

# "{{" and "}}" are literal braces (as in str.format); "{word}" is a placeholder.
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with its known placeholders filled in.

    Never raises: an unknown placeholder ("{phone}"), a lone brace or a positional
    "{0}" stays as typed, so a script saved before the settings editor checked it
    still reads out (the counter sees the slip instead of an error)."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        return values.get(name, token)

    return _TOKEN.sub(replace, template)


def spoken_date(day: date) -> str:
    """3月14日: how a date is said on the phone."""
    return _("{month}月{day}日").format(month=day.month, day=day.day)


def parse_hhmm(text: object, fallback: str) -> time:
    """A "HH:MM" setting as a time; a value the settings editor would refuse reads as
    the declared default rather than failing the call list."""
    for candidate in (text, fallback):
        if isinstance(candidate, str):
            try:
                return datetime.strptime(candidate.strip(), "%H:%M").time()
            except ValueError:
                continue
    return time(0, 0)


def quiet_until(now: datetime, start: time, end: time) -> datetime | None:
    """When calls may begin again if ``now`` lies in the do-not-disturb hours
    [start, end), which may cross midnight (22:00 → 09:00); None when calls are fine
    now.  Equal start and end mean no quiet hours at all."""
    if start == end:
        return None
    at = now.time()
    quiet = start <= at < end if start < end else (at >= start or at < end)
    if not quiet:
        return None
    until = datetime.combine(now.date(), end)
    return until if until > now else until + timedelta(days=1)

"""Demo time: whole seconds counted from a base midnight, and their stored text.

The hot loops keep times as ints (cheap to add, compare and sort) and turn them into
the exact text SQLAlchemy's SQLite dialect writes ("2026-11-23 09:30:00.000000") by
two table look-ups and one concatenation, instead of a strftime per value.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

DAY = 86_400
HOUR = 3_600
MINUTE = 60


def dt_text(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def time_text(value: time) -> str:
    return value.strftime("%H:%M:%S.%f")


class Clock:
    """Seconds since ``base`` (midnight, ``years_back`` years before today)."""

    def __init__(self, today: date, now: datetime, *, years_back: int = 6) -> None:
        self.today = today
        self.now = now
        self.base = datetime.combine(today - timedelta(days=366 * years_back), time.min)
        self.base_day = self.base.date()
        # Far enough ahead for bookings, VIP arrivals and annual fees a year out.
        span = (today - self.base_day).days + 400
        self.dates = [(self.base_day + timedelta(days=d)).isoformat() for d in range(span)]
        self.today_day = (today - self.base_day).days
        self.now_ts = self.ts(now)
        self._times = [
            f" {s // HOUR:02d}:{s // MINUTE % 60:02d}:{s % 60:02d}.000000" for s in range(DAY)
        ]

    def ts(self, value: datetime) -> int:
        return int((value - self.base).total_seconds())

    def day_ts(self, day: int, hour: int = 0, minute: int = 0) -> int:
        return day * DAY + hour * HOUR + minute * MINUTE

    def text(self, ts: int) -> str:
        day, second = divmod(ts, DAY)
        return self.dates[day] + self._times[second]

    def date_text(self, ts: int) -> str:
        return self.dates[ts // DAY]

    def datetime(self, ts: int) -> datetime:
        return self.base + timedelta(seconds=ts)

    def date(self, day: int) -> date:
        return self.base_day + timedelta(days=day)

    @property
    def times(self) -> list[str]:
        """Time-of-day suffixes by second of the day, for loops that inline ``text``."""
        return self._times

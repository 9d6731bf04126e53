"""Where things are on the booking board: time ↔ y on a 15-minute grid, column ↔ x.

Pure arithmetic, no Qt, so it is tested without painting.  Coordinates are *content*
coordinates: (0, 0) is the top-left corner of the first slot of the first column,
below the sticky headers and right of the sticky time labels; the view adds those and
subtracts the scroll offsets.

A column is one resource on one day (the day view has one day, the week view seven,
each a group of the same resources).  Rows are 15-minute slots counted from the
opening time, so a window that runs past midnight (10:00–02:00) is one straight run
of rows, and in the week view row ``n`` is the same time of day in every group.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from clubdesk.models.enums import ResourceKind
from clubdesk.services import booking_slots
from clubdesk.services.board import Board, BoardBlock, BoardResource
from clubdesk.services.booking_rules import HOLDING

SLOT_MINUTES = 15
SLOT = timedelta(minutes=SLOT_MINUTES)

# Resources a block may be dragged between: a room's booking may move to a suite, a
# therapist's to another therapist, never a room's onto a person.
_FAMILY = {
    ResourceKind.ROOM: "place",
    ResourceKind.SUITE: "place",
    ResourceKind.AREA: "area",
    ResourceKind.THERAPIST: ResourceKind.THERAPIST.value,
    ResourceKind.COACH: ResourceKind.COACH.value,
    ResourceKind.TECHNICIAN: ResourceKind.TECHNICIAN.value,
}


def same_family(a: ResourceKind, b: ResourceKind) -> bool:
    return _FAMILY[a] == _FAMILY[b]


@dataclass(frozen=True, slots=True)
class Metrics:
    gutter: int = 60  # width of the time labels on the left
    day_header: int = 26  # the week view's row of days
    resource_header: int = 42
    slot_height: int = 20  # 15 minutes; an hour is 80 px
    min_column: int = 116
    edge_grip: int = 6  # the bottom edge of a block that resizes it


class Rect(NamedTuple):  # a tuple: thousands are made per board
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def contains(self, px: int, py: int) -> bool:
        return self.x <= px < self.x + self.w and self.y <= py < self.y + self.h


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    day: date
    resource: BoardResource
    x: int
    width: int
    first_of_day: bool


class Placed(NamedTuple):
    """A block where it is painted: one booking in one column."""

    block: BoardBlock
    column: int
    rect: Rect
    cut_top: bool  # began before the window (drawn from its top edge)
    cut_bottom: bool


@dataclass(frozen=True, slots=True)
class Slot:
    at: time
    hour: bool
    half: bool
    midnight: bool


class Layout:
    """The geometry of one board at one viewport width (rebuilt on set_board/resize)."""

    def __init__(self, board: Board, viewport_width: int = 0, metrics: Metrics | None = None):
        self.board = board
        self.metrics = m = metrics or Metrics()
        self.days: tuple[date, ...] = board.days
        self.week = len(board.days) > 1
        self.windows = {day: board.window(day) for day in board.days}
        longest = max((end - start for start, end in self.windows.values()), default=SLOT)
        self.slots = max(1, math.ceil(longest / SLOT))
        resources = board.resources
        count = len(self.days) * len(resources)
        room = max(0, viewport_width - m.gutter)
        self.column_width = max(m.min_column, room // count if count else m.min_column)
        self.columns: tuple[Column, ...] = tuple(
            Column(
                index=d * len(resources) + r,
                day=day,
                resource=resource,
                x=(d * len(resources) + r) * self.column_width,
                width=self.column_width,
                first_of_day=r == 0,
            )
            for d, day in enumerate(self.days)
            for r, resource in enumerate(resources)
        )
        self._index = {(c.day, c.resource.id): c.index for c in self.columns}
        self.content_width = count * self.column_width
        self.content_height = self.slots * m.slot_height
        self.header_height = m.resource_header + (m.day_header if self.week else 0)
        first = self.windows[self.days[0]][0] if self.days else datetime.min
        self.slot_marks: tuple[Slot, ...] = tuple(
            _mark((first + n * SLOT).time()) for n in range(self.slots)
        )
        self.by_column: list[list[Placed]] = [[] for _ in self.columns]
        self.by_booking: dict[int, list[Placed]] = {}
        self._held: dict[int, tuple[int, ...]] | None = None
        self._place(board.blocks)
        self.off_duty: list[tuple[tuple[int, int], ...]] = [self._off_duty(c) for c in self.columns]

    # -- time and rows --------------------------------------------------------------
    def window(self, day: date) -> tuple[datetime, datetime]:
        return self.windows[day]

    def y_of(self, day: date, at: datetime) -> int:
        """The y of a moment in ``day``'s group (not clamped to the window)."""
        start = self.windows[day][0]
        return round((at - start) / SLOT * self.metrics.slot_height)

    def slot_at(self, y: int) -> int:
        """The row under ``y``, clamped to the rows there are."""
        return min(self.slots - 1, max(0, y // self.metrics.slot_height))

    def slot_y(self, slot: int) -> int:
        return slot * self.metrics.slot_height

    def slot_time(self, day: date, slot: int) -> datetime:
        return self.windows[day][0] + slot * SLOT

    def slot_of(self, day: date, at: datetime) -> int:
        """The row holding ``at`` (clamped)."""
        start = self.windows[day][0]
        return min(self.slots - 1, max(0, math.floor((at - start) / SLOT)))

    def snap(self, day: date, at: datetime) -> datetime:
        """``at`` rounded to the nearest slot boundary of ``day``'s grid, in the window."""
        start, end = self.windows[day]
        steps = round((at - start) / SLOT)
        return min(end, max(start, start + steps * SLOT))

    def day_of(self, at: datetime) -> date | None:
        """The shown day whose window holds ``at``."""
        for day in self.days:
            start, end = self.windows[day]
            if start <= at < end:
                return day
        return None

    # -- columns --------------------------------------------------------------------
    def column_at(self, x: int) -> int | None:
        if x < 0 or x >= self.content_width or not self.columns:
            return None
        return min(len(self.columns) - 1, x // self.column_width)

    def column_of(self, day: date, resource_id: int) -> int | None:
        return self._index.get((day, resource_id))

    def visible_columns(self, x0: int, x1: int) -> range:
        """Indexes of the columns that meet [x0, x1]."""
        if not self.columns or x1 < 0 or x0 >= self.content_width:
            return range(0)
        first = max(0, x0 // self.column_width)
        last = min(len(self.columns) - 1, x1 // self.column_width)
        return range(first, last + 1)

    def cell(self, column: int, slot: int) -> Rect:
        c = self.columns[column]
        return Rect(c.x, self.slot_y(slot), c.width, self.metrics.slot_height)

    def span_rect(self, column: int, start_at: datetime, end_at: datetime) -> Rect:
        c = self.columns[column]
        top = self.y_of(c.day, start_at)
        return Rect(c.x, top, c.width, max(1, self.y_of(c.day, end_at) - top))

    # -- blocks ---------------------------------------------------------------------
    def block_at(self, x: int, y: int) -> Placed | None:
        column = self.column_at(x)
        if column is None:
            return None
        for placed in reversed(self.by_column[column]):
            if placed.rect.contains(x, y):
                return placed
        return None

    def block_in_cell(self, column: int, slot: int) -> Placed | None:
        """The block covering the cell (the first one if lanes share it)."""
        c = self.columns[column]
        at = self.slot_time(c.day, slot)
        end = at + SLOT
        for placed in self.by_column[column]:
            if placed.block.start_at < end and placed.block.end_at > at:
                return placed
        return None

    def overlaps(self, column: int, start_at: datetime, end_at: datetime, ignore: int) -> bool:
        """Whether another booking that holds its resources meets the span there."""
        return any(
            p.block.booking_id != ignore
            and p.block.state in HOLDING
            and p.block.start_at < end_at
            and p.block.end_at > start_at
            for p in self.by_column[column]
        )

    def held(self, booking_id: int) -> tuple[int, ...]:
        """Every resource the booking holds, by the board's blocks (all columns, also
        the filtered-out ones: the board keeps their blocks)."""
        if self._held is None:
            held: dict[int, list[int]] = {}
            for block in self.board.blocks:
                ids = held.setdefault(block.booking_id, [])
                if block.resource_id not in ids:
                    ids.append(block.resource_id)
            self._held = {k: tuple(v) for k, v in held.items()}
        return self._held.get(booking_id, ())

    def _place(self, blocks: Iterable[BoardBlock]) -> None:
        per_column: list[list[tuple[int, int, BoardBlock, bool, bool]]] = [[] for _ in self.columns]
        scale = self.metrics.slot_height / SLOT.total_seconds()
        windows = [(day, *self.windows[day]) for day in self.days]
        index = self._index
        for block in blocks:
            first, last = block.start_at, block.end_at
            found = next((w for w in windows if w[1] <= first < w[2]), None)
            if found is None:  # began before the first window (the evening before)
                if not windows or not (first < windows[0][1] and last > windows[0][1]):
                    continue
                found = windows[0]
            day, start, end = found
            column = index.get((day, block.resource_id))
            if column is None:
                continue
            top = round(((first if first > start else start) - start).total_seconds() * scale)
            bottom = round(((last if last < end else end) - start).total_seconds() * scale)
            per_column[column].append((top, max(bottom, top + 4), block, first < start, last > end))
        for column, items in enumerate(per_column):
            if not items:
                continue
            items.sort(key=lambda item: (item[0], item[2].booking_id))
            c = self.columns[column]
            placed_here = self.by_column[column]
            for (top, bottom, block, cut_top, cut_bottom), lane, lanes in _lanes(items):
                width = c.width // lanes
                x = c.x + lane * width
                if lane == lanes - 1:
                    width = c.x + c.width - x
                placed = Placed(
                    block, column, Rect(x, top, width, bottom - top), cut_top, cut_bottom
                )
                placed_here.append(placed)
                self.by_booking.setdefault(block.booking_id, []).append(placed)

    def _off_duty(self, column: Column) -> tuple[tuple[int, int], ...]:
        """The y ranges of a person's column outside working hours."""
        resource = column.resource
        if resource.works_from is None or resource.works_until is None:
            return ()
        start, end = self.windows[column.day]
        on: list[tuple[datetime, datetime]] = []
        for offset in (-1, 0, 1):
            first, last = booking_slots.span(
                column.day + timedelta(days=offset), resource.works_from, resource.works_until
            )
            first, last = max(first, start), min(last, end)
            if first < last:
                on.append((first, last))
        off: list[tuple[int, int]] = []
        cursor = start
        for first, last in sorted(on):
            if first > cursor:
                off.append((self.y_of(column.day, cursor), self.y_of(column.day, first)))
            cursor = max(cursor, last)
        if cursor < end:
            off.append((self.y_of(column.day, cursor), self.y_of(column.day, end)))
        return tuple(off)


def _mark(at: time) -> Slot:
    return Slot(at, hour=at.minute == 0, half=at.minute == 30, midnight=at == time(0, 0))


def _lanes(
    items: Sequence[tuple[int, int, BoardBlock, bool, bool]],
) -> Iterable[tuple[tuple[int, int, BoardBlock, bool, bool], int, int]]:
    """Side-by-side lanes for blocks that overlap in one column (items sorted by top)."""
    cluster: list[tuple[tuple[int, int, BoardBlock, bool, bool], int]] = []
    lane_ends: list[int] = []
    cluster_end = -1
    for item in items:
        top, bottom = item[0], item[1]
        if cluster and top >= cluster_end:
            yield from ((entry, lane, len(lane_ends)) for entry, lane in cluster)
            cluster, lane_ends, cluster_end = [], [], -1
        for lane, end in enumerate(lane_ends):
            if end <= top:
                lane_ends[lane] = bottom
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(bottom)
        cluster.append((item, lane))
        cluster_end = max(cluster_end, bottom)
    yield from ((entry, lane, len(lane_ends)) for entry, lane in cluster)

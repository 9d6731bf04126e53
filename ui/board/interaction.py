"""What a drag or a key does to a block: where it would land, whether the board refuses
it at once, and the reschedule call it becomes.  No Qt: the view feeds it positions.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from clubdesk.i18n import _
from clubdesk.models.enums import ResourceKind
from clubdesk.services.board import Board, BoardResource
from clubdesk.services.labels import label
from ui.board.geometry import SLOT, Layout, Placed, same_family


@dataclass(frozen=True, slots=True)
class Proposal:
    """Where a dragged block would land."""

    column: int
    start_at: datetime
    end_at: datetime
    refusal: str | None = None  # refused here, without asking the database
    conflict: bool = False  # another booking is there (painted red; the database decides)


@dataclass(frozen=True, slots=True)
class MoveRequest:
    """A move or resize for ``bookings.reschedule``."""

    booking_id: int
    version: int
    start_at: datetime
    end_at: datetime
    resource_ids: tuple[int, ...] | None  # None: the resources it holds now
    from_resource: int  # the column's resource the block was dragged from
    to_resource: int


def _family_label(kind: ResourceKind) -> str:
    if kind in (ResourceKind.ROOM, ResourceKind.SUITE):
        return _("房间/包间")
    return label(kind)


def refusal_for(source: BoardResource, target: BoardResource, held: tuple[int, ...]) -> str | None:
    """Why a block of ``source``'s column may not go to ``target``'s, if it may not."""
    if not same_family(source.kind, target.kind):
        return _("{source}的预约只能拖到{source}的列，不能拖到{kind}“{name}”。").format(
            source=_family_label(source.kind), kind=label(target.kind), name=target.name
        )
    if target.id != source.id and target.id in held:
        return _("这个预约已经占用了“{name}”。").format(name=target.name)
    return None


def move_proposal(layout: Layout, placed: Placed, column: int, slots: int) -> Proposal:
    """The block moved to ``column`` and ``slots`` rows down (negative: up), at the same
    time of day relative to the opening time, kept inside the opening hours."""
    column = min(max(column, 0), len(layout.columns) - 1)
    source = layout.columns[placed.column]
    target = layout.columns[column]
    block = placed.block
    offset = block.start_at - layout.window(source.day)[0]
    duration = block.end_at - block.start_at
    opens, closes = layout.window(target.day)
    start = opens + offset + slots * SLOT
    if start + duration > closes:
        start = closes - duration
    start = max(start, opens)
    end = start + duration
    refusal = refusal_for(source.resource, target.resource, layout.held(block.booking_id))
    conflict = layout.overlaps(column, start, end, ignore=block.booking_id)
    return Proposal(column, start, end, refusal, conflict)


def resize_proposal(layout: Layout, placed: Placed, bottom_y: int) -> Proposal:
    """The block's end dragged to ``bottom_y`` (snapped to the grid, at least one slot)."""
    column = layout.columns[placed.column]
    block = placed.block
    opens, closes = layout.window(column.day)
    end = layout.snap(column.day, opens + bottom_y / layout.metrics.slot_height * SLOT)
    end = min(max(end, block.start_at + SLOT), max(closes, block.start_at + SLOT))
    conflict = layout.overlaps(placed.column, block.start_at, end, ignore=block.booking_id)
    return Proposal(placed.column, block.start_at, end, None, conflict)


def resize_by(layout: Layout, placed: Placed, slots: int) -> Proposal:
    column = layout.columns[placed.column]
    block = placed.block
    closes = layout.window(column.day)[1]
    end = min(max(block.end_at + slots * SLOT, block.start_at + SLOT), max(closes, block.end_at))
    conflict = layout.overlaps(placed.column, block.start_at, end, ignore=block.booking_id)
    return Proposal(placed.column, block.start_at, end, None, conflict)


def request_for(layout: Layout, placed: Placed, proposal: Proposal) -> MoveRequest | None:
    """The reschedule call for a proposal; None when it changes nothing."""
    block = placed.block
    source = layout.columns[placed.column].resource.id
    target = layout.columns[proposal.column].resource.id
    ids: tuple[int, ...] | None = None
    if target != source:
        ids = tuple(target if r == source else r for r in layout.held(block.booking_id))
    elif proposal.start_at == block.start_at and proposal.end_at == block.end_at:
        return None
    return MoveRequest(
        booking_id=block.booking_id,
        version=block.version,
        start_at=proposal.start_at,
        end_at=proposal.end_at,
        resource_ids=ids,
        from_resource=source,
        to_resource=target,
    )


def moved_board(board: Board, request: MoveRequest) -> Board:
    """The board as it will look once the move succeeds (drawn while the call runs)."""
    blocks = tuple(
        dataclasses.replace(
            b,
            start_at=request.start_at,
            end_at=request.end_at,
            resource_id=(
                request.to_resource if b.resource_id == request.from_resource else b.resource_id
            ),
        )
        if b.booking_id == request.booking_id
        else b
        for b in board.blocks
    )
    return dataclasses.replace(board, blocks=blocks)


def create_span(
    layout: Layout, column: int, first_slot: int, last_slot: int
) -> tuple[datetime, datetime]:
    """The times of the cells from ``first_slot`` to ``last_slot`` (either order)."""
    day = layout.columns[column].day
    low, high = sorted((first_slot, last_slot))
    end = min(layout.slot_time(day, high + 1), layout.window(day)[1])
    return layout.slot_time(day, low), end

"""The board's arithmetic without painting: time ↔ y, column ↔ x, snapping, lanes,
off-duty hours, and what a drag proposes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from clubdesk.models.enums import BookingState, ResourceKind
from clubdesk.services.board import Board, BoardBlock, BoardResource
from ui.board import interaction
from ui.board.geometry import SLOT, Layout, Metrics, same_family

DAY = date(2030, 3, 4)  # a Monday
M = Metrics(gutter=50, day_header=20, resource_header=40, slot_height=10, min_column=100)


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return datetime.combine(DAY + timedelta(days=days), time(hour, minute))


def resource(
    rid: int,
    kind: ResourceKind = ResourceKind.ROOM,
    works: tuple[time, time] | None = None,
    services: frozenset[int] = frozenset({1}),
) -> BoardResource:
    start, end = works or (None, None)
    return BoardResource(rid, f"R{rid}", kind, 1, start, end, services)


def block(
    bid: int, rid: int, start: datetime, end: datetime, state: BookingState = BookingState.BOOKED
) -> BoardBlock:
    return BoardBlock(
        booking_id=bid, resource_id=rid, start_at=start, end_at=end, state=state,
        guest="客", member_id=None, service_id=1, service="按摩", walk_in=False, version=3,
        has_notes=False, capacity=None, seats_taken=0,
    )  # fmt: skip


def board(
    resources: tuple[BoardResource, ...],
    blocks: tuple[BoardBlock, ...] = (),
    days: int = 1,
    opens: time = time(10),
    closes: time = time(2),
) -> Board:
    shown = tuple(DAY + timedelta(days=n) for n in range(days))
    return Board(shown, opens, closes, resources, blocks)


def test_a_window_past_midnight_is_one_run_of_quarter_hours() -> None:
    layout = Layout(board((resource(1),)), 0, M)
    assert layout.window(DAY) == (at(10), at(2, days=1))
    assert layout.slots == 16 * 4
    assert layout.content_height == 64 * M.slot_height
    assert layout.y_of(DAY, at(10)) == 0
    assert layout.y_of(DAY, at(11, 15)) == 5 * M.slot_height
    assert layout.y_of(DAY, at(1, 30, days=1)) == (15 * 4 + 2) * M.slot_height
    assert layout.slot_time(DAY, 62) == at(1, 30, days=1)
    assert layout.slot_of(DAY, at(0, 7, days=1)) == 56
    midnight = [n for n, mark in enumerate(layout.slot_marks) if mark.midnight]
    assert midnight == [56]
    assert sum(mark.hour for mark in layout.slot_marks) == 16


def test_snapping_rounds_to_the_nearest_slot_inside_the_window() -> None:
    layout = Layout(board((resource(1),)), 0, M)
    assert layout.snap(DAY, at(11, 7)) == at(11, 0)
    assert layout.snap(DAY, at(11, 8)) == at(11, 15)
    assert layout.snap(DAY, at(9, 0)) == at(10, 0)
    assert layout.snap(DAY, at(3, 0, days=1)) == at(2, 0, days=1)
    assert layout.slot_at(-5) == 0
    assert layout.slot_at(10_000) == layout.slots - 1


def test_columns_fill_the_viewport_but_never_get_narrower_than_the_minimum() -> None:
    wide = Layout(board((resource(1), resource(2))), 50 + 800, M)
    assert wide.column_width == 400
    assert [c.x for c in wide.columns] == [0, 400]
    assert wide.column_at(399) == 0 and wide.column_at(400) == 1
    assert wide.column_at(-1) is None and wide.column_at(800) is None
    narrow = Layout(board(tuple(resource(n) for n in range(1, 21))), 50 + 800, M)
    assert narrow.column_width == M.min_column
    assert narrow.content_width == 20 * M.min_column
    assert list(narrow.visible_columns(150, 420)) == [1, 2, 3, 4]


def test_the_week_view_repeats_the_resources_for_each_day() -> None:
    layout = Layout(board((resource(1), resource(2, ResourceKind.THERAPIST)), days=7), 0, M)
    assert layout.week and len(layout.columns) == 14
    assert layout.header_height == M.day_header + M.resource_header
    tuesday = DAY + timedelta(days=1)
    assert [c.day for c in layout.columns[:4]] == [DAY, DAY, tuesday, tuesday]
    assert [c.first_of_day for c in layout.columns[:4]] == [True, False, True, False]
    assert layout.column_of(DAY + timedelta(days=3), 2) == 7


def test_blocks_go_to_their_day_and_resource_and_are_clipped_to_the_window() -> None:
    blocks = (
        block(1, 1, at(11), at(12)),
        block(2, 2, at(0, 30, days=1), at(1, 30, days=1)),  # after midnight: still day 0
        block(3, 1, at(11, days=2), at(12, days=2)),
        block(4, 1, at(1, 30, days=2), at(3, days=2)),  # runs past closing: clipped
        block(5, 9, at(11), at(12)),  # a resource that is not a column
    )
    layout = Layout(board((resource(1), resource(2)), blocks, days=3), 0, M)
    placed = {p.block.booking_id: p for ps in layout.by_column for p in ps}
    assert set(placed) == {1, 2, 3, 4}
    assert placed[1].column == 0 and placed[1].rect.y == 4 * M.slot_height
    assert placed[2].column == 1 and placed[2].rect.y == 58 * M.slot_height
    assert placed[3].column == 4
    assert placed[4].column == 2  # day 1's window runs to 02:00 on day 2
    assert placed[4].cut_bottom and placed[4].rect.bottom == layout.content_height
    assert layout.block_at(5, 4 * M.slot_height + 1) is placed[1]
    assert layout.block_at(5, 3 * M.slot_height) is None
    assert layout.block_in_cell(0, 7) is placed[1] and layout.block_in_cell(0, 8) is None
    assert layout.held(1) == (1,)


def test_overlapping_blocks_share_the_column_side_by_side() -> None:
    blocks = (
        block(1, 1, at(11), at(13), BookingState.FINISHED),
        block(2, 1, at(12), at(13)),
        block(3, 1, at(14), at(15)),
    )
    layout = Layout(board((resource(1),), blocks), 50 + 200, M)
    rects = {p.block.booking_id: p.rect for p in layout.by_column[0]}
    assert rects[1].w == rects[2].w == 100 and {rects[1].x, rects[2].x} == {0, 100}
    assert rects[3].x == 0 and rects[3].w == 200


def test_off_duty_hours_of_staff_are_the_window_outside_their_shift() -> None:
    late = resource(2, ResourceKind.THERAPIST, works=(time(16), time(0)))
    night = resource(3, ResourceKind.THERAPIST, works=(time(22), time(4)))
    layout = Layout(board((resource(1), late, night)), 0, M)
    sh = M.slot_height
    assert layout.off_duty[0] == ()
    assert layout.off_duty[1] == ((0, 24 * sh), (56 * sh, 64 * sh))
    assert layout.off_duty[2] == ((0, 48 * sh),)


def test_moving_keeps_the_duration_steps_by_slots_and_stays_in_the_window() -> None:
    therapist = resource(3, ResourceKind.THERAPIST)
    blocks = (block(1, 1, at(11, 5), at(12, 5)), block(1, 3, at(11, 5), at(12, 5)))
    layout = Layout(board((resource(1), resource(2), therapist), blocks), 0, M)
    placed = layout.by_column[0][0]
    down = interaction.move_proposal(layout, placed, 0, 3)
    assert (down.start_at, down.end_at) == (at(11, 50), at(12, 50))
    late = interaction.move_proposal(layout, placed, 1, 1000)
    assert (late.start_at, late.end_at, late.column) == (at(1, days=1), at(2, days=1), 1)
    early = interaction.move_proposal(layout, placed, 1, -1000)
    assert early.start_at == at(10)
    request = interaction.request_for(layout, placed, late)
    assert request is not None
    assert request.resource_ids == (2, 3)  # the room replaced, the therapist kept
    assert request.version == 3
    same = interaction.move_proposal(layout, placed, 0, 0)
    assert interaction.request_for(layout, placed, same) is None
    moved = interaction.moved_board(layout.board, request)
    assert {(b.resource_id, b.start_at) for b in moved.blocks} == {
        (2, at(1, days=1)),
        (3, at(1, days=1)),
    }


def test_a_room_block_cannot_land_on_a_person_and_conflicts_are_flagged() -> None:
    therapist = resource(3, ResourceKind.THERAPIST)
    blocks = (block(1, 1, at(11), at(12)), block(2, 2, at(13), at(14)))
    layout = Layout(board((resource(1), resource(2, ResourceKind.SUITE), therapist), blocks), 0, M)
    placed = layout.by_column[0][0]
    onto_person = interaction.move_proposal(layout, placed, 2, 0)
    assert onto_person.refusal is not None and "技师" in onto_person.refusal
    onto_suite = interaction.move_proposal(layout, placed, 1, 8)
    assert onto_suite.refusal is None and onto_suite.conflict
    free = interaction.move_proposal(layout, placed, 1, 16)
    assert not free.conflict
    assert same_family(ResourceKind.ROOM, ResourceKind.SUITE)
    assert not same_family(ResourceKind.THERAPIST, ResourceKind.COACH)


def test_resizing_snaps_the_end_and_keeps_at_least_one_slot() -> None:
    layout = Layout(board((resource(1),), (block(1, 1, at(11), at(12)),)), 0, M)
    placed = layout.by_column[0][0]
    sh = M.slot_height
    assert interaction.resize_proposal(layout, placed, 8 * sh + 3).end_at == at(12)
    assert interaction.resize_proposal(layout, placed, 10 * sh - 4).end_at == at(12, 30)
    assert interaction.resize_proposal(layout, placed, 0).end_at == at(11) + SLOT
    assert interaction.resize_by(layout, placed, 1).end_at == at(12, 15)
    assert interaction.resize_by(layout, placed, -10).end_at == at(11, 15)


def test_a_selection_becomes_the_span_of_its_cells() -> None:
    layout = Layout(board((resource(1),)), 0, M)
    assert interaction.create_span(layout, 0, 6, 4) == (at(11), at(11, 45))
    assert interaction.create_span(layout, 0, 63, 63) == (at(1, 45, days=1), at(2, days=1))

"""The booking board at scale (issue 4): the day view of 60 resources and 1,500
bookings, loaded and painted; and creating or moving a booking with its conflict check.

They run on a board database of their own, built once and kept in the bench folder
beside the member databases: 60 rooms, suites, areas and staff, 1,500 bookings on
BOARD_DAY and as many on each of the three days either side (so the day view picks its
rows out of a week), plus cancelled bookings the board must leave out.

The floors are the very statements the service ran (caught as SQLAlchemy sent them to
the driver) replayed on a plain ``sqlite3`` connection, so the gap is ClubDesk's own
overhead.  The paint needs Qt, which the core never imports: a child process loads the
board and paints it in the real ``ui.board.view.BoardView``, offscreen.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import Connection

from clubdesk.bench.harness import CaseResult, Sample, time_ms
from clubdesk.db.engine import Database
from clubdesk.db.guard import connect_read_only
from clubdesk.db.open import open_database
from clubdesk.i18n import _
from clubdesk.models import (
    Booking,
    BookingResource,
    Member,
    Resource,
    Service,
    Staff,
    Tier,
    resource_services,
)
from clubdesk.models.enums import BookingState, ResourceKind, Role, ServiceCategory
from clubdesk.paths import data_dir
from clubdesk.services import board, booking_slots, bookings
from clubdesk.services.staff import StaffMember

if TYPE_CHECKING:
    from clubdesk.bench.cases import BenchContext, Case

BOARD_DAY = date(2031, 3, 14)
RESOURCES = 60
BOOKINGS = 1_500  # on BOARD_DAY, and as many on each day around it
DAYS_AROUND = 3
BUILD = 2  # bump when the generated data changes: the cached file is rebuilt
OPENS, CLOSES = time(10, 0), time(2, 0)  # the club's default hours, past midnight
WRITES_AT = datetime.combine(BOARD_DAY - timedelta(days=1), time(12, 0))  # "now" for writes
PAINTED_AT = datetime.combine(BOARD_DAY, time(20, 0))  # the probe's clock: a busy evening
VIEW_SIZE = (1600, 900)

# (name, category, minutes, price in fen)
SERVICES = (
    ("推拿30分钟", ServiceCategory.MASSAGE, 30, 9_800),
    ("中式按摩60分钟", ServiceCategory.MASSAGE, 60, 19_800),
    ("足浴45分钟", ServiceCategory.FOOT, 45, 12_800),
    ("精油SPA60分钟", ServiceCategory.MASSAGE, 60, 29_800),
    ("采耳15分钟", ServiceCategory.LEISURE, 15, 5_800),
    ("私教课60分钟", ServiceCategory.COACHING, 60, 30_000),
    ("汗蒸30分钟", ServiceCategory.BATH, 30, 6_800),
)
# Columns by kind (60 in all) and the services (indexes into SERVICES) each kind does.
KINDS: tuple[tuple[ResourceKind, int, str, tuple[int, ...]], ...] = (
    (ResourceKind.ROOM, 14, "按摩房 {n}", (0, 1, 2, 3, 4)),
    (ResourceKind.SUITE, 10, "豪华包间 {n}", (0, 1, 2, 3, 4)),
    (ResourceKind.AREA, 4, "汗蒸区 {n}", (6, 5)),
    (ResourceKind.THERAPIST, 24, "技师 {n} 号", (0, 1, 2, 3)),
    (ResourceKind.COACH, 4, "教练 {n}", (5,)),
    (ResourceKind.TECHNICIAN, 4, "采耳师 {n}", (4,)),
)
PLACE_KINDS = (ResourceKind.ROOM, ResourceKind.SUITE, ResourceKind.AREA)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"


def board_db_path() -> Path:
    return data_dir() / "bench" / f"board-{RESOURCES}x{BOOKINGS}-v{BUILD}.sqlite3"


# -- the board database -------------------------------------------------------------------


def board_database(say: Callable[[str], None] | None = None) -> tuple[Database, Path]:
    """The cached board database, built on first use (a few seconds)."""
    path = board_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        db = open_database(path, create=False)
        if _complete(db):
            return db, path
        db.dispose()
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    if say is not None:
        say(_("正在生成预约看板的基准数据库 {path} …").format(path=path))
    db = open_database(path)
    _fill(db)
    return db, path


def _complete(db: Database) -> bool:
    first, last = booking_slots.span(BOARD_DAY, OPENS, CLOSES)
    with db.read() as s:
        resources = s.scalar(select(func.count()).select_from(Resource))
        shown = s.scalar(
            select(func.count())
            .select_from(Booking)
            .where(
                Booking.start_at >= first,
                Booking.start_at < last,
                Booking.state.in_(board.SHOWN_STATES),
            )
        )
    return resources == RESOURCES and shown == BOOKINGS


def _day_schedule(
    rng: random.Random, day: date, lanes: list[tuple[int, int | None]]
) -> list[tuple[datetime, int, tuple[int, ...]]]:
    """Back-to-back bookings down each lane (a place, with a person beside it or not),
    thinned at random to exactly BOOKINGS: (start, minutes, column indexes)."""
    first, last = booking_slots.span(day, OPENS, CLOSES)
    out: list[tuple[datetime, int, tuple[int, ...]]] = []
    for place, person in lanes:
        at = first
        while True:
            minutes = rng.choice((15, 30, 30, 45))
            if at + timedelta(minutes=minutes) > last:
                break
            if person is None:
                out.append((at, minutes, (place,)))
            elif rng.random() < 0.25:  # a guest in a room with a therapist
                out.append((at, minutes, (place, person)))
            else:  # the room and the therapist each busy with someone else
                out.append((at, minutes, (place,)))
                out.append((at, minutes, (person,)))
            at += timedelta(minutes=minutes)
    assert len(out) >= BOOKINGS, len(out)
    return sorted(rng.sample(out, BOOKINGS))


def _fill(db: Database) -> None:
    rng = random.Random(4)
    with db.write() as s:
        s.execute(insert(Staff), [{"id": 1, "username": "bench", "display_name": "基准前台",
                                   "role": Role.FRONT_DESK}])  # fmt: skip
        s.execute(insert(Service), [
            {"id": k + 1, "name": name, "category": category, "duration_min": minutes,
             "list_price_fen": price}
            for k, (name, category, minutes, price) in enumerate(SERVICES)
        ])  # fmt: skip
        columns: list[dict[str, Any]] = []
        skills: list[dict[str, int]] = []
        for kind, count, name, services in KINDS:
            for n in range(1, count + 1):
                rid = len(columns) + 1
                person = kind not in PLACE_KINDS
                columns.append({
                    "id": rid, "name": name.format(n=n if person else 100 + n),
                    "kind": kind, "capacity": 8 if kind is ResourceKind.AREA else 1,
                    "works_from": OPENS if person else None,
                    "works_until": CLOSES if person else None, "sort_order": rid,
                })  # fmt: skip
                skills.extend({"resource_id": rid, "service_id": k + 1} for k in services)
        assert len(columns) == RESOURCES
        s.execute(insert(Resource), columns)
        s.execute(insert(resource_services), skills)
        tier = s.scalar(select(Tier.id).order_by(Tier.id).limit(1))
        members = [
            {"id": k, "name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
             "phone": f"139{k:08d}", "phone_last4": f"{k % 10_000:04d}",
             "joined_on": date(2029, 1, 1), "tier_id": tier}
            for k in range(1, 3_001)
        ]  # fmt: skip
        s.execute(insert(Member), members)

        kinds = [c["kind"] for c in columns]
        places = [k for k, kind in enumerate(kinds) if kind in PLACE_KINDS]
        people = [k for k, kind in enumerate(kinds) if kind not in PLACE_KINDS]
        lanes: list[tuple[int, int | None]] = list(zip(places, people, strict=False))
        lanes += [(k, None) for k in people[len(places) :]]
        does = {c["id"]: [x["service_id"] for x in skills if x["resource_id"] == c["id"]]
                for c in columns}  # fmt: skip
        rows: list[dict[str, Any]] = []
        held: list[dict[str, Any]] = []
        for offset in range(-DAYS_AROUND, DAYS_AROUND + 1):
            day = BOARD_DAY + timedelta(days=offset)
            plan = _day_schedule(rng, day, lanes)
            # A tenth more that were cancelled: in the table, never on the board.
            plan += [(a, m, c) for a, m, c in rng.sample(plan, BOOKINGS // 10)]
            for n, (start, minutes, cols) in enumerate(plan):
                ids = [columns[c]["id"] for c in cols]
                common = set(does[ids[0]]).intersection(*(does[i] for i in ids[1:]))
                fits = [k for k in sorted(common) if SERVICES[k - 1][2] == minutes]
                end = start + timedelta(minutes=minutes)
                state = _state(rng, end) if n < BOOKINGS else BookingState.CANCELLED
                bid = len(rows) + 1
                member = rng.random() < 0.7
                rows.append({
                    "id": bid, "member_id": rng.randint(1, 3_000) if member else None,
                    "guest_name": None if member else f"散客{rng.choice(SURNAMES)}先生",
                    "service_id": rng.choice(fits or sorted(common)), "start_at": start,
                    "end_at": end, "state": state, "walk_in": not member,
                    "notes": "肩颈重点" if rng.random() < 0.1 else None,
                    "received_by_id": 1, "created_at": WRITES_AT - timedelta(days=3),
                    "cancel_reason": "客人改期" if state is BookingState.CANCELLED else None,
                })  # fmt: skip
                active = state in (BookingState.BOOKED, BookingState.ARRIVED,
                                   BookingState.IN_SERVICE)  # fmt: skip
                held.extend(
                    {"booking_id": bid, "resource_id": r, "start_at": start, "end_at": end,
                     "active": active}
                    for r in ids
                )  # fmt: skip
        s.execute(insert(Booking), rows)
        s.execute(insert(BookingResource), held)


def _state(rng: random.Random, end: datetime) -> BookingState:
    """As the board looks at PAINTED_AT: done and settled before, in service around it."""
    if end <= PAINTED_AT - timedelta(minutes=30):
        return BookingState.SETTLED if rng.random() < 0.8 else BookingState.FINISHED
    if end <= PAINTED_AT + timedelta(minutes=30):
        return rng.choice((BookingState.IN_SERVICE, BookingState.ARRIVED))
    return BookingState.BOOKED


# -- catching and replaying the service's statements --------------------------------------

Statement = tuple[str, Any]


@contextmanager
def caught(db: Database) -> Iterator[list[Statement]]:
    """Every statement (with its driver parameters) the database is sent meanwhile."""
    seen: list[Statement] = []

    def on_execute(
        _conn: Connection, _cursor: Any, statement: str, parameters: Any, _context: Any,
        _many: bool,
    ) -> None:  # fmt: skip
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


def replay(conn: sqlite3.Connection, statements: list[Statement], end: str) -> None:
    """The statements in order, every row fetched, then COMMIT or ROLLBACK."""
    for statement, parameters in statements:
        conn.execute(statement, parameters).fetchall()
    conn.execute(end)


# -- board.day_view -----------------------------------------------------------------------

# Loads the board and paints it in the real BoardView, offscreen; prints one JSON line.
PAINT_PROBE = r"""
import json, sys, time
from datetime import date, datetime
from clubdesk.db.open import open_database
from clubdesk.services import board
from ui.app import create_application
from ui.board.view import BoardView

path, day, clock, n = sys.argv[1], date.fromisoformat(sys.argv[2]), sys.argv[3], int(sys.argv[4])
width, height = int(sys.argv[5]), int(sys.argv[6])
app = create_application()
db = open_database(path, create=False)
view = BoardView(clock=lambda: datetime.fromisoformat(clock))
view.resize(width, height)
view.show()
app.processEvents()
# As the app does once its window is up (ui/launcher.py): long-lived objects leave
# the collector's generations, so its full passes do not land inside a reload.
import gc
gc.collect()
gc.freeze()
total, load, paint = [], [], []
for k in range(n + 3):
    start = time.perf_counter()
    shown = board.load(db, day)
    loaded = time.perf_counter()
    view.set_board(shown, names={r.id: r.name for r in shown.resources})
    if k == 0:
        view.scroll_to_time(datetime.fromisoformat(clock))
    view.viewport().repaint()
    done = time.perf_counter()
    if k >= 3:
        total.append((done - start) * 1000)
        load.append((loaded - start) * 1000)
        paint.append((done - loaded) * 1000)
layout = view.board_layout
print(json.dumps({
    "total_ms": total, "load_ms": load, "paint_ms": paint,
    "columns": len(shown.resources), "blocks": len(shown.blocks),
    "viewport": [view.viewport().width(), view.viewport().height()],
}))
db.dispose()
"""


def _paint_probe(path: Path, n: int) -> dict[str, Any] | None:
    """Load + paint timings from the child process; None in a frozen build, which has
    no interpreter to run the probe with."""
    if getattr(sys, "frozen", False):
        return None
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    done = subprocess.run(
        [sys.executable, "-c", PAINT_PROBE, str(path), BOARD_DAY.isoformat(),
         PAINTED_AT.isoformat(), str(n), *map(str, VIEW_SIZE)],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"board paint probe failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def day_view(ctx: BenchContext) -> CaseResult:
    n = ctx.repeat or 50
    db, path = board_database(_say)
    try:
        with caught(db) as statements:
            shown = board.load(db, BOARD_DAY)
        reads = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
        load_only = time_ms(lambda: board.load(db, BOARD_DAY), n)
    finally:
        db.dispose()
    raw = connect_read_only(path)
    raw.isolation_level = None
    try:
        floor = time_ms(lambda: replay(raw, [("BEGIN", ()), *reads], "ROLLBACK"), n)
    finally:
        raw.close()
    probe = _paint_probe(path, n)
    load_sample = Sample("load", load_only)
    if probe is None:
        measured = Sample("ClubDesk board.load (no paint: the packaged build has no probe)",
                          load_only)  # fmt: skip
        painted = "paint not measured"
    else:
        measured = Sample(
            "ClubDesk board.load + BoardView.set_board + paint (child process, offscreen)",
            tuple(probe["total_ms"]),
        )
        paint = Sample("paint", tuple(probe["paint_ms"]))
        child_load = Sample("load", tuple(probe["load_ms"]))
        painted = (
            f"in the probe load median {child_load.median:.1f} ms, set_board + paint median "
            f"{paint.median:.1f} ms (p95 {paint.p95:.1f}) in a {probe['viewport'][0]}×"
            f"{probe['viewport'][1]} viewport"
        )
    return CaseResult(
        case="board.day_view",
        unit="ms",
        measured=measured,
        floor=Sample(f"raw sqlite3, the same {len(reads)} SELECTs", floor),
        target={"median": 100.0},
        note=f"{len(shown.resources)} columns, {len(shown.blocks)} blocks of {BOOKINGS:,} "
        f"bookings on {BOARD_DAY}; board.load alone in process median "
        f"{load_sample.median:.1f} ms, p95 {load_sample.p95:.1f}; {painted}",
    )


# -- booking.create / booking.move --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    resource_id: int
    kind: ResourceKind
    start: datetime
    service_id: int


def free_cells(db: Database) -> list[Cell]:
    """The empty 15-minute cells of BOARD_DAY (nothing shown there, any state)."""
    first, last = booking_slots.span(BOARD_DAY, OPENS, CLOSES)
    with db.read() as s:
        taken: dict[int, list[tuple[datetime, datetime]]] = {}
        for rid, start, end in s.execute(
            select(BookingResource.resource_id, BookingResource.start_at, BookingResource.end_at)
            .join(Booking, Booking.id == BookingResource.booking_id)
            .where(
                Booking.start_at < last,
                Booking.end_at > first,
                Booking.state.in_(board.SHOWN_STATES),
            )
        ):
            taken.setdefault(rid, []).append((start, end))
        kinds = dict(s.execute(select(Resource.id, Resource.kind)).all())
        does: dict[int, int] = {}
        for rid, sid in s.execute(
            select(
                resource_services.c.resource_id, func.min(resource_services.c.service_id)
            ).group_by(resource_services.c.resource_id)
        ):
            does[rid] = sid
    cells = []
    for rid, kind in sorted(kinds.items()):
        at = first
        while at < last:
            end = at + timedelta(minutes=15)
            if not any(a < end and at < b for a, b in taken.get(rid, ())):
                cells.append(Cell(rid, kind, at, does[rid]))
            at = end
    return cells


def _pairs(cells: list[Cell]) -> list[tuple[Cell, Cell]]:
    """Free cells two by two within a kind (a kind's columns all do the same services):
    where a booking is created, and where it is then moved to."""
    rng = random.Random(7)
    by_kind: dict[ResourceKind, list[Cell]] = {}
    for cell in cells:
        by_kind.setdefault(cell.kind, []).append(cell)
    pairs: list[tuple[Cell, Cell]] = []
    for same in by_kind.values():
        rng.shuffle(same)
        pairs.extend(zip(same[0::2], same[1::2], strict=False))
    rng.shuffle(pairs)
    return pairs


@contextmanager
def _scratch_copy(path: Path) -> Iterator[Path]:
    """A copy of the board database to write to; the cached one stays as built."""
    folder = Path(tempfile.mkdtemp(prefix="board-writes-", dir=path.parent))
    copy = folder / path.name
    src, dst = connect_read_only(path), sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    try:
        yield copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class WriteReport:
    created: tuple[float, ...]
    moved: tuple[float, ...]
    create_floor: tuple[float, ...]
    move_floor: tuple[float, ...]
    create_statements: int
    move_statements: int


_write_reports: dict[int, WriteReport] = {}


def _write_report(ctx: BenchContext) -> WriteReport:
    """One run serves both cases: the bookings it creates are the ones it then moves."""
    requested = ctx.repeat or 200
    if requested not in _write_reports:
        db, path = board_database(_say)
        db.dispose()
        with _scratch_copy(path) as copy:
            db = open_database(copy, create=False)
            try:
                _write_reports[requested] = _measure_writes(db, copy, requested)
            finally:
                db.dispose()
    return _write_reports[requested]


def _measure_writes(db: Database, copy: Path, requested: int) -> WriteReport:
    actor = StaffMember(1, "bench", "基准前台", Role.FRONT_DESK)
    cells = _pairs(free_cells(db))
    n = min(requested, len(cells) - 3)
    pairs = iter(cells)
    length = timedelta(minutes=15)
    made: list[tuple[int, Cell]] = []

    def create_next() -> None:
        origin, target = next(pairs)
        draft = bookings.BookingDraft(
            origin.service_id, origin.start, origin.start + length, (origin.resource_id,),
            guest_name="基准散客",
        )  # fmt: skip
        made.append((bookings.create(db, actor, draft, at=WRITES_AT).booking_id, target))

    with caught(db) as create_sql:
        create_next()
    created = time_ms(create_next, n, warmup=2)
    moves = iter(made)

    def move_next() -> None:
        booking_id, target = next(moves)
        bookings.reschedule(
            db, actor, booking_id, start_at=target.start, end_at=target.start + length,
            resource_ids=(target.resource_id,), expected_version=1, at=WRITES_AT,
        )  # fmt: skip

    with caught(db) as move_sql:
        move_next()
    moved = time_ms(move_next, n, warmup=2)
    with db.read() as s:
        overlapping = s.execute(text(OVERLAPS)).all()
    assert not overlapping, f"overlapping allocations after the bench: {overlapping[:3]}"

    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    try:
        create_floor = time_ms(lambda: replay(conn, create_sql, "COMMIT"), n)
        move_floor = time_ms(lambda: replay(conn, move_sql, "COMMIT"), n)
    finally:
        conn.close()
    return WriteReport(
        created, moved, create_floor, move_floor, len(create_sql) - 1, len(move_sql) - 1
    )


OVERLAPS = (
    "SELECT a.resource_id, a.booking_id, b.booking_id FROM booking_resources a"
    " JOIN booking_resources b ON a.resource_id = b.resource_id AND a.id < b.id"
    " WHERE a.active AND b.active AND a.start_at < b.end_at AND b.start_at < a.end_at"
)
WRITE_NOTE = (
    "15-minute bookings into the free cells of {day} ({n:,} bookings on {r} columns), on a "
    "scratch copy of the board database; synchronous=FULL"
)


def create_case(ctx: BenchContext) -> CaseResult:
    report = _write_report(ctx)
    return CaseResult(
        case="booking.create",
        unit="ms",
        measured=Sample(
            "ClubDesk bookings.create: checks, conflict check, booking + allocation + audit, "
            "commit",
            report.created,
        ),
        floor=Sample(
            f"raw sqlite3: the same {report.create_statements} statements in BEGIN IMMEDIATE"
            " … COMMIT",
            report.create_floor,
        ),
        target={"p95": 10.0},
        note=WRITE_NOTE.format(day=BOARD_DAY, n=BOOKINGS, r=RESOURCES),
    )


def move_case(ctx: BenchContext) -> CaseResult:
    report = _write_report(ctx)
    return CaseResult(
        case="booking.move",
        unit="ms",
        measured=Sample(
            "ClubDesk bookings.reschedule to another column and time, conflict check, commit",
            report.moved,
        ),
        floor=Sample(
            f"raw sqlite3: the same {report.move_statements} statements in BEGIN IMMEDIATE"
            " … COMMIT",
            report.move_floor,
        ),
        target={"p95": 10.0},
        note=WRITE_NOTE.format(day=BOARD_DAY, n=BOOKINGS, r=RESOURCES),
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


CASES: dict[str, Case] = {
    "board.day_view": day_view,
    "booking.create": create_case,
    "booking.move": move_case,
}

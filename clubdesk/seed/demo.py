"""Fill an empty ClubDesk database with a realistic demo club.

``seed_demo(db, 1_000_000)`` writes a million members with cards and a consistent
ledger, a week of bookings around today (with their checkouts, the walk-in receptions
and a waitlist), complaints at every step, return visits and VIP visits.  The same
seed gives the same data; every time is relative to ``today``, so the demo always
looks current.

SQLite goes through the raw driver connection in large transactions (see
``clubdesk.seed.sink``); PostgreSQL through SQLAlchemy Core, which is slower but only
ever gets small demos.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from queue import Queue
from time import perf_counter

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.models.enums import Department, ResourceKind, Role
from clubdesk.seed import catalog
from clubdesk.seed.activity import (
    ALLOCATION_COLUMNS,
    BOOKING_COLUMNS,
    CHECKLIST_COLUMNS,
    CHECKOUT_COLUMNS,
    COMPLAINT_COLUMNS,
    DEMO_DAYS,
    RECEPTION_COLUMNS,
    RETURN_VISIT_COLUMNS,
    STEP_COLUMNS,
    VIP_COLUMNS,
    WAITLIST_COLUMNS,
    Activity,
    Amenity,
    Refs,
    ResourceRef,
    VipLevelRef,
)
from clubdesk.seed.clock import DAY, HOUR, Clock, time_text
from clubdesk.seed.people import (
    CARD_COLUMNS,
    LEDGER_COLUMNS,
    MEMBER_COLUMNS,
    SEARCH_COLUMNS,
    People,
    Tier,
)
from clubdesk.seed.sink import CoreSink, Row, SqliteSink

Progress = Callable[[str, int, int], None]

# Members per transaction: large for speed, smaller for small demos so that a progress
# bar moves; a function of the count only, so the same seed still gives the same data.
MAX_MEMBER_CHUNK = 50_000
MIN_MEMBER_CHUNK = 1_000
LEDGER_CHUNK = 250_000
WRITER_SWITCH_INTERVAL = 0.0005  # seconds; see _Writer

# Tables that must be empty: a demo never mixes with a club's real records.  Staff may
# exist (an administrator account made at installation); the demo adds its own.
_MUST_BE_EMPTY = (
    "members", "member_search", "cards", "ledger", "tier_changes", "services", "resources",
    "resource_services", "bookings", "booking_resources", "checkouts", "receptions", "waitlist",
    "complaints", "complaint_steps", "return_visits", "vip_visits", "vip_checklist_items",
)  # fmt: skip
# Tables with explicit ids, whose PostgreSQL sequences must be moved on afterwards.
_ID_TABLES = (
    "staff", "services", "resources", "members", "cards", "bookings", "booking_resources",
    "checkouts", "receptions", "waitlist", "complaints", "complaint_steps", "return_visits",
    "vip_visits", "vip_checklist_items",
)  # fmt: skip

STAFF_COLUMNS = (
    "id", "username", "display_name", "role", "department", "phone", "password_hash",
    "failed_logins", "locked_until", "active", "created_at",
)  # fmt: skip
SERVICE_COLUMNS = (
    "id", "name", "category", "duration_min", "list_price_fen", "capacity", "active",
)  # fmt: skip
RESOURCE_COLUMNS = (
    "id", "name", "kind", "staff_id", "capacity", "works_from", "works_until", "sort_order",
    "active",
)  # fmt: skip


@dataclass(frozen=True)
class SeedReport:
    """What ``seed_demo`` wrote (cards include reissued ones) and how long it took."""

    members: int
    cards: int
    ledger_entries: int
    bookings: int
    complaints: int
    vip_visits: int
    seconds: float


def seed_demo(
    db: Database,
    members: int,
    *,
    seed: int = 20261123,
    today: date | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Write a demo club with ``members`` members into the empty database ``db``.

    ``progress(stage, done, total)`` is called now and then; it may raise (a cancelled
    progress dialog) and the partly written demo is then removed again.  Raises
    DomainError when the database already holds members or other business records.
    """
    if members < 0:
        raise DomainError(_("演示会员人数不能为负数。"))
    started = perf_counter()
    clock = Clock(*_today_and_now(today))
    report = progress or _no_progress
    if db.is_sqlite:
        sqlite_sink = SqliteSink(db)
        sqlite_sink.open()
        try:
            seeder = _Seeder(sqlite_sink, clock, random.Random(seed), report)
            seeder.refuse_unless_empty()
            try:
                counts = seeder.run(members)
            except BaseException:
                seeder.undo()
                raise
        finally:
            sqlite_sink.close()
    else:
        core_sink = CoreSink(db)
        core_sink.open()
        try:
            seeder = _Seeder(core_sink, clock, random.Random(seed), report)
            seeder.refuse_unless_empty()
            counts = seeder.run(members)
            core_sink.fix_sequences(_ID_TABLES)
            core_sink.commit()
        finally:
            core_sink.close()  # rolls back whatever was not committed
    return SeedReport(*counts, seconds=perf_counter() - started)


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def _today_and_now(today: date | None) -> tuple[date, datetime]:
    """The seeding day and the moment the demo is "now" on it.

    Seeding for the real today uses the clock, so the bookings in service are the ones
    on the wall clock.  Any other day (tests, screenshots) is frozen at 15:00, when a
    club has a bit of everything going on, and seeds the same data every time.
    """
    real_now = datetime.now().replace(microsecond=0)
    if today is None or today == real_now.date():
        return real_now.date(), real_now
    return today, datetime.combine(today, time(15, 0))


class _Seeder:
    def __init__(
        self,
        sink: SqliteSink | CoreSink,
        clock: Clock,
        rng: random.Random,
        progress: Progress,
    ) -> None:
        self.sink = sink
        self.clock = clock
        self.rng = rng
        self.progress = progress
        # Exactly the staff rows this run inserted: undo must never touch other accounts,
        # including ones another counter adds while the demo is being written.
        self._inserted_staff: list[int] = []
        self.ledger_written = 0
        # The ledger rows of the demo week that belong to a booking, kept as they go out,
        # for the checkouts: the ledger has no index on booking_id to find them by.
        self.booking_entries: list[Row] = []
        self._demo_from = clock.dates[clock.today_day + DEMO_DAYS[0]]

    # -- guards -----------------------------------------------------------------------

    def refuse_unless_empty(self) -> None:
        if self.sink.scalar("SELECT COUNT(*) FROM (SELECT 1 FROM members LIMIT 1) AS m"):
            raise DomainError(
                _("数据库中已经有会员资料，不能导入演示数据。演示数据只能导入新建的空数据库。")
            )
        for table in _MUST_BE_EMPTY:
            if self.sink.scalar(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT 1) AS t"):
                raise DomainError(
                    _(
                        "数据库中已经有营业数据（服务项目、预约或投诉等），不能导入演示数据。"
                        "演示数据只能导入新建的空数据库。"
                    )
                )
        if not self.sink.scalar("SELECT COUNT(*) FROM tiers"):
            raise DomainError(_("数据库缺少会员等级基础数据，请先升级数据库后再导入演示数据。"))

    def undo(self) -> None:
        """Remove a half-written demo (SQLite commits chunk by chunk)."""
        sink = self.sink
        if not isinstance(sink, SqliteSink):
            return
        sink.rollback()
        for table in _MUST_BE_EMPTY:
            sink.execute(f"DELETE FROM {table}")
        if self._inserted_staff:
            ids = ",".join(str(int(i)) for i in self._inserted_staff)
            sink.execute(f"DELETE FROM staff WHERE id IN ({ids})")
        sink.commit()
        sink.restore_bulk_indexes()

    # -- the run ----------------------------------------------------------------------

    def run(self, n: int) -> tuple[int, int, int, int, int, int]:
        sink = self.sink
        stage = _("准备员工、服务项目和房间")
        self.progress(stage, 0, 1)
        tiers = [
            Tier(int(i), int(bp), int(ppy))
            for i, bp, ppy in sink.rows(
                "SELECT id, discount_bp, points_per_yuan FROM tiers ORDER BY rank"
            )
        ]
        staff_by_role = self._staff()
        refs = self._club(staff_by_role)
        sink.commit()
        self.progress(stage, 1, 1)

        front_desk = staff_by_role[Role.FRONT_DESK]
        people = People(
            self.rng,
            self.clock,
            n,
            tiers=tiers,
            front_desk=front_desk,
            specialists=front_desk[:4],
        )
        activity = Activity(self.rng, self.clock, people, refs)
        activity.plan_bookings()
        activity.plan_complaints()

        self._members(people)
        bookings, allocations = activity.booking_rows()
        sink.insert("bookings", BOOKING_COLUMNS, bookings)
        sink.insert("booking_resources", ALLOCATION_COLUMNS, allocations)
        sink.insert("receptions", RECEPTION_COLUMNS, activity.reception_rows())
        sink.insert("waitlist", WAITLIST_COLUMNS, activity.waitlist_rows())
        sink.commit()
        self._ledger(people)
        if isinstance(sink, SqliteSink):
            stage = _("建立索引")
            sink.restore_bulk_indexes(lambda done, total: self.progress(stage, done, total))

        stage = _("生成投诉、回访和贵宾接待")
        self.progress(stage, 0, 1)
        wanted = sorted({c.member_id for c in activity.complaints if c.member_id is not None})
        vip_members = [
            int(r[0])
            for r in sink.rows(
                "SELECT id FROM members WHERE category = 'vip' ORDER BY id DESC LIMIT 30"
            )
        ]
        names = self._member_names(wanted + vip_members)
        sink.insert(
            "checkouts",
            CHECKOUT_COLUMNS,
            activity.checkout_rows(self.booking_entries, self._member_tiers(activity)),
        )
        complaints, steps = activity.complaint_rows(names)
        sink.insert("complaints", COMPLAINT_COLUMNS, complaints)
        sink.insert("complaint_steps", STEP_COLUMNS, steps)
        visits, items, departed = activity.vip_rows(names, vip_members)
        sink.insert("vip_visits", VIP_COLUMNS, visits)
        sink.insert("vip_checklist_items", CHECKLIST_COLUMNS, items)
        sink.insert("return_visits", RETURN_VISIT_COLUMNS, activity.return_visit_rows(departed))
        sink.commit()
        self.progress(stage, 1, 1)
        self.progress(_("完成"), 1, 1)
        counts = people.counts
        return (
            counts.members,
            counts.cards,
            counts.ledger,
            len(bookings),
            len(complaints),
            len(visits),
        )

    def _members(self, people: People) -> None:
        """Members, cards and the ledger so far, chunk by chunk, each chunk one transaction.

        The ledger of the days that no later member can add to goes out with each chunk,
        in time order, which keeps ledger ids chronological without holding the whole
        ledger in memory.  On SQLite a second thread writes chunk k while this one
        generates chunk k + 1 (pysqlite lets go of the GIL inside SQLite); the data is
        still generated by one thread in one order, so it stays deterministic.
        """
        sink = self.sink
        n = people.n
        stage = _("生成会员、会员卡和储值积分流水")
        self.progress(stage, 0, n)
        if isinstance(sink, SqliteSink):
            sink.drop_bulk_indexes()

        def write(
            members: Sequence[Row], cards: Sequence[Row], terms: Sequence[Row],
            ledger: Sequence[Row],
        ) -> None:  # fmt: skip
            sink.insert("members", MEMBER_COLUMNS, members)
            sink.insert("member_search", SEARCH_COLUMNS, terms)
            sink.insert("cards", CARD_COLUMNS, cards)
            sink.insert("ledger", LEDGER_COLUMNS, ledger)
            sink.commit()

        size = max(MIN_MEMBER_CHUNK, min(MAX_MEMBER_CHUNK, n // 20))
        with _Writer(write, threaded=isinstance(sink, SqliteSink) and sink.threads_ok) as writer:
            for lo in range(1, n + 1, size):
                hi = min(n + 1, lo + size)
                members, cards, terms = people.chunk(lo, hi)
                ledger: list[Row] = []
                if hi <= n:
                    for rows in people.ledger_days(before=people.complete_days(hi)):
                        ledger.extend(self._keep_booking_entries(rows))
                self.ledger_written += len(ledger)
                writer.put(members, cards, terms, ledger)
                self.progress(stage, hi - 1, n)
        sink.insert("cards", CARD_COLUMNS, people.reissued_cards)
        sink.commit()
        people.counts.cards += len(people.reissued_cards)

    def _ledger(self, people: People) -> None:
        """The rest of the ledger: the recent days every member may have added to."""
        sink = self.sink
        total = people.counts.ledger
        stage = _("写入储值与积分流水")
        self.progress(stage, self.ledger_written, total)

        def write(rows: Sequence[Row]) -> None:
            sink.insert("ledger", LEDGER_COLUMNS, rows)
            sink.commit()

        with _Writer(write, threaded=isinstance(sink, SqliteSink) and sink.threads_ok) as writer:
            days = (self._keep_booking_entries(rows) for rows in people.ledger_days())
            for rows in _batches(days, LEDGER_CHUNK):
                writer.put(rows)
                self.ledger_written += len(rows)
                self.progress(stage, self.ledger_written, total)

    def _keep_booking_entries(self, rows: list[Row]) -> list[Row]:
        """Passes a day of ledger rows on, keeping those of the demo week's bookings."""
        if rows and str(rows[-1][_LEDGER_AT]) >= self._demo_from:
            self.booking_entries.extend(r for r in rows if r[_LEDGER_BOOKING] is not None)
        return rows

    def _member_tiers(self, activity: Activity) -> dict[int, tuple[int, str]]:
        """Discount (bp) and tier name of every member with a settled booking."""
        ids = sorted({b.member_id for b in activity.bookings if b.member_id and b.settled})
        if not ids:
            return {}
        found = self.sink.rows(
            "SELECT m.id, t.discount_bp, t.name FROM members m JOIN tiers t ON t.id = m.tier_id"
            f" WHERE m.id IN ({','.join(map(str, ids))})"
        )
        return {int(i): (int(bp), str(name)) for i, bp, name in found}

    def _member_names(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        if not ids:
            return {}
        found = self.sink.rows(
            f"SELECT id, name, phone FROM members WHERE id IN ({','.join(map(str, ids))})"
        )
        return {int(i): (str(name), str(phone)) for i, name, phone in found}

    # -- staff, services, rooms -------------------------------------------------------

    def _staff(self) -> dict[Role, list[int]]:
        """The demo's staff; an account whose username exists already is reused."""
        rng = self.rng
        existing = {str(u): int(i) for u, i in self.sink.rows("SELECT username, id FROM staff")}
        next_id = max(existing.values(), default=0) + 1
        specs = list(catalog.OFFICE_STAFF)
        specs += [
            catalog.StaffSpec(f"therapist{n:02d}", name, Role.THERAPIST, Department.SPA)
            for n, name in enumerate(catalog.THERAPIST_NAMES[: catalog.THERAPIST_COUNT], 1)
        ]
        specs += [
            catalog.StaffSpec(f"coach{n:02d}", name, Role.COACH, Department.FITNESS)
            for n, name in enumerate(catalog.COACH_NAMES[: catalog.COACH_COUNT], 1)
        ]
        rows: list[Row] = []
        by_role: dict[Role, list[int]] = {role: [] for role in Role}
        self.staff_ids: dict[str, int] = {}
        for spec in specs:
            staff_id = existing.get(spec.username)
            if staff_id is None:
                staff_id = next_id
                next_id += 1
                self._inserted_staff.append(staff_id)
                hired = (self.clock.today_day - rng.randint(60, 1500)) * DAY + 9 * HOUR
                rows.append(
                    (staff_id, spec.username, spec.display_name, spec.role.value,
                     spec.department.value if spec.department else None,
                     f"139{rng.randrange(10**8):08d}", None, 0, None, 1,
                     self.clock.text(hired))
                )  # fmt: skip
            by_role[spec.role].append(staff_id)
            self.staff_ids[spec.username] = staff_id
        self.sink.insert("staff", STAFF_COLUMNS, rows)
        return by_role

    def _club(self, staff_by_role: dict[Role, list[int]]) -> Refs:
        sink = self.sink
        service_ids = {spec.key: n for n, spec in enumerate(catalog.SERVICES, start=1)}
        sink.insert(
            "services",
            SERVICE_COLUMNS,
            [
                (service_ids[s.key], s.name, s.category.value, s.duration_min, s.price_fen,
                 s.capacity, 1)
                for s in catalog.SERVICES
            ],
        )  # fmt: skip
        resources: list[Row] = []
        refs: list[ResourceRef] = []
        links: list[Row] = []
        staff_of_resource: dict[int, int] = {}

        def add(
            name: str, kind: ResourceKind, capacity: int, services: Sequence[str],
            hours: tuple[int, int] | None, staff_id: int | None = None,
        ) -> None:  # fmt: skip
            resource_id = len(resources) + 1
            resources.append(
                (resource_id, name, kind.value, staff_id, capacity,
                 None if hours is None else _hour_text(hours[0]),
                 None if hours is None else _hour_text(hours[1]), resource_id, 1)
            )  # fmt: skip
            mask = _slot_mask(*(hours or (catalog.OPEN_HOUR, catalog.CLOSE_HOUR)))
            refs.append(ResourceRef(resource_id, kind, frozenset(services), mask))
            links.extend((resource_id, service_ids[key]) for key in services)
            if staff_id is not None:
                staff_of_resource[resource_id] = staff_id

        # Rooms have no hours of their own: they follow the club's (10:00 to 02:00).  Staff
        # work shifts; one that ends past midnight has works_until < works_from.
        for room in catalog.ROOMS:
            add(room.name, room.kind, room.capacity, room.services, None)
        therapists = staff_by_role[Role.THERAPIST]
        for n, (staff_id, name) in enumerate(
            zip(therapists, catalog.THERAPIST_NAMES, strict=False), start=1
        ):
            shift = catalog.THERAPIST_SHIFTS[n % len(catalog.THERAPIST_SHIFTS)]
            add(f"{n:02d}号技师 {name}", ResourceKind.THERAPIST, 1,
                catalog.therapist_services(n), shift, staff_id)  # fmt: skip
        coaches = staff_by_role[Role.COACH]
        for n, (staff_id, name) in enumerate(
            zip(coaches, catalog.COACH_NAMES, strict=False), start=1
        ):
            add(f"教练 {name}", ResourceKind.COACH, 1, catalog.COACH_SERVICES,
                catalog.COACH_SHIFTS[n % len(catalog.COACH_SHIFTS)], staff_id)  # fmt: skip
        sink.insert("resources", RESOURCE_COLUMNS, resources)
        sink.insert("resource_services", ("resource_id", "service_id"), links)

        levels: list[VipLevelRef] = []
        for level_id, role in sink.rows("SELECT id, approving_role FROM vip_levels ORDER BY id"):
            amenities = tuple(
                Amenity(str(a), int(b), int(c), str(d), e, None if f is None else int(f))
                for a, b, c, d, e, f in sink.rows(
                    "SELECT name, unit_cost_fen, quantity, department, foreign_substitute,"
                    " foreign_substitute_cost_fen FROM amenity_items"
                    f" WHERE level_id = {int(level_id)} ORDER BY sort_order, id"
                )
            )
            levels.append(VipLevelRef(int(level_id), Role(role), amenities))
        categories = [
            (int(i), str(name))
            for i, name in sink.rows(
                "SELECT id, name FROM complaint_categories WHERE active = "
                f"{'1' if isinstance(sink, SqliteSink) else 'true'} ORDER BY sort_order, id"
            )
        ]
        if not levels or not categories:
            raise DomainError(_("数据库缺少贵宾等级或投诉类别基础数据，请先升级数据库。"))
        return Refs(
            staff_by_role=staff_by_role,
            service_ids=service_ids,
            resources=refs,
            vip_levels=levels,
            categories=categories,
            staff_of_resource=staff_of_resource,
        )


class _Writer:
    """Runs ``write`` for each batch, on a second thread when ``threaded``.

    At most one batch waits in the queue, which bounds memory; an error in the writer
    is raised again in the producer at the next ``put`` or at the end.

    The writer needs the GIL back after every statement SQLite ran without it, and
    while the producer computes it waits up to the interpreter's switch interval for
    it (5 ms by default), which left the writer idle much of the time.  While the
    writer runs the interval is 0.5 ms, which took 6 to 7 s off the million-member seed.
    """

    def __init__(self, write: Callable[..., None], *, threaded: bool) -> None:
        self._write = write
        self._threaded = threaded
        self._queue: Queue[tuple[object, ...] | None] = Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._switch_interval: float | None = None

    def __enter__(self) -> _Writer:
        if self._threaded:
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch_interval, WRITER_SWITCH_INTERVAL))
            self._thread = threading.Thread(target=self._loop, name="seed-writer", daemon=True)
            self._thread.start()
        return self

    def put(self, *batch: object) -> None:
        self._raise_pending()
        if self._thread is None:
            self._write(*batch)
        else:
            self._queue.put(batch)

    def _loop(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is None:
                try:
                    self._write(*batch)
                except BaseException as exc:  # handed to the producer thread
                    self._error = exc

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __exit__(self, *exc_info: object) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
        if exc_info[0] is None:
            self._raise_pending()


def _batches(days: Iterator[list[Row]], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for rows in days:
        batch.extend(rows)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_LEDGER_AT = LEDGER_COLUMNS.index("at")
_LEDGER_BOOKING = LEDGER_COLUMNS.index("booking_id")


def _hour_text(hour: int) -> str:
    return time_text(time(hour % 24))


def _slot_mask(start_hour: int, end_hour: int) -> int:
    """Bit mask of the quarter-hour booking slots inside the hours (from 10:00; hours
    past midnight count on: 26 is 02:00 the next morning)."""
    first = (start_hour - catalog.OPEN_HOUR) * 4
    last = min(end_hour, catalog.CLOSE_HOUR) - catalog.OPEN_HOUR
    return ((1 << (last * 4 - first)) - 1) << first


__all__ = ["SeedReport", "seed_demo"]

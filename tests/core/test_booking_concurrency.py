"""No double booking across counters (issue 4): 4 processes × 250 random booking
attempts on the same three resources and the same four hours of one day, against one
SQLite file and against a real PostgreSQL server.

Afterwards no resource holds two overlapping active allocations, every refusal was a
BookingConflict, no counter crashed or saw "database is locked", and every booking a
counter was told it made is in the database.
"""

from __future__ import annotations

import multiprocessing
import queue
import re
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.models import Booking, BookingResource
from clubdesk.models.enums import BookingState, Role
from clubdesk.services import bookings
from clubdesk.services.booking_rules import BookingConflict
from clubdesk.services.staff import StaffMember
from tests.core.booking_helpers import (
    NOW,
    RaceSetup,
    at,
    overlaps,
    race_catalogue,
    race_process,
)

WORKERS = 4
ATTEMPTS = 250
DEADLINE_S = 60.0  # for the attempts themselves, after every counter has started
START_S = 60.0  # spawning four interpreters and opening the database
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _race(db: Database, url: str) -> None:
    setup: RaceSetup = race_catalogue(db, url)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=race_process, args=(setup, w, ATTEMPTS, barrier, out), daemon=True)
        for w in range(WORKERS)
    ]
    for proc in procs:
        proc.start()
    results: dict[int, list[tuple[str, ...]]] = {}
    try:
        barrier.wait(timeout=START_S)  # every counter has opened the database
        started = time.monotonic()
        while len(results) < WORKERS:
            left = DEADLINE_S - (time.monotonic() - started)
            try:
                worker, rows = out.get(timeout=max(left, 0.1))
            except queue.Empty:
                pytest.fail(
                    f"{WORKERS - len(results)} counter(s) still busy after {DEADLINE_S:.0f} s"
                )
            results[worker] = rows
        elapsed = time.monotonic() - started
        for proc in procs:
            proc.join(timeout=10)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)

    # None crashed: each counter finished cleanly and reported every attempt.
    assert [p.exitcode for p in procs] == [0] * WORKERS
    rows = [row for w in sorted(results) for row in results[w]]
    crashes = [r for r in rows if r[0] == "crash"]
    assert not crashes, crashes
    assert [len(results[w]) for w in range(WORKERS)] == [ATTEMPTS] * WORKERS

    # Every refusal was a conflict; nothing else reached a counter.
    outcomes = Counter((kind, outcome) for kind, outcome, _detail in rows)
    others = [r for r in rows if r[1] not in ("ok", "conflict")]
    assert not others, f"{len(others)} attempts failed otherwise, e.g. {others[:5]}"
    assert not [r for r in rows if "locked" in r[2].lower()]
    # The race was real: counters both won and lost, creating, moving and cancelling.
    assert outcomes[("create", "ok")] >= 20 and outcomes[("create", "conflict")] >= 50, outcomes
    assert outcomes[("move", "ok")] >= 5 and outcomes[("move", "conflict")] >= 5, outcomes
    assert outcomes[("cancel", "ok")] >= 5, outcomes

    assert overlaps(db) == []
    with db.read() as s:
        states = Counter(s.scalars(select(Booking.state)))
        # Each allocation mirrors its booking: active with the booking's own times while
        # booked, inactive once cancelled; and no booking lost its allocations.
        mismatched = s.scalar(
            select(func.count())
            .select_from(BookingResource)
            .join(Booking, Booking.id == BookingResource.booking_id)
            .where(
                ((Booking.state == BookingState.BOOKED) & BookingResource.active.is_(False))
                | ((Booking.state != BookingState.BOOKED) & BookingResource.active.is_(True))
                | (BookingResource.start_at != Booking.start_at)
                | (BookingResource.end_at != Booking.end_at)
            )
        )
        held = select(BookingResource.id).where(BookingResource.booking_id == Booking.id)
        bare = s.scalar(select(func.count()).select_from(Booking).where(~held.exists()))
    created = {int(d) for kind, outcome, d in rows if (kind, outcome) == ("create", "ok")}
    cancelled = {int(d) for kind, outcome, d in rows if (kind, outcome) == ("cancel", "ok")}
    assert len(created) == outcomes[("create", "ok")] == sum(states.values())
    assert len(cancelled) == outcomes[("cancel", "ok")] == states[BookingState.CANCELLED]
    assert states[BookingState.BOOKED] == len(created - cancelled)
    assert set(states) <= {BookingState.BOOKED, BookingState.CANCELLED}
    assert (mismatched, bare) == (0, 0)
    why = Counter(d[:8] for _k, outcome, d in rows if outcome == "conflict")
    print(f"\n{db.url.get_backend_name()}: {dict(outcomes)} in {elapsed:.1f} s; {dict(why)}")


@pytest.mark.slow
def test_four_counters_never_double_book_on_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "race.sqlite3"
    db = open_database(path)
    try:
        _race(db, str(path))
    finally:
        db.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_four_counters_never_double_book_on_postgres(pg_url: str) -> None:
    db = open_database(pg_url)
    try:
        _race(db, pg_url)
    finally:
        db.dispose()


@pytest.mark.postgres
def test_counters_taking_two_resources_in_opposite_order_get_a_conflict(pg_url: str) -> None:
    """Counter 1 books suite A + therapist C while counter 2 takes therapist C, then
    suite A (ClubDesk inserts new rows in resource order, but a move that keeps one
    resource and adds another updates the kept row first).  Both pass the check (neither
    has committed), each holds its first allocation and waits on the other's at the
    exclusion constraint: PostgreSQL breaks the deadlock by failing counter 1 (it waited
    first), and counter 2 commits.  Counter 1 must see a BookingConflict, not
    "deadlock detected", and nothing of its booking may remain.

    Counter 2 is played by a plain transaction so the interleaving is certain.
    """
    db = open_database(pg_url)
    other = create_engine(pg_url)
    try:
        setup = race_catalogue(db, pg_url)
        suite_a, _suite_b, therapist_c = setup.resource_ids
        actor = StaffMember(setup.staff_id, "race", "并发前台", Role.FRONT_DESK)
        span = {"s": at("14:00"), "e": at("15:00")}
        with other.connect() as conn:
            tx = conn.begin()
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            booking = conn.execute(
                text(
                    "INSERT INTO bookings (guest_name, guest_count, service_id, start_at, end_at,"
                    " state, walk_in, added_minutes, version, created_at) VALUES ('柜台二', 1,"
                    " :svc, :s, :e, 'booked', false, 0, 1, :s) RETURNING id"
                ),
                {"svc": setup.service_id, **span},
            ).scalar_one()
            hold = text(
                "INSERT INTO booking_resources (booking_id, resource_id, start_at, end_at,"
                " active) VALUES (:b, :r, :s, :e, true)"
            )
            conn.execute(hold, {"b": booking, "r": therapist_c, **span})

            outcome: list[BaseException | int] = []

            def counter_one() -> None:
                try:
                    draft = bookings.BookingDraft(
                        setup.service_id, span["s"], span["e"], (suite_a, therapist_c),
                        guest_name="柜台一",
                    )  # fmt: skip
                    outcome.append(bookings.create(db, actor, draft, at=NOW).booking_id)
                except BaseException as exc:
                    outcome.append(exc)

            thread = threading.Thread(target=counter_one)
            thread.start()
            # Counter one holds suite A (the lower id: inserted first) and waits for
            # therapist C, our uncommitted row.
            waiting = text(
                "SELECT count(*) FROM pg_locks l JOIN pg_locks h ON h.transactionid ="
                " l.transactionid AND h.granted WHERE NOT l.granted AND h.pid = :pid"
            )
            deadline = time.monotonic() + 20
            while conn.execute(waiting, {"pid": pid}).scalar_one() == 0:
                assert time.monotonic() < deadline and thread.is_alive(), outcome
                time.sleep(0.05)
            # Now we want suite A: a deadlock; counter one has waited longer, so its
            # deadlock check fires first and PostgreSQL fails counter one.
            conn.execute(hold, {"b": booking, "r": suite_a, **span})
            tx.commit()  # counter 2 won
            thread.join(timeout=20)
        assert not thread.is_alive()
        [result] = outcome
        assert isinstance(result, BookingConflict), repr(result)
        assert CHINESE.search(result.message) and "deadlock" not in result.message
        with db.read() as s:
            assert s.scalars(select(Booking.guest_name)).all() == ["柜台二"]
        assert overlaps(db) == []
    finally:
        other.dispose()
        db.dispose()

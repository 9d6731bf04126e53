"""The benchmark cases.  Later issues add theirs to ``CASES``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clubdesk.bench.harness import CaseResult, Sample, time_ms
from clubdesk.db.engine import Database
from clubdesk.db.guard import connect_read_only
from clubdesk.search_terms import parse_query
from clubdesk.services import member_search, roster


@dataclass(frozen=True)
class BenchContext:
    db: Database
    path: Path  # the SQLite file, for the raw-sqlite3 floors and the startup probe
    members: int
    repeat: int  # 0: each case's own default


Case = Callable[[BenchContext], CaseResult]


def _n(ctx: BenchContext, default: int) -> int:
    return ctx.repeat or default


def roster_first_page(ctx: BenchContext) -> CaseResult:
    n = _n(ctx, 200)
    measured = time_ms(lambda: roster.page(ctx.db), n)
    raw = connect_read_only(ctx.path)
    try:
        # The very statement the service runs, so the gap is ClubDesk's own overhead
        # (SQLAlchemy session, row objects, masking), not a cheaper query.
        query = parse_query("")
        assert query is not None
        sql, params = member_search.statement(query)
        floor = time_ms(lambda: raw.execute(sql, params).fetchall(), n)
    finally:
        raw.close()
    return CaseResult(
        case="roster.first_page",
        unit="ms",
        measured=Sample("ClubDesk roster.page (card, tier, balance, points)", measured),
        floor=Sample("raw sqlite3, the same SQL", floor),
        target={"p95": 20.0},
        note="50 rows with each member's current card, balance and points",
    )


# The floor: the least a PySide6 program does to show a main window.  It imports
# nothing of ClubDesk, so ClubDesk's own imports and queries count against it.
BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 800)
window.show()
QTimer.singleShot(0, lambda: (print("READY", flush=True), app.quit()))
app.exec()
"""


def _probe_command(*args: str) -> list[str]:
    if getattr(sys, "frozen", False):
        # A frozen build has no bare interpreter: its floor is the same executable
        # showing an empty window, which does include loading ClubDesk's modules.
        return [sys.executable, "startup-probe", *args]
    if args == ("--bare",):
        return [sys.executable, "-c", BARE_WINDOW]
    return [sys.executable, "-m", "clubdesk", "startup-probe", *args]


def _time_probe(command: list[str]) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "READY":
            elapsed = (time.perf_counter() - start) * 1000
            break
    else:
        _out, err = proc.communicate(timeout=60)
        raise RuntimeError(f"startup probe failed: {err.strip()[-2000:]}")
    proc.communicate(timeout=60)
    return elapsed


def cold_start(ctx: BenchContext) -> CaseResult:
    n = _n(ctx, 7)
    _time_probe(_probe_command("--bare"))  # warm the OS file cache for both sides alike
    app, bare = [], []
    for _ in range(n):  # interleaved so load drift hits both sides equally
        bare.append(_time_probe(_probe_command("--bare")))
        app.append(_time_probe(_probe_command("--db", str(ctx.path))))
    return CaseResult(
        case="startup.cold",
        unit="ms",
        measured=Sample("ClubDesk main window shown, four docks loaded", tuple(app)),
        floor=Sample(
            "bare PySide6 QMainWindow shown"
            + (" (same executable)" if getattr(sys, "frozen", False) else ""),
            tuple(bare),
        ),
        target={"median": 2000.0},
        note=f"new process per run, {ctx.members:,} members, QT_QPA_PLATFORM offscreen",
    )


def settlement_case(ctx: BenchContext) -> CaseResult:
    """A settlement: discount, two ledger entries, points, tier check, commit (fsync)."""
    import sqlite3

    from clubdesk.models.enums import PaymentMethod
    from clubdesk.services import settlement, staff

    actor = staff.counter_user(ctx.db)
    raw = connect_read_only(ctx.path)
    try:
        ids = [
            r[0]
            for r in raw.execute(
                "SELECT m.id FROM members m JOIN cards c ON c.member_id = m.id"
                " AND c.status = 'active' AND c.kind = 'stored_value'"
                " WHERE (SELECT balance_after_fen FROM ledger l WHERE l.card_id = c.id"
                " ORDER BY l.id DESC LIMIT 1) >= 10000 ORDER BY m.id DESC LIMIT 100"
            )
        ]
    finally:
        raw.close()
    n = ctx.repeat or 200
    members = iter([ids[k % len(ids)] for k in range(n + 3)])
    measured = time_ms(
        lambda: settlement.settle(
            ctx.db, actor, next(members), 100, PaymentMethod.STORED_VALUE, reason="基准测试"
        ),
        n,
    )
    # The floor: the same reads and writes in raw sqlite3, one BEGIN IMMEDIATE
    # transaction committed with the same durability (WAL, synchronous=FULL).
    conn = sqlite3.connect(ctx.path, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    again = iter([ids[k % len(ids)] for k in range(n + 3)])

    def plain() -> None:
        mid = next(again)
        conn.execute("BEGIN IMMEDIATE")
        card, balance = conn.execute(
            "SELECT c.id, (SELECT balance_after_fen FROM ledger l WHERE l.card_id = c.id"
            " ORDER BY l.id DESC LIMIT 1) FROM cards c WHERE c.member_id = ?"
            " AND c.status = 'active' ORDER BY c.id DESC LIMIT 1",
            (mid,),
        ).fetchone()
        points = conn.execute(
            "SELECT points_after FROM ledger WHERE member_id = ? ORDER BY id DESC LIMIT 1", (mid,)
        ).fetchone()[0]
        now = "2026-11-23 12:00:00.000000"
        conn.execute(
            "INSERT INTO ledger (member_id, card_id, kind, amount_fen, balance_after_fen, points,"
            " points_after, paid_fen, at, reason) VALUES (?, ?, 'purchase', -100, ?, 0, ?, 0, ?,"
            " 'floor')",
            (mid, card, balance - 100, points, now),
        )
        conn.execute(
            "INSERT INTO ledger (member_id, card_id, kind, amount_fen, balance_after_fen, points,"
            " points_after, paid_fen, at, reason) VALUES (?, ?, 'points_earned', 0, ?, 1, ?, 0,"
            " ?, 'floor')",
            (mid, card, balance - 100, points + 1, now),
        )
        conn.execute("UPDATE members SET last_visit_at = ? WHERE id = ?", (now, mid))
        conn.execute("COMMIT")

    try:
        floor = time_ms(plain, n)
    finally:
        conn.close()
    return CaseResult(
        case="settlement.stored_value",
        unit="ms",
        measured=Sample(
            "ClubDesk settlement.settle (discount, ledger, points, tier, commit)", measured
        ),
        floor=Sample("raw sqlite3: 2 reads, 2 ledger inserts, 1 update, commit", floor),
        target={"p95": 10.0},
        note=f"¥1.00 paid from stored-value cards of {len(ids)} members; writes to the bench file",
    )


_probe_reports: dict[Path, dict[str, Any]] = {}


def _probe_report(ctx: BenchContext) -> dict[str, Any]:
    """One GUI probe run serves both the keystroke and the memory case."""
    from clubdesk.bench.search_cases import KINDS, sample_members

    if ctx.path not in _probe_reports:
        people = sample_members(ctx.path, 6, seed=2)
        queries = [make(m) for m in people for _suffix, _d, make in KINDS]
        _probe_reports[ctx.path] = _gui_probe(ctx.path, queries)
    return _probe_reports[ctx.path]


def _gui_probe(path: Path, queries: list[str]) -> dict[str, Any]:
    import json

    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    command = (
        [sys.executable, "roster-probe"]
        if getattr(sys, "frozen", False)
        else [sys.executable, "-m", "clubdesk", "roster-probe"]
    )
    done = subprocess.run(
        [*command, "--db", str(path), "--queries", json.dumps(queries, ensure_ascii=False)],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"roster probe failed: {done.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def roster_keystroke(ctx: BenchContext) -> CaseResult:
    """Keystroke to rows shown in the real roster dock (offscreen, real worker threads)."""
    report = _probe_report(ctx)
    return CaseResult(
        case="roster.keystroke",
        unit="ms",
        measured=Sample(
            "ClubDesk roster dock: key press → rows painted", tuple(report["keystroke_ms"])
        ),
        floor=Sample(
            "QLineEdit key → QTableView of 50 ready rows painted", tuple(report["floor_ms"])
        ),
        target={"p95": 50.0},
        note=f"{len(report['keystroke_ms'])} key presses typing {report['queries']} queries",
    )


def roster_memory(ctx: BenchContext) -> CaseResult:
    report = _probe_report(ctx)
    return CaseResult(
        case="roster.memory",
        unit="MB",
        measured=Sample("ClubDesk resident memory, roster open and scrolled", (report["rss_mb"],)),
        floor=Sample("the same process before opening the database", (report["floor_rss_mb"],)),
        target={"median": 300.0},
        note=f"after {report['pages']} pages scrolled and {len(report['keystroke_ms'])} searches; "
        f"peak {report['peak_rss_mb']:.0f} MB",
    )


def _search_cases() -> dict[str, Case]:
    from clubdesk.bench.search_cases import KINDS, search_case

    return {f"search.{suffix}": search_case(suffix, d, make) for suffix, d, make in KINDS}


def _board_cases() -> dict[str, Case]:
    from clubdesk.bench.board_cases import CASES as BOARD_CASES

    return BOARD_CASES


CASES: dict[str, Case] = {
    "startup.cold": cold_start,
    "roster.first_page": roster_first_page,
    **_search_cases(),
    "roster.keystroke": roster_keystroke,
    "roster.memory": roster_memory,
    "settlement.stored_value": settlement_case,
    **_board_cases(),
}

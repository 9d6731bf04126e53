"""The benchmark cases.  Later issues add theirs to ``CASES``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clubdesk.bench.harness import CaseResult, Sample, time_ms
from clubdesk.db.engine import Database
from clubdesk.db.guard import connect_read_only
from clubdesk.services import roster


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
        sql = roster.FIRST_PAGE_SQL.replace(":limit", "50")
        floor = time_ms(lambda: raw.execute(sql).fetchall(), n)
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


CASES: dict[str, Case] = {
    "startup.cold": cold_start,
    "roster.first_page": roster_first_page,
}

"""Roster search at scale: each query kind against raw sqlite3 and a typical Qt way.

For every kind the same 20 queries (taken from real members of the bench database)
run through the service, through raw ``sqlite3`` with the service's own SQL on the
same file (the floor), and through a ``QSqlQueryModel`` with ``LIKE '%q%'`` over
name, phone and card number (the peer: what a typical Qt program does).  The peer
runs in a child process, because the core never imports Qt.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from clubdesk.bench.harness import CaseResult, Sample, time_ms
from clubdesk.db.guard import connect_read_only
from clubdesk.search_terms import parse_query
from clubdesk.services import member_search

if TYPE_CHECKING:
    from clubdesk.bench.cases import BenchContext

QUERIES_PER_KIND = 20
PEER_QUERIES = 5  # the peer takes up to a second a query

# What the counter types, derived from one member: (case suffix, description, fn).
KINDS: tuple[tuple[str, str, Callable[[dict[str, str]], str]], ...] = (
    ("phone_last4", "手机尾号 4 位", lambda m: m["phone"][-4:]),
    ("phone_full", "完整手机号", lambda m: m["phone"]),
    ("phone_prefix", "手机号前 7 位", lambda m: m["phone"][:7]),
    ("card", "完整卡号", lambda m: m["card"]),
    ("card_prefix", "卡号前 6 位", lambda m: m["card"][:6]),
    ("name1", "姓名 1 个字", lambda m: m["name"][-1]),
    ("name2", "姓名 2 个字", lambda m: m["name"][-2:]),
    ("name3", "姓名 3 个字", lambda m: m["name"][:3]),
    ("initials", "拼音首字母", lambda m: m["initials"].split()[0]),
)

PEER_SCRIPT = r"""
import json, sys, time
from PySide6.QtCore import QCoreApplication
from PySide6.QtSql import QSqlDatabase, QSqlQuery, QSqlQueryModel
app = QCoreApplication(sys.argv[:1])
path, queries = sys.argv[1], json.loads(sys.argv[2])
db = QSqlDatabase.addDatabase("QSQLITE")
db.setDatabaseName(path)
db.setConnectOptions("QSQLITE_OPEN_READONLY")
assert db.open(), db.lastError().text()
out = []
for q in queries:
    like = "%" + q + "%"
    start = time.perf_counter()
    model = QSqlQueryModel()
    query = QSqlQuery(db)
    query.prepare(
        "SELECT c.number, m.name, m.phone, m.category, m.last_visit_at FROM members m"
        " LEFT JOIN cards c ON c.member_id = m.id AND c.status != 'replaced'"
        " WHERE m.name LIKE ? OR m.phone LIKE ? OR c.number LIKE ?"
        " ORDER BY m.id DESC"
    )
    for _ in range(3):
        query.addBindValue(like)
    query.exec()
    model.setQuery(query)
    model.rowCount()  # the model has fetched its first batch: rows can be shown
    out.append((time.perf_counter() - start) * 1000)
print(json.dumps(out))
"""


def sample_members(db_path: Path, n: int = QUERIES_PER_KIND, seed: int = 1) -> list[dict[str, str]]:
    raw = connect_read_only(db_path)
    try:
        top = raw.execute("SELECT MAX(id) FROM members").fetchone()[0] or 0
        rng = random.Random(seed)
        found: list[dict[str, str]] = []
        tries = 0
        while len(found) < n and tries < n * 50 and top:
            tries += 1
            row = raw.execute(
                "SELECT m.name, m.phone, m.name_initials, c.number FROM members m"
                " JOIN cards c ON c.member_id = m.id AND c.status != 'replaced'"
                " WHERE m.id = ? AND m.foreign_phone = 0",
                (rng.randint(1, top),),
            ).fetchone()
            if row and len(row[0]) >= 2:
                found.append({"name": row[0], "phone": row[1], "initials": row[2], "card": row[3]})
        return found
    finally:
        raw.close()


def _peer(db_path: Path, queries: list[str]) -> tuple[float, ...] | None:
    if getattr(sys, "frozen", False):
        return None  # the packaged build leaves QtSql out
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    done = subprocess.run(
        [sys.executable, "-c", PEER_SCRIPT, str(db_path), json.dumps(queries)],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"QSqlQueryModel peer failed: {done.stderr.strip()[-2000:]}")
    return tuple(json.loads(done.stdout.strip().splitlines()[-1]))


def search_case(
    suffix: str, description: str, make: Callable[[dict[str, str]], str]
) -> Callable[[BenchContext], CaseResult]:
    def case(ctx: BenchContext) -> CaseResult:
        people = sample_members(ctx.path)
        queries = [make(m) for m in people]
        n = ctx.repeat or 200
        cycle = [queries[k % len(queries)] for k in range(n + 3)]
        it = iter(cycle)
        measured = time_ms(lambda: member_search.search(ctx.db, next(it)), n)

        raw = connect_read_only(ctx.path)
        try:
            statements = []
            for q in queries:
                parsed = parse_query(q)
                assert parsed is not None, q
                statements.append(member_search.statement(parsed))
            it2 = iter([statements[k % len(statements)] for k in range(n + 3)])

            def floor_once() -> None:
                sql, params = next(it2)
                raw.execute(sql, params).fetchall()

            floor = time_ms(floor_once, n)
        finally:
            raw.close()
        peers = []
        peer = _peer(ctx.path, queries[:PEER_QUERIES])
        if peer is not None:
            peers.append(Sample("QSqlQueryModel, LIKE '%q%' on name/phone/card", peer))
        sizes = [member_search.count(ctx.db, q) for q in queries[:3]]
        matches = ", ".join(f"{c.n}{'+' if c.more else ''}" for c in sizes)
        return CaseResult(
            case=f"search.{suffix}",
            unit="ms",
            measured=Sample(
                f"ClubDesk member_search.search, first 50 rows ({description})", measured
            ),
            floor=Sample("raw sqlite3, the same SQL and index", floor),
            peers=peers,
            target={"p95": 20.0, "over_floor_p95": 3.0, "peer_speedup": 10.0},
            note=f"{len(queries)} queries from real members, e.g. {queries[0]!r}; "
            f"the first three match {matches} members",
        )

    return case

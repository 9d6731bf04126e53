"""``clubdesk bench``: run the cases on a seeded (or given) database and report."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from clubdesk.bench.cases import CASES, BenchContext
from clubdesk.bench.harness import CaseResult
from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.paths import data_dir
from clubdesk.services import roster


def run(target: str | None, *, members: int, only: str | None, as_json: bool, repeat: int) -> int:
    selected = {k: v for k, v in CASES.items() if not only or k.startswith(only)}
    if not selected:
        raise DomainError(_("没有名称以“{only}”开头的基准用例。").format(only=only))
    db, path = _database(target, members)
    try:
        count = roster.count(db)
        ctx = BenchContext(db=db, path=path, members=count, repeat=repeat)
        results = []
        for name, case in selected.items():
            _say(_("运行 {name} …").format(name=name))
            results.append(case(ctx))
    finally:
        db.dispose()
    if as_json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        print(format_table(results, count))
    return 0


def _database(target: str | None, members: int) -> tuple[Database, Path]:
    if target:
        db = open_database(target, create=False)
        if db.path is None:
            raise DomainError(_("基准测试目前只支持 SQLite 数据库文件。"))
        return db, db.path
    path = data_dir() / "bench" / f"bench-{members}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(path)
    if roster.count(db) != members:
        db.dispose()
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        db = open_database(path)
        from clubdesk.seed.demo import seed_demo

        _say(_("正在生成 {n:,} 名会员的基准数据库 {path} …").format(n=members, path=path))
        started = time.perf_counter()
        seed_demo(db, members)
        _say(
            _("生成完毕，用时 {s:.1f} 秒（之后的运行会复用它）").format(
                s=time.perf_counter() - started
            )
        )
    return db, path


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def format_table(results: list[CaseResult], members: int) -> str:
    lines = [
        f"ClubDesk bench — {members:,} members",
        f"{'case':24} {'unit':4} {'n':>4} {'median':>10} {'p95':>10}  {'target':32} {'ok':3}"
        "  floor / peers",
    ]
    for r in results:
        target = ", ".join(
            f"{v:g}x peers" if k == "peer_speedup" else f"{k}≤{v:g}" for k, v in r.target.items()
        )
        lines.append(
            f"{r.case:24} {r.unit:4} {len(r.measured.values):>4} {r.measured.median:>10.2f} "
            f"{r.measured.p95:>10.2f}  {target:32} {'yes' if r.meets_target else 'NO':3}  "
            f"{r.floor.name}: median {r.floor.median:.2f}, p95 {r.floor.p95:.2f}"
        )
        for peer in r.peers:
            lines.append(f"{'':70}{peer.name}: median {peer.median:.2f}, p95 {peer.p95:.2f}")
    return "\n".join(lines)

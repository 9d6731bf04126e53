"""``clubdesk seed``: fill a database with demo data, with a progress line."""

from __future__ import annotations

import sys

from clubdesk.db.open import open_database
from clubdesk.errors import DomainError
from clubdesk.i18n import _


def run(target: str, members: int, seed: int) -> int:
    if not target:
        raise DomainError(_("请用 --db 指定要生成演示数据的数据库。"))
    if members < 0:
        raise DomainError(_("会员人数不能为负数。"))
    from clubdesk.seed.demo import seed_demo

    db = open_database(target)
    try:
        report = seed_demo(db, members, seed=seed, progress=_progress)
    finally:
        db.dispose()
    sys.stderr.write("\n")
    print(
        _(
            "已生成：会员 {m:,} 人，会员卡 {c:,} 张，流水 {l:,} 条，预约 {b:,} 个，投诉 {p:,} 宗，"
            "VIP 接待 {v:,} 次，用时 {s:.1f} 秒。"
        ).format(
            m=report.members,
            c=report.cards,
            l=report.ledger_entries,
            b=report.bookings,
            p=report.complaints,
            v=report.vip_visits,
            s=report.seconds,
        )
    )
    return 0


def _progress(stage: str, done: int, total: int) -> None:
    if sys.stderr is not None and sys.stderr.isatty():
        pct = 100 * done // total if total else 100
        sys.stderr.write(f"\r{stage} {pct:3d}%   ")
        sys.stderr.flush()

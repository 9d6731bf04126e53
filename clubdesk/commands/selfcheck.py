"""``clubdesk selfcheck``: prove an installation works end to end.

Opens (or creates and seeds) a database, builds the main window offscreen and checks
that every dock shows rows, and renders every form that can print blank plus the member
card of a real member.  Exit 0 when all is well, 1 with the reasons otherwise.  The
packaged executable runs this in CI, so it checks the bundle, not only the source tree.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.frontend import Frontend
from clubdesk.i18n import _

SELFCHECK_MEMBERS = 300


def run(target: str | None, frontend: Frontend) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="clubdesk-selfcheck-") as tmp:
        db = _database(target, Path(tmp))
        try:
            failures += _check_window(db, frontend, rows_required=not target)
            failures += _check_pdfs(db, Path(tmp))
        finally:
            db.dispose()
    if failures:
        print(_("自检失败："))
        for failure in failures:
            print(f"  ✗ {failure}")
        return 1
    print(_("自检通过。"))
    return 0


def _database(target: str | None, tmp: Path) -> Database:
    if target:
        return open_database(target, create=False)
    from clubdesk.seed.demo import seed_demo

    db = open_database(tmp / "selfcheck.sqlite3")
    seed_demo(db, SELFCHECK_MEMBERS)
    print(_("  ✓ 新建并生成了 {n} 名会员的测试数据库").format(n=SELFCHECK_MEMBERS))
    return db


def _check_window(db: Database, frontend: Frontend, *, rows_required: bool) -> list[str]:
    """Every dock must load; on the seeded check database each must also show rows
    (a real club may well have no VIP arriving this week)."""
    failures = []
    for title, rows in frontend.check_window(db):
        if rows > 0 or (rows == 0 and not rows_required):
            print(_("  ✓ 面板“{title}”显示了 {n} 行").format(title=title, n=rows))
        elif rows == 0:
            failures.append(_("面板“{title}”没有显示任何数据").format(title=title))
        else:
            failures.append(_("面板“{title}”没有在 30 秒内加载完").format(title=title))
    return failures


def _check_pdfs(db: Database, tmp: Path) -> list[str]:
    from clubdesk.pdf.registry import FORMS, render_form

    failures = []
    for name, form in sorted(FORMS.items()):
        record = form.latest_id(db) if form.latest_id else None
        if record is None and not form.blank_allowed:
            continue
        out = tmp / f"{name}.pdf"
        try:
            render_form(db, name, record, out)
        except Exception as exc:  # report every form, not only the first failure
            failures.append(_("表单 {name} 生成失败：{error}").format(name=name, error=exc))
            continue
        if not out.read_bytes().startswith(b"%PDF"):
            failures.append(_("表单 {name} 不是有效的 PDF").format(name=name))
        else:
            print(
                _("  ✓ 表单 {name}（{title}）已生成 {size:,} 字节").format(
                    name=name, title=form.title, size=out.stat().st_size
                )
            )
    return failures

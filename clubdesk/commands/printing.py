"""``clubdesk print``: any printable form to a PDF file."""

from __future__ import annotations

from pathlib import Path

from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _


def run(
    target: str | None,
    form: str | None,
    record: str | None,
    output: Path | None,
    *,
    list_only: bool,
) -> int:
    from clubdesk.pdf.registry import FORMS, get_form, render_form

    if list_only or not form:
        for name, spec in sorted(FORMS.items()):
            how = _("（可打印空白表）") if spec.blank_allowed else _("（需指定记录）")
            print(f"{name:28} {_(spec.title)}{how}")
        return 0 if list_only else 2
    spec = get_form(form)
    if output is None:
        raise DomainError(_("请用 -o 指定输出的 PDF 文件。"))
    db = open_database(target, create=False)
    try:
        record_id = _resolve(record, spec.latest_id, db)
        path = render_form(db, form, record_id, output)
    finally:
        db.dispose()
    print(path)
    return 0


def _resolve(record: str | None, latest: object, db: Database) -> int | None:
    if record is None:
        return None
    if record == "latest":
        if not callable(latest):
            raise DomainError(_("这个表单没有“最新一条”记录可选。"))
        found = latest(db)
        if found is None:
            raise NotFound(_("数据库里还没有可以打印的记录。"))
        return int(found)
    try:
        return int(record)
    except ValueError:
        raise DomainError(_("记录编号必须是数字或 latest。")) from None

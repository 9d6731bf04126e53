"""``clubdesk print``: any printable form to a PDF file."""

from __future__ import annotations

import re
from datetime import date
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
    member: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> int:
    """``member`` (``--member``: a member number, phone or card number) is another way
    to name the record of a member form; ``start``/``end`` (``--from``/``--to``,
    2026-01-31) the period of a form that has one."""
    from clubdesk.pdf.registry import FORMS, PrintOptions, get_form, render_form

    if list_only or not form:
        for name, spec in sorted(FORMS.items()):
            if spec.latest_by_default:
                how = _("（不指定时为本月）")
            elif spec.blank_allowed:
                how = _("（可打印空白表）")
            else:
                how = _("（需指定记录）")
            print(f"{name:28} {_(spec.title)}{how}")
        return 0 if list_only else 2
    spec = get_form(form)
    if output is None:
        raise DomainError(_("请用 -o 指定输出的 PDF 文件。"))
    if member is not None and record is not None:
        raise DomainError(_("--id 和 --member 只能用其中一个。"))
    if member is not None and spec.find_record is None:
        raise DomainError(_("这个表单不按会员打印，请用 --id 指定记录编号。"))
    options = PrintOptions(_parse_date(start, "--from"), _parse_date(end, "--to"))
    if record is None and member is None and not options.given and spec.latest_by_default:
        record = "latest"
    db = open_database(target, create=False)
    try:
        if spec.find_record is not None and member is not None:
            record_id: int | None = spec.find_record(db, member)
        elif spec.find_record is not None and record not in (None, "latest"):
            record_id = spec.find_record(db, str(record))
        else:
            record_id = _resolve(record, spec.latest_id, db)
        path = render_form(db, form, record_id, output, options)
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


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _parse_date(text: str | None, option: str) -> date | None:
    """2026-01-31, 2026/1/31 or 2026年1月31日; None stays None (the form's default)."""
    if text is None:
        return None
    match = _DATE.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise DomainError(
            _("{option} 的日期“{text}”无效，请写成 2026-01-31 这样的年-月-日。").format(
                option=option, text=text
            )
        ) from None

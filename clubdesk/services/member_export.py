"""Export the member list to .xlsx or .csv, privately and in bounded memory.

Only roles with ``MEMBER_EXPORT`` may export; phones are written in full only for
roles with ``VIEW_FULL_PHONE`` and masked (138****1234) otherwise.  Every export is
an audit entry ("member.export") with the row count and whether phones were full.

Members are read in keyset chunks of ``CHUNK_SIZE`` by id inside one read
transaction (one consistent snapshot) and streamed into an openpyxl write-only
workbook or a CSV writer, so a million members never sit in memory at once.  The
file is written under a temporary name and moved into place only when complete.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, func, select
from sqlalchemy.orm import Session, aliased

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import N_, _
from clubdesk.models import LedgerEntry, Member, MembershipCard, Tier
from clubdesk.models.enums import CardStatus, CustomerCategory, Gender
from clubdesk.privacy import mask_phone
from clubdesk.services import audit
from clubdesk.services.labels import label
from clubdesk.services.member_import import openpyxl_module, safe_csv_text, xlsx_cell
from clubdesk.services.permissions import Permission, allowed, require
from clubdesk.services.staff import StaffMember

Progress = Callable[[int, int], None]

CHUNK_SIZE = 5000
SHEET_ROWS = 1_048_575  # Excel's row limit less the header: more members start a new sheet
CSV_ENCODINGS = ("utf-8-sig", "utf-8", "gb18030", "gbk")

COLUMNS = (
    N_("卡号"),
    N_("姓名"),
    N_("手机"),
    N_("性别"),
    N_("生日"),
    N_("等级"),
    N_("客户分类"),
    N_("余额(元)"),
    N_("积分"),
    N_("入会日期"),
    N_("最近到店"),
)
_WIDTHS = (14, 12, 16, 6, 12, 10, 10, 12, 10, 12, 18)


@dataclass(frozen=True, slots=True)
class ExportRow:
    member_id: int
    card_number: str | None
    name: str
    phone: str  # already masked unless the exporter may see full phones
    gender: Gender
    birthday: date | None
    tier_name: str
    category: CustomerCategory
    balance_fen: int
    points: int
    joined_on: date
    last_visit_at: datetime | None


def _query(after_id: int, limit: int) -> Executable:
    card = aliased(MembershipCard)
    current_card = (
        select(MembershipCard.id)
        .where(MembershipCard.member_id == Member.id, MembershipCard.status != CardStatus.REPLACED)
        .order_by(MembershipCard.id.desc())
        .limit(1)
        .correlate(Member)
        .scalar_subquery()
    )
    balance = (
        select(LedgerEntry.balance_after_fen)
        .where(LedgerEntry.card_id == card.id)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
        .correlate(card)
        .scalar_subquery()
    )
    points = (
        select(LedgerEntry.points_after)
        .where(LedgerEntry.member_id == Member.id)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
        .correlate(Member)
        .scalar_subquery()
    )
    return (
        select(
            Member.id,
            card.number,
            Member.name,
            Member.phone,
            Member.gender,
            Member.birthday,
            Tier.name,
            Member.category,
            func.coalesce(balance, 0),
            func.coalesce(points, 0),
            Member.joined_on,
            Member.last_visit_at,
        )
        .join(Tier, Tier.id == Member.tier_id)
        .outerjoin(card, card.id == current_card)
        .where(Member.id > after_id)
        .order_by(Member.id)
        .limit(limit)
    )


def iter_rows(
    session: Session, *, full_phone: bool, chunk_size: int = CHUNK_SIZE
) -> Iterator[list[ExportRow]]:
    """Chunks of members in id order, keyset-paged: each chunk is one indexed range."""
    after = 0
    while True:
        chunk = [
            ExportRow(
                member_id=r[0],
                card_number=r[1],
                name=r[2],
                phone=r[3] if full_phone else mask_phone(r[3]),
                gender=r[4],
                birthday=r[5],
                tier_name=r[6],
                category=r[7],
                balance_fen=int(r[8]),
                points=int(r[9]),
                joined_on=r[10],
                last_visit_at=r[11],
            )
            for r in session.execute(_query(after, chunk_size))
        ]
        if not chunk:
            return
        yield chunk
        if len(chunk) < chunk_size:
            return
        after = chunk[-1].member_id


def _values(row: ExportRow) -> list[Any]:
    return [
        row.card_number or "",
        row.name,
        row.phone,
        label(row.gender) if row.gender != Gender.UNKNOWN else "",
        row.birthday,
        row.tier_name,
        label(row.category),
        Decimal(row.balance_fen).scaleb(-2),
        row.points,
        row.joined_on,
        row.last_visit_at.replace(microsecond=0) if row.last_visit_at else None,
    ]


def export_members(
    db: Database,
    actor: StaffMember | None,
    path: str | Path,
    *,
    progress: Progress | None = None,
    encoding: str = "utf-8-sig",
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Write every member to ``path`` (.xlsx, or .csv in ``encoding``); the row count.

    ``progress(done, total)`` is called from the calling thread after every chunk.
    """
    require(actor, Permission.MEMBER_EXPORT)
    full_phone = allowed(actor, Permission.VIEW_FULL_PHONE)
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".xlsx", ".csv"):
        raise DomainError(
            _("只能导出为 Excel 工作簿（.xlsx）或 CSV 文件（.csv），请更改文件名。"), field="path"
        )
    if kind == ".csv" and encoding not in CSV_ENCODINGS:
        raise ValueError(encoding)
    if not path.parent.is_dir():
        raise DomainError(
            _("文件夹“{folder}”不存在，请重新选择保存位置。").format(folder=path.parent),
            field="path",
        )
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".clubdesk-", suffix=kind, dir=path.parent)
    except PermissionError:
        raise DomainError(
            _("没有权限在“{folder}”中保存文件，请换一个文件夹。").format(folder=path.parent),
            field="path",
        ) from None
    os.close(fd)
    tmp = Path(tmp_name)
    moved = False
    try:
        with db.read() as session:
            total = int(session.execute(select(func.count(Member.id))).scalar_one())
            if progress:
                progress(0, total)
            chunks = iter_rows(session, full_phone=full_phone, chunk_size=chunk_size)
            if kind == ".csv":
                count = _write_csv(tmp, chunks, encoding, total, progress)
            else:
                count = _write_xlsx(tmp, chunks, total, progress)
        with db.write() as session:
            audit.record(
                session,
                actor,
                "member.export",
                "member",
                None,
                after={
                    "rows": count,
                    "full_phone": full_phone,
                    "format": kind.lstrip("."),
                    "file": path.name,
                },
            )
            os.replace(tmp, path)  # inside the transaction: no file without its audit entry
            moved = True
    except BaseException:
        if moved:
            path.unlink(missing_ok=True)  # the audit entry did not commit
        tmp.unlink(missing_ok=True)
        raise
    return count


def _headers() -> list[str]:
    return [_(c) for c in COLUMNS]


def _write_csv(
    tmp: Path,
    chunks: Iterator[list[ExportRow]],
    encoding: str,
    total: int,
    progress: Progress | None,
) -> int:
    count = 0
    with tmp.open("w", encoding=encoding, errors="replace", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(_headers())
        for chunk in chunks:
            writer.writerows(_csv_values(row) for row in chunk)
            count += len(chunk)
            if progress:
                progress(count, max(total, count))
    return count


def _csv_values(row: ExportRow) -> list[str]:
    out: list[str] = []
    for value in _values(row):
        if value is None:
            out.append("")
        elif isinstance(value, datetime):
            out.append(value.strftime("%Y-%m-%d %H:%M"))
        elif isinstance(value, date):
            out.append(value.isoformat())
        elif isinstance(value, Decimal):
            out.append(f"{value:.2f}")
        elif isinstance(value, str):
            out.append(safe_csv_text(value))
        else:
            out.append(str(value))
    return out


def _write_xlsx(
    tmp: Path, chunks: Iterator[list[ExportRow]], total: int, progress: Progress | None
) -> int:
    xl = openpyxl_module()
    book = xl.Workbook(write_only=True)
    bold = xl.styles.Font(bold=True)
    sheet: Any = None
    sheet_rows = SHEET_ROWS
    sheets = 0
    count = 0

    def new_sheet() -> Any:
        nonlocal sheets
        sheets += 1
        title = _("会员名单") if sheets == 1 else _("会员名单{n}").format(n=sheets)
        ws = book.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, width in enumerate(_WIDTHS):
            ws.column_dimensions[xl.utils.get_column_letter(i + 1)].width = width
        ws.append([xlsx_cell(ws, h, font=bold) for h in _headers()])
        return ws

    for chunk in chunks:
        for row in chunk:
            if sheet_rows >= SHEET_ROWS:
                sheet, sheet_rows = new_sheet(), 0
            sheet.append(_xlsx_values(sheet, row))
            sheet_rows += 1
        count += len(chunk)
        if progress:
            progress(count, max(total, count))
    if sheet is None:
        new_sheet()
    book.save(tmp)
    return count


def _xlsx_values(sheet: Any, row: ExportRow) -> Sequence[Any]:
    values = _values(row)
    # Only the money column and text that looks like a formula need a cell object;
    # everything else goes in as a plain value (much faster for a million rows).
    out: list[Any] = []
    for i, value in enumerate(values):
        if i == 7:
            cell = xlsx_cell(sheet, value)
            cell.number_format = "#,##0.00"
            out.append(cell)
        elif isinstance(value, str) and value.startswith("="):
            out.append(xlsx_cell(sheet, value))  # a name like "=1+1" stays text
        else:
            out.append(value)  # openpyxl gives dates their yyyy-mm-dd format itself
    return out

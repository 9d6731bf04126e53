"""Member list export: who may, masked or full phones, the audit entry, the files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, PermissionDenied
from clubdesk.models import AuditEntry, Member, Staff
from clubdesk.models.enums import Role
from clubdesk.services import member_export, member_import, members, permissions, roster
from clubdesk.services.members import MemberInput
from clubdesk.services.permissions import Permission
from clubdesk.services.staff import StaffMember

HEADER = [
    "卡号",
    "姓名",
    "手机",
    "性别",
    "生日",
    "等级",
    "客户分类",
    "余额(元)",
    "积分",
    "入会日期",
    "最近到店",
]


def make_staff(db: Database, role: Role) -> StaffMember:
    with db.write() as s:
        row = Staff(username=f"t_{role.value}", display_name=f"测试{role.value}", role=role)
        s.add(row)
        s.flush()
        return StaffMember(row.id, row.username, row.display_name, row.role)


def member_count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count(Member.id))).scalar_one())


def export_audits(db: Database) -> list[tuple[int | None, dict[str, object]]]:
    with db.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "member.export"))
        return [(e.staff_id, json.loads(e.after or "{}")) for e in entries]


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """A folder of its own (the test database lives in tmp_path)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def xlsx_rows(path: Path) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.SUPERVISOR, Role.COACH])
def test_roles_below_manager_may_not_export(seeded_db: Database, out_dir: Path, role: Role) -> None:
    actor = make_staff(seeded_db, role)
    out = out_dir / "members.xlsx"
    with pytest.raises(PermissionDenied) as info:
        member_export.export_members(seeded_db, actor, out)
    assert "导出会员名单" in info.value.message
    assert not out.exists() and list(out_dir.iterdir()) == []
    assert export_audits(seeded_db) == []


def test_a_manager_exports_every_member_with_full_phones(
    seeded_db: Database, out_dir: Path
) -> None:
    manager = make_staff(seeded_db, Role.MANAGER)
    out = out_dir / "members.xlsx"
    seen: list[tuple[int, int]] = []
    count = member_export.export_members(
        seeded_db,
        manager,
        out,
        progress=lambda done, total: seen.append((done, total)),
        chunk_size=64,  # several keyset chunks
    )
    total = member_count(seeded_db)
    assert count == total > 64
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert len(seen) == 1 + -(-total // 64)
    rows = xlsx_rows(out)
    assert list(rows[0]) == HEADER
    assert len(rows) == 1 + total
    with seeded_db.read() as s:
        expected = s.execute(select(Member.id, Member.phone, Member.name).order_by(Member.id)).all()
    assert [(r[1], r[2]) for r in rows[1:]] == [(name, phone) for _id, phone, name in expected]
    assert list(out_dir.iterdir()) == [out]  # no temporary file left behind
    ((staff_id, detail),) = export_audits(seeded_db)
    assert staff_id == manager.id
    assert detail == {"rows": total, "full_phone": True, "format": "xlsx", "file": "members.xlsx"}


def test_exported_columns_match_the_roster(seeded_db: Database, out_dir: Path) -> None:
    admin = make_staff(seeded_db, Role.ADMIN)
    out = out_dir / "m.xlsx"
    member_export.export_members(seeded_db, admin, out)
    by_name_phone = {(r[1], r[2]): r for r in xlsx_rows(out)[1:]}
    checked = 0
    for row in roster.page(seeded_db, limit=50):
        profile = roster.profile(seeded_db, row.id)
        line = by_name_phone[(profile.name, profile.phone)]
        assert line[0] == (row.card_number or None)
        assert line[5] == row.tier_name
        assert Decimal(str(line[7])) == Decimal(row.balance_fen) / 100
        assert line[8] == row.points
        assert line[9] is not None and line[9].date() == profile.joined_on  # type: ignore[attr-defined]
        birthday = line[4]
        assert (birthday.date() if birthday else None) == profile.birthday  # type: ignore[attr-defined]
        checked += 1
    assert checked == 50


def test_phones_are_masked_for_a_role_without_full_phone_rights(
    seeded_db: Database, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Today every exporting role may see full phones; the rule must hold if that changes.
    monkeypatch.setitem(
        permissions.ROLE_PERMISSIONS, Role.MANAGER, frozenset({Permission.MEMBER_EXPORT})
    )
    manager = make_staff(seeded_db, Role.MANAGER)
    out = out_dir / "masked.csv"
    count = member_export.export_members(seeded_db, manager, out)
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert lines[0] == HEADER and len(lines) == 1 + count
    phones = [line[2] for line in lines[1:]]
    assert all("****" in p for p in phones)
    with seeded_db.read() as s:
        full = set(s.scalars(select(Member.phone)))
    assert not full & set(phones)
    ((_staff, detail),) = export_audits(seeded_db)
    assert detail["full_phone"] is False and detail["rows"] == count


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_export_reads_back_through_the_import(
    seeded_db: Database, out_dir: Path, encoding: str
) -> None:
    manager = make_staff(seeded_db, Role.DIRECTOR)
    out = out_dir / "members.csv"
    count = member_export.export_members(seeded_db, manager, out, encoding=encoding)
    if encoding == "gb18030":
        assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
    table = member_import.read_table(out)
    assert list(table.headers) == HEADER
    assert len(table.rows) == count == member_count(seeded_db)
    results = member_import.parse(table, member_import.guess_mapping(table.headers))
    assert all(r.ok for r in results), [r.errors for r in results if not r.ok][:3]


def test_an_empty_roster_exports_only_the_header(db: Database, out_dir: Path) -> None:
    manager = make_staff(db, Role.MANAGER)
    out = out_dir / "empty.xlsx"
    assert member_export.export_members(db, manager, out) == 0
    assert [list(r) for r in xlsx_rows(out)] == [HEADER]
    assert export_audits(db)[0][1]["rows"] == 0


def test_a_formula_looking_name_is_exported_as_text(db: Database, out_dir: Path) -> None:
    manager = make_staff(db, Role.MANAGER)
    members.create(db, manager, MemberInput(name="=HYPERLINK(1)", phone="13800138000"))
    xlsx, text = out_dir / "f.xlsx", out_dir / "f.csv"
    member_export.export_members(db, manager, xlsx)
    member_export.export_members(db, manager, text)
    cell = openpyxl.load_workbook(xlsx).worksheets[0]["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"
    assert "'=HYPERLINK(1)" in text.read_text(encoding="utf-8-sig")


def test_sheets_roll_over_at_the_row_limit(
    db: Database, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = make_staff(db, Role.MANAGER)
    for i in range(5):
        members.create(db, manager, MemberInput(name=f"会员{i}", phone=f"1380000{i:04d}"))
    monkeypatch.setattr(member_export, "SHEET_ROWS", 2)
    out = out_dir / "split.xlsx"
    assert member_export.export_members(db, manager, out) == 5
    book = openpyxl.load_workbook(out, read_only=True)
    sizes = [len(list(sheet.iter_rows(values_only=True))) for sheet in book.worksheets]
    book.close()
    assert sizes == [3, 3, 2]  # each sheet has its header


def test_bad_targets_are_refused_with_a_sentence(db: Database, out_dir: Path) -> None:
    manager = make_staff(db, Role.MANAGER)
    with pytest.raises(DomainError) as info:
        member_export.export_members(db, manager, out_dir / "members.pdf")
    assert ".xlsx" in info.value.message
    with pytest.raises(DomainError) as missing:
        member_export.export_members(db, manager, out_dir / "nowhere" / "m.xlsx")
    assert "不存在" in missing.value.message
    assert export_audits(db) == []


def test_a_failed_audit_leaves_no_file(
    db: Database, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = make_staff(db, Role.MANAGER)
    members.create(
        db, manager, MemberInput(name="张三", phone="13800138000", joined_on=date.today())
    )

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise DomainError("审计日志写入失败。")

    monkeypatch.setattr(member_export.audit, "record", refuse)
    out = out_dir / "m.xlsx"
    with pytest.raises(DomainError):
        member_export.export_members(db, manager, out)
    assert list(out_dir.iterdir()) == []

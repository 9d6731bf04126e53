"""Member list import: a messy spreadsheet, both modes, both duplicate choices, CSV
encodings, the error report, and nothing written when all-or-nothing meets a bad row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, PermissionDenied
from clubdesk.models import AuditEntry, Member, MemberSearchTerm, Staff
from clubdesk.models.enums import Gender, Role
from clubdesk.services import member_import as mi
from clubdesk.services import members
from clubdesk.services.members import MemberInput
from clubdesk.services.staff import StaffMember

TODAY = date(2026, 11, 23)
EXISTING_PHONE = "13900000001"

HEADERS = ["会员卡号", "会员姓名", "手机号码", "性别", "出生日期", "微信", "入会时间", "备注"]
# (cells, what the row is about); the title line and an empty line come first.
MESSY_ROWS: list[tuple[list[object], str]] = [
    (["A001", "张三", "138 0013 8000", "男", "1990/3/5", "zhangsan", "2024-03-05", None], "ok"),
    ([None] * 8, "empty"),
    (["A002", "李四", "139-0013-9000", "F", datetime(1985, 6, 7), None, "2024.3.5", None], "ok"),
    (["A003", "王五", "１３７００１３７０００", "female", "19880910", None, 45356, "VIP"], "ok"),
    (["A004", "赵六", "+86 136 0013 6000", "M", "1992年3月5日", None, None, None], "ok"),
    (["A005", "钱七", 13500135000, None, 33000, None, None, "  喜欢安静  "], "ok"),
    (["A006", "孙八", "138-0013-8000", "男", None, None, None, None], "dup_in_file"),
    (["A007", "周九", "12345", "男", None, None, None, None], "bad_phone"),
    (["A008", "吴十", EXISTING_PHONE, "女", "1970-01-02", "wu10", None, "从旧系统导入"], "in_db"),
    (["A009", "郑十一", "13300133000", "不男不女", "明年", None, None, None], "bad_cells"),
    ([None, None, None, None, None, None, None, None], "empty"),
]
N_OK = sum(1 for _cells, kind in MESSY_ROWS if kind == "ok")
N_BAD = sum(1 for _cells, kind in MESSY_ROWS if kind in {"dup_in_file", "bad_phone", "bad_cells"})


def make_staff(db: Database, role: Role) -> StaffMember:
    with db.write() as s:
        row = Staff(username=f"u_{role.value}", display_name=f"测试{role.value}", role=role)
        s.add(row)
        s.flush()
        return StaffMember(row.id, row.username, row.display_name, row.role)


def write_xlsx(path: Path, headers: Sequence[object], rows: Sequence[Sequence[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["会员名单（旧系统导出）"])
    sheet.append([])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


@pytest.fixture
def supervisor(db: Database) -> StaffMember:
    return make_staff(db, Role.SUPERVISOR)


@pytest.fixture
def existing(db: Database, supervisor: StaffMember) -> int:
    """A member already in the database, with an empty WeChat and gender."""
    return members.create(
        db,
        supervisor,
        MemberInput(name="吴老十", phone=EXISTING_PHONE, notes="老会员"),
        today=TODAY,
    )


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "旧系统.xlsx", HEADERS, [cells for cells, _kind in MESSY_ROWS])


def parsed(path: Path) -> tuple[mi.RawTable, list[mi.RowResult]]:
    table = mi.read_table(path)
    return table, mi.parse(table, mi.guess_mapping(table.headers), today=TODAY)


def member_count(db: Database) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count(Member.id))).scalar_one())


def audit_actions(db: Database, action: str) -> list[tuple[int | None, int | None, dict]]:
    """(staff id, entity id, the "after" JSON) of each entry for ``action``."""
    with db.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        return [(e.staff_id, e.entity_id, json.loads(e.after or "{}")) for e in entries]


# -- reading and mapping ------------------------------------------------------------------


def test_the_messy_sheet_is_read_below_its_title_with_empty_rows_dropped(messy: Path) -> None:
    table = mi.read_table(messy)
    assert table.headers == tuple(HEADERS)
    assert table.header_row == 3
    non_empty = [kind for _cells, kind in MESSY_ROWS if kind != "empty"]
    assert len(table.rows) == len(non_empty)
    assert table.rows[0].number == 4  # numbers are the file's, as Excel shows them
    assert table.rows[1].number == 6  # the empty row 5 is gone but not renumbered
    assert table.rows[1].cells[4] == datetime(1985, 6, 7)  # a real date cell
    assert mi.guess_mapping(table.headers) == {
        "card_number": 0,
        "name": 1,
        "phone": 2,
        "gender": 3,
        "birthday": 4,
        "wechat": 5,
        "joined_on": 6,
        "notes": 7,
    }


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Name", "Mobile Phone", "Gender", "Date of Birth", "E-mail", "Remarks", "Card No."],
            {
                "name": 0,
                "phone": 1,
                "gender": 2,
                "birthday": 3,
                "email": 4,
                "notes": 5,
                "card_number": 6,
            },
        ),
        (
            ["客户姓名*", "联系电话（必填）", "紧急联系人", "年龄", "消费偏好", "特殊要求", "境外"],
            {
                "name": 0,
                "phone": 1,
                "age": 3,
                "preferences": 4,
                "special_needs": 5,
                "foreign_phone": 6,
            },
        ),
        # An exact header wins over one that merely contains a known word.
        (["紧急联系人电话", "姓名", "手机"], {"name": 1, "phone": 2}),
        (["备注", "错误说明"], {"notes": 0}),
    ],
)
def test_headers_in_chinese_or_english_are_recognised(
    headers: list[str], expected: dict[str, int]
) -> None:
    assert mi.guess_mapping(headers) == expected


def test_a_missing_phone_column_is_refused_before_any_row_is_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "no_phone.xlsx", ["姓名", "性别"], [["张三", "男"]])
    table = mi.read_table(path)
    with pytest.raises(DomainError) as info:
        mi.parse(table, mi.guess_mapping(table.headers), today=TODAY)
    assert info.value.field == "phone"
    assert "手机号" in info.value.message
    with pytest.raises(DomainError) as both:
        mi.check_mapping({}, table.headers)
    assert "姓名" in both.value.message and "手机号" in both.value.message


def test_a_column_mapped_twice_is_refused() -> None:
    with pytest.raises(DomainError) as info:
        mi.check_mapping({"name": 0, "phone": 1, "wechat": 1}, ["姓名", "手机", "x"])
    assert info.value.field == "wechat"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("2024.3.5", date(2024, 3, 5)),
        ("20240305", date(2024, 3, 5)),
        ("2024年3月5日", date(2024, 3, 5)),
        ("２０２４年３月５日", date(2024, 3, 5)),
        ("2024-03-05 14:30:00", date(2024, 3, 5)),
        (datetime(2024, 3, 5, 0, 0), date(2024, 3, 5)),
        (date(2024, 3, 5), date(2024, 3, 5)),
        (45356, date(2024, 3, 5)),  # the Excel serial number of that day
        (45356.75, date(2024, 3, 5)),
        ("45356", date(2024, 3, 5)),
        (20240305, date(2024, 3, 5)),
        ("2024-02-30", None),
        ("1990", None),  # only a year
        (1990, None),
        ("三月五日", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_the_usual_forms(value: mi.Cell, expected: date | None) -> None:
    assert mi.parse_date(value) == expected


# -- parsing ------------------------------------------------------------------------------


def test_rows_are_cleaned_and_bad_rows_say_why(messy: Path) -> None:
    _table, results = parsed(messy)
    kinds = [kind for _cells, kind in MESSY_ROWS if kind != "empty"]
    assert len(results) == len(kinds)
    by_kind = dict(zip(kinds, results, strict=False))
    ok = [r for r, kind in zip(results, kinds, strict=True) if kind in {"ok", "in_db"}]
    assert all(r.ok and r.input is not None for r in ok)
    phones = [r.input.phone for r in ok if r.input]
    assert phones == [
        "13800138000",
        "13900139000",
        "13700137000",
        "13600136000",
        "13500135000",
        EXISTING_PHONE,
    ]
    zhang, li, wang, zhao, qian, wu = (r.input for r in ok)
    assert zhang and zhang.gender == Gender.MALE and zhang.birthday == date(1990, 3, 5)
    assert zhang.joined_on == date(2024, 3, 5) and zhang.wechat == "zhangsan"
    assert zhang.notes == "原卡号:A001"  # the old card number is kept as a note (NFKC)
    assert li and li.gender == Gender.FEMALE and li.birthday == date(1985, 6, 7)
    assert li.joined_on == date(2024, 3, 5)
    assert wang and wang.gender == Gender.FEMALE and wang.birthday == date(1988, 9, 10)
    assert wang.joined_on == date(2024, 3, 5) and wang.notes == "VIP;原卡号:A003"
    assert zhao and zhao.birthday == date(1992, 3, 5) and zhao.joined_on == TODAY
    assert qian and qian.gender == Gender.UNKNOWN and qian.birthday == date(1990, 5, 7)
    assert qian.notes == "喜欢安静;原卡号:A005"
    assert wu and wu.wechat == "wu10"

    dup = by_kind["dup_in_file"]
    assert dup.input is None and "第 4 行" in dup.errors[0] and "重复" in dup.errors[0]
    bad_phone = by_kind["bad_phone"]
    assert bad_phone.input is None and "12345" in bad_phone.errors[0]
    bad_cells = by_kind["bad_cells"]
    assert bad_cells.input is None and len(bad_cells.errors) == 2
    assert any("性别" in e and "不男不女" in e for e in bad_cells.errors)
    assert any("生日" in e and "明年" in e for e in bad_cells.errors)


def test_a_phone_excel_turned_into_scientific_notation_is_explained() -> None:
    table = mi.RawTable(("姓名", "手机"), (mi.RawRow(2, ("张三", "1.38001E+10")),))
    (result,) = mi.parse(table, {"name": 0, "phone": 1}, today=TODAY)
    assert result.input is None and "科学计数法" in result.errors[0]


def test_foreign_numbers_are_kept_as_typed() -> None:
    table = mi.RawTable(
        ("姓名", "电话", "境外"),
        (
            mi.RawRow(2, ("Tom", "+44 7911 123456", None)),
            mi.RawRow(3, ("Ann", "0044 7911 654321", "是")),
            mi.RawRow(4, ("Li", "13800138000", "maybe")),
        ),
    )
    results = mi.parse(table, mi.guess_mapping(table.headers), today=TODAY)
    assert results[0].input and results[0].input.foreign_phone
    assert results[0].input.phone == "+447911123456"
    assert results[1].input and results[1].input.foreign_phone
    assert not results[2].ok and "maybe" in results[2].errors[0]


# -- importing ----------------------------------------------------------------------------


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(
    db: Database, supervisor: StaffMember, existing: int, messy: Path
) -> None:
    _table, results = parsed(messy)
    before = member_count(db)
    report = mi.run_import(db, supervisor, results, valid_only=False, on_duplicate="merge")
    assert report.aborted
    assert report.failed == N_BAD
    assert report.created == report.merged == report.skipped == 0
    assert member_count(db) == before
    assert audit_actions(db, "member.import") == []
    with db.read() as s:
        wu = s.get(Member, existing)
        assert wu is not None and wu.wechat is None and wu.version == 1


def test_all_or_nothing_imports_a_clean_file_in_one_go(
    db: Database, supervisor: StaffMember, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "clean.xlsx",
        ["姓名", "手机"],
        [["甲", "13800000001"], ["乙", "13800000002"], ["丙", "13800000003"]],
    )
    _table, results = parsed(path)
    seen: list[tuple[int, int]] = []
    report = mi.run_import(
        db,
        supervisor,
        results,
        valid_only=False,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert (report.created, report.failed, report.aborted) == (3, 0, False)
    assert member_count(db) == 3
    assert seen[-1] == (3, 3)
    with db.read() as s:
        terms = s.scalars(select(MemberSearchTerm.term)).all()
    assert "n甲" in terms  # members are findable like hand-registered ones


def test_valid_rows_only_and_skip_leaves_the_existing_member_alone(
    db: Database, supervisor: StaffMember, existing: int, messy: Path
) -> None:
    _table, results = parsed(messy)
    before = member_count(db)
    report = mi.run_import(
        db, supervisor, results, valid_only=True, on_duplicate="skip", file_name="旧系统.xlsx"
    )
    assert (report.created, report.merged, report.skipped, report.failed) == (N_OK, 0, 1, N_BAD)
    assert member_count(db) == before + N_OK
    with db.read() as s:
        wu = s.get(Member, existing)
        assert wu is not None
        assert (wu.name, wu.wechat, wu.gender, wu.version) == ("吴老十", None, Gender.UNKNOWN, 1)
        zhang = s.scalars(select(Member).where(Member.phone == "13800138000")).one()
        assert zhang.name == "张三" and zhang.birthday_mmdd == "0305"
        assert zhang.joined_on == date(2024, 3, 5)
    ((staff_id, _none, counts),) = audit_actions(db, "member.import")
    assert staff_id == supervisor.id
    assert counts["created"] == N_OK and counts["skipped"] == 1 and counts["failed"] == N_BAD
    assert counts["file"] == "旧系统.xlsx" and counts["mode"] == "valid_only"
    assert len(audit_actions(db, "member.create")) == N_OK + 1  # plus the existing member


def test_merge_fills_only_empty_fields_and_bumps_the_version(
    db: Database, supervisor: StaffMember, existing: int, messy: Path
) -> None:
    _table, results = parsed(messy)
    report = mi.run_import(db, supervisor, results, valid_only=True, on_duplicate="merge")
    assert (report.created, report.merged, report.updated, report.skipped) == (N_OK, 1, 1, 0)
    with db.read() as s:
        wu = s.get(Member, existing)
        assert wu is not None
        assert wu.name == "吴老十"  # never overwritten
        assert wu.notes == "老会员"  # not empty, so kept
        assert wu.wechat == "wu10" and wu.gender == Gender.FEMALE
        assert wu.birthday == date(1970, 1, 2) and wu.birthday_mmdd == "0102"
        assert wu.version == 2
    ((_staff, merged_id, filled),) = audit_actions(db, "member.import_merge")
    assert merged_id == existing
    assert set(filled) == {"wechat", "gender", "birthday"}
    # Importing the same file again finds nothing more to fill: no new version.
    again = mi.run_import(db, supervisor, results, valid_only=True, on_duplicate="merge")
    assert (again.created, again.merged, again.updated) == (0, N_OK + 1, 0)
    with db.read() as s:
        wu = s.get(Member, existing)
        assert wu is not None and wu.version == 2


def test_valid_only_commits_in_batches_with_real_progress(
    db: Database, supervisor: StaffMember, tmp_path: Path
) -> None:
    rows = [[f"会员{i}", f"1380000{i:04d}"] for i in range(7)]
    path = write_xlsx(tmp_path / "seven.xlsx", ["姓名", "手机"], rows)
    _table, results = parsed(path)
    seen: list[tuple[int, int]] = []
    report = mi.run_import(
        db,
        supervisor,
        results,
        valid_only=True,
        batch_size=3,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert report.created == 7
    assert [done for done, _total in seen] == list(range(8))
    assert {total for _done, total in seen} == {7}
    ((_staff, _none, counts),) = audit_actions(db, "member.import")
    assert counts["batches"] == 3 and counts["created"] == 7


def test_a_failing_batch_keeps_the_earlier_batches_and_says_so(
    db: Database, supervisor: StaffMember, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[f"会员{i}", f"1380000{i:04d}"] for i in range(5)]
    _table, results = parsed(write_xlsx(tmp_path / "five.xlsx", ["姓名", "手机"], rows))
    real_add = mi.add_member
    calls = 0

    def flaky(session, actor, clean):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 4:
            raise DomainError("数据库忙，请稍后再试。")
        return real_add(session, actor, clean)

    monkeypatch.setattr(mi, "add_member", flaky)
    with pytest.raises(mi.ImportInterrupted) as info:
        mi.run_import(db, supervisor, results, valid_only=True, batch_size=2)
    assert info.value.report.created == 2  # the first batch of two was committed
    assert "2 位新会员" in info.value.message and "数据库忙" in info.value.message
    assert member_count(db) == 2  # the second batch rolled back as a whole
    ((_staff, _none, counts),) = audit_actions(db, "member.import")
    assert counts["interrupted"] is True and counts["created"] == 2


def test_front_desk_may_not_import(db: Database, tmp_path: Path) -> None:
    clerk = make_staff(db, Role.FRONT_DESK)
    _table, results = parsed(
        write_xlsx(tmp_path / "a.xlsx", ["姓名", "手机"], [["甲", "13800000001"]])
    )
    with pytest.raises(PermissionDenied):
        mi.run_import(db, clerk, results, valid_only=True)
    assert member_count(db) == 0


# -- the error report ---------------------------------------------------------------------


def test_error_report_has_the_original_columns_and_an_error_column(
    messy: Path, tmp_path: Path
) -> None:
    table, results = parsed(messy)
    out = tmp_path / "错误行.xlsx"
    assert mi.write_error_report(out, table, results) == N_BAD
    sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS, "错误说明"]
    assert len(rows) == 1 + N_BAD
    names = [r[1] for r in rows[1:]]
    assert names == ["孙八", "周九", "郑十一"]
    assert rows[2][2] == "12345" and "第 11 行" in str(rows[2][-1])
    assert all(r[-1] for r in rows[1:])
    # The report can be fixed and imported again: its error column is not mapped.
    again = mi.read_table(out)
    assert mi.guess_mapping(again.headers)["notes"] == HEADERS.index("备注")
    assert len(HEADERS) not in mi.guess_mapping(again.headers).values()


def test_error_report_as_csv(messy: Path, tmp_path: Path) -> None:
    table, results = parsed(messy)
    out = tmp_path / "errors.csv"
    mi.write_error_report(out, table, results)
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0].endswith("错误说明")
    assert len(text.splitlines()) == 1 + N_BAD


def test_a_formula_looking_name_stays_text_in_the_report(tmp_path: Path) -> None:
    table = mi.RawTable(("姓名", "手机"), (mi.RawRow(2, ("=1+1", "123")),))
    results = mi.parse(table, {"name": 0, "phone": 1}, today=TODAY)
    out = tmp_path / "e.xlsx"
    mi.write_error_report(out, table, results)
    cell = openpyxl.load_workbook(out).worksheets[0]["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


# -- CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig", "utf-16"])
def test_csv_in_the_encodings_excel_writes(
    db: Database, supervisor: StaffMember, tmp_path: Path, encoding: str
) -> None:
    text = (
        "姓名,手机,性别,生日\r\n张三,138 0013 8000,男,1990/3/5\r\n,,,\r\n李四,13900139000,女,\r\n"
    )
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode(encoding))
    table = mi.read_table(path)
    assert table.headers == ("姓名", "手机", "性别", "生日")
    results = mi.parse(table, mi.guess_mapping(table.headers), today=TODAY)
    assert [r.input.name for r in results if r.input] == ["张三", "李四"]
    report = mi.run_import(db, supervisor, results, valid_only=False)
    assert report.created == 2
    with db.read() as s:
        zhang = s.scalars(select(Member).where(Member.phone == "13800138000")).one()
        assert zhang.name == "张三" and zhang.birthday == date(1990, 3, 5)


def test_tab_separated_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Name\tPhone\nTom\t13800138000\n", encoding="utf-8")
    table = mi.read_table(path)
    assert table.headers == ("Name", "Phone") and table.rows[0].cells == ("Tom", "13800138000")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls"),
        ("broken.xlsx", b"not a zip", "不是有效的 Excel"),
        ("notes.pdf", b"%PDF", ".xlsx"),
        ("empty.csv", b"", "没有任何内容"),
        ("binary.csv", bytes(range(128, 256)) * 4, "编码"),
    ],
)
def test_unreadable_files_are_refused_with_a_sentence(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DomainError) as info:
        mi.read_table(path)
    assert words in info.value.message


def test_existing_members_are_found_for_the_preview(db: Database, existing: int) -> None:
    found = mi.existing_members(db, [EXISTING_PHONE, "13800138000"])
    assert found == {EXISTING_PHONE: (existing, "吴老十")}

"""Import a member list exported from another system (.xlsx or .csv).

The steps, each usable on its own so the dialog can show what happens in between:

1. ``read_table``: the file's header row and data rows (empty rows dropped), cells as
   text, numbers or dates.  CSV may be UTF-8 (with or without BOM), UTF-16 (Excel's
   "Unicode text") or GBK/GB18030 (what Chinese Excel writes).
2. ``guess_mapping``: which column holds which member field, from Chinese or English
   headers; the user may correct it.  ``check_mapping`` refuses a mapping without the
   name or phone column before any row is read.
3. ``parse``: every row cleaned and validated like the profile form does it (phones
   normalised, dates in the usual Chinese and Excel forms, 男/女/M/F), with the row's
   errors as Chinese sentences and phones repeated inside the file flagged.
4. ``run_import``: all or nothing (one transaction, nothing written if any row has an
   error) or only the valid rows (batches of ``BATCH_SIZE``, each one transaction, so
   the progress bar is real).  A phone that is already a member is skipped, or merged:
   the member's empty fields are filled from the file, filled ones are never
   overwritten.
5. ``write_error_report``: the rows with errors, original columns plus 错误说明, for
   the user to fix and import again.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, DomainError
from clubdesk.i18n import N_, _
from clubdesk.models import Member
from clubdesk.models.enums import Gender
from clubdesk.services import audit
from clubdesk.services.members import MemberInput, add_member, normalise_phone, validate
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember

Cell = str | int | float | date | datetime | None
Progress = Callable[[int, int], None]
OnDuplicate = Literal["skip", "merge"]

BATCH_SIZE = 500
ERROR_COLUMN = N_("错误说明")
_HEADER_SCAN_ROWS = 10  # a title line or two above the header row is common
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31


def openpyxl_module() -> Any:
    """openpyxl, imported on first use: the main window starts without it."""
    import openpyxl  # type: ignore[import-untyped]

    return openpyxl


# -- the fields a column can hold --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportField:
    key: str
    label: str  # N_-marked; translate with _() when shown
    aliases: tuple[str, ...]  # normalised header texts (see _header_key)
    required: bool = False


FIELDS: tuple[ImportField, ...] = (
    ImportField(
        "name",
        N_("姓名"),
        (
            "姓名",
            "会员姓名",
            "客户姓名",
            "顾客姓名",
            "名字",
            "客户名称",
            "会员名称",
            "name",
            "fullname",
            "membername",
            "customername",
        ),
        required=True,
    ),
    ImportField(
        "phone",
        N_("手机号"),
        (
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "电话号码",
            "联系电话",
            "联系方式",
            "移动电话",
            "会员手机",
            "会员手机号",
            "客户手机",
            "mobile",
            "mobilephone",
            "mobileno",
            "phone",
            "phonenumber",
            "phoneno",
            "tel",
            "telephone",
            "cellphone",
            "cell",
        ),
        required=True,
    ),
    ImportField(
        "foreign_phone",
        N_("境外号码"),
        (
            "境外",
            "境外号码",
            "境外手机",
            "是否境外",
            "海外号码",
            "foreign",
            "foreignphone",
            "international",
            "overseas",
        ),
    ),
    ImportField("gender", N_("性别"), ("性别", "gender", "sex")),
    ImportField(
        "birthday",
        N_("生日"),
        (
            "生日",
            "出生日期",
            "出生年月日",
            "出生年月",
            "生辰",
            "birthday",
            "birthdate",
            "dateofbirth",
            "dob",
        ),
    ),
    ImportField("age", N_("年龄"), ("年龄", "岁数", "age")),
    ImportField("wechat", N_("微信号"), ("微信", "微信号", "wechat", "wechatid", "weixin", "wx")),
    ImportField(
        "email",
        N_("电子邮箱"),
        ("邮箱", "电子邮箱", "电子邮件", "邮件", "email", "e-mail", "mail", "emailaddress"),
    ),
    ImportField(
        "preferences",
        N_("消费偏好"),
        ("消费偏好", "偏好", "喜好", "爱好", "preferences", "preference"),
    ),
    ImportField(
        "special_needs",
        N_("特殊需求"),
        ("特殊需求", "特殊要求", "需求", "specialneeds", "specialrequests", "needs"),
    ),
    ImportField(
        "notes",
        N_("备注"),
        ("备注", "附注", "notes", "note", "remark", "remarks", "comment", "comments", "memo"),
    ),
    ImportField(
        "joined_on",
        N_("入会日期"),
        (
            "入会日期",
            "入会时间",
            "开卡日期",
            "开卡时间",
            "注册日期",
            "注册时间",
            "办卡日期",
            "加入日期",
            "joined",
            "joindate",
            "joinedon",
            "datejoined",
            "registered",
            "registrationdate",
            "since",
        ),
    ),
    ImportField(
        "card_number",
        N_("原卡号（记入备注）"),
        (
            "卡号",
            "会员卡号",
            "会员编号",
            "卡片号码",
            "card",
            "cardno",
            "cardnumber",
            "membercard",
            "memberno",
            "membershipno",
        ),
    ),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
REQUIRED_FIELDS = tuple(f.key for f in FIELDS if f.required)
_MERGE_FIELDS = (
    "gender",
    "birthday",
    "age",
    "wechat",
    "email",
    "preferences",
    "special_needs",
    "notes",
)


# -- reading the file --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawRow:
    number: int  # the row's number in the file (the header row is usually 1)
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class RawTable:
    headers: tuple[str, ...]
    rows: tuple[RawRow, ...]
    header_row: int = 1  # the header's row number in the file

    def column_names(self) -> list[str]:
        """Headers as the mapping combo shows them: ``B · 手机号``."""
        return [f"{_column_letter(i)} · {h}" for i, h in enumerate(self.headers)]


def read_table(path: str | Path) -> RawTable:
    """The first sheet of an .xlsx, or a .csv file, as headers and non-empty rows."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise DomainError(
            _(
                "“{file}”是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入。"
            ).format(file=path.name)
        )
    if suffix not in _XLSX_SUFFIXES and suffix not in {".csv", ".txt"}:
        raise DomainError(
            _("无法导入“{file}”：只支持 Excel 工作簿（.xlsx）和 CSV 文件。").format(file=path.name)
        )
    try:
        raw = _read_xlsx(path) if suffix in _XLSX_SUFFIXES else _read_csv(path)
    except FileNotFoundError:
        raise DomainError(_("找不到文件“{file}”。").format(file=path)) from None
    except PermissionError:
        raise DomainError(
            _("无法读取“{file}”：文件可能正在 Excel 中打开，请关闭后重试。").format(file=path.name)
        ) from None
    return _table(raw, path.name)


def _read_xlsx(path: Path) -> list[tuple[int, list[Cell]]]:
    try:
        with warnings.catch_warnings():
            # Files written by other programs often lack styles Excel would add; openpyxl
            # warns about it, the data are fine.
            warnings.simplefilter("ignore")
            book = openpyxl_module().load_workbook(path, read_only=True, data_only=True)
    except (FileNotFoundError, PermissionError):
        raise
    except Exception:
        raise DomainError(
            _(
                "“{file}”不是有效的 Excel 工作簿，可能已损坏。请用 Excel 打开后另存为 .xlsx 再试。"
            ).format(file=path.name)
        ) from None
    try:
        sheet = book.worksheets[0]
        # Some exporters write a wrong (or no) sheet size; read what is really there.
        sheet.reset_dimensions()
        rows: list[tuple[int, list[Cell]]] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = _trimmed([_cell(v) for v in values])
                if cells:
                    rows.append((number, cells))
        return rows
    finally:
        book.close()


def _read_csv(path: Path) -> list[tuple[int, list[Cell]]]:
    text = decode_csv(path.read_bytes(), path.name)
    sample = text[:4096]
    delimiter = ","
    if sample:
        counts = {d: sample.count(d) for d in (",", "\t", ";")}
        first_line = sample.splitlines()[0] if sample.splitlines() else ""
        line_counts = {d: first_line.count(d) for d in counts}
        delimiter = max(line_counts, key=lambda d: (line_counts[d], counts[d]))
        if line_counts[delimiter] == 0:
            delimiter = ","
    rows: list[tuple[int, list[Cell]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            cells = _trimmed([v.strip() or None for v in values])
            if cells:
                rows.append((number, cells))
    except csv.Error:
        raise DomainError(
            _("“{file}”的 CSV 格式有误（引号不配对），请用 Excel 打开后重新保存再试。").format(
                file=path.name
            )
        ) from None
    return rows


def decode_csv(data: bytes, name: str = "") -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, or GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError(
            _(
                "无法识别“{file}”的文字编码。请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入。"
            ).format(file=name)
        ) from None


def _cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, date)):  # datetime is a date
        return value
    if isinstance(value, (time, timedelta)):
        return str(value)
    return str(value).strip() or None


def _trimmed(cells: list[Cell]) -> list[Cell]:
    """Without trailing empty cells (a sheet formatted to column XFD has 16,384 of them)."""
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells[:end]


def _table(raw: list[tuple[int, list[Cell]]], name: str) -> RawTable:
    if not raw:
        raise DomainError(_("“{file}”里没有任何内容。").format(file=name))
    # The header is the row (among the first few) that names the most known fields;
    # without any known name, the first non-empty row.
    best, best_score = 0, 0
    for i, (_number, cells) in enumerate(raw[:_HEADER_SCAN_ROWS]):
        score = len(guess_mapping([_text_of(c) for c in cells]))
        if score > best_score:
            best, best_score = i, score
    header_number, header_cells = raw[best]
    width = max(len(cells) for _n, cells in raw[best:])
    headers = tuple(
        _text_of(header_cells[i])
        if i < len(header_cells) and header_cells[i] is not None
        else _("第 {n} 列").format(n=i + 1)
        for i in range(width)
    )
    rows = tuple(
        RawRow(number, (*cells, *(None,) * (width - len(cells))))
        for number, cells in raw[best + 1 :]
    )
    return RawTable(headers, rows, header_number)


# -- mapping columns to fields -----------------------------------------------------------

_BRACKETS = re.compile(r"[(（\[【<《].*?[)）\]】>》]")
_HEADER_NOISE = re.compile(r"[\s*＊:：_\-./·•]+")


def _header_key(text: str) -> str:
    key = unicodedata.normalize("NFKC", text).lower()
    key = _BRACKETS.sub("", key)
    return _HEADER_NOISE.sub("", key)


_ALIAS_KEYS = {f.key: tuple(dict.fromkeys(_header_key(a) for a in f.aliases)) for f in FIELDS}


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """Field key → column index, for the headers recognised (each column used once).

    Exact header names win over headers that merely contain a known name
    (“会员手机号” is the phone; “紧急联系人电话” is only taken if nothing better is).
    """
    keys = [_header_key(h or "") for h in headers]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    error_key = _header_key(ERROR_COLUMN)
    for key in (k for k in keys if k == error_key):
        used.add(keys.index(key))
    for f in FIELDS:
        for alias in _ALIAS_KEYS[f.key]:
            hit = next((i for i, k in enumerate(keys) if k == alias and i not in used), None)
            if hit is not None:
                mapping[f.key] = hit
                used.add(hit)
                break
    for f in FIELDS:
        if f.key in mapping:
            continue
        for alias in _ALIAS_KEYS[f.key]:
            if len(alias) < 2 or (alias.isascii() and len(alias) < 4):
                continue  # "wx" or "cell" inside a longer header says too little
            hit = next((i for i, k in enumerate(keys) if alias in k and i not in used and k), None)
            if hit is not None:
                mapping[f.key] = hit
                used.add(hit)
                break
    return mapping


def check_mapping(mapping: dict[str, int], headers: Sequence[str]) -> None:
    """DomainError naming the missing required columns, an unknown or a reused column."""
    missing = [f for f in FIELDS if f.required and f.key not in mapping]
    if missing:
        raise DomainError(
            _("文件中没有找到“{columns}”列。请检查表头，或在列对应中手动选择。").format(
                columns="”“".join(_(f.label) for f in missing)
            ),
            field=missing[0].key,
        )
    seen: dict[int, str] = {}
    for key, index in mapping.items():
        if key not in FIELD_BY_KEY:
            raise DomainError(_("未知的会员字段“{key}”。").format(key=key))
        if not 0 <= index < len(headers):
            raise DomainError(
                _("“{field}”对应的列不存在，请重新选择。").format(field=_(FIELD_BY_KEY[key].label)),
                field=key,
            )
        if index in seen:
            raise DomainError(
                _("“{a}”和“{b}”对应了同一列“{column}”，请分别选择。").format(
                    a=_(FIELD_BY_KEY[seen[index]].label),
                    b=_(FIELD_BY_KEY[key].label),
                    column=headers[index],
                ),
                field=key,
            )
        seen[index] = key


# -- parsing rows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowResult:
    row_number: int  # the row's number in the file
    input: MemberInput | None  # cleaned and validated; None when the row has errors
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


_GENDERS = {
    Gender.MALE: {"男", "男性", "先生", "m", "male", "man", "boy"},
    Gender.FEMALE: {"女", "女性", "女士", "小姐", "f", "female", "woman", "girl"},
    Gender.UNKNOWN: {"未知", "未填", "保密", "不详", "其他", "u", "unknown", "-", "—", "/"},
}
_GENDER_BY_TEXT = {text: g for g, texts in _GENDERS.items() for text in texts}
_YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "境外", "海外", "t"}
_NO = {"否", "n", "no", "false", "0", "×", "境内", "国内", "f", "-", "—"}
_DATE_YMD = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")
_AGE = re.compile(r"(\d{1,3})\s*(?:岁|周岁)?")


class _CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse(
    table: RawTable, mapping: dict[str, int], *, today: date | None = None
) -> list[RowResult]:
    """Every data row cleaned and validated; rows repeating an earlier phone are errors."""
    check_mapping(mapping, table.headers)
    today = today or date.today()
    results: list[RowResult] = []
    first_row_of_phone: dict[str, int] = {}
    for raw in table.rows:
        result = parse_row(raw, mapping, today=today)
        if result.input is not None:
            phone = result.input.phone
            earlier = first_row_of_phone.get(phone)
            if earlier is not None:
                result = RowResult(
                    raw.number,
                    None,
                    (
                        _(
                            "手机号 {phone} 与第 {row} 行重复；同一文件中只导入第一次出现的行。"
                        ).format(phone=phone, row=earlier),
                    ),
                )
            else:
                first_row_of_phone[phone] = raw.number
        results.append(result)
    return results


def parse_row(raw: RawRow, mapping: dict[str, int], *, today: date) -> RowResult:
    errors: list[str] = []

    def cell(key: str) -> Cell:
        index = mapping.get(key)
        return raw.cells[index] if index is not None and index < len(raw.cells) else None

    def attempt(key: str, convert: Callable[[Cell], Any]) -> Any:
        value = cell(key)
        if value is None:
            return None
        try:
            return convert(value)
        except _CellError as exc:
            errors.append(exc.message)
            return None

    phone_cell = cell("phone")
    phone_text = _text_of(phone_cell, digits=True)
    foreign = attempt("foreign_phone", _to_bool)
    if foreign is None:
        foreign = _looks_foreign(phone_text)
    gender = attempt("gender", _to_gender) or Gender.UNKNOWN
    birthday = attempt("birthday", lambda v: _to_date(v, _("生日")))
    age = attempt("age", _to_age)
    joined = attempt("joined_on", lambda v: _to_date(v, _("入会日期")))
    notes = _optional_text(cell("notes"))
    card = _optional_text(cell("card_number"), digits=True)
    if card:
        card_note = _("原卡号：{card}").format(card=card)
        notes = f"{notes}；{card_note}" if notes else card_note
    data = MemberInput(
        name=_text_of(cell("name")),
        phone=phone_text,
        foreign_phone=bool(foreign),
        gender=gender,
        birthday=birthday,
        age=age,
        wechat=_optional_text(cell("wechat"), digits=True),
        email=_optional_text(cell("email")),
        preferences=_optional_text(cell("preferences")),
        special_needs=_optional_text(cell("special_needs")),
        notes=notes,
        joined_on=joined,
    )
    clean: MemberInput | None = None
    if _SCIENTIFIC.fullmatch(phone_text):
        errors.append(
            _(
                "手机号“{phone}”被 Excel 显示成了科学计数法，后几位数字已经丢失。"
                "请在原表中把手机号一列设为“文本”格式后重新导出。"
            ).format(phone=phone_text)
        )
    else:
        try:
            clean = validate(data, today=today)
        except DomainError as exc:
            errors.append(exc.message)
    if errors:
        return RowResult(raw.number, None, tuple(errors))
    return RowResult(raw.number, clean, ())


def _text_of(value: Cell, *, digits: bool = False) -> str:
    """A cell as text; whole numbers without ".0" (phones and card numbers are numbers
    in many spreadsheets)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if digits and re.fullmatch(r"\d+\.0+", text):
        return text.split(".")[0]
    return text


def _optional_text(value: Cell, *, digits: bool = False) -> str | None:
    text = _text_of(value, digits=digits)
    return text or None


def _looks_foreign(phone: str) -> bool:
    compact = normalise_phone(phone, foreign=True)
    if compact.startswith("+"):
        return not compact.startswith("+86")
    if compact.startswith("00"):
        return not compact.startswith("0086")
    return False


def _to_bool(value: Cell) -> bool:
    key = _header_key(_text_of(value))
    if key in _YES:
        return True
    if key in _NO or not key:
        return False
    raise _CellError(
        _("境外号码一栏的“{value}”无法识别，请填写“是”或“否”。").format(value=_text_of(value))
    )


def _to_gender(value: Cell) -> Gender:
    key = unicodedata.normalize("NFKC", _text_of(value)).strip().lower()
    gender = _GENDER_BY_TEXT.get(key)
    if gender is None:
        raise _CellError(
            _("性别“{value}”无法识别，请填写“男”或“女”。").format(value=_text_of(value))
        )
    return gender


def _to_age(value: Cell) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
    else:
        match = _AGE.fullmatch(unicodedata.normalize("NFKC", _text_of(value)).strip())
        if match:
            return int(match.group(1))
    raise _CellError(_("年龄“{value}”不是整数。").format(value=_text_of(value)))


def parse_date(value: Cell) -> date | None:
    """A date from a date cell, an Excel serial number, 20240305, 2024-03-05, 2024/3/5,
    2024.3.5 or 2024年3月5日 (a time after it is ignored); None if not a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        return _date_from_number(float(value))
    text = unicodedata.normalize("NFKC", value).strip()
    match = _DATE_YMD.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if match:
        return _ymd(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _date_from_number(float(text))
    return None


def _date_from_number(number: float) -> date | None:
    if number.is_integer() and 19000101 <= number <= 29991231:
        whole = int(number)
        return _ymd(whole // 10000, whole // 100 % 100, whole % 100)
    if number.is_integer() and 1900 <= number <= 2100:
        return None  # a bare year, not the Excel serial day it would also be
    if 1 <= number <= _EXCEL_MAX_SERIAL:
        return _EXCEL_EPOCH + timedelta(days=int(number))
    return None


def _ymd(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _to_date(value: Cell, label: str) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise _CellError(
            _("{label}“{value}”不是可识别的日期，请写成 2024-03-05 这样的格式。").format(
                label=label, value=_text_of(value)
            )
        )
    return parsed


# -- importing ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int = 0
    merged: int = 0  # phone already a member, empty fields filled from the file
    skipped: int = 0  # phone already a member, left as it was
    failed: int = 0  # rows with errors, not imported
    aborted: bool = False  # all-or-nothing and some row had an error: nothing was written
    updated: int = 0  # of ``merged``, members that actually received a value

    @property
    def written(self) -> int:
        return self.created + self.updated


class ImportInterrupted(DomainError):
    """A batch failed after earlier batches were committed; ``report`` says what stayed."""

    def __init__(self, report: ImportReport, cause: ClubDeskError, row_number: int) -> None:
        super().__init__(
            _(
                "导入在第 {row} 行附近中断：{cause}\n"
                "此前已导入 {created} 位新会员、合并 {merged} 位已有会员，这些已经保存；"
                "其余行没有导入。"
            ).format(
                row=row_number,
                cause=cause.message,
                created=report.created,
                merged=report.merged,
            )
        )
        self.report = report
        self.cause = cause


@dataclass(slots=True)
class _Counts:
    created: int = 0
    merged: int = 0
    updated: int = 0
    skipped: int = 0

    def report(self, failed: int) -> ImportReport:
        return ImportReport(
            created=self.created,
            merged=self.merged,
            skipped=self.skipped,
            failed=failed,
            updated=self.updated,
        )


def run_import(
    db: Database,
    actor: StaffMember | None,
    rows: Sequence[RowResult],
    *,
    valid_only: bool,
    on_duplicate: OnDuplicate = "skip",
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    file_name: str | None = None,
) -> ImportReport:
    """Write the parsed rows; see the module text for the two modes.

    ``progress(done, total)`` is called from the calling thread after every row.
    """
    require(actor, Permission.MEMBER_IMPORT)
    if on_duplicate not in ("skip", "merge"):
        raise ValueError(on_duplicate)
    failed = sum(1 for r in rows if not r.ok)
    good = [r for r in rows if r.input is not None and r.ok]
    total = len(rows)
    if failed and not valid_only:
        return ImportReport(failed=failed, aborted=True)
    detail_base = {
        "file": file_name,
        "mode": "valid_only" if valid_only else "all_or_nothing",
        "on_duplicate": on_duplicate,
        "rows": total,
        "failed": failed,
    }
    done = failed  # rows with errors are "processed" at once
    if progress:
        progress(done, total)
    counts = _Counts()
    committed = counts.report(failed)
    size = max(1, batch_size) if valid_only else max(1, len(good))
    batches = [good[i : i + size] for i in range(0, len(good), size)] or [[]]
    for number, batch in enumerate(batches, start=1):
        last = number == len(batches)
        try:
            with db.write() as session:
                for result in batch:
                    assert result.input is not None
                    _import_one(session, actor, result.input, on_duplicate, counts)
                    done += 1
                    if progress:
                        progress(done, total)
                if last:
                    audit.record(
                        session,
                        actor,
                        "member.import",
                        "member",
                        None,
                        after={
                            **detail_base,
                            "created": counts.created,
                            "merged": counts.merged,
                            "updated": counts.updated,
                            "skipped": counts.skipped,
                            "batches": len(batches),
                        },
                    )
        except Exception as exc:
            if number == 1:
                raise  # nothing was committed: the plain error says it all
            _record_interrupted(db, actor, detail_base, committed)
            if isinstance(exc, ClubDeskError):
                raise ImportInterrupted(committed, exc, batch[0].row_number) from exc
            raise  # a bug: logged with its traceback; the summary entry says what stayed
        committed = counts.report(failed)
    return committed


def _record_interrupted(
    db: Database, actor: StaffMember | None, detail: dict[str, Any], report: ImportReport
) -> None:
    try:
        with db.write() as session:
            audit.record(
                session,
                actor,
                "member.import",
                "member",
                None,
                after={
                    **detail,
                    "created": report.created,
                    "merged": report.merged,
                    "updated": report.updated,
                    "skipped": report.skipped,
                    "interrupted": True,
                },
            )
    except ClubDeskError:
        pass  # the database refuses writes right now; the members' own entries are there


def _import_one(
    session: Session,
    actor: StaffMember | None,
    clean: MemberInput,
    on_duplicate: OnDuplicate,
    counts: _Counts,
) -> None:
    existing = session.execute(select(Member).where(Member.phone == clean.phone)).scalar()
    if existing is None:
        add_member(session, actor, clean)
        counts.created += 1
        return
    if on_duplicate == "skip":
        counts.skipped += 1
        return
    counts.merged += 1
    if _merge(session, actor, existing, clean):
        counts.updated += 1


def _merge(session: Session, actor: StaffMember | None, member: Member, clean: MemberInput) -> bool:
    """Fill the member's empty fields from the file; True if anything was filled."""
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    for key in _MERGE_FIELDS:
        new = getattr(clean, key)
        if new is None or new == Gender.UNKNOWN or new == "":
            continue
        current = getattr(member, key)
        if current is not None and current != Gender.UNKNOWN and current != "":
            continue
        if key == "age" and (member.birthday is not None or "birthday" in after):
            continue  # a birthday says more than an age
        before[key] = _plain(current)
        after[key] = _plain(new)
        setattr(member, key, new)
    if not after:
        return False
    if member.birthday is not None:
        member.birthday_mmdd = member.birthday.strftime("%m%d")
    session.flush()  # bumps the version: an edit open elsewhere sees the change
    audit.record(
        session,
        actor,
        "member.import_merge",
        "member",
        member.id,
        before=before,
        after=after,
    )
    return True


def _plain(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Gender):
        return value.value
    return value


def existing_members(db: Database, phones: Iterable[str]) -> dict[str, tuple[int, str]]:
    """phone → (member id, name) for the phones that are already members (for the preview)."""
    unique = sorted(set(phones))
    found: dict[str, tuple[int, str]] = {}
    with db.read() as session:
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            for member_id, name, phone in session.execute(
                select(Member.id, Member.name, Member.phone).where(Member.phone.in_(chunk))
            ):
                found[phone] = (member_id, name)
    return found


# -- the error report --------------------------------------------------------------------


def write_error_report(path: str | Path, table: RawTable, results: Sequence[RowResult]) -> int:
    """The rows with errors, original columns plus 错误说明; the number of rows written.

    ``.csv`` writes UTF-8 with BOM (Excel opens it directly); anything else is .xlsx.
    """
    path = Path(path)
    errors = {r.row_number: r.errors for r in results if r.errors}
    bad_rows = [row for row in table.rows if row.number in errors]
    headers = [*table.headers, _(ERROR_COLUMN)]

    def explanation(row: RawRow) -> str:
        return _("第 {row} 行：{errors}").format(
            row=row.number, errors="；".join(errors[row.number])
        )

    fd, tmp_name = tempfile.mkstemp(prefix=".clubdesk-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if path.suffix.lower() == ".csv":
            with tmp.open("w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(headers)
                for row in bad_rows:
                    writer.writerow(
                        [*(safe_csv_text(_text_of(c)) for c in row.cells), explanation(row)]
                    )
        else:
            xl = openpyxl_module()
            book = xl.Workbook(write_only=True)
            sheet = book.create_sheet(_("错误行"))
            sheet.freeze_panes = "A2"
            bold = xl.styles.Font(bold=True)
            red = xl.styles.Font(color="C00000")
            fill = xl.styles.PatternFill("solid", fgColor="FDE9E7")
            sheet.append([xlsx_cell(sheet, h, font=bold) for h in headers])
            for row in bad_rows:
                sheet.append(
                    [
                        *(xlsx_cell(sheet, c) for c in row.cells),
                        xlsx_cell(sheet, explanation(row), font=red, fill=fill),
                    ]
                )
            book.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(bad_rows)


def xlsx_cell(sheet: Any, value: Cell, *, font: Any = None, fill: Any = None) -> Any:
    """A write-only cell; text that starts with "=" stays text, never a formula."""
    cell = openpyxl_module().cell.WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm:ss" if value.time() != time() else "yyyy-mm-dd"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def safe_csv_text(text: str) -> str:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if text and text[0] in "=+-@" and not re.fullmatch(r"[+-]?\d[\d.]*", text):
        return "'" + text
    return text


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters

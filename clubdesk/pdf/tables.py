"""Grids of labelled fields and plain data tables, both reportlab Tables in the house style.

A field grid is the body of a 登记表: shaded label cells beside value cells, two or
more pairs a row.  A data table is rows of records under a header (cards, ledger lines,
statistics) with money right-aligned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from clubdesk.pdf.fonts import text_width
from clubdesk.pdf.style import (
    CELL_PAD_X,
    CONTENT_WIDTH,
    HEAD_CELL,
    HEADER_FILL,
    LABEL,
    LABEL_FILL,
    LABEL_SIZE,
    LINE_WIDTH,
    ROW_PADDING,
    RULE,
    VALUE,
    VALUE_CENTRE,
    VALUE_RIGHT,
    WRITE_ROW,
    ZEBRA_FILL,
    para,
)
from clubdesk.pdf.text import fmt_money

CellValue: TypeAlias = str | int | Flowable | None


@dataclass(frozen=True, slots=True)
class Field:
    """One "label: value" pair of a field grid.  ``value`` None is a blank to write in."""

    label: str
    value: str | Flowable | None = None
    span: int = 1  # how many of the grid's label/value column pairs it takes
    style: ParagraphStyle | None = None


def label_width_for(labels: Sequence[str], *, minimum: float = 56.0) -> float:
    """A label column wide enough for the longest label on one line."""
    widest = max((text_width(label, LABEL_SIZE) for label in labels), default=0.0)
    return max(minimum, widest + 2 * CELL_PAD_X + 2)


def field_grid(
    fields: Sequence[Field],
    *,
    columns: int = 2,
    label_width: float | None = None,
    width: float = CONTENT_WIDTH,
) -> Table:
    """Fields left to right, ``columns`` pairs a row; a field that does not fit in what
    is left of a row starts the next one, and the last field of a row widens to its end.
    """
    if columns < 1:
        raise ValueError("columns must be at least 1")
    label_w = label_width or label_width_for([f.label for f in fields])
    value_w = (width - columns * label_w) / columns
    rows: list[list[CellValue]] = []
    commands: list[tuple[object, ...]] = []

    row: list[CellValue] = []
    used = 0
    last_start = 0

    def close_row() -> None:
        nonlocal row, used
        if not row:
            return
        r = len(rows)
        if used < columns:
            # Widen the row's last field to the right edge instead of leaving a hole.
            commands.append(("SPAN", (2 * last_start + 1, r), (2 * columns - 1, r)))
            row.extend([""] * (2 * (columns - used)))
        rows.append(row)
        row, used = [], 0

    for field in fields:
        span = max(1, min(field.span, columns))
        if used + span > columns:
            close_row()
        r, start = len(rows), used
        row.append(para(field.label, LABEL))
        row.append(_value_cell(field.value, field.style or VALUE))
        row.extend([""] * (2 * (span - 1)))
        if span > 1:
            commands.append(("SPAN", (2 * start + 1, r), (2 * (start + span) - 1, r)))
        commands.append(("BACKGROUND", (2 * start, r), (2 * start, r), LABEL_FILL))
        last_start, used = start, used + span
    close_row()

    table = Table(rows, colWidths=[label_w, value_w] * columns, hAlign="LEFT")
    table.setStyle(TableStyle([*_CELL_STYLE, *commands]))
    return table


def _value_cell(value: str | Flowable | None, style: ParagraphStyle) -> Flowable:
    if value is None or value == "":
        # Empty cells keep a handwriting-high row on blank forms.
        return Spacer(1, WRITE_ROW - 2 * ROW_PADDING)
    if isinstance(value, str):
        return para(value, style)
    return value


_CELL_STYLE: list[tuple[object, ...]] = [
    ("GRID", (0, 0), (-1, -1), LINE_WIDTH, RULE),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
    ("TOPPADDING", (0, 0), (-1, -1), ROW_PADDING),
    ("BOTTOMPADDING", (0, 0), (-1, -1), ROW_PADDING),
]

Align = Literal["left", "centre", "right"]


@dataclass(frozen=True, slots=True)
class Column:
    """A data-table column.  ``weight`` shares out the table width; ``money`` columns
    take integer fen, print them as ¥1,234.50 and align right."""

    title: str
    weight: float = 1.0
    align: Align = "left"
    money: bool = False


def data_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[CellValue]],
    *,
    blank_rows: int = 0,
    total_row: Sequence[CellValue] | None = None,
    zebra: bool = True,
    width: float = CONTENT_WIDTH,
) -> Table:
    """A header row (repeated on every page the table reaches), the rows, then
    ``blank_rows`` empty rows to fill in by hand and an optional totals row."""
    total_weight = sum(c.weight for c in columns) or 1.0
    widths = [width * c.weight / total_weight for c in columns]
    data: list[list[CellValue]] = [[para(c.title, HEAD_CELL) for c in columns]]
    data.extend(_data_row(columns, values) for values in rows)
    data.extend(
        [Spacer(1, WRITE_ROW - 2 * ROW_PADDING)] + [""] * (len(columns) - 1)
        for _ in range(blank_rows)
    )
    commands: list[tuple[object, ...]] = [
        *_CELL_STYLE,
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 1.0, RULE),
    ]
    if zebra and len(data) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, ZEBRA_FILL]))
    if total_row is not None:
        data.append(_data_row(columns, total_row))
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 1.0, RULE))
        commands.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL))
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


_ALIGN_STYLE: dict[Align, ParagraphStyle] = {
    "left": VALUE,
    "centre": VALUE_CENTRE,
    "right": VALUE_RIGHT,
}


def _data_row(columns: Sequence[Column], values: Sequence[CellValue]) -> list[CellValue]:
    if len(values) != len(columns):
        raise ValueError(f"row has {len(values)} cells for {len(columns)} columns")
    cells: list[CellValue] = []
    for column, value in zip(columns, values, strict=True):
        if isinstance(value, Flowable):
            cells.append(value)
        elif column.money and isinstance(value, int):
            cells.append(para(fmt_money(value), VALUE_RIGHT))
        elif value is None:
            cells.append("")
        else:
            style = VALUE_RIGHT if column.money else _ALIGN_STYLE[column.align]
            cells.append(para(str(value), style))
    return cells

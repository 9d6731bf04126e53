"""The printing layer in one import: what a form module needs to build a ClubDesk PDF.

A form builds a list of flowables (headings, field grids, tables, check boxes,
signature lines, paragraphs) and hands it to ``build_pdf`` with a ``FormPage``; the
page template supplies the club name, title, print time and "第 1 页 / 共 N 页"::

    from clubdesk.pdf import layout as L

    story = [
        L.SectionHeading("一、基本资料"),
        L.field_grid([L.Field("姓名", name), L.Field("手机号码", phone)], columns=2),
        L.SignatureLine("会员签名："),
    ]
    L.build_pdf(out, L.FormPage(club_name, "会员档案卡"), story)
"""

from __future__ import annotations

from clubdesk.pdf.document import FormPage, build_pdf, page_label
from clubdesk.pdf.flowables import (
    CheckBox,
    CheckBoxGroup,
    LabelledText,
    SectionHeading,
    SignatureLine,
    draw_checkbox,
    signature_lines,
)
from clubdesk.pdf.fonts import FONT, FONT_BOLD, draw_bold, register_fonts, text_width
from clubdesk.pdf.style import BODY, CONTENT_WIDTH, NOTE, SMALL, para
from clubdesk.pdf.tables import Column, Field, data_table, field_grid, label_width_for
from clubdesk.pdf.text import fmt_date, fmt_datetime, fmt_money, markup

__all__ = [
    "BODY",
    "CONTENT_WIDTH",
    "FONT",
    "FONT_BOLD",
    "NOTE",
    "SMALL",
    "CheckBox",
    "CheckBoxGroup",
    "Column",
    "Field",
    "FormPage",
    "LabelledText",
    "SectionHeading",
    "SignatureLine",
    "build_pdf",
    "data_table",
    "draw_bold",
    "draw_checkbox",
    "field_grid",
    "fmt_date",
    "fmt_datetime",
    "fmt_money",
    "label_width_for",
    "markup",
    "page_label",
    "para",
    "register_fonts",
    "signature_lines",
    "text_width",
]

"""Every printable form by name, for ``clubdesk print``, the self-check and the GUI.

A form module registers itself with the ``printable`` decorator and is imported at the
bottom of this module; adding a form is one decorated function plus one import line.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _

Render = Callable[[Database, int | None, Path], None]
LatestId = Callable[[Database], int | None]
# Resolves what the user typed (a phone number, a card number) to a record id.
FindRecord = Callable[[Database, str], int]


@dataclass(frozen=True, slots=True)
class PrintOptions:
    """Choices some forms take besides the record, e.g. a statement's period.
    None: the form's default."""

    start: date | None = None
    end: date | None = None

    @property
    def given(self) -> bool:
        return self.start is not None or self.end is not None


RenderWithOptions = Callable[[Database, int | None, Path, PrintOptions], None]


@dataclass(frozen=True, slots=True)
class PrintableForm:
    name: str  # "member-card": the command-line name
    title: str  # Chinese source text, e.g. "会员档案卡"; translate with _() to show
    blank_allowed: bool  # can be printed without a record, as an empty form to fill in
    render: Render  # record id None → the blank form; writes the PDF to the path
    latest_id: LatestId | None = None  # resolves "--id latest"
    find_record: FindRecord | None = None  # resolves "--id 13812341234" / "--member …"
    render_with_options: RenderWithOptions | None = None  # forms taking --from/--to
    # Without --id the form prints its latest record (this month's report), not a blank.
    latest_by_default: bool = False


FORMS: dict[str, PrintableForm] = {}


def register(form: PrintableForm) -> PrintableForm:
    if form.name in FORMS:
        raise ValueError(f"printable form {form.name!r} registered twice")
    FORMS[form.name] = form
    return form


def printable(
    name: str,
    title: str,
    *,
    blank_allowed: bool,
    latest_id: LatestId | None = None,
    find_record: FindRecord | None = None,
    render_with_options: RenderWithOptions | None = None,
    latest_by_default: bool = False,
) -> Callable[[Render], Render]:
    """Decorator registering a render function as the form ``name``."""

    def decorate(render: Render) -> Render:
        register(
            PrintableForm(
                name,
                title,
                blank_allowed,
                render,
                latest_id,
                find_record,
                render_with_options,
                latest_by_default,
            )
        )
        return render

    return decorate


def get_form(name: str) -> PrintableForm:
    form = FORMS.get(name)
    if form is None:
        raise NotFound(
            _("没有名为“{name}”的表单。用 clubdesk print --list 查看全部表单。").format(name=name)
        )
    return form


def render_form(
    db: Database,
    name: str,
    record_id: int | None,
    out: Path,
    options: PrintOptions | None = None,
) -> Path:
    """Print form ``name`` for ``record_id`` (None: blank) to ``out``; returns ``out``.

    ``options`` (a period) go to forms that take them and are refused by the others.

    The PDF is written beside ``out`` under a temporary name and renamed into place,
    so a failure (missing record, full disk) never leaves a half-written file and
    never destroys an earlier printout of the same name.
    """
    form = get_form(name)
    with_period = options is not None and options.given and form.render_with_options is not None
    if record_id is None and not form.blank_allowed and not with_period:
        raise DomainError(
            _("“{title}”不能打印空白表，请指定要打印的记录。").format(title=_(form.title))
        )
    with_options = form.render_with_options
    if options is not None and options.given and with_options is None:
        raise DomainError(
            _("“{title}”没有日期期间，不能指定开始或结束日期。").format(title=_(form.title))
        )
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".pdf.part", dir=out.parent)
        os.close(fd)
    except OSError as exc:
        raise _cannot_write(out) from exc
    tmp = Path(tmp_name)
    try:
        try:
            if with_options is not None and options is not None:
                with_options(db, record_id, tmp, options)
            else:
                form.render(db, record_id, tmp)
        except OSError as exc:  # disk full, folder removed meanwhile
            raise DomainError(
                _("无法写入“{path}”：{error}").format(path=out, error=exc.strerror or exc)
            ) from exc
        try:
            os.replace(tmp, out)
        except OSError as exc:
            raise _cannot_write(out) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return out


def _cannot_write(out: Path) -> DomainError:
    # On Windows the usual cause is the previous printout still open in a PDF reader.
    return DomainError(
        _(
            "无法写入“{path}”。文件可能正被其他程序（如 PDF 阅读器）打开，"
            "或该文件夹没有写入权限。请关闭该文件或换一个位置后重试。"
        ).format(path=out)
    )


# Form modules register themselves on import.  Plain imports (not a package scan) so
# that PyInstaller sees and bundles every form.
from clubdesk.pdf.forms import member_card, member_statement  # noqa: E402, F401

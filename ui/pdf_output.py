"""Saving a printable form as PDF from the GUI: ask where, render in a worker, open it.

Every print button goes through here so that a slow form never freezes the window and
a refusal (a locked file, a missing record) arrives as the one error dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from ui.errors import show_error


def open_pdf(path: Path) -> None:
    """Open a saved PDF in the viewer, where it is printed (tests replace this)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def save_form(
    parent: QWidget,
    runner: Any,
    db: Database,
    form: str,
    record_id: int | None,
    *,
    title: str,
    suggested_name: str,
    options: Any = None,
    on_ready: Callable[[Path], None] | None = None,
) -> None:
    """Ask for the file, render ``form`` (``record_id`` None: blank or its default) in
    the runner, then hand the path to ``on_ready`` (default: open it)."""
    from clubdesk.pdf.registry import render_form

    path, _filter = QFileDialog.getSaveFileName(
        parent, title, str(Path.home() / suggested_name), _("PDF 文件 (*.pdf)")
    )
    if not path:
        return
    runner.submit(
        lambda: render_form(db, form, record_id, Path(path), options),
        on_ready or (lambda out: open_pdf(out)),
        lambda exc: show_error(parent, exc),
    )

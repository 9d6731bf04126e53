"""One way to show an error: environment problems and refusals get their plain message;
anything else is a bug, logged with its traceback and shown with the log's location."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from clubdesk.db.errors import classify
from clubdesk.errors import ClubDeskError, DatabaseEnvironmentError
from clubdesk.i18n import _
from clubdesk.logsetup import log_file

log = logging.getLogger("clubdesk.ui")


def user_message(exc: BaseException) -> tuple[str, bool]:
    """(text to show, whether it is a bug)."""
    if isinstance(exc, ClubDeskError):
        return exc.message, False
    env = classify(exc, _("当前数据库"))
    if env is not None:
        return env.message, False
    return (
        _(
            "ClubDesk 遇到了一个内部错误，已记录到日志文件：\n{path}\n\n"
            "请把该文件发给技术支持。您刚才的操作没有保存。"
        ).format(path=log_file()),
        True,
    )


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    text, bug = user_message(exc)
    if bug:
        log.error("unexpected error", exc_info=exc)
    elif isinstance(exc, DatabaseEnvironmentError):
        log.warning("database problem: %s (%s)", exc.problem, exc.detail)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical if bug else QMessageBox.Icon.Warning)
    box.setWindowTitle(_("ClubDesk"))
    box.setText(text)
    if bug:
        box.setDetailedText("".join(traceback.format_exception(exc)))
    box.exec()


def install_excepthook() -> None:
    """Log every uncaught exception and tell the user, instead of dying silently."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        if QApplication.instance() is None:
            log.critical("uncaught exception", exc_info=(kind, exc, tb))
            sys.__excepthook__(kind, exc, tb)
            return
        show_error(QApplication.activeWindow(), exc)  # logs bugs with their traceback

    sys.excepthook = hook

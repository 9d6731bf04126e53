"""导出会员名单: choose a file, export in a worker with a progress dialog, say where."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, PermissionDenied
from clubdesk.i18n import _
from clubdesk.services import member_export as service
from clubdesk.services.permissions import Permission, allowed, require
from clubdesk.services.staff import StaffMember
from ui.errors import show_error
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner


def _filters() -> list[tuple[str, str, str]]:
    """(filter text, suffix, CSV encoding) in the order the save dialog offers them."""
    return [
        (_("Excel 工作簿 (*.xlsx)"), ".xlsx", ""),
        (_("CSV UTF-8，逗号分隔 (*.csv)"), ".csv", "utf-8-sig"),
        (_("CSV GB18030，旧版中文 Excel (*.csv)"), ".csv", "gb18030"),
    ]


class _Relay(QObject):
    changed = Signal(int, int)


def export_members(
    parent: QWidget | None, db: Database, actor: StaffMember | None, runner: Runner
) -> None:
    """Ask where, then export in the background; a role without the right is told so."""
    try:
        require(actor, Permission.MEMBER_EXPORT)
    except PermissionDenied as exc:
        show_error(parent, exc)
        return
    filters = _filters()
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    suggested = Path(folder or Path.home()) / _("会员名单-{day}.xlsx").format(
        day=date.today().strftime("%Y%m%d")
    )
    path_text, chosen = QFileDialog.getSaveFileName(
        parent,
        _("导出会员名单"),
        str(suggested),
        ";;".join(f[0] for f in filters),
        filters[0][0],
    )
    if not path_text:
        return
    suffix, encoding = next(((s, e) for text, s, e in filters if text == chosen), (".xlsx", ""))
    path = Path(path_text)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        path = path.with_name(path.name + suffix)
    elif path.suffix.lower() == ".csv" and not encoding:
        encoding = "utf-8-sig"
    full_phone = allowed(actor, Permission.VIEW_FULL_PHONE)

    progress = QProgressDialog(_("正在导出会员名单…"), "", 0, 0, parent)
    progress.setWindowTitle(_("导出会员名单"))
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    relay = _Relay(progress)
    last = [-1]

    def report(done: int, total: int) -> None:  # on the worker thread
        permille = 1000 * done // total if total else 1000
        if permille != last[0]:
            last[0] = permille
            relay.changed.emit(done, total)

    def show(done: int, total: int) -> None:
        progress.setMaximum(max(total, 1))
        progress.setValue(done)
        progress.setLabelText(
            _("正在导出会员名单… {done:,} / {total:,}").format(done=done, total=total)
        )

    relay.changed.connect(show)

    def finish() -> None:
        progress.close()
        progress.deleteLater()

    def done(count: int) -> None:
        finish()
        text = _("已导出 {n:,} 位会员到：\n{path}").format(n=count, path=path)
        if full_phone:
            text += "\n\n" + _("文件中有完整手机号，请妥善保管，不要外传；用完请删除。")
        else:
            text += "\n\n" + _("按您账号的权限，手机号已隐藏中间四位。")
        QMessageBox.information(parent, _("导出会员名单"), text)

    def failed(exc: BaseException) -> None:
        finish()
        if isinstance(exc, PermissionError):
            exc = DomainError(
                _("无法写入“{file}”：文件可能正在 Excel 中打开，或没有写入权限。").format(
                    file=path.name
                )
            )
        show_error(parent, exc)

    encoding = encoding or "utf-8-sig"  # only CSV uses it
    runner.submit(
        lambda: service.export_members(db, actor, path, progress=report, encoding=encoding),
        done,
        failed,
    )

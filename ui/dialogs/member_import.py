"""导入会员名单: a wizard from a spreadsheet to members.

File → column mapping (prefilled from the headers) → preview with every row's errors
in red → options (only valid rows or nothing; duplicates skipped or merged) → the
import in a worker with a progress dialog → a summary, with the error rows savable
as a spreadsheet at the preview and at the end.  Everything slow (reading the file,
parsing, the import, writing the error report) runs through the task runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError, DomainError, PermissionDenied
from clubdesk.i18n import _
from clubdesk.services import member_import as mi
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember
from ui.errors import show_error
from ui.models.rows import CENTER, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner

WRAP_ROWS = 500  # previews up to this many rows get their height fitted to 说明
ERROR_FG = "#b00020"
ERROR_BG = "#fde9e7"
EXISTING_FG = "#8a5a00"


def open_import_dialog(
    parent: QWidget | None, db: Database, actor: StaffMember | None, runner: Runner
) -> None:
    """The import wizard, modal; a role without the right gets a message instead.

    When this returns the import has finished (the wizard cannot close mid-import),
    so the caller may refresh the roster right after.
    """
    try:
        require(actor, Permission.MEMBER_IMPORT)
    except PermissionDenied as exc:
        show_error(parent, exc)
        return
    wizard = ImportWizard(db, actor, runner, parent)
    wizard.exec()
    wizard.deleteLater()


class _ProgressRelay(QObject):
    """Carries progress from the worker thread to the GUI thread (a queued signal)."""

    changed = Signal(int, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._last = -1

    def report(self, done: int, total: int) -> None:
        permille = 1000 * done // total if total else 1000
        if permille != self._last or done == total:  # at most ~1000 events per import
            self._last = permille
            self.changed.emit(done, total)


@dataclass(frozen=True, slots=True)
class PreviewRow:
    row_number: int
    ok: bool
    existing: str | None  # the member's name when the phone is already a member
    name: str
    phone: str
    gender: str
    birthday: str
    joined_on: str
    message: str


def cell_text(value: object) -> str:
    """A spreadsheet cell as the counter reads it: a date without 00:00:00."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def preview_rows(
    table: mi.RawTable,
    mapping: dict[str, int],
    results: list[mi.RowResult],
    existing: dict[str, tuple[int, str]],
) -> list[PreviewRow]:
    raw_by_number = {r.number: r for r in table.rows}

    def raw_text(number: int, key: str) -> str:
        index = mapping.get(key)
        raw = raw_by_number.get(number)
        if raw is None or index is None:
            return ""
        return cell_text(raw.cells[index])

    rows = []
    for result in results:
        data = result.input
        if data is not None:
            found = existing.get(data.phone)
            rows.append(
                PreviewRow(
                    row_number=result.row_number,
                    ok=True,
                    existing=found[1] if found else None,
                    name=data.name,
                    phone=data.phone,
                    gender=label(data.gender),
                    birthday=data.birthday.isoformat() if data.birthday else "",
                    joined_on=data.joined_on.isoformat() if data.joined_on else "",
                    message=_("手机号已登记在会员“{name}”名下").format(name=found[1])
                    if found
                    else "",
                )
            )
        else:
            rows.append(
                PreviewRow(
                    row_number=result.row_number,
                    ok=False,
                    existing=None,
                    name=raw_text(result.row_number, "name"),
                    phone=raw_text(result.row_number, "phone"),
                    gender=raw_text(result.row_number, "gender"),
                    birthday=raw_text(result.row_number, "birthday"),
                    joined_on=raw_text(result.row_number, "joined_on"),
                    message="；".join(result.errors),
                )
            )
    return rows


def _status(row: PreviewRow) -> str:
    if not row.ok:
        return _("有错误")
    return _("已是会员") if row.existing else _("可导入")


def _fg(row: PreviewRow) -> str | None:
    if not row.ok:
        return ERROR_FG
    return EXISTING_FG if row.existing else None


def _bg(row: PreviewRow) -> str | None:
    return None if row.ok else ERROR_BG


def _preview_columns() -> list[Column[PreviewRow]]:
    def col(title: str, text: Any, align: Qt.AlignmentFlag | None = None) -> Column[PreviewRow]:
        if align is None:
            return Column(title, text, foreground=_fg, background=_bg, tooltip=_tip)
        return Column(title, text, align, foreground=_fg, background=_bg, tooltip=_tip)

    return [
        col(_("行号"), lambda r: str(r.row_number), CENTER),
        col(_("状态"), _status, CENTER),
        col(_("姓名"), lambda r: r.name),
        col(_("手机号"), lambda r: r.phone),
        col(_("性别"), lambda r: r.gender, CENTER),
        col(_("生日"), lambda r: r.birthday, CENTER),
        col(_("入会日期"), lambda r: r.joined_on, CENTER),
        col(_("说明"), lambda r: r.message),
    ]


def _tip(row: PreviewRow) -> str | None:
    return row.message or None


# -- the wizard ----------------------------------------------------------------------------


class ImportWizard(QWizard):
    def __init__(
        self,
        db: Database,
        actor: StaffMember | None,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("member_import_wizard")
        self.setWindowTitle(_("导入会员名单"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setButtonText(QWizard.WizardButton.NextButton, _("下一步(&N) >"))
        self.setButtonText(QWizard.WizardButton.BackButton, _("< 上一步(&B)"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("取消"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("完成"))
        self.setButtonText(QWizard.WizardButton.CommitButton, _("开始导入(&I)"))
        self.resize(860, 600)
        self.db = db
        self.actor = actor
        self.runner = runner
        self.busy = False
        self.path: Path | None = None
        self.table: mi.RawTable | None = None
        self.mapping: dict[str, int] = {}
        self.results: list[mi.RowResult] = []
        self.existing: dict[str, tuple[int, str]] = {}
        self.report: mi.ImportReport | None = None

        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.options_page = OptionsPage(self)
        self.result_page = ResultPage(self)
        for page in (
            self.file_page,
            self.mapping_page,
            self.preview_page,
            self.options_page,
            self.result_page,
        ):
            self.addPage(page)

    # -- facts the pages share ---------------------------------------------------------
    def counts(self) -> tuple[int, int, int]:
        """(valid rows, rows with errors, valid rows whose phone is already a member)."""
        ok = [r for r in self.results if r.input is not None]
        existing = sum(1 for r in ok if r.input is not None and r.input.phone in self.existing)
        return len(ok), len(self.results) - len(ok), existing

    def save_error_rows(self, parent: QWidget) -> None:
        if self.table is None or not any(r.errors for r in self.results):
            return
        stem = self.path.stem if self.path else _("会员名单")
        folder = self.path.parent if self.path else Path.home()
        suggested = folder / _("{name}-错误行.xlsx").format(name=stem)
        path, _selected = QFileDialog.getSaveFileName(
            parent,
            _("保存错误行"),
            str(suggested),
            _("Excel 工作簿 (*.xlsx);;CSV UTF-8 (*.csv)"),
        )
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() not in (".xlsx", ".csv"):
            target = target.with_suffix(".xlsx")
        table, results = self.table, list(self.results)

        def done(count: int) -> None:
            QMessageBox.information(
                parent,
                _("保存错误行"),
                _("已把 {n} 行错误保存到：\n{path}\n\n改正后可以再次导入这个文件。").format(
                    n=count, path=target
                ),
            )

        self.runner.submit(
            lambda: mi.write_error_report(target, table, results),
            done,
            lambda exc: show_error(parent, _as_user_error(exc, target)),
        )

    # -- no closing while the import runs ------------------------------------------------
    def reject(self) -> None:
        if self.busy:
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            return
        super().closeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.busy and event.key() == Qt.Key.Key_Escape:
            event.ignore()
            return
        super().keyPressEvent(event)


def _as_user_error(exc: BaseException, path: Path) -> BaseException:
    if isinstance(exc, PermissionError):
        return DomainError(
            _("无法写入“{file}”：文件可能正在 Excel 中打开，或没有写入权限。").format(
                file=path.name
            )
        )
    return exc


def _error_label(parent: QWidget) -> QLabel:
    text = QLabel(parent)
    text.setWordWrap(True)
    text.setStyleSheet(f"color: {ERROR_FG};")
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return text


class PathLine(QLineEdit):
    """Enter reads the typed file and stays on the page; once that file is read, Enter
    is the wizard's 下一步 as on every page."""

    load = Signal()

    def __init__(self, page: FilePage) -> None:
        super().__init__(page)
        self.page = page

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.page.needs_loading():
            event.accept()
            self.load.emit()
            return
        super().keyPressEvent(event)


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("第 1 步：选择文件"))
        self.setSubTitle(
            _(
                "选择从其他系统导出的会员名单：Excel 工作簿（.xlsx）或 CSV 文件。"
                "第一行（或标题下的一行）应是表头。"
            )
        )
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path_edit = PathLine(self)
        self.path_edit.setPlaceholderText(_("文件路径"))
        self.path_edit.setClearButtonEnabled(True)
        self.browse = QPushButton(_("浏览(&O)…"), self)
        caption = QLabel(_("文件(&F)："), self)
        caption.setBuddy(self.path_edit)
        row.addWidget(caption)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse)
        layout.addLayout(row)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.error = _error_label(self)
        layout.addWidget(self.info)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.setTabOrder(self.path_edit, self.browse)
        self._generation = 0
        self._loaded_text = ""
        self._loading_text: str | None = None
        self.browse.clicked.connect(self.choose)
        self.path_edit.load.connect(self.load_typed)
        self.path_edit.textChanged.connect(lambda _text: self.completeChanged.emit())

    def initializePage(self) -> None:
        self.path_edit.setFocus()

    def choose(self) -> None:
        start = str(self.w.path.parent) if self.w.path else str(Path.home())
        path, _selected = QFileDialog.getOpenFileName(
            self,
            _("选择会员名单"),
            start,
            _("会员名单 (*.xlsx *.xlsm *.csv *.txt);;所有文件 (*)"),
        )
        if path:
            self.path_edit.setText(path)
            self.load(Path(path))

    def needs_loading(self) -> bool:
        """True while Enter in the path box has a file to read (or is reading it)."""
        text = self.path_edit.text().strip()
        return text != self._loaded_text or self._loading_text is not None

    def load_typed(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self.error.setText(_("请输入文件路径，或点“浏览”选择文件。"))
            return
        if text != self._loaded_text and text != self._loading_text:
            self.load(Path(text))

    def load(self, path: Path) -> None:
        self._loading_text = self.path_edit.text().strip()
        self._generation += 1
        generation = self._generation
        self.w.table = None
        self.error.clear()
        self.info.setText(_("正在读取“{file}”…").format(file=path.name))
        self.completeChanged.emit()
        self.w.runner.submit(
            lambda: mi.read_table(path),
            lambda table: self._loaded(generation, path, table),
            lambda exc: self._failed(generation, exc),
        )

    def _loaded(self, generation: int, path: Path, table: mi.RawTable) -> None:
        if generation != self._generation:
            return
        self.w.path = path
        self.w.table = table
        self._loaded_text = self._loading_text or self.path_edit.text().strip()
        self._loading_text = None
        self.info.setText(
            _("已读取“{file}”：表头在第 {header} 行，{columns} 列，{rows:,} 行数据。").format(
                file=path.name,
                header=table.header_row,
                columns=len(table.headers),
                rows=len(table.rows),
            )
        )
        if not table.rows:
            self.error.setText(_("文件只有表头，没有会员数据。"))
        self.completeChanged.emit()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading_text = None
        self.info.clear()
        if isinstance(exc, ClubDeskError):
            self.error.setText(exc.message)
        else:
            self.error.setText(_("无法读取这个文件。"))
            show_error(self, exc)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return (
            self.w.table is not None
            and bool(self.w.table.rows)
            and self.path_edit.text().strip() == self._loaded_text
        )


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("第 2 步：核对列的对应"))
        self.setSubTitle(
            _(
                "已按表头自动对应。请核对每一项对应文件中的哪一列；"
                "带 * 的必须选择，不需要的选“不导入”。"
            )
        )
        outer = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(self.form)
        self.error = _error_label(self)
        outer.addWidget(self.error)
        outer.addStretch(1)
        self.combos: dict[str, QComboBox] = {}
        self.samples: dict[str, QLabel] = {}
        for f in mi.FIELDS:
            combo = QComboBox(self)
            combo.setObjectName(f"map_{f.key}")
            combo.setMinimumWidth(240)
            sample = QLabel(self)
            sample.setStyleSheet("color: #666;")
            line = QHBoxLayout()
            line.addWidget(combo)
            line.addWidget(sample, 1)
            caption = QLabel((_(f.label) + " *" if f.required else _(f.label)) + _("："), self)
            caption.setBuddy(combo)
            self.form.addRow(caption, line)
            self.combos[f.key] = combo
            self.samples[f.key] = sample
            combo.currentIndexChanged.connect(lambda _i, key=f.key: self._changed(key))
        self._built_for: mi.RawTable | None = None

    def initializePage(self) -> None:
        table = self.w.table
        assert table is not None
        if table is not self._built_for:  # going Back keeps the user's choices
            guess = mi.guess_mapping(table.headers)
            names = table.column_names()
            for key, combo in self.combos.items():
                combo.blockSignals(True)
                combo.clear()
                combo.addItem(_("（不导入）"), -1)
                for index, name in enumerate(names):
                    combo.addItem(name, index)
                combo.setCurrentIndex(guess.get(key, -1) + 1)
                combo.blockSignals(False)
                self._show_sample(key)
            self._built_for = table
        self.mapping_changed()
        self.combos["name"].setFocus()

    def current_mapping(self) -> dict[str, int]:
        mapping: dict[str, int] = {}
        for key, combo in self.combos.items():
            index = combo.currentData()
            if isinstance(index, int) and index >= 0:
                mapping[key] = index
        return mapping

    def _changed(self, key: str) -> None:
        self._show_sample(key)
        self.mapping_changed()

    def _show_sample(self, key: str) -> None:
        table = self.w.table
        index = self.combos[key].currentData()
        if table is None or not isinstance(index, int) or index < 0:
            self.samples[key].clear()
            return
        values = [cell_text(r.cells[index]) for r in table.rows[:20] if r.cells[index] is not None]
        self.samples[key].setText(_("例：{value}").format(value=values[0]) if values else "")

    def mapping_changed(self) -> None:
        try:
            mi.check_mapping(self.current_mapping(), self.w.table.headers if self.w.table else ())
        except DomainError as exc:
            self.error.setText(exc.message)
        else:
            self.error.clear()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.error.text() and self.w.table is not None

    def validatePage(self) -> bool:
        self.w.mapping = self.current_mapping()
        return True


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("第 3 步：预览"))
        self.setSubTitle(_("红色的行有错误，不会被导入；棕色的行手机号已是会员。"))
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model: RowsModel[PreviewRow] = RowsModel(_preview_columns(), self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)  # 说明, the last column, takes the rest
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(200)
        # A long 说明 wraps onto a second line instead of ending in "…"; its tooltip
        # holds the whole text too.
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self._fit_columns()
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_rows)
        header.sectionResized.connect(self._section_resized)
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        self.only_errors = QCheckBox(_("只看有错误的行(&E)"), self)
        self.save_errors = QPushButton(_("保存错误行(&S)…"), self)
        bottom.addWidget(self.only_errors)
        bottom.addStretch(1)
        bottom.addWidget(self.save_errors)
        layout.addLayout(bottom)
        self.only_errors.toggled.connect(lambda _on: self._fill())
        self.save_errors.clicked.connect(lambda: self.w.save_error_rows(self))
        self._rows: list[PreviewRow] = []
        self._ready = False
        self._generation = 0

    def initializePage(self) -> None:
        table, mapping = self.w.table, dict(self.w.mapping)
        assert table is not None
        self._generation += 1
        generation = self._generation
        self._ready = False
        self.model.set_rows([])
        self.save_errors.setEnabled(False)
        self.summary.setText(_("正在检查 {n:,} 行…").format(n=len(table.rows)))
        self.completeChanged.emit()
        db = self.w.db

        def work() -> tuple[list[mi.RowResult], dict[str, tuple[int, str]]]:
            results = mi.parse(table, mapping)
            phones = [r.input.phone for r in results if r.input is not None]
            return results, mi.existing_members(db, phones)

        self.w.runner.submit(
            work,
            lambda result: self._parsed(generation, table, mapping, *result),
            lambda exc: self._failed(generation, exc),
        )

    def _parsed(
        self,
        generation: int,
        table: mi.RawTable,
        mapping: dict[str, int],
        results: list[mi.RowResult],
        existing: dict[str, tuple[int, str]],
    ) -> None:
        if generation != self._generation:
            return
        self.w.results, self.w.existing = results, existing
        self._rows = preview_rows(table, mapping, results, existing)
        ok, bad, already = self.w.counts()
        text = _(
            "共 {total:,} 行：{ok:,} 行可以导入（其中 {existing:,} 行的手机号已是会员），"
            "{bad:,} 行有错误。"
        ).format(total=len(results), ok=ok, existing=already, bad=bad)
        if not ok:
            text += _("没有可以导入的行，请改正文件后重试。")
        self.summary.setText(text)
        self.only_errors.setEnabled(bad > 0)
        self.only_errors.setChecked(False)
        self.save_errors.setEnabled(bad > 0)
        self._fill()
        self._ready = True
        self.completeChanged.emit()
        self.view.setFocus()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.summary.setText(_("检查没有完成。"))
        show_error(self, exc)

    def _fill(self) -> None:
        rows = [r for r in self._rows if not r.ok] if self.only_errors.isChecked() else self._rows
        self.model.set_rows(rows)
        self._fit_columns()
        self._fit_rows()  # not for a huge file: measuring every row would stall

    def _fit_columns(self) -> None:
        for column in range(self.model.columnCount() - 1):
            self.view.resizeColumnToContents(column)

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        # The 说明 column stretches with the window: fit the row heights to its new
        # width once the view has settled.
        if column == self.model.columnCount() - 1 and not self._refit.isActive():
            self._refit.start()

    def _fit_rows(self) -> None:
        if 0 < self.model.rowCount() <= WRAP_ROWS:
            self.view.resizeRowsToContents()

    def isComplete(self) -> bool:
        return self._ready and self.w.counts()[0] > 0


class OptionsPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("第 4 步：导入方式"))
        self.setSubTitle(_("选择如何处理有错误的行和已是会员的手机号，然后开始导入。"))
        self.setCommitPage(True)
        layout = QVBoxLayout(self)

        self.errors_box = QGroupBox(_("有错误的行"), self)
        errors_layout = QVBoxLayout(self.errors_box)
        self.valid_only = QRadioButton(_("只导入正确的行，跳过有错误的行(&V)"), self.errors_box)
        self.all_or_nothing = QRadioButton(_("只要有一行错误，就一行也不导入(&A)"), self.errors_box)
        self.all_or_nothing.setChecked(True)
        errors_layout.addWidget(self.all_or_nothing)
        errors_layout.addWidget(self.valid_only)
        self.errors_note = QLabel(self.errors_box)
        self.errors_note.setWordWrap(True)
        errors_layout.addWidget(self.errors_note)
        self._errors_group = QButtonGroup(self)
        self._errors_group.addButton(self.all_or_nothing)
        self._errors_group.addButton(self.valid_only)
        layout.addWidget(self.errors_box)

        self.dup_box = QGroupBox(_("手机号已是会员"), self)
        dup_layout = QVBoxLayout(self.dup_box)
        self.skip = QRadioButton(_("跳过，不改动已有会员(&K)"), self.dup_box)
        self.merge = QRadioButton(
            _("合并：用文件补充已有会员的空白资料，已填写的内容不会被覆盖(&M)"), self.dup_box
        )
        self.skip.setChecked(True)
        dup_layout.addWidget(self.skip)
        dup_layout.addWidget(self.merge)
        self.dup_note = QLabel(self.dup_box)
        self.dup_note.setWordWrap(True)
        dup_layout.addWidget(self.dup_note)
        self._dup_group = QButtonGroup(self)
        self._dup_group.addButton(self.skip)
        self._dup_group.addButton(self.merge)
        layout.addWidget(self.dup_box)
        layout.addStretch(1)

    def initializePage(self) -> None:
        _ok, bad, already = self.w.counts()
        self.errors_box.setEnabled(bad > 0)
        self.errors_note.setText(
            _("文件中有 {bad:,} 行错误。").format(bad=bad) if bad else _("文件中没有错误的行。")
        )
        self.dup_box.setEnabled(already > 0)
        self.dup_note.setText(
            _("有 {n:,} 行的手机号已是会员。").format(n=already)
            if already
            else _("文件中没有已是会员的手机号。")
        )
        (self.all_or_nothing if bad else self.skip).setFocus()

    def options(self) -> tuple[bool, mi.OnDuplicate]:
        return self.valid_only.isChecked(), "merge" if self.merge.isChecked() else "skip"

    def validatePage(self) -> bool:
        ok, bad, already = self.w.counts()
        valid_only, on_duplicate = self.options()
        new = ok - already
        if bad and not valid_only:
            question = _(
                "文件中有 {bad:,} 行错误。按您的选择，这次将不导入任何会员，只列出错误。继续吗？"
            ).format(bad=bad)
        elif on_duplicate == "merge" and already:
            question = _(
                "将新建 {new:,} 位会员，并用文件补充 {merge:,} 位已有会员的空白资料。开始导入吗？"
            ).format(new=new, merge=already)
        else:
            question = _("将新建 {new:,} 位会员，跳过 {skip:,} 位已有会员。开始导入吗？").format(
                new=new, skip=already
            )
        answer = QMessageBox.question(
            self,
            _("导入会员名单"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes


class ResultPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(_("第 5 步：导入结果"))
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.save_errors = QPushButton(_("保存错误行(&S)…"), self)
        self.save_errors.setVisible(False)
        self.save_errors.clicked.connect(lambda: self.w.save_error_rows(self))
        row = QHBoxLayout()
        row.addWidget(self.save_errors)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self._done = False
        self.progress: QProgressDialog | None = None

    def initializePage(self) -> None:
        self._done = False
        self.summary.setText(_("正在导入…"))
        valid_only, on_duplicate = self.w.options_page.options()
        results = list(self.w.results)
        db, actor = self.w.db, self.w.actor
        file_name = self.w.path.name if self.w.path else None
        total = len(results)

        progress = QProgressDialog(_("正在导入会员…"), "", 0, max(total, 1), self)
        progress.setWindowTitle(_("导入会员名单"))
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self.progress = progress
        relay = _ProgressRelay(progress)
        relay.changed.connect(self._progressed)

        self.w.busy = True
        self.w.button(QWizard.WizardButton.CancelButton).setEnabled(False)
        self.w.setOption(QWizard.WizardOption.NoCancelButton, True)  # nothing to cancel
        self.completeChanged.emit()
        self.w.runner.submit(
            lambda: mi.run_import(
                db,
                actor,
                results,
                valid_only=valid_only,
                on_duplicate=on_duplicate,
                progress=relay.report,
                file_name=file_name,
            ),
            self._finished,
            self._failed,
        )

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)
            self.progress.setLabelText(
                _("正在导入会员… {done:,} / {total:,}").format(done=done, total=total)
            )

    def _end(self) -> None:
        self.w.busy = False
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        self._done = True
        self.completeChanged.emit()
        self.w.button(QWizard.WizardButton.FinishButton).setFocus()

    def _finished(self, report: mi.ImportReport) -> None:
        self.w.report = report
        self._end()
        if report.aborted:
            text = _(
                "文件中有 {failed:,} 行错误。按您的选择，没有导入任何会员。"
                "请保存错误行，改正后重新导入。"
            ).format(failed=report.failed)
        else:
            text = _(
                "导入完成：新建 {created:,} 位会员；"
                "合并 {merged:,} 位已有会员（其中 {updated:,} 位补充了资料）；"
                "跳过 {skipped:,} 位已有会员；{failed:,} 行有错误，没有导入。"
            ).format(
                created=report.created,
                merged=report.merged,
                updated=report.updated,
                skipped=report.skipped,
                failed=report.failed,
            )
        self.summary.setText(text)
        self.save_errors.setVisible(report.failed > 0)

    def _failed(self, exc: BaseException) -> None:
        self._end()
        if isinstance(exc, mi.ImportInterrupted):
            self.w.report = exc.report
        message = exc.message if isinstance(exc, ClubDeskError) else _("导入没有完成。")
        self.summary.setText(_("导入没有完成：{message}").format(message=message))
        self.save_errors.setVisible(any(r.errors for r in self.w.results))
        show_error(self, exc)

    def isComplete(self) -> bool:
        return self._done

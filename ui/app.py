"""Application-wide setup: fonts, translations, style, icon, error hook."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from clubdesk import APP_NAME, __version__, i18n
from clubdesk.paths import cjk_font_path, resources_dir

log = logging.getLogger(__name__)

# Windows counter PCs have Microsoft YaHei; the bundled WenQuanYi Micro Hei covers any
# machine without a Chinese font (and is the one reportlab embeds in PDFs).
BUNDLED_FAMILY = "WenQuanYi Micro Hei"
PREFERRED_FAMILIES = ["Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", BUNDLED_FAMILY]


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    configure(app)
    return app


def configure(app: QApplication) -> None:
    install_fonts(app)
    install_translators(app, i18n.current_language())
    icon = resources_dir() / "icons" / "clubdesk.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    style = resources_dir() / "styles" / "clubdesk.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))


def install_fonts(app: QApplication) -> None:
    path = cjk_font_path()
    if QFontDatabase.addApplicationFont(str(path)) < 0:
        log.warning("could not load the bundled font %s", path)
    font = QFont(app.font())
    available = set(QFontDatabase.families())
    families = [f for f in PREFERRED_FAMILIES if f in available] or [BUNDLED_FAMILY]
    font.setFamilies(families)
    font.setPointSize(10)
    app.setFont(font)


def install_translators(app: QApplication, language: str) -> None:
    """Qt's own strings (dialog buttons, context menus) in the chosen language."""
    qt_language = "zh_CN" if language == "zh_CN" else "en"
    QLocale.setDefault(QLocale(qt_language))
    if qt_language == "en":
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for catalogue in ("qtbase", "qt"):
        translator = QTranslator(app)
        if translator.load(f"{catalogue}_{qt_language}", folder):
            app.installTranslator(translator)
            return
    log.info("no Qt translation for %s in %s", qt_language, folder)

"""Entry point of the ``clubdesk`` program and the Qt frontend the core's CLI drives."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Sequence
from functools import partial

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMainWindow

from clubdesk import cli, prefs
from clubdesk.db.engine import Database
from clubdesk.db.open import open_database
from clubdesk.errors import ClubDeskError
from clubdesk.i18n import _
from clubdesk.paths import demo_db_path
from clubdesk.services import staff
from ui.app import create_application
from ui.errors import install_excepthook, show_error
from ui.main_window import MainWindow
from ui.progress import run_with_progress
from ui.tasks import TaskRunner

DEMO_MEMBERS = 20_000


class QtFrontend:
    """What the core's command line needs from a GUI (clubdesk.frontend.Frontend)."""

    def run(self, db_target: str | None, *, demo: bool) -> int:
        app = create_application()
        install_excepthook()
        target = str(demo_db_path()) if demo else db_target
        try:
            # Opening may back up and migrate a large file: not on the GUI thread.
            db = run_with_progress(
                _("ClubDesk"), _("正在打开数据库…"), lambda _report: open_database(target)
            )
        except ClubDeskError as exc:
            show_error(None, exc)
            return 2
        if demo and not _seed_if_empty(db):
            return 1
        window = MainWindow(db, staff.counter_user(db, prefs.load().last_user))
        window.show()
        QTimer.singleShot(0, window.refresh_all)
        # Everything built so far lives as long as the window: keep it out of the
        # collector, whose full passes otherwise pause a board reload by tens of ms.
        gc.collect()
        gc.freeze()
        code = app.exec()
        db.dispose()
        return code

    def check_window(self, db: Database) -> list[tuple[str, int]]:
        app = create_application()
        qInstallMessageHandler(_quiet_offscreen)
        runner = TaskRunner()
        window = MainWindow(db, staff.counter_user(db), runner)
        window.persist_layout = False
        window.show()
        results: dict[str, int] = {}
        for dock in window.docks:
            title = dock.windowTitle()
            dock.loaded.connect(partial(results.__setitem__, title))
        window.refresh_all()
        deadline = time.monotonic() + 30
        while len(results) < len(window.docks) and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        window.close()
        runner.wait()
        app.processEvents()
        return [(d.windowTitle(), results.get(d.windowTitle(), -1)) for d in window.docks]

    def roster_probe(self, db_target: str | None, queries: list[str]) -> int:
        from ui import bench_probe

        return bench_probe.run(db_target, queries)

    def startup_probe(self, db_target: str | None, *, bare: bool) -> int:
        """Print READY once the first window has painted (timed by ``clubdesk bench``)."""
        if bare:
            app = QApplication.instance() or QApplication(sys.argv[:1])
            window = QMainWindow()
            window.resize(1280, 800)
        else:
            app = create_application()
            db = open_database(db_target, create=False)
            window = MainWindow(db, staff.counter_user(db))
            window.persist_layout = False
        window.show()
        if not bare:
            window.refresh_all()  # type: ignore[attr-defined]

        def ready() -> None:
            if bare or not window.runner.busy():  # type: ignore[attr-defined]
                print("READY", flush=True)
                app.quit()
            else:
                QTimer.singleShot(1, ready)

        QTimer.singleShot(0, ready)
        app.exec()
        return 0


def _quiet_offscreen(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """The self-check runs offscreen, whose plugin complains about window calls it does
    not implement; anything else still reaches stderr."""
    if "This plugin does not support" not in message:
        print(message, file=sys.stderr)


def _seed_if_empty(db: Database) -> bool:
    """Fill the demo database on first use, with a progress dialog; False if it failed."""
    from clubdesk.services import roster

    if roster.count(db):
        return True
    from clubdesk.seed.demo import seed_demo

    try:
        run_with_progress(
            _("ClubDesk 演示数据"),
            _("正在生成演示数据…"),
            lambda report: seed_demo(db, DEMO_MEMBERS, progress=report),
        )
    except Exception as exc:  # shown to the user, who can still open a real database
        show_error(None, exc)
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, frontend=QtFrontend())


if __name__ == "__main__":
    sys.exit(main())

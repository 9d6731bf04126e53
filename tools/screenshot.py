"""Save screenshots on a database: ``python tools/screenshot.py DB OUT.png [SEARCH]``.

The main window (with SEARCH typed into the roster, if given) goes to OUT.png and the
first matching member's window to OUT-member.png.  Used for docs/ and to look at the
GUI while developing; runs offscreen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from clubdesk.db.open import open_database
from clubdesk.services import staff
from ui.app import create_application
from ui.main_window import MainWindow
from ui.tasks import SyncRunner


def main(db_path: str, out: str, search: str = "", width: int = 1400, height: int = 860) -> int:
    app = create_application()
    db = open_database(db_path, create=False)
    window = MainWindow(db, staff.counter_user(db), SyncRunner())
    window.resize(width, height)
    window.show()
    app.processEvents()
    # After show: restoring a dock state on a hidden window leaves a stray tab bar.
    window.reset_layout()
    window.refresh_all()
    for _ in range(20):
        app.processEvents()
    if search:
        from ui.bench_probe import type_char

        for char in search:
            type_char(window.roster.search, char)
            app.processEvents()
    window.statusBar().clearMessage()
    window.roster.table.selectRow(0)
    app.processEvents()
    window.grab().save(out)
    row = window.roster.selected_row()
    if row is not None:
        from ui.dialogs.member_detail import open_member

        dialog = open_member(window, db, window.user, window.runner, row.id)
        for _ in range(20):
            app.processEvents()
        dialog.grab().save(str(Path(out).with_name(Path(out).stem + "-member.png")))
        dialog.close()
    window.close()
    db.dispose()
    print(Path(out).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

"""Save a screenshot of the main window on a database: ``python tools/screenshot.py DB OUT.png``.

Used for docs/screenshot.png and to look at the GUI while developing; runs offscreen.
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


def main(db_path: str, out: str, width: int = 1400, height: int = 860) -> int:
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
    window.statusBar().clearMessage()
    window.roster.table.selectRow(0)
    app.processEvents()
    window.grab().save(out)
    window.close()
    db.dispose()
    print(Path(out).resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

"""The seam between the Qt-free core and a GUI.

The core's command line needs a GUI for three things (running the app, the self-check's
window step and the cold-start probe) but must not import one.  A GUI registers itself
under the ``clubdesk.frontends`` entry point, or passes itself to ``cli.main`` (the
packaged executable does, since a frozen build has no installed metadata).
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Protocol

from clubdesk.db.engine import Database
from clubdesk.errors import ClubDeskError
from clubdesk.i18n import _

ENTRY_POINT_GROUP = "clubdesk.frontends"


class Frontend(Protocol):
    def run(self, db_target: str | None, *, demo: bool) -> int:
        """Start the GUI; returns the process exit code."""
        ...

    def check_window(self, db: Database) -> list[tuple[str, int]]:
        """Build the main window offscreen on ``db``: (dock title, rows shown) per dock."""
        ...

    def startup_probe(self, db_target: str | None, *, bare: bool) -> int:
        """Show the main window (or a bare window) once painted, print READY, exit."""
        ...

    def roster_probe(self, db_target: str | None, queries: list[str]) -> int:
        """Type ``queries`` into the real roster dock; print timings and memory as JSON."""
        ...


def load_frontend() -> Frontend:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        factory = ep.load()
        frontend: Frontend = factory()
        return frontend
    raise ClubDeskError(_("没有找到图形界面组件。请用 “pip install -e .” 安装 ClubDesk。"))

"""A rotating log file in the user's data folder, shared by the GUI and the command line."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from clubdesk.paths import log_dir

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_file() -> Path:
    return log_dir() / "clubdesk.log"


def configure(level: int = logging.INFO) -> Path:
    """Attach the rotating file handler once; returns the log file's path."""
    root = logging.getLogger()
    path = log_file()
    if not any(getattr(h, "_clubdesk", False) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler._clubdesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(level)
        # Alembic narrates every plugin it loads at INFO; keep its warnings only.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return path

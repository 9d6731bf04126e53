"""Sort a raw driver error into an environment problem (with advice) or a bug."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

from clubdesk.errors import DatabaseEnvironmentError, DbProblem

_SQLITE_MESSAGES: tuple[tuple[str, DbProblem], ...] = (
    ("database is locked", DbProblem.LOCKED),
    ("database table is locked", DbProblem.LOCKED),
    ("readonly database", DbProblem.READ_ONLY),
    ("read-only", DbProblem.READ_ONLY),
    ("disk is full", DbProblem.DISK_FULL),
    ("disk i/o error", DbProblem.DISK_FULL),
    ("file is not a database", DbProblem.CORRUPT),
    ("malformed", DbProblem.CORRUPT),
    ("unable to open database file", DbProblem.CANNOT_OPEN),
)


def classify(exc: BaseException, where: str) -> DatabaseEnvironmentError | None:
    """The environment problem behind ``exc``, or None when it is a bug to report."""
    if isinstance(exc, DatabaseEnvironmentError):
        return exc
    text = str(getattr(exc, "orig", exc) or exc).lower()
    for needle, problem in _SQLITE_MESSAGES:
        if needle in text:
            return DatabaseEnvironmentError(problem, where, text)
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:  # ENOSPC
        return DatabaseEnvironmentError(DbProblem.DISK_FULL, where, text)
    if isinstance(exc, OperationalError) and _is_connection_failure(exc):
        return DatabaseEnvironmentError(DbProblem.UNREACHABLE, where, text)
    return None


def _is_connection_failure(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return exc.connection_invalidated or any(
        needle in text
        for needle in ("connection refused", "could not connect", "connection failed", "timeout")
    )

"""Alembic environment.  ClubDesk runs migrations on a connection it already holds
(``config.attributes["connection"]``); the ``alembic`` command line for developers
gets one from ``-x db=PATH_OR_URL`` instead."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from clubdesk.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from clubdesk.db.engine import create, to_url

    db = context.get_x_argument(as_dictionary=True).get("db")
    if not db:
        raise SystemExit("alembic: pass -x db=PATH_OR_URL")
    engine = create(to_url(db))
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


main()

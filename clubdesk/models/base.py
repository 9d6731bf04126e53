"""Declarative base and the column types every model shares."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Enum, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so Alembic migrations look the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Money is integer fen.  BigInteger on PostgreSQL, INTEGER (64-bit anyway) on SQLite,
# where BIGINT would stop INTEGER PRIMARY KEY from aliasing the rowid.
Fen = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CreatedAt:
    """Mixin: when a row was written (local counter time)."""

    # Local counter time, set by Python: SQLite's CURRENT_TIMESTAMP would be UTC.
    created_at: Mapped[datetime] = mapped_column(DateTime, default=datetime.now)


def str_enum(enum_cls: type) -> Enum:
    """A short VARCHAR holding an enum's value, read back as the enum member."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )

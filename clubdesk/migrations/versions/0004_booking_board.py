"""booking board: session seats, 加钟, checkouts with receipts and reversals, walk-in
receptions, the waitlist, and on PostgreSQL the exclusion constraint that makes two
overlapping active bookings of one resource impossible.

Settled bookings of an older database get their checkout rebuilt from the ledger (the
purchase and the points it earned), so their receipts can be printed.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_METHODS = ("stored_value", "cash", "bank_card", "wechat", "alipay")
NO_OVERLAP = "ex_booking_resources_no_overlap"


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: a rebuilt table would list its foreign keys in
    # a different order on every run, and the seeder's schema check compares the DDL.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE bookings ADD COLUMN session_id INTEGER REFERENCES bookings (id)")
    else:
        op.add_column("bookings", sa.Column("session_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_bookings_session_id_bookings"), "bookings", "bookings", ["session_id"], ["id"]
        )
    op.add_column(
        "bookings", sa.Column("added_minutes", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_index(op.f("ix_bookings_session_id"), "bookings", ["session_id"], unique=False)
    op.create_index("ix_ledger_reverses_id", "ledger", ["reverses_id"], unique=False)
    op.add_column(
        "booking_resources",
        sa.Column("exclusive", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.create_table(
        "checkouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("list_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("discount_bp", sa.Integer(), nullable=False),
        sa.Column("discount_reason", sa.String(length=200), nullable=True),
        sa.Column("due_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("method", _enum("paymentmethod", *_METHODS), nullable=False),
        sa.Column("points_earned", sa.Integer(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=False),
        sa.Column("settled_by_id", sa.Integer(), nullable=True),
        sa.Column("reversed_at", sa.DateTime(), nullable=True),
        sa.Column("reversed_by_id", sa.Integer(), nullable=True),
        sa.Column("reverse_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_checkouts_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_checkouts_member_id_members")
        ),
        sa.ForeignKeyConstraint(["card_id"], ["cards.id"], name=op.f("fk_checkouts_card_id_cards")),
        sa.ForeignKeyConstraint(
            ["settled_by_id"], ["staff.id"], name=op.f("fk_checkouts_settled_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["reversed_by_id"], ["staff.id"], name=op.f("fk_checkouts_reversed_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkouts")),
    )
    with op.batch_alter_table("checkouts") as batch_op:
        batch_op.create_index(
            "ux_checkouts_booking_live",
            ["booking_id"],
            unique=True,
            sqlite_where=sa.text("reversed_at IS NULL"),
            postgresql_where=sa.text("reversed_at IS NULL"),
        )
        batch_op.create_index("ix_checkouts_settled_at", ["settled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkouts_member_id"), ["member_id"], unique=False)
    op.create_table(
        "receptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("guest_name", sa.String(length=40), nullable=True),
        sa.Column("need", sa.String(length=200), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", _enum("receptionoutcome", "seated", "left"), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("left_reason", sa.String(length=200), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_receptions_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_receptions_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_receptions_booking_id_bookings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receptions")),
    )
    with op.batch_alter_table("receptions") as batch_op:
        batch_op.create_index("ix_receptions_staff_at", ["staff_id", "received_at"], unique=False)
    op.create_table(
        "waitlist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("guest_name", sa.String(length=40), nullable=True),
        sa.Column("contact", sa.String(length=40), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("wanted_from", sa.DateTime(), nullable=False),
        sa.Column("wanted_until", sa.DateTime(), nullable=False),
        sa.Column(
            "state",
            _enum("waitliststate", "waiting", "notified", "booked", "withdrawn"),
            nullable=False,
        ),
        sa.Column("notified_at", sa.DateTime(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_waitlist_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_waitlist_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resources.id"], name=op.f("fk_waitlist_resource_id_resources")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["bookings.id"], name=op.f("fk_waitlist_session_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_waitlist_booking_id_bookings")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_waitlist_created_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist")),
    )
    with op.batch_alter_table("waitlist") as batch_op:
        batch_op.create_index("ix_waitlist_state_from", ["state", "wanted_from"], unique=False)
    # Guests already sharing an area (the bath) hold it shared, not alone: before the
    # constraint below, which would refuse their overlaps.
    op.execute(
        "UPDATE booking_resources SET exclusive = false WHERE resource_id IN "
        "(SELECT id FROM resources WHERE kind = 'area' AND capacity > 1) AND booking_id IN "
        "(SELECT b.id FROM bookings b JOIN services s ON s.id = b.service_id "
        "WHERE s.capacity IS NULL)"
    )
    if op.get_bind().dialect.name == "postgresql":
        # btree_gist is a trusted extension: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            f"ALTER TABLE booking_resources ADD CONSTRAINT {NO_OVERLAP} EXCLUDE USING gist "
            "(resource_id WITH =, tsrange(start_at, end_at) WITH &&) WHERE (active AND exclusive)"
        )
    _rebuild_checkouts()


def _rebuild_checkouts() -> None:
    """A checkout per settled booking of a member, from its purchase in the ledger."""
    conn = op.get_bind()
    points: dict[int, int] = defaultdict(int)
    for booking_id, earned in conn.execute(
        sa.text(
            "SELECT booking_id, points FROM ledger "
            "WHERE kind = 'points_earned' AND booking_id IS NOT NULL"
        )
    ):
        points[booking_id] += earned
    rows = conn.execute(
        sa.text(
            "SELECT l.booking_id, l.member_id, l.card_id, l.amount_fen, l.paid_fen, "
            "l.payment_method, l.at, l.staff_id, s.list_price_fen "
            "FROM ledger l JOIN bookings b ON b.id = l.booking_id "
            "JOIN services s ON s.id = b.service_id "
            "WHERE l.kind = 'purchase' AND b.state = 'settled' ORDER BY l.id"
        )
    ).all()
    seen: set[int] = set()
    batch = []
    for booking_id, member_id, card_id, amount, paid, method, at, staff_id, list_fen in rows:
        if booking_id in seen:
            continue
        seen.add(booking_id)
        due = -amount if amount < 0 else paid
        list_fen = max(list_fen, due)
        batch.append(
            {
                "booking_id": booking_id,
                "member_id": member_id,
                "card_id": card_id,
                "list_fen": list_fen,
                "discount_bp": round(due * 10000 / list_fen) if list_fen else 10000,
                "due_fen": due,
                "method": method if method in _METHODS else "cash",
                "points_earned": points.get(booking_id, 0),
                "settled_at": at,
                "settled_by_id": staff_id,
            }
        )
    if batch:
        conn.execute(
            sa.text(
                "INSERT INTO checkouts (booking_id, member_id, card_id, list_fen, discount_bp, "
                "due_fen, method, points_earned, settled_at, settled_by_id) VALUES "
                "(:booking_id, :member_id, :card_id, :list_fen, :discount_bp, :due_fen, "
                ":method, :points_earned, :settled_at, :settled_by_id)"
            ),
            batch,
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(f"ALTER TABLE booking_resources DROP CONSTRAINT IF EXISTS {NO_OVERLAP}")
    op.drop_table("waitlist")
    op.drop_table("receptions")
    op.drop_table("checkouts")
    op.drop_index("ix_ledger_reverses_id", table_name="ledger")
    op.drop_index(op.f("ix_bookings_session_id"), table_name="bookings")
    if postgres:
        op.drop_constraint(op.f("fk_bookings_session_id_bookings"), "bookings", type_="foreignkey")
    # Plain DROP COLUMN, as the upgrade added them: a batch copy of bookings would drop
    # a table other rows still point at, which foreign keys refuse once there is data.
    for table, column in (
        ("booking_resources", "exclusive"),
        ("bookings", "added_minutes"),
        ("bookings", "session_id"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

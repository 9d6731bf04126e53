"""complaint workflow: the responsible person, late steps, the customer's signature,
and the complaint a dissatisfied return visit opened.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN rather than a batch copy, as in 0004: the seeder's schema check
    # compares the DDL, and a rebuilt table reorders its foreign keys.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE complaints ADD COLUMN responsible_staff_id INTEGER REFERENCES staff (id)"
        )
        op.execute(
            "ALTER TABLE return_visits ADD COLUMN follow_up_complaint_id INTEGER "
            "REFERENCES complaints (id)"
        )
    else:
        op.add_column("complaints", sa.Column("responsible_staff_id", sa.Integer()))
        op.create_foreign_key(
            op.f("fk_complaints_responsible_staff_id_staff"),
            "complaints", "staff", ["responsible_staff_id"], ["id"],
        )  # fmt: skip
        op.add_column("return_visits", sa.Column("follow_up_complaint_id", sa.Integer()))
        op.create_foreign_key(
            op.f("fk_return_visits_follow_up_complaint_id_complaints"),
            "return_visits", "complaints", ["follow_up_complaint_id"], ["id"],
        )  # fmt: skip
    op.add_column(
        "complaints",
        sa.Column("late_steps", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("complaints", sa.Column("signature_png", sa.LargeBinary()))
    op.create_index("ix_return_visits_booking_id", "return_visits", ["booking_id"])
    op.create_index("ix_return_visits_complaint_id", "return_visits", ["complaint_id"])
    op.create_index("ix_return_visits_member_done", "return_visits", ["member_id", "done_at"])


def downgrade() -> None:
    op.drop_index("ix_return_visits_member_done", "return_visits")
    op.drop_index("ix_return_visits_complaint_id", "return_visits")
    op.drop_index("ix_return_visits_booking_id", "return_visits")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(
            op.f("fk_return_visits_follow_up_complaint_id_complaints"),
            "return_visits", type_="foreignkey",
        )  # fmt: skip
        op.drop_constraint(
            op.f("fk_complaints_responsible_staff_id_staff"), "complaints", type_="foreignkey"
        )
    # Plain DROP COLUMN, as the upgrade added them (see 0004's downgrade).
    for table, column in (
        ("return_visits", "follow_up_complaint_id"),
        ("complaints", "signature_png"),
        ("complaints", "late_steps"),
        ("complaints", "responsible_staff_id"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")

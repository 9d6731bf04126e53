"""roster: search terms per member, birthday month-day, money paid outside the card,
and the points catalogue.

The search terms of members already in the database are filled here, so an older
database finds its members by name fragment and pinyin initials right after upgrade.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from clubdesk.search_terms import member_terms

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

rewards = sa.table(
    "rewards",
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("points_cost", sa.Integer),
    sa.column("active", sa.Boolean),
    sa.column("sort_order", sa.Integer),
    sa.column("created_at", sa.DateTime),
)

REWARDS = (
    ("精美毛巾一条", "gift", 500),
    ("足疗60分钟体验券", "service", 1_000),
    ("中式按摩60分钟", "service", 2_000),
    ("精油SPA 90分钟", "service", 4_000),
    ("会所定制浴袍", "gift", 6_000),
)


def upgrade() -> None:
    op.create_table(
        "member_search",
        sa.Column("term", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_search_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "member_id", name=op.f("pk_member_search")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "rewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.Enum("gift", "service", name="rewardkind", native_enum=False,
                                  create_constraint=False, length=20), nullable=False),
        sa.Column("points_cost", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewards")),
        sa.UniqueConstraint("name", name=op.f("uq_rewards_name")),
    )  # fmt: skip
    with op.batch_alter_table("members") as batch_op:
        batch_op.add_column(sa.Column("birthday_mmdd", sa.String(length=4), nullable=True))
        batch_op.create_index("ix_members_birthday_mmdd", ["birthday_mmdd", "id"], unique=False)
        batch_op.create_index("ix_members_last_visit", ["last_visit_at", "id"], unique=False)
    with op.batch_alter_table("ledger") as batch_op:
        batch_op.add_column(
            sa.Column("paid_fen", sa.Integer().with_variant(sa.BigInteger(), "postgresql"),
                      server_default="0", nullable=False)
        )  # fmt: skip

    from datetime import datetime

    now = datetime.now()
    op.bulk_insert(
        rewards,
        [
            {"name": n, "kind": k, "points_cost": c, "active": True, "sort_order": i,
             "created_at": now}
            for i, (n, k, c) in enumerate(REWARDS, start=1)
        ],
    )  # fmt: skip
    _fill_existing()


def _fill_existing() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        conn.execute(
            sa.text(
                "UPDATE members SET birthday_mmdd = substr(birthday, 6, 2) || substr(birthday, 9, 2)"
                " WHERE birthday IS NOT NULL"
            )
        )
    else:
        conn.execute(
            sa.text(
                "UPDATE members SET birthday_mmdd = to_char(birthday, 'MMDD')"
                " WHERE birthday IS NOT NULL"
            )
        )
    # Top-ups so far were all paid outside the card.
    conn.execute(sa.text("UPDATE ledger SET paid_fen = amount_fen WHERE kind = 'top_up'"))
    members = sa.table(
        "members", sa.column("id", sa.Integer), sa.column("name", sa.String),
        sa.column("name_initials", sa.String),
    )  # fmt: skip
    search = sa.table("member_search", sa.column("term", sa.String), sa.column("member_id"))
    last = 0
    while True:
        chunk = conn.execute(
            sa.select(members.c.id, members.c.name, members.c.name_initials)
            .where(members.c.id > last)
            .order_by(members.c.id)
            .limit(20_000)
        ).all()
        if not chunk:
            break
        rows = [
            {"term": term, "member_id": mid}
            for mid, name, initials in chunk
            for term in member_terms(name, initials)
        ]
        if rows:
            conn.execute(sa.insert(search), rows)
        last = chunk[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("ledger") as batch_op:
        batch_op.drop_column("paid_fen")
    with op.batch_alter_table("members") as batch_op:
        batch_op.drop_index("ix_members_last_visit")
        batch_op.drop_index("ix_members_birthday_mmdd")
        batch_op.drop_column("birthday_mmdd")
    op.drop_table("rewards")
    op.drop_table("member_search")

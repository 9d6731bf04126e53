"""reference data: tiers and their rules, VIP levels and amenity standards, complaint
categories, as domain.md gives them.  Managers change them afterwards in settings.

Written against table stubs, not the ORM models, so the revision keeps working when
the models move on.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

YUAN = 100  # fen

tiers = sa.table(
    "tiers",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("rank", sa.Integer),
    sa.column("discount_bp", sa.Integer),
    sa.column("points_per_yuan", sa.Integer),
)
tier_rules = sa.table(
    "tier_rules",
    sa.column("tier_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("threshold", sa.Integer),
    sa.column("period_days", sa.Integer),
)
vip_levels = sa.table(
    "vip_levels",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("qualifies", sa.Text),
    sa.column("approving_role", sa.String),
    sa.column("approver_title", sa.String),
    sa.column("receivers", sa.Text),
    sa.column("color", sa.String),
    sa.column("sort_order", sa.Integer),
)
amenity_items = sa.table(
    "amenity_items",
    sa.column("level_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("unit_cost_fen", sa.Integer),
    sa.column("quantity", sa.Integer),
    sa.column("department", sa.String),
    sa.column("foreign_substitute", sa.String),
    sa.column("foreign_substitute_cost_fen", sa.Integer),
    sa.column("sort_order", sa.Integer),
)
complaint_categories = sa.table(
    "complaint_categories",
    sa.column("name", sa.String),
    sa.column("sort_order", sa.Integer),
    sa.column("active", sa.Boolean),
)

# Ordinary 95 %, silver 90 %, gold 85 % come from domain.md; platinum and diamond
# continue the same 5-point steps.
TIERS = [
    (1, "ordinary", "普通会员", 0, 9500, 1),
    (2, "silver", "银卡会员", 1, 9000, 1),
    (3, "gold", "金卡会员", 2, 8500, 1),
    (4, "platinum", "白金会员", 3, 8000, 2),
    (5, "diamond", "钻石会员", 4, 7500, 2),
]
# Spend thresholds follow the star scheme's steps (10,000 / 50,000 / 100,000 / 500,000
# yuan); referral thresholds are domain.md's 10 → silver, 100 → gold.
TIER_RULES = [
    (2, "cumulative_spend", 10_000 * YUAN, None),
    (2, "referrals", 10, None),
    (2, "visits_in_period", 24, 365),
    (3, "cumulative_spend", 50_000 * YUAN, None),
    (3, "referrals", 100, None),
    (3, "points", 60_000, None),
    (4, "cumulative_spend", 100_000 * YUAN, None),
    (5, "cumulative_spend", 500_000 * YUAN, None),
]
VIP_LEVELS = [
    (
        1,
        "A",
        "A级贵宾",
        "政府高级官员、大使、国际知名人士、总经理指定的贵宾",
        "director",
        "总经理",
        "总经理、副总经理、销售总监、房务总监、宾客关系经理",
        "#b8860b",
    ),
    (
        2,
        "B",
        "B级贵宾",
        "高级官员、合作单位高层、国内知名人士、高消费客人",
        "director",
        "副总经理",
        "副总经理、销售总监、前厅经理、宾客关系经理",
        "#c0392b",
    ),
    (
        3,
        "C",
        "C级贵宾",
        "旅行社及合作企业的重要经理、各部门经理提名的客人",
        "manager",
        "房务总监或销售总监",
        "相关部门经理、宾客关系经理",
        "#2e86c1",
    ),
    (
        4,
        "D",
        "D级贵宾",
        "常住客人、销售人员提名的客户",
        "manager",
        "前厅经理、销售经理或宾客关系经理",
        "销售人员、宾客关系经理",
        "#27ae60",
    ),
]
AMENITIES = [
    (1, "豪华水果篮", 60 * YUAN, "room_service", "红酒一瓶及奶酪", 60 * YUAN),
    (1, "花篮", 35 * YUAN, "housekeeping", None, None),
    (1, "点心及巧克力", 10 * YUAN, "room_service", None, None),
    (1, "欢迎酒", 10 * YUAN, "room_service", None, None),
    (1, "中文或英文报纸", 10 * YUAN, "concierge", None, None),
    (1, "欢迎信（附董事长及总经理名片）", 0, "front_office", None, None),
    (2, "水果篮", 40 * YUAN, "room_service", "红酒一瓶及奶酪", 40 * YUAN),
    (2, "盆花", 25 * YUAN, "housekeeping", None, None),
    (2, "点心或巧克力", 10 * YUAN, "room_service", None, None),
    (2, "中文或英文报纸", 10 * YUAN, "concierge", None, None),
    (2, "欢迎信（附总经理名片）", 0, "front_office", None, None),
    (3, "水果盘", 25 * YUAN, "room_service", None, None),
    (3, "盆花", 15 * YUAN, "housekeeping", None, None),
    (3, "报纸", 5 * YUAN, "concierge", None, None),
    (4, "水果盘", 10 * YUAN, "room_service", None, None),
    (4, "花瓶插花（单枝）", 2 * YUAN, "housekeeping", None, None),
]
CATEGORIES = [
    "服务态度",
    "技术与质量",
    "卫生",
    "设施设备",
    "价格与收费",
    "等候时间",
    "安全",
    "其他",
]


def upgrade() -> None:
    op.bulk_insert(
        tiers,
        [
            dict(id=i, code=c, name=n, rank=r, discount_bp=d, points_per_yuan=p)
            for i, c, n, r, d, p in TIERS
        ],
    )
    op.bulk_insert(
        tier_rules,
        [dict(tier_id=t, kind=k, threshold=v, period_days=d) for t, k, v, d in TIER_RULES],
    )
    op.bulk_insert(
        vip_levels,
        [
            dict(
                id=i,
                code=c,
                name=n,
                qualifies=q,
                approving_role=role,
                approver_title=title,
                receivers=rec,
                color=color,
                sort_order=i,
            )
            for i, c, n, q, role, title, rec, color in VIP_LEVELS
        ],
    )
    op.bulk_insert(
        amenity_items,
        [
            dict(
                level_id=lvl,
                name=name,
                unit_cost_fen=cost,
                quantity=1,
                department=dept,
                foreign_substitute=sub,
                foreign_substitute_cost_fen=sub_cost,
                sort_order=n,
            )
            for n, (lvl, name, cost, dept, sub, sub_cost) in enumerate(AMENITIES)
        ],
    )
    op.bulk_insert(
        complaint_categories,
        [dict(name=name, sort_order=n, active=True) for n, name in enumerate(CATEGORIES)],
    )


def downgrade() -> None:
    for table in ("complaint_categories", "amenity_items", "vip_levels", "tier_rules", "tiers"):
        op.execute(sa.text(f"DELETE FROM {table}"))

"""Manager-changeable settings, declared once with their defaults.

Values live in the ``settings`` table as JSON so every counter of a chain shares them;
a key that was never changed reads its declared default.  domain.md's numbers are
defaults here, never constants in the services.

Each declaration also says what shape its value has (``form``: a time, a count of
hours, an amount in fen, a message template…) and its limits, so the settings editor
can offer a fitting input and ``clubdesk.services.club_settings`` can refuse a bad value
before anything is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import N_, _
from clubdesk.models import Setting


class Form(StrEnum):
    """What a setting's value is, beyond its Python type."""

    TEXT = "text"  # one line of text, at most ``limit`` characters
    PHONE = "phone"  # a telephone number as printed on receipts
    TIME = "time"  # "HH:MM", 00:00-23:59
    NUMBER = "number"  # a whole number from ``minimum`` to ``maximum``, in ``unit``
    FEN = "fen"  # an amount of money in fen, ``minimum``-``maximum``
    RATE = "rate"  # basis points of the list price: 8800 pays 88 %
    TIER = "tier"  # the rank of a membership tier (the tiers table's ``rank``)
    DATES = "dates"  # ["MM-DD", …]: days of the year
    BONUS = "bonus"  # [[pay_fen, bonus_fen], …], pay ascending
    THRESHOLDS = "thresholds"  # [yuan, …] ascending: ``minimum`` of them, each ≤ ``maximum``
    TEMPLATE = "template"  # a message with {placeholders} from ``placeholders``


@dataclass(frozen=True, slots=True)
class SettingDef:
    key: str
    default: Any
    label: str  # N_-marked Chinese label
    kind: type
    form: Form = Form.TEXT
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""  # N_-marked unit after a number ("小时")
    limit: int = 0  # longest text, in characters
    required: bool = False  # text that may not be left empty
    placeholders: tuple[tuple[str, str], ...] = ()  # (name, N_ meaning) for templates
    hint: str = ""  # N_-marked explanation shown with the input

    @property
    def group(self) -> str:
        """The key's prefix: "club", "member", "complaint", …"""
        return self.key.split(".", 1)[0]


def _d(key: str, default: Any, label: str, form: Form = Form.TEXT, **limits: Any) -> SettingDef:
    return SettingDef(key, default, label, type(default), form, **limits)


HOUR_LIMITS: dict[str, Any] = {"minimum": 1, "maximum": 720, "unit": N_("小时")}
MONEY_MAX_FEN = 100_000_000  # one million yuan, the services' single-movement limit
GREETING_PLACEHOLDERS = (
    ("name", N_("会员姓名")),
    ("club", N_("店名")),
    ("discount", N_("生日折扣，如 8.8")),
)
SCRIPT_PLACEHOLDERS = (
    ("name", N_("顾客姓名")),
    ("service", N_("服务项目")),
    ("date", N_("服务或投诉日期")),
    ("club", N_("店名")),
)
GREETING_LIMIT = 300
SCRIPT_LIMIT = 500
HOLIDAYS_MAX = 60
BONUS_RULES_MAX = 20
STAR_THRESHOLDS = 4  # five stars: one below the first threshold, one more per threshold

# The groups of the settings editor, in its order: key prefix → N_ title.
GROUPS: dict[str, str] = {
    "club": N_("店铺"),
    "member": N_("会员"),
    "complaint": N_("投诉"),
    "visit": N_("回访"),
    "vip": N_("VIP"),
    "staff": N_("员工"),
    "backup": N_("备份"),
}

DEFINITIONS: dict[str, SettingDef] = {
    d.key: d
    for d in (
        _d("club.name", "ClubDesk 示范会所", N_("店名"), Form.TEXT, limit=40, required=True),
        _d("club.address", "", N_("地址"), Form.TEXT, limit=100),
        _d("club.phone", "", N_("联系电话"), Form.PHONE, limit=30),
        _d("club.opening_time", "10:00", N_("营业开始时间"), Form.TIME),
        _d(
            "club.closing_time",
            "02:00",
            N_("营业结束时间"),
            Form.TIME,
            hint=N_("早于开始时间表示营业到次日凌晨；与开始时间相同表示24小时营业。"),
        ),
        _d(
            "member.annual_fee_fen",
            18000,
            N_("会员年费"),
            Form.FEN,
            minimum=0,
            maximum=10_000_000,
            hint=N_("不收年费请填 0。"),
        ),
        _d(
            "member.reissue_fee_fen",
            2000,
            N_("补卡工本费"),
            Form.FEN,
            minimum=0,
            maximum=100_000,
        ),
        _d(
            "member.birthday_discount_bp",
            8800,
            N_("生日折扣"),
            Form.RATE,
            minimum=1,
            maximum=10000,
        ),
        _d(
            "member.churn_days",
            90,
            N_("多少天未到店视为流失"),
            Form.NUMBER,
            minimum=1,
            maximum=365,
            unit=N_("天"),
        ),
        _d(
            "member.churn_min_visits",
            2,
            N_("至少到店几次的会员才做流失预警"),
            Form.NUMBER,
            minimum=1,
            maximum=100,
            unit=N_("次"),
        ),
        _d(
            "member.holiday_discount_bp",
            9500,
            N_("节假日折扣"),
            Form.RATE,
            minimum=1,
            maximum=10000,
        ),
        _d(
            "member.holidays",
            ["01-01", "05-01", "05-02", "05-03", "10-01", "10-02", "10-03"],
            N_("节假日"),
            Form.DATES,
            maximum=HOLIDAYS_MAX,
            hint=N_("每年的这些日子享受节假日折扣。"),
        ),
        # Pay at least the first amount (fen), get the second on top: 1,000 → 1,100 yuan.
        _d(
            "member.top_up_bonus",
            [[100000, 10000], [200000, 30000], [500000, 100000], [1000000, 250000]],
            N_("充值赠送规则"),
            Form.BONUS,
            maximum=BONUS_RULES_MAX,
            hint=N_("充值满一档金额即赠送该档金额，取达到的最高一档。"),
        ),
        _d(
            "member.star_thresholds_yuan",
            [10000, 50000, 100000, 500000],
            N_("星级累计消费门槛"),
            Form.THRESHOLDS,
            minimum=STAR_THRESHOLDS,
            maximum=10_000_000,
            unit=N_("元"),
            hint=N_("累计消费不足二星门槛为一星。"),
        ),
        _d(
            "member.long_term_spend_fen",
            1000000,
            N_("累计消费满多少算长期客户"),
            Form.FEN,
            minimum=100,
            maximum=MONEY_MAX_FEN,
        ),
        _d("member.vip_tier_rank", 3, N_("会员等级达到哪一级算VIP客户"), Form.TIER),
        _d(
            "member.referral_gift_count",
            9,
            N_("推荐满几位新会员赠送礼品"),
            Form.NUMBER,
            minimum=1,
            maximum=1000,
            unit=N_("位"),
        ),
        _d(
            "member.birthday_greeting",
            "亲爱的{name}，{club}全体员工祝您生日快乐！生日当天到店消费享{discount}折优惠，期待您的光临。",
            N_("生日祝福语"),
            Form.TEMPLATE,
            limit=GREETING_LIMIT,
            required=True,
            placeholders=GREETING_PLACEHOLDERS,
        ),
        _d(
            "member.long_term_months",
            3,
            N_("连续消费几个月算长期客户"),
            Form.NUMBER,
            minimum=1,
            maximum=24,
            unit=N_("个月"),
        ),
        _d(
            "complaint.first_response_hours", 24, N_("投诉首次响应时限"), Form.NUMBER, **HOUR_LIMITS
        ),
        _d("complaint.investigation_hours", 48, N_("调查分析时限"), Form.NUMBER, **HOUR_LIMITS),
        _d("complaint.proposal_hours", 24, N_("提出处理方案时限"), Form.NUMBER, **HOUR_LIMITS),
        _d("complaint.approval_hours", 24, N_("处理方案审批时限"), Form.NUMBER, **HOUR_LIMITS),
        _d(
            "complaint.implementation_hours",
            48,
            N_("实施处理方案时限"),
            Form.NUMBER,
            **HOUR_LIMITS,
        ),
        _d("complaint.acceptance_hours", 72, N_("顾客确认签字时限"), Form.NUMBER, **HOUR_LIMITS),
        _d("complaint.summary_hours", 72, N_("总结评价时限"), Form.NUMBER, **HOUR_LIMITS),
        _d("complaint.close_hours", 24, N_("总结后结案时限"), Form.NUMBER, **HOUR_LIMITS),
        _d(
            "visit.due_days",
            3,
            N_("服务或投诉后回访期限"),
            Form.NUMBER,
            minimum=1,
            maximum=30,
            unit=N_("天"),
        ),
        _d("visit.quiet_start", "22:00", N_("免打扰开始时间"), Form.TIME),
        _d(
            "visit.quiet_end",
            "09:00",
            N_("免打扰结束时间"),
            Form.TIME,
            hint=N_("这段时间内不打回访电话；早于开始时间表示到次日。"),
        ),
        _d(
            "visit.script_service",
            "{name}您好，我是{club}的客服。您在{date}体验了我们的{service}，"
            "想了解一下您对这次服务满意吗？有什么需要改进的地方，欢迎您提出宝贵意见。",
            N_("服务后回访话术"),
            Form.TEMPLATE,
            limit=SCRIPT_LIMIT,
            required=True,
            placeholders=SCRIPT_PLACEHOLDERS,
        ),
        _d(
            "visit.script_complaint",
            "{name}您好，我是{club}的客服。关于您{date}反映的问题，我们已经处理完毕，"
            "想了解一下您对处理结果满意吗？还有什么需要我们改进的吗？",
            N_("投诉处理后回访话术"),
            Form.TEMPLATE,
            limit=SCRIPT_LIMIT,
            required=True,
            placeholders=SCRIPT_PLACEHOLDERS,
        ),
        _d(
            "visit.script_periodic",
            "{name}您好，我是{club}的客服。感谢您一直以来的支持，想了解一下您最近对我们的"
            "服务满意吗？有什么建议欢迎告诉我们。",
            N_("定期回访话术"),
            Form.TEMPLATE,
            limit=SCRIPT_LIMIT,
            required=True,
            placeholders=SCRIPT_PLACEHOLDERS,
        ),
        _d("vip.room_ready_time", "12:00", N_("抵达时间未知时房间准备完毕时间"), Form.TIME),
        _d(
            "vip.letter_days_before",
            1,
            N_("欢迎信提前几天准备"),
            Form.NUMBER,
            minimum=0,
            maximum=30,
            unit=N_("天"),
        ),
        _d(
            "staff.handover_minutes",
            15,
            N_("提前到岗交接时间"),
            Form.NUMBER,
            minimum=0,
            maximum=120,
            unit=N_("分钟"),
        ),
        _d(
            "backup.keep",
            10,
            N_("保留备份份数"),
            Form.NUMBER,
            minimum=1,
            maximum=100,
            unit=N_("份"),
        ),
    )
}


def get_value(db: Database, key: str) -> Any:
    definition = _definition(key)
    with db.read() as session:
        stored = session.execute(select(Setting.value).where(Setting.key == key)).scalar()
    return definition.default if stored is None else json.loads(stored)


def session_value(session: Session, key: str) -> Any:
    """``get_value`` inside a transaction the caller already holds.

    All settings are read once per transaction (one small table, one query) rather
    than one query per key: a settlement asks for half a dozen of them."""
    definition = _definition(key)
    stored: dict[str, str] | None = session.info.get(_CACHE_KEY)
    if stored is None:
        stored = {k: v for k, v in session.execute(select(Setting.key, Setting.value))}
        session.info[_CACHE_KEY] = stored
    value = stored.get(key)
    return definition.default if value is None else json.loads(value)


_CACHE_KEY = "clubdesk.settings"


def forget_cached(session: Session) -> None:
    """Drop the values ``session_value`` read, after the settings changed in ``session``."""
    session.info.pop(_CACHE_KEY, None)


def all_values(db: Database) -> dict[str, Any]:
    with db.read() as session:
        stored = {k: v for k, v in session.execute(select(Setting.key, Setting.value))}
    return {
        key: json.loads(stored[key]) if key in stored else d.default
        for key, d in DEFINITIONS.items()
    }


def definition(key: str) -> SettingDef:
    """The declaration of ``key``; DomainError (naming it) for a key that does not exist."""
    return _definition(key)


def _definition(key: str) -> SettingDef:
    try:
        return DEFINITIONS[key]
    except KeyError:
        raise DomainError(_("未知的设置项：{key}").format(key=key), field=key) from None

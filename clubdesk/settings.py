"""Manager-changeable settings, declared once with their defaults.

Values live in the ``settings`` table as JSON so every counter of a chain shares them;
a key that was never changed reads its declared default.  domain.md's numbers are
defaults here, never constants in the services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import N_, _
from clubdesk.models import Setting


@dataclass(frozen=True, slots=True)
class SettingDef:
    key: str
    default: Any
    label: str  # N_-marked Chinese label
    kind: type


def _d(key: str, default: Any, label: str) -> SettingDef:
    return SettingDef(key, default, label, type(default))


DEFINITIONS: dict[str, SettingDef] = {
    d.key: d
    for d in (
        _d("club.name", "ClubDesk 示范会所", N_("店名")),
        _d("club.address", "", N_("地址")),
        _d("club.phone", "", N_("联系电话")),
        _d("club.opening_time", "10:00", N_("营业开始时间")),
        _d("club.closing_time", "02:00", N_("营业结束时间（可跨午夜）")),
        _d("member.annual_fee_fen", 18000, N_("会员年费（分）")),
        _d("member.reissue_fee_fen", 2000, N_("补卡工本费（分）")),
        _d("member.birthday_discount_bp", 8800, N_("生日折扣（万分比）")),
        _d("member.churn_days", 90, N_("多少天未到店视为流失")),
        _d("member.churn_min_visits", 2, N_("至少到店几次的会员才做流失预警")),
        _d("member.holiday_discount_bp", 9500, N_("节假日折扣（万分比）")),
        _d(
            "member.holidays",
            ["01-01", "05-01", "05-02", "05-03", "10-01", "10-02", "10-03"],
            N_("节假日（月-日）"),
        ),
        # Pay at least the first amount (fen), get the second on top: 1,000 → 1,100 yuan.
        _d(
            "member.top_up_bonus",
            [[100000, 10000], [200000, 30000], [500000, 100000], [1000000, 250000]],
            N_("充值赠送规则（充值满多少分送多少分）"),
        ),
        _d(
            "member.star_thresholds_yuan",
            [10000, 50000, 100000, 500000],
            N_("星级累计消费门槛（元）"),
        ),
        _d("member.long_term_spend_fen", 1000000, N_("累计消费满多少分算长期客户")),
        _d("member.vip_tier_rank", 3, N_("等级序号达到多少算VIP客户（0为普通会员）")),
        _d("member.referral_gift_count", 9, N_("推荐满几位新会员赠送礼品")),
        _d(
            "member.birthday_greeting",
            "亲爱的{name}，{club}全体员工祝您生日快乐！生日当天到店消费享{discount}折优惠，期待您的光临。",
            N_("生日祝福语（可用 {name} {club} {discount}）"),
        ),
        _d("member.long_term_months", 3, N_("连续消费几个月算长期客户")),
        _d("complaint.first_response_hours", 24, N_("投诉首次响应时限（小时）")),
        _d("complaint.investigation_hours", 48, N_("投诉调查分析时限（小时）")),
        _d("complaint.proposal_hours", 24, N_("提出投诉处理方案时限（小时）")),
        _d("complaint.approval_hours", 24, N_("投诉处理方案审批时限（小时）")),
        _d("complaint.implementation_hours", 48, N_("实施投诉处理方案时限（小时）")),
        _d("complaint.acceptance_hours", 72, N_("顾客确认签字时限（小时）")),
        _d("complaint.summary_hours", 72, N_("投诉总结评价时限（小时）")),
        _d("complaint.close_hours", 24, N_("总结后结案时限（小时）")),
        _d("visit.due_days", 3, N_("服务或投诉后回访期限（天）")),
        _d("visit.quiet_start", "22:00", N_("免打扰开始时间")),
        _d("visit.quiet_end", "09:00", N_("免打扰结束时间")),
        _d("vip.room_ready_time", "12:00", N_("抵达时间未知时房间准备完毕时间")),
        _d("vip.letter_days_before", 1, N_("欢迎信提前几天准备")),
        _d("staff.handover_minutes", 15, N_("提前到岗交接时间（分钟）")),
        _d("backup.keep", 10, N_("保留备份份数")),
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


def all_values(db: Database) -> dict[str, Any]:
    with db.read() as session:
        stored = {k: v for k, v in session.execute(select(Setting.key, Setting.value))}
    return {
        key: json.loads(stored[key]) if key in stored else d.default
        for key, d in DEFINITIONS.items()
    }


def _definition(key: str) -> SettingDef:
    try:
        return DEFINITIONS[key]
    except KeyError:
        raise DomainError(_("未知的设置项：{key}").format(key=key)) from None

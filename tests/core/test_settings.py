from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, PermissionDenied
from clubdesk.models import AuditEntry, Setting
from clubdesk.models.enums import ComplaintStepKind, Role
from clubdesk.services import club_settings, complaint_rules
from clubdesk.services.staff import StaffMember
from clubdesk.settings import Form
from tests.core.roster_helpers import staff


def test_every_declared_setting_has_a_default_and_a_label() -> None:
    for key, definition in settings.DEFINITIONS.items():
        assert definition.key == key
        assert definition.default is not None
        assert isinstance(definition.default, definition.kind)
        assert definition.label.strip()


def test_unchanged_settings_read_their_default(db: Database) -> None:
    assert settings.get_value(db, "complaint.first_response_hours") == 24
    assert settings.all_values(db)["visit.due_days"] == 3


def test_stored_value_wins_over_default(db: Database) -> None:
    with db.write() as s:
        s.execute(
            text("INSERT INTO settings (key, value, updated_at) VALUES (:k, :v, '2026-01-01')"),
            {"k": "club.name", "v": json.dumps("云水间会所")},
        )
    assert settings.get_value(db, "club.name") == "云水间会所"


def test_unknown_setting_is_a_clear_error(db: Database) -> None:
    with pytest.raises(DomainError, match="未知的设置项"):
        settings.get_value(db, "no.such.key")


# -- changing settings (clubdesk.services.club_settings) -------------------------------------
NOW = datetime(2031, 3, 14, 15, 0)


@pytest.fixture
def manager(db: Database) -> StaffMember:
    return staff(db, Role.MANAGER)


def _audit(
    db: Database,
) -> list[tuple[str, int | None, str | None, dict[str, Any], dict[str, Any]]]:
    with db.read() as s:
        rows = s.execute(
            select(
                AuditEntry.action,
                AuditEntry.staff_id,
                AuditEntry.detail,
                AuditEntry.before,
                AuditEntry.after,
            )
            .where(AuditEntry.entity == "setting")
            .order_by(AuditEntry.id)
        ).all()
    return [(a, who, d, json.loads(b), json.loads(af)) for a, who, d, b, af in rows]


def _stored_rows(db: Database) -> dict[str, tuple[str, int | None, datetime]]:
    with db.read() as s:
        return {
            key: (value, by, at)
            for key, value, by, at in s.execute(
                select(Setting.key, Setting.value, Setting.updated_by, Setting.updated_at)
            )
        }


def test_every_declared_setting_has_a_group_and_a_valid_default() -> None:
    for key, definition in settings.DEFINITIONS.items():
        assert definition.group in settings.GROUPS, key
        # The defaults pass the checks a manager's value must pass (tiers unchecked).
        assert club_settings.clean(key, definition.default) == definition.default, key
        if definition.form is Form.TEMPLATE:
            assert definition.placeholders and definition.limit, key
        if definition.form in (Form.NUMBER, Form.FEN, Form.THRESHOLDS):
            assert definition.minimum is not None and definition.maximum is not None, key
        if definition.form in (Form.NUMBER, Form.THRESHOLDS):
            assert definition.unit, key


def test_a_manager_changes_settings_read_back_by_every_reader(
    db: Database, manager: StaffMember
) -> None:
    done = club_settings.set_values(
        db,
        manager,
        {
            "complaint.first_response_hours": 12,
            "visit.quiet_start": "21:30",
            "club.name": " 云水间 ",
        },
        now=NOW,
    )
    assert [(c.key, c.before, c.after) for c in done] == [
        ("club.name", "ClubDesk 示范会所", "云水间"),
        ("complaint.first_response_hours", 24, 12),
        ("visit.quiet_start", "22:00", "21:30"),
    ]
    assert settings.get_value(db, "complaint.first_response_hours") == 12
    assert settings.all_values(db)["visit.quiet_start"] == "21:30"
    with db.read() as s:
        assert settings.session_value(s, "club.name") == "云水间"
        assert settings.session_value(s, "visit.quiet_end") == "09:00"  # untouched
    value, by, at = _stored_rows(db)["complaint.first_response_hours"]
    assert (json.loads(value), by, at) == (12, manager.id, NOW)


def test_each_changed_key_leaves_an_audit_entry_with_before_and_after(
    db: Database, manager: StaffMember
) -> None:
    club_settings.set_values(db, manager, {"visit.due_days": 5, "backup.keep": 10}, now=NOW)
    # backup.keep already was 10: no change, no entry.
    assert _audit(db) == [
        (
            "settings.change",
            manager.id,
            "visit.due_days",
            {"key": "visit.due_days", "value": 3},
            {"key": "visit.due_days", "value": 5},
        )
    ]


def test_a_value_equal_to_the_default_is_not_stored_and_reset_restores_it(
    db: Database, manager: StaffMember
) -> None:
    club_settings.set_values(db, manager, {"member.churn_days": 60, "staff.handover_minutes": 20})
    assert set(_stored_rows(db)) == {"member.churn_days", "staff.handover_minutes"}
    club_settings.set_values(db, manager, {"staff.handover_minutes": 15})  # typed the default
    done = club_settings.reset(db, manager, "member.churn_days", now=NOW)
    assert [(c.before, c.after) for c in done] == [(60, 90)]
    assert _stored_rows(db) == {}
    assert settings.get_value(db, "member.churn_days") == 90
    assert _audit(db)[-1][3:] == (
        {"key": "member.churn_days", "value": 60},
        {"key": "member.churn_days", "value": 90},
    )
    assert club_settings.reset(db, manager, "member.churn_days") == []  # nothing to undo


def test_values_are_normalised_before_they_are_stored(db: Database, manager: StaffMember) -> None:
    club_settings.set_values(
        db,
        manager,
        {
            "club.opening_time": "9:30",
            "member.holidays": ["10-01", "1-1", "02-29", "01-01"],
            "member.top_up_bonus": [[500000, 80000], [100000, 10000]],
            "member.birthday_greeting": "｛name｝您好，\r\n祝您生日快乐！\x07",
            "club.phone": "０５７１-8888 6666",
        },
    )
    values = settings.all_values(db)
    assert values["club.opening_time"] == "09:30"
    assert values["member.holidays"] == ["01-01", "02-29", "10-01"]
    assert values["member.top_up_bonus"] == [[100000, 10000], [500000, 80000]]
    assert values["member.birthday_greeting"] == "{name}您好，\n祝您生日快乐！"
    assert values["club.phone"] == "0571-8888 6666"


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("visit.quiet_start", "25:00", ["免打扰开始时间", "25:00", "00:00 到 23:59"]),
        ("club.closing_time", "2点", ["营业结束时间", "时:分"]),
        ("complaint.first_response_hours", -5, ["投诉首次响应时限", "1 到 720 小时", "-5"]),
        ("complaint.close_hours", 721, ["1 到 720 小时"]),
        ("visit.due_days", 0, ["回访期限", "1 到 30 天"]),
        ("member.churn_days", True, ["应当是整数"]),
        ("member.annual_fee_fen", -100, ["会员年费", "不能是负数"]),
        ("member.birthday_discount_bp", 10001, ["0.01% 到 100%", "100.01%"]),
        ("member.birthday_greeting", "{name}您好，电话{phone}", ["{phone}", "{name}（会员姓名）"]),
        ("visit.script_service", "{name您好", ["不成对", "{service}（服务项目）", "{date}"]),
        ("visit.script_periodic", "您好{0}", ["{0}"]),
        ("visit.script_complaint", "{name!r}您好", ["{name!r}"]),
        ("visit.script_service", "   ", ["请填写“服务后回访话术”"]),
        ("member.birthday_greeting", "祝" * 301, ["最多 300 个字", "301"]),
        ("club.name", "云" * 41, ["店名", "最多 40 个字"]),
        ("club.phone", "请打前台", ["不是有效的电话号码"]),
        ("member.holidays", ["01-01", "02-30"], ["“02-30”", "月-日"]),
        ("member.holidays", ["13-01"], ["“13-01”"]),
        ("member.star_thresholds_yuan", [10000, 50000, 40000, 500000], ["从低到高", "4 星"]),
        ("member.star_thresholds_yuan", [10000, 10000, 100000, 500000], ["3 星", "2 星"]),
        ("member.star_thresholds_yuan", [10000, 50000], ["4 个门槛", "现在是 2 个"]),
        ("member.top_up_bonus", [[100000, 10000], [200000, 5000]], ["充值越多赠送应越多"]),
        ("member.top_up_bonus", [[100000, 10000], [100000, 20000]], ["重复"]),
        ("member.top_up_bonus", [[100000, 200000]], ["赠送金额"]),
        ("member.top_up_bonus", [[0, 0]], ["充值金额应在"]),
        ("member.vip_tier_rank", 99, ["现有的会员等级"]),
    ],
)
def test_a_bad_value_is_refused_naming_its_setting_and_nothing_is_saved(
    db: Database, manager: StaffMember, key: str, value: Any, words: list[str]
) -> None:
    before = settings.all_values(db)
    with pytest.raises(DomainError) as caught:
        # A good change in the same batch is not saved either.
        club_settings.set_values(db, manager, {"backup.keep": 20, key: value}, now=NOW)
    assert caught.value.field == key
    for word in words:
        assert word in caught.value.message
    assert settings.all_values(db) == before
    assert _stored_rows(db) == {}
    assert _audit(db) == []


def test_quiet_hours_may_not_start_and_end_at_the_same_time(
    db: Database, manager: StaffMember
) -> None:
    with pytest.raises(DomainError, match="不能相同") as caught:
        club_settings.set_values(db, manager, {"visit.quiet_end": "22:00"})
    assert caught.value.field == "visit.quiet_end"
    club_settings.set_values(
        db, manager, {"visit.quiet_start": "23:00", "visit.quiet_end": "22:00"}
    )
    assert settings.get_value(db, "visit.quiet_end") == "22:00"


def test_an_unknown_key_is_refused_before_anything_is_written(
    db: Database, manager: StaffMember
) -> None:
    with pytest.raises(DomainError, match="未知的设置项") as caught:
        club_settings.set_values(db, manager, {"backup.keep": 3, "no.such.key": 1})
    assert caught.value.field == "no.such.key"
    assert _stored_rows(db) == {}


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.SUPERVISOR, Role.THERAPIST])
def test_only_managers_change_settings(db: Database, role: Role) -> None:
    actor = staff(db, role)
    with pytest.raises(PermissionDenied, match="修改店铺设置"):
        club_settings.set_values(db, actor, {"visit.due_days": 5})
    with pytest.raises(PermissionDenied):
        club_settings.reset(db, actor, "visit.due_days")
    with pytest.raises(PermissionDenied, match="请先登录"):
        club_settings.set_values(db, None, {"visit.due_days": 5})
    assert settings.get_value(db, "visit.due_days") == 3


@pytest.mark.parametrize("role", [Role.MANAGER, Role.DIRECTOR, Role.ADMIN])
def test_managers_directors_and_admins_may_change_settings(db: Database, role: Role) -> None:
    club_settings.set_values(db, staff(db, role), {"visit.due_days": 5})
    assert settings.get_value(db, "visit.due_days") == 5


def test_overview_lists_values_who_changed_them_and_the_tiers(
    db: Database, manager: StaffMember
) -> None:
    club_settings.set_values(db, manager, {"member.vip_tier_rank": 4}, now=NOW)
    view = club_settings.overview(db)
    assert view.values["member.vip_tier_rank"] == 4
    assert view.values["visit.due_days"] == 3
    assert set(view.values) == set(settings.DEFINITIONS)
    assert view.stored == {"member.vip_tier_rank": club_settings.Stored(manager.display_name, NOW)}
    assert [name for _rank, name in view.tiers] == [
        "普通会员",
        "银卡会员",
        "金卡会员",
        "白金会员",
        "钻石会员",
    ]
    assert [rank for rank, _name in view.tiers] == sorted(rank for rank, _name in view.tiers)
    tiers = dict(view.tiers)
    assert club_settings.describe("member.vip_tier_rank", 3, tiers) == "白金会员及以上"
    assert club_settings.describe("complaint.close_hours", 24) == "24 小时"
    assert club_settings.describe("member.annual_fee_fen", 18000) == "¥180.00"
    assert club_settings.describe("member.birthday_discount_bp", 8850) == "88.5%"


def test_a_changed_deadline_reaches_the_complaint_rules(db: Database, manager: StaffMember) -> None:
    club_settings.set_values(db, manager, {"complaint.investigation_hours": 6})
    with db.read() as s:
        due = complaint_rules.due_after(s, ComplaintStepKind.INVESTIGATION, NOW)
    assert due == NOW + timedelta(hours=6)


@pytest.mark.postgres
def test_settings_upsert_and_reset_on_postgres(pg_url: str) -> None:
    from clubdesk.db.open import open_database

    db = open_database(pg_url)
    try:
        manager = staff(db, Role.MANAGER)
        club_settings.set_values(db, manager, {"visit.due_days": 5}, now=NOW)  # insert
        club_settings.set_values(db, manager, {"visit.due_days": 6}, now=NOW)  # update
        assert settings.get_value(db, "visit.due_days") == 6
        assert _stored_rows(db)["visit.due_days"][1:] == (manager.id, NOW)
        club_settings.reset(db, manager, "visit.due_days")
        assert _stored_rows(db) == {}
        assert [a[3]["value"] for a in _audit(db)] == [3, 5, 6]
    finally:
        db.dispose()

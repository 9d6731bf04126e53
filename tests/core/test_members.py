"""Member profiles: validation on the field, duplicates, conflicts, nothing half-saved."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, PermissionDenied
from clubdesk.models import AuditEntry, Member, MemberSearchTerm, MembershipCard
from clubdesk.models.enums import CardKind, Role
from clubdesk.services import members
from clubdesk.services.members import MemberInput
from tests.core.roster_helpers import member, staff

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (MemberInput(name="   ", phone="13800138000"), "name"),
        (MemberInput(name="张三", phone=""), "phone"),
        (MemberInput(name="张三", phone="12800138000"), "phone"),
        (MemberInput(name="张三", phone="1380013800"), "phone"),
        (MemberInput(name="张三", phone="abc", foreign_phone=True), "phone"),
        (MemberInput(name="张三", phone="13800138000", birthday=date(2026, 11, 24)), "birthday"),
        (MemberInput(name="张三", phone="13800138000", age=150), "age"),
        (MemberInput(name="张三", phone="13800138000", email="not-an-email"), "email"),
        (MemberInput(name="张三", phone="13800138000", joined_on=date(2027, 1, 1)), "joined_on"),
    ],
)
def test_bad_input_is_refused_on_its_field(data: MemberInput, field: str) -> None:
    with pytest.raises(DomainError) as info:
        members.validate(data, today=TODAY)
    assert info.value.field == field
    assert info.value.message  # a sentence for the counter


def test_input_is_cleaned() -> None:
    clean = members.validate(
        MemberInput(name="  张  晓明 ", phone="+86 １３８-0013 8000", wechat="  "), today=TODAY
    )
    assert clean.name == "张 晓明"
    assert clean.phone == "13800138000"
    assert clean.wechat is None
    assert clean.joined_on == TODAY
    foreign = members.validate(
        MemberInput(name="Tom Li", phone="+44 7911 123456", foreign_phone=True), today=TODAY
    )
    assert foreign.phone == "+447911123456"


def test_create_writes_member_card_terms_and_audit_in_one_go(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor, "曾晓明", "13912345678", birthday=date(1990, 2, 3))
    with db.read() as s:
        m = s.get(Member, mid)
        assert m is not None
        assert (m.name_initials, m.phone_last4, m.birthday_mmdd) == ("zxm cxm", "5678", "0203")
        terms = set(
            s.scalars(select(MemberSearchTerm.term).where(MemberSearchTerm.member_id == mid))
        )
        assert {"n曾", "n晓明", "izxm", "icxm"} <= terms
        assert s.scalar(select(func.count()).select_from(MembershipCard)) == 1
        assert (
            s.scalar(select(AuditEntry.action).where(AuditEntry.entity_id == mid))
            == "member.create"
        )


def test_duplicate_phone_names_the_existing_member_and_saves_nothing(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    first = member(db, actor)
    with pytest.raises(members.DuplicatePhone) as info:
        member(db, actor, "李四", "138-0013-8000")
    assert info.value.member_id == first
    assert info.value.field == "phone"
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Member)) == 1
        assert s.scalar(select(func.count()).select_from(MembershipCard)) == 1


def test_edit_updates_terms_and_a_stale_edit_is_a_conflict(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor)
    data, version = members.load_input(db, mid)
    new_version = members.update(
        db, actor, mid, members.MemberInput(**{**_fields(data), "name": "王晓明"}),
        expected_version=version,
    )  # fmt: skip
    assert new_version == version + 1
    with db.read() as s:
        terms = set(
            s.scalars(select(MemberSearchTerm.term).where(MemberSearchTerm.member_id == mid))
        )
    assert "n王" in terms and "n张" not in terms
    with pytest.raises(DomainError, match="另一台收银台"):
        members.update(
            db, actor, mid, members.MemberInput(**{**_fields(data), "notes": "x"}),
            expected_version=version,
        )  # fmt: skip


def test_a_role_without_the_right_cannot_register(db: Database) -> None:
    coach = staff(db, Role.COACH)
    with pytest.raises(PermissionDenied):
        member(db, coach)


def test_a_member_with_a_card_cannot_get_a_second_one(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor)
    from clubdesk.services import cards

    with pytest.raises(DomainError, match="一人只能持一张卡"):
        cards.issue(db, actor, mid, CardKind.DISCOUNT)


def _fields(data: MemberInput) -> dict[str, object]:
    from dataclasses import asdict

    return asdict(data)


def test_a_phone_edit_in_the_middle_digits_is_saved_and_audited(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    mid = member(db, actor, phone="13812341234")
    data, version = members.load_input(db, mid)
    changed = members.MemberInput(**{**_fields(data), "phone": "13899991234"})
    assert members.update(db, actor, mid, changed, expected_version=version) == version + 1
    with db.read() as s:
        assert s.scalar(select(Member.phone).where(Member.id == mid)) == "13899991234"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "member.update")).one()
        assert entry.after is not None and "phone" in entry.after


@pytest.mark.parametrize(
    ("typed", "foreign", "stored"),
    [
        ("+86 138 0013 8000", True, "13800138000"),  # a mainland number ticked as foreign
        ("0085291234567", True, "+85291234567"),
        ("+852 9123 4567", True, "+85291234567"),
    ],
)
def test_one_number_has_one_spelling(typed: str, foreign: bool, stored: str) -> None:
    clean = members.validate(
        MemberInput(name="王", phone=typed, foreign_phone=foreign), today=TODAY
    )
    assert clean.phone == stored
    assert clean.foreign_phone == stored.startswith("+")

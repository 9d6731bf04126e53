"""Services and resources administration: validation, unique names, permissions,
deactivation rules, working hours past midnight and the services each resource can do."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound, PermissionDenied
from clubdesk.models import AuditEntry, Booking, BookingResource, Resource, Service, Staff
from clubdesk.models.enums import BookingState, ResourceKind, Role, ServiceCategory
from clubdesk.services import catalog
from clubdesk.services.catalog import ResourceInput, ServiceInput
from clubdesk.services.staff import StaffMember

NOW = datetime(2026, 11, 23, 15, 0)


def _staff(db: Database, role: Role, username: str | None = None, name: str = "") -> StaffMember:
    username = username or f"u_{role.value}"
    with db.write() as session:
        row = Staff(username=username, display_name=name or f"测试{role.value}", role=role)
        session.add(row)
        session.flush()
        return StaffMember(row.id, row.username, row.display_name, row.role)


@pytest.fixture
def manager(db: Database) -> StaffMember:
    return _staff(db, Role.MANAGER)


@pytest.fixture
def front_desk(db: Database) -> StaffMember:
    return _staff(db, Role.FRONT_DESK)


MASSAGE = ServiceInput("中式按摩60分钟", ServiceCategory.MASSAGE, 60, 19_800)
ROOM = ResourceInput("按摩房 101", ResourceKind.ROOM)


def _count(db: Database, model: type[Service] | type[Resource]) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _book(
    db: Database,
    service_id: int,
    resource_id: int,
    start: datetime,
    minutes: int = 60,
    state: BookingState = BookingState.BOOKED,
) -> int:
    """A booking built from the models, holding ``resource_id``."""
    end = start + timedelta(minutes=minutes)
    holds = state in (BookingState.BOOKED, BookingState.ARRIVED, BookingState.IN_SERVICE)
    with db.write() as session:
        booking = Booking(
            guest_name="散客张先生",
            service_id=service_id,
            start_at=start,
            end_at=end,
            state=state,
        )
        booking.allocations.append(
            BookingResource(resource_id=resource_id, start_at=start, end_at=end, active=holds)
        )
        session.add(booking)
        session.flush()
        return booking.id


# -- services ----------------------------------------------------------------------------
def test_service_saved_read_back_and_audited(db: Database, manager: StaffMember) -> None:
    service_id = catalog.save_service(
        db, manager, replace(MASSAGE, name="  中式按摩60分钟 ", capacity=None)
    )
    [row] = [r for r in catalog.list_services(db) if r.id == service_id]
    assert row.name == "中式按摩60分钟"
    assert (row.category, row.duration_min, row.list_price_fen) == (
        ServiceCategory.MASSAGE,
        60,
        19_800,
    )
    assert row.capacity is None and row.active and row.bookings == 0

    catalog.save_service(
        db, manager, replace(MASSAGE, list_price_fen=21_800, duration_min=65), service_id
    )
    [row] = [r for r in catalog.list_services(db) if r.id == service_id]
    assert (row.duration_min, row.list_price_fen) == (65, 21_800)
    with db.read() as session:
        entries = [
            (e.action, e.staff_id, e.before, e.after)
            for e in session.scalars(
                select(AuditEntry).where(AuditEntry.entity == "service").order_by(AuditEntry.id)
            )
        ]
    assert [(action, staff) for action, staff, _b, _a in entries] == [
        ("service.create", manager.id),
        ("service.update", manager.id),
    ]
    assert json.loads(entries[1][2] or "") == {"duration_min": 60, "list_price_fen": 19_800}
    assert json.loads(entries[1][3] or "") == {"duration_min": 65, "list_price_fen": 21_800}


def test_session_service_keeps_its_seats(db: Database, manager: StaffMember) -> None:
    yoga = ServiceInput("瑜伽团课", ServiceCategory.FITNESS, 60, 8_000, capacity=20)
    service_id = catalog.save_service(db, manager, yoga)
    [row] = catalog.list_services(db)
    assert row.id == service_id and row.capacity == 20


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"name": "   "}, "name", "请填写服务项目名称"),
        ({"name": "按" * 41}, "name", "最多 40 个字，现在是 41 个"),
        ({"category": "sauna"}, "category", "请选择服务类别"),
        ({"duration_min": 10}, "duration_min", "15 到 600 分钟之间，现在是 10 分钟"),
        ({"duration_min": 605}, "duration_min", "15 到 600 分钟之间，现在是 605 分钟"),
        ({"duration_min": 62}, "duration_min", "5 分钟的整数倍"),
        ({"list_price_fen": -1}, "list_price_fen", "不能为负数"),
        ({"list_price_fen": 10_000_001}, "list_price_fen", "不能超过 100,000 元"),
        ({"capacity": 1}, "capacity", "座位数应在 2 到 500 之间"),
        ({"capacity": 501}, "capacity", "座位数应在 2 到 500 之间"),
    ],
)
def test_bad_service_input_is_refused_and_nothing_saved(
    db: Database, manager: StaffMember, change: dict[str, object], field: str, words: str
) -> None:
    existing = catalog.save_service(db, manager, MASSAGE)
    bad = replace(MASSAGE, **{"name": "足疗60分钟", **change})  # type: ignore[arg-type]
    with pytest.raises(DomainError) as refused:
        catalog.save_service(db, manager, bad)
    assert refused.value.field == field
    assert words in refused.value.message
    assert _count(db, Service) == 1
    # an edit with the same bad value is refused too and leaves the row as it was
    with pytest.raises(DomainError):
        edit = bad if field == "name" else replace(bad, name=MASSAGE.name)
        catalog.save_service(db, manager, edit, existing)
    [row] = catalog.list_services(db)
    assert row.as_input() == MASSAGE


def test_limits_themselves_are_accepted(db: Database, manager: StaffMember) -> None:
    for n, (duration, price, seats) in enumerate(
        [(15, 0, 2), (600, 10_000_000, 500), (95, 1, None)]
    ):
        catalog.save_service(
            db, manager, ServiceInput(f"项目{n}", ServiceCategory.LEISURE, duration, price, seats)
        )
    assert _count(db, Service) == 3


def test_service_names_are_unique_after_trimming_and_case(
    db: Database, manager: StaffMember
) -> None:
    catalog.save_service(db, manager, MASSAGE)
    spa = catalog.save_service(db, manager, ServiceInput("SPA", ServiceCategory.MASSAGE, 90, 1))
    for name in ("中式按摩60分钟", " 中式按摩60分钟  ", "spa", "ＳＰＡ"):
        with pytest.raises(DomainError, match="已有名为") as refused:
            catalog.save_service(db, manager, replace(MASSAGE, name=name))
        assert refused.value.field == "name"
    # renaming another service onto a taken name is refused as well
    with pytest.raises(DomainError, match="中式按摩60分钟"):
        catalog.save_service(
            db, manager, ServiceInput(MASSAGE.name, ServiceCategory.MASSAGE, 90, 1), spa
        )
    # a service keeps its own name when other fields change
    catalog.save_service(db, manager, ServiceInput("spa", ServiceCategory.MASSAGE, 90, 2), spa)
    assert sorted(r.name for r in catalog.list_services(db)) == ["spa", "中式按摩60分钟"]


def test_front_desk_may_read_but_not_change(
    db: Database, manager: StaffMember, front_desk: StaffMember
) -> None:
    service_id = catalog.save_service(db, manager, MASSAGE)
    room_id = catalog.save_resource(db, manager, ROOM)
    writes = [
        lambda: catalog.save_service(db, front_desk, replace(MASSAGE, name="足疗")),
        lambda: catalog.save_service(db, front_desk, MASSAGE, service_id),
        lambda: catalog.set_service_active(db, front_desk, service_id, False),
        lambda: catalog.delete_service(db, front_desk, service_id),
        lambda: catalog.save_resource(db, front_desk, replace(ROOM, name="足疗房 201")),
        lambda: catalog.set_resource_active(db, front_desk, room_id, False),
        lambda: catalog.delete_resource(db, front_desk, room_id),
        lambda: catalog.save_service(db, None, replace(MASSAGE, name="足疗")),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
    assert [r.name for r in catalog.list_services(db)] == [MASSAGE.name]
    assert [(r.name, r.active) for r in catalog.list_resources(db)] == [(ROOM.name, True)]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2  # the creations


def test_front_desk_refusal_names_the_permission(db: Database, front_desk: StaffMember) -> None:
    with pytest.raises(PermissionDenied, match="维护服务项目与房间技师"):
        catalog.save_service(db, front_desk, MASSAGE)


def test_used_service_cannot_be_deleted_only_deactivated(
    db: Database, manager: StaffMember
) -> None:
    used = catalog.save_service(db, manager, MASSAGE)
    unused = catalog.save_service(db, manager, replace(MASSAGE, name="采耳", duration_min=30))
    room = catalog.save_resource(db, manager, replace(ROOM, service_ids=(used, unused)))
    _book(db, used, room, NOW - timedelta(days=3), state=BookingState.SETTLED)

    with pytest.raises(DomainError, match="停用") as refused:
        catalog.delete_service(db, manager, used)
    assert "1 条" in refused.value.message
    assert _count(db, Service) == 2

    catalog.delete_service(db, manager, unused)
    assert [r.id for r in catalog.list_services(db)] == [used]
    [room_row] = catalog.list_resources(db, at=NOW)
    assert room_row.service_ids == (used,)  # the link went with the service

    catalog.set_service_active(db, manager, used, False)
    assert catalog.list_services(db, include_inactive=False) == []
    [row] = catalog.list_services(db)
    assert not row.active and row.bookings == 1
    catalog.set_service_active(db, manager, used, True)
    assert [r.active for r in catalog.list_services(db)] == [True]
    with db.read() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "service").order_by(AuditEntry.id)
        ).all()
    assert actions[-3:] == ["service.delete", "service.deactivate", "service.activate"]
    with pytest.raises(NotFound):
        catalog.delete_service(db, manager, unused)


# -- resources ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (ResourceInput(" ", ResourceKind.ROOM), "name", "请填写房间名称"),
        (ResourceInput("房" * 41, ResourceKind.ROOM), "name", "最多 40 个字"),
        (ResourceInput("按摩房", "sauna"), "kind", "请选择类型"),  # type: ignore[arg-type]
        (ResourceInput("按摩房", ResourceKind.ROOM, capacity=0), "capacity", "1 到 1000"),
        (ResourceInput("洗浴区", ResourceKind.AREA, capacity=1001), "capacity", "1 到 1000"),
        (ResourceInput("李娜", ResourceKind.THERAPIST, capacity=2), "capacity", "只能是 1"),
        (
            ResourceInput("按摩房", ResourceKind.ROOM, works_from=time(10)),
            "works_until",
            "同时填写开始和结束时间",
        ),
        (
            ResourceInput("按摩房", ResourceKind.ROOM, works_until=time(2)),
            "works_from",
            "同时填写开始和结束时间",
        ),
        (
            ResourceInput("按摩房", ResourceKind.ROOM, works_from=time(18), works_until=time(18)),
            "works_until",
            "不能相同（18:00）",
        ),
        (ResourceInput("按摩房", ResourceKind.ROOM, sort_order=-1), "sort_order", "0 到 9999"),
        (ResourceInput("按摩房", ResourceKind.ROOM, service_ids=(999,)), "service_ids", "已被删除"),
    ],
)
def test_bad_resource_input_is_refused_and_nothing_saved(
    db: Database, manager: StaffMember, data: ResourceInput, field: str, words: str
) -> None:
    with pytest.raises(DomainError) as refused:
        catalog.save_resource(db, manager, data)
    assert refused.value.field == field
    assert words in refused.value.message
    assert _count(db, Resource) == 0


def test_staff_link_rules(db: Database, manager: StaffMember) -> None:
    therapist = _staff(db, Role.THERAPIST, "li", "李娜")
    with pytest.raises(DomainError, match="只有技师、教练和技术员") as refused:
        catalog.save_resource(db, manager, replace(ROOM, staff_id=therapist.id))
    assert refused.value.field == "staff_id"
    with pytest.raises(DomainError, match="不存在或已停用"):
        catalog.save_resource(
            db, manager, ResourceInput("01号技师", ResourceKind.THERAPIST, staff_id=9999)
        )

    first = catalog.save_resource(
        db, manager, ResourceInput("01号技师 李娜", ResourceKind.THERAPIST, staff_id=therapist.id)
    )
    with pytest.raises(DomainError, match="已关联到“01号技师 李娜”") as refused:
        catalog.save_resource(
            db, manager, ResourceInput("02号技师", ResourceKind.COACH, staff_id=therapist.id)
        )
    assert refused.value.field == "staff_id"
    assert _count(db, Resource) == 1

    choices = {c.id: c for c in catalog.staff_choices(db)}
    assert choices[therapist.id].resource_id == first
    assert choices[therapist.id].resource_name == "01号技师 李娜"
    assert choices[manager.id].resource_id is None
    assert next(iter(choices)) == therapist.id  # people roles come first
    [row] = catalog.list_resources(db, at=NOW)
    assert (row.staff_id, row.staff_name, row.is_person) == (therapist.id, "李娜", True)

    with db.write() as session:
        session.get_one(Staff, manager.id).active = False
    assert manager.id not in {c.id for c in catalog.staff_choices(db)}


def test_resource_names_are_unique(db: Database, manager: StaffMember) -> None:
    catalog.save_resource(db, manager, ROOM)
    with pytest.raises(DomainError, match="已有名为“按摩房 101”") as refused:
        catalog.save_resource(db, manager, ResourceInput("按摩房　101", ResourceKind.SUITE))
    assert refused.value.field == "name"
    assert _count(db, Resource) == 1


@pytest.mark.parametrize(
    ("start", "end", "text", "crosses"),
    [
        (time(18), time(2), "18:00–次日02:00", True),
        (time(16), time(0), "16:00–24:00", True),
        (time(10, 30), time(22), "10:30–22:00", False),
        (None, None, "全天", False),
    ],
)
def test_working_hours_read_back(
    db: Database,
    manager: StaffMember,
    start: time | None,
    end: time | None,
    text: str,
    crosses: bool,
) -> None:
    resource_id = catalog.save_resource(
        db,
        manager,
        ResourceInput("夜班技师", ResourceKind.THERAPIST, works_from=start, works_until=end),
    )
    [row] = catalog.list_resources(db, at=NOW)
    assert row.id == resource_id
    assert (row.works_from, row.works_until) == (start, end)
    assert catalog.hours_text(row.works_from, row.works_until) == text
    assert catalog.crosses_midnight(row.works_from, row.works_until) is crosses


def test_seconds_of_working_hours_are_dropped(db: Database, manager: StaffMember) -> None:
    catalog.save_resource(
        db, manager, replace(ROOM, works_from=time(9, 59, 30), works_until=time(2, 0, 15))
    )
    [row] = catalog.list_resources(db, at=NOW)
    assert (row.works_from, row.works_until) == (time(9, 59), time(2, 0))


def test_services_a_resource_can_do_are_saved(db: Database, manager: StaffMember) -> None:
    ids = [
        catalog.save_service(db, manager, replace(MASSAGE, name=name, category=category))
        for name, category in (
            ("足疗60分钟", ServiceCategory.FOOT),
            ("中式按摩60分钟", ServiceCategory.MASSAGE),
            ("采耳", ServiceCategory.LEISURE),
        )
    ]
    foot, massage, ear = ids
    resource_id = catalog.save_resource(
        db,
        manager,
        ResourceInput("03号技师", ResourceKind.THERAPIST, service_ids=(ear, foot, foot)),
    )
    [row] = catalog.list_resources(db, at=NOW)
    assert set(row.service_ids) == {foot, ear}
    assert row.service_names == ("足疗60分钟", "采耳")  # in category order

    catalog.save_resource(
        db,
        manager,
        ResourceInput("03号技师", ResourceKind.THERAPIST, service_ids=(massage, foot)),
        resource_id,
    )
    [row] = catalog.list_resources(db, at=NOW)
    assert set(row.service_ids) == {massage, foot}
    with db.read() as session:
        action, before, after = session.execute(
            select(AuditEntry.action, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.entity == "resource")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one()
    assert action == "resource.update"
    assert json.loads(before or "") == {"service_ids": sorted([foot, ear])}
    assert json.loads(after or "") == {"service_ids": sorted([massage, foot])}
    assert {r.id: r.resources for r in catalog.list_services(db)} == {
        foot: 1,
        massage: 1,
        ear: 0,
    }


def test_kinds_filter_and_inactive(db: Database, manager: StaffMember) -> None:
    room = catalog.save_resource(db, manager, replace(ROOM, sort_order=2))
    person = catalog.save_resource(
        db, manager, ResourceInput("教练 蒋浩", ResourceKind.COACH, sort_order=1)
    )
    area = catalog.save_resource(
        db, manager, ResourceInput("洗浴区", ResourceKind.AREA, capacity=80, active=False)
    )
    assert [r.id for r in catalog.list_resources(db, at=NOW)] == [area, person, room]
    assert [r.id for r in catalog.list_resources(db, include_inactive=False, at=NOW)] == [
        person,
        room,
    ]
    kinds = [ResourceKind.ROOM, ResourceKind.AREA]
    assert [r.id for r in catalog.list_resources(db, kinds=kinds, at=NOW)] == [area, room]


def test_deactivation_refused_while_future_bookings_remain(
    db: Database, manager: StaffMember
) -> None:
    service = catalog.save_service(db, manager, MASSAGE)
    room = catalog.save_resource(db, manager, replace(ROOM, service_ids=(service,)))
    # Past, cancelled and finished bookings do not hold the room.
    _book(db, service, room, NOW - timedelta(days=1))
    _book(db, service, room, NOW + timedelta(hours=1), state=BookingState.CANCELLED)
    _book(db, service, room, NOW - timedelta(hours=2), state=BookingState.FINISHED)
    _book(db, service, room, NOW + timedelta(days=2, hours=3))  # 2026-11-25 18:00
    _book(db, service, room, NOW + timedelta(hours=4, minutes=30))  # today 19:30

    [row] = catalog.list_resources(db, at=NOW)
    assert row.future_bookings == 2
    for deactivate in (
        lambda: catalog.set_resource_active(db, manager, room, False, at=NOW),
        lambda: catalog.save_resource(db, manager, replace(ROOM, active=False), room, at=NOW),
    ):
        with pytest.raises(DomainError) as refused:
            deactivate()
        assert "2 个未完成的预约" in refused.value.message
        assert "今天 19:30" in refused.value.message
        assert refused.value.field == "active"
    assert [r.active for r in catalog.list_resources(db, at=NOW)] == [True]

    # Once the later bookings are over (seen from after them) it can be deactivated.
    later = NOW + timedelta(days=3)
    catalog.set_resource_active(db, manager, room, False, at=later)
    [row] = catalog.list_resources(db, at=later)
    assert not row.active and row.future_bookings == 0
    catalog.set_resource_active(db, manager, room, True, at=later)
    assert [r.active for r in catalog.list_resources(db, at=later)] == [True]


def test_an_ongoing_booking_also_blocks(db: Database, manager: StaffMember) -> None:
    service = catalog.save_service(db, manager, MASSAGE)
    person = catalog.save_resource(db, manager, ResourceInput("01号技师", ResourceKind.THERAPIST))
    _book(db, service, person, NOW - timedelta(minutes=30), 90, BookingState.IN_SERVICE)
    with pytest.raises(DomainError, match="1 个未完成的预约（最早一个 今天 14:30 开始）"):
        catalog.set_resource_active(db, manager, person, False, at=NOW)


def test_booked_resource_cannot_be_deleted(db: Database, manager: StaffMember) -> None:
    service = catalog.save_service(db, manager, MASSAGE)
    used = catalog.save_resource(db, manager, replace(ROOM, service_ids=(service,)))
    spare = catalog.save_resource(
        db, manager, ResourceInput("足疗房 201", ResourceKind.ROOM, service_ids=(service,))
    )
    _book(db, service, used, NOW - timedelta(days=10), state=BookingState.SETTLED)
    with pytest.raises(DomainError, match="不能删除"):
        catalog.delete_resource(db, manager, used)
    catalog.delete_resource(db, manager, spare)
    assert [r.id for r in catalog.list_resources(db, at=NOW)] == [used]

"""The catalogue the booking board works with (domain.md section 2): services (服务项目)
with their category, duration, list price and seats; and the resources they are booked
on: rooms, suites and areas, and the therapists, coaches and technicians with the
services each can do and their working hours.

Anyone may read it; every change needs ``Permission.CATALOG_EDIT``, is one transaction
and leaves an audit entry.  Bad input is refused with a Chinese sentence naming its
field (``DomainError.field``) so the editor can put it under the input.  A service or
resource that bookings refer to is deactivated (停用), never deleted; a resource that
still holds future bookings cannot be deactivated until they are moved or cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, time
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import (
    Booking,
    BookingResource,
    Resource,
    Service,
    Staff,
    WaitlistEntry,
    resource_services,
)
from clubdesk.models.enums import ACTIVE_BOOKING_STATES, ResourceKind, Role, ServiceCategory
from clubdesk.search_terms import fold_latin, normalise_text
from clubdesk.services import audit
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember

NAME_MAX = 40
DURATION_MIN = 15
DURATION_MAX = 600
DURATION_STEP = 5
PRICE_MAX_FEN = 10_000_000  # 100,000 yuan
SEATS_MIN = 2
SEATS_MAX = 500
RESOURCE_CAPACITY_MAX = 1000
SORT_ORDER_MAX = 9999

# People are booked one guest at a time; rooms, suites and areas may hold several.
PEOPLE_KINDS = frozenset({ResourceKind.THERAPIST, ResourceKind.COACH, ResourceKind.TECHNICIAN})
CATEGORY_ORDER = tuple(ServiceCategory)
KIND_ORDER = tuple(ResourceKind)


# -- plain data in and out ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ServiceInput:
    name: str
    category: ServiceCategory
    duration_min: int
    list_price_fen: int
    capacity: int | None = None  # seats of a class or screening; None: one guest at a time
    active: bool = True


@dataclass(frozen=True, slots=True)
class ServiceRow:
    id: int
    name: str
    category: ServiceCategory
    duration_min: int
    list_price_fen: int
    capacity: int | None
    active: bool
    bookings: int  # bookings and waitlist entries that refer to it (then it cannot be deleted)
    resources: int  # active resources that can do it

    def as_input(self) -> ServiceInput:
        return ServiceInput(
            name=self.name,
            category=self.category,
            duration_min=self.duration_min,
            list_price_fen=self.list_price_fen,
            capacity=self.capacity,
            active=self.active,
        )


@dataclass(frozen=True, slots=True)
class ResourceInput:
    name: str
    kind: ResourceKind
    staff_id: int | None = None  # people only: their staff account, if they have one
    capacity: int = 1
    works_from: time | None = None  # both or neither; until <= from runs past midnight
    works_until: time | None = None
    sort_order: int = 0
    active: bool = True
    service_ids: tuple[int, ...] = ()  # the services it can do


@dataclass(frozen=True, slots=True)
class ResourceRow:
    id: int
    name: str
    kind: ResourceKind
    staff_id: int | None
    staff_name: str | None
    capacity: int
    works_from: time | None
    works_until: time | None
    sort_order: int
    active: bool
    service_ids: tuple[int, ...]
    service_names: tuple[str, ...]
    future_bookings: int  # active bookings that have not ended yet

    @property
    def is_person(self) -> bool:
        return self.kind in PEOPLE_KINDS

    def as_input(self) -> ResourceInput:
        return ResourceInput(
            name=self.name,
            kind=self.kind,
            staff_id=self.staff_id,
            capacity=self.capacity,
            works_from=self.works_from,
            works_until=self.works_until,
            sort_order=self.sort_order,
            active=self.active,
            service_ids=self.service_ids,
        )


@dataclass(frozen=True, slots=True)
class StaffChoice:
    id: int
    display_name: str
    role: Role
    resource_id: int | None  # the resource already linked to this account, if any
    resource_name: str | None


def hours_text(works_from: time | None, works_until: time | None) -> str:
    """'全天', '10:00–22:00', '18:00–次日02:00' (an end at midnight reads 24:00)."""
    if works_from is None or works_until is None:
        return _("全天")
    start = works_from.strftime("%H:%M")
    if works_until == time(0, 0):
        return _("{start}–24:00").format(start=start)
    end = works_until.strftime("%H:%M")
    if works_until < works_from:
        return _("{start}–次日{end}").format(start=start, end=end)
    return f"{start}–{end}"


def crosses_midnight(works_from: time | None, works_until: time | None) -> bool:
    if works_from is None or works_until is None:
        return False
    return works_until <= works_from


# -- reading -----------------------------------------------------------------------------
def list_services(db: Database, include_inactive: bool = True) -> list[ServiceRow]:
    """Services by category (in the order of ServiceCategory), then name."""
    with db.read() as session:
        query = select(Service)
        if not include_inactive:
            query = query.where(Service.active.is_(True))
        services = list(session.scalars(query))
        booked = _counts(
            session, select(Booking.service_id, func.count()).group_by(Booking.service_id)
        )
        waiting = _counts(
            session,
            select(WaitlistEntry.service_id, func.count()).group_by(WaitlistEntry.service_id),
        )
        links = resource_services
        able = _counts(
            session,
            select(links.c.service_id, func.count())
            .join(Resource, Resource.id == links.c.resource_id)
            .where(Resource.active.is_(True))
            .group_by(links.c.service_id),
        )
        rows = [
            ServiceRow(
                id=s.id,
                name=s.name,
                category=s.category,
                duration_min=s.duration_min,
                list_price_fen=s.list_price_fen,
                capacity=s.capacity,
                active=s.active,
                bookings=booked.get(s.id, 0) + waiting.get(s.id, 0),
                resources=able.get(s.id, 0),
            )
            for s in services
        ]
    rows.sort(key=lambda r: (CATEGORY_ORDER.index(r.category), r.name, r.id))
    return rows


def list_resources(
    db: Database,
    kinds: Iterable[ResourceKind] | None = None,
    include_inactive: bool = True,
    *,
    at: datetime | None = None,
) -> list[ResourceRow]:
    """Resources in board order (sort order, then id); ``future_bookings`` counts the
    active bookings that end after ``at`` (now)."""
    now = at or datetime.now()
    with db.read() as session:
        query = select(Resource).options(selectinload(Resource.services))
        if kinds is not None:
            query = query.where(Resource.kind.in_(list(kinds)))
        if not include_inactive:
            query = query.where(Resource.active.is_(True))
        resources = list(session.scalars(query.order_by(Resource.sort_order, Resource.id)))
        linked = [r.staff_id for r in resources if r.staff_id is not None]
        staff_names = {
            staff_id: name
            for staff_id, name in session.execute(
                select(Staff.id, Staff.display_name).where(Staff.id.in_(linked))
            )
        }
        future = _counts(
            session,
            _future_allocations(now)
            .with_only_columns(BookingResource.resource_id, func.count())
            .group_by(BookingResource.resource_id),
        )
        rows = []
        for r in resources:
            services = sorted(r.services, key=lambda s: (CATEGORY_ORDER.index(s.category), s.name))
            rows.append(
                ResourceRow(
                    id=r.id,
                    name=r.name,
                    kind=r.kind,
                    staff_id=r.staff_id,
                    staff_name=staff_names.get(r.staff_id) if r.staff_id is not None else None,
                    capacity=r.capacity,
                    works_from=r.works_from,
                    works_until=r.works_until,
                    sort_order=r.sort_order,
                    active=r.active,
                    service_ids=tuple(s.id for s in services),
                    service_names=tuple(s.name for s in services),
                    future_bookings=future.get(r.id, 0),
                )
            )
        return rows


def staff_choices(db: Database) -> list[StaffChoice]:
    """Active staff accounts a therapist, coach or technician can be linked to: the
    people roles first, then by name."""
    people_roles = (Role.THERAPIST, Role.COACH)
    with db.read() as session:
        linked = {
            staff_id: (resource_id, name)
            for staff_id, resource_id, name in session.execute(
                select(Resource.staff_id, Resource.id, Resource.name).where(
                    Resource.staff_id.is_not(None)
                )
            )
            if staff_id is not None
        }
        staff = list(session.scalars(select(Staff).where(Staff.active.is_(True))))
        staff.sort(key=lambda s: (s.role not in people_roles, s.display_name, s.id))
        return [
            StaffChoice(
                id=s.id,
                display_name=s.display_name,
                role=s.role,
                resource_id=linked.get(s.id, (None, None))[0],
                resource_name=linked.get(s.id, (None, None))[1],
            )
            for s in staff
        ]


def _counts(session: Session, query: Any) -> dict[int, int]:
    return {int(key): int(n) for key, n in session.execute(query) if key is not None}


def _future_allocations(now: datetime) -> Any:
    return (
        select(BookingResource)
        .join(Booking, Booking.id == BookingResource.booking_id)
        .where(
            BookingResource.active.is_(True),
            Booking.state.in_(ACTIVE_BOOKING_STATES),
            BookingResource.end_at > now,
        )
    )


# -- validation --------------------------------------------------------------------------
def _name(value: str, what: str) -> str:
    name = normalise_text(value or "")
    if not name:
        raise DomainError(_("请填写{what}名称。").format(what=what), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(
            _("名称最多 {limit} 个字，现在是 {n} 个。").format(limit=NAME_MAX, n=len(name)),
            field="name",
        )
    return name


def validate_service(data: ServiceInput) -> ServiceInput:
    """The cleaned input, or DomainError naming the first bad field."""
    name = _name(data.name, _("服务项目"))
    try:
        category = ServiceCategory(data.category)
    except ValueError:
        raise DomainError(_("请选择服务类别。"), field="category") from None
    duration = data.duration_min
    if not DURATION_MIN <= duration <= DURATION_MAX:
        raise DomainError(
            _("服务时长应在 {low} 到 {high} 分钟之间，现在是 {n} 分钟。").format(
                low=DURATION_MIN, high=DURATION_MAX, n=duration
            ),
            field="duration_min",
        )
    if duration % DURATION_STEP:
        raise DomainError(
            _("服务时长须是 {step} 分钟的整数倍（如 60、65、90），现在是 {n} 分钟。").format(
                step=DURATION_STEP, n=duration
            ),
            field="duration_min",
        )
    price = data.list_price_fen
    if price < 0:
        raise DomainError(_("价目表价格不能为负数。"), field="list_price_fen")
    if price > PRICE_MAX_FEN:
        raise DomainError(
            _("价目表价格不能超过 {limit} 元。").format(limit=f"{PRICE_MAX_FEN // 100:,}"),
            field="list_price_fen",
        )
    if data.capacity is not None and not SEATS_MIN <= data.capacity <= SEATS_MAX:
        raise DomainError(
            _(
                "按座位预约的项目（团课、观影）座位数应在 {low} 到 {high} 之间；"
                "一次只接待一位客人的项目请不填座位数。"
            ).format(low=SEATS_MIN, high=SEATS_MAX),
            field="capacity",
        )
    return replace(data, name=name, category=category, active=bool(data.active))


def validate_resource(data: ResourceInput) -> ResourceInput:
    """The cleaned input, or DomainError naming the first bad field."""
    try:
        kind = ResourceKind(data.kind)
    except ValueError:
        raise DomainError(
            _("请选择类型（房间、包间、区域、技师、教练或技术员）。"), field="kind"
        ) from None
    name = _name(data.name, label(kind))
    person = kind in PEOPLE_KINDS
    if data.staff_id is not None and not person:
        raise DomainError(
            _("只有技师、教练和技术员可以关联员工账号，“{kind}”不能关联。").format(
                kind=label(kind)
            ),
            field="staff_id",
        )
    if person and data.capacity != 1:
        raise DomainError(
            _("{kind}同一时间只接待一位客人，容量只能是 1。").format(kind=label(kind)),
            field="capacity",
        )
    if not 1 <= data.capacity <= RESOURCE_CAPACITY_MAX:
        raise DomainError(
            _("容量应在 1 到 {high} 人之间。").format(high=RESOURCE_CAPACITY_MAX),
            field="capacity",
        )
    start, end = data.works_from, data.works_until
    if (start is None) != (end is None):
        missing = "works_from" if start is None else "works_until"
        raise DomainError(
            _("工作时间请同时填写开始和结束时间；全天可用请勾选“全天”。"), field=missing
        )
    if start is not None and end is not None:
        start, end = _minute(start), _minute(end)
        if start == end:
            raise DomainError(
                _(
                    "开始和结束时间不能相同（{at}）。全天可用请勾选“全天”；"
                    "跨午夜的班次请填写次日的结束时间，如 18:00 到 02:00。"
                ).format(at=start.strftime("%H:%M")),
                field="works_until",
            )
    if not 0 <= data.sort_order <= SORT_ORDER_MAX:
        raise DomainError(
            _("排序号应在 0 到 {high} 之间。").format(high=SORT_ORDER_MAX), field="sort_order"
        )
    return replace(
        data,
        name=name,
        kind=kind,
        works_from=start,
        works_until=end,
        active=bool(data.active),
        service_ids=tuple(sorted(set(data.service_ids))),
    )


def _minute(value: time) -> time:
    return value.replace(second=0, microsecond=0, tzinfo=None)


def _same_name(
    session: Session, model: type[Service] | type[Resource], name: str, own: int | None
) -> str | None:
    """The existing name that reads the same as ``name`` (case and width folded)."""
    wanted = fold_latin(name)
    for other_id, other in session.execute(select(model.id, model.name)):
        if other_id != own and fold_latin(normalise_text(other)) == wanted:
            return other
    return None


# -- services ----------------------------------------------------------------------------
def save_service(
    db: Database, actor: StaffMember | None, data: ServiceInput, service_id: int | None = None
) -> int:
    """Create (``service_id`` None) or change a service; its id."""
    require(actor, Permission.CATALOG_EDIT)
    clean = validate_service(data)
    try:
        with db.write() as session:
            _check_service_name(session, clean.name, service_id)
            after = _service_view(clean)
            if service_id is None:
                service = Service(**after)
                session.add(service)
                session.flush()
                audit.record(session, actor, "service.create", "service", service.id, after=after)
                return service.id
            service = _service(session, service_id)
            before = _service_view_of(service)
            changed = sorted(k for k, v in after.items() if before[k] != v)
            if not changed:
                return service.id
            if "capacity" in changed:
                _check_capacity_change(session, service, clean.capacity)
            for key in changed:
                setattr(service, key, after[key])
            audit.record(
                session,
                actor,
                "service.update",
                "service",
                service.id,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
            )
            return service.id
    except IntegrityError:
        # Another counter took the name between the check and the insert.
        with db.read() as session:
            _check_service_name(session, clean.name, service_id)
        raise


def _count(session: Session, condition: ColumnElement[bool]) -> int:
    """Rows of the table ``condition`` is about that meet it."""
    return int(session.scalar(select(func.count()).where(condition)) or 0)


def _check_capacity_change(session: Session, service: Service, capacity: int | None) -> None:
    """A service with bookings cannot switch between one guest at a time and seats
    (its bookings would change meaning: a guest's booking read as a session), nor drop
    below the seats already taken in a session still to come."""
    used = _count(session, Booking.service_id == service.id)
    if used and (service.capacity is None) != (capacity is None):
        raise DomainError(
            _(
                "“{name}”已有 {n} 个预约，不能在“按场次订座”和“一位一约”之间切换；"
                "请新建一个服务项目。"
            ).format(name=service.name, n=used),
            field="capacity",
        )
    if capacity is None or service.capacity is None:
        return
    # The fullest session still to happen (its seats are booked, arrived or in service).
    taken = session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(
            Booking.service_id == service.id,
            Booking.session_id.is_not(None),
            Booking.state.in_(ACTIVE_BOOKING_STATES),
        )
        .group_by(Booking.session_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    if taken and taken > capacity:
        raise DomainError(
            _("“{name}”有场次已订出 {n} 个座位，座位数不能少于 {n}。").format(
                name=service.name, n=taken
            ),
            field="capacity",
        )


def set_service_active(
    db: Database, actor: StaffMember | None, service_id: int, active: bool
) -> None:
    """停用 or 启用 a service.  A deactivated service takes no new bookings; the ones it
    already has are kept."""
    require(actor, Permission.CATALOG_EDIT)
    with db.write() as session:
        service = _service(session, service_id)
        if service.active == active:
            return
        service.active = active
        audit.record(
            session,
            actor,
            "service.activate" if active else "service.deactivate",
            "service",
            service.id,
            before={"active": not active},
            after={"active": active},
        )


def delete_service(db: Database, actor: StaffMember | None, service_id: int) -> None:
    """Delete a service no booking or waitlist entry refers to (a mistake just made);
    one that was used is refused with a suggestion to deactivate it."""
    require(actor, Permission.CATALOG_EDIT)
    with db.write() as session:
        service = _service(session, service_id)
        used = _count(session, Booking.service_id == service_id) + _count(
            session, WaitlistEntry.service_id == service_id
        )
        if used:
            raise DomainError(
                _(
                    "服务项目“{name}”已有 {n} 条预约或候补记录，不能删除，以免历史记录失去项目。"
                    "不再提供时请“停用”：停用后不能新约，已有记录保留。"
                ).format(name=service.name, n=used)
            )
        before = _service_view_of(service)
        session.execute(
            resource_services.delete().where(resource_services.c.service_id == service_id)
        )
        session.delete(service)
        audit.record(session, actor, "service.delete", "service", service_id, before=before)


def _service(session: Session, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound(_("找不到编号为 {id} 的服务项目，可能已被删除。").format(id=service_id))
    return service


def _check_service_name(session: Session, name: str, own: int | None) -> None:
    other = _same_name(session, Service, name, own)
    if other is not None:
        raise DomainError(
            _("已有名为“{name}”的服务项目，请换一个名称。").format(name=other), field="name"
        )


def _service_view(clean: ServiceInput) -> dict[str, Any]:
    view = asdict(clean)
    view["category"] = str(clean.category)
    return view


def _service_view_of(service: Service) -> dict[str, Any]:
    return {
        "name": service.name,
        "category": str(service.category),
        "duration_min": service.duration_min,
        "list_price_fen": service.list_price_fen,
        "capacity": service.capacity,
        "active": service.active,
    }


# -- resources ---------------------------------------------------------------------------
def save_resource(
    db: Database,
    actor: StaffMember | None,
    data: ResourceInput,
    resource_id: int | None = None,
    *,
    at: datetime | None = None,
) -> int:
    """Create (``resource_id`` None) or change a room, suite, area or person; its id.

    Deactivating one that still holds active bookings ending after ``at`` (now) is
    refused with how many and when the first starts.
    """
    require(actor, Permission.CATALOG_EDIT)
    clean = validate_resource(data)
    now = at or datetime.now()
    try:
        with db.write() as session:
            return _write_resource(session, actor, clean, resource_id, now)
    except IntegrityError:
        # Another counter took the name or linked the staff account in between.
        with db.read() as session:
            _check_staff(session, clean.staff_id, resource_id)
        raise


def _write_resource(
    session: Session,
    actor: StaffMember | None,
    clean: ResourceInput,
    resource_id: int | None,
    now: datetime,
) -> int:
    _check_resource_name(session, clean.name, resource_id)
    _check_staff(session, clean.staff_id, resource_id)
    services = _services(session, clean.service_ids)
    after = _resource_view(clean)
    if resource_id is None:
        resource = Resource(**_columns(clean))
        resource.services = services
        session.add(resource)
        session.flush()
        audit.record(session, actor, "resource.create", "resource", resource.id, after=after)
        return resource.id
    resource = _resource(session, resource_id)
    before = _resource_view_of(resource)
    if resource.active and not clean.active:
        _refuse_if_booked(session, resource, now)
    changed = sorted(k for k, v in after.items() if before[k] != v)
    if not changed:
        return resource.id
    for key, value in _columns(clean).items():
        setattr(resource, key, value)
    resource.services = services
    session.flush()
    audit.record(
        session,
        actor,
        "resource.update",
        "resource",
        resource.id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return resource.id


def set_resource_active(
    db: Database,
    actor: StaffMember | None,
    resource_id: int,
    active: bool,
    *,
    at: datetime | None = None,
) -> None:
    """停用 or 启用 a resource; deactivation is refused while it holds future bookings."""
    require(actor, Permission.CATALOG_EDIT)
    with db.write() as session:
        resource = _resource(session, resource_id)
        if resource.active == active:
            return
        if not active:
            _refuse_if_booked(session, resource, at or datetime.now())
        resource.active = active
        audit.record(
            session,
            actor,
            "resource.activate" if active else "resource.deactivate",
            "resource",
            resource.id,
            before={"active": not active},
            after={"active": active},
        )


def delete_resource(db: Database, actor: StaffMember | None, resource_id: int) -> None:
    """Delete a resource that was never booked (a mistake just made); one with bookings
    is refused with a suggestion to deactivate it."""
    require(actor, Permission.CATALOG_EDIT)
    with db.write() as session:
        resource = _resource(session, resource_id)
        used = _count(session, BookingResource.resource_id == resource_id) + _count(
            session, WaitlistEntry.resource_id == resource_id
        )
        if used:
            raise DomainError(
                _(
                    "“{name}”已有 {n} 条预约或候补记录，不能删除。不再使用时请“停用”："
                    "停用后看板上不再显示，已有记录保留。"
                ).format(name=resource.name, n=used)
            )
        before = _resource_view_of(resource)
        resource.services = []
        session.flush()
        session.delete(resource)
        audit.record(session, actor, "resource.delete", "resource", resource_id, before=before)


def _resource(session: Session, resource_id: int) -> Resource:
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise NotFound(_("找不到编号为 {id} 的房间或技师，可能已被删除。").format(id=resource_id))
    return resource


def _check_resource_name(session: Session, name: str, own: int | None) -> None:
    other = _same_name(session, Resource, name, own)
    if other is not None:
        raise DomainError(
            _("已有名为“{name}”的房间或人员，看板上会分不清，请换一个名称。").format(name=other),
            field="name",
        )


def _check_staff(session: Session, staff_id: int | None, own: int | None) -> None:
    if staff_id is None:
        return
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise DomainError(_("所选员工账号不存在或已停用，请重新选择。"), field="staff_id")
    other = session.execute(
        select(Resource.id, Resource.name).where(Resource.staff_id == staff_id)
    ).first()
    if other is not None and other[0] != own:
        raise DomainError(
            _("员工“{staff}”已关联到“{resource}”，一个账号只能关联一位技师或教练。").format(
                staff=staff.display_name, resource=other[1]
            ),
            field="staff_id",
        )


def _services(session: Session, ids: Sequence[int]) -> list[Service]:
    if not ids:
        return []
    found = list(session.scalars(select(Service).where(Service.id.in_(ids))))
    if len(found) != len(set(ids)):
        raise DomainError(_("可做项目中有已被删除的服务项目，请重新勾选。"), field="service_ids")
    return sorted(found, key=lambda s: s.id)


def _refuse_if_booked(session: Session, resource: Resource, now: datetime) -> None:
    query = _future_allocations(now).where(BookingResource.resource_id == resource.id)
    count, first = session.execute(
        query.with_only_columns(func.count(), func.min(BookingResource.start_at))
    ).one()
    if count:
        raise DomainError(
            _(
                "“{name}”还有 {n} 个未完成的预约（最早一个 {first} 开始），不能停用。"
                "请先把这些预约改到其他房间或人员，或取消后再停用。"
            ).format(name=resource.name, n=count, first=_when(first, now)),
            field="active",
        )


def _when(value: datetime | None, now: datetime) -> str:
    if value is None:
        return ""
    if value.date() == now.date():
        return _("今天 {time}").format(time=value.strftime("%H:%M"))
    return value.strftime("%Y-%m-%d %H:%M")


def _columns(clean: ResourceInput) -> dict[str, Any]:
    return {
        "name": clean.name,
        "kind": clean.kind,
        "staff_id": clean.staff_id if clean.kind in PEOPLE_KINDS else None,
        "capacity": clean.capacity,
        "works_from": clean.works_from,
        "works_until": clean.works_until,
        "sort_order": clean.sort_order,
        "active": clean.active,
    }


def _resource_view(clean: ResourceInput) -> dict[str, Any]:
    view = _columns(clean)
    view["kind"] = str(clean.kind)
    view["works_from"] = _time_text(clean.works_from)
    view["works_until"] = _time_text(clean.works_until)
    view["service_ids"] = list(clean.service_ids)
    return view


def _resource_view_of(resource: Resource) -> dict[str, Any]:
    return {
        "name": resource.name,
        "kind": str(resource.kind),
        "staff_id": resource.staff_id,
        "capacity": resource.capacity,
        "works_from": _time_text(resource.works_from),
        "works_until": _time_text(resource.works_until),
        "sort_order": resource.sort_order,
        "active": resource.active,
        "service_ids": sorted(s.id for s in resource.services),
    }


def _time_text(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")

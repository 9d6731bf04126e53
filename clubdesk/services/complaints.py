"""Complaints: registration (顾客投诉登记表), what a complaint shows, the dock's
list, and the configurable categories.  The steps themselves: ``complaint_steps``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import (
    Booking,
    Complaint,
    ComplaintCategory,
    ComplaintStep,
    Member,
    Staff,
)
from clubdesk.models.enums import (
    ComplaintChannel,
    ComplaintStepKind,
    Department,
    Severity,
)
from clubdesk.privacy import mask_phone
from clubdesk.search_terms import normalise_text
from clubdesk.services import audit, return_visits
from clubdesk.services.complaint_rules import (
    S,
    due_after,
    is_overdue,
    next_step,
    projected,
)
from clubdesk.services.complaint_steps import (
    add_step,
    approved_solution,
    latest_solutions,
    load_visible,
    parse_data,
)
from clubdesk.services.permissions import Permission, allowed, require
from clubdesk.services.staff import StaffMember
from clubdesk.services.text_fields import (
    CONTENT_MAX,
    NAME_MAX,
    TEXT_MAX,
    clean_contact,
    optional_text,
    required_text,
)

RECENT_CLOSED_DAYS = 30
FUTURE_SLACK = timedelta(minutes=5)  # two counter clocks a little apart
OLDEST_RECEIVED = timedelta(days=365)


# -- registration ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComplaintDraft:
    """What the registration form (顾客投诉登记表) holds."""

    complainant_name: str
    contact: str | None
    received_at: datetime
    channel: ComplaintChannel
    category_id: int
    severity: Severity
    content: str
    requested_remedy: str | None = None
    member_id: int | None = None
    booking_id: int | None = None
    staff_id: int | None = None  # the staff member complained about
    department: Department | None = None
    sensitive: bool = False
    from_visit_id: int | None = None  # the dissatisfied return visit this follows up


def _check_received(received_at: datetime, now: datetime) -> None:
    if received_at > now + FUTURE_SLACK:
        raise DomainError(
            _("受理时间 {at} 晚于现在，请核对。").format(at=received_at.strftime("%Y-%m-%d %H:%M")),
            field="received_at",
        )
    if received_at < now - OLDEST_RECEIVED:
        raise DomainError(
            _("受理时间 {at} 早于一年前，请核对。").format(
                at=received_at.strftime("%Y-%m-%d %H:%M")
            ),
            field="received_at",
        )


def register(
    db: Database, actor: StaffMember | None, draft: ComplaintDraft, *, now: datetime | None = None
) -> int:
    """Register a complaint (step 1, intake); returns its id."""
    require(actor, Permission.COMPLAINT_REGISTER)
    now = now or datetime.now()
    content = required_text(draft.content, CONTENT_MAX, "content", _("投诉内容"))
    remedy = optional_text(draft.requested_remedy, TEXT_MAX, "requested_remedy", _("顾客要求"))
    contact = clean_contact(draft.contact)
    _check_received(draft.received_at, now)
    with db.write() as session:
        name = _complainant(session, draft)
        if contact is None and draft.member_id is None and draft.from_visit_id is not None:
            contact = return_visits.contact_for_follow_up(session, draft.from_visit_id)
        if contact is None and draft.member_id is None:
            raise DomainError(_("非会员投诉请填写联系电话，以便答复和回访。"), field="contact")
        _check_links(session, draft)
        complaint = Complaint(
            number=_next_number(session, draft.received_at),
            member_id=draft.member_id,
            complainant_name=name,
            contact=contact,
            received_at=draft.received_at,
            channel=draft.channel,
            category_id=draft.category_id,
            severity=draft.severity,
            booking_id=draft.booking_id,
            staff_id=draft.staff_id,
            department=draft.department,
            content=content,
            requested_remedy=remedy,
            sensitive=draft.sensitive,
            step=S.INTAKE,
            due_at=due_after(session, S.JUDGEMENT, draft.received_at),
            registered_by_id=actor.id if actor else None,
            created_at=now,
        )
        session.add(complaint)
        session.flush()
        add_step(session, complaint, actor, S.INTAKE, now, _("登记投诉"), None, None)
        if draft.from_visit_id is not None:
            return_visits.link_follow_up(session, draft.from_visit_id, complaint)
        audit.record(
            session, actor, "complaint.register", "complaint", complaint.id,
            after={"number": complaint.number, "category_id": draft.category_id,
                   "sensitive": draft.sensitive},
            at=now,
        )  # fmt: skip
        return complaint.id


def _complainant(session: Session, draft: ComplaintDraft) -> str:
    name = optional_text(
        normalise_text(draft.complainant_name or ""), NAME_MAX, "complainant_name", _("投诉人姓名")
    )
    if draft.member_id is not None:
        member = session.get(Member, draft.member_id)
        if member is None:
            raise NotFound(_("找不到编号为 {id} 的会员。").format(id=draft.member_id))
        return name or member.name
    if name is None:
        raise DomainError(_("请填写投诉人姓名，或在会员名单中选择会员。"), field="complainant_name")
    return name


def _check_links(session: Session, draft: ComplaintDraft) -> None:
    category = session.get(ComplaintCategory, draft.category_id)
    if category is None or not category.active:
        raise DomainError(_("请选择投诉类别。"), field="category_id")
    if draft.booking_id is not None:
        booking = session.get(Booking, draft.booking_id)
        if booking is None:
            raise NotFound(_("找不到编号为 {id} 的预约。").format(id=draft.booking_id))
        if booking.member_id is not None and booking.member_id != draft.member_id:
            raise DomainError(_("所选预约不是这位顾客的，请重新选择关联预约。"), field="booking_id")
    if draft.staff_id is not None and session.get(Staff, draft.staff_id) is None:
        raise NotFound(_("找不到编号为 {id} 的员工。").format(id=draft.staff_id))


def _next_number(session: Session, received_at: datetime) -> str:
    """The day's next number.  Counters of a chain number one after the other: on
    PostgreSQL a transaction-scoped advisory lock serialises the count (SQLite's write
    transaction already holds the whole file)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('complaints.number'))"))
    prefix = "TS" + received_at.strftime("%Y%m%d") + "-"
    # Longest first: "-1000" sorts before "-999" as text.
    last = session.execute(
        select(Complaint.number)
        .where(Complaint.number.like(prefix + "%"))
        .order_by(func.length(Complaint.number).desc(), Complaint.number.desc())
        .limit(1)
    ).scalar()
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:03d}"


# -- reading ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepView:
    id: int
    kind: ComplaintStepKind
    staff: str | None
    at: datetime
    note: str | None
    data: dict[str, Any]
    due_at: datetime | None
    late: bool


@dataclass(frozen=True, slots=True)
class ComplaintDetail:
    id: int
    number: str
    version: int
    member_id: int | None
    complainant: str
    contact: str | None  # masked unless the viewer may see full phone numbers
    received_at: datetime
    channel: ComplaintChannel
    category_id: int
    category: str
    severity: Severity
    booking_id: int | None
    booking: str | None  # "03-14 15:00 足疗 60 分钟"
    staff_id: int | None
    staff: str | None
    department: Department | None
    content: str
    requested_remedy: str | None
    sensitive: bool
    step: ComplaintStepKind
    next_step: ComplaintStepKind | None
    justified: bool | None
    responsible_department: Department | None
    responsible_staff: str | None
    handler: str | None
    registered_by: str | None
    due_at: datetime | None  # of the next step; None once closed
    overdue: bool
    closed_at: datetime | None
    compensation_fen: int
    solutions: list[dict[str, Any]]  # of the latest proposal
    approved: dict[str, Any] | None
    has_signature: bool
    steps: list[StepView] = field(default_factory=list)
    plan: list[tuple[ComplaintStepKind, datetime]] = field(default_factory=list)


def detail(
    db: Database, actor: StaffMember | None, complaint_id: int, *, now: datetime | None = None
) -> ComplaintDetail:
    now = now or datetime.now()
    with db.read() as session:
        c = load_visible(session, actor, complaint_id)
        names = _staff_names(session)
        steps = [
            _step_view(s, names)
            for s in session.scalars(
                select(ComplaintStep)
                .where(ComplaintStep.complaint_id == c.id)
                .order_by(ComplaintStep.id)
            )
        ]
        booking = session.get(Booking, c.booking_id) if c.booking_id else None
        has_signature = bool(
            session.execute(
                select(Complaint.signature_png.is_not(None)).where(Complaint.id == c.id)
            ).scalar()
        )
        contact = c.contact
        if contact and not allowed(actor, Permission.VIEW_FULL_PHONE):
            contact = mask_phone(contact)
        upcoming = next_step(c.step)
        return ComplaintDetail(
            id=c.id,
            number=c.number,
            version=c.version,
            member_id=c.member_id,
            complainant=c.complainant_name,
            contact=contact,
            received_at=c.received_at,
            channel=c.channel,
            category_id=c.category_id,
            category=c.category.name,
            severity=c.severity,
            booking_id=c.booking_id,
            booking=_booking_text(booking),
            staff_id=c.staff_id,
            staff=names.get(c.staff_id) if c.staff_id else None,
            department=c.department,
            content=c.content,
            requested_remedy=c.requested_remedy,
            sensitive=c.sensitive,
            step=c.step,
            next_step=upcoming,
            justified=c.justified,
            responsible_department=c.responsible_department,
            responsible_staff=names.get(c.responsible_staff_id) if c.responsible_staff_id else None,
            handler=names.get(c.handler_id) if c.handler_id else None,
            registered_by=names.get(c.registered_by_id) if c.registered_by_id else None,
            due_at=c.due_at if upcoming is not None else None,
            overdue=is_overdue(c.step, c.due_at, now),
            closed_at=c.closed_at,
            compensation_fen=c.compensation_fen,
            solutions=latest_solutions(session, c.id),
            approved=approved_solution(session, c.id),
            has_signature=has_signature,
            steps=steps,
            plan=projected(session, c.step, c.due_at) if upcoming is not None else [],
        )


def signature(db: Database, actor: StaffMember | None, complaint_id: int) -> bytes | None:
    with db.read() as session:
        load_visible(session, actor, complaint_id)
        return session.execute(
            select(Complaint.signature_png).where(Complaint.id == complaint_id)
        ).scalar()


def _staff_names(session: Session) -> dict[int, str]:
    return {i: n for i, n in session.execute(select(Staff.id, Staff.display_name))}


def _step_view(s: ComplaintStep, names: dict[int, str]) -> StepView:
    data = parse_data(s.data)
    due = data.pop("due_at", None)
    due_at = None
    if isinstance(due, str):
        try:
            due_at = datetime.fromisoformat(due)
        except ValueError:
            due_at = None
    return StepView(
        id=s.id,
        kind=s.step,
        staff=names.get(s.staff_id) if s.staff_id else None,
        at=s.at,
        note=s.note,
        data=data,
        due_at=due_at,
        late=due_at is not None and s.at > due_at,
    )


def _booking_text(booking: Booking | None) -> str | None:
    if booking is None:
        return None
    return "{at} {service}".format(
        at=booking.start_at.strftime("%m-%d %H:%M"), service=booking.service.name
    )


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    id: int
    number: str
    received_at: datetime
    complainant: str
    category: str
    channel: ComplaintChannel
    severity: Severity
    step: ComplaintStepKind
    due_at: datetime
    sensitive: bool
    overdue: bool
    handler: str | None
    mine: bool


def recent(
    db: Database,
    now: datetime,
    actor: StaffMember | None = None,
    *,
    mine: bool = False,
    overdue_only: bool = False,
    open_only: bool = False,
) -> list[ComplaintRow]:
    """Open complaints and those closed in the last 30 days, overdue first.

    Sensitive complaints are left out for a viewer without the right to open them."""
    closed_since = now - timedelta(days=RECENT_CLOSED_DAYS)
    query = (
        select(Complaint, ComplaintCategory.name)
        .join(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
        .where(
            or_(
                Complaint.step != S.CLOSED,
                Complaint.closed_at >= closed_since,
            )
        )
    )
    if not allowed(actor, Permission.COMPLAINT_SENSITIVE):
        query = query.where(Complaint.sensitive.is_(False))
    if open_only or overdue_only:
        query = query.where(Complaint.step != S.CLOSED)
    if overdue_only:
        query = query.where(Complaint.due_at < now)
    me = actor.id if actor else None
    if mine:
        query = query.where(_mine(me))
    with db.read() as session:
        names = _staff_names(session)
        found = [
            ComplaintRow(
                id=c.id,
                number=c.number,
                received_at=c.received_at,
                complainant=c.complainant_name,
                category=category,
                channel=c.channel,
                severity=c.severity,
                step=c.step,
                due_at=c.due_at,
                sensitive=c.sensitive,
                overdue=is_overdue(c.step, c.due_at, now),
                handler=names.get(c.handler_id) if c.handler_id else None,
                mine=me is not None
                and (c.handler_id == me or (c.handler_id is None and c.registered_by_id == me)),
            )
            for c, category in session.execute(query)
        ]
    # Sorted here, by the one overdue rule, rather than by a SQL copy of it: open
    # overdue complaints first (what the counter must act on now), then open ones by
    # deadline, then the recently closed.  The list is a month of complaints at most.
    return sorted(found, key=lambda r: (r.step is S.CLOSED, not r.overdue, r.due_at))


def _mine(me: int | None) -> Any:
    """Complaints the staff member handles, or registered and nobody took on yet."""
    return or_(
        Complaint.handler_id == me,
        (Complaint.handler_id.is_(None)) & (Complaint.registered_by_id == me),
    )


def overdue_count(db: Database, now: datetime, actor: StaffMember | None = None) -> int:
    """Open complaints past their next step's deadline, for the status bar.  Counted
    whatever the viewer may open: a hidden sensitive complaint is still late."""
    with db.read() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(Complaint)
                .where(Complaint.step != S.CLOSED, Complaint.due_at < now)
            ).scalar()
            or 0
        )


# -- categories -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    id: int
    name: str
    sort_order: int
    active: bool


def categories(db: Database, *, include_inactive: bool = False) -> list[CategoryInfo]:
    query = select(ComplaintCategory).order_by(ComplaintCategory.sort_order, ComplaintCategory.id)
    if not include_inactive:
        query = query.where(ComplaintCategory.active.is_(True))
    with db.read() as session:
        return [CategoryInfo(c.id, c.name, c.sort_order, c.active) for c in session.scalars(query)]


def save_category(
    db: Database,
    actor: StaffMember | None,
    name: str,
    *,
    category_id: int | None = None,
    active: bool = True,
) -> int:
    """Add a category, or rename / (de)activate one.  Categories are never deleted:
    old complaints and the statistics still name them."""
    require(actor, Permission.COMPLAINT_CATEGORIES)
    clean = required_text(name, 40, "name", _("类别名称"))
    with db.write() as session:
        same = session.execute(
            select(ComplaintCategory.id).where(ComplaintCategory.name == clean)
        ).scalar()
        if same is not None and same != category_id:
            raise DomainError(_("已有名为“{name}”的投诉类别。").format(name=clean), field="name")
        if category_id is None:
            order = session.execute(select(func.max(ComplaintCategory.sort_order))).scalar()
            category = ComplaintCategory(name=clean, sort_order=int(order or 0) + 1, active=active)
            session.add(category)
            session.flush()
            audit.record(session, actor, "complaint.category.add", "complaint_category",
                         category.id, after={"name": clean})  # fmt: skip
            return category.id
        existing = session.get(ComplaintCategory, category_id)
        if existing is None:
            raise NotFound(_("找不到这个投诉类别。"))
        category = existing
        before = {"name": category.name, "active": category.active}
        category.name = clean
        category.active = active
        after = {"name": clean, "active": active}
        audit.record(
            session, actor, "complaint.category.edit", "complaint_category", category.id,
            before=before, after=after,
        )  # fmt: skip
        return category.id

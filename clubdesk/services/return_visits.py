"""Return visits (回访, domain.md section 4).

Planned after a finished service and after a closed complaint, due within
``visit.due_days`` days (the planning functions run inside the caller's transaction, so
a finished service or a closed complaint and its return visit commit together or not
at all), and periodically for any member so every member gets visits.

The counter's side: the calls to make (overdue first, with the do-not-disturb hours),
the filled-in script, recording what the customer said (once), turning a dissatisfied
answer into a complaint, and the coverage of the members in a period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, delete, exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import (
    Booking,
    Complaint,
    ComplaintCategory,
    Member,
    ReturnVisit,
    Service,
    Staff,
    Tier,
    VipVisit,
)
from clubdesk.models.enums import (
    BookingState,
    ComplaintChannel,
    ReturnVisitSource,
    Satisfaction,
    Severity,
    VisitChannel,
)
from clubdesk.privacy import mask_phone
from clubdesk.services import audit
from clubdesk.services.labels import label
from clubdesk.services.permissions import Permission, allowed, require
from clubdesk.services.staff import StaffMember
from clubdesk.services.text_fields import optional_text
from clubdesk.services.visit_scripts import (
    SCRIPT_KEYS,
    fill,
    parse_hhmm,
    quiet_until,
    spoken_date,
)

if TYPE_CHECKING:
    from clubdesk.services.complaints import ComplaintDraft

SUGGESTIONS_MAX = 500
NOTE_MAX = 200
CALLS_LIMIT = 500  # the call list shows this many; the status line says how many more
PLAN_MAX = 1000  # members planned at once (a page of the coverage list is far fewer)
PAGE_MAX = 500


def source_label(source: ReturnVisitSource) -> str:
    """服务后 / 投诉后 / VIP接待后 / 定期 / 专项 (the shared label table)."""
    return label(source)


def channel_label(channel: VisitChannel) -> str:
    """电话 / 短信 / 邮件 (the shared label table)."""
    return label(channel)


# -- planning (inside the caller's transaction) -----------------------------------------


def due_on(session: Session, now: datetime) -> date:
    return now.date() + timedelta(days=int(settings.session_value(session, "visit.due_days")))


def plan_after_service(session: Session, booking: Booking, now: datetime) -> int | None:
    """One visit per finished member booking; none for a walk-in nobody can call, and
    none again when a reversed checkout finishes the booking a second time."""
    if booking.member_id is None:
        return None
    planned = session.execute(
        select(ReturnVisit.id).where(
            ReturnVisit.booking_id == booking.id,
            ReturnVisit.source == ReturnVisitSource.SERVICE,
        )
    ).first()
    if planned is not None:
        return None
    visit = ReturnVisit(
        member_id=booking.member_id,
        source=ReturnVisitSource.SERVICE,
        booking_id=booking.id,
        due_on=due_on(session, now),
        created_at=now,
    )
    session.add(visit)
    session.flush()
    return visit.id


def plan_after_complaint(session: Session, complaint: Complaint, now: datetime) -> int | None:
    """A visit after every closed complaint (reopened and closed again: a new one, as
    the customer has been through the handling again).  A non-member is called on the
    complaint's contact number."""
    if complaint.member_id is None and not complaint.contact:
        return None
    visit = ReturnVisit(
        member_id=complaint.member_id,
        source=ReturnVisitSource.COMPLAINT,
        complaint_id=complaint.id,
        due_on=due_on(session, now),
        created_at=now,
    )
    session.add(visit)
    session.flush()
    return visit.id


def drop_pending_after_complaint(session: Session, complaint_id: int) -> list[int]:
    """Remove the complaint's planned, not yet made, visits (a reopened complaint);
    returns their ids for the caller's audit entry.  Visits already made stay."""
    ids = list(
        session.scalars(
            select(ReturnVisit.id).where(
                ReturnVisit.complaint_id == complaint_id,
                ReturnVisit.source == ReturnVisitSource.COMPLAINT,
                ReturnVisit.done_at.is_(None),
            )
        )
    )
    if ids:
        session.execute(delete(ReturnVisit).where(ReturnVisit.id.in_(ids)))
    return ids


def contact_for_follow_up(session: Session, visit_id: int) -> str | None:
    """The number a walk-in's follow-up complaint is registered with: the one the
    earlier complaint had (members are reached through their profile)."""
    return session.execute(
        select(Complaint.contact)
        .join(ReturnVisit, ReturnVisit.complaint_id == Complaint.id)
        .where(ReturnVisit.id == visit_id)
    ).scalar()


def link_follow_up(session: Session, visit_id: int, complaint: Complaint) -> None:
    """Mark the dissatisfied visit ``complaint`` was opened from, so it is opened once.

    The visit row is locked, so two counters escalating it at once register one
    complaint; a complaint following up a sensitive one is sensitive too."""
    visit = session.execute(
        select(ReturnVisit).where(ReturnVisit.id == visit_id).with_for_update()
    ).scalar_one_or_none()
    if visit is None:
        raise NotFound(_("找不到这条回访记录。"))
    if visit.follow_up_complaint_id is not None:
        raise DomainError(_("这次回访已经转为投诉，请在投诉列表中查看。"))
    if visit.done_at is None or visit.outcome is not Satisfaction.DISSATISFIED:
        raise DomainError(_("只有顾客表示不满意的回访才能转为投诉。"), field="visit")
    if visit.member_id != complaint.member_id:
        raise DomainError(_("这次回访的顾客与投诉人不是同一人。"), field="visit")
    visit.follow_up_complaint_id = complaint.id
    if visit.complaint_id is not None:
        earlier = session.get(Complaint, visit.complaint_id)
        if earlier is not None:
            complaint.content += "\n" + _("跟进投诉：{number}").format(number=earlier.number)
            if earlier.sensitive:
                complaint.sensitive = True


# -- what a visit is about ----------------------------------------------------------------

_Specialist = aliased(Staff)
_Recorder = aliased(Staff)

_FACTS = (
    select(
        ReturnVisit,
        Member.name,
        Member.phone,
        Member.last_visit_at,
        Complaint.complainant_name,
        Complaint.contact,
        Complaint.number,
        Complaint.received_at,
        ComplaintCategory.name,
        Service.name,
        Booking.start_at,
        VipVisit.guest_name,
        VipVisit.arrival_date,
        VipVisit.departure_date,
        _Specialist.display_name,
        _Recorder.display_name,
        Complaint.sensitive,
    )
    .outerjoin(Member, Member.id == ReturnVisit.member_id)
    .outerjoin(Booking, Booking.id == ReturnVisit.booking_id)
    .outerjoin(Service, Service.id == Booking.service_id)
    .outerjoin(Complaint, Complaint.id == ReturnVisit.complaint_id)
    .outerjoin(ComplaintCategory, ComplaintCategory.id == Complaint.category_id)
    .outerjoin(VipVisit, VipVisit.id == ReturnVisit.vip_visit_id)
    .outerjoin(_Specialist, _Specialist.id == Member.specialist_id)
    .outerjoin(_Recorder, _Recorder.id == ReturnVisit.staff_id)
)


@dataclass(frozen=True, slots=True)
class _Facts:
    visit: ReturnVisit
    member_name: str | None
    member_phone: str | None
    last_visit_at: datetime | None
    complainant: str | None
    contact: str | None
    complaint_number: str | None
    received_at: datetime | None
    category: str | None
    service: str | None
    service_at: datetime | None
    vip_guest: str | None
    vip_arrival: date | None
    vip_departure: date | None
    specialist: str | None
    recorded_by: str | None
    sensitive: bool | None  # of the complaint the visit follows

    @property
    def who(self) -> str:
        return self.member_name or self.complainant or self.vip_guest or "—"

    @property
    def phone(self) -> str | None:
        return self.member_phone or self.contact

    @property
    def about(self) -> str:
        source = self.visit.source
        if self.service is not None and self.service_at is not None:
            return _("{service}（{date}）").format(
                service=self.service, date=self.service_at.strftime("%Y-%m-%d")
            )
        if self.complaint_number is not None and self.sensitive:
            # The call list is seen by the whole counter; a sensitive case is named
            # no further than this (the script still lets the caller ask).
            return _("投诉处理结果（敏感投诉，详情仅限主管查看）")
        if self.complaint_number is not None:
            return _("投诉 {number}（{category}）").format(
                number=self.complaint_number, category=self.category or "—"
            )
        if self.vip_arrival is not None:
            return _("VIP接待（{date}）").format(
                date=(self.vip_departure or self.vip_arrival).strftime("%Y-%m-%d")
            )
        if source is ReturnVisitSource.SPECIAL:
            return _("专项回访")
        return _("定期回访")


def _facts(row: Sequence[Any]) -> _Facts:
    return _Facts(*row)


def _load_facts(session: Session, visit_id: int) -> _Facts:
    row = session.execute(_FACTS.where(ReturnVisit.id == visit_id)).first()
    if row is None:
        raise NotFound(_("找不到这条回访记录。"))
    return _facts(row)


def _shown_phone(actor: StaffMember | None, phone: str | None) -> str | None:
    if not phone:
        return None
    return phone if allowed(actor, Permission.VIEW_FULL_PHONE) else mask_phone(phone)


def _quiet(session: Session, now: datetime) -> tuple[time, time, datetime | None]:
    start = parse_hhmm(
        settings.session_value(session, "visit.quiet_start"),
        settings.DEFINITIONS["visit.quiet_start"].default,
    )
    end = parse_hhmm(
        settings.session_value(session, "visit.quiet_end"),
        settings.DEFINITIONS["visit.quiet_end"].default,
    )
    return start, end, quiet_until(now, start, end)


# -- the calls to make ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitCall:
    """One return visit still to be made, as the call list shows it."""

    id: int
    member_id: int | None
    who: str  # the member, or the complainant / VIP guest who is not one
    phone: str | None  # masked unless the viewer may see full numbers
    source: ReturnVisitSource
    source_label: str
    about: str  # "中式按摩60分钟（2031-03-14）", "投诉 TS20310314-001（服务态度）"
    due_on: date
    days_overdue: int  # 0 when due today or later
    specialist: str | None  # the member's 客服专员
    booking_id: int | None
    complaint_id: int | None

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True, slots=True)
class VisitCalls:
    rows: list[VisitCall]
    total: int  # visits the filter matched; ``rows`` holds at most the limit
    overdue: int  # of the total
    today: date
    quiet: bool  # now lies in the do-not-disturb hours: no calls now
    callable_from: datetime | None  # when calls may start again (quiet only)
    quiet_start: time
    quiet_end: time


def _call(f: _Facts, actor: StaffMember | None, today: date) -> VisitCall:
    v = f.visit
    return VisitCall(
        id=v.id,
        member_id=v.member_id,
        who=f.who,
        phone=_shown_phone(actor, f.phone),
        source=v.source,
        source_label=label(v.source),
        about=f.about,
        due_on=v.due_on,
        days_overdue=max(0, (today - v.due_on).days),
        specialist=f.specialist,
        booking_id=v.booking_id,
        complaint_id=v.complaint_id,
    )


def calls_to_make(
    db: Database,
    actor: StaffMember | None,
    now: datetime,
    *,
    include_later: bool = False,
    overdue_only: bool = False,
    limit: int = CALLS_LIMIT,
) -> VisitCalls:
    """Visits not done yet whose window has begun — due within ``visit.due_days`` from
    today, so a visit planned after yesterday's service is on the list now, not only
    on its last day (``include_later``: all of them, a periodic visit planned for next
    month too; ``overdue_only``: those past their day) — overdue first, then by due date.

    The list shows phone numbers, so it needs the return-visit permission.  In the
    do-not-disturb hours it is still shown, flagged ``quiet`` with the time calls may
    start again; recording a visit made earlier stays allowed then."""
    require(actor, Permission.RETURN_VISIT)
    today = now.date()
    where: list[ColumnElement[bool]] = [ReturnVisit.done_at.is_(None)]
    with db.read() as session:
        if overdue_only:
            where.append(ReturnVisit.due_on < today)
        elif not include_later:
            where.append(ReturnVisit.due_on <= due_on(session, now))
        start, end, until = _quiet(session, now)
        total, overdue = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((ReturnVisit.due_on < today, 1), else_=0)), 0),
            )
            .select_from(ReturnVisit)
            .where(*where)
        ).one()
        found = session.execute(
            _FACTS.where(*where).order_by(ReturnVisit.due_on, ReturnVisit.id).limit(limit)
        ).all()
        rows = [_call(_facts(r), actor, today) for r in found]
    return VisitCalls(
        rows=rows,
        total=int(total),
        overdue=int(overdue),
        today=today,
        quiet=until is not None,
        callable_from=until,
        quiet_start=start,
        quiet_end=end,
    )


# -- the script -----------------------------------------------------------------------------


def script_for(db: Database, visit_id: int) -> str:
    """The call script for the visit (settings visit.script_service / _complaint /
    _periodic) with {name} {service} {date} {club} filled in from the visit."""
    with db.read() as session:
        return _script(session, _load_facts(session, visit_id))


def _script(session: Session, f: _Facts) -> str:
    v = f.visit
    template = str(settings.session_value(session, SCRIPT_KEYS[v.source]))
    service = f.service
    when: date | None = f.service_at.date() if f.service_at is not None else None
    if v.source is ReturnVisitSource.COMPLAINT:
        if f.received_at is not None:
            when = f.received_at.date()
        if v.complaint_id is not None:
            service = session.execute(
                select(Service.name)
                .join(Booking, Booking.service_id == Service.id)
                .join(Complaint, Complaint.booking_id == Booking.id)
                .where(Complaint.id == v.complaint_id)
            ).scalar()
    elif v.source is not ReturnVisitSource.SERVICE or service is None:
        if f.vip_arrival is not None:
            when = f.vip_departure or f.vip_arrival
        elif f.last_visit_at is not None:
            when = f.last_visit_at.date()
        if service is None and v.member_id is not None:
            service = session.execute(
                select(Service.name)
                .join(Booking, Booking.service_id == Service.id)
                .where(
                    Booking.member_id == v.member_id,
                    Booking.state.in_((BookingState.FINISHED, BookingState.SETTLED)),
                )
                .order_by(Booking.start_at.desc())
                .limit(1)
            ).scalar()
    return fill(
        template,
        {
            "name": f.who,
            "service": service or _("服务"),
            "date": spoken_date(when or v.created_at.date()),
            "club": str(settings.session_value(session, "club.name")),
        },
    )


# -- one visit --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitDetail:
    """What the return-visit dialog shows: the call, its script, and once done what
    the customer said."""

    call: VisitCall
    script: str
    done_at: datetime | None
    channel: VisitChannel | None
    outcome: Satisfaction | None
    suggestions: str | None
    recorded_by: str | None
    follow_up_complaint_id: int | None
    quiet: bool
    callable_from: datetime | None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def can_escalate(self) -> bool:
        """Dissatisfied and not yet turned into a complaint."""
        return self.outcome is Satisfaction.DISSATISFIED and self.follow_up_complaint_id is None


def visit_detail(
    db: Database, actor: StaffMember | None, visit_id: int, now: datetime
) -> VisitDetail:
    require(actor, Permission.RETURN_VISIT)
    with db.read() as session:
        f = _load_facts(session, visit_id)
        _start, _end, until = _quiet(session, now)
        v = f.visit
        return VisitDetail(
            call=_call(f, actor, now.date()),
            script=_script(session, f),
            done_at=v.done_at,
            channel=v.channel,
            outcome=v.outcome,
            suggestions=v.suggestions,
            recorded_by=f.recorded_by,
            follow_up_complaint_id=v.follow_up_complaint_id,
            quiet=until is not None,
            callable_from=until,
        )


# -- recording --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitOutcome:
    """What the return-visit record (回访记录表) holds for one call."""

    channel: VisitChannel
    outcome: Satisfaction
    suggestions: str | None = None
    note: str | None = None  # for the audit trail only ("第二次拨打才接通")


@dataclass(frozen=True, slots=True)
class Recorded:
    visit_id: int
    outcome: Satisfaction

    @property
    def dissatisfied(self) -> bool:
        """The GUI then offers 转为投诉."""
        return self.outcome is Satisfaction.DISSATISFIED


def record(
    db: Database,
    actor: StaffMember | None,
    visit_id: int,
    outcome: VisitOutcome,
    now: datetime | None = None,
) -> Recorded:
    """Record a return visit's outcome, once.  Recording during the do-not-disturb
    hours is allowed: it says what happened (an SMS answered, a call made earlier)."""
    require(actor, Permission.RETURN_VISIT)
    now = now or datetime.now()
    if not isinstance(outcome.channel, VisitChannel):
        raise DomainError(_("请选择回访方式：电话、短信或邮件。"), field="channel")
    if not isinstance(outcome.outcome, Satisfaction):
        raise DomainError(_("请选择回访结果：满意、基本满意或不满意。"), field="outcome")
    suggestions = optional_text(
        outcome.suggestions, SUGGESTIONS_MAX, "suggestions", _("意见与建议")
    )
    note = optional_text(outcome.note, NOTE_MAX, "note", _("备注"))
    with db.write() as session:
        visit = session.get(ReturnVisit, visit_id, with_for_update=True)
        if visit is None:
            raise NotFound(_("找不到这条回访记录。"))
        if visit.done_at is not None:
            raise DomainError(
                _("这次回访已于 {at} 记录过结果，不能重复记录。").format(
                    at=visit.done_at.strftime("%Y-%m-%d %H:%M")
                ),
                field="visit",
            )
        visit.done_at = now
        visit.staff_id = actor.id if actor else None
        visit.channel = outcome.channel
        visit.outcome = outcome.outcome
        visit.suggestions = suggestions
        audit.record(
            session, actor, "visit.record", "return_visit", visit.id,
            after={"channel": outcome.channel.value, "outcome": outcome.outcome.value,
                   "suggestions": suggestions},
            detail=note, at=now,
        )  # fmt: skip
        return Recorded(visit.id, outcome.outcome)


# -- a dissatisfied answer becomes a complaint ------------------------------------------------


def number_to_dial(
    db: Database, actor: StaffMember | None, visit_id: int, now: datetime | None = None
) -> str:
    """The full number of a visit still to be made, for the staff member calling.

    Lists and printouts keep numbers masked; whoever makes return visits must still be
    able to dial, so the number of one open visit is revealed on request and the reveal
    is in the audit log."""
    require(actor, Permission.RETURN_VISIT)
    now = now or datetime.now()
    with db.write() as session:
        f = _load_facts(session, visit_id)
        if f.visit.done_at is not None:
            raise DomainError(_("这次回访已经完成，不需要再拨打。"), field="visit")
        if not f.phone:
            raise DomainError(_("这位顾客没有留下电话号码。"), field="visit")
        audit.record(session, actor, "visit.reveal_phone", "return_visit", visit_id, at=now)
        return f.phone


def complaint_draft(db: Database, visit_id: int, now: datetime | None = None) -> ComplaintDraft:
    """The complaint registration form (顾客投诉登记表) prefilled from a dissatisfied
    visit: who, the booking, the visit's channel, the suggestions as the content,
    received now.  Registering it (complaints.register) links the visit, so it is
    escalated once.  The category is the earlier complaint's, or the first one: the
    counter checks it on the form."""
    from clubdesk.services.complaints import ComplaintDraft

    now = now or datetime.now()
    with db.read() as session:
        f = _load_facts(session, visit_id)
        v = f.visit
        if v.done_at is None or v.outcome is not Satisfaction.DISSATISFIED:
            raise DomainError(_("只有顾客表示不满意的回访才能转为投诉。"), field="visit")
        if v.follow_up_complaint_id is not None:
            raise DomainError(_("这次回访已经转为投诉，请在投诉列表中查看。"), field="visit")
        complaint = session.get(Complaint, v.complaint_id) if v.complaint_id else None
        category_id = complaint.category_id if complaint is not None else None
        if category_id is None or not _category_active(session, category_id):
            category_id = session.execute(
                select(ComplaintCategory.id)
                .where(ComplaintCategory.active.is_(True))
                .order_by(ComplaintCategory.sort_order, ComplaintCategory.id)
                .limit(1)
            ).scalar()
        if category_id is None:
            raise DomainError(_("还没有可用的投诉类别，请先请经理在投诉类别中添加。"))
        booking_id = v.booking_id or (complaint.booking_id if complaint is not None else None)
        # The draft is read by whoever registers it, so a sensitive case stays unnamed
        # here; registering adds the earlier complaint's number (link_follow_up).
        content = _("回访时顾客表示不满意：{about}。").format(about=f.about)
        if v.suggestions:
            content = v.suggestions + "\n" + content
        return ComplaintDraft(
            complainant_name="" if v.member_id is not None else f.who,
            # A walk-in's number is not put on the counter's screen: registering takes
            # it from the visit (``contact_for_follow_up``).
            contact=None,
            received_at=now,
            channel=ComplaintChannel.ONLINE
            if v.channel in (VisitChannel.SMS, VisitChannel.EMAIL)
            else ComplaintChannel.PHONE,
            category_id=category_id,
            severity=complaint.severity if complaint is not None else Severity.MEDIUM,
            content=content,
            member_id=v.member_id,
            booking_id=booking_id,
            # The earlier complaint's staff member and department: the same people are
            # asked again whether the handling satisfied the customer.
            staff_id=complaint.staff_id if complaint is not None else None,
            department=(complaint.responsible_department or complaint.department)
            if complaint is not None
            else None,
            sensitive=complaint.sensitive if complaint is not None else False,
            from_visit_id=v.id,
        )


def _category_active(session: Session, category_id: int) -> bool:
    category = session.get(ComplaintCategory, category_id)
    return category is not None and category.active


# -- periodic visits -----------------------------------------------------------------------


def plan_periodic(
    db: Database,
    actor: StaffMember | None,
    member_ids: Iterable[int],
    due_on: date,
    now: datetime | None = None,
) -> int:
    """Plan a periodic visit (定期回访) due ``due_on`` for each member, skipping those
    who already have a visit planned and not done.  One transaction; returns how many
    were planned."""
    require(actor, Permission.RETURN_VISIT)
    now = now or datetime.now()
    wanted = sorted(set(member_ids))
    if not wanted:
        raise DomainError(_("请先选择要安排回访的会员。"), field="member_ids")
    if len(wanted) > PLAN_MAX:
        raise DomainError(
            _("一次最多为 {limit} 位会员安排回访，现在选了 {n} 位。").format(
                limit=PLAN_MAX, n=len(wanted)
            ),
            field="member_ids",
        )
    if due_on < now.date():
        raise DomainError(
            _("回访期限 {day} 早于今天，请重新选择。").format(day=due_on.isoformat()),
            field="due_on",
        )
    with db.write() as session:
        known = set(session.scalars(select(Member.id).where(Member.id.in_(wanted))))
        missing = [m for m in wanted if m not in known]
        if missing:
            raise NotFound(_("找不到编号为 {id} 的会员。").format(id=missing[0]))
        planned = set(
            session.scalars(
                select(ReturnVisit.member_id).where(
                    ReturnVisit.member_id.in_(wanted), ReturnVisit.done_at.is_(None)
                )
            )
        )
        new = [m for m in wanted if m not in planned]
        session.add_all(
            ReturnVisit(
                member_id=m, source=ReturnVisitSource.PERIODIC, due_on=due_on, created_at=now
            )
            for m in new
        )
        audit.record(
            session, actor, "visit.plan_periodic", "return_visit", None,
            after={"due_on": due_on.isoformat(), "planned": len(new),
                   "skipped": len(wanted) - len(new), "member_ids": new},
            at=now,
        )  # fmt: skip
        return len(new)


# -- coverage -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UncoveredMember:
    member_id: int
    name: str
    phone: str  # masked unless the viewer may see full numbers
    tier: str
    joined_on: date
    last_visit_at: datetime | None  # last time at the club
    last_return_visit: datetime | None  # the last return visit done, any time
    open_visit_due: date | None  # a visit already planned and not done
    specialist: str | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """Members with at least one return visit done in [start, end] (domain.md: every
    member gets return visits), and a page of those without one."""

    start: date
    end: date
    members: int  # joined on or before ``end``
    covered: int
    rows: list[UncoveredMember]
    offset: int
    limit: int

    @property
    def uncovered(self) -> int:
        return self.members - self.covered

    @property
    def rate(self) -> float | None:
        """covered ÷ members; None with no members."""
        return self.covered / self.members if self.members else None

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.rows) < self.uncovered


def coverage_counts(
    session: Session, end: date, done_in_period: ColumnElement[bool]
) -> tuple[int, int]:
    """(members joined by ``end``, those of them with a visit done in the period).

    Two ways to count the covered, the cheaper one chosen by the period's done visits
    (an index-only count): few of them (a day, a week) — the distinct members of those
    visits; many (a month at full coverage, a year) — one pass over the members with
    an EXISTS probe each, which does not grow with the visits."""
    joined = Member.joined_on <= end
    visited = exists().where(ReturnVisit.member_id == Member.id, done_in_period)
    members = int(session.execute(select(func.count()).where(joined)).scalar() or 0)
    visits = int(
        session.execute(
            select(func.count()).select_from(ReturnVisit).where(done_in_period)
        ).scalar()
        or 0
    )
    if 2 * visits < members:
        covered = session.execute(
            select(func.count(func.distinct(ReturnVisit.member_id)))
            .join(Member, Member.id == ReturnVisit.member_id)
            .where(done_in_period, joined)
        ).scalar()
    else:
        covered = session.execute(select(func.count()).where(joined, visited)).scalar()
    return members, int(covered or 0)


def uncovered(
    db: Database,
    start: date,
    end: date,
    *,
    offset: int = 0,
    limit: int = 50,
    actor: StaffMember | None = None,
) -> Coverage:
    """Coverage of [start, end]: every member who had joined by ``end`` counts (the
    domain asks for 100 % of members, not only those with a live card; a member who
    joined on the last day is due a visit too — the same base as the visit summary).

    The page lists the members with no return visit done in the period, those whose
    last time at the club lies furthest back first (never came: first of all), so the
    ones drifting away are called first.  Fast on a million members: the counts come
    from the period's done visits (index on done_at) and the page walks the members'
    last-visit index with a NOT EXISTS probe of the visits' member_id index, stopping
    after one page."""
    if start > end:
        raise DomainError(_("开始日期不能晚于结束日期。"), field="start")
    if offset < 0 or not 1 <= limit <= PAGE_MAX:
        raise DomainError(_("分页参数不正确。"), field="offset")
    since = datetime.combine(start, time.min)
    until = datetime.combine(end + timedelta(days=1), time.min)
    done_in_period = and_(
        ReturnVisit.done_at >= since,
        ReturnVisit.done_at < until,
    )
    full_phone = allowed(actor, Permission.VIEW_FULL_PHONE)
    with db.read() as session:
        visited = exists().where(ReturnVisit.member_id == Member.id, done_in_period)
        members, covered = coverage_counts(session, end, done_in_period)
        found = session.execute(
            select(
                Member.id, Member.name, Member.phone, Tier.name, Member.joined_on,
                Member.last_visit_at, _Specialist.display_name,
            )
            .join(Tier, Tier.id == Member.tier_id)
            .outerjoin(_Specialist, _Specialist.id == Member.specialist_id)
            .where(Member.joined_on <= end, ~visited)
            .order_by(Member.last_visit_at.asc().nulls_first(), Member.id)
            .offset(offset)
            .limit(limit)
        ).all()  # fmt: skip
        ids = [r[0] for r in found]
        last_done: dict[int, datetime] = {}
        open_due: dict[int, date] = {}
        if ids:
            last_done = {
                m: at
                for m, at in session.execute(
                    select(ReturnVisit.member_id, func.max(ReturnVisit.done_at))
                    .where(ReturnVisit.member_id.in_(ids), ReturnVisit.done_at.is_not(None))
                    .group_by(ReturnVisit.member_id)
                )
                if m is not None and at is not None
            }
            open_due = {
                m: due
                for m, due in session.execute(
                    select(ReturnVisit.member_id, func.min(ReturnVisit.due_on))
                    .where(ReturnVisit.member_id.in_(ids), ReturnVisit.done_at.is_(None))
                    .group_by(ReturnVisit.member_id)
                )
                if m is not None
            }
        rows = [
            UncoveredMember(
                member_id=mid,
                name=name,
                phone=phone if full_phone else mask_phone(phone),
                tier=tier,
                joined_on=joined,
                last_visit_at=last,
                last_return_visit=last_done.get(mid),
                open_visit_due=open_due.get(mid),
                specialist=specialist,
            )
            for mid, name, phone, tier, joined, last, specialist in found
        ]
    return Coverage(start, end, members, covered, rows, offset, limit)

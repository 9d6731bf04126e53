"""Member profiles: registration and edits, validated field by field.

Every message names the field it is about (``ClubDeskError.field``) so the dialog can
put it next to the input.  A write is one transaction with its search terms and its
audit entry: a member is never half-saved.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from clubdesk.db.engine import Database
from clubdesk.errors import DomainError, NotFound
from clubdesk.i18n import _
from clubdesk.models import Member, MemberSearchTerm, Staff, Tier
from clubdesk.models.enums import CardKind, Gender
from clubdesk.search_terms import member_terms, normalise_text
from clubdesk.seed.names import name_initials
from clubdesk.services import audit
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember

MAINLAND_MOBILE = re.compile(r"1[3-9]\d{9}")
_FOREIGN_PHONE = re.compile(r"\+?\d{5,19}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_NOISE = re.compile(r"[\s\-()（）.]+")


@dataclass(frozen=True, slots=True)
class MemberInput:
    """What the profile form (or an import row) holds; ``validate`` cleans it."""

    name: str
    phone: str
    foreign_phone: bool = False
    gender: Gender = Gender.UNKNOWN
    birthday: date | None = None
    age: int | None = None
    wechat: str | None = None
    email: str | None = None
    preferences: str | None = None
    special_needs: str | None = None
    notes: str | None = None
    referred_by_id: int | None = None
    joined_on: date | None = None
    specialist_id: int | None = None


class DuplicatePhone(DomainError):
    """The phone number is another member's account key."""

    def __init__(self, member_id: int, name: str, phone: str) -> None:
        super().__init__(
            _("手机号 {phone} 已登记在会员“{name}”名下。").format(phone=phone, name=name),
            field="phone",
        )
        self.member_id = member_id
        self.name = name


def normalise_phone(text: str, *, foreign: bool = False) -> str:
    """Full-width digits to ASCII, spaces and dashes dropped; an international "00"
    written as "+"; +86 removed from a mainland mobile (also one marked foreign, so a
    member cannot be registered twice under two spellings of one number)."""
    phone = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", text))
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if phone.startswith("+86") and (not foreign or MAINLAND_MOBILE.fullmatch(phone[3:])):
        phone = phone[3:]
    return phone


def _text(value: str | None, limit: int, field: str, label: str) -> str | None:
    if value is None:
        return None
    cleaned = normalise_text(value) if "\n" not in value else value.strip()
    if not cleaned:
        return None
    if len(cleaned) > limit:
        raise DomainError(
            _("{label}最多 {limit} 个字，现在是 {n} 个。").format(
                label=label, limit=limit, n=len(cleaned)
            ),
            field=field,
        )
    return cleaned


def validate(data: MemberInput, *, today: date | None = None) -> MemberInput:
    """The cleaned input, or DomainError on the first bad field."""
    today = today or date.today()
    name = normalise_text(data.name or "")
    if not name:
        raise DomainError(_("请填写会员姓名。"), field="name")
    if len(name) > 40:
        raise DomainError(_("姓名最多 40 个字。"), field="name")
    phone = normalise_phone(data.phone or "", foreign=data.foreign_phone)
    foreign = data.foreign_phone and not MAINLAND_MOBILE.fullmatch(phone)
    if not phone:
        raise DomainError(_("请填写手机号，手机号是会员的账号。"), field="phone")
    if foreign:
        if not _FOREIGN_PHONE.fullmatch(phone):
            raise DomainError(
                _("境外号码只能包含数字（可带开头的 +），长度 5 到 19 位。"), field="phone"
            )
    elif not MAINLAND_MOBILE.fullmatch(phone):
        raise DomainError(
            _(
                "“{phone}”不是有效的大陆手机号（11 位，以 13–19 开头）。境外号码请勾选“境外号码”。"
            ).format(phone=phone),
            field="phone",
        )
    if data.birthday is not None:
        if data.birthday > today:
            raise DomainError(_("生日不能晚于今天。"), field="birthday")
        if data.birthday.year < 1900:
            raise DomainError(_("生日的年份不对，请检查。"), field="birthday")
    if data.age is not None and not 0 < data.age < 130:
        raise DomainError(_("年龄应在 1 到 129 岁之间。"), field="age")
    email = _text(data.email, 120, "email", _("电子邮箱"))
    if email is not None and not _EMAIL.fullmatch(email):
        raise DomainError(_("电子邮箱“{email}”格式不对。").format(email=email), field="email")
    joined = data.joined_on or today
    if joined > today:
        raise DomainError(_("入会日期不能晚于今天。"), field="joined_on")
    return replace(
        data,
        name=name,
        phone=phone,
        foreign_phone=foreign,
        age=None if data.birthday is not None else data.age,
        wechat=_text(data.wechat, 60, "wechat", _("微信号")),
        email=email,
        preferences=_text(data.preferences, 1000, "preferences", _("消费偏好")),
        special_needs=_text(data.special_needs, 1000, "special_needs", _("特殊需求")),
        notes=_text(data.notes, 2000, "notes", _("备注")),
        joined_on=joined,
    )


def member_id_by_phone(session: Session, phone: str) -> int | None:
    return session.execute(select(Member.id).where(Member.phone == phone)).scalar()


def create(
    db: Database,
    actor: StaffMember | None,
    data: MemberInput,
    *,
    card_kind: CardKind | None = None,
    today: date | None = None,
) -> int:
    """Register a member (and issue a first card in the same transaction); the new id."""
    require(actor, Permission.MEMBER_EDIT)
    clean = validate(data, today=today)
    with db.write() as session:
        member = add_member(session, actor, clean)
        if card_kind is not None:
            from clubdesk.services import cards  # cards builds on members

            cards.issue_in(session, actor, member, card_kind, today=clean.joined_on)
        return member.id


def add_member(session: Session, actor: StaffMember | None, clean: MemberInput) -> Member:
    """Insert an already validated member inside the caller's transaction."""
    _check_unique_phone(session, clean.phone, None)
    _check_links(session, clean, None)
    lowest = session.scalars(select(Tier).order_by(Tier.rank).limit(1)).one()
    member = Member(tier_id=lowest.id, **_columns(clean))
    try:
        # A savepoint: on PostgreSQL another counter may register the same phone
        # between the check above and this insert; the unique index decides, and the
        # loser hears who has the number instead of a database error.
        with session.begin_nested():
            session.add(member)
            session.flush()
    except IntegrityError:
        _check_unique_phone(session, clean.phone, None)
        raise
    _write_terms(session, member, old=None)
    audit.record(session, actor, "member.create", "member", member.id, after=_audit_view(clean))
    return member


def update(
    db: Database,
    actor: StaffMember | None,
    member_id: int,
    data: MemberInput,
    *,
    expected_version: int,
    today: date | None = None,
) -> int:
    """Save an edit made on version ``expected_version``; the new version.

    Another counter's edit in between is a conflict, never a silent overwrite.
    """
    require(actor, Permission.MEMBER_EDIT)
    clean = validate(data, today=today)
    try:
        with db.write() as session:
            member = session.get(Member, member_id)
            if member is None:
                raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
            if member.version != expected_version:
                raise _conflict()
            _check_unique_phone(session, clean.phone, member_id)
            _check_links(session, clean, member_id)
            old_input = current_input(member)
            # Compared unmasked: two phones differing only in the middle digits look
            # the same once masked for the log.
            changed = {k for k, v in asdict(clean).items() if getattr(old_input, k) != v}
            if not changed:
                return member.version
            before = _audit_view(old_input)
            after = _audit_view(clean)
            old_terms = member_terms(member.name, member.name_initials)
            name_changed = member.name != clean.name
            for key, value in _columns(clean).items():
                setattr(member, key, value)
            session.flush()
            if name_changed:
                _write_terms(session, member, old=old_terms)
            audit.record(
                session,
                actor,
                "member.update",
                "member",
                member.id,
                before={k: before[k] for k in sorted(changed)},
                after={k: after[k] for k in sorted(changed)},
            )
            return member.version
    except StaleDataError:
        raise _conflict() from None


def current_input(member: Member) -> MemberInput:
    return MemberInput(
        name=member.name,
        phone=member.phone,
        foreign_phone=member.foreign_phone,
        gender=member.gender,
        birthday=member.birthday,
        age=member.age,
        wechat=member.wechat,
        email=member.email,
        preferences=member.preferences,
        special_needs=member.special_needs,
        notes=member.notes,
        referred_by_id=member.referred_by_id,
        joined_on=member.joined_on,
        specialist_id=member.specialist_id,
    )


def load_input(db: Database, member_id: int) -> tuple[MemberInput, int]:
    """The profile as the edit form shows it, with the version the edit is based on."""
    with db.read() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(_("找不到编号为 {id} 的会员。").format(id=member_id))
        return current_input(member), member.version


def _conflict() -> DomainError:
    return DomainError(
        _("这位会员的资料刚被另一台收银台修改过。请关闭后重新打开资料，核对后再保存。")
    )


def _check_unique_phone(session: Session, phone: str, member_id: int | None) -> None:
    other = session.execute(
        select(Member.id, Member.name).where(Member.phone == phone, Member.id != (member_id or 0))
    ).first()
    if other is not None:
        raise DuplicatePhone(other[0], other[1], phone)


def _check_links(session: Session, clean: MemberInput, member_id: int | None) -> None:
    if clean.referred_by_id is not None:
        if clean.referred_by_id == member_id:
            raise DomainError(_("推荐人不能是会员本人。"), field="referred_by")
        if session.get(Member, clean.referred_by_id) is None:
            raise DomainError(_("推荐人不存在，请重新选择。"), field="referred_by")
    if clean.specialist_id is not None and session.get(Staff, clean.specialist_id) is None:
        raise DomainError(_("客服专员不存在，请重新选择。"), field="specialist")


def _columns(clean: MemberInput) -> dict[str, object]:
    values = asdict(clean)
    values["name_initials"] = name_initials(clean.name)
    values["phone_last4"] = clean.phone[-4:]
    values["birthday_mmdd"] = clean.birthday.strftime("%m%d") if clean.birthday else None
    return values


def _write_terms(session: Session, member: Member, *, old: list[str] | None) -> None:
    if old:
        # By (term, member_id), the table's key: the old name says which rows exist, so
        # no index on member_id alone is needed (and none slows the bulk load).
        session.execute(
            delete(MemberSearchTerm).where(
                MemberSearchTerm.term.in_(old), MemberSearchTerm.member_id == member.id
            )
        )
    session.add_all(
        MemberSearchTerm(term=t, member_id=member.id)
        for t in member_terms(member.name, member.name_initials)
    )


def _audit_view(data: MemberInput) -> dict[str, object]:
    # Phones appear masked in the log too: the log is read by more people than the roster.
    from clubdesk.privacy import mask_phone

    view = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(data).items()}
    view["phone"] = mask_phone(data.phone)
    return view

"""会员档案卡: one member's profile, cards and standing, signed by member and staff.

Printed blank it is the paper sign-up form a walk-in fills at the counter, so every
field has room to write and every choice is a box to tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from reportlab.platypus import Flowable, KeepTogether, Spacer
from sqlalchemy import select

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.i18n import N_, _
from clubdesk.models import Tier
from clubdesk.models.enums import CardKind, CardStatus, CustomerCategory, Gender
from clubdesk.pdf import layout as L
from clubdesk.pdf.registry import printable
from clubdesk.services import roster
from clubdesk.services.labels import label
from clubdesk.services.roster import MemberProfile
from clubdesk.services.statement import find_member

TITLE = N_("会员档案卡")
# One label width for every grid and text box on the card, so their columns line up.
LABEL_WIDTH = 78.0
BLANK_CARD_ROWS = 2


def render_member_card(
    db: Database,
    member_id: int | None,
    out: Path,
    *,
    full_phone: bool = False,
    printed_at: datetime | None = None,
) -> None:
    """Write the card for ``member_id`` (None: a blank card) to ``out``.

    The phone number is masked unless ``full_phone``: the card is filed on paper,
    where the role checks of the screen no longer protect it.
    """
    profile = roster.profile(db, member_id) if member_id is not None else None
    page = L.FormPage(
        club_name=str(settings.get_value(db, "club.name")),
        title=_(TITLE),
        reference=_("会员编号：{id}").format(id=profile.id if profile else "_" * 12),
        printed_at=printed_at or datetime.now().replace(microsecond=0),
        footer_note=_("本表含会员个人信息，仅限本店内部使用，请妥善保管。"),
    )
    today = page.printed_at.date()
    L.build_pdf(out, page, member_card_story(profile, _tier_names(db), today, full_phone))


@printable(
    "member-card",
    TITLE,
    blank_allowed=True,
    latest_id=roster.latest_member_id,
    find_record=find_member,
)
def _render(db: Database, record_id: int | None, out: Path) -> None:
    render_member_card(db, record_id, out)


def _tier_names(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(Tier.name).order_by(Tier.rank)))


def member_card_story(
    p: MemberProfile | None, tiers: Sequence[str], today: date, full_phone: bool = False
) -> list[Flowable]:
    phone = None
    if p is not None:
        phone = p.phone if full_phone else p.phone_masked
    gender = p.gender if p else None
    story: list[Flowable] = [
        L.SectionHeading(_("一、基本资料"), space_before=0),
        L.field_grid(
            [
                L.Field(_("姓名"), p.name if p else None),
                L.Field(
                    _("性别"),
                    L.CheckBoxGroup(
                        [
                            (label(Gender.MALE), gender is Gender.MALE),
                            (label(Gender.FEMALE), gender is Gender.FEMALE),
                        ]
                    ),
                ),
                L.Field(_("手机号码"), phone),
                L.Field(_("微信号"), p.wechat if p else None),
                L.Field(_("出生日期"), L.fmt_date(p.birthday) if p else None),
                L.Field(_("年龄"), _age_text(p, today)),
                L.Field(_("电子邮箱"), p.email if p else None),
                L.Field(_("推荐人"), p.referred_by if p else None),
            ],
            label_width=LABEL_WIDTH,
        ),
        L.SectionHeading(_("二、会员信息")),
        L.field_grid(
            [
                L.Field(
                    _("会员等级"),
                    L.CheckBoxGroup([(t, p is not None and p.tier_name == t) for t in tiers]),
                    span=2,
                ),
                L.Field(
                    _("客户分类"),
                    L.CheckBoxGroup(
                        [(label(c), p is not None and p.category is c) for c in CustomerCategory]
                    ),
                    span=2,
                ),
                L.Field(_("入会日期"), L.fmt_date(p.joined_on) if p else None),
                L.Field(_("客服专员"), p.specialist if p else None),
                L.Field(_("当前积分"), f"{p.points:,}" if p else None),
                L.Field(_("储值余额合计"), L.fmt_money(p.balance_fen) if p else None),
                L.Field(_("最近到店"), L.fmt_datetime(p.last_visit_at) if p else None, span=2),
            ],
            label_width=LABEL_WIDTH,
        ),
        L.SectionHeading(_("三、会员卡")),
        *_cards(p),
        L.SectionHeading(_("四、消费偏好与特殊需求")),
        *_texts(p),
        # The declaration and the signatures under it are one thing: never split them.
        KeepTogether(
            [
                L.SectionHeading(_("五、确认签字")),
                L.para(
                    _(
                        "本人确认以上资料真实、准确。本店承诺会员资料仅用于为本人提供服务，"
                        "未经本人同意不向任何第三方提供。会员卡限本人使用，不得转让；"
                        "遗失请及时挂失补办。"
                    ),
                    L.NOTE,
                ),
                Spacer(1, 2),
                *L.signature_lines([_("会员签名："), _("经办人签名：")]),
            ]
        ),
    ]
    return story


def _age_text(p: MemberProfile | None, today: date) -> str | None:
    if p is None:
        return None
    age = p.age
    if age is None and p.birthday is not None:
        before_birthday = (today.month, today.day) < (p.birthday.month, p.birthday.day)
        age = today.year - p.birthday.year - before_birthday
    return _("{age} 岁").format(age=age) if age is not None else ""


def _cards(p: MemberProfile | None) -> list[Flowable]:
    held = {c.kind for c in p.cards if c.status is not CardStatus.REPLACED} if p else set()
    kinds = L.field_grid(
        [
            L.Field(
                _("办卡类型"),
                L.CheckBoxGroup([(label(k), k in held) for k in CardKind]),
                span=2,
            )
        ],
        label_width=LABEL_WIDTH,
    )
    columns = [
        L.Column(_("卡号"), 2.2),
        L.Column(_("卡类型"), 2.2),
        L.Column(_("状态"), 1.4, align="centre"),
        L.Column(_("发卡日期"), 2.0, align="centre"),
        L.Column(_("余额"), 1.8, money=True),
    ]
    rows = [
        [c.number, label(c.kind), label(c.status), L.fmt_date(c.issued_on), c.balance_fen]
        for c in (p.cards if p else ())
    ]
    table = L.data_table(columns, rows, blank_rows=0 if rows else BLANK_CARD_ROWS)
    return [kinds, Spacer(1, 6), table]


def _texts(p: MemberProfile | None) -> list[Flowable]:
    # Blank: ruled room to write; filled but empty: one plain row, nothing to write later.
    def box(caption: str, text: str | None, blank_rows: int) -> L.LabelledText:
        return L.LabelledText(
            caption,
            text,
            label_width=LABEL_WIDTH,
            min_height=blank_rows * 22.0 + 4 if p is None else 0,
        )

    return [
        box(_("消费偏好"), p.preferences if p else None, 2),
        box(_("特殊需求"), p.special_needs if p else None, 2),
        box(_("备注"), p.notes if p else None, 2),
    ]

"""Who may do what, checked in the service layer (deny by default).

The GUI hides what a role cannot do, but the rule lives here: every service that
changes data or reveals more than a masked phone calls ``require`` first.
"""

from __future__ import annotations

from enum import StrEnum

from clubdesk.errors import PermissionDenied
from clubdesk.i18n import N_, _
from clubdesk.models.enums import Role
from clubdesk.services.staff import StaffMember


class Permission(StrEnum):
    MEMBER_EDIT = "member.edit"
    MEMBER_IMPORT = "member.import"
    MEMBER_EXPORT = "member.export"
    VIEW_FULL_PHONE = "member.full_phone"
    CARD_OPERATE = "card.operate"  # issue, top up, purchase, reissue, annual fee, freeze
    CARD_REFUND = "card.refund"
    LEDGER_ADJUST = "ledger.adjust"
    POINTS_REDEEM = "points.redeem"
    TIER_DOWNGRADE = "tier.downgrade"
    BOOKING_EDIT = "booking.edit"  # book, move, check in, start, finish, cancel, seats
    CHECKOUT = "booking.checkout"
    CHECKOUT_REVERSE = "booking.reverse"  # 反结账
    CATALOG_EDIT = "booking.catalog"  # services, rooms, staff skills and hours
    COMPLAINT_REGISTER = "complaint.register"
    COMPLAINT_HANDLE = "complaint.handle"  # judge, investigate, propose, implement, accept
    COMPLAINT_APPROVE = "complaint.approve"  # approve a solution, summarise, close, reopen
    COMPLAINT_SENSITIVE = "complaint.sensitive"  # open a complaint flagged sensitive
    COMPLAINT_CATEGORIES = "complaint.categories"
    RETURN_VISIT = "visit.record"  # plan return visits and record their outcome
    SETTINGS_EDIT = "settings.edit"  # the club settings (domain.md's defaults)


_DESCRIPTIONS = {
    Permission.MEMBER_EDIT: N_("登记或修改会员资料"),
    Permission.MEMBER_IMPORT: N_("导入会员名单"),
    Permission.MEMBER_EXPORT: N_("导出会员名单"),
    Permission.VIEW_FULL_PHONE: N_("查看完整手机号"),
    Permission.CARD_OPERATE: N_("办理会员卡业务"),
    Permission.CARD_REFUND: N_("办理退款"),
    Permission.LEDGER_ADJUST: N_("手工调整余额或积分"),
    Permission.POINTS_REDEEM: N_("积分兑换"),
    Permission.TIER_DOWNGRADE: N_("会员降级"),
    Permission.BOOKING_EDIT: N_("预约与接待"),
    Permission.CHECKOUT: N_("结账"),
    Permission.CHECKOUT_REVERSE: N_("反结账"),
    Permission.CATALOG_EDIT: N_("维护服务项目与房间技师"),
    Permission.COMPLAINT_REGISTER: N_("登记投诉"),
    Permission.COMPLAINT_HANDLE: N_("处理投诉"),
    Permission.COMPLAINT_APPROVE: N_("审批投诉处理方案与结案"),
    Permission.COMPLAINT_SENSITIVE: N_("查看敏感投诉"),
    Permission.COMPLAINT_CATEGORIES: N_("维护投诉类别"),
    Permission.RETURN_VISIT: N_("回访"),
    Permission.SETTINGS_EDIT: N_("修改店铺设置"),
}

_COUNTER = {
    Permission.MEMBER_EDIT,
    Permission.CARD_OPERATE,
    Permission.POINTS_REDEEM,
    Permission.BOOKING_EDIT,
    Permission.CHECKOUT,
    Permission.COMPLAINT_REGISTER,
    Permission.COMPLAINT_HANDLE,
    Permission.RETURN_VISIT,
}
_SUPERVISOR = _COUNTER | {
    Permission.MEMBER_IMPORT,
    Permission.VIEW_FULL_PHONE,
    Permission.COMPLAINT_APPROVE,
    Permission.COMPLAINT_SENSITIVE,
}
_MANAGER = _SUPERVISOR | {
    Permission.MEMBER_EXPORT,
    Permission.CARD_REFUND,
    Permission.LEDGER_ADJUST,
    Permission.TIER_DOWNGRADE,
    Permission.CHECKOUT_REVERSE,
    Permission.CATALOG_EDIT,
    Permission.COMPLAINT_CATEGORIES,
    Permission.SETTINGS_EDIT,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.FRONT_DESK: frozenset(_COUNTER),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.MANAGER: frozenset(_MANAGER),
    Role.DIRECTOR: frozenset(_MANAGER),
    Role.ADMIN: frozenset(_MANAGER),
    Role.COACH: frozenset(),
    Role.THERAPIST: frozenset(),
}


def allowed(actor: StaffMember | None, permission: Permission) -> bool:
    if actor is None:
        return False
    return permission in ROLE_PERMISSIONS.get(actor.role, frozenset())


def require(actor: StaffMember | None, permission: Permission) -> StaffMember:
    """The actor, if allowed; otherwise PermissionDenied with a Chinese sentence."""
    if actor is None:
        raise PermissionDenied(_("请先登录后再操作。"))
    if not allowed(actor, permission):
        raise PermissionDenied(
            _("您的账号（{name}）没有“{what}”的权限，请联系经理办理。").format(
                name=actor.display_name, what=_(_DESCRIPTIONS[permission])
            )
        )
    return actor

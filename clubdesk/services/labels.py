"""Chinese names of the enum values, for tables, PDFs and messages."""

from __future__ import annotations

from clubdesk.i18n import N_, _
from clubdesk.models.enums import (
    BookingState,
    CardKind,
    CardStatus,
    ComplaintChannel,
    ComplaintStepKind,
    CustomerCategory,
    Department,
    Gender,
    ResourceKind,
    Role,
    ServiceCategory,
    Severity,
    VipVisitStatus,
)

# Keyed by the member itself plus its type: StrEnum members hash and compare like
# their values, so BookingState.ARRIVED and VipVisitStatus.ARRIVED would collide.
_RAW: tuple[tuple[object, str], ...] = (
    (Role.FRONT_DESK, N_("前台客服专员")),
    (Role.SUPERVISOR, N_("客服主管")),
    (Role.MANAGER, N_("客服经理")),
    (Role.DIRECTOR, N_("总监/总经理")),
    (Role.COACH, N_("教练")),
    (Role.THERAPIST, N_("技师")),
    (Role.ADMIN, N_("系统管理员")),
    (Gender.FEMALE, N_("女")),
    (Gender.MALE, N_("男")),
    (Gender.UNKNOWN, N_("未填")),
    (CustomerCategory.WALK_IN, N_("普通客户")),
    (CustomerCategory.BOOKED, N_("预约客户")),
    (CustomerCategory.LONG_TERM, N_("长期客户")),
    (CustomerCategory.VIP, N_("VIP客户")),
    (CardKind.DISCOUNT, N_("折扣卡（及时制）")),
    (CardKind.STORED_VALUE, N_("储值卡（储蓄制）")),
    (CardStatus.ACTIVE, N_("正常")),
    (CardStatus.FROZEN, N_("冻结")),
    (CardStatus.REPLACED, N_("已补卡作废")),
    (CardStatus.CLOSED, N_("已注销")),
    (BookingState.BOOKED, N_("已预约")),
    (BookingState.ARRIVED, N_("已到店")),
    (BookingState.IN_SERVICE, N_("服务中")),
    (BookingState.FINISHED, N_("已完成")),
    (BookingState.SETTLED, N_("已结账")),
    (BookingState.CANCELLED, N_("已取消")),
    (BookingState.NO_SHOW, N_("爽约")),
    (ComplaintChannel.IN_PERSON, N_("当面")),
    (ComplaintChannel.PHONE, N_("电话")),
    (ComplaintChannel.ONLINE, N_("网络")),
    (ComplaintStepKind.INTAKE, N_("投诉受理")),
    (ComplaintStepKind.JUDGEMENT, N_("投诉判断")),
    (ComplaintStepKind.INVESTIGATION, N_("调查分析")),
    (ComplaintStepKind.PROPOSAL, N_("提出处理方案")),
    (ComplaintStepKind.APPROVAL, N_("方案审批")),
    (ComplaintStepKind.IMPLEMENTATION, N_("实施处理方案")),
    (ComplaintStepKind.SUMMARY, N_("总结评价")),
    (ComplaintStepKind.CLOSED, N_("已结案")),
    (Severity.LOW, N_("一般")),
    (Severity.MEDIUM, N_("较重")),
    (Severity.HIGH, N_("严重")),
    (Department.ROOM_SERVICE, N_("送餐部")),
    (Department.HOUSEKEEPING, N_("客房部")),
    (Department.FRONT_OFFICE, N_("前厅部")),
    (Department.CONCIERGE, N_("礼宾部")),
    (Department.CATERING, N_("餐饮部")),
    (Department.SALES, N_("销售部")),
    (Department.SPA, N_("水疗部")),
    (Department.FITNESS, N_("健身部")),
    (Department.CUSTOMER_SERVICE, N_("客服部")),
    (ResourceKind.ROOM, N_("房间")),
    (ResourceKind.SUITE, N_("包间")),
    (ResourceKind.AREA, N_("区域")),
    (ResourceKind.THERAPIST, N_("技师")),
    (ResourceKind.COACH, N_("教练")),
    (ResourceKind.TECHNICIAN, N_("技术员")),
    (ServiceCategory.BATH, N_("洗浴")),
    (ServiceCategory.MASSAGE, N_("按摩")),
    (ServiceCategory.FOOT, N_("足浴")),
    (ServiceCategory.FITNESS, N_("健身")),
    (ServiceCategory.LEISURE, N_("休闲")),
    (ServiceCategory.COACHING, N_("私教")),
    (ServiceCategory.SCREENING, N_("观影")),
    (VipVisitStatus.REQUESTED, N_("待审批")),
    (VipVisitStatus.APPROVED, N_("已批准")),
    (VipVisitStatus.ARRIVED, N_("已抵达")),
    (VipVisitStatus.DEPARTED, N_("已离开")),
    (VipVisitStatus.CANCELLED, N_("已取消")),
)


_LABELS: dict[tuple[type, object], str] = {(type(k), k): v for k, v in _RAW}


def label(value: object) -> str:
    """The display name of an enum member in the current language."""
    text = _LABELS.get((type(value), value))
    return _(text) if text is not None else str(value)

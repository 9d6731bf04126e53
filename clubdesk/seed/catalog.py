"""The fixed part of the demo club: staff, services, rooms, and the texts the generated
records pick from.  Everything here is Simplified Chinese, as a counter would write it."""

from __future__ import annotations

from dataclasses import dataclass

from clubdesk.models.enums import Department, ResourceKind, Role, ServiceCategory

YUAN = 100  # fen


@dataclass(frozen=True, slots=True)
class StaffSpec:
    username: str
    display_name: str
    role: Role
    department: Department | None


# The accounts a demo is driven with; therapists and coaches are added by number.
OFFICE_STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("admin", "系统管理员", Role.ADMIN, None),
    StaffSpec("frontdesk", "陈静", Role.FRONT_DESK, Department.CUSTOMER_SERVICE),
    StaffSpec("frontdesk2", "刘晓燕", Role.FRONT_DESK, Department.CUSTOMER_SERVICE),
    StaffSpec("frontdesk3", "王婷", Role.FRONT_DESK, Department.CUSTOMER_SERVICE),
    StaffSpec("frontdesk4", "张磊", Role.FRONT_DESK, Department.CUSTOMER_SERVICE),
    StaffSpec("frontdesk5", "赵雪", Role.FRONT_DESK, Department.FRONT_OFFICE),
    StaffSpec("frontdesk6", "黄思雨", Role.FRONT_DESK, Department.FRONT_OFFICE),
    StaffSpec("supervisor", "林慧", Role.SUPERVISOR, Department.CUSTOMER_SERVICE),
    StaffSpec("manager", "周建国", Role.MANAGER, Department.CUSTOMER_SERVICE),
    StaffSpec("director", "郑志远", Role.DIRECTOR, None),
)
THERAPIST_COUNT = 30
COACH_COUNT = 6
THERAPIST_NAMES = (
    "李娜", "王芳", "张敏", "刘洋", "陈丽", "杨艳", "赵娟", "黄霞", "周玲", "吴婷",
    "徐慧", "孙倩", "马琳", "朱晶", "胡洁", "郭燕", "何红", "高梅", "罗莉", "郑萍",
    "梁兰", "谢英", "宋丹", "唐欣", "许悦", "韩涛", "冯军", "邓勇", "曹杰", "彭斌",
)  # fmt: skip
COACH_NAMES = ("蒋浩", "蔡凯", "余健", "杜帅", "叶晨", "程雅")


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    key: str
    name: str
    category: ServiceCategory
    duration_min: int
    price_fen: int
    capacity: int | None = None


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("bath", "洗浴", ServiceCategory.BATH, 120, 88 * YUAN),
    ServiceSpec("massage60", "中式按摩60分钟", ServiceCategory.MASSAGE, 60, 198 * YUAN),
    ServiceSpec("massage90", "中式按摩90分钟", ServiceCategory.MASSAGE, 90, 268 * YUAN),
    ServiceSpec("foot60", "足疗60分钟", ServiceCategory.FOOT, 60, 128 * YUAN),
    ServiceSpec("foot90", "足疗90分钟", ServiceCategory.FOOT, 90, 178 * YUAN),
    ServiceSpec("spa", "精油SPA", ServiceCategory.MASSAGE, 90, 398 * YUAN),
    ServiceSpec("thai", "泰式按摩", ServiceCategory.MASSAGE, 90, 298 * YUAN),
    ServiceSpec("ear", "采耳", ServiceCategory.LEISURE, 30, 68 * YUAN),
    ServiceSpec("coach", "私教课", ServiceCategory.COACHING, 60, 300 * YUAN),
    ServiceSpec("gym", "健身", ServiceCategory.FITNESS, 120, 50 * YUAN),
    ServiceSpec("yoga", "瑜伽团课", ServiceCategory.FITNESS, 60, 80 * YUAN, 20),
    ServiceSpec("cinema", "观影", ServiceCategory.SCREENING, 120, 45 * YUAN, 60),
)

# How often each service is bought (walk-in and booked alike).
PURCHASE_WEIGHTS: dict[str, int] = {
    "bath": 22, "massage60": 18, "massage90": 10, "foot60": 16, "foot90": 8, "spa": 5,
    "thai": 4, "ear": 4, "coach": 4, "gym": 5, "yoga": 2, "cinema": 2,
}  # fmt: skip
# Booked with a room and a therapist or coach, with weights.
ALLOCATED_BOOKINGS: dict[str, int] = {
    "massage60": 26, "massage90": 15, "foot60": 20, "foot90": 12, "spa": 8, "thai": 6,
    "ear": 5, "coach": 8,
}  # fmt: skip
# Seat sessions: (service key, start hour, start minute, seats reserved low, high).  Each
# is one booking of its own that holds the room (and the coach of a class); the seats
# point at it.  Seats never exceed the service's capacity.
SESSIONS: tuple[tuple[str, int, int, int, int], ...] = (
    ("yoga", 10, 30, 4, 12),
    ("yoga", 19, 0, 8, 16),
    ("cinema", 14, 0, 6, 18),
    ("cinema", 19, 30, 12, 30),
)
# The session that is fully booked, with guests on its waitlist: (days after today,
# service key, hour, minute); one of SESSIONS.
FULL_SESSION: tuple[int, str, int, int] = (1, "yoga", 19, 0)
# Late foot massages that run past midnight (key, start hour, start minute): a few a day.
LATE_BOOKINGS: tuple[tuple[str, int, int], ...] = (("foot90", 23, 0), ("foot60", 23, 30))


@dataclass(frozen=True, slots=True)
class RoomSpec:
    name: str
    kind: ResourceKind
    capacity: int
    services: tuple[str, ...]  # service keys


_MASSAGE = ("massage60", "massage90", "spa", "thai")
_FOOT = ("foot60", "foot90", "ear")
ROOMS: tuple[RoomSpec, ...] = (
    *(RoomSpec(f"贵宾包间 V{n}", ResourceKind.SUITE, 2, _MASSAGE + _FOOT) for n in range(1, 5)),
    *(RoomSpec(f"按摩房 {100 + n}", ResourceKind.ROOM, 1, _MASSAGE) for n in range(1, 9)),
    *(RoomSpec(f"足疗房 {200 + n}", ResourceKind.ROOM, 1, _FOOT) for n in range(1, 7)),
    RoomSpec("精油SPA房 S1", ResourceKind.SUITE, 1, ("spa", "thai")),
    RoomSpec("精油SPA房 S2", ResourceKind.SUITE, 1, ("spa", "thai")),
    RoomSpec("私教室 1", ResourceKind.ROOM, 1, ("coach",)),
    RoomSpec("私教室 2", ResourceKind.ROOM, 1, ("coach",)),
    RoomSpec("洗浴区", ResourceKind.AREA, 80, ("bath",)),
    RoomSpec("健身区", ResourceKind.AREA, 40, ("gym",)),
    RoomSpec("瑜伽教室", ResourceKind.AREA, 20, ("yoga",)),
    RoomSpec("影厅", ResourceKind.AREA, 60, ("cinema",)),
)


def therapist_services(n: int) -> tuple[str, ...]:
    """What therapist number ``n`` (1-based) is trained for: everyone does foot care;
    most do Chinese massage; the senior ones also oil SPA and Thai massage."""
    skills = ["foot60", "foot90"]
    if n <= 22:
        skills += ["massage60", "massage90"]
    if n <= 12:
        skills += ["spa", "thai"]
    if n % 4 == 0 or n > 24:
        skills.append("ear")
    return tuple(skills)


COACH_SERVICES: tuple[str, ...] = ("coach", "gym", "yoga")

# Opening hours (the settings club.opening_time 10:00 and club.closing_time 02:00):
# hours counted from the business day's midnight, so 26 is 02:00 the next morning.
# Bookings start by LAST_START_HOUR:30 at the latest and end by CLOSE_HOUR.
OPEN_HOUR = 10
CLOSE_HOUR = 26
LAST_START_HOUR = 23
# Therapists work one of two shifts, the late one past midnight; coaches work days.
THERAPIST_SHIFTS: tuple[tuple[int, int], ...] = ((10, 18), (16, 26))
COACH_SHIFTS: tuple[tuple[int, int], ...] = ((10, 18), (14, 22))

PREFERENCES = (
    "水温偏热", "水温偏凉", "喜欢安静的包间", "偏好中式按摩", "常点精油SPA",
    "足疗后喜欢喝普洱", "周末下午到店", "喜欢靠窗的位置", "偏爱菊花茶", "习惯晚上来",
    "喜欢固定技师", "喜欢薄荷味精油", "只喝温水", "偏好女技师", "偏好男技师",
)  # fmt: skip
SPECIAL_NEEDS = (
    "力度轻一些", "力度重一些", "腰椎不好，避免重按", "对精油过敏", "颈椎不适，注意颈部",
    "怕冷，空调调高", "膝盖有旧伤", "高血压，水温不宜过高", "需要无障碍通道", "皮肤敏感",
)  # fmt: skip
NOTES = (
    "公司团建常客", "喜欢提前电话确认", "曾提出宝贵建议", "老客户，介绍了多位朋友",
    "只接受短信通知", "节假日常带家人来",
)  # fmt: skip
CANCEL_REASONS = (
    "临时有事", "身体不适", "行程变更", "改约其他时间", "天气原因", "工作加班", "重复预约",
)  # fmt: skip
BOOKING_NOTES = (
    "力度轻一些", "需要安静", "老顾客，指定技师", "第一次体验", "生日当天到店", "需要热水袋",
)  # fmt: skip
# What a walk-in guest says at the door (带客), by the service they end up having.
RECEPTION_NEEDS: dict[str, tuple[str, ...]] = {
    "massage60": ("肩颈酸痛，想按一按", "想做个中式按摩放松一下", "腰背不舒服，想按摩一小时"),
    "massage90": ("想做个长一点的按摩", "最近加班多，全身按摩放松", "腰背酸痛，想多按一会儿"),
    "foot60": ("走了一天路，想做个足疗", "想泡个脚放松一下", "脚底按摩一小时"),
    "foot90": ("想做个久一点的足疗", "足疗加肩颈放松", "朋友推荐来做足疗"),
    "spa": ("想做精油SPA", "想体验一下精油护理", "皮肤干，想做个SPA"),
    "thai": ("想试试泰式按摩", "喜欢拉伸多一点的按摩"),
    "ear": ("想采个耳", "听说这里采耳不错"),
    "coach": ("想上一节私教课", "想请教练看看动作"),
}
RECEPTION_ASKS = ("问问会员卡怎么办理", "问问包间价格", "想看看环境再决定")  # of guests who left
LEFT_REASONS = ("没有空闲技师", "嫌等待时间长", "价格原因", "只是咨询", "想要的包间已满")
WAITLIST_NOTES = (
    "有空位请电话通知", "指定技师，其他技师不考虑", "时间可以前后调整半小时", "两位同行",
)  # fmt: skip
TOP_UP_YUAN = (1_000, 2_000, 3_000, 5_000, 10_000, 20_000)
TOP_UP_WEIGHTS = (30, 28, 18, 14, 7, 3)
# Pay at least the first amount (fen), get the second on top; the best rule reached
# counts.  The settings default member.top_up_bonus: 1,000 yuan → 1,100 yuan.
TOP_UP_BONUS = (
    (100_000, 10_000), (200_000, 30_000), (500_000, 100_000), (1_000_000, 250_000),
)  # fmt: skip
PAYMENT_METHODS = ("cash", "wechat", "alipay", "bank_card")
PAYMENT_WEIGHTS = (10, 45, 30, 15)
REDEMPTIONS = (
    (500, "积分兑换：精美毛巾一条"),
    (1_000, "积分兑换：足疗60分钟体验券"),
    (2_000, "积分兑换：中式按摩60分钟"),
)
REISSUE_FEE_FEN = 20 * YUAN  # the settings default member.reissue_fee_fen

COMPLAINT_TEXTS: dict[str, tuple[tuple[str, str], ...]] = {
    # category name → (content, what the customer wants)
    "服务态度": (
        ("前台接待时态度冷淡，等了很久没人理。", "希望店长出面道歉"),
        ("技师服务过程中一直玩手机。", "要求更换技师并道歉"),
        ("催促结账，语气不好。", "希望改进服务态度"),
    ),
    "技术与质量": (
        ("按摩力度忽轻忽重，手法不专业。", "要求重新安排一次服务"),
        ("足疗时间明显不足60分钟。", "要求退还部分费用"),
        ("精油SPA后皮肤发红。", "要求赔偿并说明精油成分"),
    ),
    "卫生": (
        ("包间毛巾有异味。", "要求更换并加强清洁"),
        ("淋浴间地面有头发，没有及时清理。", "希望改进卫生管理"),
    ),
    "设施设备": (
        ("桑拿房温度上不去。", "尽快维修"),
        ("储物柜锁坏了，物品无法取出。", "立即处理并赔偿误工"),
        ("空调噪音太大，无法休息。", "更换房间"),
    ),
    "价格与收费": (
        ("结账金额与价目表不符，多收了钱。", "退还多收的费用"),
        ("储值卡扣款没有打折。", "补回差价"),
    ),
    "等候时间": (
        ("预约了19点，到店后等了40分钟才开始。", "希望给予补偿"),
        ("周末排队太久。", "希望增加技师"),
    ),
    "安全": (
        ("浴区地面湿滑，险些摔倒。", "增加防滑垫"),
        ("更衣室手机被盗。", "协助报警并赔偿"),
    ),
    "其他": (
        ("停车场指引不清楚。", "增加指示牌"),
        ("会员积分没有到账。", "尽快补录积分"),
    ),
}
COMPLAINT_STEP_NOTES: dict[str, tuple[str, ...]] = {
    "intake": ("已登记，安抚顾客情绪，承诺24小时内答复。", "电话受理，记录顾客诉求。"),
    "judgement": ("经核实投诉属实，转相关部门处理，已请顾客给予处理时间。",),
    "judgement_unjustified": ("经核实投诉不属实，已向顾客耐心解释，顾客表示理解。",),
    "investigation": ("调取监控并询问当班员工，确认原因。", "与技师面谈，确认服务时间不足。"),
    "proposal": ("与顾客沟通后提出两个方案，报主管审批。",),
    "approval": ("经理批准方案，按方案执行。",),
    "implementation": ("已向顾客道歉并完成补偿。", "已安排技师重做服务并赔礼道歉。"),
    "acceptance": ("顾客对处理结果表示满意，已签字确认。",),
    "summary": ("已填写投诉分类统计表，提出改进措施：加强培训。",),
    "closed": ("投诉处理完毕，归档。",),
}
RETURN_VISIT_SUGGESTIONS = (
    "希望增加夜间技师", "停车位不够", "茶水可以多几种选择", "整体满意", "希望预约更方便",
    "包间隔音可以再好一些",
)  # fmt: skip

VIP_GUESTS = (
    ("孙国强", False), ("林雅婷", False), ("欧阳明", False), ("周海峰", False),
    ("John Smith", True), ("田中一郎", True), ("Maria Garcia", True), ("陈志华", False),
)  # fmt: skip
VIP_PURPOSES = ("商务洽谈", "年会", "休闲度假", "考察交流", "签约仪式", "家庭聚会")
VIP_PREFERENCES = (
    "不吃辣", "需要安静的房间", "喜欢普洱茶", "高楼层", "对花粉过敏，勿放鲜花", "需要中文报纸",
)  # fmt: skip
# The reception steps of domain.md section 5, each a line of the checklist.
VIP_STEPS: tuple[tuple[str, Department], ...] = (
    ("预订确认", Department.FRONT_OFFICE),
    ("准备工作（通知各部门）", Department.FRONT_OFFICE),
    ("抵达迎接", Department.FRONT_OFFICE),
    ("个性化服务", Department.CUSTOMER_SERVICE),
    ("沟通与反馈", Department.CUSTOMER_SERVICE),
    ("欢送（赠送礼品）", Department.CONCIERGE),
    ("跟进回访（感谢信或电话）", Department.SALES),
)

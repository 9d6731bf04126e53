"""Closed vocabularies of the domain, stored as short strings.

Strings (not database ENUM types) keep SQLite and PostgreSQL migrations identical and
let a later revision add a value without altering a type.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    FRONT_DESK = "front_desk"  # 前台 / 客服专员
    SUPERVISOR = "supervisor"  # 客服主管
    MANAGER = "manager"  # 客服经理
    DIRECTOR = "director"  # 俱乐部总监 / 总经理
    COACH = "coach"
    THERAPIST = "therapist"
    ADMIN = "admin"


class Gender(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class CustomerCategory(StrEnum):
    WALK_IN = "walk_in"  # 普通客户
    BOOKED = "booked"  # 预约客户
    LONG_TERM = "long_term"  # 长期客户
    VIP = "vip"  # VIP客户


class CardKind(StrEnum):
    DISCOUNT = "discount"  # 及时制
    STORED_VALUE = "stored_value"  # 储蓄制


class CardStatus(StrEnum):
    ACTIVE = "active"
    FROZEN = "frozen"
    REPLACED = "replaced"  # lost and reissued: the number no longer works
    CLOSED = "closed"


class LedgerKind(StrEnum):
    TOP_UP = "top_up"
    BONUS = "bonus"
    PURCHASE = "purchase"
    REFUND = "refund"
    COMPENSATION = "compensation"
    REISSUE_FEE = "reissue_fee"
    ANNUAL_FEE = "annual_fee"
    POINTS_EARNED = "points_earned"
    POINTS_REDEEMED = "points_redeemed"
    REVERSAL = "reversal"
    ADJUSTMENT = "adjustment"
    TRANSFER_IN = "transfer_in"  # balance carried onto a reissued card
    TRANSFER_OUT = "transfer_out"


class RewardKind(StrEnum):
    GIFT = "gift"
    SERVICE = "service"


class PaymentMethod(StrEnum):
    STORED_VALUE = "stored_value"  # deducted from the member's card
    CASH = "cash"
    BANK_CARD = "bank_card"
    WECHAT = "wechat"
    ALIPAY = "alipay"


class TierRuleKind(StrEnum):
    CUMULATIVE_SPEND = "cumulative_spend"  # threshold in fen
    VISITS_IN_PERIOD = "visits_in_period"
    POINTS = "points"
    REFERRALS = "referrals"


class ServiceCategory(StrEnum):
    BATH = "bath"
    MASSAGE = "massage"
    FOOT = "foot"
    FITNESS = "fitness"
    LEISURE = "leisure"
    COACHING = "coaching"
    SCREENING = "screening"


class ResourceKind(StrEnum):
    ROOM = "room"
    SUITE = "suite"
    AREA = "area"
    THERAPIST = "therapist"
    COACH = "coach"
    TECHNICIAN = "technician"


class BookingState(StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    IN_SERVICE = "in_service"
    FINISHED = "finished"
    SETTLED = "settled"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


ACTIVE_BOOKING_STATES = (
    BookingState.BOOKED,
    BookingState.ARRIVED,
    BookingState.IN_SERVICE,
)


class WaitlistState(StrEnum):
    WAITING = "waiting"
    NOTIFIED = "notified"  # a matching slot freed up and the counter was told
    BOOKED = "booked"
    WITHDRAWN = "withdrawn"


class ReceptionOutcome(StrEnum):
    """How a walk-in reception (带客) ended: seated for a service, or left."""

    SEATED = "seated"
    LEFT = "left"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    AVERAGE = "average"
    DISSATISFIED = "dissatisfied"


class ComplaintChannel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    ONLINE = "online"


class ComplaintStepKind(StrEnum):
    """The six steps of domain.md section 3; approval is the gate inside step 4, the
    customer's acceptance the end of step 5."""

    INTAKE = "intake"
    JUDGEMENT = "judgement"
    INVESTIGATION = "investigation"
    PROPOSAL = "proposal"
    APPROVAL = "approval"
    IMPLEMENTATION = "implementation"
    ACCEPTANCE = "acceptance"  # the customer accepts and signs (end of step 5)
    SUMMARY = "summary"
    CLOSED = "closed"
    REOPENED = "reopened"  # a history entry only: the complaint goes back to work


class ComplaintRemedy(StrEnum):
    """What implementing a complaint's solution did (domain.md section 3, step 5)."""

    APOLOGY = "apology"
    REDO = "redo"
    REFUND = "refund"
    COMPENSATION = "compensation"  # credited to the stored-value card through the ledger
    DISCIPLINE = "discipline"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class VisitChannel(StrEnum):
    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"


class ReturnVisitSource(StrEnum):
    SERVICE = "service"
    COMPLAINT = "complaint"
    VIP = "vip"
    PERIODIC = "periodic"
    SPECIAL = "special"


class Department(StrEnum):
    ROOM_SERVICE = "room_service"
    HOUSEKEEPING = "housekeeping"
    FRONT_OFFICE = "front_office"
    CONCIERGE = "concierge"
    CATERING = "catering"
    SALES = "sales"
    SPA = "spa"
    FITNESS = "fitness"
    CUSTOMER_SERVICE = "customer_service"


class VipVisitStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    ARRIVED = "arrived"
    DEPARTED = "departed"
    CANCELLED = "cancelled"


class ChecklistKind(StrEnum):
    AMENITY = "amenity"
    STEP = "step"

"""Every mapped class, imported here so ``Base.metadata`` knows the whole schema."""

from clubdesk.models.base import Base
from clubdesk.models.booking import (
    Booking,
    BookingResource,
    Checkout,
    Reception,
    Resource,
    Service,
    WaitlistEntry,
    resource_services,
)
from clubdesk.models.complaint import Complaint, ComplaintCategory, ComplaintStep, ReturnVisit
from clubdesk.models.member import (
    LedgerEntry,
    Member,
    MemberSearchTerm,
    MembershipCard,
    Reward,
    Tier,
    TierChange,
    TierRule,
)
from clubdesk.models.staff import AuditEntry, Setting, Staff
from clubdesk.models.vip import AmenityItem, VipChecklistItem, VipLevel, VipVisit

__all__ = [
    "AmenityItem",
    "AuditEntry",
    "Base",
    "Booking",
    "BookingResource",
    "Checkout",
    "Complaint",
    "ComplaintCategory",
    "ComplaintStep",
    "LedgerEntry",
    "Member",
    "MemberSearchTerm",
    "MembershipCard",
    "Reception",
    "Resource",
    "ReturnVisit",
    "Reward",
    "Service",
    "Setting",
    "Staff",
    "Tier",
    "TierChange",
    "TierRule",
    "VipChecklistItem",
    "VipLevel",
    "VipVisit",
    "WaitlistEntry",
    "resource_services",
]

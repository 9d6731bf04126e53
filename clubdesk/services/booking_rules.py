"""The booking life cycle (domain.md section 2) and the errors the board shows.

booked → arrived → in service → finished → settled; or cancelled; or no-show.  Settling
and its reversal (反结账) belong to checkout, which calls ``require_transition`` too, so
there is one table of what may follow what.
"""

from __future__ import annotations

from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.models import Booking
from clubdesk.models.enums import ACTIVE_BOOKING_STATES, BookingState
from clubdesk.services.labels import label

S = BookingState

TRANSITIONS: dict[BookingState, frozenset[BookingState]] = {
    S.BOOKED: frozenset({S.ARRIVED, S.CANCELLED, S.NO_SHOW}),
    # A guest who arrived may still leave before the service starts.
    S.ARRIVED: frozenset({S.IN_SERVICE, S.CANCELLED}),
    S.IN_SERVICE: frozenset({S.FINISHED}),
    S.FINISHED: frozenset({S.SETTLED}),
    S.SETTLED: frozenset({S.FINISHED}),  # only through a manager's reversal
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}

# States in which the booking still holds its rooms and staff.
HOLDING = frozenset(ACTIVE_BOOKING_STATES)


class BookingConflict(DomainError):
    """The room or staff member is already taken for (part of) that time."""


class IllegalTransition(DomainError):
    pass


class SessionFull(DomainError):
    """Every seat of a class or screening is taken: offer the waitlist."""


def can_transition(current: BookingState, target: BookingState) -> bool:
    return target in TRANSITIONS[current]


def require_transition(current: BookingState, target: BookingState) -> None:
    if can_transition(current, target):
        return
    allowed = _("、").join(label(s) for s in sorted(TRANSITIONS[current], key=_order))
    if allowed:
        message = _("预约当前是“{now}”，不能改为“{target}”；现在只能改为：{allowed}。")
    else:
        message = _("预约已经“{now}”，不能再改为“{target}”。")
    raise IllegalTransition(
        message.format(now=label(current), target=label(target), allowed=allowed),
        field="state",
    )


def _order(state: BookingState) -> int:
    return list(BookingState).index(state)


def holds_resources(state: BookingState) -> bool:
    return state in HOLDING


def is_session_host(booking: Booking) -> bool:
    """A class or screening itself (it holds the hall; its guests hold seats)."""
    return booking.service.capacity is not None and booking.session_id is None

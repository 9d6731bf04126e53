from __future__ import annotations

from enum import StrEnum

import pytest

from clubdesk.models import enums
from clubdesk.services.labels import label

# Vocabularies the GUI and the forms show by label (the others are internal codes so far).
NOT_SHOWN = {
    "TierRuleKind",
    "LedgerKind",
    "Satisfaction",
    "ChecklistKind",
}
SHOWN = [
    obj
    for obj in vars(enums).values()
    if isinstance(obj, type)
    and issubclass(obj, StrEnum)
    and obj is not StrEnum
    and obj.__name__ not in NOT_SHOWN
]


@pytest.mark.parametrize("enum_cls", SHOWN, ids=lambda e: e.__name__)
def test_every_member_shown_in_the_ui_has_its_own_chinese_label(enum_cls: type[StrEnum]) -> None:
    labels = [label(member) for member in enum_cls]
    assert all(text != member.value for text, member in zip(labels, enum_cls, strict=True))
    assert len(set(labels)) == len(labels)


def test_equal_values_in_different_enums_do_not_collide() -> None:
    assert label(enums.BookingState.ARRIVED) == "已到店"
    assert label(enums.VipVisitStatus.ARRIVED) == "已抵达"
    assert label(enums.CustomerCategory.BOOKED) == "预约客户"
    assert label(enums.BookingState.BOOKED) == "已预约"
    assert label(enums.CardStatus.CLOSED) == "已注销"
    assert label(enums.ComplaintStepKind.CLOSED) == "已结案"

"""Roster search: every query kind finds exactly what a full scan would, page by page."""

from __future__ import annotations

import random

import pytest

from clubdesk.db.engine import Database
from clubdesk.models.enums import CardKind, Role
from clubdesk.search_terms import QueryKind, parse_query
from clubdesk.services import member_search, members, roster
from clubdesk.services.roster import MemberRow
from tests.core.roster_helpers import staff

SURNAMES = "张王李赵曾单欧阳"
GIVEN = ["晓明", "明", "丽", "晓丽", "建国", "娜娜"]


def _fill(db: Database) -> list[tuple[int, str, str, str]]:
    actor = staff(db, Role.FRONT_DESK)
    rng = random.Random(7)
    made = []
    for k in range(160):
        surname = "欧阳" if k % 11 == 0 else rng.choice(SURNAMES[:-2])
        name = surname + rng.choice(GIVEN)
        phone = "13" + str(rng.randint(5, 9)) + f"{rng.randint(0, 99_999_999):08d}"
        kind = CardKind.STORED_VALUE if k % 3 else None
        mid = members.create(db, actor, members.MemberInput(name=name, phone=phone), card_kind=kind)
        made.append(mid)
    out = []
    for mid in made:
        p = roster.profile(db, mid)
        number = p.cards[-1].number if p.cards else ""
        out.append((mid, p.name, p.phone, number))
    return out


def _all_pages(db: Database, typed: str) -> list[MemberRow]:
    rows: list[MemberRow] = []
    page = member_search.search(db, typed)
    rows += page.rows
    while not page.exhausted:
        page = member_search.search(db, typed, after=page.cursor)
        rows += page.rows
    return rows


def _expected(people: list[tuple[int, str, str, str]], typed: str) -> set[int]:
    from clubdesk.seed.names import name_initials

    q = parse_query(typed)
    assert q is not None

    def hit(name: str, phone: str, number: str) -> bool:
        readings = name_initials(name).split()
        return {
            QueryKind.NAME: q.text in name,
            QueryKind.INITIALS: any(r.startswith(q.text) for r in readings),
            QueryKind.PHONE_LAST4: phone.endswith(q.text),
            QueryKind.PHONE_PREFIX: phone.startswith(q.text),
            QueryKind.PHONE_FULL: phone == q.text,
            QueryKind.CARD: number.startswith(q.text),
        }[q.kind]

    found = {mid for mid, name, phone, number in people if hit(name, phone, number)}
    return found


def test_each_kind_matches_a_full_scan_across_pages(db: Database) -> None:
    people = _fill(db)
    some = people[5]
    queries = [
        "张", "晓", "晓明", "欧阳", "欧阳晓", "zxm", "z", "oy", "x",  # names and initials
        some[2][-4:], some[2][:3], some[2][:7], some[2],  # phones
        some[3][:6], some[3],  # cards
    ]  # fmt: skip
    for typed in queries:
        rows = _all_pages(db, typed)
        ids = [r.id for r in rows]
        assert len(ids) == len(set(ids)), typed  # no row twice across pages
        assert set(ids) == _expected(people, typed), typed
    assert len(_all_pages(db, "")) == len(people)


def test_ordering_is_stable_newest_first_for_names(db: Database) -> None:
    _fill(db)
    ids = [r.id for r in _all_pages(db, "晓")]
    assert ids == sorted(ids, reverse=True)


@pytest.mark.parametrize("typed", ["9", "0123456789012", "%", "_"])
def test_text_that_cannot_match_returns_nothing_without_error(db: Database, typed: str) -> None:
    _fill(db)
    page = member_search.search(db, typed)
    assert page.rows == [] or typed in ("%", "_")


def test_full_width_and_separators_are_read_like_ascii(db: Database) -> None:
    people = _fill(db)
    _mid, _name, phone, _number = people[0]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in phone)
    spaced = f"{phone[:3]} {phone[3:7]}-{phone[7:]}"
    assert [r.id for r in member_search.search(db, wide).rows] == [people[0][0]]
    assert [r.id for r in member_search.search(db, spaced).rows] == [people[0][0]]


def test_latin_foreign_and_pasted_names_are_found(db: Database) -> None:
    actor = staff(db, Role.FRONT_DESK)
    made = {
        name: members.create(
            db, actor, members.MemberInput(name=name, phone=phone, foreign_phone=True)
        )
        for name, phone in [
            ("Tom Li", "+447911123456"),
            ("José García", "+34612345678"),
            ("O'Brien", "+353861234567"),
            ("李Anna", "+85291234567"),
            ("张\u200b三", "13800001111"),
        ]
    }
    cases = {
        "tom": "Tom Li", "Tom Li": "Tom Li", "jose": "José García", "garcia": "José García",
        "obrien": "O'Brien", "anna": "李Anna", "李anna": "李Anna", "张三": "张\u200b三",
        "+852 9123": "李Anna", "00852 9123 4567": "李Anna", "+44": "Tom Li",
    }  # fmt: skip
    for typed, name in cases.items():
        ids = [r.id for r in member_search.search(db, typed).rows]
        assert ids == [made[name]], typed


def test_prefix_ranges_do_not_depend_on_collation() -> None:
    assert member_search.prefix_end("138") == "139"
    assert member_search.prefix_end("1399") == "14"
    assert member_search.prefix_end("8999999999") == "9"
    assert member_search.prefix_end("+8529") == "+853"

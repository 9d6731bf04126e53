"""Roster search: what the counter types, read as one indexed query per kind.

Every kind pages by keyset on the column its index is ordered by, so the 50 rows of
any page come from one index range and never from a sort of all matches:

- everything, a name fragment, initials, the last 4 digits: member id, newest first;
- a phone prefix: the phone number; a card number or its prefix: the card number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from clubdesk.db.engine import Database
from clubdesk.search_terms import Query, QueryKind, parse_query
from clubdesk.services.roster import PAGE_SIZE, MemberRow, row_from_tuple

# The columns of a roster row; {card} is the member's current card (the newest that
# was not replaced), or the matched card itself when searching by card number.
_COLUMNS = """
SELECT m.id, {card}.number, m.name, m.phone, t.name, m.category, m.last_visit_at,
       COALESCE((SELECT l.balance_after_fen FROM ledger l
                 WHERE l.card_id = {card}.id ORDER BY l.id DESC LIMIT 1), 0),
       COALESCE((SELECT l.points_after FROM ledger l
                 WHERE l.member_id = m.id ORDER BY l.id DESC LIMIT 1), 0),
       {key}
"""
_CURRENT_CARD = """
LEFT JOIN cards c ON c.id = (SELECT c2.id FROM cards c2
                             WHERE c2.member_id = m.id AND c2.status != 'replaced'
                             ORDER BY c2.id DESC LIMIT 1)
"""


def _by_member_id(source: str, where: str, id_col: str) -> tuple[str, str]:
    first = (
        _COLUMNS.format(card="c", key=id_col)
        + source
        + " JOIN tiers t ON t.id = m.tier_id"
        + _CURRENT_CARD
        + where
    )
    after = f" AND {id_col} < :after" if "WHERE" in where else f" WHERE {id_col} < :after"
    order = f" ORDER BY {id_col} DESC LIMIT :limit"
    return first + order, first + after + order


_SQL: dict[QueryKind, tuple[str, str]] = {
    QueryKind.ALL: _by_member_id(" FROM members m", "", "m.id"),
    QueryKind.PHONE_LAST4: _by_member_id(" FROM members m", " WHERE m.phone_last4 = :q", "m.id"),
    QueryKind.NAME: _by_member_id(
        " FROM member_search s JOIN members m ON m.id = s.member_id",
        " WHERE s.term = :term",
        "s.member_id",
    ),
    QueryKind.INITIALS: _by_member_id(
        " FROM member_search s JOIN members m ON m.id = s.member_id",
        " WHERE s.term = :term",
        "s.member_id",
    ),
}
_LONG_NAME = _by_member_id(
    " FROM member_search s JOIN members m ON m.id = s.member_id",
    " WHERE s.term = :term AND replace(lower(m.name), ' ', '') LIKE :like",
    "s.member_id",
)
_PHONE = (
    _COLUMNS.format(card="c", key="m.phone")
    + " FROM members m JOIN tiers t ON t.id = m.tier_id"
    + _CURRENT_CARD
    + " WHERE m.phone >= :lo AND m.phone < :hi {after} ORDER BY m.phone LIMIT :limit"
)
_CARD = (
    _COLUMNS.format(card="c", key="c.number")
    + " FROM cards c JOIN members m ON m.id = c.member_id JOIN tiers t ON t.id = m.tier_id"
    + " WHERE c.number >= :lo AND c.number < :hi AND c.status != 'replaced' {after}"
    + " ORDER BY c.number LIMIT :limit"
)
for kind in (QueryKind.PHONE_FULL, QueryKind.PHONE_PREFIX):
    _SQL[kind] = (_PHONE.format(after=""), _PHONE.format(after="AND m.phone > :after"))
_SQL[QueryKind.CARD] = (_CARD.format(after=""), _CARD.format(after="AND c.number > :after"))


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: Query | None
    rows: list[MemberRow]
    cursor: Any  # pass back as ``after`` for the next page; None when this was the last

    @property
    def exhausted(self) -> bool:
        return self.cursor is None


def statement(query: Query, after: Any = None) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of one page: what the service runs, and what the bench
    runs through raw ``sqlite3`` as the floor."""
    first, following = _LONG_NAME if query.needs_name_check else _SQL[query.kind]
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    if query.kind in (QueryKind.NAME, QueryKind.INITIALS):
        params["term"] = query.term
        if query.needs_name_check:
            params["like"] = "%" + _escape_like(query.text) + "%"
    elif query.kind is QueryKind.PHONE_LAST4:
        params["q"] = query.text
    elif query.kind is not QueryKind.ALL:
        params["lo"], params["hi"] = query.text, prefix_end(query.text)
    if after is not None:
        params["after"] = after
        return following, params
    return first, params


def search(db: Database, typed: str, *, after: Any = None, limit: int = PAGE_SIZE) -> SearchPage:
    query = parse_query(typed)
    if query is None:
        return SearchPage(None, [], None)
    sql, params = statement(query, after)
    params["limit"] = limit
    with db.read() as session:
        raw = session.execute(text(sql), params).all()
    rows = [row_from_tuple(r) for r in raw]
    cursor = raw[-1][9] if len(raw) == limit else None
    return SearchPage(query, rows, cursor)


def prefix_end(prefix: str) -> str:
    """The least string above every string starting with ``prefix`` (digits, maybe a
    leading +): "138" → "139", "1399" → "14".  Unlike ``prefix + ':'`` it holds in any
    collation, also a PostgreSQL database created with a Chinese ICU locale."""
    digits = prefix.rstrip("9")
    if not digits or not digits[-1].isdigit():
        return prefix[:1] + "~" if prefix.startswith("+") else "~"
    return digits[:-1] + str(int(digits[-1]) + 1)


def _escape_like(value: str) -> str:
    # A name never holds these, but typed text may; SQLite and PostgreSQL both treat
    # backslash as the escape character of LIKE only when told, so drop them instead.
    return value.replace("%", "").replace("_", "")


_COUNT_SOURCES: dict[QueryKind, str] = {
    QueryKind.ALL: "SELECT 1 FROM members m",
    QueryKind.PHONE_LAST4: "SELECT 1 FROM members m WHERE m.phone_last4 = :q",
    QueryKind.NAME: "SELECT 1 FROM member_search s WHERE s.term = :term",
    QueryKind.INITIALS: "SELECT 1 FROM member_search s WHERE s.term = :term",
    QueryKind.PHONE_FULL: "SELECT 1 FROM members m WHERE m.phone >= :lo AND m.phone < :hi",
    QueryKind.PHONE_PREFIX: "SELECT 1 FROM members m WHERE m.phone >= :lo AND m.phone < :hi",
    QueryKind.CARD: (
        "SELECT 1 FROM cards c WHERE c.number >= :lo AND c.number < :hi AND c.status != 'replaced'"
    ),
}
_LONG_NAME_COUNT = (
    "SELECT 1 FROM member_search s JOIN members m ON m.id = s.member_id"
    " WHERE s.term = :term AND replace(lower(m.name), ' ', '') LIKE :like"
)


@dataclass(frozen=True, slots=True)
class MatchCount:
    n: int
    more: bool  # there are more than ``n``: the count stopped at its cap


def count(db: Database, typed: str, *, cap: int = 1000) -> MatchCount:
    """How many members match, counted up to ``cap`` so a broad search stays instant."""
    query = parse_query(typed)
    if query is None:
        return MatchCount(0, False)
    source = _LONG_NAME_COUNT if query.needs_name_check else _COUNT_SOURCES[query.kind]
    _sql, params = statement(query)
    params.pop("limit", None)
    params["cap"] = cap + 1
    with db.read() as session:
        n = int(
            session.execute(
                text(f"SELECT COUNT(*) FROM ({source} LIMIT :cap) AS matches"), params
            ).scalar_one()
        )
    return MatchCount(min(n, cap), n > cap)

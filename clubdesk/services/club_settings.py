"""Changing the club settings (domain.md: every number is a default a manager can change).

``set_values`` checks every value against its declaration in ``clubdesk.settings``
before it writes anything, so a batch with one bad value saves nothing; a refusal is a
``DomainError`` whose ``field`` is the setting's key and whose sentence names the
setting (and, for a message template, the placeholders it may use).

A value equal to its declared default is not stored: its row is deleted instead.  The
table then holds exactly what the club changed, 恢复默认 and typing the default back
are the same thing, and a later release that improves a default reaches every club
that never changed it.  Who changed what stays in the audit log (one entry per changed
key with the value before and after), and ``updated_by`` names the last changer of a
stored value.
"""

from __future__ import annotations

import calendar
import json
import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from clubdesk import settings
from clubdesk.db.engine import Database
from clubdesk.errors import DomainError
from clubdesk.i18n import _
from clubdesk.models import Setting, Staff, Tier
from clubdesk.money import format_fen
from clubdesk.services import audit
from clubdesk.services.permissions import Permission, require
from clubdesk.services.staff import StaffMember
from clubdesk.settings import DEFINITIONS, Form, SettingDef

_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_MMDD = re.compile(r"(\d{1,2})-(\d{1,2})")
_PHONE = re.compile(r"[0-9+\-() ]*")
_PHONE_DIGITS_MIN = 5
_FULL_WIDTH_BRACES = str.maketrans({"｛": "{", "｝": "}"})


# -- plain data out -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Change:
    key: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class Stored:
    """A value the club changed from its default: who changed it last, and when."""

    by: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ClubSettings:
    values: dict[str, Any]  # every declared key, its value in effect
    stored: dict[str, Stored]  # the keys whose value differs from the default
    tiers: list[tuple[int, str]]  # (rank, name) in rank order, for member.vip_tier_rank


def overview(db: Database) -> ClubSettings:
    """Every setting's value, which ones the club changed, and the tiers to choose from."""
    with db.read() as session:
        rows = session.execute(
            select(Setting.key, Setting.value, Setting.updated_at, Staff.display_name).outerjoin(
                Staff, Staff.id == Setting.updated_by
            )
        ).all()
        tiers = [
            (rank, name)
            for rank, name in session.execute(select(Tier.rank, Tier.name).order_by(Tier.rank))
        ]
    values = {key: d.default for key, d in DEFINITIONS.items()}
    stored: dict[str, Stored] = {}
    for key, value, at, by in rows:
        if key in DEFINITIONS:
            values[key] = json.loads(value)
            stored[key] = Stored(by, at)
    return ClubSettings(values, stored, tiers)


# -- writing --------------------------------------------------------------------------------
def set_values(
    db: Database,
    actor: StaffMember | None,
    changes: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> list[Change]:
    """Change the given settings in one transaction; the changes that took effect
    (a value equal to the one in effect is no change and leaves no audit entry)."""
    require(actor, Permission.SETTINGS_EDIT)
    now = now or datetime.now()
    order = list(DEFINITIONS)
    wanted = sorted(changes.items(), key=lambda item: _position(order, item[0]))
    with db.write() as session:
        ranks = {rank for (rank,) in session.execute(select(Tier.rank))}
        cleaned = {key: clean(key, value, tier_ranks=ranks) for key, value in wanted}
        current = _stored(session, list(cleaned))
        in_effect = {key: current.get(key, DEFINITIONS[key].default) for key in cleaned}
        _check_together(session, cleaned)
        done: list[Change] = []
        for key, value in cleaned.items():
            before = in_effect[key]
            if value == before:
                continue
            _write(session, actor, key, value, now)
            audit.record(
                session, actor, "settings.change", "setting",
                before={"key": key, "value": before}, after={"key": key, "value": value},
                detail=key, at=now,
            )  # fmt: skip
            done.append(Change(key, before, value))
        settings.forget_cached(session)
        return done


def reset(
    db: Database, actor: StaffMember | None, key: str, *, now: datetime | None = None
) -> list[Change]:
    """Put ``key`` back to its declared default (its row is deleted)."""
    return set_values(db, actor, {key: settings.definition(key).default}, now=now)


def _position(order: list[str], key: str) -> int:
    settings.definition(key)  # an unknown key is refused before anything else
    return order.index(key)


def _stored(session: Session, keys: list[str]) -> dict[str, Any]:
    rows = session.execute(
        select(Setting.key, Setting.value).where(Setting.key.in_(keys)).with_for_update()
    )
    return {key: json.loads(value) for key, value in rows}


def _write(
    session: Session, actor: StaffMember | None, key: str, value: Any, now: datetime
) -> None:
    if value == DEFINITIONS[key].default:
        session.execute(delete(Setting).where(Setting.key == key))
        return
    row = {
        "key": key,
        "value": json.dumps(value, ensure_ascii=False),
        "updated_at": now,
        "updated_by": actor.id if actor else None,
    }
    # An upsert, so two counters changing a setting nobody changed before cannot
    # collide on the primary key.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Setting).values(**row)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Setting.key],
            set_={name: statement.excluded[name] for name in ("value", "updated_at", "updated_by")},
        )
    )


def _check_together(session: Session, cleaned: Mapping[str, Any]) -> None:
    """Rules between settings, on the values they will have after the change."""
    if "visit.quiet_start" in cleaned or "visit.quiet_end" in cleaned:

        def after(key: str) -> Any:
            if key in cleaned:
                return cleaned[key]
            return settings.session_value(session, key)

        if after("visit.quiet_start") == after("visit.quiet_end"):
            field = "visit.quiet_end" if "visit.quiet_end" in cleaned else "visit.quiet_start"
            raise DomainError(
                _("免打扰开始时间和结束时间不能相同（{time}）。").format(
                    time=after("visit.quiet_start")
                ),
                field=field,
            )


# -- checking one value ---------------------------------------------------------------------
def clean(key: str, value: Any, *, tier_ranks: set[int] | None = None) -> Any:
    """``value`` as it will be stored (trimmed, sorted, zero-padded), or DomainError with
    ``field=key`` saying what is wrong.  ``tier_ranks``: the ranks a tier setting may take
    (None: not checked)."""
    d = settings.definition(key)
    if d.form in (Form.TEXT, Form.PHONE, Form.TIME, Form.TEMPLATE) and not isinstance(value, str):
        raise _refuse(d, _("“{what}”应当是文字。"))
    match d.form:
        case Form.TEXT:
            return _text(d, value)
        case Form.PHONE:
            return _phone(d, value)
        case Form.TIME:
            return _time(d, value)
        case Form.TEMPLATE:
            return _template(d, value)
        case Form.NUMBER:
            return _number(d, value)
        case Form.FEN:
            return _fen(d, value)
        case Form.RATE:
            return _rate(d, value)
        case Form.TIER:
            return _tier(d, value, tier_ranks)
        case Form.DATES:
            return _dates(d, value)
        case Form.BONUS:
            return _bonus(d, value)
        case Form.THRESHOLDS:
            return _thresholds(d, value)
    raise AssertionError(d.form)  # pragma: no cover - every form is handled above


def _refuse(d: SettingDef, message: str, **values: Any) -> DomainError:
    return DomainError(message.format(what=_(d.label), **values), field=d.key)


def _plain_text(text: str, *, lines: bool) -> str:
    """Control and invisible format characters dropped (line breaks kept in a template),
    spaces collapsed within each line, trimmed."""
    kept = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\n" and lines:
            kept.append(ch)
        elif ch == "\t":
            kept.append(" ")
        elif unicodedata.category(ch)[0] != "C":
            kept.append(ch)
    rows = [" ".join(row.split()) for row in "".join(kept).split("\n")]
    return "\n".join(rows).strip()


def _length(d: SettingDef, text: str) -> str:
    if d.required and not text:
        raise _refuse(d, _("请填写“{what}”。"))
    if d.limit and len(text) > d.limit:
        raise _refuse(
            d, _("“{what}”最多 {limit} 个字，现在是 {n} 个。"), limit=d.limit, n=len(text)
        )
    return text


def _text(d: SettingDef, value: str) -> str:
    return _length(d, _plain_text(value, lines=False))


def _phone(d: SettingDef, value: str) -> str:
    text = _length(d, unicodedata.normalize("NFKC", _plain_text(value, lines=False)))
    digits = sum(ch.isdigit() for ch in text)
    if text and (not _PHONE.fullmatch(text) or digits < _PHONE_DIGITS_MIN):
        raise _refuse(
            d,
            _("“{what}”填写的“{text}”不是有效的电话号码：只能填数字、空格、+、- 和括号。"),
            text=_short(text),
        )
    return text


def _time(d: SettingDef, value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    match = _TIME.fullmatch(text)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise _refuse(
            d,
            _("“{what}”的时间“{text}”不对：请按 时:分 填写，从 00:00 到 23:59，例如 09:30。"),
            text=_short(text),
        )
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _template(d: SettingDef, value: str) -> str:
    text = _length(d, _plain_text(value.translate(_FULL_WIDTH_BRACES), lines=True))
    allowed = [name for name, _meaning in d.placeholders]
    listed = _("、").join(
        "{" + name + "}" + _("（{meaning}）").format(meaning=_(meaning))
        for name, meaning in d.placeholders
    )
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise _refuse(
            d,
            _(
                "“{what}”里有不成对的花括号。占位符要用一对半角花括号括起来；"
                "可用的占位符：{allowed}。"
            ),
            allowed=listed,
        ) from None
    for _literal, field_name, spec, conversion in parts:
        if field_name is None:
            continue
        if field_name not in allowed or spec or conversion:
            written = "{" + field_name
            written += f"!{conversion}" if conversion else ""
            written += f":{spec}" if spec else ""
            written += "}"
            raise _refuse(
                d,
                _("“{what}”里的占位符 {placeholder} 不能用。可用的占位符：{allowed}。"),
                placeholder=written,
                allowed=listed,
            )
    return text


def _integer(d: SettingDef, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(d, _("“{what}”应当是整数。"))
    return value


def _number(d: SettingDef, value: Any) -> int:
    n = _integer(d, value)
    low, high = _bounds(d)
    if not low <= n <= high:
        raise _refuse(
            d,
            _("“{what}”应在 {low} 到 {high} {unit}之间，现在是 {n} {unit}。"),
            low=low,
            high=high,
            unit=_unit(d),
            n=n,
        )
    return n


def _fen(d: SettingDef, value: Any) -> int:
    fen = _integer(d, value)
    low, high = _bounds(d)
    if fen < 0:
        raise _refuse(d, _("“{what}”不能是负数。"))
    if not low <= fen <= high:
        raise _refuse(
            d,
            _("“{what}”应在 {low} 到 {high} 之间，现在是 {amount}。"),
            low=format_fen(low),
            high=format_fen(high),
            amount=format_fen(fen),
        )
    return fen


def _rate(d: SettingDef, value: Any) -> int:
    bp = _integer(d, value)
    if not 1 <= bp <= 10_000:
        raise _refuse(
            d,
            _("“{what}”应在原价的 0.01% 到 100% 之间（100% 即不打折），现在是 {rate}%。"),
            rate=f"{bp / 100:g}",
        )
    return bp


def _tier(d: SettingDef, value: Any, ranks: set[int] | None) -> int:
    rank = _integer(d, value)
    if rank < 0 or (ranks is not None and rank not in ranks):
        raise _refuse(d, _("“{what}”请选择一个现有的会员等级。"))
    return rank


def _items(d: SettingDef, value: Any) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise _refuse(d, _("“{what}”应当是一组值。"))
    if d.maximum is not None and d.form is not Form.THRESHOLDS and len(value) > d.maximum:
        raise _refuse(
            d, _("“{what}”最多 {limit} 项，现在是 {n} 项。"), limit=d.maximum, n=len(value)
        )
    return list(value)


def _dates(d: SettingDef, value: Any) -> list[str]:
    days: set[str] = set()
    for item in _items(d, value):
        text = unicodedata.normalize("NFKC", item).strip() if isinstance(item, str) else ""
        match = _MMDD.fullmatch(text)
        month, day = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        # 2000 is a leap year: 02-29 is a day a holiday can fall on.
        if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(2000, month)[1]):
            raise _refuse(
                d,
                _("“{what}”里的“{text}”不是有效的日期：请按 月-日 填写，例如 10-01。"),
                text=_short(str(item)),
            )
        days.add(f"{month:02d}-{day:02d}")
    return sorted(days)


def _bonus(d: SettingDef, value: Any) -> list[list[int]]:
    rules: list[list[int]] = []
    for item in _items(d, value):
        if (
            not isinstance(item, list | tuple)
            or len(item) != 2
            or any(isinstance(n, bool) or not isinstance(n, int) for n in item)
        ):
            raise _refuse(d, _("“{what}”的每一档都要有充值金额和赠送金额。"))
        pay, bonus = int(item[0]), int(item[1])
        if not 1 <= pay <= settings.MONEY_MAX_FEN:
            raise _refuse(
                d,
                _("“{what}”的充值金额应在 {low} 到 {high} 之间，现在是 {amount}。"),
                low=format_fen(1),
                high=format_fen(settings.MONEY_MAX_FEN),
                amount=format_fen(pay),
            )
        if not 0 <= bonus <= pay:
            raise _refuse(
                d,
                _("“{what}”中充值满 {pay} 的赠送金额应在 ¥0.00 到充值金额之间，现在是 {bonus}。"),
                pay=format_fen(pay),
                bonus=format_fen(bonus),
            )
        rules.append([pay, bonus])
    rules.sort()
    for (low_pay, low_bonus), (high_pay, high_bonus) in pairwise(rules):
        if low_pay == high_pay:
            raise _refuse(d, _("“{what}”里充值满 {pay} 的档位重复了。"), pay=format_fen(high_pay))
        if high_bonus < low_bonus:
            raise _refuse(
                d,
                _(
                    "“{what}”中充值满 {high} 赠送 {high_bonus}，"
                    "少于充值满 {low} 的赠送 {low_bonus}：充值越多赠送应越多。"
                ),
                high=format_fen(high_pay),
                high_bonus=format_fen(high_bonus),
                low=format_fen(low_pay),
                low_bonus=format_fen(low_bonus),
            )
    return rules


def _thresholds(d: SettingDef, value: Any) -> list[int]:
    items = _items(d, value)
    count, high = _bounds(d)
    if len(items) != count:
        raise _refuse(
            d, _("“{what}”要填 {count} 个门槛，现在是 {n} 个。"), count=count, n=len(items)
        )
    amounts = [_integer(d, item) for item in items]
    for index, amount in enumerate(amounts):
        if not 1 <= amount <= high:
            raise _refuse(
                d,
                _("“{what}”中 {stars} 星的门槛应在 1 到 {high} 元之间，现在是 {n} 元。"),
                stars=index + 2,
                high=f"{high:,}",
                n=f"{amount:,}",
            )
    for index in range(1, len(amounts)):
        if amounts[index] <= amounts[index - 1]:
            raise _refuse(
                d,
                _(
                    "“{what}”要从低到高排列：{stars} 星的门槛（{n} 元）"
                    "必须高于 {lower} 星的门槛（{m} 元）。"
                ),
                stars=index + 2,
                n=f"{amounts[index]:,}",
                lower=index + 1,
                m=f"{amounts[index - 1]:,}",
            )
    return amounts


def _bounds(d: SettingDef) -> tuple[int, int]:
    assert d.minimum is not None and d.maximum is not None, d.key
    return d.minimum, d.maximum


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _unit(d: SettingDef) -> str:
    return _(d.unit) if d.unit else ""  # _("") would be the catalogue's header


def describe(key: str, value: Any, tiers: Mapping[int, str] | None = None) -> str:
    """A value as a person reads it ("24 小时", "¥180.00", "88%", a tier's name) for
    hints and tooltips; ``tiers``: rank → name."""
    d = settings.definition(key)
    match d.form:
        case Form.NUMBER:
            return f"{value} {_unit(d)}"
        case Form.FEN:
            return format_fen(int(value))
        case Form.RATE:
            return f"{int(value) / 100:g}%"
        case Form.DATES:
            return _("、").join(value) if value else _("（无）")
        case Form.BONUS:
            return _("、").join(
                _("满 {pay} 送 {bonus}").format(pay=format_fen(p), bonus=format_fen(b))
                for p, b in value
            ) or _("（无）")
        case Form.THRESHOLDS:
            return _("、").join(f"{n:,}" for n in value) + " " + _unit(d)
        case Form.TIER if tiers and value in tiers:
            return _("{name}及以上").format(name=tiers[value])
        case _:
            return str(value) if value != "" else _("（空）")

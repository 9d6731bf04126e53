"""会员详情: one member's profile and card business in a non-modal window.

A header with what the counter needs at a glance (tier, stars, category, phone, card,
balance, points, churn flag, referrals) and five tabs: 资料, 会员卡, 流水, 积分, 等级.
Everything is read through the task runner; every action (card_actions.py) refreshes
the window when it succeeds.  ``open_member`` reuses the window already open for the
same member; ``new_member`` registers one and then opens its window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clubdesk.db.engine import Database
from clubdesk.i18n import _
from clubdesk.models.enums import CardKind, CardStatus
from clubdesk.money import format_fen
from clubdesk.services import cards, derived, ledger, roster, tiers
from clubdesk.services.cards import RewardInfo
from clubdesk.services.derived import Insights
from clubdesk.services.labels import label
from clubdesk.services.ledger import LedgerLine
from clubdesk.services.permissions import Permission, allowed
from clubdesk.services.roster import CardInfo, MemberProfile
from clubdesk.services.staff import StaffMember
from clubdesk.services.tiers import TierHistoryLine, TierInfo
from ui.dialogs import card_actions
from ui.dialogs.card_actions import ActionContext, ActionDialog, denied_tip
from ui.dialogs.member_editor import MemberEditor
from ui.errors import show_error
from ui.models.rows import CENTER, RIGHT, Column, RowsModel
from ui.tasks import SyncRunner, TaskRunner

Runner = TaskRunner | SyncRunner

LEDGER_PAGE = 100
LEDGER_REASON_WIDTH = 220  # what the 说明 column should get at least when the window opens
DETAIL_CHROME = 70  # the window's, the tab's and the table's margins and frames
POSITIVE = "#047857"
NEGATIVE = "#b91c1c"
PAID = "#374151"

_STYLE = """
QFrame#memberHeader { background: #ffffff; border: 1px solid #e5e7eb; border-radius: 6px; }
QLabel#memberName { font-size: 17pt; font-weight: bold; color: #111827; }
QLabel#tierBadge { background: #fef3c7; color: #92400e; border-radius: 4px; padding: 2px 8px;
                   font-weight: bold; }
QLabel#categoryBadge { background: #e0f2fe; color: #075985; border-radius: 4px;
                       padding: 2px 8px; }
QLabel#stars { color: #d97706; font-size: 13pt; }
QLabel#churnFlag { background: #fee2e2; color: #b91c1c; border-radius: 4px; padding: 2px 8px;
                   font-weight: bold; }
QLabel#giftFlag { background: #dcfce7; color: #166534; border-radius: 4px; padding: 2px 8px; }
QLabel[role="caption"] { color: #6b7280; }
QLabel[role="fact"] { color: #111827; font-weight: bold; }
QLabel#balanceFact { color: #0f766e; font-weight: bold; font-size: 13pt; }
QLabel#detailStatus { color: #4b5563; }
"""


@dataclass(frozen=True, slots=True)
class DetailData:
    profile: MemberProfile
    insights: Insights
    tier_history: list[TierHistoryLine]
    tiers: list[TierInfo]
    rewards: list[RewardInfo]
    ledger: list[LedgerLine]

    @property
    def working_card(self) -> CardInfo | None:
        """The card in use: the newest one that is active or frozen."""
        for card in reversed(self.profile.cards):
            if card.status in (CardStatus.ACTIVE, CardStatus.FROZEN):
                return card
        return None

    @property
    def tier(self) -> TierInfo | None:
        return next((t for t in self.tiers if t.name == self.profile.tier_name), None)


def load_detail(db: Database, member_id: int) -> DetailData:
    profile = roster.profile(db, member_id)
    with db.read() as session:
        lines = ledger.history(session, member_id, limit=LEDGER_PAGE)
    return DetailData(
        profile=profile,
        insights=derived.insights(db, member_id),
        tier_history=tiers.history(db, member_id),
        tiers=tiers.all_tiers(db),
        rewards=cards.rewards(db),
        ledger=lines,
    )


def _older_ledger(db: Database, member_id: int, before_id: int) -> list[LedgerLine]:
    with db.read() as session:
        return ledger.history(session, member_id, before_id=before_id, limit=LEDGER_PAGE)


def _signed(fen: int) -> str:
    if fen == 0:
        return ""
    return ("+" if fen > 0 else "") + format_fen(fen)


def _paid(fen: int) -> str:
    """Money taken outside the card (positive) or given back to the member (negative)."""
    if fen == 0:
        return ""
    if fen < 0:
        return _("退还 {amount}").format(amount=format_fen(-fen))
    return format_fen(fen)


def _amount_or_paid(line: LedgerLine) -> str:
    if line.amount_fen or line.paid_fen < 0:
        return _signed(line.amount_fen) or _paid(line.paid_fen)
    if line.paid_fen > 0:
        return _("现付 {amount}").format(amount=format_fen(line.paid_fen))
    return ""


def _signed_points(points: int) -> str:
    return f"{points:+,}" if points else ""


def _colour(value: int) -> str | None:
    if value > 0:
        return POSITIVE
    if value < 0:
        return NEGATIVE
    return None


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else "—"


def _stars(n: int) -> str:
    n = max(0, min(5, n))
    return "★" * n + "☆" * (5 - n)


def _rate(bp: int) -> str:
    if bp >= 10_000:
        return _("原价")
    return _("{rate}折").format(rate=f"{bp / 1000:.2f}".rstrip("0").rstrip("."))


def _table(parent: QWidget, model: RowsModel[Any]) -> QTableView:
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setWordWrap(False)
    return table


def _fit_columns(table: QTableView) -> None:
    """Every column but the last as wide as its header and its text (both languages);
    the last (说明, 原因) takes the rest of the width."""
    model = table.model()
    for column in range(model.columnCount() - 1):
        if not table.isColumnHidden(column):
            table.resizeColumnToContents(column)


def _value_label(parent: QWidget) -> QLabel:
    value = QLabel("—", parent)
    value.setWordWrap(True)
    value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return value


def _caption(text: str, parent: QWidget) -> QLabel:
    caption = QLabel(text, parent)
    caption.setProperty("role", "caption")
    caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return caption


class MemberDetailDialog(QDialog):
    """Non-modal; ``changed`` carries the member id after an edit or a card action."""

    changed = Signal(int)
    loaded = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        db: Database,
        actor: StaffMember | None,
        runner: Runner,
        member_id: int,
    ) -> None:
        super().__init__(parent)
        self.db, self.actor, self.runner = db, actor, runner
        self.member_id = member_id
        self.data: DetailData | None = None
        self.editor: MemberEditor | None = None
        self.action: ActionDialog | None = None
        self._ledger_more = False
        self._ledger_loading = False
        self._loading = False
        self._again = False
        self._width_fitted = False
        self.setObjectName("memberDetail")
        self.setWindowTitle(_("会员详情"))
        self.setModal(False)
        self.setSizeGripEnabled(True)
        self.setStyleSheet(_STYLE)
        self.resize(900, 640)
        self._build()
        self.refresh()

    # -- building ------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self._build_header())
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_profile_tab(), _("资料"))
        self.tabs.addTab(self._build_cards_tab(), _("会员卡"))
        self.tabs.addTab(self._build_ledger_tab(), _("流水"))
        self.tabs.addTab(self._build_points_tab(), _("积分"))
        self.tabs.addTab(self._build_tier_tab(), _("等级"))
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setObjectName("detailStatus")
        self.refresh_button = QPushButton(_("刷新"), self)
        self.refresh_button.setToolTip(_("重新读取（F5）"))
        self.refresh_button.setAutoDefault(False)
        self.close_button = QPushButton(_("关闭"), self)
        self.close_button.setAutoDefault(False)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh)
        QShortcut(QKeySequence("Ctrl+E"), self, self.edit)

    def _build_header(self) -> QFrame:
        frame = QFrame(self)
        frame.setObjectName("memberHeader")
        grid = QVBoxLayout(frame)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setSpacing(6)
        top = QHBoxLayout()
        top.setSpacing(10)
        self.name_label = QLabel(frame)
        self.name_label.setObjectName("memberName")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tier_label = QLabel(frame)
        self.tier_label.setObjectName("tierBadge")
        self.stars_label = QLabel(frame)
        self.stars_label.setObjectName("stars")
        self.category_label = QLabel(frame)
        self.category_label.setObjectName("categoryBadge")
        self.churn_label = QLabel(frame)
        self.churn_label.setObjectName("churnFlag")
        self.churn_label.hide()
        self.gift_label = QLabel(frame)
        self.gift_label.setObjectName("giftFlag")
        self.gift_label.hide()
        for widget in (self.name_label, self.tier_label, self.stars_label, self.category_label):
            top.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addStretch(1)
        top.addWidget(self.gift_label, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.churn_label, 0, Qt.AlignmentFlag.AlignVCenter)
        grid.addLayout(top)

        facts = QHBoxLayout()
        facts.setSpacing(6)
        self.phone_fact = self._fact(facts, frame, _("手机"))
        self.card_fact = self._fact(facts, frame, _("会员卡"))
        self.balance_fact = self._fact(facts, frame, _("余额"))
        self.balance_fact.setObjectName("balanceFact")
        self.points_fact = self._fact(facts, frame, _("积分"))
        self.referrals_fact = self._fact(facts, frame, _("推荐"))
        facts.addStretch(1)
        grid.addLayout(facts)
        return frame

    @staticmethod
    def _fact(row: QHBoxLayout, parent: QWidget, caption: str) -> QLabel:
        title = QLabel(caption, parent)
        title.setProperty("role", "caption")
        value = QLabel("—", parent)
        value.setProperty("role", "fact")
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(title)
        row.addWidget(value)
        row.addSpacing(18)
        return value

    def _build_profile_tab(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.setContentsMargins(12, 12, 12, 12)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        self.fields: dict[str, QLabel] = {}
        pairs = (
            (("name", _("姓名")), ("joined_on", _("入会日期"))),
            (("phone", _("手机")), ("specialist", _("客服专员"))),
            (("gender", _("性别")), ("referred_by", _("推荐人"))),
            (("birthday", _("生日 / 年龄")), ("last_visit", _("最近到店"))),
            (("wechat", _("微信号")), ("spend", _("累计消费"))),
            (("email", _("电子邮箱")), ("visits", _("近一年到店"))),
        )
        for row, line in enumerate(pairs):
            for column, (key, caption) in enumerate(line):
                grid.addWidget(_caption(caption + _("："), page), row, column * 2)
                value = _value_label(page)
                self.fields[key] = value
                grid.addWidget(value, row, column * 2 + 1)
        row = len(pairs)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        notes = QHBoxLayout()
        notes.setSpacing(10)
        for key, caption in (
            ("preferences", _("消费偏好")),
            ("special_needs", _("特殊需求")),
            ("notes", _("备注")),
        ):
            group = QGroupBox(caption, page)
            inner = QVBoxLayout(group)
            value = _value_label(group)
            self.fields[key] = value
            inner.addWidget(value, 1)
            notes.addWidget(group, 1)
        grid.addLayout(notes, row, 0, 1, 4)
        grid.setRowStretch(row, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.edit_button = QPushButton(_("编辑资料(&E)…"), page)
        self.edit_button.setToolTip(_("修改会员资料（Ctrl+E）"))
        self.edit_button.setAutoDefault(False)
        buttons.addWidget(self.edit_button)
        grid.addLayout(buttons, row + 1, 0, 1, 4)
        self.edit_button.clicked.connect(self.edit)
        return page

    def _build_cards_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QHBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        left = QVBoxLayout()
        self.card_summary = QLabel(page)
        self.card_summary.setWordWrap(True)
        left.addWidget(self.card_summary)
        self.cards_model: RowsModel[CardInfo] = RowsModel(
            [
                Column(_("卡号"), lambda c: c.number),
                Column(_("类型"), lambda c: label(c.kind)),
                Column(
                    _("状态"),
                    lambda c: label(c.status),
                    CENTER,
                    foreground=lambda c: None if c.status == CardStatus.ACTIVE else NEGATIVE,
                ),
                Column(_("办卡日期"), lambda c: c.issued_on.isoformat(), CENTER),
                Column(
                    _("余额"),
                    lambda c: format_fen(c.balance_fen) if c.kind == CardKind.STORED_VALUE else "—",
                    RIGHT,
                ),
            ]
        )
        self.cards_table = _table(page, self.cards_model)
        _fit_columns(self.cards_table)
        self.cards_table.setMaximumHeight(150)
        left.addWidget(self.cards_table)
        left.addSpacing(6)
        left.addWidget(QLabel(_("最近流水："), page))
        self.recent_model: RowsModel[LedgerLine] = RowsModel(self._ledger_columns(brief=True))
        self.recent_table = _table(page, self.recent_model)
        _fit_columns(self.recent_table)
        left.addWidget(self.recent_table, 1)
        layout.addLayout(left, 1)

        actions = QVBoxLayout()
        actions.setSpacing(6)
        self.card_buttons: dict[str, QPushButton] = {}
        for key, text, slot in (
            ("issue", _("发卡(&I)…"), self.open_issue),
            ("top_up", _("充值(&T)…"), self.open_top_up),
            ("settle", _("消费结账(&P)…"), self.open_settle),
            ("refund", _("退款(&R)…"), self.open_refund),
            ("reissue", _("补卡(&B)…"), self.open_reissue),
            ("annual_fee", _("年费(&Y)…"), self.open_annual_fee),
            ("freeze", _("冻结(&F)…"), self.open_freeze),
            ("adjust", _("手工调整(&A)…"), self.open_adjust),
        ):
            button = QPushButton(text, page)
            button.setAutoDefault(False)
            button.setMinimumWidth(130)
            button.clicked.connect(slot)
            self.card_buttons[key] = button
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        return page

    @staticmethod
    def _ledger_columns(brief: bool = False) -> list[Column[LedgerLine]]:
        when: Column[LedgerLine] = Column(_("时间"), lambda e: _when(e.at), CENTER)
        kind: Column[LedgerLine] = Column(_("业务"), lambda e: label(e.kind))
        change: Column[LedgerLine] = Column(
            _("余额变动"),
            lambda e: _signed(e.amount_fen),
            RIGHT,
            foreground=lambda e: _colour(e.amount_fen),
        )
        if brief:
            # One amount column: the card's change, or what was paid outside the card
            # (a sale paid in cash has no card change, but it is not nothing).
            change = Column(
                _("金额"),
                _amount_or_paid,
                RIGHT,
                foreground=lambda e: _colour(e.amount_fen) if e.amount_fen else PAID,
            )
        points: Column[LedgerLine] = Column(
            _("积分变动"),
            lambda e: _signed_points(e.points),
            RIGHT,
            foreground=lambda e: _colour(e.points),
        )
        balance: Column[LedgerLine] = Column(
            _("余额"), lambda e: format_fen(e.balance_after_fen), RIGHT
        )
        reason: Column[LedgerLine] = Column(
            _("说明"), lambda e: e.reason or "", tooltip=lambda e: e.reason
        )
        if brief:
            return [when, kind, change, points, balance, reason]
        return [
            when,
            kind,
            Column(_("卡号"), lambda e: e.card_number or "—"),
            change,
            Column(_("现付"), lambda e: _paid(e.paid_fen), RIGHT, foreground=lambda e: PAID),
            balance,
            points,
            Column(_("积分"), lambda e: f"{e.points_after:,}", RIGHT),
            Column(_("方式"), lambda e: label(e.method) if e.method else ""),
            Column(_("经办"), lambda e: e.staff or ""),
            reason,
        ]

    def _build_ledger_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        self.ledger_model: RowsModel[LedgerLine] = RowsModel(self._ledger_columns())
        self.ledger_table = _table(page, self.ledger_model)
        _fit_columns(self.ledger_table)
        layout.addWidget(self.ledger_table, 1)
        row = QHBoxLayout()
        self.ledger_status = QLabel(page)
        self.ledger_more = QPushButton(_("加载更早的流水(&M)"), page)
        self.ledger_more.setAutoDefault(False)
        row.addWidget(self.ledger_status, 1)
        row.addWidget(self.ledger_more)
        layout.addLayout(row)
        self.ledger_more.clicked.connect(self.load_more_ledger)
        self.ledger_table.verticalScrollBar().valueChanged.connect(self._ledger_scrolled)
        return page

    def _build_points_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        self.points_summary = QLabel(page)
        self.points_summary.setWordWrap(True)
        layout.addWidget(self.points_summary)
        self.rewards_model: RowsModel[RewardInfo] = RowsModel(
            [
                Column(_("兑换项目"), lambda r: r.name),
                Column(_("类别"), lambda r: label(r.kind), CENTER),
                Column(_("所需积分"), lambda r: f"{r.points_cost:,}", RIGHT),
                Column(
                    _("状态"),
                    lambda r: _("可兑换") if r.points_cost <= self._points() else _("积分不足"),
                    CENTER,
                    foreground=lambda r: POSITIVE if r.points_cost <= self._points() else "#6b7280",
                ),
            ]
        )
        self.rewards_table = _table(page, self.rewards_model)
        _fit_columns(self.rewards_table)
        layout.addWidget(self.rewards_table, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("选中项目后按回车或点“兑换”。"), page), 1)
        self.redeem_button = QPushButton(_("兑换(&D)…"), page)
        self.redeem_button.setAutoDefault(False)
        row.addWidget(self.redeem_button)
        layout.addLayout(row)
        self.redeem_button.clicked.connect(lambda: self.open_redeem())
        self.rewards_table.activated.connect(lambda _index: self.open_redeem())
        return page

    def _build_tier_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        self.tier_summary = QLabel(page)
        self.tier_summary.setWordWrap(True)
        layout.addWidget(self.tier_summary)
        self.ladder_model: RowsModel[TierInfo] = RowsModel(
            [
                Column(
                    _("等级"),
                    lambda t: t.name + (_("（当前）") if self._is_current(t) else ""),
                    foreground=lambda t: "#0f766e" if self._is_current(t) else None,
                ),
                Column(_("折扣"), lambda t: _rate(t.discount_bp), CENTER),
                Column(_("每元积分"), lambda t: str(t.points_per_yuan), RIGHT),
            ]
        )
        self.ladder_table = _table(page, self.ladder_model)
        self.ladder_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.ladder_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        _fit_columns(self.ladder_table)
        self.ladder_table.setFixedHeight(26 * 5 + 32)
        layout.addWidget(self.ladder_table)
        layout.addSpacing(6)
        layout.addWidget(QLabel(_("等级变动记录："), page))
        self.tier_model: RowsModel[TierHistoryLine] = RowsModel(
            [
                Column(_("时间"), lambda t: _when(t.at), CENTER),
                Column(_("原等级"), lambda t: t.from_tier or "—"),
                Column(_("新等级"), lambda t: t.to_tier),
                Column(_("经办"), lambda t: t.staff or _("系统")),
                Column(_("原因"), lambda t: t.reason, tooltip=lambda t: t.reason),
            ]
        )
        self.tier_table = _table(page, self.tier_model)
        _fit_columns(self.tier_table)
        layout.addWidget(self.tier_table, 1)
        self.tier_empty = QLabel(_("还没有等级变动记录：会员一直是入会时的等级。"), page)
        self.tier_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.tier_empty.setStyleSheet("color: #6b7280; border: 1px dashed #d1d5db; padding: 24px;")
        layout.addWidget(self.tier_empty, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.downgrade_button = QPushButton(_("降级(&G)…"), page)
        self.downgrade_button.setAutoDefault(False)
        row.addWidget(self.downgrade_button)
        layout.addLayout(row)
        self.downgrade_button.clicked.connect(self.open_downgrade)
        return page

    # -- loading -------------------------------------------------------------------
    def refresh(self) -> None:
        if self._loading:
            self._again = True  # read once more when this read is back: it may predate a change
            return
        self._again = False
        self._loading = True
        self.status.setText(_("正在读取…"))
        db, member_id = self.db, self.member_id
        self.runner.submit(lambda: load_detail(db, member_id), self._show, self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._again = False
        self.status.setText(_("读取失败。"))
        show_error(self, exc)

    def _show(self, data: DetailData) -> None:
        self._loading = False
        self.data = data
        self._show_header(data)
        self._show_profile(data)
        self._show_cards(data)
        self._ledger_more = len(data.ledger) >= LEDGER_PAGE
        self.ledger_model.set_rows(data.ledger)
        self.ledger_table.setColumnHidden(2, len(data.profile.cards) <= 1)  # 卡号: one card only
        _fit_columns(self.ledger_table)
        self.recent_model.set_rows(data.ledger[:20])
        _fit_columns(self.recent_table)
        self._show_ledger_status()
        self._show_points(data)
        self._show_tiers(data)
        if not self._width_fitted:
            self._width_fitted = True
            self._fit_width()
        self.status.setText(_("已更新 {time}").format(time=datetime.now().strftime("%H:%M:%S")))
        self.loaded.emit()
        if self._again:
            self.refresh()

    def _fit_width(self) -> None:
        """Widen the window (once, within the screen) so the ledger's columns and some
        of its 说明 show without scrolling sideways; English headers are longer."""
        header = self.ledger_table.horizontalHeader()
        last = self.ledger_model.columnCount() - 1
        columns = sum(
            header.sectionSize(c) for c in range(last) if not self.ledger_table.isColumnHidden(c)
        )
        scrollbar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        need = columns + LEDGER_REASON_WIDTH + scrollbar + DETAIL_CHROME
        screen = self.screen()
        if screen is not None:
            need = min(need, screen.availableGeometry().width() - 40)
        if need > self.width():
            self.resize(need, self.height())

    def _phone(self, profile: MemberProfile) -> str:
        if allowed(self.actor, Permission.VIEW_FULL_PHONE):
            return profile.phone
        return profile.phone_masked

    def _show_header(self, data: DetailData) -> None:
        p, facts = data.profile, data.insights
        self.setWindowTitle(_("会员详情 — {name}").format(name=p.name))
        self.name_label.setText(p.name)
        self.tier_label.setText(p.tier_name)
        self.stars_label.setText(_stars(facts.stars))
        spend = format_fen(facts.spend_fen)
        self.stars_label.setToolTip(
            _("1 星（累计消费 {spend}）").format(spend=spend)
            if facts.stars == 1
            else _("{n} 星（累计消费 {spend}）").format(n=facts.stars, spend=spend)
        )
        self.category_label.setText(label(facts.category))
        if facts.churned:
            days = facts.days_since_visit or 0
            self.churn_label.setText(_("流失预警 · {days} 天未到店").format(days=days))
            self.churn_label.show()
        else:
            self.churn_label.hide()
        if facts.referral_gift_due:
            self.gift_label.setText(_("可领推荐礼品"))
            self.gift_label.show()
        else:
            self.gift_label.hide()
        self.phone_fact.setText(self._phone(p) + (_("（境外）") if p.foreign_phone else ""))
        card = data.working_card
        if card is None:
            self.card_fact.setText(_("未办卡"))
        else:
            self.card_fact.setText(
                _("{number}（{kind} · {status}）").format(
                    number=card.number,
                    # The short name: the label without its bracketed explanation.
                    kind=label(card.kind).split("（")[0].split(" (")[0],
                    status=label(card.status),
                )
            )
        self.balance_fact.setText(format_fen(p.balance_fen))
        self.points_fact.setText(f"{p.points:,}")
        self.referrals_fact.setText(_("{n} 人").format(n=facts.referrals))

    def _show_profile(self, data: DetailData) -> None:
        p, facts = data.profile, data.insights
        if p.birthday is not None:
            age = _age(p.birthday, date.today())
            birthday = _("{day}（{age} 岁）").format(day=p.birthday.isoformat(), age=age)
        elif p.age is not None:
            birthday = _("未填生日，{age} 岁").format(age=p.age)
        else:
            birthday = "—"
        last = _when(p.last_visit_at)
        if facts.days_since_visit == 0:
            last = _("{when}（今天）").format(when=last)
        elif facts.days_since_visit is not None:
            last = _("{when}（{days} 天前）").format(when=last, days=facts.days_since_visit)
        values = {
            "name": p.name,
            "joined_on": p.joined_on.isoformat(),
            "phone": self._phone(p) + (_("（境外号码）") if p.foreign_phone else ""),
            "specialist": p.specialist or "—",
            "gender": label(p.gender),
            "referred_by": p.referred_by or "—",
            "birthday": birthday,
            "last_visit": last,
            "wechat": p.wechat or "—",
            "spend": format_fen(facts.spend_fen),
            "email": p.email or "—",
            "visits": _("1 次")
            if facts.visits_last_year == 1
            else _("{n} 次").format(n=facts.visits_last_year),
            "preferences": p.preferences or "—",
            "special_needs": p.special_needs or "—",
            "notes": p.notes or "—",
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        can_edit = allowed(self.actor, Permission.MEMBER_EDIT)
        self.edit_button.setEnabled(can_edit)
        self.edit_button.setToolTip(
            _("修改会员资料（Ctrl+E）") if can_edit else denied_tip(Permission.MEMBER_EDIT)
        )

    def _show_cards(self, data: DetailData) -> None:
        self.cards_model.set_rows(list(reversed(data.profile.cards)))
        _fit_columns(self.cards_table)
        card = data.working_card
        if card is None:
            self.card_summary.setText(_("会员目前没有在用的会员卡。可点“发卡”办理。"))
        else:
            text = _("在用卡：{number}，{kind}，{status}").format(
                number=card.number, kind=label(card.kind), status=label(card.status)
            )
            if card.kind == CardKind.STORED_VALUE:
                text += _("，余额 {balance}").format(balance=format_fen(card.balance_fen))
            self.card_summary.setText(text + _("。"))
        stored = card is not None and card.kind == CardKind.STORED_VALUE
        active = card is not None and card.status == CardStatus.ACTIVE
        no_card = _("会员没有在用的会员卡。")
        not_active = _("会员卡已冻结，请先解冻。")
        not_stored = _("只有储值卡可以办理此项。")
        states: dict[str, tuple[Permission, str | None]] = {
            "issue": (
                Permission.CARD_OPERATE,
                None if card is None else _("会员已有在用的卡，丢失请办理补卡。"),
            ),
            "top_up": (
                Permission.CARD_OPERATE,
                no_card
                if card is None
                else (not_stored if not stored else (None if active else not_active)),
            ),
            "settle": (Permission.CARD_OPERATE, None),
            "refund": (
                Permission.CARD_REFUND,
                no_card if card is None else (None if stored else not_stored),
            ),
            "reissue": (Permission.CARD_OPERATE, no_card if card is None else (
                None if active else not_active
            )),
            "annual_fee": (Permission.CARD_OPERATE, no_card if card is None else (
                None if active else not_active
            )),
            "freeze": (Permission.CARD_OPERATE, no_card if card is None else None),
            "adjust": (Permission.LEDGER_ADJUST, None),
        }  # fmt: skip
        for key, (permission, blocked) in states.items():
            button = self.card_buttons[key]
            may = allowed(self.actor, permission)
            button.setEnabled(may and blocked is None)
            button.setToolTip(denied_tip(permission) if not may else (blocked or ""))
        frozen = card is not None and card.status == CardStatus.FROZEN
        self.card_buttons["freeze"].setText(_("解冻(&F)…") if frozen else _("冻结(&F)…"))

    def _show_ledger_status(self) -> None:
        shown = self.ledger_model.rowCount()
        if shown == 0:
            self.ledger_status.setText(_("还没有流水。"))
        elif self._ledger_more:
            self.ledger_status.setText(
                _("已显示最近 {n:,} 条，向下滚动或点按钮加载更早的流水").format(n=shown)
            )
        elif shown == 1:
            self.ledger_status.setText(_("共 1 条流水，已全部显示"))
        else:
            self.ledger_status.setText(_("共 {n:,} 条流水，已全部显示").format(n=shown))
        self.ledger_more.setEnabled(self._ledger_more and not self._ledger_loading)

    def _show_points(self, data: DetailData) -> None:
        self.points_summary.setText(
            _("当前积分：{points:,} 分。积分按消费金额累积，可兑换下列礼品或服务。").format(
                points=data.profile.points
            )
        )
        self.rewards_model.set_rows(data.rewards)
        _fit_columns(self.rewards_table)
        may = allowed(self.actor, Permission.POINTS_REDEEM)
        self.redeem_button.setEnabled(may and bool(data.rewards))
        self.redeem_button.setToolTip("" if may else denied_tip(Permission.POINTS_REDEEM))
        # Start on the first reward the member can afford; none when none is.
        points = data.profile.points
        affordable = next(
            (row for row, r in enumerate(data.rewards) if r.points_cost <= points), None
        )
        if affordable is None:
            self.rewards_table.clearSelection()
            self.rewards_table.setCurrentIndex(QModelIndex())
        else:
            self.rewards_table.selectRow(affordable)

    def _show_tiers(self, data: DetailData) -> None:
        tier, facts = data.tier, data.insights
        if tier is not None:
            # Counts as their own phrases, so English can say "1 star" and "2 stars".
            pp = tier.points_per_yuan
            earn = _("每消费 1 元积 1 分") if pp == 1 else _("每消费 1 元积 {pp} 分").format(pp=pp)
            stars = _("1 星") if facts.stars == 1 else _("{n} 星").format(n=facts.stars)
            refs = (
                _("推荐新会员 1 位")
                if facts.referrals == 1
                else _("推荐新会员 {n} 位").format(n=facts.referrals)
            )
            self.tier_summary.setText(
                _(
                    "当前等级：{tier}（{rate}，{earn}）。{stars}，累计消费 {spend}，{refs}。"
                    "升级自动进行；降级须由经理办理。"
                ).format(
                    tier=tier.name,
                    rate=_rate(tier.discount_bp),
                    earn=earn,
                    stars=stars,
                    spend=format_fen(facts.spend_fen),
                    refs=refs,
                )
            )
        self.tier_model.set_rows(data.tier_history)
        self.ladder_model.set_rows(sorted(data.tiers, key=lambda t: t.rank))
        _fit_columns(self.tier_table)
        _fit_columns(self.ladder_table)
        self.tier_table.setVisible(bool(data.tier_history))
        self.tier_empty.setVisible(not data.tier_history)
        may = allowed(self.actor, Permission.TIER_DOWNGRADE)
        lower = tier is not None and any(t.rank < tier.rank for t in data.tiers)
        self.downgrade_button.setEnabled(may and lower)
        self.downgrade_button.setToolTip(
            denied_tip(Permission.TIER_DOWNGRADE)
            if not may
            else ("" if lower else _("已是最低等级。"))
        )

    # -- ledger paging -------------------------------------------------------------
    def _ledger_scrolled(self, value: int) -> None:
        bar = self.ledger_table.verticalScrollBar()
        if value >= bar.maximum() > 0:
            self.load_more_ledger()

    def load_more_ledger(self) -> None:
        last = self.ledger_model.row_at(self.ledger_model.rowCount() - 1)
        if last is None or not self._ledger_more or self._ledger_loading:
            return
        self._ledger_loading = True
        self.ledger_more.setEnabled(False)
        db, member_id, before = self.db, self.member_id, last.id
        self.runner.submit(
            lambda: _older_ledger(db, member_id, before), self._ledger_appended, self._ledger_failed
        )

    def _ledger_appended(self, lines: list[LedgerLine]) -> None:
        self._ledger_loading = False
        self._ledger_more = len(lines) >= LEDGER_PAGE
        self.ledger_model.append_rows(lines)
        _fit_columns(self.ledger_table)
        self._show_ledger_status()

    def _ledger_failed(self, exc: BaseException) -> None:
        self._ledger_loading = False
        self._show_ledger_status()
        show_error(self, exc)

    # -- actions -------------------------------------------------------------------
    def _is_current(self, tier: TierInfo) -> bool:
        return self.data is not None and tier.name == self.data.profile.tier_name

    def _points(self) -> int:
        return self.data.profile.points if self.data else 0

    def context(self) -> ActionContext | None:
        if self.data is None:
            return None
        return ActionContext(
            db=self.db,
            actor=self.actor,
            runner=self.runner,
            member_id=self.member_id,
            member_name=self.data.profile.name,
            card=self.data.working_card,
            points=self.data.profile.points,
            tier=self.data.tier,
            on_changed=self._changed,
        )

    def _changed(self) -> None:
        self.refresh()
        self.changed.emit(self.member_id)

    def _open_action(
        self, build: Callable[[ActionContext], ActionDialog], *, needs_card: bool = True
    ) -> ActionDialog | None:
        ctx = self.context()
        if ctx is None:
            return None
        if needs_card and ctx.card is None:
            self.status.setText(_("会员没有在用的会员卡，请先发卡。"))
            return None
        dialog = build(ctx)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.action = dialog
        dialog.open()
        return dialog

    def open_issue(self) -> ActionDialog | None:
        return self._open_action(
            lambda ctx: card_actions.IssueCardDialog(ctx, self), needs_card=False
        )

    def open_top_up(self) -> ActionDialog | None:
        return self._open_action(lambda ctx: card_actions.TopUpDialog(ctx, self))

    def open_settle(self) -> ActionDialog | None:
        return self._open_action(lambda ctx: card_actions.SettleDialog(ctx, self), needs_card=False)

    def open_refund(self) -> ActionDialog | None:
        return self._open_action(lambda ctx: card_actions.RefundDialog(ctx, self))

    def open_reissue(self) -> ActionDialog | None:
        return self._open_action(lambda ctx: card_actions.ReissueDialog(ctx, self))

    def open_annual_fee(self) -> ActionDialog | None:
        return self._open_action(lambda ctx: card_actions.AnnualFeeDialog(ctx, self))

    def open_freeze(self) -> ActionDialog | None:
        return self._open_action(lambda ctx: card_actions.FreezeDialog(ctx, self))

    def open_adjust(self) -> ActionDialog | None:
        return self._open_action(lambda ctx: card_actions.AdjustDialog(ctx, self), needs_card=False)

    def open_redeem(self, reward_id: int | None = None) -> ActionDialog | None:
        if self.data is None:
            return None
        if reward_id is None:
            chosen = self.rewards_model.row_at(self.rewards_table.currentIndex().row())
            reward_id = chosen.id if chosen else None
        rewards = self.data.rewards
        return self._open_action(
            lambda ctx: card_actions.RedeemDialog(ctx, rewards, reward_id, self), needs_card=False
        )

    def open_downgrade(self) -> ActionDialog | None:
        if self.data is None:
            return None
        all_tiers = self.data.tiers
        return self._open_action(
            lambda ctx: card_actions.DowngradeDialog(ctx, all_tiers, self), needs_card=False
        )

    def edit(self) -> MemberEditor | None:
        """The profile editor for this member (the open one if there is one)."""
        if self.editor is not None and shiboken6.isValid(self.editor) and self.editor.isVisible():
            self.editor.raise_()
            self.editor.activateWindow()
            return self.editor
        editor = MemberEditor(self, self.db, self.actor, self.runner, self.member_id)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.saved.connect(lambda _id: self._changed())
        owner, db, actor, runner = self.parentWidget(), self.db, self.actor, self.runner
        editor.open_member_requested.connect(
            lambda other: open_member(owner, db, actor, runner, other)
        )
        self.editor = editor
        editor.show()
        return editor


def _age(birthday: date, today: date) -> int:
    before = (today.month, today.day) < (birthday.month, birthday.day)
    return today.year - birthday.year - (1 if before else 0)


# -- what the main window calls ------------------------------------------------------
_open_details: dict[int, MemberDetailDialog] = {}


def open_member(
    parent: QWidget | None,
    db: Database,
    actor: StaffMember | None,
    runner: Runner,
    member_id: int,
) -> MemberDetailDialog:
    """Show the member's detail window (non-modal), reusing one already open for them."""
    existing = _open_details.get(member_id)
    if (
        existing is not None
        and shiboken6.isValid(existing)
        and existing.db is db
        and existing.actor == actor
        and existing.isVisible()
    ):
        existing.refresh()
        existing.showNormal()
        existing.raise_()
        existing.activateWindow()
        return existing
    dialog = MemberDetailDialog(parent, db, actor, runner, member_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_details[member_id] = dialog
    dialog.finished.connect(lambda _result: _forget(member_id, dialog))
    dialog.show()
    return dialog


def _forget(member_id: int, dialog: MemberDetailDialog) -> None:
    if _open_details.get(member_id) is dialog:
        del _open_details[member_id]


def new_member(
    parent: QWidget | None,
    db: Database,
    actor: StaffMember | None,
    runner: Runner,
    *,
    on_saved: Callable[[int], None],
) -> None:
    """The editor in create mode; after saving, ``on_saved(id)`` and the new member's detail."""
    editor = MemberEditor(parent, db, actor, runner)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def saved(member_id: int) -> None:
        on_saved(member_id)
        open_member(parent, db, actor, runner, member_id)

    editor.saved.connect(saved)
    editor.open_member_requested.connect(
        lambda other: open_member(parent, db, actor, runner, other)
    )
    editor.show()


__all__ = ["MemberDetailDialog", "new_member", "open_member"]

"""The booking board widget: resources as columns, 15-minute rows, bookings as blocks.

Painting is the hot path (a day of 60 columns and 1,500 blocks within a tenth of a
second, load included): the block rectangles are laid out once per board in
``set_board`` (``geometry.Layout``), fonts, pens and metrics are made once, elided
texts are cached per block, and a paint touches only the columns and rows of
``event.rect()``.  The headers (resources on top, times on the left) are painted last
at fixed viewport positions, so they stay put while the grid scrolls under them.

The view never writes: a drag or a key becomes a signal (``create_requested``,
``move_requested`` …) and the dock calls the service through the task runner.  A move
is drawn at its new place at once; ``snap_back()`` puts the last good board back if the
database refuses it.  A drag held near (or past) an edge of the grid scrolls it on a
timer, the ghost following the content that moves under the pointer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygon,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QMenu,
    QScrollBar,
    QToolTip,
    QWidget,
)

from clubdesk.i18n import N_, _
from clubdesk.models.enums import BookingState, ResourceKind
from clubdesk.services.board import Board, BoardBlock
from clubdesk.services.booking_rules import TRANSITIONS
from clubdesk.services.labels import label
from ui.board import interaction
from ui.board.geometry import SLOT, Layout, Metrics, Placed, Rect
from ui.board.interaction import MoveRequest, Proposal

S = BookingState

# (fill, left edge and border, text): dark text on light fills, a darker edge per state.
STATE_COLOURS: dict[BookingState, tuple[str, str, str]] = {
    S.BOOKED: ("#dbeafe", "#2563eb", "#0f172a"),
    S.ARRIVED: ("#fef3c7", "#d97706", "#1c1917"),
    S.IN_SERVICE: ("#fed7aa", "#ea580c", "#1c1917"),
    S.FINISHED: ("#dcfce7", "#16a34a", "#052e16"),
    S.SETTLED: ("#e5e7eb", "#6b7280", "#374151"),
    S.CANCELLED: ("#f3f4f6", "#9ca3af", "#4b5563"),
    S.NO_SHOW: ("#fee2e2", "#dc2626", "#450a0a"),
}
LEGEND_STATES = (S.BOOKED, S.ARRIVED, S.IN_SERVICE, S.FINISHED, S.SETTLED)

# What the right-click menu offers from a state, in life-cycle order; the way back from
# settled (反结账) belongs to checkout, with a manager, not to the board.
ACTION_TEXT: dict[BookingState, str] = {
    S.ARRIVED: N_("到店"),
    S.IN_SERVICE: N_("开始服务"),
    S.FINISHED: N_("结束服务…"),
    S.SETTLED: N_("结账…"),
    S.NO_SHOW: N_("标记爽约…"),
    S.CANCELLED: N_("取消预约…"),
}
WEEKDAYS = (N_("周一"), N_("周二"), N_("周三"), N_("周四"), N_("周五"), N_("周六"), N_("周日"))

HEADER_COLOURS = {  # (background, stripe): places grey-blue, areas violet, people teal
    "place": ("#eef2f7", "#64748b"),
    "area": ("#f3effa", "#7c3aed"),
    "person": ("#e3f4f1", "#0f766e"),
}
PEOPLE = (ResourceKind.THERAPIST, ResourceKind.COACH, ResourceKind.TECHNICIAN)

# A drag near (or past) an edge of the grid scrolls it: within EDGE px of the edge, a
# step every TICK ms, faster the further past the threshold, at most FASTEST px a step.
AUTOSCROLL_EDGE = 30
AUTOSCROLL_TICK = 30
AUTOSCROLL_FASTEST = 60


def legal_actions(state: BookingState) -> list[BookingState]:
    allowed = TRANSITIONS[state]
    if state is S.SETTLED:
        return []
    return [s for s in ACTION_TEXT if s in allowed]


def _header_family(kind: ResourceKind) -> str:
    if kind in PEOPLE:
        return "person"
    return "area" if kind is ResourceKind.AREA else "place"


class _Style:
    """Fonts, metrics, pens and brushes: made once, not per paint."""

    def __init__(self, base: QFont) -> None:
        size = base.pointSizeF() if base.pointSizeF() > 0 else 10.0
        self.block = QFont(base)
        self.block.setPointSizeF(size - 1)
        self.block_bold = QFont(self.block)
        self.block_bold.setBold(True)
        self.header = QFont(base)
        self.header.setBold(True)
        self.small = QFont(base)
        self.small.setPointSizeF(size - 1.5)
        self.fm_block = QFontMetrics(self.block)
        self.fm_bold = QFontMetrics(self.block_bold)
        self.fm_header = QFontMetrics(self.header)
        self.fm_small = QFontMetrics(self.small)
        self.line = self.fm_block.height()
        self.fill = {s: QBrush(QColor(c[0])) for s, c in STATE_COLOURS.items()}
        self.edge = {s: QBrush(QColor(c[1])) for s, c in STATE_COLOURS.items()}
        self.border = {s: QPen(QColor(c[1]), 1) for s, c in STATE_COLOURS.items()}
        self.text = {s: QPen(QColor(c[2])) for s, c in STATE_COLOURS.items()}
        self.background = QColor("#ffffff")
        self.off_fill = QBrush(QColor("#f1f3f6"))
        self.off_hatch = QBrush(QColor("#dfe3ea"), Qt.BrushStyle.BDiagPattern)
        self.quarter = QPen(QColor("#f1f3f5"), 1)
        self.half = QPen(QColor("#e5e7eb"), 1)
        self.hour = QPen(QColor("#cbd5e1"), 1)
        self.midnight = QPen(QColor("#64748b"), 1, Qt.PenStyle.DashLine)
        self.column_line = QPen(QColor("#e2e8f0"), 1)
        self.day_line = QPen(QColor("#475569"), 2)
        self.header_text = QPen(QColor("#0f172a"))
        self.header_muted = QPen(QColor("#475569"))
        self.header_line = QPen(QColor("#cbd5e1"), 1)
        self.header_fill = {k: QColor(v[0]) for k, v in HEADER_COLOURS.items()}
        self.header_stripe = {k: QColor(v[1]) for k, v in HEADER_COLOURS.items()}
        self.day_fill = QColor("#dbe4ee")
        self.today_fill = QColor("#0f766e")
        self.today_text = QPen(QColor("#ffffff"))
        self.gutter_fill = QColor("#f8fafc")
        self.now = QPen(QColor("#dc2626"), 2)
        self.now_fill = QColor("#dc2626")
        self.cursor = QPen(QColor("#0f766e"), 2)
        self.selection = QBrush(QColor(15, 118, 110, 40))
        self.focus_block = QPen(QColor("#0f172a"), 2)
        self.ghost_ok = QPen(QColor("#0f172a"), 2, Qt.PenStyle.DashLine)
        self.ghost_bad = QPen(QColor("#dc2626"), 2, Qt.PenStyle.DashLine)
        self.ghost_bad_fill = QBrush(QColor(254, 202, 202, 200))
        self.note = QBrush(QColor("#7c2d12"))
        self.hint = QPen(QColor("#6b7280"))


@dataclass(slots=True)
class _Drag:
    mode: str  # "create", "move" or "resize"
    x: int  # where the button went down, content coordinates
    y: int
    column: int
    slot: int
    placed: Placed | None
    active: bool = False
    proposal: Proposal | None = None


class BoardView(QAbstractScrollArea):
    """Paints a ``Board``; emits what the user asks for."""

    open_requested = Signal(int)  # booking id
    create_requested = Signal(int, object, object)  # resource id, start_at, end_at
    action_requested = Signal(int, object)  # booking id, target BookingState
    move_requested = Signal(object)  # interaction.MoveRequest (drawn there already)
    refused = Signal(str)  # a drop the board refused by itself
    day_step = Signal(int)  # PgUp / PgDn
    today_requested = Signal()  # Home

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], datetime] = datetime.now,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.metrics = metrics or Metrics()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(_("预约看板"))
        self.setAccessibleDescription(
            _(
                "方向键移动光标，Shift+上下选择时段，Enter 新建或打开预约，"
                "Ctrl+方向键移动预约，Ctrl+Shift+上下调整时长，Delete 取消预约，"
                "PgUp/PgDn 前一天/后一天，Home 回到现在。"
            )
        )
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._style = _Style(self.font())
        self._good: Board | None = None  # the last board from the database
        self._layout: Layout | None = None
        self._names: dict[int, str] = {}
        self._texts: dict[tuple[int, int], list[tuple[bool, str]]] = {}
        self._headers: dict[int, tuple[str, str]] = {}
        self._drag: _Drag | None = None
        self.pending: MoveRequest | None = None  # drawn moved, waiting for the database
        self.cursor_column = 0
        self.cursor_slot = 0
        self.anchor_slot = 0
        self._drag_pos = QPoint()  # the pointer during a drag, viewport coordinates
        self._scroller = QTimer(self)  # scrolls while a drag is held near an edge
        self._scroller.setInterval(AUTOSCROLL_TICK)
        self._scroller.timeout.connect(self._autoscroll_step)
        self._minute = QTimer(self)
        self._minute.timeout.connect(self.viewport().update)  # the line at the current time
        self._minute.start(60_000)

    # -- the board ------------------------------------------------------------------
    @property
    def board(self) -> Board | None:
        """The board from the database (not the optimistic one shown during a move)."""
        return self._good

    @property
    def board_layout(self) -> Layout | None:
        """The geometry of what is shown (the optimistic board during a move)."""
        return self._layout

    @property
    def busy(self) -> bool:
        """A drag or a move in flight: a periodic reload would pull the block away."""
        return self.pending is not None or (self._drag is not None and self._drag.active)

    def set_board(self, board: Board, names: Mapping[int, str] | None = None) -> None:
        """Show ``board``; ``names`` are resource names for tooltips (also the resources
        filtered out of the columns)."""
        self._good = board
        self.pending = None
        if names is not None:
            self._names = dict(names)
        else:
            self._names.update((r.id, r.name) for r in board.resources)
        self._show(board)

    def snap_back(self) -> None:
        """Back to the last board from the database (a refused move)."""
        self.pending = None
        if self._good is not None:
            self._show(self._good)

    def _show(self, board: Board) -> None:
        self._layout = Layout(board, self.viewport().width(), self.metrics)
        self._texts.clear()
        self._headers.clear()
        self._clamp_cursor()
        self._update_scrollbars()
        self.viewport().update()

    def _relayout(self) -> None:
        if self._layout is None:
            return
        board = self._layout.board
        width = Layout(board, self.viewport().width(), self.metrics).column_width
        if width != self._layout.column_width:
            self._show(board)
        else:
            self._update_scrollbars()

    def _clamp_cursor(self) -> None:
        layout = self._layout
        if layout is None:
            return
        self.cursor_column = min(max(0, self.cursor_column), max(0, len(layout.columns) - 1))
        self.cursor_slot = min(max(0, self.cursor_slot), layout.slots - 1)
        self.anchor_slot = min(max(0, self.anchor_slot), layout.slots - 1)

    def _update_scrollbars(self) -> None:
        layout = self._layout
        if layout is None:
            return
        m = self.metrics
        width = max(0, self.viewport().width() - m.gutter)
        height = max(0, self.viewport().height() - layout.header_height)
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setRange(0, max(0, layout.content_width - width))
        h.setPageStep(max(1, width))
        h.setSingleStep(max(1, layout.column_width // 2))
        v.setRange(0, max(0, layout.content_height - height))
        v.setPageStep(max(1, height))
        v.setSingleStep(m.slot_height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()  # the headers stay: repaint rather than scroll pixels

    # -- coordinates ------------------------------------------------------------------
    def _origin(self) -> tuple[int, int]:
        """Viewport position of content (0, 0)."""
        header = self._layout.header_height if self._layout else 0
        return (
            self.metrics.gutter - self.horizontalScrollBar().value(),
            header - self.verticalScrollBar().value(),
        )

    def _content(self, pos: QPoint) -> tuple[int, int]:
        ox, oy = self._origin()
        return pos.x() - ox, pos.y() - oy

    def _in_body(self, pos: QPoint) -> bool:
        header = self._layout.header_height if self._layout else 0
        return pos.x() >= self.metrics.gutter and pos.y() >= header

    def view_rect(self, rect: Rect) -> QRect:
        ox, oy = self._origin()
        return QRect(rect.x + ox, rect.y + oy, rect.w, rect.h)

    def cell_rect(self, column: int, slot: int) -> QRect:
        """Viewport rectangle of a cell (tests and tooltips)."""
        assert self._layout is not None
        return self.view_rect(self._layout.cell(column, slot))

    def block_rect(self, booking_id: int, resource_id: int | None = None) -> QRect | None:
        """Viewport rectangle of a booking's block (in ``resource_id``'s column)."""
        if self._layout is None:
            return None
        for placed in self._layout.by_booking.get(booking_id, ()):
            column = self._layout.columns[placed.column]
            if resource_id is None or column.resource.id == resource_id:
                return self.view_rect(placed.rect)
        return None

    def column_index(self, resource_id: int, day: object = None) -> int | None:
        if self._layout is None:
            return None
        for c in self._layout.columns:
            if c.resource.id == resource_id and (day is None or c.day == day):
                return c.index
        return None

    # -- scrolling ----------------------------------------------------------------------
    def scroll_to_time(self, at: datetime) -> None:
        layout = self._layout
        if layout is None or not layout.days:
            return
        day = layout.day_of(at) or layout.days[0]
        y = layout.y_of(day, at)
        self.verticalScrollBar().setValue(y - self.verticalScrollBar().pageStep() // 3)

    def scroll_to_now(self) -> None:
        """Scroll to the current time and put the cursor there."""
        layout = self._layout
        if layout is None or not layout.columns:
            return
        now = self.clock()
        day = layout.day_of(now)
        if day is None:
            self.verticalScrollBar().setValue(0)
            return
        self.scroll_to_time(now)
        first = next(c.index for c in layout.columns if c.day == day)
        if layout.columns[self.cursor_column].day != day:
            self.cursor_column = first
        self.cursor_slot = self.anchor_slot = layout.slot_of(day, now)
        self.ensure_cursor_visible()
        self.viewport().update()

    def ensure_cursor_visible(self) -> None:
        layout = self._layout
        if layout is None or not layout.columns:
            return
        cell = layout.cell(self.cursor_column, self.cursor_slot)
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        if cell.x < h.value():
            h.setValue(cell.x)
        elif cell.right > h.value() + h.pageStep():
            h.setValue(cell.right - h.pageStep())
        if cell.y < v.value():
            v.setValue(cell.y)
        elif cell.bottom > v.value() + v.pageStep():
            v.setValue(cell.bottom - v.pageStep())

    def select_cell(self, column: int, slot: int, anchor: int | None = None) -> None:
        self.cursor_column, self.cursor_slot = column, slot
        self.anchor_slot = slot if anchor is None else anchor
        self._clamp_cursor()
        self.ensure_cursor_visible()
        self.viewport().update()

    def selection(self) -> tuple[int, datetime, datetime] | None:
        """(resource id, start, end) of the selected cells."""
        layout = self._layout
        if layout is None or not layout.columns:
            return None
        start, end = interaction.create_span(
            layout, self.cursor_column, self.anchor_slot, self.cursor_slot
        )
        return layout.columns[self.cursor_column].resource.id, start, end

    def collapse_selection(self) -> None:
        """The selection back to the cursor cell alone."""
        if self.anchor_slot != self.cursor_slot:
            self.anchor_slot = self.cursor_slot
            self.viewport().update()

    def _request_create(self, resource_id: int, start: datetime, end: datetime) -> None:
        """Ask for a booking in these cells.  The selection collapses to the cursor
        first: once the booking is saved its block lies under the cursor, so the next
        Enter opens it instead of asking for another booking on top of it."""
        self.collapse_selection()
        self.create_requested.emit(resource_id, start, end)

    def cursor_block(self) -> Placed | None:
        layout = self._layout
        if layout is None or not layout.columns:
            return None
        return layout.block_in_cell(self.cursor_column, self.cursor_slot)

    # -- painting ---------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            self._paint(painter, event.rect())
        finally:
            painter.end()

    def _paint(self, p: QPainter, rect: QRect) -> None:
        st = self._style
        p.fillRect(rect, st.background)
        layout = self._layout
        if layout is None:
            return
        m = self.metrics
        header = layout.header_height
        vw, vh = self.viewport().width(), self.viewport().height()
        if not layout.columns:
            p.setPen(st.hint)
            p.drawText(
                QRect(0, 0, vw, vh),
                Qt.AlignmentFlag.AlignCenter,
                _("没有符合筛选条件的房间或人员。"),
            )
            return
        ox, oy = self._origin()
        body = QRect(m.gutter, header, vw - m.gutter, vh - header).intersected(rect)
        if not body.isEmpty():
            p.save()
            p.setClipRect(body)
            p.translate(ox, oy)
            self._paint_body(
                p, body.left() - ox, body.top() - oy, body.right() - ox, body.bottom() - oy
            )
            p.restore()
        if rect.top() < header:
            p.save()
            p.setClipRect(QRect(m.gutter, 0, vw - m.gutter, header).intersected(rect))
            self._paint_header(p, ox, rect.left() - ox, rect.right() - ox)
            p.restore()
        if rect.left() < m.gutter:
            p.save()
            p.setClipRect(QRect(0, header, m.gutter, vh - header).intersected(rect))
            self._paint_gutter(p, oy, rect.top() - oy, rect.bottom() - oy)
            p.restore()
            if rect.top() < header:
                p.fillRect(QRect(0, 0, m.gutter, header), st.gutter_fill)
                p.setPen(st.header_line)
                p.drawLine(0, header - 1, m.gutter, header - 1)
                p.drawLine(m.gutter - 1, 0, m.gutter - 1, header)

    def _paint_body(self, p: QPainter, x0: int, y0: int, x1: int, y1: int) -> None:
        st = self._style
        layout = self._layout
        assert layout is not None
        sh = self.metrics.slot_height
        columns = layout.visible_columns(x0, x1)
        if not columns:
            return
        left = layout.columns[columns[0]].x
        right = min(layout.content_width, layout.columns[columns[-1]].x + layout.column_width)
        bottom = min(y1 + 1, layout.content_height)
        for index in columns:  # off-duty hours of staff
            column = layout.columns[index]
            for top, end in layout.off_duty[index]:
                if end < y0 or top > y1:
                    continue
                r = QRect(column.x, top, column.width, end - top)
                p.fillRect(r, st.off_fill)
                p.fillRect(r, st.off_hatch)
        first_slot = max(0, y0 // sh)
        last_slot = min(layout.slots, y1 // sh + 1)
        for slot in range(first_slot, last_slot + 1):
            y = slot * sh
            mark = layout.slot_marks[slot] if slot < layout.slots else None
            if mark is None:
                p.setPen(st.hour)
            elif mark.midnight:
                p.setPen(st.midnight)
            elif mark.hour:
                p.setPen(st.hour)
            elif mark.half:
                p.setPen(st.half)
            else:
                p.setPen(st.quarter)
            p.drawLine(left, y, right, y)
        for index in columns:
            column = layout.columns[index]
            if column.first_of_day and layout.week and index:
                p.setPen(st.day_line)
            else:
                p.setPen(st.column_line)
            p.drawLine(column.x, y0, column.x, bottom)
        if right == layout.content_width:
            p.setPen(st.column_line)
            p.drawLine(right, y0, right, bottom)
        self._paint_selection(p)
        focus = self.cursor_block()
        for index in columns:
            for placed in layout.by_column[index]:
                if placed.rect.bottom < y0 or placed.rect.y > y1:
                    continue
                self._paint_block(p, placed, focus is not None and focus is placed)
        self._paint_ghost(p)
        self._paint_now(p, x0, x1)

    def _paint_block(self, p: QPainter, placed: Placed, focused: bool) -> None:
        st = self._style
        block = placed.block
        state = block.state
        r = placed.rect
        box = QRect(r.x + 2, r.y + 1, r.w - 4, r.h - 2)
        p.fillRect(box, st.fill[state])
        p.fillRect(QRect(box.x(), box.y(), 4, box.height()), st.edge[state])
        p.setPen(st.focus_block if focused else st.border[state])
        p.drawRect(box.adjusted(0, 0, -1, -1))
        if block.has_notes and box.width() > 16 and box.height() > 10:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(st.note)
            right, top = box.right(), box.top()
            p.drawPolygon(
                QPolygon([QPoint(right - 8, top), QPoint(right, top), QPoint(right, top + 8)])
            )
            p.setBrush(Qt.BrushStyle.NoBrush)
        lines = self._block_lines(placed, box.width() - 12, box.height() - 4)
        if not lines:
            return
        p.setPen(st.text[state])
        y = box.y() + 2
        for bold, text in lines:
            p.setFont(st.block_bold if bold else st.block)
            p.drawText(box.x() + 8, y + st.fm_block.ascent(), text)
            y += st.line

    def _block_lines(self, placed: Placed, width: int, height: int) -> list[tuple[bool, str]]:
        key = (placed.block.booking_id, placed.column)
        cached = self._texts.get(key)
        if cached is not None:
            return cached
        st = self._style
        block = placed.block
        times = "{start}–{end}".format(
            start=block.start_at.strftime("%H:%M"), end=block.end_at.strftime("%H:%M")
        )
        guest = _walk_in(block)
        seats = (
            _("座位 {taken}/{capacity}").format(taken=block.seats_taken, capacity=block.capacity)
            if block.capacity is not None
            else ""
        )
        rows = max(1, height // st.line) if height >= st.line - 2 else 0
        if block.capacity is not None:
            full = [(True, times), (False, block.service), (False, seats)]
            if guest:
                full.insert(1, (False, guest))
        else:
            full = [(True, times), (False, guest), (False, block.service)]
        if rows >= len(full):
            parts = full
        elif rows == 0:
            parts = []
        else:
            head = "  ".join(text for _bold, text in full[: len(full) - rows + 1] if text)
            parts = [(True, head), *full[len(full) - rows + 1 :]]
        lines = [
            (
                bold,
                (st.fm_bold if bold else st.fm_block).elidedText(
                    text, Qt.TextElideMode.ElideRight, max(0, width)
                ),
            )
            for bold, text in parts
            if text
        ]
        self._texts[key] = lines
        return lines

    def _paint_selection(self, p: QPainter) -> None:
        layout = self._layout
        assert layout is not None
        if not layout.columns:
            return
        low, high = sorted((self.anchor_slot, self.cursor_slot))
        top = layout.cell(self.cursor_column, low)
        r = QRect(top.x, top.y, top.w, (high - low + 1) * self.metrics.slot_height)
        if high != low:
            p.fillRect(r, self._style.selection)
        if self.hasFocus() or high != low or (self._drag is not None and self._drag.active):
            p.setPen(self._style.cursor)
            p.drawRect(r.adjusted(1, 1, -1, -1))
        drag = self._drag
        if drag is not None and drag.active and drag.mode == "create":
            start, end = interaction.create_span(layout, drag.column, drag.slot, self.cursor_slot)
            self._paint_label(p, r, _span_text(start, end), False)

    def _paint_ghost(self, p: QPainter) -> None:
        drag = self._drag
        layout = self._layout
        if drag is None or not drag.active or drag.proposal is None or drag.placed is None:
            return
        assert layout is not None
        proposal = drag.proposal
        rect = layout.span_rect(proposal.column, proposal.start_at, proposal.end_at)
        r = QRect(rect.x + 2, rect.y + 1, rect.w - 4, rect.h - 2)
        bad = proposal.refusal is not None or proposal.conflict
        p.fillRect(
            r, self._style.ghost_bad_fill if bad else self._style.fill[drag.placed.block.state]
        )
        p.setPen(self._style.ghost_bad if bad else self._style.ghost_ok)
        p.drawRect(r.adjusted(0, 0, -1, -1))
        self._paint_label(p, r, _span_text(proposal.start_at, proposal.end_at), bad)

    def _paint_label(self, p: QPainter, r: QRect, text: str, bad: bool) -> None:
        st = self._style
        p.setFont(st.block_bold)
        p.setPen(st.ghost_bad if bad else st.header_text)
        p.drawText(r.x() + 8, r.y() + 2 + st.fm_bold.ascent(), text)

    def _paint_now(self, p: QPainter, x0: int, x1: int) -> None:
        layout = self._layout
        assert layout is not None
        now = self.clock()
        day = layout.day_of(now)
        if day is None:
            return
        xs = [c.x for c in layout.columns if c.day == day]
        if not xs:
            return
        y = layout.y_of(day, now)
        p.setPen(self._style.now)
        p.drawLine(max(x0, xs[0]), y, min(x1, xs[-1] + layout.column_width), y)

    def _paint_header(self, p: QPainter, ox: int, x0: int, x1: int) -> None:
        st = self._style
        layout = self._layout
        assert layout is not None
        m = self.metrics
        top = m.day_header if layout.week else 0
        height = m.resource_header
        columns = layout.visible_columns(x0, x1)
        p.fillRect(
            QRect(m.gutter, 0, self.viewport().width(), layout.header_height), st.gutter_fill
        )
        for index in columns:
            column = layout.columns[index]
            family = _header_family(column.resource.kind)
            x = column.x + ox
            r = QRect(x, top, column.width, height)
            p.fillRect(r, st.header_fill[family])
            p.fillRect(QRect(x, top, column.width, 3), st.header_stripe[family])
            name, detail = self._header_texts(index)
            p.setFont(st.header)
            p.setPen(st.header_text)
            p.drawText(x + 6, top + 5 + st.fm_header.ascent(), name)
            p.setFont(st.small)
            p.setPen(st.header_muted)
            p.drawText(x + 6, top + 6 + st.fm_header.height() + st.fm_small.ascent(), detail)
            p.setPen(
                st.day_line if column.first_of_day and layout.week and index else st.header_line
            )
            p.drawLine(x, top, x, top + height)
        p.setPen(st.header_line)
        p.drawLine(
            m.gutter, layout.header_height - 1, self.viewport().width(), layout.header_height - 1
        )
        if not layout.week or not columns:
            return
        per_day = len(layout.board.resources)
        today = self.clock().date()
        seen: set[int] = set()
        for index in columns:
            d = index // per_day
            if d in seen:
                continue
            seen.add(d)
            day = layout.days[d]
            x = d * per_day * layout.column_width + ox
            group = QRect(x, 0, per_day * layout.column_width, m.day_header)
            is_today = day == today
            p.fillRect(group, st.today_fill if is_today else st.day_fill)
            p.setPen(st.day_line)
            p.drawLine(group.left(), 0, group.left(), m.day_header)
            text = "{md} {weekday}".format(
                md=day.strftime("%m-%d"), weekday=_(WEEKDAYS[day.weekday()])
            )
            # Sticky: the label stays in the visible part of its group.
            shown = group.intersected(QRect(m.gutter, 0, self.viewport().width(), m.day_header))
            p.setFont(st.header)
            p.setPen(st.today_text if is_today else st.header_text)
            p.drawText(shown, Qt.AlignmentFlag.AlignCenter, text)

    def _header_texts(self, index: int) -> tuple[str, str]:
        cached = self._headers.get(index)
        if cached is not None:
            return cached
        st = self._style
        layout = self._layout
        assert layout is not None
        resource = layout.columns[index].resource
        width = layout.column_width - 12
        detail = label(resource.kind)
        if resource.kind in PEOPLE and resource.works_from and resource.works_until:
            detail = _("{kind} {start}–{end}").format(
                kind=detail,
                start=resource.works_from.strftime("%H:%M"),
                end=resource.works_until.strftime("%H:%M"),
            )
        elif resource.kind is ResourceKind.AREA and resource.capacity > 1:
            detail = _("{kind} 容纳 {n} 人").format(kind=detail, n=resource.capacity)
        texts = (
            st.fm_header.elidedText(resource.name, Qt.TextElideMode.ElideRight, width),
            st.fm_small.elidedText(detail, Qt.TextElideMode.ElideRight, width),
        )
        self._headers[index] = texts
        return texts

    def _paint_gutter(self, p: QPainter, oy: int, y0: int, y1: int) -> None:
        st = self._style
        layout = self._layout
        assert layout is not None
        m = self.metrics
        sh = m.slot_height
        p.fillRect(QRect(0, y0 + oy, m.gutter, y1 - y0 + 1), st.gutter_fill)
        p.setPen(st.header_line)
        p.drawLine(m.gutter - 1, y0 + oy, m.gutter - 1, y1 + oy)
        now = self.clock()
        day = layout.day_of(now)
        now_y = layout.y_of(day, now) + oy if day is not None else None
        label_h = st.fm_header.height()
        first = max(0, y0 // sh - 1)
        last = min(layout.slots - 1, y1 // sh + 1)
        for slot in range(first, last + 1):
            mark = layout.slot_marks[slot]
            if not mark.hour:
                continue
            y = slot * sh + oy
            p.setPen(st.hour)
            p.drawLine(m.gutter - 8, y, m.gutter - 1, y)
            if now_y is not None and y - label_h // 2 <= now_y <= y + label_h + 4:
                continue  # the red label of the current time is there
            p.setFont(st.header)
            p.setPen(st.header_text)
            text = mark.at.strftime("%H:%M")
            p.drawText(QRect(2, y + 2, m.gutter - 10, label_h), Qt.AlignmentFlag.AlignRight, text)
            if mark.midnight:
                p.setFont(st.small)
                p.setPen(st.header_muted)
                p.drawText(
                    QRect(2, y + 2 + label_h, m.gutter - 10, st.fm_small.height()),
                    Qt.AlignmentFlag.AlignRight,
                    _("次日"),
                )
        if now_y is not None:
            p.setPen(st.now)
            p.drawLine(m.gutter - 10, now_y, m.gutter, now_y)
            height = st.fm_header.height() + 2
            box = QRect(1, now_y - height // 2, m.gutter - 8, height)
            p.fillRect(box, st.now_fill)
            p.setFont(st.header)
            p.setPen(st.today_text)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, now.strftime("%H:%M"))

    # -- mouse ------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        layout = self._layout
        pos = event.position().toPoint()
        if layout is None or event.button() != Qt.MouseButton.LeftButton or not self._in_body(pos):
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        x, y = self._content(pos)
        column = layout.column_at(x)
        if column is None or y >= layout.content_height:
            return
        slot = layout.slot_at(y)
        placed = layout.block_at(x, y)
        if placed is None:
            mode = "create"
        elif placed.rect.bottom - y <= self.metrics.edge_grip and not placed.cut_bottom:
            mode = "resize"
        else:
            mode = "move"
        self._drag = _Drag(mode, x, y, column, slot, placed)
        self.select_cell(column, slot)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        layout = self._layout
        pos = event.position().toPoint()
        drag = self._drag
        if layout is None:
            return
        if drag is None:
            self._hover_cursor(pos)
            return
        if not drag.active:
            x, y = self._content(pos)
            if abs(x - drag.x) + abs(y - drag.y) < QApplication.startDragDistance():
                return
            drag.active = True
        self._drag_pos = pos
        self._drag_to(pos)
        self._update_autoscroll()

    def _drag_to(self, pos: QPoint) -> None:
        """The selection or the ghost for the pointer at ``pos`` (viewport coordinates;
        a pointer outside the grid counts as on its nearest visible cell)."""
        layout = self._layout
        drag = self._drag
        if layout is None or drag is None:
            return
        viewport = self.viewport()
        inside = QPoint(
            min(max(pos.x(), self.metrics.gutter), viewport.width() - 1),
            min(max(pos.y(), layout.header_height), viewport.height() - 1),
        )
        x, y = self._content(inside)
        if drag.mode == "create":
            self.cursor_slot = layout.slot_at(y)
            self.anchor_slot = drag.slot
        elif drag.mode == "move" and drag.placed is not None:
            column = layout.column_at(min(max(0, x), layout.content_width - 1))
            slots = round((y - drag.y) / self.metrics.slot_height)
            drag.proposal = interaction.move_proposal(
                layout, drag.placed, drag.placed.column if column is None else column, slots
            )
        elif drag.mode == "resize" and drag.placed is not None:
            bottom = y + (drag.placed.rect.bottom - drag.y)
            drag.proposal = interaction.resize_proposal(layout, drag.placed, bottom)
        viewport.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is not None and drag.active and event.button() == Qt.MouseButton.LeftButton:
            self._drag_to(event.position().toPoint())
        self._drag = None
        self._scroller.stop()
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        layout = self._layout
        if layout is None:
            return
        if not drag.active:
            if drag.placed is not None:
                self.open_requested.emit(drag.placed.block.booking_id)
            return
        if drag.mode == "create":
            start, end = interaction.create_span(layout, drag.column, drag.slot, self.cursor_slot)
            self.viewport().update()
            self._request_create(layout.columns[drag.column].resource.id, start, end)
            return
        if drag.placed is not None and drag.proposal is not None:
            self._propose(drag.placed, drag.proposal)
        self.viewport().update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        layout = self._layout
        pos = event.position().toPoint()
        if layout is None or event.button() != Qt.MouseButton.LeftButton or not self._in_body(pos):
            return
        x, y = self._content(pos)
        column = layout.column_at(x)
        if column is None or y >= layout.content_height or layout.block_at(x, y) is not None:
            return  # a block opened on the first click
        day = layout.columns[column].day
        start = layout.slot_time(day, layout.slot_at(y))
        end = min(start + timedelta(minutes=60), layout.window(day)[1])
        self._drag = None
        self._request_create(layout.columns[column].resource.id, start, end)

    def _hover_cursor(self, pos: QPoint) -> None:
        layout = self._layout
        assert layout is not None
        shape = Qt.CursorShape.ArrowCursor
        if self._in_body(pos):
            x, y = self._content(pos)
            placed = layout.block_at(x, y)
            if placed is not None:
                edge = placed.rect.bottom - y <= self.metrics.edge_grip and not placed.cut_bottom
                shape = Qt.CursorShape.SizeVerCursor if edge else Qt.CursorShape.PointingHandCursor
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)

    # -- scrolling during a drag -----------------------------------------------------------
    def autoscroll_speed(self, pos: QPoint) -> tuple[int, int]:
        """Pixels a step (x, y; negative: left or up) for a drag with the pointer at
        ``pos``: nothing in the middle, more the further past the edge zone.  A new
        booking keeps its column and a resize its block, so those scroll only up and
        down."""
        layout = self._layout
        drag = self._drag
        if layout is None or drag is None or not drag.active:
            return 0, 0
        viewport = self.viewport()
        dx = _edge_speed(pos.x(), self.metrics.gutter, viewport.width())
        dy = _edge_speed(pos.y(), layout.header_height, viewport.height())
        return (
            _room(self.horizontalScrollBar(), dx) if drag.mode == "move" else 0,
            _room(self.verticalScrollBar(), dy),
        )

    @property
    def autoscrolling(self) -> bool:
        return self._scroller.isActive()

    def _update_autoscroll(self) -> None:
        if self.autoscroll_speed(self._drag_pos) == (0, 0):
            self._scroller.stop()
        elif not self._scroller.isActive():
            self._scroller.start()

    def _autoscroll_step(self) -> None:
        dx, dy = self.autoscroll_speed(self._drag_pos)
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        before = h.value(), v.value()
        if dx:
            h.setValue(h.value() + dx)
        if dy:
            v.setValue(v.value() + dy)
        if (h.value(), v.value()) == before:  # nothing to do, or at the end already
            self._scroller.stop()
            return
        self._drag_to(self._drag_pos)  # the content moved under the pointer

    # -- moving through the database -------------------------------------------------------
    def _propose(self, placed: Placed, proposal: Proposal) -> None:
        layout = self._layout
        assert layout is not None
        if proposal.refusal is not None:
            self.snap_back()
            self.show_refusal(proposal.refusal, placed.block.booking_id)
            self.refused.emit(proposal.refusal)
            return
        request = interaction.request_for(layout, placed, proposal)
        if request is None or self._good is None:
            return
        self.pending = request
        day = layout.columns[proposal.column].day
        self._show(interaction.moved_board(self._good, request))
        moved = self._layout
        column = moved.column_of(day, request.to_resource) if moved is not None else None
        if moved is not None and column is not None:
            self.select_cell(column, moved.slot_of(day, request.start_at))
        self.move_requested.emit(request)

    def show_refusal(self, text: str, booking_id: int | None = None) -> None:
        """The reason next to the block (or the cursor), for a few seconds."""
        rect = self.block_rect(booking_id) if booking_id is not None else None
        if rect is None and self._layout is not None and self._layout.columns:
            rect = self.cell_rect(self.cursor_column, self.cursor_slot)
        where = rect.bottomLeft() if rect is not None else QPoint(0, 0)
        where = QPoint(max(self.metrics.gutter, where.x()), max(0, where.y()))
        QToolTip.showText(self.viewport().mapToGlobal(where), text, self.viewport(), QRect(), 6000)

    # -- keyboard ---------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        layout = self._layout
        if layout is None or not layout.columns:
            super().keyPressEvent(event)
            return
        key = event.key()
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        K = Qt.Key
        steps = {K.Key_Left: (-1, 0), K.Key_Right: (1, 0), K.Key_Up: (0, -1), K.Key_Down: (0, 1)}
        if key in steps:
            dc, ds = steps[Qt.Key(key)]
            if ctrl and shift and ds:
                self._key_resize(ds)
            elif ctrl:
                self._key_move(dc, ds)
            elif shift and ds:
                self.cursor_slot = min(max(0, self.cursor_slot + ds), layout.slots - 1)
                self.ensure_cursor_visible()
                self.viewport().update()
            else:
                column = min(max(0, self.cursor_column + dc), len(layout.columns) - 1)
                self.select_cell(column, self.cursor_slot + ds)
        elif key in (K.Key_Return, K.Key_Enter):
            self.activate()
        elif key == K.Key_Delete:
            self._key_cancel()
        elif key == K.Key_PageUp:
            self.day_step.emit(-1)
        elif key == K.Key_PageDown:
            self.day_step.emit(1)
        elif key == K.Key_Home:
            self.today_requested.emit()
        elif key == K.Key_Escape and self._drag is not None:
            self._drag = None
            self._scroller.stop()
            self.viewport().update()
        elif key == K.Key_Menu:
            self._menu_at_cursor()
        else:
            super().keyPressEvent(event)

    def activate(self) -> None:
        """Enter: open the block under the cursor, or create in the selected cells."""
        placed = self.cursor_block()
        if placed is not None and self.anchor_slot == self.cursor_slot:
            self.open_requested.emit(placed.block.booking_id)
            return
        chosen = self.selection()
        if chosen is not None:
            self._request_create(*chosen)

    def _key_move(self, dc: int, ds: int) -> None:
        layout = self._layout
        placed = self.cursor_block()
        if layout is None or placed is None:
            return
        column = placed.column + dc
        if not 0 <= column < len(layout.columns):
            return
        self._propose(placed, interaction.move_proposal(layout, placed, column, ds))

    def _key_resize(self, ds: int) -> None:
        layout = self._layout
        placed = self.cursor_block()
        if layout is None or placed is None:
            return
        self._propose(placed, interaction.resize_by(layout, placed, ds))

    def _key_cancel(self) -> None:
        placed = self.cursor_block()
        if placed is None:
            return
        block = placed.block
        if S.CANCELLED in TRANSITIONS[block.state]:
            self.action_requested.emit(block.booking_id, S.CANCELLED)
            return
        text = _("“{state}”的预约不能取消。").format(state=label(block.state))
        self.show_refusal(text, block.booking_id)
        self.refused.emit(text)

    # -- menu and tooltips ------------------------------------------------------------------
    def menu_for(self, placed: Placed | None) -> QMenu:
        """The right-click menu of a block (its legal next states) or of empty cells."""
        menu = QMenu(self)
        if placed is None:
            chosen = self.selection()
            if chosen is not None:
                create = QAction(_("新预约…"), menu)
                create.triggered.connect(lambda: self._request_create(*chosen))
                menu.addAction(create)
            return menu
        block = placed.block
        booking_id = block.booking_id
        open_action = QAction(_("打开预约…"), menu)
        open_action.triggered.connect(lambda: self.open_requested.emit(booking_id))
        menu.addAction(open_action)
        targets = legal_actions(block.state)
        if block.start_at > self.clock():
            # The service rules refuse a no-show before the start: do not offer one.
            targets = [t for t in targets if t is not S.NO_SHOW]
        if targets:
            menu.addSeparator()
        for target in targets:
            action = QAction(_(ACTION_TEXT[target]), menu)
            action.setData(target.value)
            action.triggered.connect(
                lambda _checked=False, t=target: self.action_requested.emit(booking_id, t)
            )
            menu.addAction(action)
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        layout = self._layout
        if layout is None or not layout.columns:
            return
        pos = event.pos()
        if event.reason() == QContextMenuEvent.Reason.Mouse and self._in_body(pos):
            x, y = self._content(pos)
            column = layout.column_at(x)
            if column is None or y >= layout.content_height:
                return
            slot = layout.slot_at(y)
            low, high = sorted((self.anchor_slot, self.cursor_slot))
            if not (column == self.cursor_column and low <= slot <= high):
                self.select_cell(column, slot)
            placed = layout.block_at(x, y)
            menu = self.menu_for(placed)
            if menu.actions():
                menu.exec(event.globalPos())
            return
        self._menu_at_cursor()

    def _menu_at_cursor(self) -> None:
        if self._layout is None or not self._layout.columns:
            return
        menu = self.menu_for(self.cursor_block())
        rect = self.cell_rect(self.cursor_column, self.cursor_slot)
        if menu.actions():
            menu.exec(self.viewport().mapToGlobal(rect.bottomLeft()))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def tooltip_at(self, pos: QPoint) -> str:
        layout = self._layout
        if layout is None or not self._in_body(pos):
            return ""
        x, y = self._content(pos)
        placed = layout.block_at(x, y)
        if placed is None:
            column = layout.column_at(x)
            if column is not None and any(a <= y < b for a, b in layout.off_duty[column]):
                resource = layout.columns[column].resource
                if resource.works_from is None or resource.works_until is None:
                    return _("{name} 此时不在班").format(name=resource.name)
                return _("{name} 此时不在班（班次 {start}–{end}）").format(
                    name=resource.name,
                    start=resource.works_from.strftime("%H:%M"),
                    end=resource.works_until.strftime("%H:%M"),
                )
            return ""
        return self.describe(placed.block)

    def describe(self, block: BoardBlock) -> str:
        layout = self._layout
        assert layout is not None
        lines = [_walk_in(block) or _("（未填客人）")]
        minutes = int((block.end_at - block.start_at).total_seconds() // 60)
        lines.append(block.service)
        lines.append(
            _("{span}（{n} 分钟）").format(span=_span_text(block.start_at, block.end_at), n=minutes)
        )
        lines.append(_("状态：{state}").format(state=label(block.state)))
        names = [self._names.get(r, str(r)) for r in layout.held(block.booking_id)]
        if names:
            lines.append(_("房间/人员：{names}").format(names=_("、").join(names)))
        if block.capacity is not None:
            lines.append(
                _("座位：已订 {taken}/{capacity}").format(
                    taken=block.seats_taken, capacity=block.capacity
                )
            )
        if block.has_notes:
            lines.append(_("有备注（打开预约查看）"))
        lines.append(_("单击或 Enter 打开；拖动改时间或房间；拖下边缘改时长；右键更多操作"))
        return "\n".join(lines)


def _edge_speed(at: int, low: int, high: int) -> int:
    """Autoscroll step along one axis for the pointer at ``at`` over a grid shown from
    ``low`` to ``high`` (viewport coordinates)."""
    if at < low + AUTOSCROLL_EDGE:
        past = low + AUTOSCROLL_EDGE - at
        return -min(AUTOSCROLL_FASTEST, 2 + past // 2)
    if at >= high - AUTOSCROLL_EDGE:
        past = at - (high - AUTOSCROLL_EDGE) + 1
        return min(AUTOSCROLL_FASTEST, 2 + past // 2)
    return 0


def _room(bar: QScrollBar, step: int) -> int:
    """``step``, or 0 when the scroll bar is at its end that way already."""
    if (step < 0 and bar.value() <= bar.minimum()) or (step > 0 and bar.value() >= bar.maximum()):
        return 0
    return step


def _walk_in(block: BoardBlock) -> str:
    """The guest, marked 散客 for a walk-in (unless the name says so already)."""
    guest = block.guest
    walk_in = _("散客")
    if not block.walk_in or walk_in in guest:
        return guest
    return _("{guest}（散客）").format(guest=guest) if guest else walk_in


def _span_text(start: datetime, end: datetime) -> str:
    return "{start}–{end}".format(start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))


__all__ = ["SLOT", "STATE_COLOURS", "BoardView", "legal_actions"]

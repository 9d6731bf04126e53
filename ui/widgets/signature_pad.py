"""A pad the customer signs on with the mouse, a pen or a finger.

Strokes are kept as painter paths on a white canvas with a baseline and a grey
"请在此签名" hint while it is empty.  ``to_png`` draws the strokes alone, trimmed to
what was written and scaled to at most ``PNG_MAX_WIDTH`` pixels wide, for the
complaint's record (the core refuses anything that is not a PNG, or too large).
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from clubdesk.i18n import N_, _

HINT = N_("请在此签名")
INK = QColor("#111827")
BASELINE = QColor("#9ca3af")
BORDER = QColor("#9ca3af")
HINT_COLOUR = QColor("#9ca3af")
PEN_WIDTH = 2.6
PNG_MAX_WIDTH = 600
PNG_MAX_HEIGHT = 240
MARGIN = 8  # white space kept around the trimmed signature


class SignaturePad(QWidget):
    """``changed`` after every stroke and after ``clear``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[QPainterPath] = []
        self._current: QPainterPath | None = None
        self.setObjectName("signaturePad")
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumSize(360, 150)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to type: Tab passes it by
        self.setAccessibleName(_(HINT))

    def sizeHint(self) -> QSize:
        return QSize(480, 160)

    # -- reading ---------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self._strokes

    def stroke_count(self) -> int:
        return len(self._strokes)

    def clear(self) -> None:
        had = bool(self._strokes) or self._current is not None
        self._strokes.clear()
        self._current = None
        self.update()
        if had:
            self.changed.emit()

    def bounds(self) -> QRectF:
        """The rectangle the strokes cover, pen width included (empty when unsigned)."""
        rect = QRectF()
        for path in self._strokes:
            rect = rect.united(path.boundingRect())
        half = PEN_WIDTH / 2
        return rect.adjusted(-half, -half, half, half) if not rect.isNull() else rect

    def to_png(self) -> bytes:
        """The signature as PNG bytes: trimmed, on white, at most 600 px wide (b"" when
        nothing was drawn)."""
        if self.is_empty():
            return b""
        area = self.bounds().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
        scale = min(1.0, PNG_MAX_WIDTH / area.width(), PNG_MAX_HEIGHT / area.height())
        width = max(1, round(area.width() * scale))
        height = max(1, round(area.height() * scale))
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        painter.translate(-area.topLeft())
        painter.setPen(_pen(max(PEN_WIDTH, 1.6 / scale)))
        for path in self._strokes:
            painter.drawPath(path)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes
        buffer.close()
        return bytes(data.data())

    # -- drawing ---------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.isEnabled():
            super().mousePressEvent(event)
            return
        path = QPainterPath(event.position())
        # A tap is a dot: a zero-length line would draw nothing and save nothing.
        path.lineTo(event.position() + QPointF(0.01, 0.01))
        self._current = path
        self._strokes.append(path)
        self.update()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is None or not event.buttons() & Qt.MouseButton.LeftButton:
            super().mouseMoveEvent(event)
            return
        self._current.lineTo(self._inside(event.position()))
        self.update()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._current is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._current.lineTo(self._inside(event.position()))
        self._current = None
        self.update()
        event.accept()
        self.changed.emit()

    def _inside(self, point: QPointF) -> QPointF:
        """A stroke that leaves the pad stays on its edge."""
        x = min(max(point.x(), 0.0), float(self.width()))
        y = min(max(point.y(), 0.0), float(self.height()))
        return QPointF(x, y)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(0, 0, -1, -1)
        painter.fillRect(rect, QColor("white") if self.isEnabled() else QColor("#f3f4f6"))
        painter.setPen(QPen(BORDER, 1))
        painter.drawRect(rect)
        baseline = round(self.height() * 0.74)
        painter.setPen(QPen(BASELINE, 1, Qt.PenStyle.DashLine))
        painter.drawLine(24, baseline, self.width() - 24, baseline)
        painter.setPen(QPen(BASELINE, 1))
        painter.drawText(10, baseline - 4, "×")
        if self.is_empty():
            painter.setPen(HINT_COLOUR)
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.drawText(
                QRectF(0, 0, self.width(), baseline - 6),
                Qt.AlignmentFlag.AlignCenter,
                _(HINT) if self.isEnabled() else "",
            )
        painter.setPen(_pen(PEN_WIDTH))
        for path in self._strokes:
            painter.drawPath(path)
        painter.end()


def _pen(width: float) -> QPen:
    pen = QPen(INK, width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen

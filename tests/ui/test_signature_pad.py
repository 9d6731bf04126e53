"""The signature pad: strokes drawn with the mouse become a trimmed PNG; clear empties it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.widgets.signature_pad import PNG_MAX_WIDTH, SignaturePad


def _pad(qtbot: QtBot, width: int = 480, height: int = 160) -> SignaturePad:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(width, height)
    pad.show()
    qtbot.waitExposed(pad)
    return pad


def draw(qtbot: QtBot, pad: SignaturePad, points: list[tuple[int, int]]) -> None:
    """One stroke through ``points`` with the left button held."""
    first = QPoint(*points[0])
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=first)
    for x, y in points[1:]:
        # QTest's mouseMove carries no buttons: send the move the way a drag does.
        local = QPointF(x, y)
        event = QMouseEvent(
            QMouseEvent.Type.MouseMove,
            local,
            pad.mapToGlobal(local),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(pad, event)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))


def test_drawn_strokes_give_a_trimmed_png_and_clear_empties(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    assert pad.is_empty() and pad.to_png() == b""
    with qtbot.waitSignal(pad.changed):
        draw(qtbot, pad, [(40, 100), (80, 60), (120, 110), (160, 70)])
    draw(qtbot, pad, [(200, 90), (260, 95)])

    assert not pad.is_empty() and pad.stroke_count() == 2
    png = pad.to_png()
    assert png.startswith(b"\x89PNG")
    image = QImage.fromData(png)
    # Trimmed to what was written (x 40–260, y 60–110) plus a small margin.
    assert 220 <= image.width() <= 250 and 50 <= image.height() <= 75
    ink = sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if image.pixelColor(x, y).lightness() < 128
    )
    assert ink > 20  # the strokes are there, dark on white

    with qtbot.waitSignal(pad.changed):
        pad.clear()
    assert pad.is_empty() and pad.to_png() == b""


def test_a_wide_signature_is_scaled_to_at_most_600_pixels(qtbot: QtBot) -> None:
    pad = _pad(qtbot, width=1400, height=300)
    draw(qtbot, pad, [(10, 150), (700, 100), (1390, 200)])
    image = QImage.fromData(pad.to_png())
    assert image.width() == PNG_MAX_WIDTH
    assert image.height() < 240


def test_a_tap_is_a_dot(qtbot: QtBot) -> None:
    pad = _pad(qtbot)
    qtbot.mouseClick(pad, Qt.MouseButton.LeftButton, pos=QPoint(100, 80))
    assert pad.stroke_count() == 1
    image = QImage.fromData(pad.to_png())
    assert image.width() < 30 and image.height() < 30
    centre = image.pixelColor(image.width() // 2, image.height() // 2)
    assert centre.lightness() < 128

"""Draw the application icon (resources/icons/clubdesk.png and .ico) with Qt.

Run once when the design changes: ``python tools/make_icon.py``.  The outputs are
committed so that building needs no drawing step.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
)

ROOT = Path(__file__).resolve().parents[1]


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    margin = size * 0.04
    rect = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    gradient = QLinearGradient(rect.topLeft(), rect.bottomRight())
    gradient.setColorAt(0, QColor("#0f766e"))
    gradient.setColorAt(1, QColor("#134e4a"))
    path = QPainterPath()
    path.addRoundedRect(rect, size * 0.2, size * 0.2)
    p.fillPath(path, gradient)
    p.setPen(QColor("#fbbf24"))
    p.setBrush(Qt.BrushStyle.NoBrush)
    font = QFont("WenQuanYi Micro Hei")
    font.setPixelSize(int(size * 0.58))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("#fefce8"))
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "会")
    p.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    QFontDatabase.addApplicationFont(str(ROOT / "resources" / "fonts" / "wqy-microhei.ttc"))
    out = ROOT / "resources" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(out / "clubdesk.png"))
    if not draw(256).save(str(out / "clubdesk.ico")):
        print("this Qt has no ICO writer", file=sys.stderr)
        return 1
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())

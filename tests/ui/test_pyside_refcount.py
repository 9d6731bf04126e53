"""Guard against PySide6-Essentials 6.12.0 on CPython 3.11 ("none_dealloc" crash).

That release drops a reference to None in calls like QTableWidget.setItem and QLabel();
a few thousand calls kill the process.  pyproject pins around it; this test makes
20,000 such calls in a child process so a crash fails the test instead of the run.
"""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QLabel, QTableWidget, QTableWidgetItem
app = QApplication([])
table = QTableWidget(100, 10)
for i in range(10_000):
    table.setItem(i % 100, i % 10, QTableWidgetItem(str(i)))
    label = QLabel(str(i))
    label.deleteLater()
    if i % 1000 == 0:
        app.processEvents()
print("CLEAN", sys.getrefcount(None) > 0)
"""


def test_twenty_thousand_setitem_and_qlabel_calls_survive() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "none_dealloc" not in result.stderr
    assert result.stdout.strip() == "CLEAN True"

"""The core stays free of Qt and of the GUI package."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import clubdesk

ROOT = Path(__file__).resolve().parents[2]


def _core_modules() -> list[str]:
    names = ["clubdesk"]
    for info in pkgutil.walk_packages(clubdesk.__path__, "clubdesk."):
        if ".migrations" in info.name or info.name == "clubdesk.__main__":
            continue
        names.append(info.name)
    return names


def test_importing_every_core_module_loads_no_qt_and_no_ui() -> None:
    modules = _core_modules()
    assert len(modules) > 20
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "roots = ('PySide6', 'shiboken6', 'ui')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""


def test_import_linter_contract_holds() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a dev dependency"
    result = subprocess.run([lint], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr

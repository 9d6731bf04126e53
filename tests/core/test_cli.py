"""The command line, run as a user runs it: a separate process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clubdesk import __version__
from clubdesk.bench.harness import percentile


def clubdesk(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "clubdesk", *args], capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_version() -> None:
    assert clubdesk("--version").stdout.strip() == f"ClubDesk {__version__}"


def test_print_list_names_the_member_card() -> None:
    out = clubdesk("print", "--list").stdout
    assert "member-card" in out and "会员档案卡" in out


def test_print_member_card_of_the_latest_member(seeded_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_path, db)
    out = tmp_path / "card.pdf"
    clubdesk("print", "member-card", "--db", str(db), "--id", "latest", "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_print_blank_member_card(seeded_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_path, db)
    out = tmp_path / "blank.pdf"
    clubdesk("print", "member-card", "--db", str(db), "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_print_unknown_form_is_a_chinese_message(tmp_path: Path) -> None:
    result = clubdesk("print", "nope", "-o", str(tmp_path / "x.pdf"), check=False)
    assert result.returncode == 2
    assert "没有名为“nope”的表单" in result.stderr


def test_foreign_file_is_refused_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database" * 20)
    result = clubdesk(
        "print", "member-card", "--db", str(bad), "-o", str(tmp_path / "x.pdf"), check=False
    )
    assert result.returncode == 2
    assert str(bad) in result.stderr and "不是数据库文件" in result.stderr
    assert bad.read_text() == "not a database" * 20


def test_seed_command_fills_a_database_and_refuses_twice(tmp_path: Path) -> None:
    db = tmp_path / "seeded.sqlite3"
    out = clubdesk("seed", "--db", str(db), "--members", "200").stdout
    assert "会员 200 人" in out
    again = clubdesk("seed", "--db", str(db), "--members", "200", check=False)
    assert again.returncode == 2 and again.stderr.strip()


def test_bench_json_has_the_documented_shape(seeded_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_path, db)
    result = clubdesk(
        "bench", "--db", str(db), "--only", "roster.first_page", "--json", "--repeat", "20"
    )
    cases = json.loads(result.stdout)
    assert [c["case"] for c in cases] == ["roster.first_page"]
    case = cases[0]
    assert set(case) >= {
        "case",
        "unit",
        "n",
        "median",
        "p95",
        "target",
        "floor",
        "peers",
        "meets_target",
    }
    assert case["n"] == 20 and case["unit"] == "ms"
    assert case["floor"]["name"] and case["floor"]["median"] > 0
    assert 0 < case["median"] <= case["p95"]


@pytest.mark.slow
def test_bench_cold_start_runs_the_real_window(seeded_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_path, db)
    result = clubdesk("bench", "--db", str(db), "--only", "startup", "--json", "--repeat", "1")
    case = json.loads(result.stdout)[0]
    assert case["case"] == "startup.cold"
    assert case["floor"]["name"].startswith("bare PySide6")
    assert case["median"] > case["floor"]["median"] > 0


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95) == 95.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0], 50) == 1.0
    with pytest.raises(ValueError):
        percentile([], 95)


def test_bench_search_case_has_floor_and_qt_peer(seeded_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_path, db)
    result = clubdesk("bench", "--db", str(db), "--only", "search.name2", "--json", "--repeat", "5")
    (case,) = json.loads(result.stdout)
    assert case["case"] == "search.name2" and case["n"] == 5
    assert case["target"] == {"p95": 20.0, "over_floor_p95": 3.0, "peer_speedup": 10.0}
    assert [p["name"] for p in case["peers"]] == ["QSqlQueryModel, LIKE '%q%' on name/phone/card"]


@pytest.mark.slow
def test_bench_roster_probe_types_into_the_real_dock(seeded_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite3"
    shutil.copy(seeded_path, db)
    result = clubdesk("bench", "--db", str(db), "--only", "roster.", "--json", "--repeat", "5")
    cases = {c["case"]: c for c in json.loads(result.stdout)}
    assert set(cases) == {"roster.first_page", "roster.keystroke", "roster.memory"}
    assert cases["roster.keystroke"]["n"] > 20 and cases["roster.keystroke"]["median"] > 0
    assert 50 < cases["roster.memory"]["median"] < 1000

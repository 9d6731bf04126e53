"""The ``clubdesk`` command line: the GUI by default, plus seed, print, selfcheck, bench."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from clubdesk import __version__, i18n, prefs
from clubdesk.errors import ClubDeskError
from clubdesk.frontend import Frontend, load_frontend
from clubdesk.i18n import _

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clubdesk", description=_("ClubDesk 会所前台管理系统"))
    parser.add_argument("--version", action="version", version=f"ClubDesk {__version__}")
    parser.add_argument(
        "--db", help=_("数据库文件路径或 SQLAlchemy 地址（postgresql+psycopg://…）")
    )
    parser.add_argument(
        "--demo", action="store_true", help=_("打开演示数据库（首次使用时自动生成）")
    )
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), help=_("界面语言"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("selfcheck", help=_("自检：离屏构建主窗口、加载各面板、生成 PDF"))
    p.add_argument("--db", dest="sub_db", metavar="DB")

    p = sub.add_parser("seed", help=_("生成演示数据"))
    p.add_argument("--db", dest="sub_db", metavar="DB", required=True)
    p.add_argument("--members", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=20261123)

    p = sub.add_parser("print", help=_("打印表单为 PDF"))
    p.add_argument("form", nargs="?")
    p.add_argument("--list", action="store_true", help=_("列出可打印的表单"))
    p.add_argument("--db", dest="sub_db", metavar="DB")
    p.add_argument("--id", dest="record", help=_("记录编号，或 latest 表示最新一条"))
    p.add_argument("--member", help=_("会员编号、手机号或会员卡号（会员类表单）"))
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help=_("期间开始日期"))
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help=_("期间结束日期（含当天）"))
    p.add_argument("-o", "--output", type=Path)

    p = sub.add_parser("bench", help=_("性能基准"))
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--only", help=_("只运行名称以此开头的用例"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--db", dest="sub_db", metavar="DB", help=_("对已有数据库测试，不另行生成"))
    p.add_argument("--repeat", type=int, default=0, help=_("每个用例的重复次数（0 为默认）"))

    p = sub.add_parser("startup-probe")  # internal (bench); no help= keeps it unlisted
    p.add_argument("--db", dest="sub_db", metavar="DB")
    p.add_argument("--bare", action="store_true")

    p = sub.add_parser("roster-probe")  # internal (bench)
    p.add_argument("--db", dest="sub_db", metavar="DB")
    p.add_argument("--queries", default="[]")
    return parser


def usable_streams() -> None:
    """Make print() safe wherever ClubDesk runs.

    The ``clubdesk`` program is a GUI program: on Windows (pythonw, or the windowed
    PyInstaller build) it starts with no console, so stdout and stderr are None.  Attach
    to the console the command was typed in, if any, else discard output rather than
    crash; and write UTF-8, since a redirected Windows stream uses a code page that has
    neither the Chinese text nor ✓.
    """
    if sys.stdout is None or sys.stderr is None:
        if sys.platform == "win32":
            import ctypes

            kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 - Windows only
            if kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
                sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
                sys.stderr = sys.stdout
        if sys.stdout is None:
            sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        if sys.stderr is None:
            sys.stderr = sys.stdout
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8", errors="replace")


def main(argv: Sequence[str] | None = None, frontend: Frontend | None = None) -> int:
    usable_streams()
    # The language comes first so that --help itself is translated.
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", choices=sorted(i18n.LANGUAGES))
    known, _rest = early.parse_known_args(argv)
    i18n.set_language(known.lang or prefs.load().language)
    args = build_parser().parse_args(argv)
    db_target: str | None = getattr(args, "sub_db", None) or args.db
    if db_target is None and args.demo and args.command:
        from clubdesk.paths import demo_db_path

        db_target = str(demo_db_path())
    try:
        return _dispatch(args, db_target, frontend)
    except ClubDeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, db_target: str | None, frontend: Frontend | None) -> int:
    command = args.command
    if command == "seed":
        from clubdesk.commands import seed

        return seed.run(db_target or "", args.members, args.seed)
    if command == "print":
        from clubdesk.commands import printing

        return printing.run(
            db_target,
            args.form,
            args.record,
            args.output,
            list_only=args.list,
            member=args.member,
            start=args.start,
            end=args.end,
        )
    if command == "bench":
        from clubdesk.bench import runner

        return runner.run(
            db_target, members=args.members, only=args.only, as_json=args.json, repeat=args.repeat
        )
    gui = frontend or load_frontend()
    if command == "selfcheck":
        from clubdesk.commands import selfcheck

        return selfcheck.run(db_target, gui)
    if command == "startup-probe":
        return gui.startup_probe(db_target, bare=args.bare)
    if command == "roster-probe":
        import json

        return gui.roster_probe(db_target, json.loads(args.queries))
    from clubdesk import logsetup

    logsetup.configure()
    return gui.run(db_target, demo=args.demo)

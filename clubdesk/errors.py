"""Errors the user sees.  Every message is a complete Chinese sentence (translated by _)."""

from __future__ import annotations

from enum import StrEnum

from clubdesk.i18n import _


class ClubDeskError(Exception):
    """An error with a message meant for the person at the counter."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DomainError(ClubDeskError):
    """A business rule refused the action (bad input, illegal transition, conflict)."""


class PermissionDenied(ClubDeskError):
    """The logged-in staff member's role does not allow the action."""


class NotFound(ClubDeskError):
    pass


class DbProblem(StrEnum):
    LOCKED = "locked"
    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    CORRUPT = "corrupt"
    TRUNCATED = "truncated"
    NOT_CLUBDESK = "not_clubdesk"
    NOT_SQLITE = "not_sqlite"
    TOO_NEW = "too_new"
    CANNOT_OPEN = "cannot_open"
    UNREACHABLE = "unreachable"


class DatabaseEnvironmentError(ClubDeskError):
    """The database file or server is unusable for a reason outside ClubDesk's code.

    These are not bugs: the message names the file and says what to do.
    """

    def __init__(self, problem: DbProblem, where: str, detail: str = "") -> None:
        self.problem = problem
        self.where = where
        self.detail = detail
        super().__init__(_describe(problem, where))


def _describe(problem: DbProblem, where: str) -> str:
    texts = {
        DbProblem.LOCKED: _(
            "数据库“{where}”正被另一台收银台或程序占用，暂时无法写入。请稍候几秒再试；"
            "如果一直如此，请关闭其他打开该文件的程序。"
        ),
        DbProblem.READ_ONLY: _(
            "数据库“{where}”是只读的，无法保存。请检查文件权限或移除只读属性，"
            "或把文件复制到可写的文件夹。"
        ),
        DbProblem.DISK_FULL: _(
            "磁盘已满，数据库“{where}”无法写入，本次操作没有保存。请清理磁盘空间后重试。"
        ),
        DbProblem.CORRUPT: _(
            "数据库“{where}”已损坏，ClubDesk 没有修改它。请联系管理员从数据文件夹中的"
            " backups 备份恢复。"
        ),
        DbProblem.TRUNCATED: _(
            "数据库“{where}”不完整（文件被截断），ClubDesk 没有修改它。请从备份恢复，或联系管理员。"
        ),
        DbProblem.NOT_CLUBDESK: _(
            "“{where}”不是 ClubDesk 数据库，ClubDesk 没有修改它。请选择正确的数据库文件。"
        ),
        DbProblem.NOT_SQLITE: _(
            "“{where}”不是数据库文件，ClubDesk 没有修改它。请选择正确的数据库文件。"
        ),
        DbProblem.TOO_NEW: _(
            "数据库“{where}”由更新版本的 ClubDesk 创建。请升级本机的 ClubDesk 后再打开。"
        ),
        DbProblem.CANNOT_OPEN: _("无法打开数据库“{where}”。请检查路径是否存在、是否有访问权限。"),
        DbProblem.UNREACHABLE: _(
            "无法连接数据库服务器“{where}”。请检查网络、服务器地址和账号密码。"
        ),
    }
    return texts[problem].format(where=where)

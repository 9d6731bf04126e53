"""ClubDesk core: database, models, services, PDF forms and command line.

This package never imports Qt or the ``ui`` package; the GUI sits on top of it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clubdesk")
except PackageNotFoundError:  # running from a source tree or a frozen build without metadata
    __version__ = "0.1.0"

APP_NAME = "ClubDesk"
APP_AUTHOR = "ClubDesk"

"""``python -m clubdesk``: the same command line as the ``clubdesk`` program."""

import sys

from clubdesk.cli import main

sys.exit(main())

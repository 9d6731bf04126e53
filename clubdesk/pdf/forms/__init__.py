"""One module per printable form; each registers itself with ``registry.printable``."""

from clubdesk.pdf.forms import receipt  # noqa: F401  (registers "receipt")

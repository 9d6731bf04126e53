"""One module per printable form; each registers itself with ``registry.printable``."""

from clubdesk.pdf.forms import (  # noqa: F401  (register)
    complaint_form,
    complaint_stats,
    receipt,
    visit_record,
    visit_summary,
)

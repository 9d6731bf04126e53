"""One module per printable form; each registers itself (``registry.printable``, or
``forms.monthly.monthly_report`` for the reports of a month)."""

from clubdesk.pdf.forms import (  # noqa: F401  (register)
    complaint_form,
    complaint_stats,
    receipt,
    visit_record,
    visit_summary,
)

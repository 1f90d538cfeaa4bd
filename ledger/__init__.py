"""The ledger: the in-memory, column-oriented view of invoices and payments.

Metrics, the risk model and rule backtests all read a :class:`Ledger`, whether it comes
from a CSV file (``connectors.csv``) or from the profile store (``agent.ledger.store``).
It sits below ``models``, ``rules``, ``connectors`` and ``agent`` and imports none of them.
"""

from ledger.frame import (
    INVOICE_COLUMNS,
    OPTIONAL_INVOICE_COLUMNS,
    PAYMENT_COLUMNS,
    Ledger,
    empty_payments,
    payments_from_invoices,
)

__all__ = [
    "INVOICE_COLUMNS",
    "OPTIONAL_INVOICE_COLUMNS",
    "PAYMENT_COLUMNS",
    "Ledger",
    "empty_payments",
    "payments_from_invoices",
]

"""The canonical invoice CSV of DESIGN.md: the columns ``connectors.csv`` reads without a mapping.

This module is the one owner of the layout: the reader, mapping files and the demo's
export all take the column names from here.
"""

from __future__ import annotations

# The canonical file's columns, in the order Nudge writes them.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "invoice_id",
    "customer_id",
    "customer_name",
    "issue_date",
    "due_date",
    "amount",
    "currency",
    "paid_date",
    "amount_paid",
    "disputed",
    "customer_domain",
    "terms_days",
    "owner_email",
    "paid_partially_on",
)
# Every field a mapping file may fill: the canonical columns and three the ledger also keeps.
CANONICAL_FIELDS: tuple[str, ...] = (*CANONICAL_COLUMNS, "segment", "delivery_channel", "country")
REQUIRED_FIELDS: tuple[str, ...] = ("invoice_id", "customer_id", "issue_date", "amount")
# Dates are written ISO ``YYYY-MM-DD``, empty when unknown.
DATE_FIELDS: tuple[str, ...] = ("issue_date", "due_date", "paid_date", "paid_partially_on")

"""CSV and ERP-export invoices: the canonical layout and mapped layouts."""

from connectors.csv.mapping import Mapping, MappingError, load_mapping
from connectors.csv.reader import (
    InvoiceRow,
    ReadResult,
    Reject,
    UnreadableFileError,
    read_invoices,
    rows_to_frame,
)

__all__ = [
    "InvoiceRow",
    "Mapping",
    "MappingError",
    "ReadResult",
    "Reject",
    "UnreadableFileError",
    "load_mapping",
    "read_invoices",
    "rows_to_frame",
]

"""The demo book's invoices round-trip through the canonical CSV reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agent.demo import write_canonical_csv
from connectors.csv import load_mapping, read_invoices
from tests.agent.demo.factories import demo_book


def test_canonical_csv_reads_back_with_zero_rejects(tmp_path: Path) -> None:
    book = demo_book()
    path = tmp_path / "demo-invoices.csv"
    written = write_canonical_csv(book, path)
    result = read_invoices(path, load_mapping(None))
    assert result.rejects == []
    assert written == len(result.rows) == len(book.invoices)
    ledger = result.to_ledger()
    assert ledger.invoices["invoice_id"].tolist() == book.invoices["invoice_id"].tolist()
    np.testing.assert_allclose(ledger.invoices["amount"], book.invoices["amount"])
    np.testing.assert_allclose(ledger.invoices["amount_paid"], book.invoices["amount_paid"])
    assert ledger.open_amount.sum() == pytest.approx(book.ledger().open_amount.sum())


def test_canonical_csv_keeps_dates_flags_and_partial_payments(tmp_path: Path) -> None:
    book = demo_book()
    path = tmp_path / "demo-invoices.csv"
    write_canonical_csv(book, path)
    ledger = read_invoices(path, load_mapping(None)).to_ledger()
    for column in ("issue_date", "due_date", "paid_date", "paid_partially_on"):
        pd.testing.assert_series_equal(ledger.invoices[column], book.invoices[column], obj=column)
    assert ledger.invoices["disputed"].tolist() == book.invoices["disputed"].tolist()
    assert ledger.invoices["owner_email"].tolist() == book.invoices["owner_email"].tolist()
    assert (ledger.invoices["terms_days"] == book.invoices["terms_days"]).all()
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("invoice_id,customer_id,customer_name,issue_date,due_date,amount,")

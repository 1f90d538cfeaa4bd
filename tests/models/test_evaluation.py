"""The time-split evaluation: the served model against both baselines, AUC with and without history."""

import pandas as pd

from ledger.frame import Ledger
from models.evaluation import evaluate
from models.rows import LabelledRows
from tests.models.factories import habit_book


def test_auc_is_reported_for_customers_with_and_without_history() -> None:
    book = habit_book(customers=90)
    # A third of the customers are new in the test window: their invoices start late 2025.
    newcomers = book["customer_id"].isin([f"CUST{c:03d}" for c in range(0, 90, 3)])
    book = book[~newcomers | (book["issue_date"] >= "2025-09-01")].reset_index(drop=True)
    rows = LabelledRows.of(Ledger.from_invoices(book))
    result = evaluate(rows, pd.Timestamp("2025-09-01"))
    history = result["by_history"]
    test = rows.subset((rows.issue_dates >= "2025-09-01").to_numpy())
    first_invoices = int((test.features["hist_settled"] == 0).sum())
    assert history["without_history"]["rows"] == first_invoices > 30
    assert history["with_history"]["rows"] + first_invoices == result["test_rows"]
    for group in ("with_history", "without_history"):
        aucs = history[group]["roc_auc"]
        assert set(aucs) == {"model", "prior_late_rate", "invoice_only"}
        assert all(0.0 <= auc <= 1.0 for auc in aucs.values())

"""Scoring one invoice live for the API, with the book's history cached per process.

Building an :class:`InvoiceScorer` reads and sorts the whole book (a second on a large
one); scoring with it takes about a millisecond. The cache is rebuilt when the latest
model version, the last scoring run (each cycle) or the book date changes, so a retrain
or a cycle is picked up by the next request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from agent.profile.tables import Account, Invoice
from agent.risk.inputs import load_inputs
from agent.risk.service import last_scored_at
from models.registry import load_model, resolve_version
from models.scoring import InvoiceScorer

CacheKey = tuple[str, datetime | None, date]


@dataclass
class ScorerCache:
    """The process's current scorer and what it was built from."""

    key: CacheKey | None = None
    scorer: InvoiceScorer | None = None
    builds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, *, session: Session, home: Path, as_of: date) -> InvoiceScorer:
        """The scorer for the latest model and book; raises ``ModelLoadError`` with no model saved."""
        key: CacheKey = (resolve_version(home), last_scored_at(session=session), as_of)
        with self.lock:
            if self.scorer is None or self.key != key:
                inputs = load_inputs(session=session)
                model = load_model(home, key[0])
                self.scorer = InvoiceScorer.build(model, inputs.ledger, as_of, inputs.frames)
                self.key = key
                self.builds += 1
            return self.scorer


def invoice_fields(invoice: Invoice, account: Account) -> dict[str, Any]:
    """An invoice as the ledger columns the model reads (the same ones ``load_ledger`` gives)."""
    return {
        "invoice_id": str(invoice.id),
        "customer_id": str(invoice.account_id),
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "amount": float(invoice.amount),
        "disputed": invoice.disputed,
        "terms_days": invoice.terms_days,
        "delivery_channel": invoice.delivery_channel,
        "segment": account.segment,
    }

"""Benchmark: scoring a book of open invoices, feature building included, vs predict_proba alone.

One command: ``python bench/scoring.py --scale small|full``. A seeded synthetic book
(customers with their own lateness habits and a settled history, then open invoices)
is scored as of one date by :func:`models.scoring.score_open_invoices` (history index,
features, P(late), expected days late, reasons for the riskiest ``REASONS_FOR`` rows);
the baseline, measured in the same run, is the model's ``predict_proba`` alone on the
already prepared feature matrix. ``ratio`` = full scoring / predict_proba (target 4).
It also times the API path: the median latency of scoring one invoice with
:class:`models.scoring.InvoiceScorer` (target under 5 ms). Prints progress, then one
JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.frame import Ledger
from models.estimator import RiskModel
from models.features import HistoryIndex, InvoiceRows, compute_features
from models.scoring import InvoiceScorer, open_at, score_open_invoices
from models.training import train_model

T = TypeVar("T")
SCALES = {  # customers, settled history per customer, open invoices per customer
    "tiny": (300, 8, 3),
    "small": (10_000, 20, 10),
    "full": (100_000, 20, 10),
}
TRAIN_CUSTOMERS = 3_000
REASONS_FOR = 10_000
SINGLE_SAMPLES = 500
TARGET_RATIO = 4.0
TARGET_SINGLE_MS = 5.0
AS_OF = pd.Timestamp("2026-06-30")


def synthetic_book(customers: int, history: int, open_per: int, seed: int) -> pd.DataFrame:
    """Invoices of ``customers`` accounts: ``history`` settled then ``open_per`` open each."""
    rng = np.random.default_rng(seed)
    late_rate = rng.beta(1.5, 3.5, customers)
    delay = rng.gamma(2.0, 4.0, customers)  # mean days late when late
    scale = rng.lognormal(7.5, 1.0, customers)
    per = history + open_per
    who = np.repeat(np.arange(customers), per)
    settled = np.tile(np.arange(per) < history, customers)
    age = np.where(settled, rng.integers(45, 730, len(who)), rng.integers(0, 75, len(who)))
    issue = AS_OF - pd.to_timedelta(age, unit="D")
    terms = rng.choice([15, 30, 45, 60], len(who), p=[0.2, 0.5, 0.2, 0.1])
    disputed = rng.random(len(who)) < 0.05
    late = rng.random(len(who)) < np.clip(late_rate[who] + 0.3 * disputed, 0, 1)
    days_late = np.where(late, 1 + rng.poisson(delay[who]), -rng.integers(0, terms + 1))
    paid = issue + pd.to_timedelta(terms + days_late, unit="D")
    known = settled & (paid <= AS_OF)
    return pd.DataFrame(
        {
            "invoice_id": [f"INV{i:08d}" for i in range(len(who))],
            "customer_id": [f"C{c:06d}" for c in who],
            "issue_date": issue,
            "due_date": issue + pd.to_timedelta(terms, unit="D"),
            "amount": np.round(scale[who] * rng.lognormal(0, 0.4, len(who)), 2),
            "paid_date": pd.Series(paid).where(known),
            "disputed": disputed,
            "segment": np.array(["smb", "mid", "enterprise"])[who % 3],
            "delivery_channel": np.array(["email", "portal", "paper"])[rng.integers(0, 3, len(who))],
        }
    )


def _timed(label: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s", file=sys.stderr)
    return result, seconds


def _single_invoice_ms(model: RiskModel, ledger: Ledger, samples: int, seed: int) -> float:
    scorer = InvoiceScorer.build(model, ledger, AS_OF)
    open_rows = ledger.invoices[open_at(ledger.invoices, AS_OF)]
    picked = open_rows.sample(min(samples, len(open_rows)), random_state=seed)
    invoices = [{str(k): v for k, v in row.items()} for row in picked.to_dict("records")]
    scorer.score(invoices[0])  # first call builds the lookup tables and compiled trees
    latencies = []
    for invoice in invoices:
        start = time.perf_counter()
        scorer.score(invoice)
        latencies.append(time.perf_counter() - start)
    return float(np.median(latencies) * 1000)


def run(scale: str, seed: int = 7) -> dict[str, Any]:
    """Build the book, train, time both paths; return the figures."""
    customers, history, open_per = SCALES[scale]
    train_book = synthetic_book(min(TRAIN_CUSTOMERS, customers), history, 0, seed + 1)
    model, _ = _timed("train", train_model, Ledger.from_invoices(train_book))
    book, _ = _timed("build book", synthetic_book, customers, history, open_per, seed)
    ledger = Ledger.from_invoices(book)
    scores, full = _timed(
        "score_open_invoices", score_open_invoices, model, ledger, AS_OF, reasons_for=REASONS_FOR
    )
    open_rows = ledger.invoices[open_at(ledger.invoices, AS_OF)]
    columns = compute_features(
        HistoryIndex.build(ledger), InvoiceRows.from_frame(open_rows), _day_after(AS_OF)
    )
    matrix = model.matrix(columns)
    _, predict = _timed("predict_proba alone", model.classifier.predict_proba, matrix)
    single_ms = _single_invoice_ms(model, ledger, SINGLE_SAMPLES, seed)
    print(f"single invoice: {single_ms:.2f} ms median", file=sys.stderr)
    return {
        "bench": "scoring",
        "scale": scale,
        "open_invoices": len(scores),
        "customers": customers,
        "invoices": len(book),
        "score_seconds": round(full, 3),
        "predict_proba_seconds": round(predict, 3),
        "ratio": round(full / predict, 3),
        "target": TARGET_RATIO,
        "reasons_for": REASONS_FOR,
        "single_invoice_median_ms": round(single_ms, 3),
        "single_invoice_target_ms": TARGET_SINGLE_MS,
        "mean_p_late": round(float(scores["p_late"].mean()), 4),
    }


def _day_after(when: pd.Timestamp) -> int:
    return int((when.normalize() - pd.Timestamp("1970-01-01")).days) + 1


def main(argv: list[str] | None = None) -> int:
    """Parse ``--scale`` and print the result as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.scale)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

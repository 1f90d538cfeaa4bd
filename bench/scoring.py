"""Benchmark: building the features of a book of open invoices vs the model's predict_proba.

One command: ``python bench/scoring.py --scale small|full`` (full: 1,000,000 open
invoices over 3,000,000 invoices). A seeded synthetic book (customers with their own
lateness habits and a settled history, then open invoices) is prepared as of one date:
the history index, every feature and the model's matrix (``features_seconds``); the
baseline, measured in the same run, is ``predict_proba`` alone on that matrix, for the
full learner (candidate ``boosting``, whatever selection would serve on this book).
``ratio`` = features / predict_proba (target 2); ``peak_rss_mb`` is the process's peak
(target 2,048). The whole of :func:`models.scoring.score_open_invoices` (features,
P(late) and days late, the time-to-payment curve, reasons for the riskiest
``REASONS_FOR`` rows) is timed too (``score_seconds``), and the API path: the median
latency of scoring one invoice with :class:`models.scoring.InvoiceScorer` (target under
5 ms). Prints progress, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ledger.frame import Ledger
from models.candidates import CANDIDATES, DEFAULT
from models.estimator import RiskModel
from models.rows import LabelledRows
from models.scoring import InvoiceScorer, open_at, open_invoice_features, score_open_invoices
from models.survival import PayCurve

T = TypeVar("T")
SCALES = {  # customers, settled history per customer, open invoices per customer
    "tiny": (300, 8, 3),
    "small": (10_000, 20, 10),
    "full": (100_000, 20, 10),
}
TRAIN_CUSTOMERS = 3_000
REASONS_FOR = 10_000
SINGLE_SAMPLES = 500
TARGET_RATIO = 2.0
TARGET_PEAK_MB = 2048
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
            "customer_id": np.array([f"C{c:06d}" for c in range(customers)], dtype=object)[who],
            "issue_date": issue,
            "due_date": issue + pd.to_timedelta(terms, unit="D"),
            "amount": np.round(scale[who] * rng.lognormal(0, 0.4, len(who)), 2),
            "paid_date": pd.Series(paid).where(known),
            "disputed": disputed,
            "segment": np.array(["smb", "mid", "enterprise"], dtype=object)[who % 3],
            "delivery_channel": np.array(["email", "portal", "paper"], dtype=object)[
                rng.integers(0, 3, len(who))
            ],
        }
    )


CPU_SECONDS: dict[str, float] = {}


def _timed(label: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    """Run ``fn``; return its result and wall seconds (its CPU seconds go to ``CPU_SECONDS``)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    CPU_SECONDS[label] = time.process_time() - cpu
    print(
        f"{label}: {seconds:.2f} s wall, {CPU_SECONDS[label]:.2f} s CPU "
        f"(peak RSS so far {_peak_mb():.0f} MB)",
        file=sys.stderr,
    )
    return result, seconds


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def train(book: pd.DataFrame) -> RiskModel:
    """The full learner on a training book, with its time-to-payment curve."""
    ledger = Ledger.from_invoices(book)
    model = CANDIDATES[DEFAULT].fit(LabelledRows.of(ledger))
    model.pay_curve = PayCurve.fit(ledger.invoices)
    return model


def features_matrix(model: RiskModel, ledger: Ledger) -> np.ndarray:
    """History index, features of the open invoices and the model's matrix."""
    _, _, columns = open_invoice_features(ledger, AS_OF)
    return model.matrix(columns)


def run(scale: str, seed: int = 7) -> dict[str, Any]:
    """Build the book, train, time both paths; return the figures."""
    customers, history, open_per = SCALES[scale]
    model, _ = _timed("train", train, synthetic_book(min(TRAIN_CUSTOMERS, customers), history, 0, seed + 1))
    book, _ = _timed("build book", synthetic_book, customers, history, open_per, seed)
    ledger = Ledger.from_invoices(book)
    del book
    gc.collect()
    matrix, features = _timed("features", features_matrix, model, ledger)
    _, predict = _timed("predict_proba alone", model.classifier.predict_proba, matrix)
    open_invoices = len(matrix)
    del matrix
    gc.collect()
    scores, full = _timed(
        "score_open_invoices", score_open_invoices, model, ledger, AS_OF, reasons_for=REASONS_FOR
    )
    mean_p_late = float(scores["p_late"].mean())
    del scores  # a million reason lists; the API path below needs its own history index
    gc.collect()
    single_ms = _single_invoice_ms(model, ledger, SINGLE_SAMPLES, seed)
    print(f"single invoice: {single_ms:.2f} ms median", file=sys.stderr)
    peak_mb = _peak_mb()
    return {
        "bench": "scoring",
        "scale": scale,
        "model": DEFAULT,
        "open_invoices": open_invoices,
        "customers": customers,
        "invoices": len(ledger.invoices),
        "features_seconds": round(features, 3),
        "predict_proba_seconds": round(predict, 3),
        "ratio": round(features / predict, 3),
        "target": TARGET_RATIO,
        # On a busy machine wall time mostly measures the neighbours; CPU seconds do not
        # (features run on one core, predict_proba on all of them).
        "features_cpu_seconds": round(CPU_SECONDS["features"], 3),
        "predict_proba_cpu_seconds": round(CPU_SECONDS["predict_proba alone"], 3),
        "score_seconds": round(full, 3),
        "score_ratio": round(full / predict, 3),
        "peak_rss_mb": round(peak_mb, 1),
        "peak_rss_target_mb": TARGET_PEAK_MB,
        "reasons_for": REASONS_FOR,
        "single_invoice_median_ms": round(single_ms, 3),
        "single_invoice_target_ms": TARGET_SINGLE_MS,
        "mean_p_late": round(mean_p_late, 4),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse ``--scale`` and print the result as the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.scale)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

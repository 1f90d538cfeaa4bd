"""Benchmark: all receivables metrics per customer vs a plain group-by sum of open balance.

    python bench/metrics.py --scale small|full

Generates a seeded synthetic book (multi-currency, partial payments, instalments, credit
notes), then times, in the same run, ``compute_breakdown(by="customer")`` (every metric
for every customer and for the whole book, currency conversion included) against
``open balance.groupby(customer_id).sum()``. Prints progress, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.metrics.rates import Rates
from agent.metrics.service import compute_breakdown
from ledger.frame import Ledger, normalise_invoices

SCALES = {"tiny": (2_000, 200), "small": (50_000, 5_000), "full": (1_000_000, 100_000)}
AS_OF = date(2025, 6, 30)
RATES = Rates("USD", {"EUR": 1.08, "GBP": 1.27})
TARGET = 3.0
MEMORY_LIMIT_MB = 2048


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return (prefix + pd.Series(numbers).astype(str).str.zfill(width)).to_numpy(dtype=object)


def _invoices(rng: np.random.Generator, count: int, customers: int) -> pd.DataFrame:
    customer = rng.integers(0, customers, count)
    issue = np.datetime64(AS_OF, "D") - rng.integers(0, 730, count)
    credit = rng.random(count) < 0.03
    terms = np.where(credit, 0, rng.choice([15, 30, 45, 60, 90], count))
    amount = np.round(rng.lognormal(7.0, 1.2, count), 2)
    return pd.DataFrame(
        {
            "invoice_id": _ids("INV", np.arange(count), 8),
            "customer_id": _ids("C", customer, 7),
            "issue_date": issue.astype("datetime64[ns]"),
            "due_date": (issue + terms).astype("datetime64[ns]"),
            "amount": np.where(credit, -np.round(amount * 0.2, 2), amount),
            "currency": rng.choice(np.array(["USD", "EUR", "GBP"], dtype=object), count, p=[0.9, 0.07, 0.03]),
            "terms_days": terms,
            "disputed": rng.random(count) < 0.02,
            "owner_email": _ids("csm", rng.integers(0, 50, count), 2) + "@example.com",
            "segment": rng.choice(np.array(["smb", "mid", "enterprise"], dtype=object), count),
            "_delay": rng.normal(5, 12, customers)[customer] + rng.normal(0, 5, count),
        }
    )


def _payments(
    rng: np.random.Generator, invoices: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Payments, plus each invoice's amount paid and settlement date (NaT while open)."""
    amount = invoices["amount"].to_numpy()
    issue = invoices["issue_date"].to_numpy().astype("datetime64[D]")
    pay_day = np.maximum(
        invoices["due_date"].to_numpy().astype("datetime64[D]")
        + np.round(invoices.pop("_delay").to_numpy()).astype(int),
        issue,
    )
    settled = pay_day <= np.datetime64(AS_OF, "D")
    span = (np.datetime64(AS_OF, "D") - issue).astype(int)
    first_day = issue + (
        rng.random(amount.size) * np.where(settled, (pay_day - issue).astype(int), span)
    ).astype(int)
    split = rng.random(amount.size) < np.where(settled, 0.1, 0.15)
    first_share = np.where(split, np.round(rng.uniform(0.3, 0.7, amount.size), 2), 0.0)
    first = np.round(amount * first_share, 2)
    second = np.where(settled, amount - first, 0.0)
    rows = [
        (np.flatnonzero(split), first_day, first),
        (np.flatnonzero(settled), pay_day, second),
    ]
    payments = pd.concat(
        [
            pd.DataFrame(
                {
                    "invoice_id": invoices["invoice_id"].to_numpy()[at],
                    "customer_id": invoices["customer_id"].to_numpy()[at],
                    "paid_on": days[at].astype("datetime64[ns]"),
                    "amount": paid[at],
                }
            )
            for at, days, paid in rows
        ],
        ignore_index=True,
    )
    paid_date = np.where(settled, pay_day.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
    return payments, np.where(settled, amount, first), paid_date


def synthetic_ledger(invoice_count: int, customers: int, seed: int = 7) -> Ledger:
    """A seeded book of ``invoice_count`` invoices over two years for ``customers`` customers."""
    rng = np.random.default_rng(seed)
    invoices = _invoices(rng, invoice_count, customers)
    payments, amount_paid, paid_date = _payments(rng, invoices)
    invoices["amount_paid"] = amount_paid
    invoices["paid_date"] = paid_date
    invoices["customer_name"] = invoices["customer_id"]
    return Ledger(invoices=normalise_invoices(invoices), payments=payments)


def interleaved_best(
    first: Callable[[], object], second: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Fastest of ``repeats`` runs of each, alternating so both see the same machine load."""
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for slot, run in enumerate((first, second)):
            start = time.perf_counter()
            run()
            best[slot] = min(best[slot], time.perf_counter() - start)
    return best[0], best[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    count, customers = SCALES[args.scale]
    print(f"generating {count:,} invoices for {customers:,} customers...", file=sys.stderr)
    ledger = synthetic_ledger(count, customers)
    invoices = ledger.invoices
    print(f"{len(ledger.payments):,} payments; timing...", file=sys.stderr)

    def baseline() -> object:
        return (invoices["amount"] - invoices["amount_paid"]).groupby(invoices["customer_id"]).sum()

    def metrics() -> object:
        return compute_breakdown(ledger, AS_OF, 30, by="customer", rates=RATES)

    baseline_seconds, metrics_seconds = interleaved_best(baseline, metrics, args.repeats)
    breakdown = compute_breakdown(ledger, AS_OF, 30, by="customer", rates=RATES)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"baseline {baseline_seconds:.3f}s, metrics {metrics_seconds:.3f}s", file=sys.stderr)
    result = {
        "bench": "metrics",
        "scale": args.scale,
        "invoices": count,
        "customers": customers,
        "payments": len(ledger.payments),
        "groups": len(breakdown),
        "baseline_seconds": round(baseline_seconds, 4),
        "metrics_seconds": round(metrics_seconds, 4),
        "ratio": round(metrics_seconds / baseline_seconds, 3),
        "target": TARGET,
        "peak_rss_mb": round(peak_mb, 1),
        "memory_limit_mb": MEMORY_LIMIT_MB,
        "total_dso": breakdown.total.dso,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

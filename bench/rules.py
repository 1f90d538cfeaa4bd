"""Benchmark: the default rule pack over many open invoices vs hand-written numpy masks.

    python bench/rules.py --scale small|full      (tiny is for the test suite)

Builds a seeded synthetic book (open invoices with account, risk, promise, dispute and
CRM columns, plus the past values the change rules compare with), then times
``rules.engine.masks`` for the default pack against the same nine conditions written
by hand with numpy, in the same run, and checks both give identical masks. Prints
progress, then one JSON line: ``ratio`` = engine time / hand time, ``target`` 3.0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rules.catalogue import CATALOGUE  # noqa: E402
from rules.context import EvaluationContext  # noqa: E402
from rules.engine import masks  # noqa: E402
from rules.expr.tokens import day_number  # noqa: E402
from rules.frame import ColumnFrame, missing_column  # noqa: E402
from rules.loader import load_rules  # noqa: E402

SCALES = {"tiny": 20_000, "small": 200_000, "full": 1_000_000}
INVOICES_PER_ACCOUNT = 20
AS_OF = date(2024, 6, 30)
TARGET = 3.0
REPEATS = 3


def _with_missing(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    out = values.astype(float)
    out[rng.random(len(out)) < share] = np.nan
    return out


def synthetic_columns(n: int, seed: int) -> tuple[dict, dict, np.ndarray, np.ndarray, np.ndarray]:
    """Invoice-level and account-level columns, and the invoice -> account index."""
    rng = np.random.default_rng(seed)
    accounts = max(n // INVOICES_PER_ACCOUNT, 1)
    today = float(day_number(AS_OF))
    account_of = rng.integers(0, accounts, n)
    due = today + rng.integers(-90, 60, n)
    account = {
        "account.open_ar": rng.gamma(2.0, 20_000, accounts),
        "account.overdue_ar": np.where(rng.random(accounts) < 0.5, rng.gamma(2.0, 5_000, accounts), 0.0),
        "account.dso": _with_missing(rng, rng.gamma(4.0, 12.0, accounts), 0.1),
        "account.credit_limit": _with_missing(rng, rng.gamma(2.0, 25_000, accounts), 0.3),
        "account.avg_days_late_90d": _with_missing(rng, rng.gamma(1.5, 6.0, accounts), 0.2),
        "crm.renewal_in_days": _with_missing(rng, rng.integers(-30, 365, accounts), 0.4),
    }
    promise = _with_missing(rng, today + rng.integers(-20, 20, n), 0.9)
    invoice = {
        "invoice.amount_open": rng.gamma(2.0, 3_000, n),
        "invoice.days_past_due": np.maximum(today - due, 0.0),
        "invoice.days_to_due": due - today,
        "invoice.age_days": today - (due - 30),
        "invoice.disputed": rng.random(n) < 0.05,
        "invoice.last_payment_date": _with_missing(rng, today - rng.integers(0, 60, n), 0.6),
        "invoice.value_percentile": rng.random(n),
        "risk.p_late": _with_missing(rng, rng.beta(2, 5, n), 0.02),
        "promise.date": promise,
        "dispute.open": rng.random(n) < 0.04,
        "dispute.age_days": _with_missing(rng, rng.integers(0, 60, n), 0.5),
    }
    past = {
        "risk.p_late": _with_missing(rng, rng.beta(2, 5, n), 0.05),
        "account.dso": _with_missing(rng, rng.gamma(4.0, 12.0, accounts), 0.1),
        "account.avg_days_late_90d": _with_missing(rng, rng.gamma(1.5, 6.0, accounts), 0.2),
    }
    return invoice, account, account_of, past, np.arange(accounts)


class Book:
    """The synthetic book as engine frames (rebuilt per run so no alignment is cached)."""

    def __init__(self, n: int, seed: int = 7) -> None:
        self.invoice, self.account, self.account_of, self.past, account_ids = synthetic_columns(n, seed)
        self.invoice_ids = np.array([f"INV-{i:07d}" for i in range(n)], dtype=object)
        self.account_ids = np.array([f"ACC-{i:06d}" for i in account_ids], dtype=object)
        # Row keys are integer positions, as the context builder uses.
        self.invoice_keys = np.arange(n, dtype=np.int64)
        self.account_keys = np.asarray(account_ids, dtype=np.int64)
        rng = np.random.default_rng(seed + 1)
        # A week ago some of today's invoices did not exist yet, and rows were in another order.
        invoice_rows = rng.permutation(np.flatnonzero(rng.random(n) < 0.9))
        account_rows = rng.permutation(len(account_ids))
        self.past_invoice_keys = self.invoice_keys[invoice_rows]
        self.past_account_keys = self.account_keys[account_rows]
        self.past_invoice = {"risk.p_late": self.past["risk.p_late"][invoice_rows]}
        self.past_account = {
            name: self.past[name][account_rows] for name in ("account.dso", "account.avg_days_late_90d")
        }

    def context(self) -> EvaluationContext:
        n, accounts = len(self.invoice_keys), len(self.account_keys)
        inv_data = {name: missing_column(name, n) for name in CATALOGUE}
        inv_data |= self.invoice | {name: values[self.account_of] for name, values in self.account.items()}
        acc_data = {
            name: missing_column(name, accounts) for name in CATALOGUE if CATALOGUE[name].account_scope
        }
        acc_data |= self.account
        past_inv = ColumnFrame(self.past_invoice, self.past_invoice_keys, AS_OF)
        past_acc = ColumnFrame(self.past_account, self.past_account_keys, AS_OF)
        ids = {"invoice_id": self.invoice_ids, "customer_id": self.account_ids[self.account_of]}
        invoices = ColumnFrame(inv_data, self.invoice_keys, AS_OF, lambda days: past_inv, ids)
        accounts_frame = ColumnFrame(
            acc_data,
            self.account_keys,
            AS_OF,
            lambda days: past_acc,
            {"customer_id": self.account_ids},
        )
        return EvaluationContext(AS_OF, invoices, accounts_frame)


def hand_masks(book: Book) -> dict[str, np.ndarray]:
    """The default pack's nine conditions written directly with numpy."""
    inv, acc, today = book.invoice, book.account, float(day_number(AS_OF))
    past_p = _align(book.invoice_keys, book.past_invoice_keys, book.past_invoice["risk.p_late"])
    # One key alignment serves both account fields, as the engine's cache does.
    account_index = pd.Index(book.past_account_keys).get_indexer(book.account_keys)
    past_dso = _take(account_index, book.past_account["account.dso"])
    past_late = _take(account_index, book.past_account["account.avg_days_late_90d"])
    with np.errstate(all="ignore"):
        dso_change = np.where(past_dso == 0, np.nan, (acc["account.dso"] - past_dso) / np.abs(past_dso)) * 100
        age = np.where(np.isnan(inv["dispute.age_days"]), inv["invoice.age_days"], inv["dispute.age_days"])
        to_due, p_late = inv["invoice.days_to_due"], inv["risk.p_late"]
        renewal = acc["crm.renewal_in_days"]
        return {
            "pre-due-high-risk": (to_due >= 0) & (to_due <= 7) & (p_late >= 0.6) & ~inv["invoice.disputed"],
            "overdue-high-value": (inv["invoice.days_past_due"] >= 7)
            & (inv["invoice.value_percentile"] >= 0.8)
            & (p_late >= 0.5),
            "risk-spike": (p_late - past_p >= 0.2) & (inv["invoice.days_past_due"] == 0),
            "broken-promise": (today >= inv["promise.date"] + 2)
            & ~(inv["invoice.last_payment_date"] >= inv["promise.date"]),
            "ageing-dispute": inv["dispute.open"] & (age >= 14),
            "credit-limit-exceeded": acc["account.open_ar"] > acc["account.credit_limit"],
            "dso-worsening": (dso_change >= 20) & (acc["account.overdue_ar"] > 0),
            "renewal-with-overdue": (renewal >= 0) & (renewal <= 60) & (acc["account.overdue_ar"] > 0),
            "deteriorating-payer": (acc["account.avg_days_late_90d"] - past_late >= 5)
            & (acc["account.open_ar"] > 0),
        }


def _align(keys: np.ndarray, past_keys: np.ndarray, past_values: np.ndarray) -> np.ndarray:
    return _take(pd.Index(past_keys).get_indexer(keys), past_values)


def _take(indexer: np.ndarray, past_values: np.ndarray) -> np.ndarray:
    return np.where(indexer >= 0, past_values[np.maximum(indexer, 0)], np.nan)


def _best(fn: Callable[[int], dict[str, np.ndarray]]) -> tuple[float, dict[str, np.ndarray]]:
    best, result = float("inf"), {}
    for attempt in range(REPEATS):
        started = time.perf_counter()
        result = fn(attempt)
        best = min(best, time.perf_counter() - started)
    return best, result


def run(scale: str) -> dict:
    n = SCALES[scale]
    print(f"building a synthetic book of {n:,} open invoices", flush=True)
    book = Book(n)
    rules = load_rules([ROOT / "rules" / "pack"])
    print(f"timing the engine on {len(rules)} rules (best of {REPEATS})", flush=True)
    # Fresh contexts per attempt, built outside the timing: building columns is the
    # context builder's job, and fresh frames keep past-value alignment uncached.
    contexts = [book.context() for _ in range(REPEATS)]
    engine_seconds, engine = _best(lambda attempt: masks(rules, contexts[attempt]))
    print("timing hand-written numpy masks", flush=True)
    hand_seconds, hand = _best(lambda attempt: hand_masks(book))
    identical = all(np.array_equal(engine[name], hand[name]) for name in hand)
    return {
        "bench": "rules",
        "scale": scale,
        "ratio": round(engine_seconds / hand_seconds, 3),
        "target": TARGET,
        "invoices": n,
        "accounts": len(book.account_keys),
        "rules": len(rules),
        "engine_seconds": round(engine_seconds, 4),
        "hand_seconds": round(hand_seconds, 4),
        "identical_masks": identical,
        "fired": {name: int(mask.sum()) for name, mask in engine.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    result = run(parser.parse_args(argv).scale)
    print(json.dumps(result))
    return 0 if result["identical_masks"] else 1


if __name__ == "__main__":
    sys.exit(main())

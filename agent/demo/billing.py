"""What the demo book bills: recurring invoices, usage invoices and credit notes over 24 months."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from agent.demo.accounts import BillingPlans

HISTORY_MONTHS = 24
CREDIT_NOTE_RATE = 0.025
DISPUTING_CREDIT_NOTE_RATE = 0.10


def build_schedule(
    rng: np.random.Generator, *, accounts: pd.DataFrame, plans: BillingPlans, as_of: date
) -> pd.DataFrame:
    """Every document issued in the window, sorted by issue date.

    Columns: ``account`` (row position in ``accounts``), ``issue_date``, ``amount``,
    ``kind`` (recurring | usage | credit_note), ``terms_days``.
    """
    end = pd.Timestamp(as_of)
    start = end - pd.DateOffset(months=HISTORY_MONTHS)
    recurring = _recurring(rng, accounts, plans, start, end)
    usage = _usage(rng, accounts, plans, start, end)
    billed = pd.concat([recurring, usage], ignore_index=True)
    notes = _credit_notes(rng, billed, accounts, end)
    schedule = pd.concat([billed, notes], ignore_index=True)
    return schedule.sort_values(["issue_date", "account", "kind"], kind="stable").reset_index(drop=True)


def _recurring(
    rng: np.random.Generator,
    accounts: pd.DataFrame,
    plans: BillingPlans,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    count = len(accounts)
    first_month = start.to_period("M").to_timestamp()
    months = pd.DatetimeIndex([first_month + pd.DateOffset(months=m) for m in range(HISTORY_MONTHS + 1)])
    grid_month = np.tile(np.arange(len(months)), count)
    account = np.repeat(np.arange(count), len(months))
    issue = months.values[grid_month] + (plans.billing_day[account] - 1).astype("timedelta64[D]")
    created = accounts["created_at"].to_numpy()[account]
    keep = (issue > start.to_datetime64()) & (issue <= end.to_datetime64()) & (issue >= created)
    # Quarterly accounts are billed every third month, for three months at a time.
    keep &= ~plans.quarterly[account] | (grid_month % 3 == account % 3)
    account, issue = account[keep], issue[keep]
    scale = np.where(plans.quarterly[account], 3.0, 1.0)
    amount = plans.monthly_amount[account] * scale * rng.lognormal(0.0, 0.12, len(account))
    return _frame(account, issue, amount, "recurring", accounts)


def _usage(
    rng: np.random.Generator,
    accounts: pd.DataFrame,
    plans: BillingPlans,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.DataFrame:
    per_account = rng.poisson(plans.usage_rate * HISTORY_MONTHS)
    account = np.repeat(np.arange(len(accounts)), per_account)
    span = (end - start).days
    issue = start.to_datetime64() + rng.integers(1, span + 1, len(account)).astype("timedelta64[D]")
    keep = issue >= accounts["created_at"].to_numpy()[account]
    account, issue = account[keep], issue[keep]
    amount = plans.monthly_amount[account] * rng.uniform(0.05, 0.6, len(account))
    return _frame(account, issue, amount, "usage", accounts)


def _credit_notes(
    rng: np.random.Generator, billed: pd.DataFrame, accounts: pd.DataFrame, end: pd.Timestamp
) -> pd.DataFrame:
    disputing = (accounts["archetype"] == "disputing").to_numpy()[billed["account"].to_numpy()]
    rate = np.where(disputing, DISPUTING_CREDIT_NOTE_RATE, CREDIT_NOTE_RATE)
    source = billed[rng.random(len(billed)) < rate]
    issue = source["issue_date"].to_numpy() + rng.integers(5, 41, len(source)).astype("timedelta64[D]")
    keep = issue <= end.to_datetime64()
    amount = -source["amount"].to_numpy() * rng.uniform(0.05, 0.3, len(source))
    notes = _frame(source["account"].to_numpy()[keep], issue[keep], amount[keep], "credit_note", accounts)
    notes["terms_days"] = 0
    return notes


def _frame(
    account: np.ndarray, issue: np.ndarray, amount: np.ndarray, kind: str, accounts: pd.DataFrame
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account": account.astype("int64"),
            "issue_date": pd.to_datetime(issue).astype("datetime64[ns]"),
            "amount": np.round(amount, 2),
            "kind": kind,
            "terms_days": accounts["default_terms_days"].to_numpy()[account].astype("int64"),
        }
    )

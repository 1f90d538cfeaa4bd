"""Disputes, promises to pay and CRM signals that follow (weakly) from payment behaviour."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from agent.demo.behaviour import PayerProfiles, expected_delay

DISPUTE_REASONS: tuple[str, ...] = ("pricing", "service", "duplicate", "quantity", "other")
DISPUTE_REASON_WEIGHTS = (0.35, 0.25, 0.1, 0.2, 0.1)
PROMISE_GRACE_DAYS = 2
SIGNAL_MONTHS = 12
TICKETS_BY_SEGMENT = {"smb": 0.8, "mid-market": 2.0, "enterprise": 4.0}
DEALS_BY_SEGMENT = {"smb": 0.3, "mid-market": 0.8, "enterprise": 1.5}


def _days(rng: np.random.Generator, low: int, high: int, size: int) -> np.ndarray:
    return rng.integers(low, high, size).astype("timedelta64[D]")


def build_disputes(
    rng: np.random.Generator,
    *,
    invoices: pd.DataFrame,
    ever_disputed: np.ndarray,
    cleared_on: np.ndarray,
    as_of: date,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Disputes opened by ``as_of`` and, per invoice, whether it is disputed by then."""
    issue = invoices["issue_date"].to_numpy()
    opened = np.maximum(
        issue,
        np.minimum(issue + _days(rng, 3, 31, len(issue)), cleared_on - np.timedelta64(1, "D")),
    )
    end = pd.Timestamp(as_of).to_datetime64()
    disputed = ever_disputed & (opened <= end)
    rows = np.flatnonzero(disputed)
    resolved = np.maximum(opened[rows], cleared_on[rows] - _days(rng, 0, 8, len(rows)))
    is_resolved = resolved <= end
    frame = pd.DataFrame(
        {
            "dispute_id": [f"dsp-{number + 1:05d}" for number in range(len(rows))],
            "account_id": invoices["customer_id"].to_numpy()[rows],
            "invoice_id": invoices["invoice_id"].to_numpy()[rows],
            "opened_at": opened[rows].astype("datetime64[ns]"),
            "reason": rng.choice(
                np.array(DISPUTE_REASONS, dtype=object), size=len(rows), p=DISPUTE_REASON_WEIGHTS
            ),
            "status": np.where(is_resolved, "resolved", "open").astype(object),
            "resolved_at": np.where(is_resolved, resolved, np.datetime64("NaT")).astype("datetime64[ns]"),
        }
    )
    return frame, disputed


def build_promises(
    rng: np.random.Generator,
    *,
    invoices: pd.DataFrame,
    payments: pd.DataFrame,
    cleared_on: np.ndarray,
    as_of: date,
) -> pd.DataFrame:
    """Promises CSMs logged on overdue invoices before they were paid; kept, broken or open."""
    end = pd.Timestamp(as_of).to_datetime64()
    due = invoices["due_date"].to_numpy()
    created = due + _days(rng, 3, 25, len(due))
    is_open = cleared_on > end
    chance = np.where(is_open, 0.6, 0.35)
    eligible = (invoices["amount"].to_numpy() > 0) & (created < cleared_on) & (created <= end)
    rows = np.flatnonzero(eligible & (rng.random(len(due)) < chance))
    created = created[rows]
    promised = created + _days(rng, 3, 15, len(rows))
    cleared = cleared_on[rows]
    grace = np.timedelta64(PROMISE_GRACE_DAYS, "D")
    kept = (cleared <= promised + grace) & (cleared <= end)
    broken = ~kept & (promised + grace < end)
    ids = invoices["invoice_id"].to_numpy()[rows]
    return pd.DataFrame(
        {
            "promise_id": [f"prm-{number + 1:05d}" for number in range(len(rows))],
            "account_id": invoices["customer_id"].to_numpy()[rows],
            "invoice_id": ids,
            "promised_date": promised.astype("datetime64[ns]"),
            "amount": invoices["amount"].to_numpy()[rows] - _paid_before(payments, ids, created),
            "created_at": (
                created + rng.integers(8 * 60, 18 * 60, len(rows)).astype("timedelta64[m]")
            ).astype("datetime64[ns]"),
            "created_by_email": invoices["owner_email"].to_numpy()[rows],
            "status": np.select([kept, broken], ["kept", "broken"], "open").astype(object),
        }
    )


def _paid_before(payments: pd.DataFrame, invoice_ids: np.ndarray, when: np.ndarray) -> np.ndarray:
    """What had been paid on each invoice before the promise was made."""
    asked = pd.DataFrame(
        {
            "invoice_id": invoice_ids,
            "when": when.astype("datetime64[ns]"),
            "row": np.arange(len(when)),
        }
    )
    joined = asked.merge(payments[["invoice_id", "paid_on", "amount"]], on="invoice_id")
    joined = joined[joined["paid_on"] < joined["when"]]
    return np.round(
        np.bincount(joined["row"].to_numpy(), weights=joined["amount"].to_numpy(), minlength=len(when)),
        2,
    )


def build_signals(
    rng: np.random.Generator, *, accounts: pd.DataFrame, profiles: PayerProfiles, as_of: date
) -> pd.DataFrame:
    """Monthly CRM observations for a year; health, tickets and NPS track lateness, noisily."""
    end = pd.Timestamp(as_of)
    months = pd.DatetimeIndex([end - pd.DateOffset(months=m) for m in range(SIGNAL_MONTHS - 1, -1, -1)])
    n = len(accounts)
    account = np.repeat(np.arange(n), len(months))
    month = np.tile(np.arange(len(months)), n)
    observed = months.values[month] - _days(rng, 0, 5, len(account))
    keep = observed >= accounts["created_at"].to_numpy()[account]
    account, month, observed = account[keep], month[keep], observed[keep]
    risk = np.maximum(expected_delay(profiles, account, observed), -5.0)
    segment = accounts["segment"].to_numpy()[account]
    size = len(account)
    values = {
        "health_score": np.clip(
            np.round(78 - 0.45 * risk + rng.normal(0, 9, n)[account] + rng.normal(0, 7, size)),
            0,
            100,
        ),
        "open_tickets": rng.poisson(
            np.maximum(
                0.3,
                pd.Series(segment).map(TICKETS_BY_SEGMENT).to_numpy() + 0.04 * np.maximum(risk, 0),
            )
        ),
        "open_deals": rng.poisson(pd.Series(segment).map(DEALS_BY_SEGMENT).to_numpy()),
        "nps": np.clip(np.round(8.2 - 0.06 * risk + rng.normal(0, 1.6, size)), 0, 10),
    }
    frames = [
        _signal_frame(accounts, account, kind, value.astype(int).astype(str), observed)
        for kind, value in values.items()
    ]
    frames[-1] = frames[-1][month % 3 == 2]  # NPS is surveyed quarterly.
    frames.append(_renewals(rng, accounts, end))
    signals = pd.concat(frames, ignore_index=True)
    signals["observed_at"] = (
        signals["observed_at"] + pd.to_timedelta(rng.integers(0, 24 * 60, len(signals)), unit="m")
    ).astype("datetime64[ns]")
    source = pd.Series(np.where(rng.random(n) < 0.6, "hubspot", "salesforce"), index=accounts["account_id"])
    signals["source"] = signals["account_id"].map(source).astype(object)
    return signals.sort_values(["observed_at", "account_id", "kind"], kind="stable").reset_index(drop=True)


def _signal_frame(
    accounts: pd.DataFrame, account: np.ndarray, kind: str, value: np.ndarray, observed: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": accounts["account_id"].to_numpy()[account],
            "kind": kind,
            "value": value.astype(object),
            "observed_at": observed.astype("datetime64[ns]"),
        }
    )


def _renewals(rng: np.random.Generator, accounts: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """The next contract anniversary after as-of, observed a few weeks ago."""
    created = accounts["created_at"]
    years = np.ceil(((end - created).dt.days + 1) / 365.25).astype(int)
    renewal = created + pd.to_timedelta(np.round(years * 365.25), unit="D")
    observed = (end - pd.to_timedelta(rng.integers(1, 40, len(accounts)), unit="D")).to_numpy()
    observed = np.maximum(observed, created.to_numpy())
    value = renewal.dt.strftime("%Y-%m-%d").to_numpy()
    return _signal_frame(accounts, np.arange(len(accounts)), "renewal_date", value, observed)

"""How each payer archetype pays: expected days late over time, plus heavy per-invoice noise.

Days late = the account's expected delay at the due date (its archetype, segment and
delivery channel) + account-sized noise + rare shocks (a lost invoice, a cash crunch)
+ extra delay while disputed. Prompt payers on 2/10 net 30 often pay inside the discount
window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

DETERIORATION_MONTHS = 8
DISPUTE_RATE = {"disputing": 0.22}
BASE_DISPUTE_RATE = 0.015
SEASONS = (np.array([10, 11, 12]), np.array([7, 8]))
SEGMENT_DELAY = {"smb": 0.5, "mid-market": 0.0, "enterprise": 2.0}
CHANNEL_DELAY = {"email": 0.0, "portal": -1.0, "paper": 4.0}
MIN_DAYS_TO_PAY = 1


@dataclass(frozen=True)
class PayerProfiles:
    """Per-account payment behaviour (same order as the accounts frame)."""

    archetype: np.ndarray
    base: np.ndarray
    ramp_to: np.ndarray
    season: np.ndarray
    season_boost: np.ndarray
    spread: np.ndarray
    offset: np.ndarray
    ramp_start: np.datetime64
    ramp_end: np.datetime64


def draw_profiles(
    rng: np.random.Generator, *, accounts: pd.DataFrame, channels: np.ndarray, as_of: date
) -> PayerProfiles:
    """Draw each account's latent payment behaviour from its archetype."""
    archetype = accounts["archetype"].to_numpy()
    n = len(archetype)
    base = rng.normal(-4.0, 1.5, n)
    base = np.where(archetype == "chronically_late", rng.uniform(8.0, 35.0, n), base)
    base = np.where(archetype == "disputing", rng.normal(4.0, 4.0, n), base)
    base = np.where(archetype == "partial_payer", rng.normal(3.0, 4.0, n), base)
    base = np.where(archetype == "seasonal", rng.normal(-1.0, 2.0, n), base)
    offset = accounts["segment"].map(SEGMENT_DELAY).to_numpy(float) + pd.Series(channels).map(
        CHANNEL_DELAY
    ).to_numpy(float)
    end = pd.Timestamp(as_of)
    return PayerProfiles(
        archetype=archetype,
        base=base,
        ramp_to=np.where(archetype == "deteriorating", rng.uniform(20.0, 45.0, n), 0.0),
        season=rng.integers(0, len(SEASONS), n),
        season_boost=np.where(archetype == "seasonal", rng.uniform(15.0, 35.0, n), 0.0),
        spread=2.5 + 0.3 * np.abs(base) + rng.uniform(0.0, 2.0, n),
        offset=offset,
        ramp_start=(end - pd.DateOffset(months=DETERIORATION_MONTHS)).to_datetime64(),
        ramp_end=end.to_datetime64(),
    )


def expected_delay(profiles: PayerProfiles, account: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Expected days late for invoices of ``account`` falling due on ``when``."""
    span = (profiles.ramp_end - profiles.ramp_start).astype("timedelta64[D]").astype(float)
    progress = np.clip((when - profiles.ramp_start).astype("timedelta64[D]").astype(float) / span, 0, 1)
    month = pd.DatetimeIndex(when).month.to_numpy()
    in_season = np.zeros(len(account), dtype=bool)
    for index, months in enumerate(SEASONS):
        in_season |= (profiles.season[account] == index) & np.isin(month, months)
    return (
        profiles.base[account]
        + profiles.offset[account]
        + progress * profiles.ramp_to[account]
        + in_season * profiles.season_boost[account]
    )


def draw_disputed(rng: np.random.Generator, profiles: PayerProfiles, account: np.ndarray) -> np.ndarray:
    """Which invoices the customer disputes at some point."""
    rate = np.where(profiles.archetype[account] == "disputing", DISPUTE_RATE["disputing"], BASE_DISPUTE_RATE)
    return rng.random(len(account)) < rate


def draw_days_to_settle(
    rng: np.random.Generator,
    profiles: PayerProfiles,
    schedule: pd.DataFrame,
    disputed: np.ndarray,
    early_discount: np.ndarray,
) -> np.ndarray:
    """Days from issue to the payment that clears each invoice (credit notes: to application)."""
    account = schedule["account"].to_numpy()
    terms = schedule["terms_days"].to_numpy()
    due = (schedule["issue_date"] + pd.to_timedelta(terms, unit="D")).to_numpy()
    n = len(account)
    mean = expected_delay(profiles, account, due)
    late = mean + profiles.spread[account] * rng.standard_t(4, n) * 0.6
    # Even chronic payers sometimes pay on time; anyone occasionally loses an invoice.
    late = np.where(rng.random(n) < 0.12, rng.normal(-2.0, 2.0, n), late)
    late += np.where(rng.random(n) < 0.06, rng.uniform(10.0, 60.0, n), 0.0)
    late += np.where(rng.random(n) < 0.015, rng.uniform(60.0, 200.0, n), 0.0)
    late += np.where(disputed, rng.uniform(25.0, 90.0, n), 0.0)
    takes_discount = early_discount & (mean < 2.0) & (rng.random(n) < 0.45)
    days = np.where(takes_discount, rng.integers(3, 11, n), np.round(terms + late))
    is_note = (schedule["kind"] == "credit_note").to_numpy()
    days = np.where(is_note, rng.integers(0, 21, n), np.maximum(days, MIN_DAYS_TO_PAY))
    return days.astype("int64")

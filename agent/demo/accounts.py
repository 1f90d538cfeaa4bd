"""Demo accounts (with their hidden payer archetype), their billing plans and contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from agent.demo.ids import hubspot_company_ids, salesforce_account_ids, stripe_customer_ids
from agent.demo.words import COMPANY_WORDS, CONTACT_TITLES, FIRST_NAMES, INDUSTRY_WORDS, LAST_NAMES

ARCHETYPES: tuple[str, ...] = (
    "prompt",
    "chronically_late",
    "deteriorating",
    "seasonal",
    "disputing",
    "partial_payer",
)
ARCHETYPE_WEIGHTS = np.array([0.40, 0.15, 0.12, 0.11, 0.10, 0.12])
SEGMENTS: tuple[str, ...] = ("smb", "mid-market", "enterprise")
SEGMENT_WEIGHTS = np.array([0.55, 0.30, 0.15])
TERMS_LABELS: tuple[str, ...] = ("net 15", "net 30", "2/10 net 30", "net 45", "net 60")
TERMS_DAYS = np.array([15, 30, 30, 45, 60])
TERMS_BY_SEGMENT = np.array(
    [
        [0.35, 0.45, 0.15, 0.05, 0.00],
        [0.05, 0.45, 0.20, 0.20, 0.10],
        [0.00, 0.25, 0.10, 0.30, 0.35],
    ]
)
# Monthly billing: median and log-spread per segment, clipped to the segment's range.
AMOUNT_MEDIAN = np.array([1_800.0, 14_000.0, 80_000.0])
AMOUNT_SIGMA = np.array([0.55, 0.5, 0.55])
AMOUNT_RANGE = np.array([[500.0, 5_000.0], [5_000.0, 40_000.0], [30_000.0, 250_000.0]])
CURRENCY_COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "USD": (("US", "CA"), (0.9, 0.1)),
    "EUR": (("DE", "FR", "NL", "IE", "ES"), (0.35, 0.25, 0.2, 0.1, 0.1)),
    "GBP": (("GB",), (1.0,)),
}
TOP_LEVEL_DOMAIN = {
    "US": "com",
    "CA": "ca",
    "DE": "de",
    "FR": "fr",
    "NL": "nl",
    "IE": "ie",
    "ES": "es",
    "GB": "co.uk",
}
PHONE_PREFIX = {
    "US": "+1 415 555",
    "CA": "+1 416 555",
    "DE": "+49 30 5550",
    "FR": "+33 1 5550",
    "NL": "+31 20 555",
    "IE": "+353 1 555",
    "ES": "+34 91 555",
    "GB": "+44 20 7946",
}
DELIVERY_CHANNELS: tuple[str, ...] = ("email", "portal", "paper")
DELIVERY_BY_SEGMENT = np.array([[0.85, 0.05, 0.10], [0.70, 0.20, 0.10], [0.45, 0.45, 0.10]])


MAX_ACCOUNTS = len(COMPANY_WORDS) * len(INDUSTRY_WORDS)


def check_account_count(count: int) -> None:
    """Refuse a count the name lists cannot give distinct companies for."""
    if not 1 <= count <= MAX_ACCOUNTS:
        raise ValueError(f"accounts must be between 1 and {MAX_ACCOUNTS}, got {count}")


@dataclass(frozen=True)
class BillingPlans:
    """How each account (same order as the accounts frame) is billed; not part of the book."""

    monthly_amount: np.ndarray
    quarterly: np.ndarray
    billing_day: np.ndarray
    usage_rate: np.ndarray
    delivery_channel: np.ndarray


def build_accounts(
    rng: np.random.Generator, *, count: int, as_of: date, csm_emails: list[str]
) -> tuple[pd.DataFrame, BillingPlans]:
    """``count`` accounts owned by the given CSMs, and how each is billed."""
    check_account_count(count)
    segment = rng.choice(len(SEGMENTS), size=count, p=SEGMENT_WEIGHTS)
    terms = np.array([rng.choice(len(TERMS_LABELS), p=TERMS_BY_SEGMENT[s]) for s in segment])
    currency = rng.choice(np.array(["USD", "EUR", "GBP"]), size=count, p=[0.75, 0.15, 0.10])
    country = np.array([_country(rng, str(code)) for code in currency])
    names = _company_names(rng, count)
    monthly = np.clip(
        AMOUNT_MEDIAN[segment] * rng.lognormal(0.0, AMOUNT_SIGMA[segment]),
        AMOUNT_RANGE[segment, 0],
        AMOUNT_RANGE[segment, 1],
    ).round(-1)
    # Most accounts predate the two-year window; some signed up during it.
    age_days = np.where(
        rng.random(count) < 0.12, rng.integers(60, 600, count), rng.integers(760, 2600, count)
    )
    accounts = pd.DataFrame(
        {
            "account_id": [f"acct-{index + 1:04d}" for index in range(count)],
            "name": names,
            "domain": [_domain(name, str(c)) for name, c in zip(names, country, strict=True)],
            "segment": np.array(SEGMENTS, dtype=object)[segment],
            "owner_email": rng.choice(np.array(csm_emails, dtype=object), size=count),
            "default_terms_days": TERMS_DAYS[terms].astype("int64"),
            "terms_label": np.array(TERMS_LABELS, dtype=object)[terms],
            "credit_limit": np.maximum(1_000.0, (monthly * rng.uniform(2.0, 4.0, count)).round(-3)),
            "currency": currency.astype(object),
            "country": country.astype(object),
            "stripe_customer_id": stripe_customer_ids(rng, count),
            "hubspot_company_id": hubspot_company_ids(rng, count),
            "salesforce_account_id": salesforce_account_ids(rng, count),
            "archetype": rng.choice(np.array(ARCHETYPES, dtype=object), size=count, p=ARCHETYPE_WEIGHTS),
            "created_at": pd.Timestamp(as_of) - pd.to_timedelta(age_days, unit="D"),
        }
    )
    accounts["created_at"] = accounts["created_at"].astype("datetime64[ns]")
    plans = BillingPlans(
        monthly_amount=monthly,
        quarterly=rng.random(count) < 0.15,
        billing_day=rng.integers(1, 29, count),
        usage_rate=np.where(rng.random(count) < 0.4, rng.uniform(0.1, 0.5, count), 0.0),
        delivery_channel=np.array(
            [rng.choice(DELIVERY_CHANNELS, p=DELIVERY_BY_SEGMENT[s]) for s in segment], dtype=object
        ),
    )
    return accounts, plans


def build_contacts(rng: np.random.Generator, accounts: pd.DataFrame) -> pd.DataFrame:
    """One to five billing and finance contacts per account, at the account's domain."""
    per_account = rng.integers(1, 4, len(accounts)) + (accounts["segment"] == "enterprise").to_numpy() * 2
    owner = np.repeat(np.arange(len(accounts)), per_account)
    first = np.array(FIRST_NAMES)[rng.integers(0, len(FIRST_NAMES), len(owner))]
    last = np.array(LAST_NAMES)[rng.integers(0, len(LAST_NAMES), len(owner))]
    domains = accounts["domain"].to_numpy()[owner]
    countries = accounts["country"].to_numpy()[owner]
    local = [f"{f}.{ln}".lower().replace("'", "") for f, ln in zip(first, last, strict=True)]
    emails = _dedupe([f"{part}@{domain}" for part, domain in zip(local, domains, strict=True)])
    return pd.DataFrame(
        {
            "contact_id": [f"contact-{index + 1:05d}" for index in range(len(owner))],
            "account_id": accounts["account_id"].to_numpy()[owner],
            "name": [f"{f} {ln}" for f, ln in zip(first, last, strict=True)],
            "email": emails,
            "title": np.array(CONTACT_TITLES, dtype=object)[rng.integers(0, len(CONTACT_TITLES), len(owner))],
            "phone": [
                f"{PHONE_PREFIX[c]} {n:04d}"
                for c, n in zip(countries, rng.integers(100, 9999, len(owner)), strict=True)
            ],
        }
    )


def _company_names(rng: np.random.Generator, count: int) -> list[str]:
    picks = rng.choice(len(COMPANY_WORDS) * len(INDUSTRY_WORDS), size=count, replace=False)
    return [
        f"{COMPANY_WORDS[p // len(INDUSTRY_WORDS)]} {INDUSTRY_WORDS[p % len(INDUSTRY_WORDS)]}" for p in picks
    ]


def _country(rng: np.random.Generator, currency: str) -> str:
    countries, weights = CURRENCY_COUNTRIES[currency]
    return str(rng.choice(countries, p=weights))


def _domain(name: str, country: str) -> str:
    return f"{name.lower().replace(' ', '-')}.{TOP_LEVEL_DOMAIN[country]}"


def _dedupe(emails: list[str]) -> list[str]:
    """Two contacts with the same name at one company get ``.2``, ``.3`` ... suffixes."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for email in emails:
        seen[email] = seen.get(email, 0) + 1
        local, domain = email.split("@")
        out.append(email if seen[email] == 1 else f"{local}.{seen[email]}@{domain}")
    return out

"""Random identifiers shaped like the vendors' own (Stripe, HubSpot, Salesforce, Slack)."""

from __future__ import annotations

import numpy as np

UPPER_ALNUM = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
MIXED_ALNUM = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))


def random_codes(rng: np.random.Generator, count: int, length: int, alphabet: np.ndarray) -> list[str]:
    """``count`` distinct random strings of ``length`` characters from ``alphabet``."""
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        draws = alphabet[rng.integers(0, len(alphabet), size=(count, length))]
        for row in draws:
            code = "".join(row)
            if code not in seen and len(codes) < count:
                seen.add(code)
                codes.append(code)
    return codes


def slack_ids(rng: np.random.Generator, count: int) -> list[str]:
    """Slack member ids: ``U`` and 10 upper-case letters or digits."""
    return ["U" + code for code in random_codes(rng, count, 10, UPPER_ALNUM)]


def stripe_customer_ids(rng: np.random.Generator, count: int) -> list[str]:
    """Stripe customer ids: ``cus_`` and 14 letters or digits."""
    return ["cus_" + code for code in random_codes(rng, count, 14, MIXED_ALNUM)]


def salesforce_account_ids(rng: np.random.Generator, count: int) -> list[str]:
    """18-character Salesforce Account ids (key prefix ``001``)."""
    return ["001" + code for code in random_codes(rng, count, 15, MIXED_ALNUM)]


def hubspot_company_ids(rng: np.random.Generator, count: int) -> list[str]:
    """HubSpot company ids: distinct 10- or 11-digit numbers as text."""
    values = rng.choice(np.arange(10**9, 9 * 10**9, 7919, dtype=np.int64), size=count, replace=False)
    values = values + rng.integers(0, 7919, size=count)
    return [str(value) for value in values]

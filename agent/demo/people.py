"""The demo team: CSMs reporting to two managers, account managers, an ops and a finance lead."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agent.demo.ids import slack_ids
from agent.demo.words import FIRST_NAMES, LAST_NAMES

COMPANY_DOMAIN = "nudge-demo.example"
MANAGERS = 2
ACCOUNT_MANAGERS = 2
TIME_ZONES: tuple[str, ...] = (
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Madrid",
)
TIME_ZONE_WEIGHTS = np.array([0.3, 0.12, 0.2, 0.18, 0.14, 0.06])


def build_people(rng: np.random.Generator, *, csms: int) -> pd.DataFrame:
    """The team, one row per person; CSMs are split across the two managers."""
    roles = (
        ["manager"] * MANAGERS + ["csm"] * csms + ["account_manager"] * ACCOUNT_MANAGERS + ["ops", "finance"]
    )
    names = _distinct_names(rng, len(roles))
    emails = [name.lower().replace(" ", ".").replace("'", "") + "@" + COMPANY_DOMAIN for name in names]
    manager_emails = emails[:MANAGERS]
    reports_to: list[str | None] = [
        manager_emails[index % MANAGERS] if role in ("csm", "account_manager") else None
        for index, role in enumerate(roles)
    ]
    zones = rng.choice(np.array(TIME_ZONES), size=len(roles), p=TIME_ZONE_WEIGHTS)
    return pd.DataFrame(
        {
            "person_id": [f"person-{index + 1:03d}" for index in range(len(roles))],
            "name": names,
            "email": emails,
            "role": roles,
            "manager_email": reports_to,
            "time_zone": zones.astype(object),
            "slack_id": slack_ids(rng, len(roles)),
        }
    )


def _distinct_names(rng: np.random.Generator, count: int) -> list[str]:
    pairs = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), size=count, replace=False)
    return [f"{FIRST_NAMES[p // len(LAST_NAMES)]} {LAST_NAMES[p % len(LAST_NAMES)]}" for p in pairs]

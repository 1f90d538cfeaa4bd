"""Aging buckets: how long an open balance has been past due.

The one definition the profile API, the receivables metrics and the charts share.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

AGING_BUCKETS: tuple[str, ...] = ("current", "1-30", "31-60", "61-90", "91+")
# Days past due that start buckets 1-30, 31-60, 61-90 and 91+ (0 or less is current).
AGING_STARTS: tuple[int, ...] = (1, 31, 61, 91)


def aging_bucket(days_past_due: int) -> str:
    """The aging bucket of an open balance ``days_past_due`` days after its due date."""
    return AGING_BUCKETS[bisect_right(AGING_STARTS, days_past_due)]


def aging_positions(days_past_due: np.ndarray) -> np.ndarray:
    """Each balance's bucket as a position in :data:`AGING_BUCKETS` (vectorised)."""
    return np.digitize(days_past_due, AGING_STARTS)

"""The prior late rate: a customer's record of paying late, pulled towards a prior.

One formula serves the rules' baseline risk (``rules.risk.PriorLateRateRisk``, shrunk
towards the book) and the model's smoothed history feature (``models.features``, shrunk
towards the customer's segment), so both mean the same thing by "prior late rate".
"""

from __future__ import annotations

import numpy as np


def shrunk_mean(
    total: np.ndarray, count: np.ndarray, prior: np.ndarray | float, strength: float
) -> np.ndarray:
    """``(total + strength × prior) / (count + strength)``, element-wise.

    With ``total`` the late invoices and ``count`` the settled ones this is the shrunk late
    rate; with ``total`` the days late and ``count`` the late invoices, the shrunk mean
    delay. ``strength`` is how many pseudo-observations of ``prior`` are mixed in, so a
    customer with no history gets the prior itself.
    """
    return (total + strength * prior) / (count + strength)

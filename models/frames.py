"""Optional inputs beside the ledger: promises to pay, disputes and CRM signals.

Each is a DataFrame with the columns below (extra columns are ignored). When a frame is
not given, the features it feeds are missing (NaN), which the model treats as "unknown".

=========  ==================  ==============================================================
frame      column              meaning
=========  ==================  ==============================================================
promises   customer_id         the account that promised
           promised_for        date the customer promised to pay by
           kept_on             date the promise was kept (NaT if it never was)
disputes   customer_id         the account that raised the dispute
           opened_on           date the dispute was opened
           resolved_on         date it was resolved (NaT while open)
signals    customer_id         the account the CRM snapshot describes
           observed_on         date of the snapshot (a sync)
           renewal_date        next contract renewal (NaT if unknown)
           open_tickets        open support tickets at that time
           health_score        CRM health score, higher is healthier (NaN if unknown)
=========  ==================  ==============================================================

A promise is *broken* as of a date once its ``promised_for`` has passed without being
kept by then; a dispute is *open* as of a date if opened before it and not resolved
before it; a signal is the latest snapshot observed strictly before the date.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

FRAME_COLUMNS: dict[str, dict[str, str]] = {
    "promises": {"customer_id": "id", "promised_for": "date", "kept_on": "date"},
    "disputes": {"customer_id": "id", "opened_on": "date", "resolved_on": "date"},
    "signals": {
        "customer_id": "id",
        "observed_on": "date",
        "renewal_date": "date",
        "open_tickets": "number",
        "health_score": "number",
    },
}
# Columns that may be absent (filled with "unknown"); the rest are required.
_OPTIONAL = {"kept_on", "resolved_on", "renewal_date", "open_tickets", "health_score"}


class FrameError(ValueError):
    """An optional frame that cannot be used, naming the frame and the column."""


@dataclass(frozen=True)
class OptionalFrames:
    """Promises, disputes and CRM signals, each normalised or None when not given."""

    promises: pd.DataFrame | None = None
    disputes: pd.DataFrame | None = None
    signals: pd.DataFrame | None = None

    @classmethod
    def of(
        cls,
        *,
        promises: pd.DataFrame | None = None,
        disputes: pd.DataFrame | None = None,
        signals: pd.DataFrame | None = None,
    ) -> OptionalFrames:
        """Validate and normalise whichever frames are given."""
        return cls(
            promises=_normalise("promises", promises),
            disputes=_normalise("disputes", disputes),
            signals=_normalise("signals", signals),
        )


def _normalise(name: str, frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    spec = FRAME_COLUMNS[name]
    missing = [col for col in spec if col not in frame.columns and col not in _OPTIONAL]
    if missing:
        raise FrameError(f"{name}: missing column(s) {', '.join(missing)}; expected {', '.join(spec)}")
    out = pd.DataFrame(index=frame.index)
    for column, kind in spec.items():
        values = frame[column] if column in frame.columns else pd.Series(None, index=frame.index)
        try:
            out[column] = _coerce(values, kind)
        except (ValueError, TypeError) as exc:
            raise FrameError(f"{name}.{column}: {exc}") from None
    first_date = next(col for col, kind in spec.items() if kind == "date")
    if out[first_date].isna().any():
        raise FrameError(f"{name}.{first_date}: missing dates")
    return out.reset_index(drop=True)


def _coerce(values: pd.Series, kind: str) -> pd.Series:
    if kind == "date":
        return pd.to_datetime(values).astype("datetime64[ns]")
    if kind == "number":
        return pd.to_numeric(values).astype(float)
    return values.astype(str)

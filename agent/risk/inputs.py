"""What the model reads from the profile store: the ledger and the optional frames.

Frames use the ledger's ids (``customer_id`` is the account id as text) and the columns
of :mod:`models.frames`. CRM signals are stored one observation per kind; the model reads
the latest *snapshot* of an account, so observations are pivoted per account and day and
carried forward (a snapshot without a new health score still knows the last one).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.ledger.store import load_ledger
from agent.profile.tables import CrmSignal, Dispute, Invoice, PaymentPromise
from ledger.frame import Ledger
from models.frames import OptionalFrames

SIGNAL_COLUMNS = ("renewal_date", "open_tickets", "health_score")


@dataclass(frozen=True)
class ModelInputs:
    """The book as the model sees it."""

    ledger: Ledger
    frames: OptionalFrames


def load_inputs(*, session: Session) -> ModelInputs:
    """The whole book's ledger with its promises, disputes and CRM signals."""
    return ModelInputs(
        ledger=load_ledger(session=session),
        frames=OptionalFrames.of(
            promises=_promises(session), disputes=_disputes(session), signals=_signals(session)
        ),
    )


def _promises(session: Session) -> pd.DataFrame | None:
    """A promise is kept on the day its invoice was paid (or resolved, for account promises)."""
    rows = session.execute(
        select(
            PaymentPromise.account_id,
            PaymentPromise.promised_date,
            PaymentPromise.status,
            PaymentPromise.resolved_at,
            Invoice.paid_date,
        ).outerjoin(Invoice, Invoice.id == PaymentPromise.invoice_id)
    ).all()
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["account_id", "promised_for", "status", "resolved_at", "paid_date"])
    resolved = pd.to_datetime(frame["resolved_at"], utc=True).dt.tz_localize(None).dt.normalize()
    kept_on = pd.to_datetime(frame["paid_date"]).fillna(resolved)
    return pd.DataFrame(
        {
            "customer_id": frame["account_id"].astype(str),
            "promised_for": pd.to_datetime(frame["promised_for"]),
            "kept_on": kept_on.where(frame["status"] == "kept"),
        }
    )


def _disputes(session: Session) -> pd.DataFrame | None:
    rows = session.execute(select(Dispute.account_id, Dispute.opened_at, Dispute.resolved_at)).all()
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["account_id", "opened_at", "resolved_at"])
    return pd.DataFrame(
        {
            "customer_id": frame["account_id"].astype(str),
            "opened_on": _day_of(frame["opened_at"]),
            "resolved_on": _day_of(frame["resolved_at"]),
        }
    )


def _signals(session: Session) -> pd.DataFrame | None:
    rows = session.execute(
        select(CrmSignal.account_id, CrmSignal.kind, CrmSignal.value, CrmSignal.observed_at).where(
            CrmSignal.kind.in_(SIGNAL_COLUMNS)
        )
    ).all()
    if not rows:
        return None
    frame = pd.DataFrame(rows, columns=["account_id", "kind", "value", "observed_at"])
    frame["observed_on"] = _day_of(frame["observed_at"])
    wide = frame.pivot_table(
        index=["account_id", "observed_on"], columns="kind", values="value", aggfunc="last"
    ).sort_index()
    wide = wide.reindex(columns=list(SIGNAL_COLUMNS)).groupby(level="account_id").ffill()
    snapshots = wide.reset_index()
    return pd.DataFrame(
        {
            "customer_id": snapshots["account_id"].astype(str),
            "observed_on": snapshots["observed_on"],
            "renewal_date": pd.to_datetime(snapshots["renewal_date"], errors="coerce"),
            "open_tickets": pd.to_numeric(snapshots["open_tickets"], errors="coerce"),
            "health_score": pd.to_numeric(snapshots["health_score"], errors="coerce"),
        }
    )


def _day_of(instants: pd.Series) -> pd.Series:
    """The UTC calendar day of each timestamp (NaT stays NaT)."""
    return pd.to_datetime(instants, utc=True).dt.tz_localize(None).dt.normalize()

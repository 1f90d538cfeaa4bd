"""Store the day's scores and read the latest ones back (for pages, the API and the forecast)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from agent.auth.service import Principal, visible_accounts
from agent.profile.tables import Account, Invoice
from agent.risk.schemas import InvoiceRisk
from agent.risk.tables import RiskScore


def store_scores(*, session: Session, scores: pd.DataFrame, as_of: date, scored_at: datetime) -> int:
    """Replace the day's scores with ``scores`` (``models.scoring.SCORE_COLUMNS``); they become latest.

    ``invoice_id`` holds ledger ids (the invoice row id as text).
    """
    session.execute(delete(RiskScore).where(RiskScore.as_of == as_of))
    session.execute(update(RiskScore).where(RiskScore.latest.is_(True)).values(latest=False))
    pay_dates = pd.to_datetime(scores["expected_pay_date"]).dt.date
    rows = [
        {
            "invoice_id": int(invoice_id),
            "model_version": str(version),
            "as_of": as_of,
            "scored_at": scored_at,
            "p_late": float(p_late),
            "expected_days_late": float(days),
            "expected_pay_date": pay_date,
            "reasons": list(reasons),
            "latest": True,
        }
        for invoice_id, version, p_late, days, pay_date, reasons in zip(
            scores["invoice_id"],
            scores["model_version"],
            scores["p_late"],
            scores["expected_days_late"],
            pay_dates,
            scores["reasons"],
            strict=True,
        )
    ]
    if rows:
        session.execute(insert(RiskScore), rows)
    return len(rows)


def last_scored_at(*, session: Session) -> datetime | None:
    """When the latest scoring run wrote its rows (None before the first)."""
    return session.scalar(select(func.max(RiskScore.scored_at)).where(RiskScore.latest.is_(True)))


def expected_days_late_series(*, session: Session) -> pd.Series:
    """Latest expected days late of each open invoice, indexed by ledger invoice id.

    Pass it to ``agent.metrics.cash_forecast(ledger, as_of, expected_days_late=...)`` so the
    forecast uses the model's delay instead of the customer's average.
    """
    rows = session.execute(
        select(RiskScore.invoice_id, RiskScore.expected_days_late)
        .join(Invoice, Invoice.id == RiskScore.invoice_id)
        .where(RiskScore.latest.is_(True), Invoice.status == "open")
    ).all()
    return pd.Series(
        [float(days) for _, days in rows],
        index=pd.Index([str(invoice_id) for invoice_id, _ in rows], name="invoice_id"),
        name="expected_days_late",
        dtype=float,
    )


def account_risk(*, session: Session, principal: Principal, account_id: int) -> list[InvoiceRisk] | None:
    """Latest risk of an account's open invoices, riskiest first; None if the account is not visible."""
    visible = session.scalar(select(Account.id).where(Account.id == account_id, visible_accounts(principal)))
    if visible is None:
        return None
    rows = session.execute(
        select(RiskScore, Invoice)
        .join(Invoice, Invoice.id == RiskScore.invoice_id)
        .where(Invoice.account_id == account_id, Invoice.status == "open", RiskScore.latest.is_(True))
        .order_by(RiskScore.p_late.desc(), Invoice.due_date)
    ).all()
    return [InvoiceRisk.of(score, invoice) for score, invoice in rows]

"""API shapes of risk scores, the model card and the calibration check."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from agent.profile.tables import Invoice
from agent.risk.tables import RiskScore


class InvoiceRisk(BaseModel):
    """An open invoice's risk: probability of late payment, expected delay and pay date, reasons."""

    model_config = ConfigDict(protected_namespaces=())

    invoice_id: int
    number: str
    currency: str
    amount_open: Decimal
    due_date: date
    p_late: float
    expected_days_late: float
    expected_pay_date: date
    reasons: list[str]
    model_version: str
    as_of: date
    scored_at: datetime | None = None

    @classmethod
    def of(cls, score: RiskScore, invoice: Invoice) -> InvoiceRisk:
        """A stored score with the invoice it describes."""
        return cls(
            invoice_id=invoice.id,
            number=invoice.number,
            currency=invoice.currency,
            amount_open=invoice.amount - invoice.amount_paid,
            due_date=invoice.due_date,
            p_late=score.p_late,
            expected_days_late=score.expected_days_late,
            expected_pay_date=score.expected_pay_date,
            reasons=list(score.reasons),
            model_version=score.model_version,
            as_of=score.as_of,
            scored_at=score.scored_at,
        )


class CalibrationMonth(BaseModel):
    """Predicted vs realised late rate of the invoices issued in one month."""

    month: str
    invoices: int
    predicted_late_rate: float
    realised_late_rate: float


class Calibration(BaseModel):
    """The calibration check of a model version, and where its numbers come from."""

    model_config = ConfigDict(protected_namespaces=())

    model_version: str
    source: str
    cutoff: str | None
    months: list[CalibrationMonth]


class ModelCard(BaseModel):
    """The latest model card as saved beside the model (free-form beyond these keys)."""

    model_config = ConfigDict(extra="allow")

    version: str
    created_at: str
    rows: int
    features: list[str]
    training_window: dict[str, str]
    metrics: dict[str, float] | None = None
    evaluation: dict[str, Any] | None = None

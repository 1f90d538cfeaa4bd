"""The calibration check: predicted vs realised late rate per issue month."""

from __future__ import annotations

from typing import Any

from agent.risk.inputs import ModelInputs
from agent.risk.schemas import Calibration, CalibrationMonth
from models.estimator import RiskModel
from models.evaluation import calibration_by_month
from models.rows import LabelledRows

HELD_OUT = "held-out months of the model card's time-split evaluation"
IN_SAMPLE = "the database's settled history (in-sample: the card has no held-out evaluation)"


def card_calibration(card: dict[str, Any]) -> Calibration | None:
    """The held-out calibration stored in the card, if its evaluation ran."""
    evaluation = card.get("evaluation") or {}
    months = evaluation.get("calibration_by_month")
    if not months:
        return None
    return Calibration(
        model_version=card["version"],
        source=HELD_OUT,
        cutoff=evaluation.get("cutoff"),
        months=[CalibrationMonth(**month) for month in months],
    )


def history_calibration(model: RiskModel, inputs: ModelInputs) -> Calibration:
    """The model's predictions on every settled invoice of the book, as of its issue date."""
    rows = LabelledRows.of(inputs.ledger, inputs.frames)
    p_late = model.p_late(model.matrix(rows.features)) if len(rows.days_late) else rows.days_late
    months = calibration_by_month(p_late, rows.days_late, rows.issue_dates)
    return Calibration(
        model_version=model.version,
        source=IN_SAMPLE,
        cutoff=None,
        months=[CalibrationMonth(**month) for month in months],
    )

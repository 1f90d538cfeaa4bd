"""The ``/model`` page: the latest model card and its calibration check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from agent.auth.deps import DbSession, WebUser
from agent.risk.calibration import card_calibration, history_calibration
from agent.risk.inputs import load_inputs
from agent.risk.schemas import Calibration
from agent.settings import Settings
from agent.web.charts import LineChart, line_chart
from agent.web.views import render
from models.registry import ModelLoadError, load_model, read_card

router = APIRouter(include_in_schema=False)
METRIC_NAMES = {
    "roc_auc": "ROC AUC (higher is better)",
    "average_precision": "Average precision (higher is better)",
    "brier": "Brier score (lower is better)",
    "ece": "Expected calibration error (lower is better)",
    "mae_days_late": "Mean absolute error, days late (lower is better)",
}
MODELS = {
    "model": "Model",
    "prior_late_rate": "Baseline: prior late rate",
    "invoice_only": "Baseline: invoice only",
}


@router.get("/model", response_class=HTMLResponse)
def model_page(request: Request, session: DbSession, user: WebUser) -> HTMLResponse:
    """The model card (version, window, rows, features, metrics vs baselines) and calibration."""
    settings: Settings = request.app.state.settings
    try:
        card = read_card(settings.home)
    except ModelLoadError as exc:
        return render(request, "model.html", user=user, card=None, missing=str(exc))
    calibration = card_calibration(card) or history_calibration(
        load_model(settings.home, card["version"]), load_inputs(session=session)
    )
    return render(
        request,
        "model.html",
        user=user,
        card=card,
        metrics=metric_rows(card),
        metric_names=METRIC_NAMES,
        models=MODELS,
        calibration=calibration,
        chart=calibration_chart(calibration),
    )


def metric_rows(card: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Metrics of the model and each baseline on the card's held-out split, by column."""
    evaluation = card.get("evaluation") or {}
    if "model" not in evaluation:
        return {}
    return {"model": evaluation["model"], **evaluation["baselines"]}


def calibration_chart(calibration: Calibration) -> LineChart:
    """Predicted and realised late rate per month, in percent."""
    months = calibration.months
    return line_chart(
        "Late rate per issue month: predicted vs realised (%)",
        [month.month for month in months],
        {
            "predicted": [100 * month.predicted_late_rate for month in months],
            "realised": [100 * month.realised_late_rate for month in months],
        },
        unit="%",
    )

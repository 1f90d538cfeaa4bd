"""Train the model on the database's history and save it as a new version under ``NUDGE_HOME``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from agent.risk.inputs import ModelInputs, load_inputs
from models.estimator import RiskModel
from models.registry import list_versions, load_model, save_model
from models.rows import known_outcomes
from models.training import train_model

log = logging.getLogger("nudge.risk")
# Fewer settled invoices than this teach the model noise; the cycle then scores nothing.
MIN_TRAINING_ROWS = 50


class TooLittleHistoryError(ValueError):
    """The book has too few invoices with a known outcome to train on."""


@dataclass(frozen=True)
class LoadedModel:
    """The model the cycle scores with, and whether it was trained just now."""

    model: RiskModel
    trained: bool


def check_history(inputs: ModelInputs) -> None:
    """Raise :class:`TooLittleHistoryError` unless there are enough late and on-time outcomes."""
    days = known_outcomes(inputs.ledger.invoices) if len(inputs.ledger.invoices) else np.array([])
    known = days[~np.isnan(days)]
    late = int((known > 0).sum())
    if len(known) < MIN_TRAINING_ROWS or late == 0 or late == len(known):
        raise TooLittleHistoryError(
            f"too little history to train the risk model: {len(known)} invoices with a known outcome "
            f"({late} late); it needs at least {MIN_TRAINING_ROWS}, both late and on time"
        )


def train_and_save(*, inputs: ModelInputs, home: Path) -> RiskModel:
    """Train on ``inputs`` and save a new version (its card holds the time-split evaluation)."""
    check_history(inputs)
    model = train_model(inputs.ledger, inputs.frames)
    path = save_model(model, home)
    metrics = model.card.get("metrics") or {}
    log.info(
        "trained risk model %s on %d invoices (AUC %s), saved to %s",
        model.version,
        model.card["rows"],
        f"{metrics['roc_auc']:.3f}" if "roc_auc" in metrics else "not evaluated",
        path,
    )
    return model


def latest_or_train(*, session: Session, home: Path, inputs: ModelInputs | None = None) -> LoadedModel:
    """The latest saved model; with none saved yet, one trained on the database's history."""
    if list_versions(home):
        return LoadedModel(model=load_model(home), trained=False)
    log.info("no risk model in %s yet: training one on the database's history", home)
    model = train_and_save(inputs=inputs or load_inputs(session=session), home=home)
    return LoadedModel(model=model, trained=True)

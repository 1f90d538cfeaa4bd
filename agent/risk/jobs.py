"""The weekly ``retrain`` job: a new model version from the database's history.

The next cycle's ``score`` step loads the newest version, so a retrain takes effect there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from agent.db.database import Database
from agent.jobs.wrapper import JobOutcome, run_job
from agent.risk.inputs import load_inputs
from agent.risk.training import TooLittleHistoryError, train_and_save
from agent.settings import Settings

RETRAIN_JOB = "retrain"
RETRAIN_EVERY = timedelta(weeks=1)


@dataclass(frozen=True)
class RetrainResult:
    """What a retrain produced: the new version and its held-out AUC, or why it trained nothing."""

    version: str | None
    rows: int = 0
    roc_auc: float | None = None
    skipped: str | None = None
    error: str | None = None

    def summary(self) -> str:
        """The job log's line."""
        if self.version is None:
            return f"no new model: {self.skipped}"
        auc = f"{self.roc_auc:.3f}" if self.roc_auc is not None else "not evaluated"
        return f"model {self.version} trained on {self.rows} invoices (AUC {auc})"


def retrain(*, database: Database, settings: Settings) -> RetrainResult:
    """Train on every invoice with a known outcome and save a new version under ``NUDGE_HOME``."""
    with database.transaction() as session:
        inputs = load_inputs(session=session)
    try:
        model = train_and_save(inputs=inputs, home=settings.home)
    except TooLittleHistoryError as exc:
        return RetrainResult(version=None, skipped=str(exc))
    metrics = model.card.get("metrics") or {}
    return RetrainResult(version=model.version, rows=int(model.card["rows"]), roc_auc=metrics.get("roc_auc"))


def run_retrain_job(*, database: Database, settings: Settings) -> JobOutcome[RetrainResult]:
    """One retrain through the job wrapper (one runner at a time, recorded in ``job_runs``)."""
    return run_job(
        database=database, name=RETRAIN_JOB, work=lambda: retrain(database=database, settings=settings)
    )

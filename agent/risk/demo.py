"""The demo's model: trained on the demo book's history, then every open invoice scored."""

from __future__ import annotations

import time
from collections.abc import Callable

from agent.db.database import Database
from agent.jobs.steps import StepContext
from agent.risk.inputs import load_inputs
from agent.risk.step import score_book
from agent.risk.training import train_and_save
from agent.settings import Settings


def prepare_demo_risk(*, database: Database, settings: Settings, log: Callable[[str], None]) -> None:
    """Train a fresh version under the demo's home, so the demo shows risk before its first cycle."""
    started = time.perf_counter()
    with database.transaction() as session:
        model = train_and_save(inputs=load_inputs(session=session), home=settings.home)
    with database.transaction() as session:
        counts = score_book(
            StepContext(session=session, database=database, settings=settings, as_of=settings.today())
        )
    metrics = model.card.get("metrics") or {}
    auc = f"held-out ROC AUC {metrics['roc_auc']:.3f}" if "roc_auc" in metrics else "not evaluated"
    log(
        f"Risk model {model.version} trained on {model.card['rows']} invoices ({auc}); "
        f"{counts['scored']} open invoices scored (in {time.perf_counter() - started:.1f} s)"
    )

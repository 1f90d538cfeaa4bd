"""The cycle's ``score`` step: score every open invoice with the latest model and store the rows."""

from __future__ import annotations

import logging

from agent.db.types import utcnow
from agent.jobs.steps import Step, StepContext
from agent.risk.inputs import load_inputs
from agent.risk.service import store_scores
from agent.risk.training import TooLittleHistoryError, latest_or_train
from agent.settings import Settings
from models.scoring import score_open_invoices

log = logging.getLogger("nudge.risk")


def score_book(ctx: StepContext) -> dict[str, int]:
    """Load (or first train) the model, score the open invoices as of the book date, store them.

    A book with too little history to train on is reported (``too_little_history=1``) and
    nothing is scored; the cycle goes on.
    """
    inputs = load_inputs(session=ctx.session)
    try:
        loaded = latest_or_train(session=ctx.session, home=ctx.settings.home, inputs=inputs)
    except TooLittleHistoryError as exc:
        log.warning("score step: %s", exc)
        return {"scored": 0, "too_little_history": 1}
    scores = score_open_invoices(
        loaded.model,
        inputs.ledger,
        ctx.as_of,
        promises=inputs.frames.promises,
        disputes=inputs.frames.disputes,
        signals=inputs.frames.signals,
    )
    stored = store_scores(session=ctx.session, scores=scores, as_of=ctx.as_of, scored_at=utcnow())
    return {"scored": stored, "model_trained": int(loaded.trained)}


def score_step(_settings: Settings) -> Step:
    """The ``score`` step (after ``close_settled``, so settled invoices are not scored as open)."""
    return Step(name="score", run=score_book, requires=("close_settled",))

"""The cycle's ``score`` step and the weekly retrain on a realistic book, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.cycle.registry import cycle_steps
from agent.cycle.runner import run_cycle
from agent.db.database import Database
from agent.demo.setup import DEMO_FX_RATES
from agent.jobs.steps import StepContext
from agent.jobs.tables import JobRun
from agent.ledger.store import load_ledger
from agent.metrics import cash_forecast
from agent.metrics.rates import Rates
from agent.risk.jobs import RETRAIN_JOB, run_retrain_job
from agent.risk.service import expected_days_late_series
from agent.risk.step import score_book
from agent.risk.tables import RiskScore
from agent.settings import Settings
from models.registry import list_versions, read_card
from models.scoring import open_at
from tests.agent.risk.factories import AS_OF, install_trained_model, load_book
from tests.factories import make_account, make_invoice, make_person


def _score(database: Database, settings: Settings) -> dict[str, int]:
    with database.transaction() as session:
        counts = score_book(StepContext(session=session, database=database, settings=settings, as_of=AS_OF))
    return dict(counts)


def _latest(session: Session) -> pd.DataFrame:
    rows = session.scalars(select(RiskScore).where(RiskScore.latest.is_(True)).order_by(RiskScore.invoice_id))
    columns = [
        "invoice_id",
        "model_version",
        "as_of",
        "p_late",
        "expected_days_late",
        "expected_pay_date",
        "reasons",
    ]
    frame = pd.DataFrame([[getattr(r, c) for c in columns] for r in rows], columns=columns)
    return frame.rename(columns={"model_version": "version"})


def _open_ids(session: Session) -> list[int]:
    invoices = load_ledger(session=session).invoices
    return sorted(int(i) for i in invoices.loc[open_at(invoices, pd.Timestamp(AS_OF)), "invoice_id"])


def test_without_a_model_the_step_trains_one_and_stores_a_row_per_open_invoice(
    database: Database, settings: Settings, session: Session
) -> None:
    load_book(session)
    counts = _score(database, settings)
    [version] = list_versions(settings.home)
    stored = _latest(session)
    assert counts == {"scored": len(_open_ids(session)), "model_trained": 1}
    assert stored["invoice_id"].tolist() == _open_ids(session)
    assert set(stored["version"]) == {version}
    assert set(stored["as_of"]) == {AS_OF}
    assert stored["p_late"].between(0, 1).all()
    assert (stored["reasons"].map(len) > 0).all()
    assert read_card(settings.home)["metrics"]["roc_auc"] > 0.7


def test_a_rerun_on_unchanged_data_gives_the_same_scores_and_keeps_one_row_per_day(
    database: Database, settings: Settings, session: Session
) -> None:
    load_book(session)
    version = install_trained_model(settings.home)
    first = _score(database, settings)
    before = _latest(session)
    session.expire_all()
    second = _score(database, settings)
    after = _latest(session)
    assert first == second == {"scored": len(before), "model_trained": 0}
    pd.testing.assert_frame_equal(before, after)
    assert set(after["version"]) == {version}
    assert len(session.scalars(select(RiskScore)).all()) == len(before)


def test_yesterdays_scores_are_kept_but_only_todays_are_latest(
    database: Database, settings: Settings, session: Session
) -> None:
    load_book(session)
    install_trained_model(settings.home)
    with database.transaction() as tx:
        score_book(StepContext(session=tx, database=database, settings=settings, as_of=date(2026, 11, 19)))
    _score(database, settings)
    days = session.execute(select(RiskScore.as_of, RiskScore.latest).distinct()).tuples().all()
    assert sorted(days) == [(date(2026, 11, 19), False), (AS_OF, True)]


def test_a_book_with_too_little_history_is_reported_and_the_cycle_goes_on(
    database: Database, settings: Settings, session: Session
) -> None:
    owner = make_person(session, "maya.chen@nudge.example")
    account = make_account(session, "Northwind Logistics", owner)
    for month in range(1, 7):
        issued = date(2026, month, 1)
        make_invoice(session, account, f"N-{month}", "1200.00", issued=issued, paid="1200.00", paid_on=issued)
    make_invoice(session, account, "N-open", "900.00", issued=date(2026, 11, 1))
    session.commit()
    report = run_cycle(database=database, settings=settings, steps=cycle_steps(settings))
    steps = {step.name: step for step in report.steps}
    assert steps["score"].status == "ok"
    assert steps["score"].counts == {"scored": 0, "too_little_history": 1}
    assert steps["metrics"].status == "ok"
    assert list_versions(settings.home) == []


def test_the_weekly_retrain_saves_a_new_version_that_the_next_cycle_scores_with(
    database: Database, settings: Settings, session: Session
) -> None:
    load_book(session)
    old = install_trained_model(settings.home)
    outcome = run_retrain_job(database=database, settings=settings)
    assert outcome.status == "ok"
    assert outcome.result is not None
    new = outcome.result.version or ""
    assert list_versions(settings.home) == sorted([old, new])
    assert new > old
    assert read_card(settings.home)["version"] == new
    _score(database, settings)
    assert set(_latest(session)["version"]) == {new}
    [run] = session.scalars(select(JobRun).where(JobRun.name == RETRAIN_JOB)).all()
    assert run.status == "ok"
    assert run.detail is not None
    assert new in run.detail


def test_the_cash_forecast_uses_the_models_expected_delay(
    database: Database, settings: Settings, session: Session
) -> None:
    load_book(session)
    install_trained_model(settings.home)
    _score(database, settings)
    delays = expected_days_late_series(session=session)
    ledger = load_ledger(session=session)
    assert sorted(int(i) for i in delays.index) == _open_ids(session)
    rates = Rates("USD", DEMO_FX_RATES)
    plain = cash_forecast(ledger, AS_OF, rates=rates)
    modelled = cash_forecast(ledger, AS_OF, rates=rates, expected_days_late=delays)
    totals = [sum(w.expected_amount for w in f.weeks) for f in (plain, modelled)]
    assert totals[0] == pytest.approx(totals[1])
    assert [w.expected_amount for w in plain.weeks] != [w.expected_amount for w in modelled.weeks]

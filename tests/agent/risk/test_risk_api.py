"""The risk API on a realistic scored book: scoping, live single-invoice scores, the model card."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.auth.service import principal_for
from agent.db.database import Database
from agent.demo.setup import DEMO_FX_RATES
from agent.jobs.steps import StepContext
from agent.metrics.live import book_forecast, visible_ledger
from agent.profile.tables import Account, Invoice, Person
from agent.risk.service import expected_days_late_series
from agent.risk.step import score_book
from agent.risk.tables import RiskScore
from agent.settings import Settings
from models.registry import read_card
from tests.agent.risk.factories import AS_OF, install_trained_model, load_book
from tests.factories import token_for


@dataclass(frozen=True)
class Book:
    """A scored book and who is asking."""

    client: TestClient
    own_account: int
    other_account: int
    headers: dict[str, str]
    settings: Settings


def _owned_account(session: Session, owner: Person) -> int:
    """The owner's account with the most open invoices."""
    return (
        session.execute(
            select(Invoice.account_id)
            .join(Account, Account.id == Invoice.account_id)
            .where(Account.owner_id == owner.id, Invoice.status == "open")
            .group_by(Invoice.account_id)
            .order_by(func.count().desc(), Invoice.account_id)
        )
        .scalars()
        .first()
        or 0
    )


@pytest.fixture
def book(database: Database, settings: Settings, session: Session) -> Iterator[Book]:
    load_book(session)
    install_trained_model(settings.home)
    with database.transaction() as tx:
        score_book(StepContext(session=tx, database=database, settings=settings, as_of=AS_OF))
    csms = session.scalars(select(Person).where(Person.role == "csm").order_by(Person.id)).all()
    me, other = csms[0], csms[1]
    headers = {"Authorization": f"Bearer {token_for(session, me)}"}
    rated = settings.model_copy(update={"fx_rates": DEMO_FX_RATES})  # the demo book bills in 3 currencies
    with TestClient(create_app(settings=rated, database=database)) as client:
        yield Book(client, _owned_account(session, me), _owned_account(session, other), headers, rated)


def test_a_csm_reads_the_risk_of_their_account_but_not_of_anothers(book: Book, session: Session) -> None:
    mine = book.client.get(f"/api/accounts/{book.own_account}/risk", headers=book.headers)
    theirs = book.client.get(f"/api/accounts/{book.other_account}/risk", headers=book.headers)
    anonymous = book.client.get(f"/api/accounts/{book.own_account}/risk")
    assert mine.status_code == 200
    assert theirs.status_code == 404
    assert anonymous.status_code == 401
    open_ids = session.scalars(
        select(Invoice.id).where(Invoice.account_id == book.own_account, Invoice.status == "open")
    ).all()
    rows = mine.json()
    assert sorted(row["invoice_id"] for row in rows) == sorted(open_ids)
    assert [row["p_late"] for row in rows] == sorted((row["p_late"] for row in rows), reverse=True)
    assert all(row["reasons"] and row["expected_pay_date"] >= row["due_date"] for row in rows)


def test_one_invoice_is_scored_live_with_reasons_and_agrees_with_the_stored_score(
    book: Book, session: Session
) -> None:
    stored = (
        session.execute(
            select(RiskScore)
            .join(Invoice, Invoice.id == RiskScore.invoice_id)
            .where(Invoice.account_id == book.own_account, RiskScore.latest.is_(True))
            .order_by(RiskScore.p_late.desc())
        )
        .scalars()
        .first()
    )
    assert stored is not None
    response = book.client.get(f"/api/invoices/{stored.invoice_id}/risk", headers=book.headers)
    assert response.status_code == 200
    live = response.json()
    assert live["reasons"]
    assert all(isinstance(reason, str) and reason for reason in live["reasons"])
    assert live["p_late"] == pytest.approx(stored.p_late, abs=1e-6)
    assert live["expected_pay_date"] == stored.expected_pay_date.isoformat()
    assert live["model_version"] == stored.model_version


def test_another_csms_invoice_is_not_found_and_a_paid_one_is_not_scored(book: Book, session: Session) -> None:
    theirs = session.scalars(select(Invoice.id).where(Invoice.account_id == book.other_account)).first()
    paid = session.scalars(
        select(Invoice.id).where(Invoice.account_id == book.own_account, Invoice.status == "paid")
    ).first()
    assert book.client.get(f"/api/invoices/{theirs}/risk", headers=book.headers).status_code == 404
    response = book.client.get(f"/api/invoices/{paid}/risk", headers=book.headers)
    assert response.status_code == 409
    assert "only open invoices are scored" in response.json()["detail"]


def test_the_model_card_and_its_calibration_check(book: Book, settings: Settings) -> None:
    card = read_card(settings.home)
    shown = book.client.get("/api/model", headers=book.headers).json()
    calibration = book.client.get("/api/model/calibration", headers=book.headers).json()
    assert shown["version"] == card["version"]
    assert shown["metrics"]["roc_auc"] == card["metrics"]["roc_auc"]
    assert set(shown["evaluation"]["baselines"]) == {"prior_late_rate", "invoice_only"}
    assert calibration["model_version"] == card["version"]
    assert calibration["months"] == card["evaluation"]["calibration_by_month"]
    assert sum(month["invoices"] for month in calibration["months"]) == card["evaluation"]["test_rows"]


def test_the_live_scorer_is_built_once_and_rebuilt_after_the_next_cycle(
    book: Book, database: Database, settings: Settings, session: Session
) -> None:
    invoice = session.scalars(
        select(Invoice.id).where(Invoice.account_id == book.own_account, Invoice.status == "open")
    ).first()
    for _ in range(3):
        assert book.client.get(f"/api/invoices/{invoice}/risk", headers=book.headers).status_code == 200
    cache = book.client.app.state.risk_scorers  # type: ignore[attr-defined]
    assert cache.builds == 1
    with database.transaction() as tx:
        score_book(StepContext(session=tx, database=database, settings=settings, as_of=AS_OF))
    assert book.client.get(f"/api/invoices/{invoice}/risk", headers=book.headers).status_code == 200
    assert cache.builds == 2


def test_the_forecast_endpoint_uses_the_models_expected_delay(book: Book, session: Session) -> None:
    me = session.scalars(select(Person).where(Person.role == "csm").order_by(Person.id)).first()
    assert me is not None
    ledger = visible_ledger(session=session, principal=principal_for(session=session, person=me))
    delays = expected_days_late_series(session=session)
    modelled = book_forecast(ledger=ledger, settings=book.settings, weeks=13, expected_days_late=delays)
    plain = book_forecast(ledger=ledger, settings=book.settings, weeks=13)
    shown = book.client.get("/api/forecast", headers=book.headers).json()
    assert shown == jsonable_encoder(modelled.to_dict())
    assert shown != jsonable_encoder(plain.to_dict())

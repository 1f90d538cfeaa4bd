"""The metrics API over the live book: scoped by role, in the reporting currency."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.ledger.store import load_ledger
from agent.metrics import cash_forecast, compute_metrics, monthly_trend
from agent.metrics.rates import Rates
from agent.settings import Settings
from tests.factories import make_account, make_invoice, make_person, token_for

RATES = {"EUR": 1.08}


@dataclass(frozen=True)
class Book:
    tokens: dict[str, str]
    accounts: dict[str, int]


@pytest.fixture
def book(session: Session) -> Book:
    """Maya and Omar (CSMs under Ines), ops; Northwind (Maya, USD) and Contoso (Omar, USD and EUR)."""
    ines = make_person(session, "ines.moreau@nudge.example", role="manager")
    maya = make_person(session, "maya.chen@nudge.example", manager=ines)
    omar = make_person(session, "omar.haddad@nudge.example", manager=ines)
    ops = make_person(session, "ops@nudge.example", role="ops")
    northwind = make_account(session, "Northwind", maya, default_terms_days=30, terms_label="net 30")
    make_invoice(session, northwind, "N-1", "10000.00", issued=date(2026, 9, 1))  # 50 days late
    make_invoice(session, northwind, "N-2", "2500.50", issued=date(2026, 10, 21))  # due on as-of
    make_invoice(
        session,
        northwind,
        "N-3",
        "4000.00",
        issued=date(2026, 8, 1),
        paid="4000.00",
        paid_on=date(2026, 9, 2),
    )
    make_invoice(session, northwind, "N-4", "6000.00", issued=date(2026, 11, 5))
    contoso = make_account(session, "Contoso", omar)
    make_invoice(
        session, contoso, "C-1", "8000.00", issued=date(2026, 6, 1), paid="3000.00", paid_on=date(2026, 7, 15)
    )
    make_invoice(session, contoso, "C-2", "5000.00", issued=date(2026, 11, 1), currency="EUR")
    session.commit()
    people = {"maya": maya, "omar": omar, "ines": ines, "ops": ops}
    return Book(
        tokens={name: token_for(session, person) for name, person in people.items()},
        accounts={"northwind": northwind.id, "contoso": contoso.id},
    )


@pytest.fixture
def book_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"fx_rates": RATES})


@pytest.fixture
def client(database: Database, book_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings=book_settings, database=database)) as client:
        yield client


def get(client: TestClient, token: str, path: str) -> Any:
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_metrics_need_a_token(client: TestClient, book: Book) -> None:
    for path in ("/api/metrics", "/api/metrics/trend", "/api/forecast", "/api/accounts/1/metrics"):
        assert client.get(path).status_code == 401


def test_a_csm_measures_only_their_own_accounts(client: TestClient, book: Book) -> None:
    maya = get(client, book.tokens["maya"], "/api/metrics?by=customer")
    assert list(maya["groups"]) == [str(book.accounts["northwind"])]
    assert maya["ar"] == 18500.50  # N-1 + N-2 + N-4
    assert maya["credit_sales"] == 6000.00  # only N-4 is dated in the 30 days to 2026-11-20
    assert maya["dso"] == pytest.approx(18500.50 / 6000 * 30)
    assert maya["best_possible_dso"] == pytest.approx(8500.50 / 6000 * 30)  # N-2 is due on the as-of date
    assert maya["delinquent_dso"] == pytest.approx(10000 / 6000 * 30)


def test_ops_measures_the_book_in_the_reporting_currency(client: TestClient, book: Book) -> None:
    ops = get(client, book.tokens["ops"], "/api/metrics?by=owner&period_days=30")
    assert ops["currency"] == "USD"
    assert ops["ar"] == pytest.approx(18500.50 + 5000 + 5000 * 1.08)
    assert ops["credit_sales"] == pytest.approx(6000 + 5000 * 1.08)
    assert ops["by"] == "owner"
    assert sorted(ops["groups"]) == ["maya.chen@nudge.example", "omar.haddad@nudge.example"]
    assert ops["groups"]["omar.haddad@nudge.example"]["aging"]["91+"] == 5000.00  # C-1's rest


def test_the_api_matches_the_engine_on_the_stored_ledger(
    client: TestClient, book: Book, session: Session, book_settings: Settings
) -> None:
    ledger = load_ledger(session=session)
    rates = Rates("USD", RATES)
    as_of = date(2026, 10, 31)
    shown = get(client, book.tokens["ops"], f"/api/metrics?as_of={as_of}&period_days=90")
    assert shown == compute_metrics(ledger, as_of, 90, rates).to_dict()
    trend = get(client, book.tokens["ops"], "/api/metrics/trend?months=6")
    expected = monthly_trend(ledger, book_settings.today(), 6, rates)
    assert [m["month"] for m in trend["months"]] == [p.month for p in expected]
    assert [m["dso"] for m in trend["months"]] == [p.to_dict()["dso"] for p in expected]
    assert [m["rolling_dso_3m"] for m in trend["months"]] == [p.rolling_dso_3m for p in expected]
    assert {m["source"] for m in trend["months"]} == {"live"}  # nothing stored yet
    forecast = get(client, book.tokens["ops"], "/api/forecast?weeks=13")
    assert forecast == cash_forecast(ledger, book_settings.today(), 13, rates).to_dict()


def test_a_csm_forecast_holds_only_their_invoices(client: TestClient, book: Book) -> None:
    forecast = get(client, book.tokens["maya"], "/api/forecast")
    assert len(forecast["weeks"]) == 13
    # Every open invoice of Maya's is expected in some week (or beyond): nothing of Omar's.
    assert sum(w["expected_amount"] for w in forecast["weeks"]) + forecast["beyond_amount"] == 18500.50


def test_an_account_shows_its_own_dso_terms_and_trend(client: TestClient, book: Book) -> None:
    northwind = book.accounts["northwind"]
    shown = get(client, book.tokens["maya"], f"/api/accounts/{northwind}/metrics")
    assert shown["name"] == "Northwind"
    assert shown["metrics"]["dso"] == pytest.approx(18500.50 / 6000 * 30)
    assert shown["terms"] == {
        "terms_label": "net 30",
        "default_terms_days": 30,
        "weighted_terms_days": 30.0,
        "gap_days": pytest.approx(18500.50 / 6000 * 30 - 30),
    }
    assert shown["metrics"]["aging"] == {
        "current": 8500.50,
        "1-30": 0.0,
        "31-60": 10000.0,
        "61-90": 0.0,
        "91+": 0.0,
    }
    assert len(shown["trend"]["months"]) == 12
    hidden = client.get(
        f"/api/accounts/{northwind}/metrics", headers={"Authorization": f"Bearer {book.tokens['omar']}"}
    )
    assert hidden.status_code == 404


def test_a_manager_sees_the_team(client: TestClient, book: Book) -> None:
    team = get(client, book.tokens["ines"], "/api/metrics?by=customer")
    assert sorted(team["groups"]) == sorted(str(i) for i in book.accounts.values())


def test_a_currency_without_a_rate_is_a_clear_conflict(
    database: Database, settings: Settings, book: Book
) -> None:
    with TestClient(create_app(settings=settings, database=database)) as client:
        response = client.get("/api/metrics", headers={"Authorization": f"Bearer {book.tokens['ops']}"})
    assert response.status_code == 409
    assert "no exchange rate from EUR to USD" in response.json()["detail"]
    assert "NUDGE_FX_RATES" in response.json()["detail"]


def test_bad_parameters_are_rejected(client: TestClient, book: Book) -> None:
    headers = {"Authorization": f"Bearer {book.tokens['ops']}"}
    assert client.get("/api/metrics?by=planet", headers=headers).status_code == 422
    assert client.get("/api/metrics?period_days=0", headers=headers).status_code == 422
    assert client.get("/api/forecast?weeks=0", headers=headers).status_code == 422

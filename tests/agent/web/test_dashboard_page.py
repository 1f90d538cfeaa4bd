"""The dashboard page's edge cases: an empty book, a currency without a rate, a CSM's own view."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.settings import Settings
from tests.factories import make_account, make_invoice, make_person, token_for


def page(database: Database, settings: Settings, token: str, path: str = "/dashboard") -> str:
    with TestClient(create_app(settings=settings, database=database)) as client:
        client.cookies.set("nudge_session", token)
        response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def test_a_csm_without_invoices_sees_an_empty_dashboard(
    database: Database, settings: Settings, session: Session
) -> None:
    lee = make_person(session, "lee.park@nudge.example")
    make_account(session, "Fabrikam", lee)
    html = page(database, settings, token_for(session, lee))
    assert "No accounts yet." in html
    assert "No customer has both sales and an open balance in the period." in html
    assert '<strong title="no credit sales in the period">—</strong>' in html  # blank DSO, and why


def test_a_currency_without_a_rate_explains_the_setting(
    database: Database, settings: Settings, session: Session
) -> None:
    ops = make_person(session, "ops@nudge.example", role="ops")
    maya = make_person(session, "maya.chen@nudge.example")
    account = make_account(session, "Contoso", maya, currency="EUR")
    make_invoice(session, account, "C-1", "5000.00", issued=date(2026, 11, 1), currency="EUR")
    token = token_for(session, ops)
    assert "no exchange rate from EUR to USD" in page(database, settings, token)
    assert "NUDGE_FX_RATES" in page(database, settings, token, f"/accounts/{account.id}")
    converted = settings.model_copy(update={"fx_rates": {"EUR": 1.10}})
    assert "$5,500.00" in page(database, converted, token)  # open AR in the reporting currency


def test_a_csm_sees_only_their_own_customers(
    database: Database, settings: Settings, session: Session
) -> None:
    maya = make_person(session, "maya.chen@nudge.example")
    omar = make_person(session, "omar.haddad@nudge.example")
    for name, owner in (("Northwind", maya), ("Contoso", omar)):
        account = make_account(session, name, owner, default_terms_days=30)
        make_invoice(session, account, f"{name}-1", "1000.00", issued=date(2026, 9, 1))
        make_invoice(session, account, f"{name}-2", "1000.00", issued=date(2026, 11, 10))
    html = page(database, settings, token_for(session, maya))
    assert ">Northwind</a>" in html
    assert "Contoso" not in html
    assert ">Maya Chen</a>" in html
    assert "Omar" not in html

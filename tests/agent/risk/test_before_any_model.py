"""Before the first model exists: the pages and the API say so instead of failing."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.settings import Settings
from tests.factories import make_account, make_invoice, make_person, token_for


def test_without_a_model_the_api_and_the_model_page_explain_what_is_missing(
    database: Database, settings: Settings, session: Session
) -> None:
    maya = make_person(session, "maya.chen@nudge.example")
    account = make_account(session, "Northwind Logistics", maya)
    invoice = make_invoice(session, account, "N-1", "900.00", issued=date(2026, 11, 1))
    token = token_for(session, maya)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings=settings, database=database)) as client:
        card = client.get("/api/model", headers=headers)
        live = client.get(f"/api/invoices/{invoice.id}/risk", headers=headers)
        stored = client.get(f"/api/accounts/{account.id}/risk", headers=headers)
        client.cookies.set("nudge_session", token)
        page = client.get("/model")
        account_page = client.get(f"/accounts/{account.id}")
    assert card.status_code == 404
    assert "no trained model" in card.json()["detail"]
    assert live.status_code == 503
    assert stored.status_code == 200
    assert stored.json() == []
    assert page.status_code == 200
    assert "No model yet" in page.text
    assert account_page.status_code == 200
    assert "No risk scores for this account" in account_page.text

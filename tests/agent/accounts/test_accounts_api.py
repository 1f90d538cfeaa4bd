"""The account list, account page data and aging through the API, scoped by role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.settings import Settings
from tests.conftest import BOOK_DATE
from tests.factories import make_account, make_invoice, make_person, token_for


@pytest.fixture
def book(session: Session) -> dict[str, str]:
    """Two CSMs under one manager, an ops user; three accounts with open and paid invoices."""
    manager = make_person(session, "ines.moreau@nudge.example", role="manager")
    maya = make_person(session, "maya.chen@nudge.example", manager=manager)
    omar = make_person(session, "omar.haddad@nudge.example", manager=manager)
    outsider = make_person(session, "lee.park@nudge.example")
    ops = make_person(session, "ops@nudge.example", role="ops")
    northwind = make_account(session, "Northwind Logistics", maya, segment="mid-market")
    make_invoice(session, northwind, "N-1", "10000.00", issued=date(2026, 9, 1))  # 50 days late
    make_invoice(session, northwind, "N-2", "2500.50", issued=date(2026, 10, 21))  # due as-of
    make_invoice(
        session,
        northwind,
        "N-3",
        "4000.00",
        issued=date(2026, 8, 1),
        paid="4000.00",
        paid_on=date(2026, 9, 2),
    )
    contoso = make_account(session, "Contoso", omar, segment="enterprise")
    make_invoice(
        session,
        contoso,
        "C-1",
        "8000.00",
        issued=date(2026, 6, 1),
        paid="3000.00",
        paid_on=date(2026, 7, 15),
    )  # partial, 142 days late
    make_account(session, "Fabrikam", outsider)
    session.commit()
    return {
        "maya": token_for(session, maya),
        "manager": token_for(session, manager),
        "ops": token_for(session, ops),
        "outsider": token_for(session, outsider),
    }


@pytest.fixture
def client(database: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings=settings, database=database)) as client:
        yield client


def get(client: TestClient, token: str, path: str) -> Any:
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_api_requires_a_valid_token(client: TestClient, book: dict[str, str]) -> None:
    assert client.get("/api/accounts").status_code == 401
    bad = client.get("/api/accounts", headers={"Authorization": "Bearer ndg_forged"})
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"


def test_csm_sees_own_accounts_with_open_and_overdue_balances(
    client: TestClient, book: dict[str, str]
) -> None:
    rows = get(client, book["maya"], "/api/accounts")
    [northwind] = rows
    assert northwind["name"] == "Northwind Logistics"
    assert Decimal(northwind["open_ar"]) == Decimal("12500.50")
    assert Decimal(northwind["overdue_ar"]) == Decimal("10000.00")  # due on as-of is current
    assert northwind["open_invoices"] == 2
    assert northwind["oldest_days_past_due"] == (BOOK_DATE - date(2026, 10, 1)).days


def test_manager_sees_the_team_and_ops_the_whole_book(client: TestClient, book: dict[str, str]) -> None:
    team = get(client, book["manager"], "/api/accounts")
    assert [row["name"] for row in team] == ["Northwind Logistics", "Contoso"]  # most overdue first
    everyone = get(client, book["ops"], "/api/accounts?sort=name")
    assert [row["name"] for row in everyone] == ["Contoso", "Fabrikam", "Northwind Logistics"]


def test_account_detail_is_hidden_from_other_csms(client: TestClient, book: dict[str, str]) -> None:
    rows = get(client, book["maya"], "/api/accounts")
    account_id = rows[0]["id"]
    detail = get(client, book["maya"], f"/api/accounts/{account_id}")
    assert [i["number"] for i in detail["invoices"]] == ["N-2", "N-1", "N-3"]
    assert [i["days_past_due"] for i in detail["invoices"]] == [0, 50, None]
    hidden = client.get(
        f"/api/accounts/{account_id}", headers={"Authorization": f"Bearer {book['outsider']}"}
    )
    assert hidden.status_code == 404


def test_aging_buckets_the_open_balance(client: TestClient, book: dict[str, str]) -> None:
    [usd] = get(client, book["ops"], "/api/aging")
    assert usd["currency"] == "USD"
    assert {k: Decimal(v) for k, v in usd["buckets"].items()} == {
        "current": Decimal("2500.50"),
        "1-30": Decimal(0),
        "31-60": Decimal("10000.00"),
        "61-90": Decimal(0),
        "91+": Decimal("5000.00"),
    }


def test_web_pages_need_a_session_and_show_balances(client: TestClient, book: dict[str, str]) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    signed_in = client.get(f"/login?token={book['maya']}", follow_redirects=False)
    assert signed_in.status_code == 303
    page = client.get("/")
    assert "Northwind Logistics" in page.text
    assert "$12,500.50" in page.text
    assert "Contoso" not in page.text
    assert page.headers["x-frame-options"] == "DENY"

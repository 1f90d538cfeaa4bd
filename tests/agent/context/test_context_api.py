"""``GET /api/v1/context``: one lookup by any source's id, a domain or an email, to what a card shows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.metrics.history import snapshot_today
from agent.profile.tables import Person
from agent.settings import Settings
from tests.agent.context.factories import ContextBook, build_context_book
from tests.factories import make_invoice, make_person, token_for


@pytest.fixture
def book(session: Session) -> ContextBook:
    return build_context_book(session)


@pytest.fixture
def client(database: Database, settings: Settings, book: ContextBook) -> TestClient:
    return TestClient(create_app(settings=settings, database=database))


def ask(client: TestClient, session: Session, who: Person, **query: str) -> Any:
    return client.get(
        "/api/v1/context", params=query, headers={"Authorization": f"Bearer {token_for(session, who)}"}
    )


def test_a_hubspot_company_id_gives_everything_a_card_shows(
    client: TestClient, session: Session, book: ContextBook
) -> None:
    answer = ask(client, session, book.maya, source="hubspot", object="company", id="1001")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    acme = f"http://testserver/accounts/{book.acme.id}"
    assert body["lookup"] == {
        "query": {"source": "hubspot", "object": "company", "id": "1001"},
        "matched": "hubspot company 1001",
    }
    assert body["as_of"] == "2026-11-20"
    assert body["account"] == {
        "id": book.acme.id,
        "name": "Acme Corp",
        "domain": "acme.com",
        "segment": "enterprise",
        "currency": "USD",
        "owner": {"id": book.maya.id, "name": "Maya Chen", "email": "maya.chen@nudge.example"},
        "terms": {"label": "Net 30", "days": 30},
        "url": acme,
    }
    assert (body["open_ar"], body["overdue_ar"]) == (
        [{"currency": "USD", "amount": "4200.50"}],
        [{"currency": "USD", "amount": "1200.50"}],
    )
    assert body["risk"] == {
        "p_late": 0.82,
        "reasons": ["50 days past due", "paid late 3 of the last 4 times"],
        "model_version": "2026-11-19T06-00",
        "scored_on": "2026-11-20",
        "invoices": [
            {
                "invoice_id": book.overdue.id,
                "number": "INV-1",
                "p_late": 0.82,
                "expected_days_late": 21.5,
                "expected_pay_date": "2026-12-24",
                "reasons": ["50 days past due", "paid late 3 of the last 4 times"],
            },
            {
                "invoice_id": book.current.id,
                "number": "INV-2",
                "p_late": 0.31,
                "expected_days_late": 2.0,
                "expected_pay_date": "2026-12-24",
                "reasons": ["new invoice"],
            },
        ],
    }
    # AR 1,200.50 + 3,000 over the period's sales of 3,000, times 30 days; terms 30 days.
    assert body["dso"] == {
        "dso": 42.005,
        "weighted_terms_days": 30.0,
        "gap_days": 12.005,
        "period_days": 30,
        "currency": "USD",
        "undefined": {},
        "source": "live",
    }
    assert [
        (a["id"], a["severity"], a["state"], a["invoice_number"], a["allowed_actions"], a["url"])
        for a in body["alerts"]
    ] == [
        (
            book.invoice_alert.id,
            "high",
            "firing",
            "INV-1",
            ["acknowledge", "snooze", "promise", "dispute", "close"],
            f"{acme}#alert-{book.invoice_alert.id}",
        ),
        (
            book.account_alert.id,
            "medium",
            "firing",
            None,
            ["acknowledge", "snooze", "close"],
            f"{acme}#alert-{book.account_alert.id}",
        ),
    ]
    assert body["overdue_invoices"] == [
        {
            "id": book.overdue.id,
            "number": "INV-1",
            "currency": "USD",
            "amount_open": "1200.50",
            "due_date": "2026-10-01",
            "days_past_due": 50,
            "disputed": False,
        }
    ]
    assert [(p["id"], p["invoice_number"], p["promised_date"], p["amount"]) for p in body["promises"]] == [
        (book.promise.id, "INV-1", "2026-11-27", "1200.50")
    ]
    assert [(d["id"], d["invoice_number"], d["reason"]) for d in body["disputes"]] == [
        (book.dispute.id, "INV-2", "pricing")
    ]


@pytest.mark.parametrize(
    ("query", "matched"),
    [
        ({"source": "hubspot", "object": "company", "id": "1001"}, "hubspot company 1001"),
        ({"source": "hubspot", "object": "contact", "id": "501"}, "hubspot contact 501"),
        ({"source": "hubspot", "object": "deal", "id": "9001"}, "hubspot deal 9001"),
        (
            {"source": "salesforce", "object": "Account", "id": "001Dn00000AcmeAAA"},
            "salesforce account 001Dn00000AcmeAAA",
        ),
        (
            {"source": "salesforce", "object": "Contact", "id": "003Dn00000JaneAAA"},
            "salesforce contact 003Dn00000JaneAAA",
        ),
        (
            {"source": "salesforce", "object": "Opportunity", "id": "006Dn00000RenewAAA"},
            "salesforce opportunity 006Dn00000RenewAAA",
        ),
        ({"source": "stripe", "object": "customer", "id": "cus_Acme42"}, "stripe customer cus_Acme42"),
        ({"domain": "acme.com"}, "domain acme.com"),
        ({"domain": "acme.io"}, "domain acme.io"),
        ({"domain": "billing.eu.acme.com"}, "domain acme.com"),
        ({"domain": "https://www.Acme.com/invoices?id=3"}, "domain acme.com"),
        ({"email": "JANE.DOE@acme.com"}, "contact jane.doe@acme.com"),
        ({"email": "ap@billing.acme.com"}, "domain acme.com"),
    ],
)
def test_every_kind_of_id_domain_and_email_finds_the_account(
    client: TestClient, session: Session, book: ContextBook, query: dict[str, str], matched: str
) -> None:
    answer = ask(client, session, book.maya, **query)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["account"]["id"], answer.json()["lookup"]["matched"]) == (book.acme.id, matched)


def test_another_csms_account_is_not_found_exactly_like_an_unknown_one(
    client: TestClient, session: Session, book: ContextBook
) -> None:
    hidden = ask(client, session, book.leo, domain="acme.com")
    unknown = ask(client, session, book.leo, domain="initech.com")
    assert (hidden.status_code, hidden.json()) == (
        404,
        {"detail": "no account found for domain acme.com", "lookup": {"domain": "acme.com"}},
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"detail": "no account found for domain initech.com", "lookup": {"domain": "initech.com"}},
    )
    by_id = ask(client, session, book.leo, source="hubspot", object="contact", id="501")
    assert by_id.json() == {
        "detail": "no account found for hubspot contact 501",
        "lookup": {"source": "hubspot", "object": "contact", "id": "501"},
    }
    assert ask(client, session, book.leo, domain="globex.com").json()["account"]["id"] == book.globex.id
    # Maya's manager and ops see Acme; an unlinked deal id finds nothing.
    assert (
        ask(client, session, book.manager, email="jane.doe@acme.com").json()["account"]["id"] == book.acme.id
    )
    ops = make_person(session, "ops@nudge.example", role="ops")
    assert ask(client, session, ops, source="stripe", object="customer", id="cus_Acme42").status_code == 200
    assert ask(client, session, ops, source="stripe", object="customer", id="cus_acme42").status_code == 404


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ({}, "look up one of: ?source=&object=&id=, ?domain= or ?email= (got none)"),
        (
            {"domain": "acme.com", "email": "jane@acme.com"},
            "look up one of: ?source=&object=&id=, ?domain= or ?email= (got domain and email)",
        ),
        (
            {"source": "hubspot", "object": "company", "id": "1001", "domain": "acme.com"},
            "look up one of: ?source=&object=&id=, ?domain= or ?email= (got object id and domain)",
        ),
        ({"source": "hubspot", "id": "1001"}, "a lookup by object id needs source, object and id"),
        (
            {"source": "zoho", "object": "account", "id": "1"},
            "unknown source 'zoho' (known: hubspot, salesforce, stripe)",
        ),
        (
            {"source": "hubspot", "object": "ticket", "id": "1"},
            "unknown object 'ticket' for hubspot (known: company, contact, deal)",
        ),
        (
            {"source": "stripe", "object": "invoice", "id": "in_1"},
            "unknown object 'invoice' for stripe (known: customer)",
        ),
        ({"email": "jane.acme.com"}, "'jane.acme.com' is not an email address"),
        ({"email": "jane@localhost"}, "'jane@localhost' is not an email address"),
        ({"domain": "localhost"}, "'localhost' is not a domain"),
        ({"domain": "acme..com"}, "'acme..com' is not a domain"),
    ],
)
def test_a_malformed_query_gets_422_saying_what_is_wrong(
    client: TestClient, session: Session, book: ContextBook, query: dict[str, str], detail: str
) -> None:
    answer = ask(client, session, book.maya, **query)
    assert (answer.status_code, answer.json()) == (422, {"detail": detail})


def test_the_context_needs_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/context", params={"domain": "acme.com"}).status_code == 401


def test_links_use_the_public_address_and_dso_says_why_it_is_undefined(
    database: Database, settings: Settings, session: Session, book: ContextBook
) -> None:
    make_invoice(session, book.globex, "G-2", "100.00", issued=date(2026, 11, 1), currency="EUR")
    session.commit()
    public = settings.model_copy(update={"public_url": "https://nudge.example.com/"})
    client = TestClient(create_app(settings=public, database=database))
    body = ask(client, session, book.leo, email="hank@globex.com").json()
    assert body["account"]["url"] == f"https://nudge.example.com/accounts/{book.globex.id}"
    assert body["lookup"]["matched"] == "contact hank@globex.com"
    assert body["dso"]["dso"] is None
    assert body["dso"]["undefined"]["dso"].startswith("no exchange rate from EUR to USD")
    assert (body["alerts"], body["promises"], body["disputes"], body["risk"]["p_late"]) == ([], [], [], None)


def test_the_dso_is_read_from_todays_snapshot_once_the_cycle_stored_it(
    client: TestClient, session: Session, settings: Settings, book: ContextBook
) -> None:
    live = ask(client, session, book.maya, domain="acme.com").json()["dso"]
    assert snapshot_today(session=session, settings=settings) > 0
    session.commit()
    stored = ask(client, session, book.maya, domain="acme.com").json()["dso"]
    assert stored == live | {"source": "snapshot"}

"""The review queue through the API and the web page (admin/ops only, same-origin posts)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.profile.tables import Account, Invoice, MatchReview
from agent.settings import Settings
from tests.agent.profile.resolution_factories import apply, company, customer, invoice
from tests.factories import make_person, token_for


@pytest.fixture
def queue(session: Session) -> dict[str, int]:
    """Two Acme companies in HubSpot and an ambiguous Stripe customer with an invoice."""
    apply(session, company("101", "Acme Inc"), company("102", "Acme LLC"))
    apply(session, customer("cus_7", "ACME"), invoice("in_1", "cus_7"))
    ids = {a.name: a.id for a in session.scalars(select(Account))}
    review = session.scalars(select(MatchReview)).one()
    return {"review": review.id, "acme_inc": ids["Acme Inc"], "provisional": ids["ACME"]}


@pytest.fixture
def client(settings: Settings, database: Database) -> TestClient:
    return TestClient(create_app(settings=settings, database=database))


def bearer(session: Session, email: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(session, make_person(session, email, role=role))}"}


def test_ops_lists_and_merges_a_review(client: TestClient, session: Session, queue: dict[str, int]) -> None:
    ops = bearer(session, "ops@nudge.example", "ops")
    listed = client.get("/api/reviews", headers=ops).json()
    assert [(r["external_id"], [c["name"] for c in r["candidates"]]) for r in listed] == [
        ("cus_7", ["Acme Inc", "Acme LLC"])
    ]
    url = f"/api/reviews/{queue['review']}/resolve"
    done = client.post(url, json={"account_id": queue["acme_inc"]}, headers=ops)
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["chosen_account_id"]) == ("resolved", queue["acme_inc"])
    session.expire_all()
    assert session.get(Account, queue["provisional"]) is None
    assert session.scalars(select(Invoice.account_id)).one() == queue["acme_inc"]
    merged = session.get(Account, queue["acme_inc"])
    assert merged is not None
    assert {x.external_id for x in merged.external_ids} == {"101", "cus_7"}
    assert client.get("/api/reviews", headers=ops).json() == []
    assert client.post(url, json={"account_id": "new"}, headers=ops).status_code == 409


def test_keeping_the_record_as_a_new_account(
    client: TestClient, session: Session, queue: dict[str, int]
) -> None:
    admin = bearer(session, "admin@nudge.example", "admin")
    done = client.post(f"/api/reviews/{queue['review']}/resolve", json={"account_id": "new"}, headers=admin)
    assert done.json()["chosen_account_id"] == queue["provisional"]
    session.expire_all()
    assert session.get(Account, queue["provisional"]) is not None


def test_csms_may_not_resolve(client: TestClient, session: Session, queue: dict[str, int]) -> None:
    csm = bearer(session, "maya@nudge.example", "csm")
    url = f"/api/reviews/{queue['review']}/resolve"
    assert client.get("/api/reviews", headers=csm).status_code == 403
    assert client.post(url, json={"account_id": "new"}, headers=csm).status_code == 403


def test_page_resolves_only_same_origin_posts(
    client: TestClient, session: Session, queue: dict[str, int]
) -> None:
    token = token_for(session, make_person(session, "ops@nudge.example", role="ops"))
    client.cookies.set("nudge_session", token)
    page = client.get("/reviews")
    assert page.status_code == 200
    assert "ACME" in page.text
    url = f"/reviews/{queue['review']}/resolve"
    assert f'action="{url}"' in page.text
    form = {"account_id": str(queue["acme_inc"])}
    assert client.post(url, data=form).status_code == 403  # no Origin/Referer
    assert client.post(url, data=form, headers={"Origin": "https://evil.example"}).status_code == 403
    done = client.post(url, data=form, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert done.status_code == 303
    session.expire_all()
    review = session.get(MatchReview, queue["review"])
    assert review is not None
    assert review.status == "resolved"

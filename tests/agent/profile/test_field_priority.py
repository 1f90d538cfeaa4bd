"""Each account field remembers its source; a configurable priority decides who wins."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.profile.priority import PriorityFileError, load_priority
from agent.profile.tables import Account
from tests.agent.profile.resolution_factories import apply, company, customer

SEEN = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
SEEN_AGAIN = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def the_account(session: Session) -> Account:
    return session.scalars(select(Account)).one()


def test_crm_names_and_owns_billing_sets_the_currency(session: Session) -> None:
    apply(
        session,
        company(
            "101",
            "Northwind Logistics",
            currency="USD",
            owner_email="maya@nudge.example",
            other_ids={"stripe_customer_id": "cus_1"},
            updated_at=SEEN,
        ),
    )
    apply(session, customer("cus_1", "NW Billing", currency="eur"))
    apply(
        session, company("101", "Northwind Logistics", currency="USD", updated_at=SEEN_AGAIN)
    )  # CRM cannot take currency back
    account = the_account(session)
    assert (account.name, account.currency, account.owner.email if account.owner else None) == (
        "Northwind Logistics",
        "EUR",
        "maya@nudge.example",
    )
    assert account.field_sources["name"] == {"source": "hubspot", "seen_at": SEEN_AGAIN.isoformat()}
    assert account.field_sources["currency"]["source"] == "stripe"
    assert account.field_sources["owner"]["source"] == "hubspot"


def test_a_priority_file_reorders_a_field(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "priority.yaml"
    path.write_text("name: [stripe, hubspot]\n", encoding="utf-8")
    priority = load_priority(path)
    apply(session, company("101", "Northwind", other_ids={"stripe_customer_id": "cus_1"}), priority=priority)
    apply(session, customer("cus_1", "Northwind Logistics Ltd"), priority=priority)
    assert the_account(session).name == "Northwind Logistics Ltd"
    assert the_account(session).field_sources["name"]["source"] == "stripe"


def test_a_malformed_priority_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "priority.yaml"
    path.write_text("name: stripe\n", encoding="utf-8")
    with pytest.raises(
        PriorityFileError, match=r"priority\.yaml: field 'name': expected a list of source names"
    ):
        load_priority(path)

"""Entity resolution: explicit ids, then domain, then name; ambiguity goes to review."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.profile.resolution import normalise_name
from agent.profile.tables import Account, Invoice, MatchReview
from tests.agent.profile.resolution_factories import apply, company, customer, invoice


def accounts(session: Session) -> dict[str, set[tuple[str, str]]]:
    session.expire_all()  # links are written as rows, not through the loaded collections
    return {
        a.name: {(x.source, x.external_id) for x in a.external_ids}
        for a in session.scalars(select(Account).order_by(Account.id))
    }


def test_names_normalise_case_punctuation_and_legal_suffixes() -> None:
    assert normalise_name("Acme, Inc.") == "acme"
    assert normalise_name("ACME Corp") == "acme"
    assert normalise_name("Müller GmbH & Co. KG") == "müller"
    assert normalise_name("The Company") == "the"
    assert normalise_name("Inc") == "inc"  # a bare suffix is the name
    assert normalise_name("  ") is None


def test_stripe_id_on_the_crm_company_links_the_stripe_customer(session: Session) -> None:
    apply(session, company("101", "Northwind", other_ids={"stripe_customer_id": "cus_1"}))
    apply(session, customer("cus_1", "NW Billing Dept"))  # different name, no domain
    assert accounts(session) == {"Northwind": {("hubspot", "101"), ("stripe", "cus_1")}}


def test_domain_joins_when_no_id_is_shared(session: Session) -> None:
    apply(session, company("101", "Northwind", domain="https://www.Northwind.example/"))
    apply(session, customer("cus_9", "Accounts Payable", domain="northwind.example"))
    assert accounts(session) == {"Northwind": {("hubspot", "101"), ("stripe", "cus_9")}}


def test_name_joins_ignoring_legal_suffixes(session: Session) -> None:
    apply(session, company("101", "Initech Inc."))
    apply(session, customer("cus_5", "INITECH, LLC"))
    assert accounts(session) == {"Initech Inc.": {("hubspot", "101"), ("stripe", "cus_5")}}


def test_records_of_one_source_never_merge_with_each_other(session: Session) -> None:
    apply(session, company("101", "Acme Inc", domain="acme.example"), company("102", "Acme LLC"))
    assert accounts(session) == {"Acme Inc": {("hubspot", "101")}, "Acme LLC": {("hubspot", "102")}}


def test_ambiguous_name_opens_a_review_and_keeps_the_invoices(session: Session) -> None:
    apply(session, company("101", "Acme Inc"), company("102", "Acme LLC"))
    apply(session, customer("cus_7", "ACME"), invoice("in_1", "cus_7"))
    review = session.scalars(select(MatchReview)).one()
    ids = {a.name: a.id for a in session.scalars(select(Account))}
    assert (review.status, review.source, review.external_id) == ("open", "stripe", "cus_7")
    assert review.candidates == [ids["Acme Inc"], ids["Acme LLC"]]
    provisional = session.get(Account, review.provisional_account_id)
    assert provisional is not None
    assert {(x.source, x.external_id) for x in provisional.external_ids} == {("stripe", "cus_7")}
    assert session.scalars(select(Invoice.account_id)).one() == provisional.id
    # the next sync finds the record by its id: no second review
    apply(session, customer("cus_7", "ACME"))
    assert len(session.scalars(select(MatchReview)).all()) == 1

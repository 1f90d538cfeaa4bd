"""The demo book is deterministic, internally consistent and a valid ledger."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from agent.demo import DemoBook, build_demo_book
from ledger.frame import INVOICE_COLUMNS, Ledger, normalise_invoices
from tests.agent.demo.factories import AS_OF, demo_book

FRAMES = [field.name for field in fields(DemoBook)]


def test_same_seed_gives_identical_frames() -> None:
    first, second = demo_book(), build_demo_book(seed=7, as_of=AS_OF, accounts=320)
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(first, name), getattr(second, name), obj=name)


def test_different_seed_gives_a_different_book() -> None:
    other = demo_book(seed=8)
    assert not other.invoices["amount"].equals(demo_book().invoices["amount"])
    assert set(other.accounts["name"]) != set(demo_book().accounts["name"])


def test_builds_320_accounts_with_two_years_of_monthly_invoices() -> None:
    book = build_demo_book(seed=11, as_of=AS_OF, accounts=320)
    assert len(book.accounts) == 320
    assert len(book.invoices) > 320 * 20


@pytest.mark.parametrize("accounts", [0, 100_000])
def test_impossible_account_counts_are_refused(accounts: int) -> None:
    with pytest.raises(ValueError, match="accounts must be between 1 and"):
        build_demo_book(as_of=AS_OF, accounts=accounts)


def test_ids_are_unique_in_every_frame() -> None:
    book = demo_book()
    for name, column in [
        ("people", "person_id"),
        ("people", "email"),
        ("people", "slack_id"),
        ("accounts", "account_id"),
        ("accounts", "domain"),
        ("accounts", "stripe_customer_id"),
        ("accounts", "hubspot_company_id"),
        ("accounts", "salesforce_account_id"),
        ("contacts", "contact_id"),
        ("contacts", "email"),
        ("invoices", "invoice_id"),
        ("payments", "payment_id"),
        ("promises", "promise_id"),
        ("disputes", "dispute_id"),
    ]:
        assert getattr(book, name)[column].is_unique, f"{name}.{column}"


def test_team_has_csms_reporting_to_two_managers() -> None:
    people = demo_book().people
    roles = people["role"].value_counts()
    assert roles["csm"] >= 8
    assert roles["manager"] == 2
    assert roles["ops"] == 1
    assert roles["finance"] == 1
    managers = set(people.loc[people["role"] == "manager", "email"])
    csms = people[people["role"] == "csm"]
    assert set(csms["manager_email"]) == managers
    assert all(re.fullmatch(r"U[A-Z0-9]{10}", slack) for slack in people["slack_id"])
    assert all(ZoneInfo(zone) for zone in people["time_zone"])
    assert people["time_zone"].nunique() >= 4


def test_accounts_carry_vendor_shaped_external_ids_and_csm_owners() -> None:
    book = demo_book()
    accounts = book.accounts
    csms = set(book.people.loc[book.people["role"] == "csm", "email"])
    assert set(accounts["owner_email"]) <= csms
    assert accounts["account_id"].str.fullmatch(r"acct-\d{4}").all()
    assert accounts["stripe_customer_id"].str.fullmatch(r"cus_[A-Za-z0-9]{14}").all()
    assert accounts["salesforce_account_id"].str.fullmatch(r"001[A-Za-z0-9]{15}").all()
    assert accounts["hubspot_company_id"].str.fullmatch(r"\d{10,11}").all()
    assert (accounts["created_at"] <= pd.Timestamp(AS_OF)).all()
    assert accounts["currency"].value_counts(normalize=True)["USD"] > 0.6
    assert {"EUR", "GBP"} <= set(accounts["currency"])


def test_contacts_use_their_accounts_domain() -> None:
    book = demo_book()
    domain = book.contacts["account_id"].map(book.accounts.set_index("account_id")["domain"])
    assert (book.contacts["email"].str.split("@").str[1] == domain).all()
    assert set(book.accounts["account_id"]) == set(book.contacts["account_id"])


def test_every_invoice_belongs_to_a_known_account_and_its_owner() -> None:
    book = demo_book()
    accounts = book.accounts.set_index("account_id")
    invoices = book.invoices
    assert invoices["customer_id"].isin(accounts.index).all()
    assert (invoices["owner_email"] == invoices["customer_id"].map(accounts["owner_email"])).all()
    assert (invoices["currency"] == invoices["customer_id"].map(accounts["currency"])).all()
    assert invoices["invoice_id"].str.fullmatch(r"INV-\d{4}-\d{6}").all()


def test_payments_add_up_to_amount_paid() -> None:
    book = demo_book()
    paid = book.payments.groupby("invoice_id")["amount"].sum()
    expected = book.invoices.set_index("invoice_id")["amount_paid"]
    np.testing.assert_allclose(paid.reindex(expected.index, fill_value=0.0), expected, atol=0.005)


def test_no_payment_before_issue_or_after_as_of() -> None:
    book = demo_book()
    issue = book.payments["invoice_id"].map(book.invoices.set_index("invoice_id")["issue_date"])
    assert (book.payments["paid_on"] >= issue).all()
    assert (book.payments["paid_on"] <= pd.Timestamp(AS_OF)).all()


def test_paid_date_is_the_payment_that_cleared_the_balance() -> None:
    invoices = demo_book().invoices
    settled = invoices[invoices["paid_date"].notna()]
    last = demo_book().payments.groupby("invoice_id")["paid_on"].max()
    assert (settled["paid_date"] == settled["invoice_id"].map(last)).all()
    assert (settled["amount_paid"] == settled["amount"]).all()


def test_open_invoices_have_no_paid_date_and_an_open_balance() -> None:
    invoices = demo_book().invoices
    open_rows = invoices[invoices["paid_date"].isna()]
    assert len(open_rows) > 100
    assert (open_rows["amount_paid"].abs() < open_rows["amount"].abs()).all()
    partial = open_rows[open_rows["amount_paid"] != 0]
    assert len(partial) > 0
    assert partial["paid_partially_on"].notna().all()


def test_the_ledger_contract_accepts_the_book_unchanged() -> None:
    book = demo_book()
    ledger = book.ledger()
    assert isinstance(ledger, Ledger)
    assert set(INVOICE_COLUMNS) <= set(book.invoices.columns)
    normalised = normalise_invoices(book.invoices)
    pd.testing.assert_frame_equal(normalised, book.invoices)
    open_ar = (book.invoices["amount"] - book.invoices["amount_paid"]).sum()
    assert ledger.open_amount.sum() == pytest.approx(open_ar)


def test_credit_notes_are_a_few_percent_and_applied_not_paid() -> None:
    book = demo_book()
    notes = book.invoices[book.invoices["amount"] < 0]
    assert 0.01 < len(notes) / len(book.invoices) < 0.06
    assert notes["number"].str.startswith("CN-").all()
    applied = book.payments[book.payments["invoice_id"].isin(notes["invoice_id"])]
    assert (applied["kind"] == "credit_note").all()
    assert applied["method"].isna().all()


def test_a_later_as_of_extends_history_without_paying_the_future() -> None:
    early = build_demo_book(as_of=date(2025, 6, 30), accounts=40)
    assert early.invoices["issue_date"].max() <= pd.Timestamp("2025-06-30")
    assert early.invoices["issue_date"].min() > pd.Timestamp("2023-06-30")

"""The demo book: a seeded, deterministic, realistic receivables book for a B2B company.

``build_demo_book(seed=7, as_of=date(...), accounts=320)`` returns a :class:`DemoBook` of
pandas frames (dates are ``datetime64[ns]``; money is float, in the row's currency):

``people``    person_id, name, email, role (csm | manager | account_manager | ops |
              finance), manager_email (CSMs and account managers: one of two managers;
              else None), time_zone (IANA), slack_id (``U`` + 10 characters).
``accounts``  account_id (``acct-0001``), name, domain (unique), segment (enterprise |
              mid-market | smb), owner_email (a CSM), default_terms_days, terms_label
              (net 15 | net 30 | net 45 | net 60 | 2/10 net 30), credit_limit, currency
              (USD, EUR, GBP), country (ISO 3166 alpha-2), stripe_customer_id,
              hubspot_company_id, salesforce_account_id, archetype (prompt |
              chronically_late | deteriorating | seasonal | disputing | partial_payer: the
              hidden truth, for tests only), created_at.
``contacts``  contact_id, account_id, name, email (at the account's domain), title, phone.
``invoices``  the ledger contract columns (``ledger.frame``): invoice_id
              (``INV-2025-000123``), customer_id (= account_id), customer_name,
              issue_date, due_date, amount (credit notes negative), currency, paid_date
              (NaT while open), amount_paid (payments made by as-of), disputed (a dispute
              was opened by as-of), terms_days; plus number (the printed number; ``CN-``
              for credit notes), customer_domain, owner_email, segment, delivery_channel
              (email | portal | paper), country, early_discount_pct (2 for 2/10 net 30,
              else 0), paid_partially_on (latest partial payment while open, else NaT).
``payments``  payment_id, invoice_id, customer_id, paid_on, amount, method (ach | card |
              wire | check; None for credit notes), kind (payment | credit_note). Only
              payments made on or before as-of. Early payers under 2/10 net 30 pay the
              full amount (the discount is not modelled as a separate movement).
``signals``   account_id, kind (renewal_date | open_deals | open_tickets | health_score |
              nps), value (text: ISO date or number), observed_at, source (hubspot |
              salesforce).
``promises``  promise_id, account_id, invoice_id, promised_date, amount (balance then
              open), created_at, created_by_email, status (open | kept | broken).
``disputes``  dispute_id, account_id, invoice_id, opened_at, reason (pricing | service |
              duplicate | quantity | other), status (open | resolved), resolved_at.

The same (seed, as_of, accounts) always gives identical frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from agent.demo.accounts import build_accounts, build_contacts, check_account_count
from agent.demo.behaviour import draw_days_to_settle, draw_disputed, draw_profiles
from agent.demo.billing import build_schedule
from agent.demo.crm import build_disputes, build_promises, build_signals
from agent.demo.people import build_people
from agent.demo.settlement import settle
from ledger.frame import PAYMENT_COLUMNS, Ledger

CSMS_MINIMUM = 8
ACCOUNTS_PER_CSM = 40


@dataclass(frozen=True)
class DemoBook:
    """Everything the demo loads: team, accounts, contacts, ledger and CRM data."""

    people: pd.DataFrame
    accounts: pd.DataFrame
    contacts: pd.DataFrame
    invoices: pd.DataFrame
    payments: pd.DataFrame
    signals: pd.DataFrame
    promises: pd.DataFrame
    disputes: pd.DataFrame

    def ledger(self) -> Ledger:
        """The invoices and payments as a :class:`Ledger`."""
        return Ledger(invoices=self.invoices, payments=self.payments.loc[:, list(PAYMENT_COLUMNS)])


def build_demo_book(*, seed: int = 7, as_of: date, accounts: int = 320) -> DemoBook:
    """Build the demo book as it stands on ``as_of``, with 24 months of history."""
    check_account_count(accounts)
    team_rng, account_rng, history_rng, crm_rng = (
        np.random.default_rng(child)
        for child in np.random.SeedSequence([seed, accounts, as_of.toordinal()]).spawn(4)
    )
    people = build_people(team_rng, csms=max(CSMS_MINIMUM, -(-accounts // ACCOUNTS_PER_CSM)))
    csm_emails = people.loc[people["role"] == "csm", "email"].tolist()
    account_frame, plans = build_accounts(account_rng, count=accounts, as_of=as_of, csm_emails=csm_emails)
    profiles = draw_profiles(
        history_rng, accounts=account_frame, channels=plans.delivery_channel, as_of=as_of
    )
    schedule = build_schedule(history_rng, accounts=account_frame, plans=plans, as_of=as_of)
    invoices = _invoice_frame(schedule, account_frame, plans.delivery_channel)
    ever_disputed = draw_disputed(history_rng, profiles, schedule["account"].to_numpy())
    ever_disputed &= invoices["amount"].to_numpy() > 0
    early = invoices["early_discount_pct"].to_numpy() > 0
    days = draw_days_to_settle(history_rng, profiles, schedule, ever_disputed, early)
    cleared_on = (invoices["issue_date"] + pd.to_timedelta(days, unit="D")).to_numpy()
    paid = settle(history_rng, invoices=invoices, cleared_on=cleared_on, accounts=account_frame, as_of=as_of)
    disputes, disputed = build_disputes(
        crm_rng, invoices=invoices, ever_disputed=ever_disputed, cleared_on=cleared_on, as_of=as_of
    )
    invoices = invoices.assign(
        paid_date=paid.paid_date,
        amount_paid=paid.amount_paid,
        disputed=disputed,
        paid_partially_on=paid.paid_partially_on,
    )
    return DemoBook(
        people=people,
        accounts=account_frame,
        contacts=build_contacts(account_rng, account_frame),
        invoices=invoices,
        payments=paid.payments,
        signals=build_signals(crm_rng, accounts=account_frame, profiles=profiles, as_of=as_of),
        promises=build_promises(
            crm_rng, invoices=invoices, payments=paid.payments, cleared_on=cleared_on, as_of=as_of
        ),
        disputes=disputes,
    )


def _invoice_frame(schedule: pd.DataFrame, accounts: pd.DataFrame, channels: np.ndarray) -> pd.DataFrame:
    """Ledger rows for the schedule, numbered in issue order, before any payment."""
    account = schedule["account"].to_numpy()
    issue = schedule["issue_date"]
    year = issue.dt.year.astype(str).to_numpy()
    sequence = np.char.zfill(np.arange(1, len(schedule) + 1).astype(str), 6)
    invoice_id = np.char.add(np.char.add(np.char.add("INV-", year), "-"), sequence).astype(object)
    is_note = (schedule["kind"] == "credit_note").to_numpy()
    number = np.where(is_note, np.char.replace(invoice_id.astype(str), "INV-", "CN-"), invoice_id)
    pick = accounts.iloc[account].reset_index(drop=True)
    return pd.DataFrame(
        {
            "invoice_id": invoice_id,
            "customer_id": pick["account_id"],
            "customer_name": pick["name"],
            "issue_date": issue.astype("datetime64[ns]"),
            "due_date": (issue + pd.to_timedelta(schedule["terms_days"], unit="D")).astype("datetime64[ns]"),
            "amount": schedule["amount"].to_numpy(float),
            "currency": pick["currency"],
            "paid_date": pd.Series(pd.NaT, index=schedule.index, dtype="datetime64[ns]"),
            "amount_paid": 0.0,
            "disputed": False,
            "terms_days": schedule["terms_days"].to_numpy("int64"),
            "number": number.astype(object),
            "customer_domain": pick["domain"],
            "owner_email": pick["owner_email"],
            "segment": pick["segment"],
            "delivery_channel": channels[account],
            "country": pick["country"],
            "early_discount_pct": np.where(
                (pick["terms_label"] == "2/10 net 30").to_numpy() & ~is_note, 2.0, 0.0
            ),
        }
    )

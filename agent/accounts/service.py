"""Reading the unified profile: account list with balances, account detail, aging."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session, selectinload

from agent.auth.service import Principal, visible_accounts
from agent.db.types import Money
from agent.profile.schemas import (
    AccountDetail,
    AccountSummary,
    AgingRead,
    DisputeRead,
    ExternalIdRead,
    InvoiceRead,
    PaymentRead,
    PersonRead,
    PromiseRead,
    SignalRead,
)
from agent.profile.tables import (
    Account,
    CrmSignal,
    Dispute,
    Invoice,
    Payment,
    PaymentPromise,
    Person,
)
from ledger.aging import AGING_BUCKETS, aging_bucket

AccountSort = Literal["overdue_ar", "open_ar", "name"]
ZERO = Decimal("0.00")


def _open_amount() -> ColumnElement[Decimal]:
    return type_coerce(Invoice.amount - Invoice.amount_paid, Money())


def _summary_query(principal: Principal, as_of: date) -> Select[tuple[Account, Decimal, Decimal, int, date]]:
    is_open = Invoice.status == "open"
    overdue = and_(is_open, Invoice.due_date < as_of)
    return (
        select(
            Account,
            type_coerce(func.sum(case((is_open, _open_amount()), else_=0)), Money()).label("open_ar"),
            type_coerce(func.sum(case((overdue, _open_amount()), else_=0)), Money()).label("overdue_ar"),
            func.count(case((is_open, Invoice.id))).label("open_invoices"),
            func.min(case((overdue, Invoice.due_date))).label("oldest_due"),
        )
        .outerjoin(Invoice, Invoice.account_id == Account.id)
        .options(selectinload(Account.owner))
        .where(visible_accounts(principal))
        .group_by(Account.id)
    )


def list_accounts(
    *,
    session: Session,
    principal: Principal,
    as_of: date,
    search: str | None = None,
    owner_id: int | None = None,
    sort: AccountSort = "overdue_ar",
    limit: int = 500,
    offset: int = 0,
) -> list[AccountSummary]:
    """Accounts the principal may see, with open and overdue balances as of ``as_of``."""
    query = _summary_query(principal, as_of)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(or_(func.lower(Account.name).like(pattern), Account.primary_domain.like(pattern)))
    if owner_id is not None:
        query = query.where(Account.owner_id == owner_id)
    columns = query.selected_columns
    if sort == "name":
        query = query.order_by(Account.name)
    else:
        query = query.order_by(func.coalesce(columns[sort], 0).desc(), Account.name)
    rows = session.execute(query.limit(limit).offset(offset)).tuples()
    return [_summary(*row, as_of=as_of) for row in rows]


def _summary(
    account: Account,
    open_ar: Decimal | None,
    overdue_ar: Decimal | None,
    open_invoices: int,
    oldest_due: date | None,
    *,
    as_of: date,
) -> AccountSummary:
    return AccountSummary(
        id=account.id,
        name=account.name,
        domain=account.primary_domain,
        segment=account.segment,
        owner=PersonRead.model_validate(account.owner) if account.owner else None,
        currency=account.currency,
        open_ar=open_ar or ZERO,
        overdue_ar=overdue_ar or ZERO,
        open_invoices=open_invoices,
        oldest_days_past_due=(as_of - oldest_due).days if oldest_due else None,
    )


def get_account(
    *, session: Session, principal: Principal, account_id: int, as_of: date
) -> AccountDetail | None:
    """The account page's data, or None when absent or not visible to the principal."""
    row = session.execute(_summary_query(principal, as_of).where(Account.id == account_id)).tuples().first()
    if row is None:
        return None
    account = row[0]
    invoices = session.scalars(
        select(Invoice).where(Invoice.account_id == account_id).order_by(Invoice.issue_date.desc())
    ).all()
    return AccountDetail(
        summary=_summary(*row, as_of=as_of),
        terms_label=account.terms_label,
        default_terms_days=account.default_terms_days,
        credit_limit=account.credit_limit,
        country=account.country,
        external_ids=[ExternalIdRead.model_validate(x) for x in account.external_ids],
        invoices=[_invoice(invoice, as_of) for invoice in invoices],
        payments=[
            PaymentRead.model_validate(p)
            for p in session.scalars(
                select(Payment).where(Payment.account_id == account_id).order_by(Payment.paid_on.desc())
            )
        ],
        signals=_latest_signals(session, account_id),
        promises=[
            PromiseRead.model_validate(p)
            for p in session.scalars(
                select(PaymentPromise)
                .where(PaymentPromise.account_id == account_id)
                .order_by(PaymentPromise.promised_date.desc())
            )
        ],
        disputes=[
            DisputeRead.model_validate(d)
            for d in session.scalars(
                select(Dispute).where(Dispute.account_id == account_id).order_by(Dispute.opened_at.desc())
            )
        ],
    )


def _invoice(invoice: Invoice, as_of: date) -> InvoiceRead:
    read = InvoiceRead.model_validate(invoice)
    if invoice.status == "open":
        read.days_past_due = max(0, (as_of - invoice.due_date).days)
    return read


def _latest_signals(session: Session, account_id: int) -> list[SignalRead]:
    latest = (
        select(CrmSignal.kind, func.max(CrmSignal.observed_at).label("at"))
        .where(CrmSignal.account_id == account_id)
        .group_by(CrmSignal.kind)
        .subquery()
    )
    rows = session.scalars(
        select(CrmSignal)
        .join(latest, and_(CrmSignal.kind == latest.c.kind, CrmSignal.observed_at == latest.c.at))
        .where(CrmSignal.account_id == account_id)
        .order_by(CrmSignal.kind)
    )
    return [SignalRead.model_validate(signal) for signal in rows]


def book_aging(*, session: Session, principal: Principal, as_of: date) -> list[AgingRead]:
    """Open balance by aging bucket, one entry per currency (amounts are never mixed)."""
    rows = session.execute(
        select(Invoice.currency, Invoice.due_date, _open_amount())
        .join(Account, Account.id == Invoice.account_id)
        .where(Invoice.status == "open", visible_accounts(principal))
    ).tuples()
    totals: dict[str, dict[str, Decimal]] = {}
    for currency, due_date, amount in rows:
        buckets = totals.setdefault(currency, dict.fromkeys(AGING_BUCKETS, ZERO))
        buckets[aging_bucket((as_of - due_date).days)] += amount
    return [
        AgingRead(currency=currency, as_of=as_of, buckets=buckets, total=sum(buckets.values(), ZERO))
        for currency, buckets in sorted(totals.items())
    ]


def list_owners(*, session: Session, principal: Principal) -> list[PersonRead]:
    """People who own at least one account the principal may see."""
    owners = session.scalars(
        select(Person)
        .join(Account, Account.owner_id == Person.id)
        .where(visible_accounts(principal))
        .distinct()
        .order_by(Person.name)
    )
    return [PersonRead.model_validate(person) for person in owners]

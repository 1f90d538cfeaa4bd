"""The account context: from one lookup to everything a card shows, in a handful of indexed queries.

Nothing here walks the whole book: every query is bounded by the one account's id. Its
DSO is today's stored snapshot of the account (every cycle stores each customer's), or
the metrics engine run on that account's own ledger before today's first cycle.
Scoping is the lookup's: an account the caller may not see is not found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload

from agent.alerts.service import allowed_actions
from agent.alerts.tables import Alert as AlertRow
from agent.auth.service import Principal
from agent.context.lookup import Lookup, find_account
from agent.context.schemas import (
    AccountCard,
    AccountContext,
    AlertCard,
    Amount,
    DisputeCard,
    DsoRead,
    DsoSource,
    InvoiceRiskRead,
    LookupRead,
    OverdueInvoice,
    OwnerRead,
    PromiseCard,
    RiskRead,
    TermsRead,
)
from agent.db.types import plain_amount
from agent.ledger.store import load_ledger
from agent.metrics.history import DAILY_PERIOD_DAYS, customer_snapshots
from agent.metrics.rates import Rates, UnknownCurrencyError
from agent.metrics.service import compute_metrics
from agent.profile.tables import Account, Dispute, Invoice, PaymentPromise
from agent.risk.tables import RiskScore
from agent.settings import Settings

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
OpenInvoice = tuple[Invoice, RiskScore | None]


def account_context(
    *, session: Session, principal: Principal, settings: Settings, lookup: Lookup, base_url: str
) -> AccountContext | None:
    """What a card shows about the account ``lookup`` finds; None when unknown or not visible.

    ``base_url`` is where people open Nudge (links to the account page and its alerts).
    """
    found = find_account(session=session, principal=principal, lookup=lookup)
    if found is None:
        return None
    account = session.scalars(
        select(Account).options(joinedload(Account.owner)).where(Account.id == found.account_id)
    ).one()
    today = settings.today()
    url = f"{base_url.rstrip('/')}/accounts/{account.id}"
    invoices = _open_invoices(session, account.id)
    overdue = [invoice for invoice, _ in invoices if _is_overdue(invoice, today)]
    return AccountContext(
        lookup=LookupRead(query=lookup.query(), matched=found.matched),
        as_of=today,
        account=_account_card(account, url),
        open_ar=_totals(invoice for invoice, _ in invoices),
        overdue_ar=_totals(overdue),
        risk=_risk(invoices),
        dso=_dso(session, settings, account.id, today),
        alerts=_alerts(session, account.id, url),
        overdue_invoices=[_overdue(invoice, today) for invoice in overdue],
        promises=_promises(session, account.id),
        disputes=_disputes(session, account.id),
    )


def _account_card(account: Account, url: str) -> AccountCard:
    return AccountCard(
        id=account.id,
        name=account.name,
        domain=account.primary_domain,
        segment=account.segment,
        currency=account.currency,
        owner=OwnerRead.model_validate(account.owner) if account.owner else None,
        terms=TermsRead(label=account.terms_label, days=account.default_terms_days),
        url=url,
    )


def _open_invoices(session: Session, account_id: int) -> list[OpenInvoice]:
    """Open invoices, oldest due first, each with the model's latest score (if scored)."""
    latest = and_(RiskScore.invoice_id == Invoice.id, RiskScore.latest.is_(True))
    rows = session.execute(
        select(Invoice, RiskScore)
        .outerjoin(RiskScore, latest)
        .where(Invoice.account_id == account_id, Invoice.status == "open")
        .order_by(Invoice.due_date, Invoice.id)
    ).tuples()
    return list(rows)


def _is_overdue(invoice: Invoice, today: date) -> bool:
    # An unapplied credit note is owed to the customer: never past due.
    return invoice.due_date < today and invoice.amount_open > 0


def _totals(invoices: Iterable[Invoice]) -> list[Amount]:
    """Open amounts per currency (never summed across currencies)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in invoices:
        sums[invoice.currency] += invoice.amount_open
    return [
        Amount(currency=currency, amount=plain_amount(amount)) for currency, amount in sorted(sums.items())
    ]


def _overdue(invoice: Invoice, today: date) -> OverdueInvoice:
    return OverdueInvoice(
        id=invoice.id,
        number=invoice.number,
        currency=invoice.currency,
        amount_open=plain_amount(invoice.amount_open),
        due_date=invoice.due_date,
        days_past_due=(today - invoice.due_date).days,
        disputed=invoice.disputed,
    )


def _risk(invoices: list[OpenInvoice]) -> RiskRead:
    """The riskiest scored invoice's probability and reasons, then every scored invoice, riskiest first."""
    scored = sorted(
        ((invoice, score) for invoice, score in invoices if score is not None),
        key=lambda pair: (-pair[1].p_late, pair[0].due_date),
    )
    lines = [
        InvoiceRiskRead(
            invoice_id=invoice.id,
            number=invoice.number,
            p_late=score.p_late,
            expected_days_late=score.expected_days_late,
            expected_pay_date=score.expected_pay_date,
            reasons=list(score.reasons),
        )
        for invoice, score in scored
    ]
    top = scored[0][1] if scored else None
    return RiskRead(
        p_late=top.p_late if top else None,
        reasons=list(top.reasons) if top else [],
        model_version=top.model_version if top else None,
        scored_on=top.as_of if top else None,
        invoices=lines,
    )


def _dso(session: Session, settings: Settings, account_id: int, today: date) -> DsoRead:
    """The account's 30-day DSO and sales-weighted terms in the reporting currency.

    Today's stored snapshot when the cycle already wrote one (one indexed row: every
    cycle stores each customer's metrics), else the metrics engine on the account's ledger.
    """
    rates = Rates.from_settings(settings)
    stored = customer_snapshots(
        session=session, account_ids=[account_id], as_of=today, currency=rates.reporting_currency
    ).get(account_id)
    if stored is not None:
        return _dso_read(
            stored.dso, stored.weighted_terms_days, stored.currency, stored.undefined, "snapshot"
        )
    ledger = load_ledger(session=session, account_ids=[account_id])
    try:
        metrics = compute_metrics(ledger, today, DAILY_PERIOD_DAYS, rates)
    except UnknownCurrencyError as exc:
        reason = str(exc)
        undefined = {"dso": reason, "weighted_terms_days": reason}
        return _dso_read(None, None, rates.reporting_currency, undefined, "live")
    return _dso_read(metrics.dso, metrics.weighted_terms_days, metrics.currency, metrics.undefined, "live")


def _dso_read(
    dso: float | None, terms: float | None, currency: str, undefined: dict[str, Any], source: DsoSource
) -> DsoRead:
    gap = None if dso is None or terms is None else round(dso - terms, 6)
    return DsoRead(
        dso=None if dso is None else round(dso, 6),
        weighted_terms_days=None if terms is None else round(terms, 6),
        gap_days=gap,
        period_days=DAILY_PERIOD_DAYS,
        currency=currency,
        undefined={k: str(v) for k, v in undefined.items() if k in ("dso", "weighted_terms_days")},
        source=source,
    )


def _alerts(session: Session, account_id: int, url: str) -> list[AlertCard]:
    """Open alerts, most severe first, then the most recently fired."""
    rows = session.execute(
        select(AlertRow, Invoice.number)
        .outerjoin(Invoice, Invoice.id == AlertRow.invoice_id)
        .where(AlertRow.account_id == account_id, AlertRow.state != "resolved")
    ).tuples()
    cards = [
        AlertCard(
            id=alert.id,
            rule=alert.rule,
            severity=alert.severity,
            state=alert.state,
            message=alert.message,
            invoice_id=alert.invoice_id,
            invoice_number=number,
            first_fired_at=alert.first_fired_at,
            snoozed_until=alert.snoozed_until.date() if alert.snoozed_until else None,
            allowed_actions=list(allowed_actions(alert)),
            url=f"{url}#alert-{alert.id}",
        )
        for alert, number in rows
    ]
    rank = {severity: position for position, severity in enumerate(SEVERITY_ORDER)}
    cards.sort(key=lambda card: (rank.get(card.severity, len(rank)), -card.first_fired_at.timestamp()))
    return cards


def _promises(session: Session, account_id: int) -> list[PromiseCard]:
    rows = session.execute(
        select(PaymentPromise, Invoice.number)
        .outerjoin(Invoice, Invoice.id == PaymentPromise.invoice_id)
        .where(PaymentPromise.account_id == account_id, PaymentPromise.status == "open")
        .order_by(PaymentPromise.promised_date, PaymentPromise.id)
    ).tuples()
    return [
        PromiseCard(
            id=promise.id,
            invoice_id=promise.invoice_id,
            invoice_number=number,
            promised_date=promise.promised_date,
            amount=None if promise.amount is None else plain_amount(promise.amount),
            created_at=promise.created_at,
        )
        for promise, number in rows
    ]


def _disputes(session: Session, account_id: int) -> list[DisputeCard]:
    rows = session.execute(
        select(Dispute, Invoice.number)
        .outerjoin(Invoice, Invoice.id == Dispute.invoice_id)
        .where(Dispute.account_id == account_id, Dispute.status == "open")
        .order_by(Dispute.opened_at, Dispute.id)
    ).tuples()
    return [
        DisputeCard(
            id=dispute.id,
            invoice_id=dispute.invoice_id,
            invoice_number=number,
            reason=dispute.reason,
            opened_at=dispute.opened_at,
        )
        for dispute, number in rows
    ]

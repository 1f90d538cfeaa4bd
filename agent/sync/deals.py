"""CRM deals kept per account, turned into ``open_deals`` and ``renewal_date`` signals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.db.types import utcnow
from agent.profile.resolution import Resolver
from agent.profile.tables import CrmSignal
from agent.sync.tables import CrmDeal
from connectors.core.records import DealRecord

DEAL_SIGNALS = ("open_deals", "renewal_date")


class DealBook:
    """The source's deals, and the accounts whose deal signals need recomputing."""

    def __init__(self, session: Session, source: str) -> None:
        self.session = session
        self.source = source
        self._deals = {
            d.external_id: d for d in session.scalars(select(CrmDeal).where(CrmDeal.source == source))
        }
        self.touched: set[int] = set()
        signals = session.execute(
            select(CrmSignal.account_id, CrmSignal.kind, CrmSignal.value)
            .where(CrmSignal.source == source, CrmSignal.kind.in_(DEAL_SIGNALS))
            .order_by(CrmSignal.observed_at, CrmSignal.id)
        )
        self._latest = {(account_id, kind): value for account_id, kind, value in signals}

    def apply(self, record: DealRecord, resolver: Resolver) -> bool:
        """Store the deal's latest state (or forget a deleted one); True when changed."""
        deal = self._deals.get(record.external_id)
        if deal is not None and deal.account_id is not None:
            self.touched.add(deal.account_id)
        if record.deleted:
            if deal is None:
                return False
            self.session.delete(self._deals.pop(record.external_id))
            return True
        account = next(
            (a for x in record.account_external_ids if (a := resolver.linked(self.source, x)) is not None),
            None,
        )
        if deal is None:
            deal = CrmDeal(source=self.source, external_id=record.external_id)
            self.session.add(deal)
            self._deals[record.external_id] = deal
        if account is not None and account.id is None:
            self.session.flush()  # the company arrived in this very page
        deal.account_id = account.id if account is not None else None
        deal.name, deal.stage, deal.close_date = record.name, record.stage, record.close_date
        deal.is_closed, deal.is_renewal = record.is_closed, record.is_renewal
        if account is not None:
            self.touched.add(account.id)
        return True

    def refresh_signals(self) -> int:
        """Record a new observation where an account's open deals or next renewal changed."""
        written = 0
        open_deals: dict[int, list[CrmDeal]] = {a: [] for a in self.touched}
        for deal in self._deals.values():
            if deal.account_id in open_deals and not deal.is_closed:
                open_deals[deal.account_id].append(deal)
        for account_id, deals in sorted(open_deals.items()):
            renewals = sorted(d.close_date for d in deals if d.is_renewal and d.close_date is not None)
            written += self._observe(account_id, "open_deals", str(len(deals)))
            if renewals:
                written += self._observe(account_id, "renewal_date", renewals[0].isoformat())
        self.touched.clear()
        return written

    def _observe(self, account_id: int, kind: str, value: str) -> int:
        if self._latest.get((account_id, kind)) == value:
            return 0
        self._latest[(account_id, kind)] = value
        self.session.add(
            CrmSignal(account_id=account_id, kind=kind, value=value, source=self.source, observed_at=utcnow())
        )
        return 1

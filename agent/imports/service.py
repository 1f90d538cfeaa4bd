"""Load a parsed invoice file into the profile; keep rejected rows aside for the user."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from agent.imports.tables import ImportBatch, ImportReject
from agent.profile.writer import Change, ChangeCounts, ProfileWriter
from connectors.csv.cells import write_csv
from connectors.csv.reader import InvoiceRow, ReadResult, Reject

SOURCE = "csv"


@dataclass(frozen=True)
class ImportReport:
    """What ``nudge import`` tells the user."""

    batch_id: int
    loaded: int
    updated: int
    unchanged: int
    rejects: list[Reject]
    rejects_file: Path | None

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object."""
        return {
            "loaded": self.loaded,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejects),
            "rejects": [{"line": r.line, "error": r.error} for r in self.rejects],
            "rejects_file": str(self.rejects_file) if self.rejects_file else None,
            "batch_id": self.batch_id,
        }


def import_invoices(
    *,
    session: Session,
    result: ReadResult,
    file_name: str,
    mapping_name: str,
    actor: str,
    rejects_dir: Path,
) -> ImportReport:
    """Upsert every good row; record the batch and its rejects (the caller commits)."""
    writer = ProfileWriter(session=session, source=SOURCE)
    counts = ChangeCounts()
    for row in result.rows:
        counts.add(_load_row(writer, row))
    batch = ImportBatch(
        file_name=file_name,
        mapping=mapping_name,
        source=SOURCE,
        loaded=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=len(result.rejects),
        imported_by=actor,
    )
    batch_rejects = [ImportReject(line=r.line, error=r.error, raw=r.raw) for r in result.rejects]
    session.add(batch)
    session.flush()
    for reject in batch_rejects:
        reject.batch_id = batch.id
    session.add_all(batch_rejects)
    rejects_file = _write_rejects(result, rejects_dir, file_name, batch.id) if result.rejects else None
    return ImportReport(
        batch_id=batch.id,
        loaded=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejects=result.rejects,
        rejects_file=rejects_file,
    )


def _load_row(writer: ProfileWriter, row: InvoiceRow) -> Change:
    account, _ = writer.account(
        external_id=row.customer_id,
        name=row.customer_name,
        domain=row.customer_domain,
        owner_email=row.owner_email,
        segment=row.segment,
        currency=row.currency,
        country=row.country,
    )
    settled = row.paid_date is not None
    invoice, change = writer.invoice(
        account=account,
        external_id=row.invoice_id,
        number=row.invoice_id,
        currency=row.currency,
        amount=row.amount,
        amount_paid=row.amount_paid,
        issue_date=row.issue_date,
        due_date=row.due_date,
        paid_date=row.paid_date,
        terms_days=row.terms_days,
        status="paid" if settled else "open",
        disputed=row.disputed,
        delivery_channel=row.delivery_channel,
    )
    if settled is False and invoice.paid_date is not None:
        invoice.paid_date = None  # an invoice re-opened in the source
        change = Change.UPDATED
    payment_id = f"{row.invoice_id}:paid"
    if row.amount_paid == 0:
        writer.remove_payment(payment_id)
        return change
    paid_on = row.paid_date or row.paid_partially_on or row.issue_date
    writer.payment(
        account=account,
        invoice=invoice,
        external_id=payment_id,
        kind="credit_note" if row.amount < 0 else "payment",
        amount=row.amount_paid,
        currency=row.currency,
        paid_on=paid_on,
    )
    return change


def _write_rejects(result: ReadResult, directory: Path, file_name: str, batch_id: int) -> Path:
    """The rejected rows with their line and reason, ready to fix and re-import."""
    path = directory / f"{Path(file_name).stem}-rejects-{batch_id}.csv"
    rows = ([r.line, r.error, *(r.raw.get(h, "") for h in result.header)] for r in result.rejects)
    write_csv(path, ["line", "error", *result.header], rows)
    return path

"""Risk API: an account's scored invoices, one invoice scored live, the model card, calibration."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from sqlalchemy import select

from agent.auth.deps import ApiUser, DbSession
from agent.auth.service import visible_accounts
from agent.gate.params import RowId
from agent.profile.tables import Account, Invoice
from agent.risk.calibration import card_calibration, history_calibration
from agent.risk.inputs import load_inputs
from agent.risk.live import ScorerCache, invoice_fields
from agent.risk.schemas import Calibration, InvoiceRisk, ModelCard
from agent.risk.service import account_risk
from agent.settings import Settings
from models.registry import ModelLoadError, load_model, read_card

router = APIRouter(prefix="/api", tags=["risk"])


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def scorer_cache(request: Request) -> ScorerCache:
    """The app's scorer cache, created on first use."""
    state = request.app.state
    if not hasattr(state, "risk_scorers"):
        state.risk_scorers = ScorerCache()
    cache: ScorerCache = state.risk_scorers
    return cache


def latest_card(settings: Settings) -> dict[str, Any]:
    """The latest model card; 404 while no model has been trained."""
    try:
        return read_card(settings.home)
    except ModelLoadError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None


@router.get("/accounts/{account_id}/risk", response_model=list[InvoiceRisk])
def get_account_risk(session: DbSession, user: ApiUser, account_id: RowId) -> list[InvoiceRisk]:
    """The account's open invoices with their latest scores, riskiest first."""
    risk = account_risk(session=session, principal=user, account_id=account_id)
    if risk is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no account {account_id}")
    return risk


@router.get("/invoices/{invoice_id}/risk", response_model=InvoiceRisk)
def get_invoice_risk(request: Request, session: DbSession, user: ApiUser, invoice_id: RowId) -> InvoiceRisk:
    """One open invoice scored now, from its current fields and the latest model."""
    row = (
        session.execute(
            select(Invoice, Account)
            .join(Account, Account.id == Invoice.account_id)
            .where(Invoice.id == invoice_id, visible_accounts(user))
        )
        .tuples()
        .first()
    )
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no invoice {invoice_id}")
    invoice, account = row
    if invoice.status != "open":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=f"invoice {invoice.number} is {invoice.status}: only open invoices are scored",
        )
    settings = _settings(request)
    try:
        scorer = scorer_cache(request).get(session=session, home=settings.home, as_of=settings.today())
    except ModelLoadError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc)) from None
    score = scorer.score(invoice_fields(invoice, account))
    return InvoiceRisk(
        invoice_id=invoice.id,
        number=invoice.number,
        currency=invoice.currency,
        amount_open=invoice.amount - invoice.amount_paid,
        due_date=invoice.due_date,
        p_late=score["p_late"],
        expected_days_late=score["expected_days_late"],
        expected_pay_date=score["expected_pay_date"],
        reasons=score["reasons"],
        model_version=score["model_version"],
        as_of=settings.today(),
    )


@router.get("/model", response_model=ModelCard)
def get_model_card(request: Request, _user: ApiUser) -> dict[str, Any]:
    """The latest model card: training window, rows, features, metrics against the baselines."""
    return latest_card(_settings(request))


@router.get("/model/calibration", response_model=Calibration)
def get_calibration(request: Request, session: DbSession, _user: ApiUser) -> Calibration:
    """Predicted vs realised late rate per month (held out when the card has an evaluation)."""
    settings = _settings(request)
    card = latest_card(settings)
    held_out = card_calibration(card)
    if held_out is not None:
        return held_out
    return history_calibration(load_model(settings.home, card["version"]), load_inputs(session=session))

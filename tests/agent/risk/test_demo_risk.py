"""``nudge demo``'s database comes with a trained model and scored open invoices."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from agent.demo.setup import build_demo_database
from agent.profile.tables import Invoice
from agent.risk.tables import RiskScore
from agent.settings import Settings
from models.registry import read_card
from tests.agent.risk.factories import AS_OF


def test_the_demo_trains_a_model_on_its_book_and_scores_every_open_invoice(tmp_path: Path) -> None:
    lines: list[str] = []
    demo = build_demo_database(
        settings=Settings(home=tmp_path / "home", as_of=AS_OF, environment="test"),
        accounts=40,
        seed=7,
        log=lines.append,
    )
    card = read_card(demo.settings.home)
    with demo.database.sessions() as session:
        open_invoices = session.scalar(select(func.count()).where(Invoice.status == "open"))
        versions = session.scalars(select(RiskScore.model_version).where(RiskScore.latest.is_(True))).all()
    demo.database.close()
    assert len(versions) == open_invoices
    assert set(versions) == {card["version"]}
    assert card["metrics"]["roc_auc"] > card["evaluation"]["baselines"]["invoice_only"]["roc_auc"]
    assert any(f"held-out ROC AUC {card['metrics']['roc_auc']:.3f}" in line for line in lines)

"""Rule sets as versioned data: seeded from the pack, changed through the API with an audit trail."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.audit.tables import AuditEntry
from agent.db.database import Database
from agent.rulesets.service import pack_texts, running_rules, seed_from_pack
from agent.rulesets.tables import RuleSetVersion
from agent.settings import Settings
from tests.factories import make_person, token_for

TYPO = "invoice.amout_open >= 10000"
TYPO_ERROR = (
    "overdue-high-value.yaml:10:7: unknown field 'invoice.amout_open' (did you mean 'invoice.amount_open'?)"
)


@pytest.fixture
def client(database: Database, settings: Settings) -> TestClient:
    return TestClient(create_app(settings=settings, database=database))


def auth(session: Session, role: str) -> dict[str, str]:
    person = make_person(session, f"{role}@nudge.example", role=role)
    return {"Authorization": f"Bearer {token_for(session, person)}"}


def with_overdue_rule(text: str) -> dict[str, str]:
    texts = pack_texts()
    texts["overdue-high-value.yaml"] = texts["overdue-high-value.yaml"].replace(
        "invoice.value_percentile >= 0.8", text
    )
    return texts


def test_seeding_the_pack_is_idempotent(session: Session) -> None:
    first = seed_from_pack(session=session)
    session.commit()
    again = seed_from_pack(session=session)
    assert again.id == first.id
    assert session.scalars(select(RuleSetVersion)).all() == [first]
    assert first.texts == pack_texts()
    assert len(running_rules(session=session)) == len(pack_texts())


def test_get_rules_shows_the_active_set_and_its_versions(client: TestClient, session: Session) -> None:
    answer = client.get("/api/rules", headers=auth(session, "csm"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["active"]["version"] == 1
    assert body["active"]["created_by"] == "nudge"
    assert "overdue-high-value" in body["rules"]
    assert [v["version"] for v in body["versions"]] == [1]


def test_a_bad_change_is_refused_with_its_position_and_the_last_good_set_keeps_running(
    client: TestClient, session: Session
) -> None:
    headers = auth(session, "ops")
    client.get("/api/rules", headers=headers)
    answer = client.post("/api/rules", headers=headers, json={"texts": with_overdue_rule(TYPO)})
    assert answer.status_code == 422
    assert answer.json()["detail"] == {"errors": [TYPO_ERROR]}
    session.expire_all()
    assert [v.version for v in session.scalars(select(RuleSetVersion))] == [1]
    running = {rule.name: rule.spec.when or "" for rule in running_rules(session=session)}
    assert "invoice.value_percentile >= 0.8" in running["overdue-high-value"]
    assert client.get("/api/rules", headers=headers).json()["texts"] == pack_texts()


def test_a_good_change_becomes_version_two_with_its_diff_and_audit(
    client: TestClient, session: Session
) -> None:
    headers = auth(session, "admin")
    proposal = {"texts": with_overdue_rule("invoice.amount_open >= 10000"), "note": "absolute floor"}
    answer = client.post("/api/rules", headers=headers, json=proposal)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["active"]["version"] == 2
    assert body["active"]["created_by"] == "admin@nudge.example"
    assert (
        "-  and invoice.value_percentile >= 0.8\n+  and invoice.amount_open >= 10000"
        in body["active"]["diff"]
    )
    assert [v["version"] for v in body["versions"]] == [2, 1]
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "rules.activate")).all()
    assert [(a.actor, a.entity_id, a.detail["changed"]) for a in audit] == [
        ("nudge", "1", []),
        ("admin@nudge.example", "2", ["overdue-high-value.yaml"]),
    ]


def test_only_ops_and_admins_change_rules(client: TestClient, session: Session) -> None:
    answer = client.post("/api/rules", headers=auth(session, "csm"), json={"texts": pack_texts()})
    assert answer.status_code == 403

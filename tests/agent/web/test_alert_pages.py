"""The inbox, the account page's alerts and the rules page, over HTTP with a browser's session cookie."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert, AlertEvent
from agent.app import create_app
from agent.auth.deps import SESSION_COOKIE
from agent.db.database import Database
from agent.db.types import utcnow
from agent.profile.tables import Account, Dispute, Invoice
from agent.rulesets.service import pack_texts
from agent.rulesets.tables import RuleSetVersion
from agent.settings import Settings
from tests.agent.alerts.factories import (
    firing_invoice_alert,
    load_book,
    open_account_alert,
    owner_of,
    person,
    run_cycle,
)
from tests.factories import token_for

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def app_client(database: Database, settings: Settings, session: Session) -> TestClient:
    load_book(session)
    run_cycle(session, settings)
    return TestClient(create_app(settings=settings, database=database), follow_redirects=False)


def signed_in(client: TestClient, session: Session, who: object) -> TestClient:
    client.cookies.set(SESSION_COOKIE, token_for(session, who))  # type: ignore[arg-type]
    return client


def shown_ids(html: str) -> set[int]:
    return {int(found) for found in re.findall(r'<tr data-alert-id="(\d+)"', html)}


def test_the_inbox_lists_the_csms_firing_alerts_and_filters(app_client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    client = signed_in(app_client, session, owner)
    mine = set(
        session.scalars(
            select(Alert.id)
            .join(Account, Account.id == Alert.account_id)
            .where(Account.owner_id == owner.id, Alert.state == "firing")
        )
    )
    page = client.get("/inbox")
    assert page.status_code == 200
    assert shown_ids(page.text) == mine
    by_rule = client.get("/inbox", params={"rule": alert.rule})
    assert shown_ids(by_rule.text) == {i for i in mine if session.get_one(Alert, i).rule == alert.rule}
    assert shown_ids(client.get("/inbox", params={"state": "resolved"}).text) == set()


def test_an_action_needs_our_origin_and_is_recorded(app_client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    client = signed_in(app_client, session, owner)
    url = f"/inbox/{alert.id}/acknowledge"
    assert client.post(url, data={"next": "/inbox"}).status_code == 403
    assert (
        client.post(url, data={"next": "/inbox"}, headers={"Origin": "https://evil.example"}).status_code
        == 403
    )
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "firing"
    done = client.post(url, data={"next": f"/accounts/{alert.account_id}"}, headers=SAME_ORIGIN)
    assert done.status_code == 303
    assert done.headers["location"] == f"/accounts/{alert.account_id}"
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "acknowledged"
    events = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)
    ).all()
    assert [(e.kind, e.actor, e.channel) for e in events] == [
        ("opened", "nudge", None),
        ("acknowledge", owner.email, "web"),
    ]
    # A second click changes nothing and says nothing; a refused action says why.
    again = client.post(url, data={"next": "//evil.example/"}, headers=SAME_ORIGIN)
    assert again.headers["location"] == "/inbox"
    reopen = f"/inbox/{alert.id}/reopen"
    back = client.post(reopen, data={"next": "/inbox?state=acknowledged&notice=old"}, headers=SAME_ORIGIN)
    assert (
        back.headers["location"]
        == "/inbox?state=acknowledged&notice=cannot+reopen+an+alert+that+is+acknowledged"
    )
    assert "cannot reopen an alert that is acknowledged" in client.get(back.headers["location"]).text
    session.expire_all()
    assert len(session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id)).all()) == 2
    assert client.post(f"/inbox/{alert.id}/delete", data={}, headers=SAME_ORIGIN).status_code == 422


def test_the_account_page_shows_its_alerts_and_their_history(
    app_client: TestClient, session: Session
) -> None:
    alert = firing_invoice_alert(session)
    client = signed_in(app_client, session, owner_of(session, alert))
    client.post(f"/inbox/{alert.id}/snooze", data={"next": "/inbox"}, headers=SAME_ORIGIN)
    page = client.get(f"/accounts/{alert.account_id}")
    assert page.status_code == 200
    shown = set(map(int, re.findall(r'<div class="alert" data-alert-id="(\d+)"', page.text)))
    assert shown == set(session.scalars(select(Alert.id).where(Alert.account_id == alert.account_id)))
    block = page.text.split(f'data-alert-id="{alert.id}"', 1)[1].split("</ol>", 1)[0]
    assert "snoozed until" in block
    assert re.findall(r'data-kind="(\w+)"', block) == ["opened", "snooze"]


def test_promise_dispute_close_and_reopen_from_the_account_page(
    app_client: TestClient, session: Session
) -> None:
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    client = signed_in(app_client, session, owner)
    page = f"/accounts/{alert.account_id}"
    invoice = session.get_one(Invoice, alert.invoice_id)
    too_much = str(invoice.amount - invoice.amount_paid + 1)
    later = (utcnow().date() + timedelta(days=4)).isoformat()
    refused = client.post(
        f"/inbox/{alert.id}/promise",
        data={"next": page, "promise_date": later, "amount": too_much},
        headers=SAME_ORIGIN,
    )
    assert "is+more+than+the" in refused.headers["location"]
    for verb, form in (
        ("promise", {"promise_date": later}),
        ("dispute", {"reason": "pricing"}),
        ("close", {}),
        ("reopen", {}),
    ):
        done = client.post(f"/inbox/{alert.id}/{verb}", data={"next": page, **form}, headers=SAME_ORIGIN)
        assert done.headers["location"] == page, (verb, done.headers["location"])
    session.expire_all()
    events = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)
    )
    assert [(e.kind, e.channel, e.to_state) for e in events] == [
        ("opened", None, "firing"),
        ("promise", "web", "snoozed"),
        ("dispute", "web", "snoozed"),
        ("close", "web", "resolved"),
        ("reopen", "web", "firing"),
    ]
    assert (
        session.scalars(
            select(Dispute).where(Dispute.invoice_id == alert.invoice_id, Dispute.status == "open")
        )
        .one()
        .reason
        == "pricing"
    )
    html = client.get(page).text
    card = html.split(f'id="alert-{alert.id}"', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r'class="secondary act-(\w+)"|class="act-(\w+)"', card) == [
        ("", "acknowledge"),
        ("snooze", ""),
        ("promise", ""),
        ("dispute", ""),
        ("close", ""),
    ]
    assert f"{owner.email} via web · reopen" in card


def test_an_account_alert_offers_no_promise_or_dispute(app_client: TestClient, session: Session) -> None:
    alert = open_account_alert(session)
    client = signed_in(app_client, session, owner_of(session, alert))
    html = client.get(f"/accounts/{alert.account_id}").text
    card = html.split(f'id="alert-{alert.id}"', 1)[1].split("</ol>", 1)[0]
    assert "act-promise" not in card
    assert "act-dispute" not in card
    assert "act-close" in card


def test_the_rules_page_refuses_a_typo_with_its_position(app_client: TestClient, session: Session) -> None:
    client = signed_in(app_client, session, person(session, "ops"))
    page = client.get("/rules", params={"file": "overdue-high-value.yaml"})
    assert page.status_code == 200
    assert "Version 1 is running" in page.text
    text = pack_texts()["overdue-high-value.yaml"].replace(
        "invoice.value_percentile", "invoice.value_percentil"
    )
    form = {"file": "overdue-high-value.yaml", "text": text, "note": "typo"}
    assert client.post("/rules", data=form).status_code == 403
    refused = client.post("/rules", data=form, headers=SAME_ORIGIN)
    assert refused.status_code == 422
    assert (
        "overdue-high-value.yaml:10:7: unknown field &#39;invoice.value_percentil&#39; "
        "(did you mean &#39;invoice.value_percentile&#39;?)" in refused.text
    )
    fixed = form | {
        "text": text.replace("invoice.value_percentil ", "invoice.value_percentile "),
        "note": "0.9",
    }
    fixed["text"] = fixed["text"].replace("value_percentile >= 0.8", "value_percentile >= 0.9")
    accepted = client.post("/rules", data=fixed, headers=SAME_ORIGIN)
    assert accepted.status_code == 303
    session.expire_all()
    assert [
        (v.version, v.active)
        for v in session.scalars(select(RuleSetVersion).order_by(RuleSetVersion.version))
    ] == [
        (1, False),
        (2, True),
    ]
    assert "+  and invoice.value_percentile &gt;= 0.9" in client.get(accepted.headers["location"]).text


def test_a_csm_reads_rules_but_cannot_change_them(app_client: TestClient, session: Session) -> None:
    client = signed_in(app_client, session, person(session, "csm"))
    page = client.get("/rules")
    assert 'id="rule-editor"' not in page.text
    form = {"file": "x.yaml", "text": "name: x"}
    assert client.post("/rules", data=form, headers=SAME_ORIGIN).status_code == 403


def test_the_api_refuses_cookie_writes_from_another_site(app_client: TestClient, session: Session) -> None:
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    client = signed_in(app_client, session, owner)
    forged = client.post(f"/api/alerts/{alert.id}/acknowledge", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert client.get(f"/api/alerts/{alert.id}").json()["state"] == "firing"
    other_scheme = {"Origin": "https://evil.example", "Authorization": "Basic bWF5YTpwdw=="}
    assert client.post(f"/api/alerts/{alert.id}/acknowledge", headers=other_scheme).status_code == 403
    assert client.get(f"/api/alerts/{alert.id}").json()["state"] == "firing"
    bearer = {"Authorization": f"Bearer {token_for(session, owner)}"}
    client.cookies.clear()
    assert (
        client.post(f"/api/alerts/{alert.id}/acknowledge", headers=bearer).json()["state"] == "acknowledged"
    )

"""The emulator's Slack preview: each person's DM drawn as Slack shows it, with buttons and
modals that work (every click is a signed request to Nudge)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert
from agent.db.database import Database
from agent.delivery.tables import Delivery
from agent.profile.tables import Account, Person
from agent.settings import Settings
from connectors.slack import facts
from tests.agent.alerts.factories import load_book, run_cycle
from tests.agent.delivery.factories import deliver, deliveries
from tests.connectors.slack.workspace import Workspace, nudge_served, slack_workspace


@pytest.fixture
def workspace(
    session: Session, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    load_book(session)
    with slack_workspace(session, monkeypatch) as workspace:
        run_cycle(session, settings)
        run_cycle(session, settings, after=timedelta(hours=1))
        deliver(database, settings)
        with nudge_served(workspace, settings, database):
            yield workspace


def firing_dm(session: Session) -> tuple[Delivery, Alert, Person]:
    for delivery in deliveries(session):
        if delivery.channel != "slack_dm" or delivery.state != "sent":
            continue
        person = session.scalars(select(Person).where(Person.email == delivery.recipient)).one()
        for alert_id in delivery.alert_ids:
            alert = session.get_one(Alert, alert_id)
            owner = session.get_one(Account, alert.account_id).owner_id
            if alert.state == "firing" and alert.invoice_id is not None and owner == person.id:
                return delivery, alert, person
    raise AssertionError("the demo book should DM a firing invoice alert")


def test_the_preview_draws_each_dm_and_its_buttons_act(session: Session, workspace: Workspace) -> None:
    delivery, alert, person = firing_dm(session)
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    base = str(workspace.emulator.base_url)
    page = requests.get(f"{base}/preview", timeout=10).text
    account = session.get_one(Account, alert.account_id)
    assert f"<h2>{person.name} " in page
    assert f'<div class="hdr">{account.name}</div>' in page
    assert f'name="action_id" value="{facts.ACKNOWLEDGE}"' in page

    form = {"user": str(person.slack_id), "channel": channel, "ts": ts, "action_id": facts.ACKNOWLEDGE}
    clicked = requests.post(f"{base}/preview/act", data={**form, "value": str(alert.id)}, timeout=30)
    assert clicked.status_code == 200  # followed the redirect back to the preview
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "acknowledged"
    assert workspace.edited(channel, ts)
    page = requests.get(f"{base}/preview", timeout=10).text
    assert '<span class="edited">(edited)</span>' in page
    assert f"<i>Acknowledged by {person.name} in slack on " in page


def test_the_preview_opens_a_modal_shows_its_errors_and_closes_it(
    session: Session, workspace: Workspace
) -> None:
    delivery, alert, person = firing_dm(session)
    assert delivery.vendor_ref is not None
    channel, ts = delivery.vendor_ref.split(":")
    base = str(workspace.emulator.base_url)
    form = {"user": str(person.slack_id), "channel": channel, "ts": ts, "action_id": facts.DISPUTE}
    requests.post(f"{base}/preview/act", data={**form, "value": str(alert.id)}, timeout=30)
    [view] = [v for v in workspace.emulator.views.values() if v["type"] == "modal"]
    assert '<div class="modal"><b>Mark disputed</b>' in requests.get(f"{base}/preview", timeout=10).text

    submit = {"user": str(person.slack_id), "view_id": view["id"], facts.DISPUTE_REASON_BLOCK: "  "}
    requests.post(f"{base}/preview/submit", data=submit, timeout=30)
    assert (
        '<div class="errors">Say what the customer disputes.</div>'
        in requests.get(f"{base}/preview", timeout=10).text
    )

    submit[facts.DISPUTE_REASON_BLOCK] = "wrong PO number"
    requests.post(f"{base}/preview/submit", data=submit, timeout=30)
    assert '<div class="modal">' not in requests.get(f"{base}/preview", timeout=10).text
    assert workspace.edited(channel, ts)
    session.expire_all()
    assert "Marked disputed (wrong PO number)" in str(workspace.emulator.message(channel, ts)["blocks"])

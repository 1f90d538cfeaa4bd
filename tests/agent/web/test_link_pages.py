"""E-mail action links over HTTP: GET only asks, POST acts once, bad links get a page saying why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.tables import Alert, AlertEvent
from agent.app import create_app
from agent.db.database import Database
from agent.db.types import utcnow
from agent.links.service import ActionLinks
from agent.links.tables import UsedActionLink
from agent.settings import Settings
from connectors.core.protocols import Recipient
from tests.agent.alerts.factories import firing_invoice_alert, load_book, owner_of, run_cycle

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def client(database: Database, settings: Settings, session: Session) -> TestClient:
    load_book(session)
    run_cycle(session, settings)
    return TestClient(create_app(settings=settings, database=database), follow_redirects=False)


def links_for(
    session: Session, settings: Settings, alert: Alert, *, age: timedelta = timedelta()
) -> dict[str, str]:
    """The alert's links as its owner's e-mail carries them, made ``age`` ago (paths only)."""
    owner = owner_of(session, alert)
    maker = ActionLinks.from_settings(settings, now=utcnow() - age)
    links = maker.links(alert, Recipient(address=owner.email, kind="person", name=owner.name))
    return {link.action: link.url.removeprefix("http://127.0.0.1:8000") for link in links}


def history(session: Session, alert: Alert) -> list[AlertEvent]:
    session.expire_all()
    return list(
        session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id))
    )


def test_opening_a_link_only_asks_and_the_button_acknowledges_as_the_recipient(
    client: TestClient, session: Session, settings: Settings
) -> None:
    alert = firing_invoice_alert(session)
    owner = owner_of(session, alert)
    path = links_for(session, settings, alert)["acknowledge"]
    before = len(history(session, alert))

    page = client.get(path)  # what a mail scanner's prefetch does
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "<h1>Acknowledge this alert?</h1>" in page.text
    assert f"<p>{escape(alert.message)}</p>" in page.text
    assert f"As {owner.email.lower()}, by e-mail. This button works once, until" in page.text
    assert f'<form method="post" action="{path}">' in page.text
    assert session.get_one(Alert, alert.id).state == "firing"
    assert len(history(session, alert)) == before

    done = client.post(path, headers=SAME_ORIGIN)
    assert done.status_code == 200
    assert "Done: the alert is acknowledged" in done.text
    events = history(session, alert)
    assert session.get_one(Alert, alert.id).state == "acknowledged"
    assert (events[-1].kind, events[-1].actor, events[-1].channel) == ("acknowledge", owner.email, "email")
    used = session.scalars(select(UsedActionLink)).one()
    assert (used.alert_id, used.action, used.recipient) == (alert.id, "acknowledge", owner.email.lower())


def test_a_used_link_is_refused_with_when_it_was_used(
    client: TestClient, session: Session, settings: Settings
) -> None:
    alert = firing_invoice_alert(session)
    path = links_for(session, settings, alert)["snooze"]
    assert client.post(path, headers=SAME_ORIGIN).status_code == 200
    session.expire_all()
    assert session.get_one(Alert, alert.id).state == "snoozed"

    again = client.post(path, headers=SAME_ORIGIN)
    assert again.status_code == 410
    assert "This link was already used" in again.text
    assert re.search(
        r"It was used on \d{4}-\d\d-\d\d at \d\d:\d\d UTC: each e-mail button works once\.", again.text
    )
    assert client.get(path).status_code == 410


def test_a_tampered_link_is_refused_and_changes_nothing(
    client: TestClient, session: Session, settings: Settings
) -> None:
    alert = firing_invoice_alert(session)
    path = links_for(session, settings, alert)["acknowledge"]
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    for response in (client.get(tampered), client.post(tampered, headers=SAME_ORIGIN)):
        assert response.status_code == 400
        assert "This link is not valid" in response.text
        assert "its signature does not match" in response.text
    assert session.get_one(Alert, alert.id).state == "firing"


def test_an_expired_link_is_refused(client: TestClient, session: Session, settings: Settings) -> None:
    alert = firing_invoice_alert(session)
    path = links_for(session, settings, alert, age=timedelta(hours=settings.link_ttl_hours, minutes=1))[
        "acknowledge"
    ]
    response = client.post(path, headers=SAME_ORIGIN)
    assert response.status_code == 410
    assert "This link has expired" in response.text
    assert "(links last NUDGE_LINK_TTL_HOURS)" in response.text
    assert session.get_one(Alert, alert.id).state == "firing"


def test_an_action_the_alert_no_longer_allows_says_so_and_the_link_stays_unused(
    client: TestClient, session: Session, settings: Settings
) -> None:
    alert = firing_invoice_alert(session)
    links = links_for(session, settings, alert)
    assert client.post(links["snooze"], headers=SAME_ORIGIN).status_code == 200
    session.expire_all()
    alert.state, alert.resolution = "resolved", "paid"
    session.commit()

    refused = client.post(links["acknowledge"], headers=SAME_ORIGIN)
    assert refused.status_code == 409
    assert "This action is no longer possible" in refused.text
    assert "The alert changed since the e-mail was sent: cannot acknowledge an alert that is resolved." in (
        refused.text
    )
    assert session.scalars(select(UsedActionLink.action)).all() == ["snooze"]


def test_the_button_needs_our_origin(client: TestClient, session: Session, settings: Settings) -> None:
    alert = firing_invoice_alert(session)
    path = links_for(session, settings, alert)["acknowledge"]
    assert client.post(path).status_code == 403
    assert client.post(path, headers={"Origin": "https://evil.example"}).status_code == 403
    assert session.get_one(Alert, alert.id).state == "firing"


def test_links_offer_what_the_state_allows_and_only_people_get_actions(
    session: Session, settings: Settings
) -> None:
    load_book(session)
    run_cycle(session, settings)
    alert = firing_invoice_alert(session)
    maker = ActionLinks.from_settings(settings, now=utcnow())
    person = Recipient(address="maya@nudge.example", kind="person")
    team = Recipient(address="credit@nudge.example", kind="email")

    assert [link.label for link in maker.links(alert, person)] == [
        "Acknowledge",
        "Snooze 3 days",
        "Open in Nudge",
    ]
    assert [link.url for link in maker.links(alert, team)] == [
        f"http://127.0.0.1:8000/accounts/{alert.account_id}"
    ]
    alert.state = "acknowledged"
    assert [link.action for link in maker.links(alert, person)] == ["snooze", "open"]
    assert maker.links(alert, person)[0].url.startswith("http://127.0.0.1:8000/l/")

"""The Deliveries pages: a message as its recipient saw it, only for those who may see it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent.app import create_app
from agent.db.database import Database
from agent.delivery.tables import Delivery
from agent.profile.tables import Person
from agent.settings import Settings
from connectors.email.emulator import SmtpSink
from tests.agent.alerts.factories import person
from tests.agent.delivery.factories import deliver, deliveries, due_notifications
from tests.factories import token_for


@pytest.fixture
def sent_email(
    monkeypatch: pytest.MonkeyPatch, session: Session, database: Database, settings: Settings
) -> Delivery:
    """One digest e-mailed through a real local SMTP server."""
    with SmtpSink() as sink:
        monkeypatch.setenv("NUDGE_SMTP_URL", sink.url)
        monkeypatch.setenv("NUDGE_EMAIL_FROM", "Nudge <nudge@nudge.example>")
        due_notifications(session, settings)
        deliver(database, settings)
        sink.wait_for(1)
    return next(d for d in deliveries(session) if d.channel == "email" and d.state == "sent")


def signed_in(database: Database, settings: Settings, session: Session, who: Person) -> TestClient:
    client = TestClient(create_app(settings=settings, database=database))
    client.get(f"/login?token={token_for(session, who)}")
    return client


def test_a_message_is_shown_as_sent_in_a_frame_that_can_run_nothing_to_those_who_may_see_it(
    session: Session, database: Database, settings: Settings, sent_email: Delivery
) -> None:
    # One test, since building a book with due notifications is the slow part.
    ops = signed_in(database, settings, session, person(session, "ops"))
    recipient = session.query(Person).filter_by(email=sent_email.recipient).one()
    other_csm = session.query(Person).filter(Person.role == "csm", Person.id != recipient.id).first()
    assert other_csm is not None
    assert sent_email.subject
    assert sent_email.text

    listing = ops.get("/deliveries", params={"state": "sent"})
    page = ops.get(f"/deliveries/{sent_email.id}")
    html = ops.get(f"/deliveries/{sent_email.id}/html")

    assert f'href="/deliveries/{sent_email.id}"' in listing.text
    assert "/deliveries?channel=email&state=sent" in listing.text.replace("&amp;", "&")  # the counts
    assert page.status_code == 200
    assert sent_email.subject in page.text
    assert f'src="/deliveries/{sent_email.id}/html"' in page.text
    assert page.text.count('<li><a href="/accounts/') == len(sent_email.alert_ids)
    assert sent_email.text.splitlines()[0].replace("'", "&#39;") in page.text
    assert html.status_code == 200
    assert html.text == sent_email.html
    policy = html.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert html.headers["x-frame-options"] == "SAMEORIGIN"

    own = signed_in(database, settings, session, recipient)
    other = signed_in(database, settings, session, other_csm)
    assert own.get(f"/deliveries/{sent_email.id}").status_code == 200
    assert other.get(f"/deliveries/{sent_email.id}").status_code == 404
    assert other.get(f"/deliveries/{sent_email.id}/html").status_code == 404
    assert other.get("/deliveries/99999999999").status_code == 422

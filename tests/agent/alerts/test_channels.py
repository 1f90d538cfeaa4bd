"""How and when a notification travels, decided at enqueue."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.alerts.channels import Destination, Reachable, destination, next_digest
from rules.routing import Notification, Recipient

NOON_UTC = datetime(2026, 11, 20, 12, tzinfo=UTC)
ANA = Reachable(email="ana@acme.test", name="Ana Lima", timezone="Europe/Paris", slack_id="U123")
BO = Reachable(email="bo@acme.test", name="Bo Chen", timezone="America/New_York", slack_id=None)


def where(
    address: str,
    person: Reachable | None,
    served: set[str],
    *,
    severity: str = "high",
    kind: str = "person",
    delivery: str = "now",
) -> Destination:
    """The destination of a notification about one alert of ``severity`` planned for noon UTC."""
    recipient = Recipient("account-owner", kind, address, address if kind == "person" else None)
    group = ("root", "account-owner", address, (("account", "7"),))
    planned = Notification(recipient, group, (("overdue", "7", "70"),), "first", delivery, NOON_UTC)
    return destination(
        planned, person=person, served=served, severities=[severity], digest_hour=8, timezone="UTC"
    )


def test_a_person_with_a_slack_id_gets_a_dm_only_when_a_slack_notifier_is_configured() -> None:
    with_slack = where(ANA.email, ANA, {"email", "slack_dm"})
    assert (with_slack.channel, with_slack.send_at, with_slack.undeliverable) == ("slack_dm", NOON_UTC, None)
    assert (where(ANA.email, ANA, {"email"}).channel, where(ANA.email, ANA, {"email"}).send_at) == (
        "email",
        NOON_UTC,
    )
    assert where(BO.email, BO, {"email", "slack_dm"}).channel == "email"


def test_email_that_is_not_urgent_waits_for_the_persons_morning_digest() -> None:
    medium = where(BO.email, BO, {"email"}, severity="medium")
    assert medium.send_at == datetime(2026, 11, 20, 13, tzinfo=UTC)  # 8:00 in New York, an hour later
    over_budget = where(ANA.email, ANA, {"email", "slack_dm"}, severity="critical", delivery="digest")
    assert (over_budget.channel, over_budget.send_at) == ("slack_dm", datetime(2026, 11, 21, 7, tzinfo=UTC))


def test_an_unreachable_recipient_is_undeliverable_with_the_reason() -> None:
    assert where("sam", None, {"email"}).undeliverable == "this person has no e-mail address ('sam')"
    assert where(BO.email, BO, set()).undeliverable == "no notifier is configured for the email channel"
    crm = where("7", None, {"email"}, kind="crm_task")
    assert (crm.channel, crm.undeliverable) == (
        "crm_task",
        "no notifier is configured for the crm_task channel",
    )


def test_the_digest_hour_is_the_next_one_at_or_after_the_moment() -> None:
    eight_paris = datetime(2026, 11, 20, 7, tzinfo=UTC)
    assert next_digest(eight_paris, zone="Europe/Paris", hour=8) == eight_paris
    assert next_digest(NOON_UTC, zone="Europe/Paris", hour=8) == datetime(2026, 11, 21, 7, tzinfo=UTC)

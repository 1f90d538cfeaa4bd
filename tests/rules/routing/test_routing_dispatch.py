"""Delivery planning: grouping and timing, quiet hours across time zones, budget, escalation."""

from datetime import UTC, datetime, timedelta

from rules.routing import DeliveryLog, PendingAlert, next_allowed, parse_routing, plan, record
from rules.routing.config import QuietHours

CONFIG = parse_routing(
    "routing.yaml",
    """
receivers:
  - {name: owner, kind: account_owner}
  - {name: boss, kind: owner_manager}
people:
  - {email: ana@example.com, timezone: Europe/Paris, manager: marc@example.com, daily_budget: 2}
  - {email: bo@example.com, timezone: America/New_York}
  - {email: marc@example.com, timezone: Europe/Paris}
defaults:
  quiet_hours: {start: "19:00", end: "08:00"}
  daily_budget: 10
route:
  receiver: owner
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1d
  escalate: {after: 1d, to: boss}
""",
)
# 10:00 in Paris, 04:00 in New York (quiet there).
MORNING = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def _alert(account: str, owner: str = "ana@example.com", opened: datetime = MORNING, rule: str = "overdue"):
    key = (rule, account, f"{account}-1")
    labels = {"rule": rule, "account": account, "owner": owner}
    return PendingAlert(key, labels, opened - timedelta(minutes=1))


def test_quiet_hours_are_in_the_recipients_time_zone() -> None:
    quiet = QuietHours.model_validate({"start": "19:00", "end": "08:00"})
    evening_utc = datetime(2024, 3, 1, 19, 30, tzinfo=UTC)  # 20:30 Paris, 14:30 New York
    assert next_allowed(evening_utc, "Europe/Paris", quiet) == datetime(2024, 3, 2, 7, 0, tzinfo=UTC)
    assert next_allowed(evening_utc, "America/New_York", quiet) == evening_utc
    early_utc = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)  # 07:00 Paris: quiet until 08:00 the same day
    assert next_allowed(early_utc, "Europe/Paris", quiet) == datetime(2024, 3, 1, 7, 0, tzinfo=UTC)


def test_alerts_are_grouped_per_account_and_deferred_in_quiet_hours() -> None:
    alerts = [_alert("A"), _alert("A", rule="risk-spike"), _alert("B", owner="bo@example.com")]
    notes = plan(CONFIG, alerts, now=MORNING, log=DeliveryLog())
    by_person = {(n.recipient.address, n.group[3]): n for n in notes}
    ana = by_person[("ana@example.com", (("account", "A"),))]
    assert (ana.delivery, ana.reason, len(ana.alert_keys)) == ("now", "first", 2)
    bo = by_person[("bo@example.com", (("account", "B"),))]
    assert bo.delivery == "deferred"
    assert bo.send_at == datetime(2024, 3, 1, 13, 0, tzinfo=UTC)  # 08:00 in New York


def test_group_wait_interval_and_repeat() -> None:
    log = DeliveryLog()
    fresh = PendingAlert(("overdue", "A", "A-1"), {"account": "A", "owner": "ana@example.com"}, MORNING)
    assert plan(CONFIG, [fresh], now=MORNING + timedelta(seconds=10), log=log) == []
    (first,) = plan(CONFIG, [fresh], now=MORNING + timedelta(seconds=30), log=log)
    record(log, CONFIG, first)
    assert plan(CONFIG, [fresh], now=MORNING + timedelta(hours=2), log=log) == []
    newer = _alert("A", rule="risk-spike")
    assert plan(CONFIG, [fresh, newer], now=MORNING + timedelta(minutes=2), log=log) == []
    (update,) = plan(CONFIG, [fresh, newer], now=MORNING + timedelta(minutes=6), log=log)
    assert update.reason == "new_alerts"
    record(log, CONFIG, update)
    later = MORNING + timedelta(days=1, minutes=7)
    repeats = [n for n in plan(CONFIG, [fresh, newer], now=later, log=log) if n.reason != "escalation"]
    assert [n.reason for n in repeats] == ["repeat"]


def test_noise_budget_overflows_into_the_digest_and_resets_the_next_day() -> None:
    log = DeliveryLog()
    alerts = [_alert(account) for account in ("A", "B", "C")]
    notes = plan(CONFIG, alerts, now=MORNING, log=log)
    assert sorted(n.delivery for n in notes) == ["digest", "now", "now"]
    for note in notes:
        record(log, CONFIG, note)
    assert log.sent_per_day[("ana@example.com", "2024-03-01")] == 2
    tomorrow = [_alert("D", opened=MORNING + timedelta(days=1))]
    (note,) = plan(CONFIG, tomorrow, now=MORNING + timedelta(days=1), log=log)
    assert note.delivery == "now"


def test_unacknowledged_alert_escalates_once_to_the_owners_manager() -> None:
    log = DeliveryLog()
    alert = _alert("A")
    early = [n for n in plan(CONFIG, [alert], now=MORNING, log=log) if n.reason == "escalation"]
    assert early == []
    later = MORNING + timedelta(days=1)
    (escalation,) = [n for n in plan(CONFIG, [alert], now=later, log=log) if n.reason == "escalation"]
    assert (escalation.recipient.address, escalation.delivery) == ("marc@example.com", "now")
    record(log, CONFIG, escalation)
    again = [n for n in plan(CONFIG, [alert], now=later, log=log) if n.reason == "escalation"]
    assert again == []
    acknowledged = PendingAlert(alert.key, alert.labels, alert.opened_at, acknowledged=True)
    assert [
        n for n in plan(CONFIG, [acknowledged], now=later, log=DeliveryLog()) if n.reason == "escalation"
    ] == []

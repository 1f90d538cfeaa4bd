"""Silences and inhibitions share one ``mutes`` interface and keep muted alerts out of delivery."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rules.routing import DeliveryLog, Inhibition, PendingAlert, Silence, parse_routing, plan

NOW = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
CONFIG = parse_routing(
    "routing.yaml",
    """
receivers: [{name: owner, kind: account_owner}]
route: {receiver: owner, group_wait: 0s}
inhibit_rules:
  - source_matchers: [rule=broken-promise]
    target_matchers: [rule=overdue-high-value]
""",
)


def _silence(**changes: Any) -> Silence:
    values: dict[str, Any] = {
        "matchers": ["account=A", 'rule=~"overdue.*"'],
        "creator": "ana@example.com",
        "reason": "customer is paying by wire this week",
        "starts_at": NOW - timedelta(hours=1),
        "ends_at": NOW + timedelta(days=2),
    } | changes
    return Silence.create(**values)


def test_silence_mutes_matching_alerts_only_while_active() -> None:
    silence = _silence()
    assert silence.mutes({"account": "A", "rule": "overdue-high-value"}, NOW)
    assert not silence.mutes({"account": "B", "rule": "overdue-high-value"}, NOW)
    assert not silence.mutes({"account": "A", "rule": "risk-spike"}, NOW)
    assert not silence.mutes({"account": "A", "rule": "overdue"}, NOW + timedelta(days=3))
    assert silence.expires_within(NOW + timedelta(days=1, hours=12), timedelta(hours=24))
    assert not silence.expires_within(NOW, timedelta(hours=24))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"matchers": []}, "a silence needs at least one matcher"),
        ({"reason": " "}, "a silence needs a reason"),
        ({"ends_at": NOW - timedelta(days=1)}, "a silence must end after it starts"),
        ({"matchers": ["account"]}, "'account' is not a matcher (write label=value, !=, =~ or !~)"),
    ],
)
def test_bad_silences_are_refused_with_a_reason(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        _silence(**changes)


def test_inhibition_mutes_targets_of_the_same_account_while_the_source_fires() -> None:
    firing = [{"rule": "broken-promise", "account": "A"}]
    inhibition = Inhibition(CONFIG.inhibit_rules[0], firing)
    assert inhibition.mutes({"rule": "overdue-high-value", "account": "A"}, NOW)
    assert not inhibition.mutes({"rule": "overdue-high-value", "account": "B"}, NOW)
    assert not inhibition.mutes({"rule": "risk-spike", "account": "A"}, NOW)


def test_muted_alerts_are_not_planned() -> None:
    alerts = [
        PendingAlert(
            ("overdue-high-value", "A", "A1"),
            {"rule": "overdue-high-value", "account": "A", "owner": "ana@example.com"},
            NOW,
        ),
        PendingAlert(
            ("overdue-high-value", "B", "B1"),
            {"rule": "overdue-high-value", "account": "B", "owner": "bo@example.com"},
            NOW,
        ),
    ]
    notes = plan(CONFIG, alerts, now=NOW, log=DeliveryLog(), muters=[_silence()])
    assert [n.recipient.address for n in notes] == ["bo@example.com"]

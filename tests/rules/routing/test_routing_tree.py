"""Route matching, inherited settings and who a receiver means."""

from datetime import timedelta
from pathlib import Path

from rules.routing import load_routing, match_routes, parse_matcher, parse_routing, recipients

SHIPPED = Path(__file__).resolve().parents[3] / "rules" / "routing.yaml"

TREE = """
receivers:
  - {name: owner, kind: account_owner, fallback: ar}
  - {name: ar, kind: slack_channel, channel: "#ar"}
  - {name: boss, kind: owner_manager}
  - {name: crm, kind: crm_task}
people:
  - {email: ana@example.com, manager: marc@example.com}
route:
  receiver: owner
  group_wait: 1m
  routes:
    - matchers: [team=credit]
      receiver: ar
      group_by: [account, rule]
      repeat_interval: 3d
      routes:
        - matchers: ['severity=~"high|critical"']
          receiver: boss
    - matchers: [rule!=quiet-rule, segment=enterprise]
      receiver: crm
      continue: true
    - matchers: [segment=enterprise]
      receiver: owner
"""


def _names(labels: dict) -> list[tuple[str, str]]:
    config = parse_routing("tree.yaml", TREE)
    return [(m.name, m.receiver) for m in match_routes(config, labels)]


def test_first_matching_child_wins_unless_continue() -> None:
    assert _names({"segment": "enterprise", "rule": "x"}) == [
        ("root.routes[1]", "crm"),
        ("root.routes[2]", "owner"),
    ]
    assert _names({"segment": "enterprise", "rule": "quiet-rule"}) == [("root.routes[2]", "owner")]
    assert _names({"segment": "smb"}) == [("root", "owner")]


def test_nested_routes_inherit_group_by_and_timings() -> None:
    config = parse_routing("tree.yaml", TREE)
    (deep,) = match_routes(config, {"team": "credit", "severity": "critical"})
    assert (deep.name, deep.receiver) == ("root.routes[0].routes[0]", "boss")
    assert deep.group_by == ("account", "rule")
    assert deep.repeat_interval == timedelta(days=3)
    assert deep.group_wait == timedelta(minutes=1)
    assert deep.group_interval == timedelta(minutes=5)  # the default, never overridden
    (root,) = match_routes(config, {})
    assert root.group_by == ("account",)


def test_receivers_resolve_to_people_channels_and_tasks() -> None:
    config = parse_routing("tree.yaml", TREE)
    owner = {"owner": "ana@example.com", "account": "A"}
    assert [r.address for r in recipients(config, "owner", owner)] == ["ana@example.com"]
    assert [r.address for r in recipients(config, "boss", owner)] == ["marc@example.com"]
    assert [(r.kind, r.address) for r in recipients(config, "crm", owner)] == [("crm_task", "A")]
    # No owner on the account: the owner receiver falls back to the channel.
    assert [(r.kind, r.address) for r in recipients(config, "owner", {"account": "B"})] == [
        ("slack_channel", "#ar")
    ]


def test_matchers_support_equality_negation_and_anchored_regex() -> None:
    assert parse_matcher('severity="high"').matches({"severity": "high"})
    assert parse_matcher("severity!=high").matches({"severity": "low"})
    assert parse_matcher("rule=~overdue.*").matches({"rule": "overdue-high-value"})
    assert not parse_matcher("rule=~overdue").matches({"rule": "overdue-high-value"})
    assert parse_matcher("rule!~risk.*").matches({"rule": "broken-promise"})
    assert parse_matcher("owner=").matches({})


def test_shipped_routing_file_loads_and_escalates_high_severity() -> None:
    config = load_routing(SHIPPED)
    labels = {"severity": "high", "owner": "ana@example.com", "account": "A", "rule": "renewal-with-overdue"}
    matches = match_routes(config, labels)
    assert [m.receiver for m in matches] == ["account-owner", "crm-task"]
    assert matches[0].escalate is not None
    assert matches[0].escalate.after == timedelta(days=1)


def test_shipped_routing_file_names_no_placeholder_address() -> None:
    """Recipients come from the people table; an e-mail receiver's addresses are the user's to add."""
    config = load_routing(SHIPPED)
    assert config.people == []
    assert all(receiver.kind != "email" for receiver in config.receivers)
    assert "example.com" not in SHIPPED.read_text()

"""Every kind of mistake in a rule or routing file gives one exact ``file:line:col: message``."""

from pathlib import Path

import pytest

from rules.errors import RuleLoadError
from rules.loader import check_files
from rules.routing import load_routing

BAD = Path(__file__).parent / "bad"

RULE_CASES = {
    "bad_yaml.yaml": "5:1: invalid YAML: found unexpected end of stream while scanning a quoted "
    "scalar (started at line 3, column 10)",
    "unknown_key.yaml": "3:1: unknown key 'severty' (did you mean 'severity'?)",
    "unknown_field.yaml": "7:7: unknown field 'invoice.amout_open' (did you mean 'invoice.amount_open'?)",
    "type_mismatch.yaml": "4:22: cannot compare 'invoice.due_date' (date) with a number",
    "and_on_number.yaml": "2:29: 'and' needs true/false values, not 'invoice.amount' (money)",
    "not_boolean.yaml": "2:7: the condition must be true or false, not money",
    "syntax_error.yaml": "2:29: unexpected '=' (use '==' to compare)",
    "bad_template.yaml": "5:14: unknown template variable 'invoice.numbr' (did you mean 'invoice.number'?)",
    "template_syntax.yaml": "3:11: template syntax error: unexpected '}'",
    "bad_enum_value.yaml": "3:26: 'enterprize' is not a value of 'account.segment' (enum) "
    "(did you mean 'enterprise'?); values: enterprise, mid_market, smb",
    "wrong_scope.yaml": "3:7: field 'invoice.days_past_due' is not available in an account rule",
    "unknown_kind.yaml": "2:7: kind: unknown rule kind 'treshold' (did you mean 'threshold'?); "
    "kinds: threshold, change, absence, pre_due",
    "bad_duration.yaml": "5:9: change.over: '7 days' is not a duration (write it like 7d or 2w)",
    "change_on_text.yaml": "3:17: change.field must be a number, money or days field, not "
    "'account.name' (string)",
    "missing_message.yaml": "1:1: missing required key 'message'",
    "template_bomb.yaml": "5:3: templates may not use '*' (a message shows fields, it does not compute text)",
}

ROUTING_CASES = {
    "unknown_receiver.routing.yml": "8:17: unknown receiver 'acount-owner' (did you mean 'account-owner'?)",
    "duplicate_receiver.routing.yml": "4:11: duplicate receiver name 'owner'",
    "bad_matcher.routing.yml": "7:18: route.routes.0.matchers.0: bad regular expression "
    "'(high': missing ), unterminated subpattern at position 0",
    "unknown_timezone.routing.yml": "6:15: people.0.timezone: unknown time zone 'Europe/Pariss'",
}


@pytest.mark.parametrize(("name", "expected"), RULE_CASES.items())
def test_rule_mistake_is_reported_with_file_line_and_column(name: str, expected: str) -> None:
    path = BAD / name
    rules, errors = check_files([path])
    assert rules == []
    assert [str(error) for error in errors[str(path)]] == [f"{path}:{expected}"]


def test_duplicate_rule_name_points_at_the_second_file_and_names_the_first() -> None:
    folder = BAD / "duplicate_name"
    rules, errors = check_files([folder])
    first, second = folder / "first.yaml", folder / "second.yaml"
    assert [rule.name for rule in rules] == ["same-name"]
    assert errors[str(first)] == []
    assert [str(e) for e in errors[str(second)]] == [
        f"{second}:2:7: duplicate rule name 'same-name' (first defined at {first}:1:7)"
    ]


@pytest.mark.parametrize(("name", "expected"), ROUTING_CASES.items())
def test_routing_mistake_is_reported_with_file_line_and_column(name: str, expected: str) -> None:
    path = BAD / name
    with pytest.raises(RuleLoadError) as caught:
        load_routing(path)
    assert [str(error) for error in caught.value.errors] == [f"{path}:{expected}"]


def test_every_rule_fixture_is_covered() -> None:
    on_disk = {path.name for path in BAD.glob("*.yaml")}
    assert on_disk == set(RULE_CASES)
    assert {path.name for path in BAD.glob("*.routing.yml")} == set(ROUTING_CASES)

"""Loading rule files: kinds, templates, the default pack and rule sets stored as texts."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.catalogue import CATALOGUE
from rules.context import ContextBuilder
from rules.engine import evaluate, hits
from rules.errors import RuleLoadError
from rules.loader import load_rule_texts, load_rules, parse_rule
from rules.risk import PriorLateRateRisk
from rules.schema import RULE_KINDS
from tests.rules.factories import small_book

PACK = Path(__file__).resolve().parents[2] / "rules" / "pack"
REQUIRED_PACK = {
    "pre-due-high-risk",
    "overdue-high-value",
    "risk-spike",
    "broken-promise",
    "ageing-dispute",
    "credit-limit-exceeded",
    "dso-worsening",
    "renewal-with-overdue",
    "deteriorating-payer",
}


def test_default_pack_loads_and_covers_the_issue() -> None:
    rules = load_rules([PACK])
    assert {rule.name for rule in rules} == REQUIRED_PACK


def test_every_rule_kind_has_an_annotated_example_in_the_pack() -> None:
    kinds = {parse_rule(str(p), p.read_text()).spec.kind for p in PACK.glob("*.yaml")}
    assert kinds == set(RULE_KINDS)
    for path in PACK.glob("*.yaml"):
        text = path.read_text()
        assert "# (required)" in text, path.name
        assert "(optional, default" in text, path.name


def test_change_kind_compares_with_the_past() -> None:
    rule = parse_rule(
        "dso.yaml",
        "name: dso-up\nkind: change\non: account\n"
        "change: {field: account.dso, over: 30d, pct: 20}\nmessage: '{{ account.name }}'\n",
    )
    assert rule.lookbacks == {("account.dso", 30)}


def test_absence_kind_fires_after_the_grace_period_without_payment() -> None:
    rules = load_rule_texts(
        {
            "broken.yaml": "name: broken\nkind: absence\n"
            "absence: {after: promise.date, grace: 2d}\n"
            "message: '{{ invoice.number }} promised {{ promise.date }}'\n"
        }
    )
    promises = pd.DataFrame(
        {
            "invoice_id": ["A3"],
            "created_at": pd.to_datetime(["2024-02-20 15:30"]),
            "promised_date": pd.to_datetime(["2024-03-01"]),
            "amount": [2000.0],
        }
    )
    builder = ContextBuilder(small_book(), promises=promises)
    assert hits(rules, builder.at(date(2024, 3, 2))).empty
    firing = evaluate(rules, builder.at(date(2024, 3, 3)))
    assert [(f.key, f.message) for f in firing] == [(("broken", "A", "A3"), "A3 promised 2024-03-01")]


def test_messages_render_in_the_sandbox_with_filters_and_labels() -> None:
    rules = load_rule_texts(
        {
            "late.yaml": "name: late\nseverity: high\nlabels: {team: collections}\n"
            "when: invoice.days_past_due > 0\n"
            "message: '{{ account.name }} owes {{ invoice.amount_open | money }}, "
            "{{ invoice.days_past_due }} days late ({{ risk.p_late | pct }}). {{ risk.reason }}'\n"
        }
    )
    builder = ContextBuilder(small_book(), risk=PriorLateRateRisk())
    (firing,) = evaluate(rules, builder.at(date(2024, 2, 15)))
    assert firing.message == (
        "B Ltd owes 3,000.00, 6 days late (50%). No payment history yet; 50% of the book pays late."
    )
    assert firing.labels == {
        "rule": "late",
        "severity": "high",
        "account": "B",
        "owner": "",
        "segment": "",
        "team": "collections",
    }


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{{ ().__class__ }}",
            "3:16: templates may only use fields such as 'invoice.number', not '.__class__'",
        ),
        (
            "{{ invoice.number.upper() }}",
            "3:34: templates may only use fields such as 'invoice.number', not '('",
        ),
        (
            "{{ invoice['number'] }}",
            "3:21: templates may only use fields such as 'invoice.number', not '['",
        ),
        ("{{ cycler }}", "3:14: unknown template variable 'cycler'"),
    ],
)
def test_templates_cannot_reach_python_internals(template: str, message: str) -> None:
    with pytest.raises(RuleLoadError) as caught:
        parse_rule("x.yaml", f'name: x\nwhen: invoice.disputed\nmessage: "{template}"\n')
    assert str(caught.value) == f"x.yaml:{message}"


def test_a_rule_set_with_one_bad_text_is_refused_whole() -> None:
    with pytest.raises(RuleLoadError) as caught:
        load_rule_texts(
            {
                "good.yaml": "name: good\nwhen: invoice.disputed\nmessage: ok\n",
                "bad.yaml": "name: bad\nwhen: invoice.disputd\nmessage: ok\n",
            }
        )
    assert [str(e) for e in caught.value.errors] == [
        "bad.yaml:2:7: unknown field 'invoice.disputd' (did you mean 'invoice.disputed'?)"
    ]


def test_every_catalogue_field_is_documented() -> None:
    readme = (PACK.parent / "README.md").read_text()
    missing = [name for name in CATALOGUE if f"| `{name}` |" not in readme]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: 2024-02-30\n", "x.yaml:1:7: invalid value: day is out of range for month"),
        ("a: &a [1]\nb: *a\n", "x.yaml:2:1: YAML anchors and aliases are not supported here"),
        ("- 1\n", "x.yaml:1:1: a rule file must be a mapping of keys to values"),
        (
            "x: !!python/object:os.system 1\n",
            "x.yaml:1:4: invalid value: could not determine a "
            "constructor for the tag 'tag:yaml.org,2002:python/object:os.system'",
        ),
    ],
)
def test_yaml_that_is_not_plain_data_is_refused(text: str, message: str) -> None:
    with pytest.raises(RuleLoadError) as caught:
        parse_rule("x.yaml", text)
    assert str(caught.value) == message


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("name: when&*![]{}-'\"\n #|>?%@0123456789.,")), max_size=80))
def test_fuzz_any_rule_text_loads_or_reports_placed_errors(text: str) -> None:
    try:
        parse_rule("fuzz.yaml", text)
    except RuleLoadError as caught:
        errors = caught.errors
    else:
        errors = []
    assert all(error.location is not None for error in errors)


def test_a_template_failing_on_one_rows_data_still_yields_the_alert() -> None:
    rules = load_rule_texts(
        {
            "ratio.yaml": "name: ratio\ndescription: Overdue invoice\non: invoice\n"
            "when: invoice.days_past_due > 0\nmessage: '{{ invoice.amount / 0 }}'\n"
        }
    )
    (firing,) = evaluate(rules, ContextBuilder(small_book()).at(date(2024, 2, 15)))
    assert firing.key == ("ratio", "B", "B1")
    assert firing.message == ("Overdue invoice (the message template failed on this alert: division by zero)")

"""A cycle on unchanged data opens nothing; paying an invoice resolves its alerts next cycle."""

from datetime import date, datetime

from rules.context import ContextBuilder
from rules.cycle import run_rules
from rules.lifecycle import State
from rules.loader import load_rule_texts
from tests.rules.factories import small_book

RULES = load_rule_texts(
    {"overdue.yaml": "name: overdue\nwhen: invoice.days_past_due >= 1\nmessage: '{{ invoice.number }}'\n"}
)


def test_rerun_opens_nothing_and_payment_resolves_next_cycle() -> None:
    builder = ContextBuilder(small_book())
    first = run_rules(
        rules=RULES, context=builder.at(date(2024, 2, 5)), current={}, now=datetime(2024, 2, 5, 6)
    )
    assert [a.key for a in first.opened] == [("overdue", "A", "A1")]
    alerts = {a.key: a for a in first.changed}
    again = run_rules(
        rules=RULES,
        context=builder.at(date(2024, 2, 5)),
        current=alerts,
        now=datetime(2024, 2, 5, 7),
    )
    assert again.changed == []
    assert again.to_notify == []
    # A1 is paid on 02-10; B1 becomes overdue the same day.
    paid = run_rules(
        rules=RULES,
        context=builder.at(date(2024, 2, 10)),
        current=alerts,
        now=datetime(2024, 2, 10, 6),
    )
    assert [(a.key, a.state, a.resolved_reason) for a in paid.resolved] == [
        (("overdue", "A", "A1"), State.RESOLVED, "paid")
    ]
    assert [a.key for a in paid.opened] == [("overdue", "B", "B1")]

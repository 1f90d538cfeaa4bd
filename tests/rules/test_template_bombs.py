"""A rule message cannot make Nudge allocate without bound: refused on load, bounded on render."""

from __future__ import annotations

import pytest

from rules.errors import RuleLoadError
from rules.loader import parse_rule
from rules.templates import MAX_MESSAGE_CHARS, render

NOT_TEXT = "(a message shows fields, it does not compute text)"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ 'x' * 300000000 }}", f"3:11: templates may not use '*' {NOT_TEXT}"),
        ("{{ 2 ** 99999999 }}", f"3:11: templates may not use '**' {NOT_TEXT}"),
        ("{{ '%300000000s' % 'x' }}", f"3:11: templates may not use '%' {NOT_TEXT}"),
        (
            "{% for a in 'abcdefgh' %}{% for b in 'abcdefgh' %}x{% endfor %}{% endfor %}",
            f"3:11: templates may not use 'for' loops {NOT_TEXT}",
        ),
        (
            "{{ invoice.number | center(300000000) }}",
            "3:31: unknown template filter 'center' "
            "(filters: abs, capitalize, days, default, lower, money, pct, round, title, trim, upper)",
        ),
    ],
)
def test_a_template_that_could_grow_without_bound_is_refused(template: str, message: str) -> None:
    with pytest.raises(RuleLoadError) as caught:
        parse_rule("x.yaml", f'name: x\nwhen: invoice.disputed\nmessage: "{template}"\n')
    assert str(caught.value) == f"x.yaml:{message}"


def test_safe_filters_and_conditions_still_load() -> None:
    template = (
        "{{ invoice.number | upper }}: {{ invoice.amount_open | money }}"
        "{{ ' (disputed)' if invoice.disputed }}"
    )
    rule = parse_rule("x.yaml", f'name: x\nwhen: invoice.disputed\nmessage: "{template}"\n')
    assert rule.spec.message == template


def test_a_stored_template_multiplying_text_renders_a_refusal_not_gigabytes() -> None:
    assert render("{{ 'x' * 300000000 }}", {}) == (
        f"[message not rendered: '*' would make text longer than {MAX_MESSAGE_CHARS} characters]"
    )
    assert render("{{ 'ab' * 3 }}", {}) == "ababab"


def test_rendered_output_stops_at_the_message_cap() -> None:
    message = render(
        "{% for a in 'abcdefghij' %}{% for b in 'abcdefghij' %}" + "y" * 100 + "{% endfor %}{% endfor %}", {}
    )
    assert len(message) == MAX_MESSAGE_CHARS
    assert message.endswith("y [...]")


def test_a_stored_template_raising_a_huge_power_renders_a_refusal() -> None:
    assert render("{{ 7 ** 99999999 }}", {}) == (
        "[message not rendered: '**' with an exponent of 99999999 is too large for a message]"
    )
    assert render("{{ 2 ** 10 }}", {}) == "1024"


def test_tests_such_as_is_none_still_load() -> None:
    template = "{{ 'no due date' if invoice.due_date is none else invoice.due_date }}"
    rule = parse_rule("x.yaml", f'name: x\nwhen: invoice.disputed\nmessage: "{template}"\n')
    assert rule.spec.message == template

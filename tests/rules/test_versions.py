"""Proposing a new version of a rule set: refused whole on any mistake, diffed for the audit."""

from rules.versions import propose

GOOD = "name: late\nwhen: invoice.days_past_due > 7\nmessage: late\n"
LATER = "name: late\nwhen: invoice.days_past_due > 14\nmessage: late\n"
NEW = "name: risky\nwhen: risk.p_late > 0.8\nmessage: risky\n"


def test_valid_change_is_accepted_with_its_diff() -> None:
    result = propose({"late.yaml": GOOD}, {"late.yaml": LATER, "risky.yaml": NEW})
    assert result.accepted
    assert result.rules is not None
    assert [rule.name for rule in result.rules] == ["late", "risky"]
    assert (result.added, result.removed, result.changed) == (("risky.yaml",), (), ("late.yaml",))
    assert "-when: invoice.days_past_due > 7\n+when: invoice.days_past_due > 14\n" in result.diff
    assert "--- /dev/null\n+++ b/risky.yaml\n" in result.diff


def test_change_with_a_mistake_is_refused_with_placed_errors() -> None:
    broken = {"late.yaml": GOOD.replace("days_past_due", "days_pastdue")}
    result = propose({"late.yaml": GOOD}, broken)
    assert not result.accepted
    assert result.rules is None
    assert [str(e) for e in result.errors["late.yaml"]] == [
        "late.yaml:2:7: unknown field 'invoice.days_pastdue' (did you mean 'invoice.days_past_due'?)"
    ]

"""Compiled expressions against hand-written numpy masks, including missing values."""

from datetime import date

import numpy as np
import pytest

from rules.catalogue import fields_for
from rules.errors import RuleError
from rules.expr.compiler import compile_condition
from tests.rules.factories import frame

AMOUNT_OPEN = [500.0, 12000.0, None, 30000.0, 15000.0]
DAYS_PAST_DUE = [0.0, 9.0, 20.0, None, 3.0]
P_LATE = [0.2, 0.7, 0.9, 0.8, None]
DUE = [date(2024, 3, 10), date(2024, 2, 21), None, date(2024, 1, 1), date(2024, 2, 27)]
SEGMENT = ["smb", "enterprise", None, "mid_market", "enterprise"]
DISPUTED = [False, True, False, False, True]


def _frame():
    return frame(
        {
            "invoice.amount_open": AMOUNT_OPEN,
            "invoice.days_past_due": DAYS_PAST_DUE,
            "risk.p_late": P_LATE,
            "invoice.due_date": DUE,
            "account.segment": SEGMENT,
            "invoice.disputed": DISPUTED,
        }
    )


def _mask(text: str) -> list[bool]:
    return compile_condition(text, fields_for("invoice"), "invoice").mask(_frame()).tolist()


def test_threshold_matches_hand_written_mask() -> None:
    amount, days, p_late = (np.array(v, dtype=float) for v in (AMOUNT_OPEN, DAYS_PAST_DUE, P_LATE))
    expected = (days >= 7) & (amount >= 10000) & (p_late >= 0.5)
    text = "invoice.days_past_due >= 7 and invoice.amount_open >= 10000 and risk.p_late >= 0.5"
    assert _mask(text) == expected.tolist() == [False, True, False, False, False]


def test_any_comparison_with_a_missing_value_is_false() -> None:
    assert _mask("risk.p_late != 0.2") == [False, True, True, True, False]
    assert _mask("account.segment != 'smb'") == [False, True, False, True, True]
    assert _mask("account.segment not in ['smb']") == [False, True, False, True, True]
    assert _mask("invoice.amount_open + 1 > 0") == [True, True, False, True, True]


def test_null_tests_and_coalesce() -> None:
    assert _mask("is_null(risk.p_late)") == [False, False, False, False, True]
    assert _mask("account.segment == null") == [False, False, True, False, False]
    assert _mask("invoice.amount_open != null") == [True, True, False, True, True]
    assert _mask("coalesce(risk.p_late, 1) >= 0.8") == [False, False, True, True, True]


def test_dates_durations_and_today() -> None:
    # As of 2024-03-01: due within a week, or more than 30 days ago.
    assert _mask("invoice.due_date - today <= 7d and invoice.due_date >= today") == [
        False,
        False,
        False,
        False,
        False,
    ]
    assert _mask("invoice.due_date <= today + 10d") == [True, True, False, True, True]
    assert _mask("today - invoice.due_date > 30") == [False, False, False, True, False]
    assert _mask("invoice.due_date < 2024-02-25") == [False, True, False, True, False]


def test_logic_membership_and_functions() -> None:
    assert _mask("not invoice.disputed and account.segment in ['enterprise', 'smb']") == [
        True,
        False,
        False,
        False,
        False,
    ]
    assert _mask("abs(invoice.days_past_due - 10) <= 1") == [False, True, False, False, False]
    assert _mask("max(invoice.amount_open, 14000) == 14000") == [True, True, False, False, False]
    assert _mask("invoice.amount_open / 0 > 1 or invoice.disputed") == DISPUTED


def test_prev_compares_with_the_past_frame_by_row_key() -> None:
    now = {"risk.p_late": [0.9, 0.5, 0.4]}
    then = frame({"risk.p_late": [0.5, 0.5]})  # the third invoice did not exist a week ago
    current = frame(now, history=lambda days: then if days == 7 else None)
    compiled = compile_condition(
        "risk.p_late - prev(risk.p_late, 7d) >= 0.3", fields_for("invoice"), "invoice"
    )
    assert compiled.mask(current).tolist() == [True, False, False]
    assert compiled.lookbacks == {("risk.p_late", 7)}


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        (
            "invoice.amount_open > 3d",
            22,
            "cannot compare 'invoice.amount_open' (money) with a duration",
        ),
        (
            "invoice.amount + invoice.days_past_due > 1",
            15,
            "cannot add 'invoice.amount' (money) and 'invoice.days_past_due' (days)",
        ),
        ("account.name < 'b'", 15, "cannot order string values with '<'"),
        ("-invoice.disputed", 0, "cannot negate 'invoice.disputed' (bool)"),
        (
            "max(invoice.due_date, 3) > 1",
            22,
            "cannot compare 'invoice.due_date' (date) with a number",
        ),
        ("prev(invoice.amount_open + 1, 7d) > 0", 5, "prev() takes a field as its first argument"),
        (
            "prev(risk.p_late, 7) > 0",
            18,
            "prev() takes a duration such as 7d as its second argument",
        ),
        ("abs(1, 2) > 0", 0, "abs() takes 1 arguments, got 2"),
        ("lenght(account.name) > 0", 0, "unknown function 'lenght'"),
        (
            "null < 3",
            5,
            "null can only be compared with '==' or '!=' to a value (or use is_null())",
        ),
        (
            "days_past_due > 3",
            0,
            "unknown field 'days_past_due' (did you mean 'invoice.days_past_due'?)",
        ),
    ],
)
def test_type_errors_name_the_offending_operand(text: str, offset: int, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        compile_condition(text, fields_for("invoice"), "invoice")
    assert (caught.value.offset, caught.value.message) == (offset, message)


def test_units_a_bare_number_takes_the_other_sides_unit() -> None:
    assert _mask("invoice.amount_open * 2 >= 30000") == [False, False, False, True, True]
    assert _mask("invoice.amount_open / invoice.amount_open == 1") == [True, True, False, True, True]
    assert _mask("invoice.days_past_due + 1d > 10") == [False, False, True, False, False]
    with pytest.raises(RuleError, match=r"^cannot multiply 'invoice.days_past_due' \(days\) and "):
        compile_condition("invoice.days_past_due * invoice.amount_open > 1", fields_for("invoice"), "invoice")

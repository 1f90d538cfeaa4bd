"""The expression parser: precedence, literals, errors with offsets, and fuzzing."""

from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.catalogue import CATALOGUE, DATE, DAYS, STRING, fields_for
from rules.errors import RuleError
from rules.expr import Binary, Call, Field, In, Literal, Unary, parse
from rules.expr.compiler import compile_condition
from rules.expr.tokens import day_number
from tests.rules.factories import frame


def test_and_binds_tighter_than_or_and_not_tighter_than_and() -> None:
    node = parse("not invoice.disputed and risk.p_late > 0.5 or dispute.open")
    assert isinstance(node, Binary)
    assert node.op == "or"
    assert isinstance(node.left, Binary)
    assert node.left.op == "and"
    assert isinstance(node.left.left, Unary)
    assert node.left.left.op == "not"


def test_arithmetic_precedence_and_parentheses() -> None:
    node = parse("(invoice.amount - invoice.amount_open) * 2 / 4 >= 1")
    assert isinstance(node, Binary)
    assert node.op == ">="
    left = node.left
    assert isinstance(left, Binary)
    assert left.op == "/"
    assert isinstance(left.left, Binary)
    assert left.left.op == "*"
    assert isinstance(left.left.left, Binary)
    assert left.left.left.op == "-"


def test_literals_durations_dates_and_strings() -> None:
    node = parse("invoice.due_date < 2024-02-29 + 2w and account.name == 'O\\'Brien'")
    assert isinstance(node, Binary)
    assert isinstance(node.left, Binary)
    date_sum = node.left.right
    assert isinstance(date_sum, Binary)
    assert date_sum.left == Literal(float(day_number(date(2024, 2, 29))), DATE, 19)
    assert date_sum.right == Literal(14.0, DAYS, 32)
    assert isinstance(node.right, Binary)
    assert node.right.right == Literal("O'Brien", STRING, 55)


def test_membership_and_calls() -> None:
    node = parse("account.segment not in ['smb', 'mid_market'] and abs(-2) < max(1, 3)")
    assert isinstance(node, Binary)
    assert isinstance(node.left, In)
    assert node.left.negated
    assert [item.value for item in node.left.items] == ["smb", "mid_market"]
    right = node.right
    assert isinstance(right, Binary)
    assert isinstance(right.left, Call)
    assert right.left.name == "abs"
    assert isinstance(right.right, Call)
    assert len(right.right.args) == 2


def test_dotted_names_are_fields_with_their_offset() -> None:
    assert parse("  crm.health == 'red'").left == Field("crm.health", 2)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("invoice.amount = 3", 15, "unexpected '=' (use '==' to compare)"),
        ("invoice.amount >", 16, "expected a value but found the end of the expression"),
        ("(invoice.amount > 1", 19, "expected ')' but found the end of the expression"),
        ("1 < 2 < 3", 6, "comparisons cannot be chained; join them with 'and'"),
        ("x in []", 2, "'in' needs at least one value"),
        ("invoice.age_days > 7days", 19, "invalid number '7days' (durations are like 7d or 2w)"),
        ("account.name == 'abc", 16, "unterminated string"),
        ("invoice.due_date > 2024-02-30", 19, "'2024-02-30' is not a valid date"),
        ("a && b", 2, "unexpected '&' (use 'and' / 'or')"),
        ("x in [invoice.amount]", 6, "a list holds only constant values"),
        ("", 0, "empty expression"),
        ("(" * 80 + "1", 61, "expression nests too deeply"),
        (
            " + ".join(["1"] * 300) + " > 1",
            0,
            "expression is too long; split it into several rules",
        ),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, offset: int, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse(text)
    assert (caught.value.offset, caught.value.message) == (offset, message)


FIELDS = sorted(CATALOGUE)
PIECES = [
    *FIELDS,
    "and",
    "or",
    "not",
    "in",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "(",
    ")",
    "[",
    "]",
    ",",
    "7d",
    "2w",
    "0.5",
    "10000",
    "'smb'",
    "'red'",
    "true",
    "false",
    "null",
    "today",
    "2024-01-31",
    "abs(",
    "min(",
    "max(",
    "is_null(",
    "coalesce(",
    "prev(",
]


def _sample_frame():
    values: dict[str, list[Any]] = {
        "invoice.amount_open": [0.0, 5000.0, None, 25000.0],
        "invoice.days_past_due": [0.0, 10.0, 40.0, None],
        "invoice.due_date": [date(2024, 3, 5), None, date(2024, 1, 1), date(2024, 2, 1)],
        "invoice.disputed": [False, True, False, True],
        "risk.p_late": [0.1, 0.9, None, 0.6],
        "account.segment": ["smb", None, "enterprise", "smb"],
        "account.name": ["A", "B", None, "D"],
        "crm.health": ["red", "green", None, "yellow"],
    }
    return frame(values, history=lambda days: frame(values))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_any_text_parses_or_fails_cleanly(text: str) -> None:
    error = _parse_error(text)
    assert error is None or 0 <= error.offset <= len(text)


def _parse_error(text: str) -> RuleError | None:
    try:
        parse(text)
    except RuleError as error:
        return error
    return None


def _check_compiles_and_evaluates(text: str) -> None:
    """Either a clean, placed error or a mask of one bool per row: never a crash."""
    try:
        compiled = compile_condition(text, fields_for("invoice"), "invoice")
    except RuleError as error:
        offset = error.offset
        compiled = None
    if compiled is None:
        assert 0 <= offset <= len(text)
        return
    mask = compiled.mask(_sample_frame())
    assert mask.dtype == np.bool_
    assert mask.shape == (4,)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14))
def test_fuzz_token_soup_compiles_and_evaluates_or_fails_cleanly(pieces: list[str]) -> None:
    _check_compiles_and_evaluates(" ".join(pieces))


def _expressions() -> st.SearchStrategy[str]:
    atoms = st.sampled_from([*FIELDS, "7d", "0.5", "10000", "'smb'", "true", "null", "today", "2024-01-31"])
    return st.recursive(
        atoms,
        lambda inner: st.one_of(
            st.tuples(
                inner,
                st.sampled_from(["and", "or", "==", "!=", "<", ">=", "+", "-", "*", "/"]),
                inner,
            ).map(" ".join),
            inner.map(lambda x: f"not ({x})"),
            inner.map(lambda x: f"-({x})"),
            st.tuples(st.sampled_from(["abs", "is_null"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(["min", "max", "coalesce"]), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            ),
            st.tuples(st.sampled_from(FIELDS), st.sampled_from(["7d", "30d"])).map(
                lambda t: f"prev({t[0]}, {t[1]})"
            ),
            inner.map(lambda x: f"({x}) in [1, 2]"),
        ),
        max_leaves=8,
    )


@settings(max_examples=300, deadline=None)
@given(_expressions())
def test_fuzz_well_formed_expressions_type_check_then_evaluate(text: str) -> None:
    _check_compiles_and_evaluates(text)

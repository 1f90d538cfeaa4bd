"""Evaluate a rule set over an evaluation context: masks, hits and rendered firings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import TemplateError

from rules.catalogue import CATALOGUE, Kind
from rules.context import EvaluationContext
from rules.frame import ColumnFrame
from rules.loader import Rule, RuleSet
from rules.templates import render

AlertKey = tuple[str, str, str | None]
HIT_COLUMNS = ("rule", "customer_id", "invoice_id")
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Firing:
    """One rule firing on one invoice or account, ready for the alert lifecycle."""

    rule: str
    account_id: str
    invoice_id: str | None
    severity: str
    message: str
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> AlertKey:
        """The alert identity: (rule, account, invoice or None)."""
        return (self.rule, self.account_id, self.invoice_id)


def masks(rules: RuleSet, context: EvaluationContext) -> dict[str, np.ndarray]:
    """Per rule, which rows of its scope fire."""
    return {rule.name: rule.mask(context.frame(rule.scope)) for rule in rules if rule.spec.enabled}


def hits(rules: RuleSet, context: EvaluationContext) -> pd.DataFrame:
    """One row per (rule, customer_id, invoice_id) firing; no invoice_id for account rules."""
    parts = []
    for rule in rules:
        if not rule.spec.enabled:
            continue
        frame = context.frame(rule.scope)
        rows = np.flatnonzero(rule.mask(frame))
        invoice_ids = frame.ids["invoice_id"][rows] if rule.scope == "invoice" else [None] * len(rows)
        parts.append(
            pd.DataFrame(
                {
                    "rule": rule.name,
                    "customer_id": frame.ids["customer_id"][rows],
                    "invoice_id": invoice_ids,
                }
            )
        )
    if not parts:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in HIT_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def evaluate(rules: RuleSet, context: EvaluationContext) -> list[Firing]:
    """Every firing with its rendered message and routing labels."""
    firings: list[Firing] = []
    for rule in rules:
        if not rule.spec.enabled:
            continue
        frame = context.frame(rule.scope)
        for row in np.flatnonzero(rule.mask(frame)):
            firings.append(_firing(rule, frame, int(row)))
    return firings


def _firing(rule: Rule, frame: ColumnFrame, row: int) -> Firing:
    values = row_values(frame, row)
    values |= {
        "rule.name": rule.name,
        "rule.severity": rule.spec.severity,
        "rule.description": rule.spec.description,
        "today": frame.as_of.isoformat(),
    }
    account = str(frame.ids["customer_id"][row])
    invoice = str(frame.ids["invoice_id"][row]) if rule.scope == "invoice" else None
    labels = {
        "rule": rule.name,
        "severity": rule.spec.severity,
        "account": account,
        "owner": str(values.get("account.owner") or ""),
        "segment": str(values.get("account.segment") or ""),
        **rule.spec.labels,
    }
    return Firing(rule.name, account, invoice, rule.spec.severity, _message(rule, values), labels)


def _message(rule: Rule, values: dict[str, Any]) -> str:
    """The rendered message; a template that fails on this row's data must not stop the cycle."""
    try:
        return render(rule.spec.message, values)
    except (TemplateError, ArithmeticError, TypeError, ValueError) as exc:
        summary = rule.spec.description or rule.name
        return f"{summary} (the message template failed on this alert: {exc})"


def row_values(frame: ColumnFrame, row: int) -> dict[str, Any]:
    """Display values of one row: dates as ISO text, missing as None."""
    out: dict[str, Any] = {}
    for name, column in frame.data.items():
        value = column[row]
        if isinstance(value, float | np.floating) and np.isnan(value):
            out[name] = None
        elif CATALOGUE[name].type.kind == Kind.DATE:
            out[name] = (_EPOCH + timedelta(days=int(value))).isoformat()
        else:
            out[name] = value.item() if isinstance(value, np.generic) else value
    return out

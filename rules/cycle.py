"""One evaluation step of the scheduler's cycle, without the database.

The caller loads the current alerts, builds the context, calls :func:`run_rules` and
persists the returned :class:`Reconciliation` (alert rows, events, outbox rows for
``to_notify``) in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from rules.context import EvaluationContext
from rules.engine import AlertKey, evaluate
from rules.lifecycle import Alert, Reconciliation, reconcile
from rules.loader import RuleSet


def run_rules(
    *, rules: RuleSet, context: EvaluationContext, current: Mapping[AlertKey, Alert], now: datetime
) -> Reconciliation:
    """Evaluate ``rules`` on ``context`` and reconcile with ``current`` alerts.

    An alert's invoice that is no longer open in ``context`` counts as paid, so its
    alerts resolve with reason ``paid`` in this cycle.
    """
    open_invoices = set(context.invoices.ids["invoice_id"].tolist())
    paid = {key[2] for key in current if key[2] is not None and key[2] not in open_invoices}
    evaluated = {rule.name for rule in rules if rule.spec.enabled}
    firings = evaluate(rules, context)
    return reconcile(current, firings, evaluated_rules=evaluated, paid_invoices=paid, now=now)

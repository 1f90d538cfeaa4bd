"""The rule engine: YAML rules with precise errors, a safe vectorised expression language,
as-of evaluation contexts, backtesting, the alert lifecycle and routing (``rules.routing``).

The API the application uses:

* :func:`load_rules` / :func:`load_rule_texts` -> :class:`RuleSet` (or :class:`RuleLoadError`)
* :func:`check_files` / :func:`check_texts` -> valid rules and per-file errors
* :class:`ContextBuilder` ``(ledger, risk=..., promises=..., disputes=..., signals=..., accounts=...)``
  ``.at(as_of)`` -> :class:`EvaluationContext`
* :func:`evaluate` -> :class:`Firing` list; :func:`hits` -> DataFrame; :func:`masks`
* :func:`run_rules` -> :class:`Reconciliation` (opened, reopened, resumed, updated,
  resolved, events)
* :func:`apply_action` / :func:`snooze_until_promise` for people's actions, with
  :func:`allowed_actions` and :func:`already_done` (a repeated action changes nothing)
* :func:`backtest` -> report dict; :class:`PriorLateRateRisk` as the default risk provider
* :func:`propose` -> :class:`Proposal` for versioned rule sets (accept or refuse, with a diff)
"""

from rules.backtest import backtest
from rules.context import ContextBuilder, EvaluationContext
from rules.cycle import run_rules
from rules.engine import AlertKey, Firing, evaluate, hits, masks
from rules.errors import Location, RuleError, RuleLoadError
from rules.lifecycle import (
    Action,
    Alert,
    AlertEvent,
    Reconciliation,
    State,
    TransitionError,
    alert_identity,
    allowed_actions,
    already_done,
    apply_action,
    reconcile,
    snooze_until_promise,
)
from rules.loader import Rule, RuleSet, check_files, check_texts, load_rule_texts, load_rules
from rules.risk import PriorLateRateRisk, RiskProvider
from rules.versions import Proposal, propose

__all__ = [
    "Action",
    "Alert",
    "AlertEvent",
    "AlertKey",
    "ContextBuilder",
    "EvaluationContext",
    "Firing",
    "Location",
    "PriorLateRateRisk",
    "Proposal",
    "Reconciliation",
    "RiskProvider",
    "Rule",
    "RuleError",
    "RuleLoadError",
    "RuleSet",
    "State",
    "TransitionError",
    "alert_identity",
    "allowed_actions",
    "already_done",
    "apply_action",
    "backtest",
    "check_files",
    "check_texts",
    "evaluate",
    "hits",
    "load_rule_texts",
    "load_rules",
    "masks",
    "propose",
    "reconcile",
    "run_rules",
    "snooze_until_promise",
]

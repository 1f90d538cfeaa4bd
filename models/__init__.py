"""The payment-delay model: as-of features, calibrated risk, reasons, saved versions.

Public API (what the cycle, the API and the CLI call):

- ``models.training.train_model(ledger, frames=None) -> RiskModel``: choose a candidate
  (``models.selection``, inner rolling split of the training rows) and fit it on every
  invoice with a known outcome; ``model.card`` holds the model card (the choice and why,
  a 75/25 time-split evaluation against both baselines, AUC with/without history).
- ``models.registry.save_model(model, home) -> Path``, ``load_model(home, "latest")``,
  ``read_card(home, version)``, ``list_versions(home)``: versions under
  ``NUDGE_HOME/models/<version>/`` in skops format, hash-checked on load.
- ``models.scoring.score_open_invoices(model, ledger, as_of, promises=..., disputes=...,
  signals=..., reasons_for=None) -> DataFrame[invoice_id, p_late, expected_days_late,
  expected_pay_date, reasons, model_version]``.
- ``models.scoring.InvoiceScorer.build(model, ledger, as_of, frames).score(invoice)``:
  one invoice in about a millisecond, for the API.
- ``models.rows.LabelledRows.of(ledger)``; ``models.evaluation``: ``evaluate(rows, cutoff)``,
  ``backtest(rows, cutoffs)``, ``time_split_cutoff(issue_dates)``.
- ``models.survival.PayCurve``: time to payment of overdue invoices (``model.pay_curve``).
- ``models.frames.OptionalFrames.of(promises=, disputes=, signals=)``: the optional
  inputs and their columns.
"""

"""The payment-delay model in the product: stored scores, the ``score`` step, retraining and the API.

- :mod:`agent.risk.tables`: ``risk_scores``, one row per open invoice and scoring day.
- :mod:`agent.risk.inputs`: the ledger and the optional frames (promises, disputes, CRM
  signals) built from the profile store.
- :mod:`agent.risk.training`: train on the database's history and save a version.
- :mod:`agent.risk.service`: store and read scores; ``expected_days_late_series`` for the
  cash forecast.
- :mod:`agent.risk.step` (cycle step ``score``) and :mod:`agent.risk.jobs` (the weekly
  ``retrain`` job, scheduled by :mod:`agent.scheduler.scheduler`).
- :mod:`agent.risk.views` (``/api/.../risk``, ``/api/model``); the ``/model`` page is
  :mod:`agent.web.model_page`.
"""

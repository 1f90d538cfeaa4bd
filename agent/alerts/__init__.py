"""Alerts: identity, lifecycle state, history, and the delivery outbox."""

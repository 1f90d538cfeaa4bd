"""Signed, expiring, single-use action links that e-mails carry (acknowledge, snooze 3 days)."""

"""Scheduled jobs: the run wrapper, advisory locks, run records and the APScheduler setup."""

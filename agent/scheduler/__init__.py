"""Scheduling: the APScheduler set-up, the cycle and retrain jobs, and the runs API."""

"""Slack: direct messages and channel posts with buttons that act, edited in place."""

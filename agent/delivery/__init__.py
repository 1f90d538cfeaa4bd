"""Delivery: outbox rows become messages that workers claim, mute, dedup, render, send and record."""

"""Secrets never reach the logs."""

from __future__ import annotations

import logging

import pytest

from agent.logs import configure_logging
from agent.settings import Settings


def test_configured_secrets_and_token_shapes_are_masked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUDGE_STRIPE_API_KEY", "plain-secret-value")  # read by the Stripe connector
    configure_logging(Settings())
    log = logging.getLogger("nudge.test")
    log.warning("calling stripe with %s", "plain-secret-value")
    log.warning("slack said no to xoxb-1234-abcdef; user token ndg_AbC123xyz sent by mistake")
    err = capsys.readouterr().err
    assert "plain-secret-value" not in err
    assert "abcdef" not in err
    assert "AbC123xyz" not in err
    assert "calling stripe with ***" in err
    assert "ndg_***" in err

"""Secrets never reach the logs."""

from __future__ import annotations

import logging

import pytest

from agent.logs import configure_logging
from agent.settings import Settings, SettingsError


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


def test_a_connector_variable_with_a_bad_value_stops_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUDGE_HUBSPOT_TOKEN", "pat-test")
    monkeypatch.setenv("NUDGE_HUBSPOT_TIMEOUT_SECONDS", "soon")
    with pytest.raises(SettingsError) as error:
        configure_logging(Settings())
    assert str(error.value) == (
        "invalid hubspot configuration: NUDGE_HUBSPOT_TIMEOUT_SECONDS: "
        "Input should be a valid number, unable to parse string as a number (got 'soon')"
    )

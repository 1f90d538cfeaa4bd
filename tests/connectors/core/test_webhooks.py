"""The shared webhook pieces: headers by any case, the timestamp window on both sides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.core.webhooks import InboundRequest, WebhookRejectedError, check_timestamp

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


def test_headers_are_found_in_any_case():
    request = InboundRequest(
        method="POST", url="http://x/hook", headers={"stripe-signature": "t=1"}, body=b""
    )
    assert request.header("Stripe-Signature") == "t=1"
    assert request.header("X-Missing") is None


@pytest.mark.parametrize("offset", [-WINDOW, timedelta(0), WINDOW])
def test_a_timestamp_within_the_window_on_either_side_passes(offset):
    check_timestamp(signed_at=NOW + offset, now=NOW, tolerance=WINDOW)


@pytest.mark.parametrize(
    ("offset", "message"),
    [
        (-WINDOW - timedelta(seconds=1), "signature timestamp is more than 300 s old"),
        (WINDOW + timedelta(seconds=1), "signature timestamp is more than 300 s in the future"),
    ],
)
def test_a_replayed_or_future_timestamp_is_refused(offset, message):
    with pytest.raises(WebhookRejectedError) as refused:
        check_timestamp(signed_at=NOW + offset, now=NOW, tolerance=WINDOW)
    assert (str(refused.value), refused.value.status) == (message, 401)

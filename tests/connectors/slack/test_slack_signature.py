"""Slack's v0 request signature, checked over the raw body with a 5-minute window both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors.core.webhooks import InboundRequest, WebhookRejectedError
from connectors.slack.signature import sign, signed_headers, verify

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)
BODY = b"payload=%7B%22type%22%3A%22block_actions%22%7D"


def request(headers: dict[str, str], body: bytes = BODY) -> InboundRequest:
    return InboundRequest(
        method="POST",
        url="https://nudge.example.com/integrations/slack/interactions",
        headers=headers,
        body=body,
    )


def test_slacks_documented_example_signature_is_reproduced() -> None:
    # api.slack.com/authentication/verifying-requests-from-slack, "Validating a request"
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        sign(SECRET, 1531420618, body)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_a_fresh_signature_passes() -> None:
    verify(
        request(signed_headers(SECRET, BODY, at=NOW - timedelta(minutes=4), content_type="x")),
        secret=SECRET,
        now=NOW,
        tolerance=WINDOW,
    )


@pytest.mark.parametrize(
    ("at", "secret", "body", "error"),
    [
        (NOW, "another-secret", BODY, "signature does not match"),
        (NOW, SECRET, BODY + b"&tampered=1", "signature does not match"),
        (NOW - timedelta(minutes=6), SECRET, BODY, "signature timestamp is more than 300 s old"),
        (NOW + timedelta(minutes=6), SECRET, BODY, "signature timestamp is more than 300 s in the future"),
    ],
)
def test_a_wrong_tampered_stale_or_future_signature_is_refused(
    at: datetime, secret: str, body: bytes, error: str
) -> None:
    headers = signed_headers(secret, BODY, at=at, content_type="application/x-www-form-urlencoded")
    with pytest.raises(WebhookRejectedError) as refused:
        verify(request(headers, body), secret=SECRET, now=NOW, tolerance=WINDOW)
    assert (str(refused.value), refused.value.status) == (error, 401)


def test_missing_or_malformed_headers_are_refused() -> None:
    with pytest.raises(
        WebhookRejectedError, match=r"^missing X-Slack-Request-Timestamp or X-Slack-Signature$"
    ):
        verify(request({}), secret=SECRET, now=NOW, tolerance=WINDOW)
    bad = {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=00"}
    with pytest.raises(WebhookRejectedError, match=r"^X-Slack-Request-Timestamp is not a number$"):
        verify(request(bad), secret=SECRET, now=NOW, tolerance=WINDOW)

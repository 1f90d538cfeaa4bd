"""Action-link tokens: signed claims that break when changed and stop working when expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.links.tokens import ExpiredLinkError, TamperedLinkError, new_claims, sign, verify

KEY = b"k" * 48
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
TAMPERED = (
    "The link was changed or cut short on its way (its signature does not match), or it "
    "was not made by this Nudge. Open the e-mail again and use its button, or act in Nudge."
)


def token(**changes: object) -> str:
    values: dict[str, object] = {
        "alert_id": 41,
        "action": "acknowledge",
        "recipient": "Maya.Chen@nudge.example",
        "expires_at": NOW + timedelta(hours=72),
    }
    values.update(changes)
    return sign(new_claims(**values), KEY)  # type: ignore[arg-type]


def test_a_signed_link_carries_its_alert_action_recipient_and_expiry() -> None:
    claims = verify(token(), KEY, now=NOW)
    assert (claims.alert_id, claims.action, claims.recipient) == (
        41,
        "acknowledge",
        "maya.chen@nudge.example",
    )
    assert claims.expires_at == NOW + timedelta(hours=72)
    assert len(claims.nonce) == 24
    assert token() != token()  # each link is its own, used once


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace(t[5], "A" if t[5] != "A" else "B", 1),  # a changed claim
        lambda t: t[:-3],  # cut short
        lambda t: t.split(".")[0],  # no signature
        lambda t: "not-a-nudge-link",
        lambda t: t + "é",
    ],
)
def test_a_changed_or_foreign_link_is_refused(mangle: object) -> None:
    with pytest.raises(TamperedLinkError) as caught:
        verify(mangle(token()), KEY, now=NOW)  # type: ignore[operator]
    assert caught.value.message == TAMPERED
    assert caught.value.status == 400


def test_a_link_signed_with_another_key_is_refused() -> None:
    with pytest.raises(TamperedLinkError):
        verify(token(), b"x" * 48, now=NOW)


def test_an_expired_link_says_when_it_expired() -> None:
    with pytest.raises(ExpiredLinkError) as caught:
        verify(token(expires_at=NOW), KEY, now=NOW)
    assert caught.value.message == (
        "It expired on 2026-11-20 at 09:00 UTC (links last NUDGE_LINK_TTL_HOURS). "
        "The alert may still need you: open it in Nudge."
    )
    assert caught.value.status == 410


def test_only_link_actions_can_be_signed() -> None:
    with pytest.raises(ValueError, match=r"^unknown link action 'close' \(one of acknowledge, snooze\)$"):
        token(action="close")

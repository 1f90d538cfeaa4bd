"""``NUDGE_SMTP_URL`` and friends: parsed with clear errors that never show the password."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from connectors.core.registry import NotConfiguredError, get, notifiers
from connectors.email.notifier import EmailNotifier
from connectors.email.settings import EmailSettings, SmtpUrlError, parse_smtp_url


def test_settings_come_from_the_documented_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not get("email").is_configured()
    monkeypatch.setenv("NUDGE_SMTP_URL", "smtp://nudge:s3cr%40t@smtp.example.com:2525?starttls=true")
    monkeypatch.setenv("NUDGE_EMAIL_FROM", "Nudge <nudge@example.com>")
    monkeypatch.setenv("NUDGE_EMAIL_RATE_LIMIT", "5")
    settings = EmailSettings()

    assert get("email").is_configured()
    assert settings.configured
    assert settings.rate_limit == 5
    assert "s3cr" not in repr(settings)
    assert settings.smtp_url is not None
    target = parse_smtp_url(settings.smtp_url)
    assert (target.host, target.port, target.starttls, target.implicit_tls) == (
        "smtp.example.com",
        2525,
        True,
        False,
    )
    assert target.username == "nudge"
    assert target.password is not None
    assert target.password.get_secret_value() == "s3cr@t"
    assert "s3cr" not in repr(target)
    assert isinstance(get("email").build_notifier(), EmailNotifier)
    assert isinstance(notifiers()["email"], EmailNotifier)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.com", ("mail.example.com", 587, False, True)),
        ("smtp://mail.example.com:25?starttls=false", ("mail.example.com", 25, False, False)),
        ("smtps://mail.example.com", ("mail.example.com", 465, True, False)),
    ],
)
def test_ports_and_tls_default_to_the_secure_choice(url: str, expected: tuple[object, ...]) -> None:
    target = parse_smtp_url(SecretStr(url))
    assert (target.host, target.port, target.implicit_tls, target.starttls) == expected


@pytest.mark.parametrize(
    ("url", "error"),
    [
        (
            "http://u:hunter2@mail.example.com",
            "NUDGE_SMTP_URL: scheme must be smtp or smtps (got http://u:***@mail.example.com)",
        ),
        ("smtp://u:hunter2@", "NUDGE_SMTP_URL: no host (got smtp://u:***@)"),
        ("smtp://u:hunter2@mail:x", "NUDGE_SMTP_URL: the port is not a number (got smtp://u:***@mail:x)"),
        (
            "smtp://mail?starttls=maybe",
            "NUDGE_SMTP_URL: starttls must be true or false (got smtp://mail?starttls=maybe)",
        ),
        (
            "smtps://u:hunter2@mail?starttls=true",
            "NUDGE_SMTP_URL: smtps is already encrypted; drop starttls (got smtps://u:***@mail?starttls=true)",
        ),
    ],
)
def test_a_bad_url_is_explained_without_its_password(url: str, error: str) -> None:
    with pytest.raises(SmtpUrlError) as caught:
        parse_smtp_url(SecretStr(url))
    assert str(caught.value) == error
    assert "hunter2" not in str(caught.value)


def test_no_notifier_until_configured_and_a_bad_url_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "email" not in notifiers()
    monkeypatch.setenv("NUDGE_EMAIL_FROM", "Nudge <nudge@example.com>")
    assert "email" not in notifiers()
    with pytest.raises(
        NotConfiguredError, match=r"^email is not configured \(its variables: connectors/README.md\)$"
    ):
        get("email").build_notifier()
    monkeypatch.setenv("NUDGE_SMTP_URL", "smtp://u:hunter2@mail:x")
    with pytest.raises(SmtpUrlError, match=r"the port is not a number \(got smtp://u:\*\*\*@mail:x\)"):
        notifiers()

"""Sending through a real local SMTP server (aiosmtpd): ids, connections, TLS, auth, failures."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from connectors.core.protocols import DeliveryError
from connectors.core.registry import get
from connectors.email.emulator import SmtpSink
from connectors.email.notifier import EmailNotifier, message_id
from tests.connectors.email.messages import digest

SENDER = "Nudge <nudge@nudge.example>"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as running:
        yield running


def notifier_for(sink: SmtpSink, url: str | None = None, ca_file: str | None = None) -> EmailNotifier:
    spec = get("email")
    settings = spec.load_settings(smtp_url=url or sink.url, from_address=SENDER, ca_file=ca_file)
    built = spec.build_notifier(settings)
    assert isinstance(built, EmailNotifier)
    return built


def send(notifier: EmailNotifier, key: str = "digest|maya|2026-11-20", **changes: object) -> str:
    message = replace(digest(key), **changes)  # type: ignore[arg-type]
    return notifier.send(message, notifier.render(message))


def test_a_batch_goes_out_over_one_connection_with_ids_derived_from_keys(sink: SmtpSink) -> None:
    notifier = notifier_for(sink)
    ids = [send(notifier, key=f"digest|person-{n}|2026-11-20") for n in range(5)]
    notifier.close()

    received = sink.wait_for(5)
    assert [mail.message_id for mail in received] == ids
    assert ids[0] == message_id("digest|person-0|2026-11-20", SENDER)
    assert ids[0].endswith("@nudge.example>")
    assert len(set(ids)) == 5
    assert len({mail.peer for mail in received}) == 1
    assert received[0].sender == "nudge@nudge.example"
    assert received[0].recipients == ("maya.chen@nudge.example",)


def test_a_retried_message_carries_the_same_message_id(sink: SmtpSink) -> None:
    first, again = notifier_for(sink), notifier_for(sink)  # as after a crash: a new process
    assert send(first) == send(again)
    assert sink.wait_for(2)[0].message_id == sink.received[1].message_id


def test_refused_connections_are_retryable_and_name_the_server(sink: SmtpSink) -> None:
    notifier = notifier_for(sink)
    sink.stop()
    with pytest.raises(
        DeliveryError, match=rf"^cannot reach the SMTP server 127.0.0.1:{sink.port}: "
    ) as caught:
        send(notifier)
    assert caught.value.retryable
    sink.start()
    send(notifier)
    assert len(sink.wait_for(1)) == 1


@pytest.mark.parametrize("reply", ["451 4.3.0 Try again later", "554 5.6.0 Message rejected"])
def test_4xx_and_5xx_replies_are_retryable_and_the_next_attempt_goes_through(
    sink: SmtpSink, reply: str
) -> None:
    notifier = notifier_for(sink)
    sink.faults.reply_next(reply)
    with pytest.raises(DeliveryError) as caught:
        send(notifier)
    assert str(caught.value) == f"SMTP {reply[:3]} at DATA: {reply[4:]}"
    assert caught.value.retryable
    assert send(notifier) == message_id("digest|maya|2026-11-20", SENDER)
    assert len(sink.wait_for(1)) == 1
    assert sink.refused == [reply]


def test_an_unknown_mailbox_fails_at_once(sink: SmtpSink) -> None:
    sink.faults.unknown_mailboxes.add("gone@nudge.example")
    with pytest.raises(DeliveryError) as caught:
        send(notifier_for(sink), key="k", recipient=replace(digest().recipient, address="gone@nudge.example"))
    assert str(caught.value) == "SMTP 550 at RCPT: 5.1.1 No such mailbox here"
    assert not caught.value.retryable


def test_a_recipient_without_an_address_is_not_sent(sink: SmtpSink) -> None:
    with pytest.raises(DeliveryError, match=r"^'#collections' is not an e-mail address$") as caught:
        send(notifier_for(sink), recipient=replace(digest().recipient, address="#collections"))
    assert not caught.value.retryable


def test_starttls_and_login_reach_a_server_that_requires_both() -> None:
    with SmtpSink(starttls=True, credentials=("nudge", "app-pass:w0rd")) as sink:
        notifier = notifier_for(sink, ca_file=sink.ca_file)
        send(notifier)
        assert len(sink.wait_for(1)) == 1


def test_a_wrong_password_is_reported_with_a_hint() -> None:
    with SmtpSink(starttls=True, credentials=("nudge", "right")) as sink:
        url = sink.url.replace(":right@", ":wrong@")
        notifier = notifier_for(sink, url, ca_file=sink.ca_file)
        with pytest.raises(DeliveryError) as caught:
            send(notifier)
        assert str(caught.value).startswith(
            "SMTP 535 at AUTH (check the user and password in NUDGE_SMTP_URL)"
        )
        assert "wrong" not in str(caught.value)


def test_a_certificate_that_does_not_verify_is_a_configuration_error() -> None:
    with SmtpSink(starttls=True) as sink:
        with pytest.raises(DeliveryError, match=r"^TLS with the SMTP server 127\.0\.0\.1:") as caught:
            send(notifier_for(sink))  # no ca_file: the throwaway certificate is not trusted
        assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
        assert not caught.value.retryable


def test_a_message_whose_client_dies_before_the_reply_is_not_kept(sink: SmtpSink) -> None:
    notifier = notifier_for(sink)
    send(notifier, key="first")
    sink.faults.hold_after = 1
    failures: list[DeliveryError] = []

    def second() -> None:
        try:
            send(notifier, key="second")
        except DeliveryError as exc:
            failures.append(exc)

    worker = threading.Thread(target=second)
    worker.start()
    assert sink.faults.holding.wait(10)
    connection = notifier.connection._smtp
    assert connection is not None
    assert connection.sock is not None
    connection.sock.shutdown(socket.SHUT_RDWR)  # the client dies while the server holds DATA
    worker.join(10)
    sink.faults.release.set()

    assert [mail.message_id for mail in sink.received] == [message_id("first", SENDER)]
    assert failures[0].retryable
    send(notifier, key="second")
    assert [mail.message_id for mail in sink.wait_for(2)] == [
        message_id(k, SENDER) for k in ("first", "second")
    ]

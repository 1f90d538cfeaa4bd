"""The e-mail a person receives: subject, plain text and HTML, grouped per account."""

from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default

from connectors.email.notifier import EmailNotifier
from connectors.email.render import render_email, subject
from connectors.email.settings import EmailSettings
from tests.connectors.email.messages import NUDGE, contoso, digest, northwind


def test_digest_text_names_each_account_its_owner_and_every_alert_with_its_links() -> None:
    text = render_email(digest()).text

    assert text.startswith("Your payment alerts digest\n")
    assert "Hello Maya Chen: 3 alerts on 2 accounts need a look, grouped by account below." in text
    northwind_part, contoso_part = text.split("Contoso <Retail> & Sons\n")
    assert "Northwind Logistics\n-------------------\nOwner: Maya Chen\n" in northwind_part
    assert "DSO 58 days against 30-day terms" in northwind_part
    assert "Invoice INV-1001: 12,500.00 EUR open, due 2026-11-08, 12 days past due" in northwind_part
    assert (
        "Chance of paying late: 72%, because:\n    - paid 4 of its last 5 invoices late\n" in northwind_part
    )
    assert f"  Acknowledge: {NUDGE}/l/ack-41\n  Snooze 3 days: {NUDGE}/l/snooze-41\n" in northwind_part
    assert f"  Open in Nudge: {NUDGE}/accounts/7#alert-41" in northwind_part
    assert "Owner: no owner\non 45-day terms\n" in contoso_part
    assert "Invoice C-77: 3,120.50 GBP open, due 2026-11-23, due in 3 days" in contoso_part
    assert "* [HIGH] Promise to pay by 2026-11-15 was broken\n" in contoso_part
    assert f"Acknowledge: {NUDGE}/l/ack-53" in contoso_part


def test_html_shows_actions_as_buttons_and_escapes_crm_data() -> None:
    html = render_email(digest()).html
    assert html is not None

    assert "<h1" in html
    assert "Your payment alerts digest</h1>" in html
    assert "Contoso &lt;Retail&gt; &amp; Sons</a></h2>" in html
    assert "<Retail>" not in html
    assert f'<a href="{NUDGE}/l/ack-41" style="display:inline-block;' in html
    assert ">Snooze 3 days</a>" in html
    assert "<strong>12,500.00 EUR</strong> open, due 2026-11-08, 12 days past due" in html
    assert "<li>average 21 days late</li>" in html
    assert "<style" not in html  # mail clients drop style sheets: every style is inline


def test_subject_says_what_the_message_is_about_on_one_line() -> None:
    assert subject(digest()) == "Nudge digest: 3 alerts on 2 accounts"
    single = replace(digest(), kind="alerts", sections=(northwind(),))
    assert subject(single) == "Nudge: Northwind Logistics: Invoice INV-1001 is 12 days late"
    several = replace(digest(), kind="alerts", sections=(contoso(),))
    assert subject(several) == "Nudge: 2 alerts on Contoso <Retail> & Sons"
    escalation = replace(digest(), kind="escalation")
    assert subject(escalation) == "Escalation - Nudge: 3 alerts on 2 accounts"
    injected = replace(northwind(), name="Evil\r\nBcc: victim@example.com")
    line = subject(replace(digest(), kind="alerts", sections=(injected,)))
    assert line == "Nudge: Evil Bcc: victim@example.com: Invoice INV-1001 is 12 days late"
    long = replace(northwind(), name="A" * 300)
    assert len(subject(replace(digest(), kind="alerts", sections=(long,)))) == 150


def test_the_message_parses_as_multipart_alternative_with_text_then_html() -> None:
    notifier = EmailNotifier(
        EmailSettings(smtp_url="smtp://127.0.0.1:2525", from_address="Nudge <nudge@nudge.example>")
    )
    message = digest()
    rendered = notifier.render(message)
    raw = notifier.compose(message, rendered).as_bytes(policy=SMTP)

    parsed = message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed["Subject"] == "Nudge digest: 3 alerts on 2 accounts"
    assert parsed["To"] == "Maya Chen <maya.chen@nudge.example>"
    assert parsed["From"] == "Nudge <nudge@nudge.example>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    text, html = (parsed.get_body((kind,)) for kind in ("plain", "html"))
    assert text is not None
    assert html is not None
    assert text.get_content().replace("\r\n", "\n") == rendered.text
    assert html.get_content().replace("\r\n", "\n") == rendered.html
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_a_reminder_shows_its_notes_before_any_section() -> None:
    note = "Your silence account=7 (renegotiating terms) ends at 2026-11-21T09:00:00+00:00."
    reminder = replace(digest(), kind="reminder", sections=(), notes=(note,))
    rendered = render_email(reminder)
    assert rendered.subject == f"Nudge: {note}"
    assert rendered.text.startswith(f"A silence you set ends soon\n{'=' * 27}\nHello Maya Chen.\n{note}\n")
    assert rendered.html is not None
    assert f'color:#7c2d12;">{note}</p>' in rendered.html

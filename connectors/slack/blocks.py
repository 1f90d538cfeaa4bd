"""Block Kit for Nudge's messages, modals and App Home (pure: no Slack call).

One message shows one account group: the account, its owner, DSO against terms, then each
alert with its invoice (number, open amount with currency, days to or past due), the
chance of paying late with its reasons, what happened to it, and its controls. Slack
shows ``text`` in notifications and where blocks cannot be drawn, so it always says the
essentials too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from connectors.core.protocols import AccountSection, AlertLine, InvoiceLine, OutgoingMessage
from connectors.slack import facts

Block = dict[str, Any]
# Controls a Slack message offers for an alert, when the alert allows the action.
CONTROLS = ("acknowledge", "snooze", "promise", "dispute")
SEVERITY_MARK = {
    "critical": ":red_circle:",
    "high": ":large_orange_circle:",
    "medium": ":large_yellow_circle:",
}


def plain(text: str) -> dict[str, Any]:
    """A plain_text object (Slack caps most of them at 75-150 characters)."""
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object, cut to Slack's 3,000 characters."""
    return {"type": "mrkdwn", "text": text[: facts.MAX_TEXT]}


def escape(text: str) -> str:
    """Text with Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def money(amount: Decimal, currency: str) -> str:
    """``12,400.00 EUR``."""
    return f"{amount:,.2f} {currency.upper()}"


def due_words(days_past_due: int) -> str:
    """``9 days past due``, ``due today``, ``due in 5 days``."""
    if days_past_due == 0:
        return "due today"
    days = abs(days_past_due)
    unit = "day" if days == 1 else "days"
    return f"{days} {unit} past due" if days_past_due > 0 else f"due in {days} {unit}"


def invoice_words(invoice: InvoiceLine) -> str:
    """One line about an invoice."""
    return (
        f"Invoice *{escape(invoice.number)}* · {money(invoice.amount_open, invoice.currency)} · "
        f"{due_words(invoice.days_past_due)} (due {invoice.due_date.isoformat()})"
    )


def risk_words(line: AlertLine) -> str | None:
    """``Chance of paying late: 72% (reasons)``."""
    if line.p_late is None:
        return None
    reasons = f" — {escape('; '.join(line.reasons))}" if line.reasons else ""
    return f"Chance of paying late: *{round(line.p_late * 100)}%*{reasons}"


def dso_words(section: AccountSection) -> str | None:
    """``DSO 62 days vs 30-day terms``."""
    terms = f"{section.terms_days}-day terms" if section.terms_days is not None else None
    if section.dso is not None:
        return f"DSO {section.dso:.0f} days vs {terms or 'unknown terms'}"
    return f"Terms: {section.terms_days} days" if terms else None


def fallback_text(message: OutgoingMessage) -> str:
    """The top-level ``text``: what notifications and screen readers show."""
    parts = [*message.notes]
    for section in message.sections:
        alerts = "; ".join(_line_text(line) for line in section.alerts)
        parts.append(f"{section.name}: {alerts}" if alerts else section.name)
    return ("Nudge — " + " | ".join(parts))[: facts.MAX_TEXT] if parts else "Nudge"


def _line_text(line: AlertLine) -> str:
    bits = [line.message]
    if line.invoice is not None:
        bits.append(
            f"invoice {line.invoice.number} {money(line.invoice.amount_open, line.invoice.currency)}, "
            f"{due_words(line.invoice.days_past_due)}"
        )
    if line.status_note:
        bits.append(line.status_note)
    return " — ".join(bits)


def message_blocks(message: OutgoingMessage) -> list[Block]:
    """The message's blocks: notes, then each account group (Slack allows 50 blocks)."""
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(escape(note))} for note in message.notes]
    for section in message.sections:
        blocks.extend(section_blocks(section))
    if len(blocks) > facts.MAX_BLOCKS:
        more = {"type": "context", "elements": [mrkdwn(f"More in Nudge: {message.nudge_url}")]}
        blocks = [*blocks[: facts.MAX_BLOCKS - 1], more]
    return blocks


def section_blocks(section: AccountSection) -> list[Block]:
    """One account: header, who owns it and how it pays, then each alert."""
    facts_line = [f"Owner: {escape(section.owner)}" if section.owner else "No owner"]
    if (dso := dso_words(section)) is not None:
        facts_line.append(dso)
    blocks: list[Block] = [
        {"type": "header", "text": plain(section.name)},
        {"type": "context", "elements": [mrkdwn(" · ".join(facts_line))]},
    ]
    for line in section.alerts:
        blocks.extend(alert_blocks(line))
    blocks.append({"type": "divider"})
    return blocks


def alert_blocks(line: AlertLine) -> list[Block]:
    """One alert: what, its invoice and risk, what happened to it, and its controls."""
    mark = SEVERITY_MARK.get(line.severity, ":white_circle:")
    rows = [f"{mark} *{escape(line.severity)}* {escape(line.message)}"]
    if line.invoice is not None:
        rows.append(invoice_words(line.invoice))
    if (risk := risk_words(line)) is not None:
        rows.append(risk)
    if line.status_note:
        rows.append(f"_{escape(line.status_note)}_")
    blocks: list[Block] = [
        {"type": "section", "block_id": f"alert_{line.alert_id}", "text": mrkdwn("\n".join(rows))}
    ]
    elements = controls(line)
    if elements:
        blocks.append({"type": "actions", "block_id": f"actions_{line.alert_id}", "elements": elements})
    return blocks


def controls(line: AlertLine) -> list[Block]:
    """Buttons for what the alert allows now, then its links (Open in Nudge, Open in CRM)."""
    value = str(line.alert_id)
    elements: list[Block] = []
    if "acknowledge" in line.allowed:
        elements.append(_button(facts.ACKNOWLEDGE, "Acknowledge", value, style="primary"))
    if "snooze" in line.allowed:
        elements.append(
            {
                "type": "static_select",
                "action_id": facts.SNOOZE,
                "placeholder": plain("Snooze"),
                "options": [
                    {"text": plain(f"{d} day{'s' if d > 1 else ''}"), "value": f"{value}:{d}"}
                    for d in facts.SNOOZE_DAYS
                ],
            }
        )
    if "promise" in line.allowed:
        elements.append(_button(facts.PROMISE, "Log promise", value))
    if "dispute" in line.allowed:
        elements.append(_button(facts.DISPUTE, "Mark disputed", value, style="danger"))
    links = {"open": facts.OPEN, "open_crm": facts.OPEN_CRM}
    for link in line.actions:
        if link.action in links:
            elements.append({**_button(links[link.action], link.label, value), "url": link.url})
    return elements


def _button(action_id: str, label: str, value: str, *, style: str | None = None) -> Block:
    button: Block = {"type": "button", "action_id": action_id, "text": plain(label), "value": value}
    if style:
        button["style"] = style
    return button


def modal_metadata(alert_id: int, message_ref: str | None) -> str:
    """What a modal carries back on submission: the alert and the message to edit."""
    return json.dumps({"alert_id": alert_id, "message_ref": message_ref})


def promise_modal(alert_id: int, message_ref: str | None, title: str) -> Block:
    """Log a promise to pay: a date picker and an optional amount."""
    return {
        "type": "modal",
        "callback_id": facts.PROMISE_MODAL,
        "private_metadata": modal_metadata(alert_id, message_ref),
        "title": plain("Log promise to pay"),
        "submit": plain("Log promise"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": mrkdwn(escape(title))},
            {
                "type": "input",
                "block_id": facts.PROMISE_DATE_BLOCK,
                "label": plain("Promised payment date"),
                "element": {"type": "datepicker", "action_id": facts.FIELD_ACTION},
            },
            {
                "type": "input",
                "block_id": facts.PROMISE_AMOUNT_BLOCK,
                "optional": True,
                "label": plain("Amount (empty: the whole open amount)"),
                "element": {"type": "plain_text_input", "action_id": facts.FIELD_ACTION},
            },
        ],
    }


def dispute_modal(alert_id: int, message_ref: str | None, title: str) -> Block:
    """Mark the invoice disputed, with a reason."""
    return {
        "type": "modal",
        "callback_id": facts.DISPUTE_MODAL,
        "private_metadata": modal_metadata(alert_id, message_ref),
        "title": plain("Mark disputed"),
        "submit": plain("Mark disputed"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": mrkdwn(escape(title))},
            {
                "type": "input",
                "block_id": facts.DISPUTE_REASON_BLOCK,
                "label": plain("What does the customer dispute?"),
                "element": {"type": "plain_text_input", "action_id": facts.FIELD_ACTION, "multiline": True},
            },
        ],
    }


def home_view(sections: Sequence[AccountSection], *, nudge_url: str) -> Block:
    """App Home: the person's open alerts, groups in the order given (most money at risk first)."""
    blocks: list[Block] = [
        {"type": "header", "text": plain("Your open payment alerts")},
        {"type": "context", "elements": [mrkdwn(f"Most money at risk first · <{nudge_url}|Open Nudge>")]},
    ]
    if not sections:
        blocks.append({"type": "section", "text": mrkdwn("Nothing needs you now. :tada:")})
    for section in sections:
        blocks.extend(section_blocks(section))
    if len(blocks) > 100:  # a Home tab holds 100 blocks
        blocks = [*blocks[:99], {"type": "context", "elements": [mrkdwn(f"More in Nudge: {nudge_url}")]}]
    return {"type": "home", "blocks": blocks}


def card_blocks(card: Mapping[str, Any]) -> list[Block]:
    """The account-context payload (``GET /api/v1/context``) as a private /nudge answer."""
    account = card["account"]
    owner = account.get("owner") or {}
    risk = card.get("risk") or {}
    dso = card.get("dso") or {}
    lines = [
        f"Owner: {escape(owner.get('name') or 'none')}",
        f"Open: {_amounts(card.get('open_ar', []))} · overdue: {_amounts(card.get('overdue_ar', []))}",
    ]
    if risk.get("p_late") is not None:
        reasons = "; ".join(risk.get("reasons") or [])
        lines.append(f"Chance of paying late: *{round(float(risk['p_late']) * 100)}%* {escape(reasons)}")
    if dso.get("dso") is not None:
        terms = dso.get("weighted_terms_days")
        terms_text = f"{float(terms):.0f}" if terms else "?"
        lines.append(f"DSO {float(dso['dso']):.0f} days vs {terms_text}-day terms")
    blocks: list[Block] = [
        {"type": "header", "text": plain(account["name"])},
        {"type": "section", "text": mrkdwn("\n".join(lines))},
    ]
    for invoice in card.get("overdue_invoices", [])[:10]:
        amount = money(Decimal(str(invoice["amount_open"])), invoice["currency"])
        text = (
            f"Invoice *{escape(invoice['number'])}* · {amount} · {due_words(int(invoice['days_past_due']))}"
        )
        blocks.append({"type": "section", "text": mrkdwn(text)})
    for alert in card.get("alerts", [])[:10]:
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn(f"*{alert['severity']}* {escape(alert['message'])} ({alert['state']})")],
            }
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [{**_button(facts.OPEN, "Open in Nudge", str(account["id"])), "url": account["url"]}],
        }
    )
    return blocks


def _amounts(amounts: Iterable[Mapping[str, Any]]) -> str:
    listed = [money(Decimal(str(a["amount"])), a["currency"]) for a in amounts]
    return ", ".join(listed) or "nothing"

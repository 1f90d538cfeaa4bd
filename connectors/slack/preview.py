"""Block Kit drawn as HTML, the way Slack shows it, for the emulator's preview page.

Only what Nudge sends is drawn: header, context, section (mrkdwn), divider and actions
(buttons, link buttons, a static select), plus the input blocks of a modal. Every text is
escaped; mrkdwn's ``*bold*``, ``_italic_`` and ``<url|label>`` links are honoured.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

LINK = re.compile(r"&lt;(https?://[^|&]+)\|([^&]*)&gt;")
BOLD = re.compile(r"\*([^*\n]+)\*")
ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")
EMOJI = {
    ":red_circle:": "🔴",
    ":large_orange_circle:": "🟠",
    ":large_yellow_circle:": "🟡",
    ":white_circle:": "⚪",
    ":tada:": "🎉",
}

STYLE = """
body{font-family:-apple-system,"Segoe UI",Lato,sans-serif;background:#f8f8f8;margin:0;color:#1d1c1d}
header{background:#3f0e40;color:#fff;padding:10px 20px;font-weight:700}
main{display:flex;gap:20px;padding:20px;flex-wrap:wrap}
.person{background:#fff;border:1px solid #ddd;border-radius:8px;width:560px;padding:12px}
.person h2{font-size:16px;margin:0 0 8px}
.msg{border-top:1px solid #eee;padding:10px 0}
.bot{font-weight:900}.ts{color:#616061;font-size:12px;margin-left:6px}
.edited{color:#616061;font-size:12px}
.hdr{font-size:18px;font-weight:900;margin:6px 0}
.ctx{color:#616061;font-size:13px}
.sec{white-space:pre-wrap;margin:6px 0;font-size:15px}
.actions{display:flex;gap:6px;flex-wrap:wrap;margin:6px 0}
.actions form{margin:0}
button,select,a.btn{border:1px solid #bbb;background:#fff;border-radius:4px;padding:4px 10px;font-size:13px;
  cursor:pointer;color:#1d1c1d;text-decoration:none}
button.primary{background:#007a5a;color:#fff;border-color:#007a5a}
button.danger{color:#e01e5a;border-color:#e01e5a}
.modal{background:#fff;border:2px solid #3f0e40;border-radius:8px;padding:12px;margin:8px 0}
.modal label{display:block;font-weight:700;margin:8px 0 4px}
.errors{color:#e01e5a}
"""


def mrkdwn(text: str) -> str:
    """Slack mrkdwn as safe HTML."""
    escaped = html.escape(text, quote=False)
    for code, char in EMOJI.items():
        escaped = escaped.replace(code, char)
    escaped = LINK.sub(lambda m: f'<a href="{m.group(1)}">{m.group(2)}</a>', escaped)
    escaped = BOLD.sub(r"<b>\1</b>", escaped)
    return ITALIC.sub(r"<i>\1</i>", escaped)


def _text(obj: Mapping[str, Any] | None) -> str:
    if not obj:
        return ""
    raw = str(obj.get("text", ""))
    return mrkdwn(raw) if obj.get("type") == "mrkdwn" else html.escape(raw)


def blocks_html(blocks: Iterable[Mapping[str, Any]], *, act: Mapping[str, str]) -> str:
    """A message's blocks; ``act`` holds the hidden fields a control posts back."""
    parts = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            parts.append(f'<div class="hdr">{_text(block.get("text"))}</div>')
        elif kind == "context":
            parts.append(f'<div class="ctx">{" ".join(_text(e) for e in block.get("elements", []))}</div>')
        elif kind == "section":
            parts.append(f'<div class="sec">{_text(block.get("text"))}</div>')
        elif kind == "divider":
            parts.append("<hr>")
        elif kind == "actions":
            controls = "".join(_control(element, act) for element in block.get("elements", []))
            parts.append(f'<div class="actions">{controls}</div>')
    return "".join(parts)


def _hidden(fields: Mapping[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items()
    )


def _control(element: Mapping[str, Any], act: Mapping[str, str]) -> str:
    label = html.escape(str((element.get("text") or element.get("placeholder") or {}).get("text", "")))
    if element.get("url"):
        return f'<a class="btn" href="{html.escape(str(element["url"]))}" target="_blank">{label}</a>'
    fields = {**act, "action_id": str(element.get("action_id", ""))}
    if element.get("type") == "static_select":
        options = "".join(
            f'<option value="{html.escape(str(o["value"]))}">{html.escape(str(o["text"]["text"]))}</option>'
            for o in element.get("options", [])
        )
        return (
            f'<form method="post" action="preview/act">{_hidden(fields)}'
            f'<select name="selected" onchange="this.form.submit()"><option value="">{label}</option>'
            f"{options}</select></form>"
        )
    fields["value"] = str(element.get("value", ""))
    style = html.escape(str(element.get("style", "")))
    button = f'<button class="{style}">{label}</button>'
    return f'<form method="post" action="preview/act">{_hidden(fields)}{button}</form>'


def modal_html(view: Mapping[str, Any], *, user: str, errors: Mapping[str, str]) -> str:
    """An open modal as a form posting its inputs back."""
    title = html.escape(str((view.get("title") or {}).get("text", "")))
    inputs = []
    for block in view.get("blocks", []):
        if block.get("type") == "section":
            inputs.append(f'<div class="sec">{_text(block.get("text"))}</div>')
        if block.get("type") != "input":
            continue
        name = html.escape(str(block["block_id"]))
        kind = "date" if block["element"]["type"] == "datepicker" else "text"
        error = errors.get(str(block["block_id"]))
        inputs.append(
            f'<label>{html.escape(str(block["label"]["text"]))}</label><input type="{kind}" name="{name}">'
            + (f'<div class="errors">{html.escape(error)}</div>' if error else "")
        )
    submit = html.escape(str((view.get("submit") or {}).get("text", "Submit")))
    hidden = _hidden({"user": user, "view_id": str(view["id"])})
    return (
        f'<div class="modal"><b>{title}</b><form method="post" action="preview/submit">{hidden}'
        f'{"".join(inputs)}<p><button class="primary">{submit}</button></p></form></div>'
    )


def page_html(people: Iterable[Mapping[str, Any]]) -> str:
    """The preview: per person, their open modal (if any) and their DM, newest first."""
    columns = []
    for person in people:
        messages = []
        for message in person["messages"]:
            act = {"user": person["id"], "channel": message["channel"], "ts": message["ts"]}
            edited = '<span class="edited">(edited)</span>' if message.get("edited") else ""
            stamp = f'<span class="bot">Nudge</span><span class="ts">{message["ts"]}</span> {edited}'
            body = blocks_html(message.get("blocks") or [], act=act)
            messages.append(f'<div class="msg">{stamp}{body}</div>')
        modal = person.get("modal") or ""
        notes = "".join(f'<div class="ctx">{html.escape(n)}</div>' for n in person.get("notes", []))
        title = f'{html.escape(person["name"])} <span class="ctx">{html.escape(person["email"])}</span>'
        shown = "".join(messages) or "No messages yet."
        columns.append(f'<section class="person"><h2>{title}</h2>{notes}{modal}{shown}</section>')
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Slack preview</title><style>{STYLE}</style>"
        f"</head><body><header>Slack preview — what each person received from Nudge</header>"
        f"<main>{''.join(columns)}</main></body></html>"
    )

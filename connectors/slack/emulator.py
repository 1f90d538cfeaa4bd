"""A stateful local Slack workspace for tests, the demo and the benchmark.

The official ``WebClient`` talks to it through ``base_url`` (``http://127.0.0.1:PORT/api/``):
``auth.test``, ``users.lookupByEmail``, ``users.info``, ``conversations.open``,
``conversations.history``, ``chat.postMessage`` (returning ``ts``), ``chat.update``,
``views.open``, ``views.publish``. Shapes follow Slack's published Web API spec
(slackapi/slack-api-specs, ``web-api/slack_web_openapi_v2.json``): ``ok``, ``channel``,
``ts``, ``message``; errors as ``{"ok": false, "error": "..."}``; a rate limit as HTTP 429
with ``Retry-After`` and ``"error": "ratelimited"``. Arguments arrive as JSON, form or query.

``chat.postMessage`` has its own per-conversation limit (:meth:`set_post_limit`); the
gate (``emulator.gate``) adds faults (429 storms, 5xx, timeouts) and a workspace-wide
limit. As Slack does, it signs interaction payloads (``block_actions``,
``view_submission``, slash commands, ``app_home_opened`` events) with the signing secret
and POSTs them to the app (:meth:`click`, :meth:`select`, :meth:`submit_view`,
:meth:`slash`, :meth:`open_home`), and records what the app answers on a ``response_url``.
``GET /preview`` draws each member's DM as Slack would, with working buttons, menus and
modals (each click is one of those signed requests).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import requests
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from connectors.core.emulator import EmulatorGate, ErrorResponse, RollingWindow
from connectors.slack import facts
from connectors.slack.preview import modal_html, page_html
from connectors.slack.signature import signed_headers

TEAM_ID = "T0NUDGE01"
BOT_USER = "U0NUDGEBOT"
BOT_ID = "B0NUDGEBOT"


def _render_fault(kind: str, retry_after: float) -> ErrorResponse:
    if kind == "throttle":
        body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
        return 429, {"content-type": "application/json", "Retry-After": f"{max(1, round(retry_after))}"}, body
    return (
        500,
        {"content-type": "application/json"},
        json.dumps({"ok": False, "error": "internal_error"}).encode(),
    )


class SlackError(Exception):
    """An API method's ``{"ok": false, "error": code}`` answer."""

    def __init__(self, code: str, status: int = 200, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(code)
        self.code, self.status, self.headers = code, status, dict(headers or {})


class SlackEmulator:
    """Users, conversations, messages with ``ts``, views; signs and sends interactions."""

    def __init__(self) -> None:
        self.bot_token = "xoxb-emulator-" + secrets.token_hex(8)
        self.signing_secret = secrets.token_hex(16)
        self.app_url: str | None = None  # where interactions go (Nudge's base URL)
        self.base_url: str | None = None  # set while served
        self.users: dict[str, dict[str, Any]] = {}
        self.conversations: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.posts: list[tuple[str, str]] = []  # every chat.postMessage accepted, in order
        self.posted_at: list[float] = []  # when each was accepted (monotonic seconds)
        self.updates: list[tuple[str, str]] = []  # every chat.update accepted
        self.views: dict[str, dict[str, Any]] = {}
        self.homes: dict[str, dict[str, Any]] = {}
        self.responses: list[dict[str, Any]] = []  # what the app sent to response_urls
        self.closed_views: set[str] = set()  # modals submitted without errors
        self.view_errors: dict[str, dict[str, str]] = {}  # the last errors a modal got back
        self.throttled = 0
        # Seconds chat.postMessage waits after storing the message, before answering: a
        # client killed meanwhile has posted without learning the ts.
        self.post_answer_delay_seconds = 0.0
        self._post_limits: dict[str, RollingWindow] = {}
        self._post_limit: tuple[int, float] | None = None
        self._triggers: dict[str, str] = {}  # trigger_id -> user
        self._ids = itertools.count(1)
        self._ts_last = 0.0
        self._lock = threading.RLock()
        self.gate = EmulatorGate(self._build_app(), render_error=_render_fault)
        self.app = self.gate

    # ----- seeding -----

    def seed(
        self, *, users: Iterable[Mapping[str, Any]] = (), channels: Iterable[Mapping[str, Any]] = ()
    ) -> None:
        """People (``id`` optional, ``email``, ``name``, ``tz``) and channels (``id``, ``name``)."""
        with self._lock:
            for row in users:
                user_id = str(row.get("id") or self._id("U"))
                self.users[user_id] = {
                    "id": user_id,
                    "team_id": TEAM_ID,
                    "name": str(row.get("email", user_id)).split("@")[0],
                    "real_name": row.get("name", ""),
                    "tz": row.get("tz", "UTC"),
                    "is_bot": False,
                    "deleted": False,
                    "profile": {"email": row.get("email"), "real_name": row.get("name", "")},
                }
            for row in channels:
                channel_id = str(row.get("id") or self._id("C"))
                self.conversations[channel_id] = {
                    "id": channel_id,
                    "name": row.get("name", channel_id),
                    "is_im": False,
                }
                self.messages.setdefault(channel_id, [])

    def user_by_email(self, email: str) -> dict[str, Any] | None:
        """The seeded user with this address."""
        return next(
            (u for u in self.users.values() if (u["profile"]["email"] or "").lower() == email.lower()), None
        )

    def set_post_limit(self, max_posts: int | None, window_seconds: float = 1.0) -> None:
        """``chat.postMessage``: at most ``max_posts`` per window in each conversation (None: none)."""
        with self._lock:
            self._post_limit = None if max_posts is None else (max_posts, window_seconds)
            self._post_limits.clear()

    def messages_for(self, user_id: str) -> list[dict[str, Any]]:
        """The messages in the bot's DM with ``user_id``, oldest first."""
        channel = self._dm_of(user_id)
        return list(self.messages.get(channel, [])) if channel else []

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """One message by conversation and ``ts``."""
        return next(m for m in self.messages[channel] if m["ts"] == ts)

    # ----- the Web API -----

    def _build_app(self) -> FastAPI:
        app = FastAPI(title="Slack emulator")
        methods = {
            "auth.test": self._auth_test,
            "users.lookupByEmail": self._lookup_by_email,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "views.open": self._views_open,
            "views.publish": self._views_publish,
        }

        @app.post("/api/{method}")
        @app.get("/api/{method}")
        async def api(method: str, request: Request) -> JSONResponse:
            if method not in methods:
                return JSONResponse({"ok": False, "error": "unknown_method"}, status_code=404)
            if request.headers.get("authorization", "") != f"Bearer {self.bot_token}":
                return JSONResponse({"ok": False, "error": "invalid_auth"})
            arguments = await _arguments(request)
            try:
                with self._lock:
                    answer = methods[method](arguments)
            except SlackError as exc:
                return JSONResponse(
                    {"ok": False, "error": exc.code}, status_code=exc.status, headers=exc.headers
                )
            if method == "chat.postMessage" and self.post_answer_delay_seconds:
                await asyncio.sleep(self.post_answer_delay_seconds)
            return JSONResponse({"ok": True, **answer})

        @app.get("/preview")
        async def preview() -> HTMLResponse:
            with self._lock:
                return HTMLResponse(page_html(self._preview_people()))

        @app.post("/preview/act")
        async def preview_act(request: Request) -> RedirectResponse:
            form = {k: str(v) for k, v in (await request.form()).items()}
            where = (form["user"], form["channel"], form["ts"], form["action_id"])
            if form["action_id"] != facts.SNOOZE:
                await run_in_threadpool(self.click, *where, form.get("value"))
            elif form.get("selected"):
                await run_in_threadpool(self.select, *where, form["selected"])
            return RedirectResponse("../preview", status_code=303)

        @app.post("/preview/submit")
        async def preview_submit(request: Request) -> RedirectResponse:
            form = {k: str(v) for k, v in (await request.form()).items()}
            user, view_id = form.pop("user"), form.pop("view_id")
            answer = await run_in_threadpool(self.submit_view, user, view_id, form)
            body = answer.json() if answer.content else {}
            with self._lock:
                if body.get("response_action") == "errors":
                    self.view_errors[view_id] = dict(body.get("errors", {}))
                else:
                    self.closed_views.add(view_id)
            return RedirectResponse("../preview", status_code=303)

        @app.post("/response/{token}")
        async def response_url(token: str, request: Request) -> JSONResponse:
            with self._lock:
                self.responses.append({"token": token, **json.loads(await request.body() or b"{}")})
            return JSONResponse({"ok": True})

        return app

    def _auth_test(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://nudge-emulator.slack.com/",
            "team": "Nudge emulator",
            "user": "nudge",
            "team_id": TEAM_ID,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.user_by_email(str(args.get("email", "")))
        if user is None:
            raise SlackError("users_not_found")
        return {"user": user}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user", "")))
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 1:
            raise SlackError("method_not_supported_for_channel_type")
        if users[0] not in self.users:
            raise SlackError("user_not_found")
        existing = self._dm_of(users[0])
        if existing is not None:
            return {"no_op": True, "already_open": True, "channel": {"id": existing}}
        channel = self._id("D")
        self.conversations[channel] = {"id": channel, "is_im": True, "user": users[0]}
        self.messages[channel] = []
        return {"channel": {"id": channel}}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if channel not in self.conversations:
            raise SlackError("channel_not_found")
        oldest = float(args.get("oldest") or 0)
        limit = int(args.get("limit") or 100)
        found = [m for m in reversed(self.messages[channel]) if float(m["ts"]) >= oldest][:limit]
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("true", "1")
        listed = [m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in found]
        return {
            "messages": listed,
            "has_more": False,
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(args.get("channel", "")))
        blocks = _json_arg(args.get("blocks")) or []
        if not args.get("text") and not blocks:
            raise SlackError("no_text")
        self._admit_post(channel)
        message = {
            "type": "message",
            "subtype": "bot_message",
            "ts": self._ts(),
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "text": args.get("text", ""),
            "blocks": blocks,
            "metadata": _json_arg(args.get("metadata")),
        }
        self.messages[channel].append(message)
        self.posts.append((channel, message["ts"]))
        self.posted_at.append(time.monotonic())
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        if channel not in self.conversations:
            raise SlackError("channel_not_found")
        ts = str(args.get("ts", ""))
        found = next((m for m in self.messages[channel] if m["ts"] == ts), None)
        if found is None:
            raise SlackError("message_not_found")
        blocks = _json_arg(args.get("blocks"))
        if not args.get("text") and not blocks:
            raise SlackError("no_text")
        found.update(
            text=args.get("text", ""), blocks=blocks or [], edited={"user": BOT_USER, "ts": self._ts()}
        )
        self.updates.append((channel, ts))
        return {"channel": channel, "ts": ts, "text": found["text"], "message": found}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger = str(args.get("trigger_id", ""))
        if trigger not in self._triggers:
            raise SlackError("invalid_trigger_id")
        view = self._view(_json_arg(args.get("view")), self._triggers.pop(trigger))
        return {"view": view}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("user_id", ""))
        if user not in self.users:
            raise SlackError("user_not_found")
        view = self._view(_json_arg(args.get("view")), user)
        if view.get("type") != "home":
            raise SlackError("invalid_arguments")
        self.homes[user] = view
        return {"view": view}

    def _view(self, view: Any, user: str) -> dict[str, Any]:
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            raise SlackError("invalid_arguments")
        stored = {**view, "id": self._id("V"), "team_id": TEAM_ID, "user": user, "hash": secrets.token_hex(6)}
        self.views[stored["id"]] = stored
        return stored

    # ----- helpers -----

    def _admit_post(self, channel: str) -> None:
        if self._post_limit is None:
            return
        window = self._post_limits.setdefault(channel, RollingWindow(*self._post_limit))
        admitted, _, wait = window.admit(time.monotonic())
        if not admitted:
            self.throttled += 1
            raise SlackError("ratelimited", 429, {"Retry-After": f"{max(1, round(wait + 0.49))}"})

    def _channel(self, name: str) -> str:
        if name in self.conversations:
            return name
        if name in self.users:  # posting to a user id posts in the DM
            return self._conversations_open({"users": name})["channel"]["id"]
        by_name = next(
            (c["id"] for c in self.conversations.values() if f"#{c.get('name')}" in (name, f"#{name}")), None
        )
        if by_name is None:
            raise SlackError("channel_not_found")
        return str(by_name)

    def _dm_of(self, user_id: str) -> str | None:
        return next(
            (c["id"] for c in self.conversations.values() if c.get("is_im") and c.get("user") == user_id),
            None,
        )

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}".upper()

    def _ts(self) -> str:
        """Slack's message timestamps: epoch seconds with 6 digits, unique and increasing."""
        stamp = max(time.time(), self._ts_last + 0.000001)
        self._ts_last = stamp
        return f"{stamp:.6f}"

    # ----- interactions sent to the app, signed as Slack signs them -----

    def deliver(
        self, path: str, body: bytes, *, content_type: str, at: datetime | None = None
    ) -> requests.Response:
        """POST ``body`` to the app's ``path``, signed with the signing secret at ``at`` (now)."""
        if self.app_url is None:
            raise RuntimeError("set emulator.app_url to the Nudge app's address first")
        headers = signed_headers(
            self.signing_secret, body, at=at or datetime.now(UTC), content_type=content_type
        )
        return requests.post(self.app_url.rstrip("/") + path, data=body, headers=headers, timeout=30)

    def interaction_body(self, payload: Mapping[str, Any]) -> bytes:
        """An interaction as Slack sends it: a form with one ``payload`` field of JSON."""
        return urlencode({"payload": json.dumps(payload)}).encode()

    def block_action(
        self,
        user_id: str,
        channel: str,
        ts: str,
        action_id: str,
        value: str | None = None,
        *,
        selected: str | None = None,
    ) -> dict[str, Any]:
        """The ``block_actions`` payload of ``user_id`` using an element of a posted message."""
        with self._lock:
            message = self.message(channel, ts)
            element = _element(message.get("blocks") or [], action_id, value)
            trigger = f"{next(self._ids)}.{secrets.token_hex(8)}"
            self._triggers[trigger] = user_id
        action: dict[str, Any] = {
            "type": element["type"],
            "action_id": action_id,
            "block_id": element.get("_block_id", ""),
            "action_ts": self._ts(),
        }
        if element["type"] == "static_select":
            option = next(o for o in element["options"] if o["value"] == selected)
            action["selected_option"] = option
        else:
            action["value"] = element.get("value")
        return {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "nudge-emulator"},
            "user": self._user_ref(user_id),
            "api_app_id": "A0NUDGE01",
            "token": "verification-token-is-deprecated",
            "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
            "trigger_id": trigger,
            "channel": {"id": channel},
            "message": message,
            "response_url": f"{self.base_url}/response/{secrets.token_hex(6)}",
            "actions": [action],
        }

    def click(
        self, user_id: str, channel: str, ts: str, action_id: str, value: str | None = None
    ) -> requests.Response:
        """``user_id`` clicks a button of a posted message."""
        payload = self.block_action(user_id, channel, ts, action_id, value)
        return self.deliver(
            "/integrations/slack/interactions",
            self.interaction_body(payload),
            content_type="application/x-www-form-urlencoded",
        )

    def select(
        self, user_id: str, channel: str, ts: str, action_id: str, option_value: str
    ) -> requests.Response:
        """``user_id`` picks an option of a message's select menu."""
        payload = self.block_action(user_id, channel, ts, action_id, selected=option_value)
        return self.deliver(
            "/integrations/slack/interactions",
            self.interaction_body(payload),
            content_type="application/x-www-form-urlencoded",
        )

    def view_submission(self, user_id: str, view_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """The ``view_submission`` payload of a modal opened earlier, with ``{block_id: value}``."""
        view = self.views[view_id]
        state: dict[str, dict[str, Any]] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            raw = values.get(block["block_id"])
            if element["type"] == "datepicker":
                state[block["block_id"]] = {
                    element["action_id"]: {"type": "datepicker", "selected_date": raw}
                }
            else:
                state[block["block_id"]] = {element["action_id"]: {"type": element["type"], "value": raw}}
        return {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "nudge-emulator"},
            "user": self._user_ref(user_id),
            "api_app_id": "A0NUDGE01",
            "trigger_id": f"{next(self._ids)}.{secrets.token_hex(8)}",
            "view": {**view, "state": {"values": state}},
        }

    def submit_view(self, user_id: str, view_id: str, values: Mapping[str, Any]) -> requests.Response:
        """``user_id`` submits the modal ``view_id`` with ``{block_id: value}``."""
        payload = self.view_submission(user_id, view_id, values)
        return self.deliver(
            "/integrations/slack/interactions",
            self.interaction_body(payload),
            content_type="application/x-www-form-urlencoded",
        )

    def slash(self, user_id: str, text: str, command: str = facts.SLASH_COMMAND) -> requests.Response:
        """``user_id`` types ``/nudge text``."""
        trigger = f"{next(self._ids)}.{secrets.token_hex(8)}"
        with self._lock:
            self._triggers[trigger] = user_id
        form = {
            "token": "verification-token-is-deprecated",
            "team_id": TEAM_ID,
            "team_domain": "nudge-emulator",
            "channel_id": self._dm_of(user_id) or "D0",
            "user_id": user_id,
            "user_name": self.users[user_id]["name"],
            "command": command,
            "text": text,
            "api_app_id": "A0NUDGE01",
            "response_url": f"{self.base_url}/response/{secrets.token_hex(6)}",
            "trigger_id": trigger,
        }
        return self.deliver(
            "/integrations/slack/commands",
            urlencode(form).encode(),
            content_type="application/x-www-form-urlencoded",
        )

    def open_home(self, user_id: str) -> requests.Response:
        """``user_id`` opens the app's Home tab (an ``app_home_opened`` event)."""
        event = {
            "token": "verification-token-is-deprecated",
            "team_id": TEAM_ID,
            "api_app_id": "A0NUDGE01",
            "type": "event_callback",
            "event_id": f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user_id,
                "channel": self._dm_of(user_id) or "D0",
                "tab": "home",
                "event_ts": self._ts(),
            },
        }
        return self.deliver(
            "/integrations/slack/events", json.dumps(event).encode(), content_type="application/json"
        )

    def _preview_people(self) -> list[dict[str, Any]]:
        """Each member with a DM: their messages newest first and their open modal."""
        people = []
        for user_id, user in self.users.items():
            messages = [{**m, "channel": self._dm_of(user_id)} for m in reversed(self.messages_for(user_id))]
            open_views = [
                v
                for v in self.views.values()
                if v["type"] == "modal" and v["user"] == user_id and v["id"] not in self.closed_views
            ]
            modal = ""
            if open_views:
                view = open_views[-1]
                modal = modal_html(view, user=user_id, errors=self.view_errors.get(view["id"], {}))
            if messages or modal:
                people.append(
                    {
                        "id": user_id,
                        "name": user["real_name"],
                        "email": user["profile"]["email"] or "",
                        "messages": messages,
                        "modal": modal,
                    }
                )
        return people

    def _user_ref(self, user_id: str) -> dict[str, Any]:
        user = self.users[user_id]
        return {"id": user_id, "username": user["name"], "name": user["name"], "team_id": TEAM_ID}


async def _arguments(request: Request) -> dict[str, Any]:
    """A method's arguments from the query, a form or a JSON body, as Slack accepts them."""
    arguments: dict[str, Any] = dict(request.query_params)
    raw = await request.body()
    kind = request.headers.get("content-type", "")
    if raw and "json" in kind:
        loaded = json.loads(raw)
        if isinstance(loaded, dict):
            arguments.update(loaded)
    elif raw:
        arguments.update(parse_qsl(raw.decode(), keep_blank_values=True))
    return arguments


def _json_arg(value: Any) -> Any:
    """A JSON-valued argument (blocks, view, metadata): parsed when it came as a string."""
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def _element(blocks: list[dict[str, Any]], action_id: str, value: str | None) -> dict[str, Any]:
    """The interactive element with ``action_id`` (and ``value``, for buttons) in ``blocks``."""
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id and (value is None or element.get("value") == value):
                return {**element, "_block_id": block.get("block_id", "")}
    raise LookupError(f"no element {action_id!r} with value {value!r} in the message")

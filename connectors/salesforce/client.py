"""The one wrapper every Salesforce call goes through: ``simple-salesforce`` on a session
whose response hook reads ``Sforce-Limit-Info`` (REST and Bulk alike), a daily API budget
checked before every call, and retries on 429/5xx/timeouts honouring ``Retry-After``."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import requests
from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import _Bulk2Client
from simple_salesforce.exceptions import SalesforceError

from connectors.core.calls import (
    RetryPolicy,
    TimeoutSession,
    Transient,
    VendorCaller,
    parse_retry_after,
)
from connectors.salesforce.settings import SalesforceSettings

LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


class ApiBudgetExceededError(RuntimeError):
    """The next call would take the org's API usage past Nudge's daily budget."""


class SalesforceApi:
    """simple-salesforce pointed at ``instance_url`` with usage accounting and retries."""

    def __init__(self, settings: SalesforceSettings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.used: int | None = None
        self.allocation: int | None = None
        self.last_response: requests.Response | None = None
        session = TimeoutSession(settings.timeout_seconds, settings.ca_bundle)
        session.hooks["response"].append(self._observe)
        self.sf = Salesforce(
            instance_url=settings.instance_url,
            session_id=settings.token.get_secret_value(),
            version=settings.api_version,
            session=session,
        )
        self.session = session
        self.caller = VendorCaller(
            "salesforce",
            self.classify,
            policy=RetryPolicy(
                max_attempts=settings.max_attempts,
                base_delay=settings.backoff_seconds,
                max_delay=settings.max_backoff_seconds,
            ),
            before_call=self._check_budget,
            sleep=sleep,
        )

    def bulk(self, sobject: str) -> _Bulk2Client:
        """A Bulk API 2.0 client for one object on the same session (and hook)."""
        headers = {
            "Content-Type": "application/json",
            "Authorization": "Bearer " + self.sf.session_id,
            "X-PrettyPrint": "1",
        }
        return _Bulk2Client(sobject, self.sf.bulk2_url, headers, self.session)

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One Salesforce request through the budget check and the retry loop."""
        return self.caller.call(fn, *args, **kwargs)

    @property
    def budget(self) -> int | None:
        """Highest org API usage Nudge may reach today (None until the allocation is known)."""
        if self.settings.daily_api_budget is not None:
            return self.settings.daily_api_budget
        if self.allocation is None:
            return None
        return int(self.allocation * self.settings.max_api_usage_percent / 100)

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_response = response
        match = LIMIT_INFO.search(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            self.used, self.allocation = int(match[1]), int(match[2])

    def _check_budget(self) -> None:
        budget = self.budget
        if budget is not None and self.used is not None and self.used + 1 > budget:
            raise ApiBudgetExceededError(
                f"salesforce: daily API budget reached (org usage {self.used}/{self.allocation}, "
                f"Nudge budget {budget}); the sync stopped after its last committed page and "
                "resumes from its cursor when usage falls (raise NUDGE_SALESFORCE_DAILY_API_BUDGET "
                "or NUDGE_SALESFORCE_MAX_API_USAGE_PERCENT to allow more)"
            )

    def classify(self, exc: Exception) -> Transient | None:
        """Which Salesforce failures are worth retrying, and how long to wait."""
        if isinstance(exc, requests.exceptions.JSONDecodeError):
            return Transient("malformed body")
        if isinstance(exc, requests.exceptions.ConnectionError | requests.exceptions.Timeout):
            return Transient(f"network: {type(exc).__name__}")
        if isinstance(exc, SalesforceError):
            headers = self.last_response.headers if self.last_response is not None else {}
            wait = parse_retry_after(headers.get("Retry-After"))
            if exc.status == 429:
                return Transient("429 rate limited", wait, throttled=True)
            if exc.status >= 500:
                return Transient(f"{exc.status} server error", wait)
        return None

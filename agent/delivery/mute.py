"""Stage 1, mute: what should not go out now, decided again at send time.

An alert is left out of a message when a silence matches it (even one created after the
notification was enqueued), an inhibit rule mutes it, or it is no longer firing
(acknowledged, snoozed or resolved since). A message for a person in their quiet hours
waits until the quiet window ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.alerts.silences import active_muters
from agent.alerts.tables import Alert as AlertRow
from rules.routing import Inhibition, Muter, RoutingConfig, Silence, next_allowed


@dataclass(frozen=True)
class Muting:
    """The silences and inhibitions in force at ``now``, and the routing's quiet hours."""

    config: RoutingConfig
    now: datetime
    silences: Sequence[Silence]
    inhibitions: Sequence[Muter]

    @classmethod
    def load(cls, *, session: Session, config: RoutingConfig, now: datetime) -> Muting:
        """What mutes alerts now, read from the database."""
        firing: list[dict[str, str]] = []
        if config.inhibit_rules:  # only inhibit rules need every firing alert (their labels)
            query = select(AlertRow.labels).where(AlertRow.state == "firing")
            firing = [
                {str(k): str(v) for k, v in (labels or {}).items()} for labels in session.scalars(query)
            ]
        inhibited = [Inhibition(rule, firing) for rule in config.inhibit_rules]
        return cls(config, now, active_muters(session=session, now=now), inhibited)

    def decide(self, alerts: Sequence[AlertRow], *, person: str | None) -> MuteDecision:
        """Which of ``alerts`` may go to ``person`` (None: not a person) now."""
        decision = MuteDecision(wait_until=self._quiet_until(person))
        for alert in alerts:
            labels = {str(k): str(v) for k, v in (alert.labels or {}).items()}
            silence = next((s for s in self.silences if s.mutes(labels, self.now)), None)
            if silence is not None:
                decision.muted[alert.id] = f"silenced by silence {silence.id} ({silence.reason})"
                decision.silence_ids.add(int(silence.id))
            elif alert.state != "firing":
                decision.muted[alert.id] = f"alert {alert.id} is {alert.state}"
            elif any(muter.mutes(labels, self.now) for muter in self.inhibitions):
                decision.muted[alert.id] = f"alert {alert.id} is inhibited by the routing's inhibit rules"
            else:
                decision.kept.append(alert.id)
        return decision

    def _quiet_until(self, person: str | None) -> datetime | None:
        if person is None:
            return None
        settings = self.config.person(person)
        allowed = next_allowed(
            self.now, settings.timezone, settings.quiet_hours or self.config.defaults.quiet_hours
        )
        return allowed if allowed > self.now else None


@dataclass
class MuteDecision:
    """Alerts kept and muted (with why); ``wait_until`` is set in the recipient's quiet hours."""

    wait_until: datetime | None = None
    kept: list[int] = field(default_factory=list)
    muted: dict[int, str] = field(default_factory=dict)
    silence_ids: set[int] = field(default_factory=set)

    @property
    def reason(self) -> str:
        """Why the message was muted, in words (its distinct reasons)."""
        return "; ".join(dict.fromkeys(self.muted.values()))

"""The running rule set and its versions: seed from the pack, propose changes, load for a cycle.

A proposal is validated whole with :func:`rules.propose`; a refused one leaves the active
version untouched, so the last good set keeps running. Every accepted version is an audit
entry with who, when and the diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import rules
from agent.audit.service import record
from agent.rulesets.tables import RuleSetVersion
from rules import Proposal, RuleSet, load_rule_texts, propose

PACK = Path(rules.__file__).parent / "pack"
RULE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ProposalOutcome:
    """A proposal's verdict and, when accepted, the new active version."""

    proposal: Proposal
    version: RuleSetVersion | None

    @property
    def errors(self) -> list[str]:
        """Every mistake as ``file:line:column: message``."""
        return [str(error) for found in self.proposal.errors.values() for error in found]


def pack_texts(folder: Path = PACK) -> dict[str, str]:
    """The rule files of a folder keyed by file name."""
    return {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.iterdir())
        if path.suffix in RULE_SUFFIXES
    }


def active_version(*, session: Session) -> RuleSetVersion | None:
    """The version the cycle runs, if any was stored."""
    return session.scalar(select(RuleSetVersion).where(RuleSetVersion.active.is_(True)))


def list_versions(*, session: Session) -> list[RuleSetVersion]:
    """Every version, newest first."""
    return list(session.scalars(select(RuleSetVersion).order_by(RuleSetVersion.version.desc())))


def seed_from_pack(*, session: Session, actor: str = "nudge", folder: Path = PACK) -> RuleSetVersion:
    """Store the default pack as version 1 unless a version exists (idempotent)."""
    existing = active_version(session=session)
    if existing is not None:
        return existing
    outcome = propose_version(
        session=session, texts=pack_texts(folder), actor=actor, note="seeded from the pack"
    )
    if outcome.version is None:
        raise ValueError("the default rule pack does not load:\n" + "\n".join(outcome.errors))
    return outcome.version


def propose_version(
    *, session: Session, texts: dict[str, str], actor: str, note: str = ""
) -> ProposalOutcome:
    """Validate ``texts`` (file name -> YAML); store and activate them when they load cleanly."""
    current = active_version(session=session)
    proposal = propose(current.texts if current else {}, texts)
    if not proposal.accepted:
        return ProposalOutcome(proposal, None)
    number = (session.scalar(select(func.max(RuleSetVersion.version))) or 0) + 1
    session.execute(update(RuleSetVersion).where(RuleSetVersion.active.is_(True)).values(active=False))
    version = RuleSetVersion(
        version=number, texts=dict(texts), created_by=actor, note=note, diff=proposal.diff, active=True
    )
    session.add(version)
    session.flush()
    detail = {
        "version": number,
        "added": list(proposal.added),
        "removed": list(proposal.removed),
        "changed": list(proposal.changed),
        "note": note,
    }
    record(
        session=session,
        actor=actor,
        action="rules.activate",
        entity_type="rule_set",
        entity_id=number,
        detail=detail,
    )
    return ProposalOutcome(proposal, version)


def replace_file(*, session: Session, name: str, text: str, actor: str, note: str = "") -> ProposalOutcome:
    """Propose the active set with one file added or replaced (the web editor's change)."""
    current = active_version(session=session)
    texts = dict(current.texts if current else {})
    texts[name] = text
    return propose_version(session=session, texts=texts, actor=actor, note=note)


def running_rules(*, session: Session) -> RuleSet:
    """The active set, compiled (seeding the pack on first use)."""
    return load_rule_texts(seed_from_pack(session=session).texts)

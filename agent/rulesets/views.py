"""API routes of the rule set (``/api/rules``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from agent.auth.csrf import guard_cookie_writes
from agent.auth.deps import ApiUser, DbSession, require_role
from agent.rulesets import service
from agent.rulesets.schemas import RuleSetProposal, RuleSetRead, RuleSetVersionRead
from rules import load_rule_texts

router = APIRouter(prefix="/api", tags=["rules"], dependencies=[Depends(guard_cookie_writes)])
EDITOR_ROLES = ("ops", "admin")


def current(session: DbSession) -> RuleSetRead:
    """The active set (seeded from the pack on first use) and every version."""
    active = service.seed_from_pack(session=session)
    session.commit()
    return RuleSetRead(
        active=RuleSetVersionRead.model_validate(active),
        texts=active.texts,
        rules=sorted(rule.name for rule in load_rule_texts(active.texts)),
        versions=[RuleSetVersionRead.model_validate(v) for v in service.list_versions(session=session)],
    )


@router.get("/rules", response_model=RuleSetRead)
def get_rules(session: DbSession, user: ApiUser) -> RuleSetRead:
    """The running rules and their history."""
    return current(session)


@router.post("/rules", response_model=RuleSetRead, status_code=status.HTTP_201_CREATED)
def propose_rules(session: DbSession, user: ApiUser, body: RuleSetProposal) -> RuleSetRead:
    """Replace the rule set; refused with ``file:line:column`` errors if any file is wrong."""
    require_role(user, *EDITOR_ROLES)
    service.seed_from_pack(session=session)
    outcome = service.propose_version(session=session, texts=body.texts, actor=user.email, note=body.note)
    if outcome.version is None:
        session.rollback()
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail={"errors": outcome.errors})
    session.commit()
    return current(session)

"""API route of deliveries: ``GET /api/deliveries`` (admin and ops see all, others their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from agent.auth.deps import ApiUser, DbSession
from agent.delivery import service
from agent.delivery.schemas import DeliveryPageRead
from agent.gate.params import RowOffset

router = APIRouter(prefix="/api", tags=["deliveries"])
Filter = Annotated[str | None, Query(max_length=320)]


@router.get("/deliveries", response_model=DeliveryPageRead)
def list_deliveries(
    session: DbSession,
    user: ApiUser,
    channel: Filter = None,
    state: Filter = None,
    recipient: Filter = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[RowOffset, Query()] = 0,
) -> DeliveryPageRead:
    """Messages newest first: channel, recipient, state, attempts, errors, vendor id, content."""
    page = service.list_deliveries(
        session=session,
        principal=user,
        channel=channel,
        state=state,
        recipient=recipient,
        limit=limit,
        offset=offset,
    )
    return DeliveryPageRead.of(page, limit=limit, offset=offset)

"""The HTTP side of interactions: verify, handle, answer the vendor, then edit its messages.

The connector's route verifies the request (401 with the reason otherwise) and parses it;
each interaction is handled and committed in one transaction; the route's ``answer``
gives the vendor its reply (within Slack's 3 seconds: the work is a few queries). A
change to an alert makes the messages showing it stale, so a delivery drain runs after
the answer is sent and edits them in place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import BackgroundTasks, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from agent.db.database import Database
from agent.delivery.links import default_links
from agent.delivery.run import deliver_due
from agent.interactions.service import handle
from agent.settings import Settings
from connectors.core.interactions import Interaction, Outcome
from connectors.core.registry import configured
from connectors.core.webhooks import InboundRequest, WebhookRejectedError, WebhookRoute

Endpoint = Callable[[Request, BackgroundTasks], Awaitable[Response]]
# Interactions that may change an alert, and so the messages that show it.
CHANGING = frozenset({"action", "submit"})


def mount_interactions(
    app: FastAPI, *, settings: Settings, database: Database, called_url: Callable[[Request], str]
) -> list[str]:
    """Add the configured connectors' interaction routes (those with ``answer``); their paths."""
    mounted = []
    for name, spec in configured("webhooks").items():
        for route in spec.routes():
            if route.answer is None:
                continue  # events for syncs: agent.sync.webhooks
            endpoint = interaction_endpoint(
                name, route, settings=settings, database=database, called_url=called_url
            )
            app.add_api_route(route.path, endpoint, methods=["POST"], tags=["webhooks"])
            mounted.append(route.path)
    return mounted


def interaction_endpoint(
    name: str,
    route: WebhookRoute,
    *,
    settings: Settings,
    database: Database,
    called_url: Callable[[Request], str],
) -> Endpoint:
    """A FastAPI endpoint for a route that carries interactions (it has ``answer``)."""
    answer = route.answer
    assert answer is not None  # mounted for answering routes only

    async def receive(request: Request, background: BackgroundTasks) -> Response:
        inbound = InboundRequest(
            method=request.method,
            url=called_url(request),
            headers=dict(request.headers),
            body=await request.body(),
        )
        try:
            received = route.receive(inbound, datetime.now(UTC))
        except WebhookRejectedError as exc:
            raise HTTPException(status_code=exc.status, detail=f"{name} request refused: {exc}") from exc
        outcomes = await run_in_threadpool(_handle_all, settings, database, received.interactions)
        reply = await run_in_threadpool(answer, outcomes)
        if any(outcome.ok and outcome.interaction.kind in CHANGING for outcome in outcomes):
            background.add_task(deliver_due, database=database, settings=settings)
        if reply.body is None:
            return Response(status_code=reply.status)
        return JSONResponse(dict(reply.body), status_code=reply.status)

    return receive


def _handle_all(
    settings: Settings, database: Database, interactions: tuple[Interaction, ...]
) -> list[Outcome]:
    now = datetime.now(UTC)
    links = default_links(settings)
    with database.transaction() as session:
        return [
            handle(session=session, settings=settings, links=links, interaction=interaction, now=now)
            for interaction in interactions
        ]

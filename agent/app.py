"""The FastAPI application: API routers, web pages, static files."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request, Response, status
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from agent.accounts.views import router as profile_api
from agent.alerts.views import router as alerts_api
from agent.auth.deps import LoginRequiredError
from agent.context.views import router as context_api
from agent.db.database import Database
from agent.delivery.views import router as deliveries_api
from agent.gate.middleware import RequestGate
from agent.interactions.views import mount_interactions
from agent.links.secret import signing_key
from agent.metrics.rates import UnknownCurrencyError
from agent.metrics.views import router as metrics_api
from agent.reviews.views import api as reviews_api
from agent.risk.views import router as risk_api
from agent.rulesets.views import router as rules_api
from agent.scheduler.views import router as runs_api
from agent.settings import Settings
from agent.sync.webhooks import called_url, mount_webhooks, sync_trigger
from agent.web.alerts_pages import router as alert_pages
from agent.web.deliveries import router as deliveries_page
from agent.web.links_pages import router as link_pages
from agent.web.model_page import router as model_page
from agent.web.reviews_pages import router as review_pages
from agent.web.rules_pages import router as rule_pages
from agent.web.runs import router as runs_page
from agent.web.slack_preview import router as slack_preview_page
from agent.web.views import router as web_pages

if TYPE_CHECKING:
    from agent.scheduler.scheduler import JobScheduler

STATIC = Path(__file__).parent / "web" / "static"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'",
}


def create_app(*, settings: Settings, database: Database, scheduler: JobScheduler | None = None) -> FastAPI:
    """An app serving ``database``; the caller owns the database's lifetime.

    A ``scheduler`` given here starts with the app and stops (finishing its running job)
    when the app shuts down.
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if scheduler is not None:
            scheduler.start()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown()

    if settings.environment == "production":
        signing_key(settings)  # refuse to start without NUDGE_SECRET_KEY rather than at the first e-mail
    app = FastAPI(
        title="Nudge",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.include_router(profile_api)
    app.include_router(metrics_api)
    app.include_router(runs_api)
    app.include_router(reviews_api)
    app.include_router(web_pages)
    app.include_router(runs_page)
    app.include_router(alerts_api)
    app.include_router(context_api)
    app.include_router(rules_api)
    app.include_router(alert_pages)
    app.include_router(rule_pages)
    app.include_router(risk_api)
    app.include_router(model_page)
    app.include_router(review_pages)
    app.include_router(link_pages)
    app.include_router(deliveries_api)
    app.include_router(deliveries_page)
    app.include_router(slack_preview_page)
    app.state.sync_trigger = sync_trigger(settings=settings, database=database)
    mount_webhooks(app, settings=settings, database=database, trigger=app.state.sync_trigger)
    mount_interactions(
        app, settings=settings, database=database, called_url=lambda r: called_url(r, settings.public_url)
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(LoginRequiredError)
    def to_login(_request: Request, _exc: LoginRequiredError) -> Response:
        return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)

    @app.exception_handler(UnknownCurrencyError)
    def missing_rate(_request: Request, exc: UnknownCurrencyError) -> Response:
        # A configuration gap, not a bad request: say which setting fills it.
        detail = f"{exc}; set NUDGE_FX_RATES (e.g. '{{\"EUR\": 1.08}}')"
        return JSONResponse({"detail": detail}, status_code=status.HTTP_409_CONFLICT)

    # Added before the headers middleware, so its refusals carry the security headers too.
    app.add_middleware(RequestGate, database=database, max_body_bytes=settings.max_body_bytes)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app

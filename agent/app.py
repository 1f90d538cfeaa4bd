"""The FastAPI application: API routers, web pages, static files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response, status
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from agent.auth.deps import LoginRequiredError
from agent.db.database import Database
from agent.profile.views import router as profile_api
from agent.reviews.views import api as reviews_api
from agent.reviews.views import pages as review_pages
from agent.settings import Settings
from agent.sync.views import router as sync_api
from agent.sync.webhooks import mount_webhooks, sync_trigger
from agent.web.views import router as web_pages

STATIC = Path(__file__).parent / "web" / "static"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'",
}


def create_app(*, settings: Settings, database: Database) -> FastAPI:
    """An app serving ``database``; the caller owns the database's lifetime."""
    app = FastAPI(title="Nudge", version="0.1.0", docs_url="/api/docs", openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.database = database
    app.include_router(profile_api)
    app.include_router(sync_api)
    app.include_router(reviews_api)
    app.include_router(web_pages)
    app.include_router(review_pages)
    app.state.sync_trigger = sync_trigger(settings=settings, database=database)
    mount_webhooks(app, settings=settings, trigger=app.state.sync_trigger)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(LoginRequiredError)
    def to_login(_request: Request, _exc: LoginRequiredError) -> Response:
        return RedirectResponse("/login", status_code=status.HTTP_303_SEE_OTHER)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app

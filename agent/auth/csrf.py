"""Cross-site request forgery guard for form posts: the request must come from our own origin.

The session cookie is ``SameSite=Lax``, which already keeps it off cross-site POSTs in
current browsers; checking ``Origin`` (or ``Referer`` when a browser leaves it out) against
this server's address or ``NUDGE_PUBLIC_URL`` closes the gap for older ones and for
same-site subdomains, as OWASP recommends.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request, status

from agent.auth.deps import SESSION_COOKIE, bearer_token


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def require_same_origin(request: Request) -> None:
    """403 unless the request's Origin or Referer is this site (usable as a dependency)."""
    public_url: str | None = request.app.state.settings.public_url
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or claimed == "null":
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail="cross-site form post refused (no Origin header)"
        )
    allowed = {_origin(str(request.base_url))}
    if host := request.headers.get("host"):
        allowed.add(f"{request.url.scheme}://{host}".lower())
    if public_url:
        allowed.add(_origin(public_url))
    if _origin(claimed) not in allowed:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=f"cross-site form post refused (from {_origin(claimed)})"
        )


def safe_next(target: str | None, default: str) -> str:
    """A local path to go back to after a form post (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def guard_cookie_writes(request: Request) -> None:
    """For API writes authenticated by the browser's cookie (no bearer token), require our origin.

    Only a bearer token (which then authenticates instead of the cookie) exempts a write:
    any other ``Authorization`` header leaves the cookie in charge, so the check applies.
    """
    if request.method in ("GET", "HEAD", "OPTIONS") or bearer_token(request):
        return
    if SESSION_COOKIE not in request.cookies:
        return  # nothing a forged request could ride on; authentication answers 401
    require_same_origin(request)

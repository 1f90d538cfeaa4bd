"""Cross-site request forgery guard for form posts: the browser must say it came from us.

The session cookie is ``SameSite=Lax`` already; this adds the Origin (or, failing that,
Referer) check OWASP recommends, against this server's address or ``NUDGE_PUBLIC_URL``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request, status


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def require_same_origin(request: Request, *, public_url: str | None) -> None:
    """403 unless the request's Origin or Referer is this site."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or claimed == "null":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="form posts need an Origin or Referer header")
    allowed = {_origin(str(request.base_url))}
    if host := request.headers.get("host"):
        allowed.add(f"{request.url.scheme}://{host}".lower())
    if public_url:
        allowed.add(_origin(public_url))
    if _origin(claimed) not in allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"cross-site form post from {_origin(claimed)}")

"""Same-origin checks for posts: what the browser says about where a request comes from."""

from __future__ import annotations

from starlette.datastructures import Headers


def is_same_origin(headers: Headers, host: str) -> bool:
    """Refuse posts that a browser says come from another site. Clients that send neither header
    (old browsers, scripts) pass here and still need a valid form token."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == host

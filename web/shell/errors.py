"""Error pages: a clear, accessible page in the reader's language, never a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.content.names import DEFAULT_LANGUAGE
from web.shell.pages import render, served_once
from web.shell.site import Site

log = logging.getLogger("web.shell.errors")
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]
TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/405.html",
    413: "errors/413.html",
}


def language_of(request: Request) -> str:
    # The path as the server gave it, not request.url: an error page must not depend on parsing the address.
    first = str(request.scope.get("path", "")).strip("/").split("/", 1)[0]
    site = getattr(request.app.state, "site", None)  # None in the console, which has no content
    return first if isinstance(site, Site) and first in site.library.languages else DEFAULT_LANGUAGE


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    template = TEMPLATES.get(exc.status_code)
    if template is None:
        return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)
    lang = language_of(request)
    # The same page for every address in a language (the navigation marks Search on its own address only).
    key = ("error", exc.status_code, lang, request.scope.get("path") == f"/{lang}/search")
    return served_once(
        request, key, lambda: render(request, template, lang, status_code=exc.status_code), headers=exc.headers
    )


async def server_error(request: Request, exc: Exception) -> Response:
    # The path only: query strings may hold what a reader typed.
    path = request.scope.get("path", "")
    log.error("unhandled error on %s %s: %s", request.method, path, type(exc).__name__, exc_info=exc)
    try:
        return render(request, "errors/500.html", language_of(request), status_code=500)
    except Exception:  # noqa: BLE001 - the error page itself failed: fall back to plain text
        return PlainTextResponse("Sorry, something went wrong. Call 999 if someone is in danger.", status_code=500)


class ErrorPageMiddleware:
    """Turn an unhandled exception into the 500 page, inside the security-headers middleware.

    Starlette's own handler for 500 sits outside every user middleware, so its responses would
    miss the security headers.
    """

    def __init__(self, app: ASGIApp, *, debug: bool = False, handler: ErrorHandler | None = None) -> None:
        self.app = app
        self.debug = debug
        self.handler = handler or server_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started or self.debug:
                raise
            response = await self.handler(Request(scope), exc)
            await response(scope, receive, send)

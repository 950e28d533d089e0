"""The console's pages: rendering in its layout (never cached), and the guard every signed-in view has:
the officer's role, and for posts, the same-origin check and the session's CSRF token."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.console import auth
from web.console.state import console_of
from web.http.same_origin import is_same_origin
from web.storage import officers as store

Handler = Callable[[Request], Awaitable[Response]]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Response:
    templates = console_of(request).templates
    signed_in = getattr(request.state, "signed_in", None)
    base = {"lang": "en", "dir": "ltr", "signed_in": signed_in}
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code, headers=NO_STORE)


def settings_windows(request: Request) -> tuple[dt.timedelta, dt.timedelta]:
    settings = console_of(request).settings
    return dt.timedelta(minutes=settings.console_idle_minutes), dt.timedelta(hours=settings.console_max_hours)


def requires(*roles: str) -> Callable[[Handler], Handler]:
    """Only signed-in officers with one of `roles`; POSTs also need the session's CSRF token."""

    def decorate(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            signed_in = auth.current(request, *settings_windows(request))
            if signed_in is None:
                return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
            request.state.signed_in = signed_in
            if signed_in.officer.role not in roles:
                store.record(console_of(request).engine, signed_in.officer.username, "denied", detail=request.url.path)
                raise HTTPException(status_code=403)
            if request.method == "POST":
                refuse_other_sites(request)
                form = await request.form(max_files=0, max_fields=20)
                if not auth.csrf_ok(signed_in, str(form.get("csrf", ""))):
                    raise HTTPException(status_code=403)
            return await handler(request)

        guarded.__name__ = handler.__name__
        return guarded

    return decorate


def refuse_other_sites(request: Request) -> None:
    """Posts only from the console's own pages, as the browser tells (as well as SameSite cookies, the
    CSRF token, throttling and lockout): a sign-in from another site is refused before it counts."""
    if not is_same_origin(request.headers, request.headers.get("host", "")):
        raise HTTPException(status_code=403)

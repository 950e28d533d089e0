"""The console's pages: rendering in its layout (never cached), reading what a request brings (the same
guarded form reader as the public site; NUL and other control characters refused with a 400 before they reach
the database), and the guard every signed-in view has: the officer's role, and for posts, the same-origin
check and the session's CSRF token.

Every database call of a view runs in a worker thread (`run_in_threadpool`), never on the event loop: a slow
or locked database then holds up only the requests that need it, not every page of the console.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.console import auth
from web.console.state import console_of
from web.http.forms import read_form
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


async def form_of(request: Request, max_fields: int = 20) -> FormData:
    """The posted form, read as the public site reads its forms (web/http/forms.py): UTF-8, no files, within
    the body limit; any other character set is a 400 page, never a server error."""
    return await read_form(request, max_fields=max_fields, max_bytes=console_of(request).settings.max_body_bytes)


def one_line(value: str) -> str:
    """`value`, or a 400 when it holds a control character: PostgreSQL refuses NUL, and no name, reference
    or filter needs one."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise HTTPException(status_code=400)
    return value


def requires(*roles: str) -> Callable[[Handler], Handler]:
    """Only signed-in officers with one of `roles`; POSTs also need the session's CSRF token."""

    def decorate(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            signed_in = await run_in_threadpool(auth.current, request, *settings_windows(request))
            if signed_in is None:
                return RedirectResponse("/sign-in", status_code=303, headers=NO_STORE)
            request.state.signed_in = signed_in
            if signed_in.officer.role not in roles:
                engine, actor = console_of(request).engine, signed_in.officer.username
                await run_in_threadpool(store.record, engine, actor, "denied", detail=request.url.path)
                raise HTTPException(status_code=403)
            if request.method == "POST":
                refuse_other_sites(request)
                form = await form_of(request)
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

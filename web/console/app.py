"""create_console_app(settings): the officers' console, its own app on its own port."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from web.console import auth, dashboard, views
from web.console.state import Console, ConsoleKeys, console_of_app, file_version
from web.content.library import facts_of
from web.http.access_log import AccessLogMiddleware
from web.http.body_limit import BodyLimitMiddleware
from web.http.cache import HttpCacheMiddleware
from web.http.limits import SubmissionLimiter
from web.http.redirects import TrailingSlashRedirects
from web.http.security_headers import SecurityHeadersMiddleware
from web.sealing import KeyFileError
from web.settings import Settings
from web.shell.assets import Assets
from web.shell.errors import ErrorPageMiddleware
from web.shell.templating import create_templates
from web.storage import create_database_engine, disposing, officers
from web.storage.database import Lifespan, database_is_healthy
from web.storage.migrate import migrate

SIGN_INS_PER_HOUR = 20
log = logging.getLogger("web.console")


class KeyReloadMiddleware:
    """Loads the keys again when the key file has changed (`python -m web keys rotate` renames a new key over
    it), so a running console follows a rotation at once instead of refusing every officer's code."""

    def __init__(self, app: ASGIApp, *, private_file: Path) -> None:
        self.app = app
        self.private_file = private_file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        console = console_of_app(scope["app"])
        try:
            if scope["type"] == "http" and file_version(self.private_file) != console.keys.version:
                console.keys = ConsoleKeys.load(self.private_file)
                log.warning("console: the officers' key file changed; keys loaded again")
        except (OSError, KeyFileError) as error:  # mid-rename, or unreadable: keep the keys it has
            log.error("console: the officers' key file changed but cannot be read: %s", error)
        await self.app(scope, receive, send)


def build_console(settings: Settings) -> Console:
    """What the views share, made once: keys first (no console starts without them), then the database."""
    keys = ConsoleKeys.load(settings.console_private_key_file)
    assets = Assets(settings.static_dist_dir)
    engine = create_database_engine(settings.database_url)
    sealing_once = officers.code_secrets_may_be_in_clear(engine)  # migration 0006 ends it
    migrate(engine)
    if sealing_once:
        auth.seal_plain_totp_secrets(engine, keys.totp_key)
    return Console(
        settings=settings,
        assets=assets,
        templates=create_templates(settings, assets, facts_of(settings.content_dir)),
        engine=engine,
        sign_in_limiter=SubmissionLimiter(SIGN_INS_PER_HOUR, name="sign-in", engine=engine, secret=keys.totp_key),
        keys=keys,
    )


async def console_healthz(request: Request) -> Response:
    """For the machine's monitor (nginx keeps it from the public): 200 when the database answers, else 503.
    It says nothing of officers or concerns, and needs no sign-in."""
    healthy = await run_in_threadpool(database_is_healthy, console_of_app(request.app).engine)
    body = {"status": "ok" if healthy else "unhealthy", "database": healthy}
    headers = {"Cache-Control": "no-store", "Content-Disposition": 'attachment; filename="healthz.json"'}
    return JSONResponse(body, status_code=200 if healthy else 503, headers=headers)


def lifespan_of(console: Console) -> Lifespan:
    """As the console stops: the sign-ins refused in the window still open go to the audit log, then the
    database's connections close."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with disposing(console.engine)(app):
            yield
            views.write_refusals(console, everything=True)

    return lifespan


def create_console_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    console = build_console(settings)
    routes = [
        Route("/", views.home, name="console_home"),
        Route("/healthz", console_healthz, name="console_healthz"),
        Route("/sign-in", views.sign_in_form, name="sign_in_form"),
        Route("/sign-in", views.sign_in, methods=["POST"], name="sign_in"),
        Route("/sign-in/code", views.code_form, name="code_form"),
        Route("/sign-in/code", views.code_verify, methods=["POST"], name="code_verify"),
        Route("/sign-out", views.sign_out, methods=["POST"], name="sign_out"),
        Route("/concerns", views.concern_list, name="concern_list"),
        Route("/concerns/{reference:str}", views.concern_view, name="concern_view"),
        Route("/concerns/{reference:str}", views.concern_update, methods=["POST"], name="concern_update"),
        Route("/figures", dashboard.figures_moved, name="figures"),
        Route("/dashboard", dashboard.dashboard, name="dashboard"),
        Route("/figures.csv", dashboard.figures_csv, name="figures_csv"),
        Route("/accounts", views.accounts, name="accounts"),
        Route("/accounts/{officer_id:int}", views.account_toggle, methods=["POST"], name="account_toggle"),
        Route("/assets/{name:str}", console.assets.serve, name="asset"),
    ]
    middleware = [
        Middleware(AccessLogMiddleware),
        # Inside the security headers, so that its 400 and 413 carry them too.
        Middleware(SecurityHeadersMiddleware, https=True),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes),
        Middleware(ErrorPageMiddleware, debug=settings.debug, handler=views.console_error),
        Middleware(HttpCacheMiddleware),
        Middleware(KeyReloadMiddleware, private_file=settings.console_private_key_file),
        Middleware(TrailingSlashRedirects, routes=routes),
    ]
    app = Starlette(
        debug=settings.debug,
        lifespan=lifespan_of(console),
        routes=routes,
        middleware=middleware,
        exception_handlers={code: views.console_error for code in (400, 403, 404, 405, 413)},
    )
    app.router.redirect_slashes = False  # TrailingSlashRedirects does it, without the Host header
    app.state.console = console
    return app

"""create_console_app(settings): the officers' console, its own app on its own port."""

from __future__ import annotations

import hashlib

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from web.access_log import AccessLogMiddleware
from web.assets import Assets
from web.console import auth, dashboard, views
from web.errors import ErrorPageMiddleware
from web.form_guard import BodyLimitMiddleware, SubmissionLimiter
from web.http_cache import HttpCacheMiddleware
from web.sealing import load_private_keys
from web.security import SecurityHeadersMiddleware
from web.settings import Settings
from web.storage import create_database_engine, dispose_engine_on_shutdown
from web.storage.migrate import migrate
from web.templating import create_templates

SIGN_INS_PER_HOUR = 20


class ConsoleBodyLimit(BodyLimitMiddleware):
    """The body limit, answering with the console's own error page: the site's needs the site's
    content library, which the console does not load (its 413 was a bare 500)."""

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status_code: int) -> None:
        response = await views.console_error(Request(scope, receive), HTTPException(status_code=status_code))
        await response(scope, receive, send)


def create_console_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    assets = Assets(settings.static_dist_dir)
    routes = [
        Route("/", views.home, name="console_home"),
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
        Route("/assets/{name:str}", assets.serve, name="asset"),
    ]
    middleware = [
        Middleware(AccessLogMiddleware),
        # Inside the security headers, so that its 400 and 413 carry them too.
        Middleware(SecurityHeadersMiddleware, https=True),
        Middleware(ConsoleBodyLimit, max_bytes=settings.max_body_bytes),
        Middleware(ErrorPageMiddleware, debug=settings.debug, handler=views.console_error),
        Middleware(HttpCacheMiddleware),
    ]
    app = Starlette(
        debug=settings.debug,
        lifespan=dispose_engine_on_shutdown,
        routes=routes,
        middleware=middleware,
        exception_handlers={code: views.console_error for code in (400, 403, 404, 405, 413)},
    )
    private_keys = load_private_keys(settings.console_private_key_file)  # the current key first
    private_key = private_keys[0]
    app.state.settings = settings
    app.state.assets = assets
    app.state.templates = create_templates(settings, assets)
    app.state.engine = create_database_engine(settings.database_url)
    migrate(app.state.engine)
    app.state.private_key = private_key
    app.state.private_keys = private_keys  # concerns sealed before a rotation reached the public site
    app.state.public_key = private_key.public_key
    app.state.console_key = hashlib.sha256(b"console-pending:" + bytes(private_key)).digest()
    app.state.totp_key = auth.totp_key(private_key)
    auth.seal_plain_totp_secrets(app.state.engine, app.state.totp_key)
    app.state.sign_in_limiter = SubmissionLimiter(SIGN_INS_PER_HOUR)
    app.state.library = None
    return app

"""create_console_app(settings): the officers' console, its own app on its own port."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from web.access_log import AccessLogMiddleware
from web.assets import Assets
from web.console import auth, dashboard, views
from web.errors import ErrorPageMiddleware
from web.form_guard import BodyLimitMiddleware, SubmissionLimiter
from web.http_cache import HttpCacheMiddleware
from web.sealing import KeyFileError, load_private_keys
from web.security import SecurityHeadersMiddleware
from web.settings import Settings
from web.storage import create_database_engine, dispose_engine_on_shutdown
from web.storage.migrate import migrate
from web.templating import create_templates

SIGN_INS_PER_HOUR = 20
log = logging.getLogger("web.console")


def use_keys(state: State, private_file: Path) -> None:
    """The officers' keys, and what is derived from them, on the app's state: the current key first, then the
    retired ones (concerns and code secrets sealed before a rotation reached everything)."""
    private_keys = load_private_keys(private_file)
    current = private_keys[0]
    state.private_keys = private_keys
    state.public_key = current.public_key  # seals officers' notes
    state.console_key = hashlib.sha256(b"console-pending:" + bytes(current)).digest()
    state.totp_keys = [auth.totp_key(key) for key in private_keys]
    state.totp_key = state.totp_keys[0]  # seals new code secrets
    state.key_file_version = _version(private_file)


def _version(path: Path) -> tuple[int, int, int]:
    status = os.stat(path)
    return status.st_ino, status.st_mtime_ns, status.st_size


class KeyReloadMiddleware:
    """Loads the keys again when the key file has changed (`python -m web keys rotate` renames a new key over
    it), so a running console follows a rotation at once instead of refusing every officer's code."""

    def __init__(self, app: ASGIApp, *, private_file: Path) -> None:
        self.app = app
        self.private_file = private_file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["app"].state
        try:
            if scope["type"] == "http" and _version(self.private_file) != state.key_file_version:
                use_keys(state, self.private_file)
                log.warning("console: the officers' key file changed; keys loaded again")
        except (OSError, KeyFileError) as error:  # mid-rename, or unreadable: keep the keys it has
            log.error("console: the officers' key file changed but cannot be read: %s", error)
        await self.app(scope, receive, send)


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
        Middleware(KeyReloadMiddleware, private_file=settings.console_private_key_file),
    ]
    app = Starlette(
        debug=settings.debug,
        lifespan=dispose_engine_on_shutdown,
        routes=routes,
        middleware=middleware,
        exception_handlers={code: views.console_error for code in (400, 403, 404, 405, 413)},
    )
    use_keys(app.state, settings.console_private_key_file)
    app.state.settings = settings
    app.state.assets = assets
    app.state.templates = create_templates(settings, assets)
    app.state.engine = create_database_engine(settings.database_url)
    migrate(app.state.engine)
    auth.seal_plain_totp_secrets(app.state.engine, app.state.totp_key)
    app.state.sign_in_limiter = SubmissionLimiter(SIGN_INS_PER_HOUR)
    app.state.library = None
    return app

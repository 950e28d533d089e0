"""The public site: routes, middleware and mounts. Handlers live in their area's module."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from web import advice, site
from web.access_log import AccessLogMiddleware
from web.assets import Assets
from web.content import load_library
from web.errors import ErrorPageMiddleware, http_error
from web.http_cache import HttpCacheMiddleware
from web.security import SecurityHeadersMiddleware
from web.settings import Settings
from web.storage import create_database_engine
from web.templating import create_templates


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    assets = Assets(settings.static_dist_dir)
    routes = [
        Route("/", advice.advice_page, name="home"),
        Route("/sitemap.xml", site.sitemap, name="sitemap"),
        Route("/robots.txt", site.robots, name="robots"),
        Route("/healthz", site.healthz, name="healthz"),
        Route("/exit", site.exit_page, name="exit_page"),
        Route("/assets/{name:str}", assets.serve, name="asset"),
        Route("/{lang:str}", advice.language_home_redirect, name="language_home_redirect"),
        Route("/{lang:str}/", advice.advice_page, name="language_home"),
        Route("/{lang:str}/{slug:str}", advice.advice_page, name="advice_page"),
    ]
    middleware = [
        Middleware(AccessLogMiddleware),
        Middleware(SecurityHeadersMiddleware, https=settings.public_base_url.startswith("https://")),
        Middleware(ErrorPageMiddleware, debug=settings.debug),
        Middleware(HttpCacheMiddleware),
    ]
    app = Starlette(
        debug=settings.debug,
        routes=routes,
        middleware=middleware,
        exception_handlers={404: http_error, 405: http_error},
    )
    app.state.settings = settings
    app.state.assets = assets
    app.state.library = load_library(settings.content_dir)
    app.state.templates = create_templates(settings, assets)
    app.state.engine = create_database_engine(settings.database_url)
    return app
